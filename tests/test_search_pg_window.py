"""PostgreSQL ranks the newest `budget` matches of a common word from a window of recent papers (the date index's
newest, storage/tsvector.py `_newest_cut`), reading older matches only when the window holds too few: the papers
ranked and their scores are those of reading every match, whether the word's papers are spread over the dates or
all old."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from dailypapers.domain import PaperRecord
from dailypapers.search.query import parse_query
from dailypapers.services.imports import import_papers
from dailypapers.storage import Store
from dailypapers.storage.fulltext import SearchFilters
from dailypapers.storage.term_stats import clear_cache
from dailypapers.storage.tsvector import TsvectorIndex

ENGINES = os.environ.get("DAILYPAPERS_TEST_ENGINES", "sqlite,postgresql")
pytestmark = pytest.mark.skipif("postgresql" not in ENGINES, reason="PostgreSQL's ranking (FTS5 cuts by rowid)")

PAPERS = 200
BUDGET = 3  # a word in 60 papers is then "common": its newest 3 are ranked, from a window of ~11% of the papers
FIRST_DAY = datetime(2025, 1, 1, tzinfo=UTC)


def paper(n: int) -> PaperRecord:
    words = ["protein folding", "robot grasping", "weather graphs", "music scores"][n % 4]
    if n % 3 == 0:  # spread over every date
        words += " kernel" + (" regression" if n % 2 else " density")
    if n < 60:  # only the oldest papers
        words += " lattice models"
    return PaperRecord(
        id=f"2501.{n:05d}",
        title=words.split()[0].title(),
        abstract=f"We study {words} " + "and more " * (n % 5),
        authors=[],
        published_at=FIRST_DAY + timedelta(days=n),
    )


def ranked(store: Store, index: TsvectorIndex, q: str) -> tuple[list[tuple[str, float]], bool]:
    """The candidates of `q` under the budget, and whether the statement had a window."""
    parsed = parse_query(q)
    statements: list[str] = []

    def seen(conn: object, cursor: object, sql: str, *args: object) -> None:
        statements.append(sql)

    event.listen(store.engine, "before_cursor_execute", seen)
    try:
        with store.read() as conn:
            found = index.candidates(conn, parsed.words, parsed.phrases, SearchFilters(), 20, BUDGET, parsed.pairs)
    finally:
        event.remove(store.engine, "before_cursor_execute", seen)
    return found, any("win AS MATERIALIZED" in sql for sql in statements)


@pytest.fixture
def corpus(postgres_store: Store) -> Store:
    import_papers(postgres_store, [paper(n) for n in range(PAPERS)])
    clear_cache()
    return postgres_store


def test_the_newest_matches_of_a_word_spread_over_the_dates_are_ranked_from_the_window_alone(corpus: Store) -> None:
    windowed, used = ranked(corpus, TsvectorIndex(), "kernel")
    every, _ = ranked(corpus, TsvectorIndex(widest_window=0.0), "kernel")
    assert used
    assert [key for key, _ in windowed] == [key for key, _ in every]
    assert [score for _, score in windowed] == pytest.approx([score for _, score in every])
    newest_kernels = [f"2501.{n:05d}" for n in range(PAPERS - 1, -1, -1) if n % 3 == 0][:BUDGET]
    assert sorted(key for key, _ in windowed) == sorted(newest_kernels)


def test_a_word_only_in_old_papers_reads_the_older_matches_when_the_window_holds_too_few(corpus: Store) -> None:
    windowed, used = ranked(corpus, TsvectorIndex(), "lattice")
    every, _ = ranked(corpus, TsvectorIndex(widest_window=0.0), "lattice")
    assert used
    assert sorted(key for key, _ in windowed) == ["2501.00057", "2501.00058", "2501.00059"]
    assert windowed == every


def test_a_word_pairs_count_is_scaled_from_the_window_to_every_match(corpus: Store) -> None:
    """The window holds a sample of the word's matches; the pair's papers among them, scaled by all matches over
    the window's, stand for its count (the window's papers hold "kernel regression" as often as all do here)."""
    windowed, used = ranked(corpus, TsvectorIndex(), "kernel regression")
    every, _ = ranked(corpus, TsvectorIndex(widest_window=0.0), "kernel regression")
    assert used
    assert [key for key, _ in windowed] == [key for key, _ in every]
    assert [score for _, score in windowed] == pytest.approx([score for _, score in every], rel=0.05)
