"""The full-text index never disagrees with the papers an import stored, even when a batch fails half-way."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from itertools import islice
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from dailypapers.domain import ImportItem, ListingRecord
from dailypapers.ingest.files import LineSource
from dailypapers.ingest.kaggle import read_kaggle
from dailypapers.services.imports import import_items
from dailypapers.storage import Store, open_store
from dailypapers.storage import papers as paper_store
from dailypapers.storage.fulltext import SearchFilters
from dailypapers.storage.paper_writes import ExecutemanyPaperWrites


def sample_items(shared: Path, n: int) -> list[ImportItem]:
    path = shared / "fixtures" / "kaggle-arxiv-metadata-snapshot.sample.jsonl"
    return list(islice(read_kaggle(LineSource(path)), n))


def papers_missing_from_the_index(store: Store) -> list[str]:
    """Stored papers that a search for their own title's words does not find."""
    with store.read() as conn:
        stored = paper_store.papers_after(conn, "", 1000)
        missing = []
        for paper in stored:
            words = [w.lower() for w in re.findall(r"[A-Za-z]{4,}", paper.title)]
            found = store.text_index.candidates(conn, words, [], SearchFilters(), 1000)
            if paper.id not in {paper_id for paper_id, _ in found}:
                missing.append(paper.id)
    return missing


def test_every_paper_of_a_bulk_import_is_found_by_its_title(store: Store, shared: Path) -> None:
    summary = import_items(store, sample_items(shared, 45), batch_size=20)
    assert summary.new == 45
    assert papers_missing_from_the_index(store) == []


def test_a_batch_that_fails_after_writing_its_papers_leaves_the_index_in_step(store: Store, shared: Path) -> None:
    items = sample_items(shared, 30)
    # The second batch's listing names a paper that exists nowhere: its insert fails after the batch's papers
    # were written (and, on SQLite, while the per-row index trigger is paused), so the whole batch rolls back.
    items.insert(25, ImportItem(line=0, paper=items[24].paper, listing=ListingRecord(date(2026, 1, 1), "9999.99999")))
    with pytest.raises(IntegrityError):
        import_items(store, items, batch_size=20)
    with store.read() as conn:
        assert paper_store.count_papers(conn) == 20
    assert papers_missing_from_the_index(store) == []
    # Papers written after the failure, in bulk or one at a time, are indexed too.
    import_items(store, items[20:25], batch_size=20)
    import_items(store, items[26:], batch_size=1)
    with store.read() as conn:
        assert paper_store.count_papers(conn) == 30
    assert papers_missing_from_the_index(store) == []


@pytest.fixture
def other_store(store: Store, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A second fresh store on the same engine as `store`."""
    factory = request.getfixturevalue("sqlite_factory" if store.is_sqlite else "postgres_factory")
    other = open_store(factory.config(tmp_path / "other"))
    yield other
    other.dispose()


def stored_and_found(store: Store) -> tuple[list[dict[str, object]], dict[str, list[tuple[str, float]]]]:
    """Every stored paper (but its import time) with its versions, and what searching each title and author finds."""
    with store.read() as conn:
        stored = paper_store.papers_after(conn, "", 1000)
        rows = [
            {
                **{k: v for k, v in p.__dict__.items() if k != "ingested_at"},
                "v": paper_store.paper_versions_of(conn, p.id),
            }
            for p in stored
        ]
        found = {}
        for paper in stored:
            words = [w.lower() for w in re.findall(r"[A-Za-z]{4,}", paper.title)]
            found[paper.id] = store.text_index.candidates(conn, words, [], SearchFilters(), 50)
            author = SearchFilters(authors=paper.authors[:1], categories=paper.categories[:1])
            found[paper.id + " by"] = store.text_index.candidates(conn, words[:2], [], author, 50)
    return rows, found


def test_papers_imported_by_copy_in_concurrent_batches_are_stored_and_found_as_row_by_row(
    store: Store, other_store: Store, shared: Path
) -> None:
    if store.is_sqlite:
        pytest.skip("SQLite writes papers row by row already; COPY and concurrent batches are PostgreSQL's")
    items = sample_items(shared, 300)
    assert store.paper_writes.concurrent_batches > 1
    import_items(store, items, batch_size=40)
    other_store.paper_writes = ExecutemanyPaperWrites()
    import_items(other_store, items, batch_size=40)
    assert stored_and_found(store) == stored_and_found(other_store)
    assert len(stored_and_found(store)[0]) == len({i.paper.id for i in items if i.paper}) > 100


def test_a_paper_in_two_batches_written_at_once_is_stored_once_and_counted(store: Store, shared: Path) -> None:
    items = sample_items(shared, 60)
    day_one = [
        ImportItem(line=i, paper=it.paper, listing=ListingRecord(day=date(2024, 1, 2), paper_id=it.paper.id))
        for i, it in enumerate(items[:30])
        if it.paper
    ]
    day_two = [
        ImportItem(line=100 + i, paper=it.paper, listing=ListingRecord(day=date(2024, 1, 3), paper_id=it.paper.id))
        for i, it in enumerate(items[20:])
        if it.paper
    ]
    summary = import_items(store, day_one + day_two, batch_size=10)
    assert (summary.read, summary.new, summary.updated + summary.unchanged) == (70, 60, 10)
    assert summary.listings_new == 70
    assert papers_missing_from_the_index(store) == []
