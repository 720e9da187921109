"""Reads of the fetch queue: one paper's fetch (the paper page, GET /api/fetches/{id}) and the list for the CLI."""

from __future__ import annotations

from collections.abc import Sequence

from dailypapers.storage import Store
from dailypapers.storage.fetches import StoredFetch, fetch_entries, fetch_entry_of


def fetch_status(store: Store, arxiv_id: str) -> StoredFetch | None:
    with store.read() as conn:
        return fetch_entry_of(conn, arxiv_id)


def queued_fetches(store: Store, states: Sequence[str] | None = None, limit: int = 100) -> list[StoredFetch]:
    with store.read() as conn:
        return fetch_entries(conn, states, limit)
