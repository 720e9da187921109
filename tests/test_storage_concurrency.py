"""Concurrent writers never lose each other's writes (SQLite: WAL + BEGIN IMMEDIATE; PostgreSQL: MVCC)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from dailypapers.domain import PaperRecord
from dailypapers.services.imports import import_papers
from dailypapers.storage import Store
from dailypapers.storage import accounts as account_store
from dailypapers.storage import votes as vote_store


def test_concurrent_vote_writers_lose_nothing(store: Store) -> None:
    import_papers(store, [PaperRecord(id="2501.00001", title="T", abstract="A", authors=["X"])])
    now = datetime.now(UTC)
    with store.write() as conn:
        ids = [
            account_store.insert_account(
                conn,
                username=f"u{i}",
                fullname="",
                email=None,
                password_hash=None,
                role="member",
                created_at=now,
            )
            for i in range(40)
        ]

    def vote_twice(account_id: int) -> None:
        for _ in range(2):  # a double click: the second insert must be a no-op, not an error
            with store.write() as conn:
                vote_store.insert_vote(conn, account_id, "2501.00001", now)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(vote_twice, ids))
    with store.read() as conn:
        assert vote_store.vote_count_of_paper(conn, "2501.00001") == 40


def test_concurrent_imports_of_overlapping_papers_store_each_once(store: Store) -> None:
    def records(offset: int) -> list[PaperRecord]:
        return [
            PaperRecord(id=f"2501.{n:05d}", title=f"Paper {n}", abstract="", authors=["X"])
            for n in range(offset, offset + 60)
        ]

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda o: _import_retrying(store, records(o)), [0, 30, 45]))
    assert sum(r for r in results) >= 105
    with store.read() as conn:
        from dailypapers.storage.papers import count_papers

        assert count_papers(conn) == 105


def _import_retrying(store: Store, records: list[PaperRecord]) -> int:
    """PostgreSQL may refuse one of two racing inserts of the same key; a re-run (idempotent) finishes it."""
    from sqlalchemy.exc import IntegrityError

    for _ in range(5):
        try:
            summary = import_papers(store, records)
            return summary.new + summary.unchanged + summary.updated
        except IntegrityError:
            continue
    raise AssertionError("import never succeeded")
