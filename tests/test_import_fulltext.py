"""The full-text index never disagrees with the papers an import stored, even when a batch fails half-way."""

from __future__ import annotations

import re
from datetime import date
from itertools import islice
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from dailypapers.domain import ImportItem, ListingRecord
from dailypapers.ingest.files import LineSource
from dailypapers.ingest.kaggle import read_kaggle
from dailypapers.services.imports import import_items
from dailypapers.storage import Store
from dailypapers.storage import papers as paper_store
from dailypapers.storage.fulltext import SearchFilters


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
