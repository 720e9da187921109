"""Small reads the site's pages need beyond the feed queries: the member's own votes, health."""

from __future__ import annotations

from pathlib import Path

from dailypapers.storage import Store
from dailypapers.storage import accounts as account_store
from dailypapers.storage import votes as vote_store
from dailypapers.storage.accounts import StoredAccount


def voted_ids(store: Store, account: StoredAccount | None, paper_ids: list[str]) -> set[str]:
    """Papers on a page the member has upvoted: one query whatever the page size, none for visitors."""
    if account is None or not paper_ids:
        return set()
    with store.read() as conn:
        return vote_store.voted_paper_ids(conn, account.id, paper_ids)


def store_reachable(store: Store) -> bool:
    try:
        with store.read() as conn:
            account_store.count_accounts(conn)
    except Exception:
        return False
    return True


def store_write_problem(store: Store, data_dir: Path | None) -> str | None:
    """Why the store cannot take a write right now (a full disk, read-only), or None when it can."""
    from dailypapers.storage.health import unwritable_store_reason

    return unwritable_store_reason(store, data_dir)
