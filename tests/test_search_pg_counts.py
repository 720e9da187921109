"""PostgreSQL's word counts and corpus size, kept by the writes (migration 0027), read by BM25 (storage/tsvector.py).

Each test checks the kept counts against what the GIN index holds for the same snapshot, after the writes that
change them: inserts (COPY, as imports write), updates of the text and of other columns, deletes, TRUNCATE, and the
compaction `dailypapers index` runs; and that two writers of the same words never wait on each other.
"""

from __future__ import annotations

import os

import pytest
from sqlalchemy import Connection

from dailypapers.domain import PaperRecord
from dailypapers.services.imports import import_papers
from dailypapers.storage import Store

ENGINES = os.environ.get("DAILYPAPERS_TEST_ENGINES", "sqlite,postgresql")
pytestmark = pytest.mark.skipif("postgresql" not in ENGINES, reason="PostgreSQL's counts (SQLite's are FTS5's own)")

PAPERS = [
    PaperRecord(id="2501.00001", title="Sparse attention", abstract="Attention kernels", authors=["Ann Lee"]),
    PaperRecord(id="2501.00002", title="Sparse kernels", abstract="Matrix kernels for attention", authors=[]),
    PaperRecord(id="2501.00003", title="Attention in vision", abstract="Patches", authors=["Bo Chen"]),
    PaperRecord(id="2501.00004", title="Protein folding", abstract="Diffusion models", authors=[]),
]


def test_postgresql_word_counts_follow_inserts_updates_and_deletes_and_survive_compaction(
    postgres_store: Store,
) -> None:
    from sqlalchemy import text

    from dailypapers.storage.tsvector import _corpus, _count_many

    def gin(conn: Connection, word: str) -> int:
        sql = "SELECT count(*) FROM papers WHERE search_vector @@ phraseto_tsquery('dailypapers', :w)"
        return int(conn.execute(text(sql), {"w": word}).scalar_one())

    def lengths(conn: Connection) -> tuple[int, float]:
        row = conn.execute(text("SELECT count(*), coalesce(avg(search_length), 0) FROM papers")).one()
        return int(row[0]), float(row[1])

    words = ["common", "rare", "other", "words", "absent"]
    papers = [
        PaperRecord(id=f"2502.{n:05d}", title=f"Common words {n}", abstract="rare" if n < 3 else "", authors=[])
        for n in range(60)
    ]
    import_papers(postgres_store, papers[:30])
    import_papers(postgres_store, papers[30:])  # a second write: "common" now has two rows
    with postgres_store.write() as conn:
        conn.execute(text("UPDATE papers SET title = 'Other words' WHERE id >= '2502.00010'"))
        conn.execute(text("UPDATE papers SET imported_upvotes = 3"))  # no text changed: no count changes
        conn.execute(text("DELETE FROM papers WHERE id IN ('2502.00001', '2502.00011')"))
    with postgres_store.read() as conn:
        counts = _count_many(conn, words, 100)
        assert (
            counts
            == {word: gin(conn, word) for word in words}
            == {
                "common": 9,
                "rare": 2,
                "other": 49,
                "words": 58,
                "absent": 0,
            }
        )
        assert _count_many(conn, ["other"], 20) == {"other": 20}  # at most the cap
        assert _corpus(conn) == pytest.approx(lengths(conn))
    with postgres_store.write() as conn:
        assert postgres_store.text_index.merge_step(conn, step=1)  # one word summed, more to go
    while True:
        with postgres_store.write() as conn:
            if not postgres_store.text_index.merge_step(conn, step=2):
                break
    with postgres_store.read() as conn:
        assert _count_many(conn, words, 100) == counts
        assert _corpus(conn) == pytest.approx(lengths(conn))
        rows = "SELECT count(*), count(DISTINCT lexeme) FROM search_terms"
        held = "SELECT count(DISTINCT l) FROM papers, unnest(tsvector_to_array(search_vector)) AS l"
        assert tuple(conn.execute(text(rows)).one()) == (conn.execute(text(held)).scalar_one(),) * 2
    with postgres_store.write() as conn:
        conn.execute(text("TRUNCATE papers CASCADE"))
    with postgres_store.read() as conn:
        assert _count_many(conn, words, 100) == dict.fromkeys(words, 0) and _corpus(conn) == (0, 0.0)


def test_postgresql_counts_a_phrase_up_to_the_cap_and_skips_one_its_statistics_call_common(
    postgres_store: Store,
) -> None:
    from sqlalchemy import text

    from dailypapers.storage.tsvector import _count_many

    papers = [PaperRecord(id=f"2502.{n:05d}", title=f"Common words {n}", abstract="", authors=[]) for n in range(60)]
    import_papers(postgres_store, papers)
    with postgres_store.read() as conn:  # no statistics yet: counted from the index
        assert _count_many(conn, ["common words", "words common"], 100) == {"common words": 60, "words common": 0}
    with postgres_store.write() as conn:
        conn.execute(text("ANALYZE papers"))
        conn.execute(text("UPDATE papers SET title = 'Other words' WHERE id >= '2502.00010'"))
    with postgres_store.read() as conn:
        # Both words in all 60 papers by the statistics, as the planner estimates a phrase: at least 1.5 × 20.
        assert _count_many(conn, ["common words"], 20) == {"common words": 20}
        assert _count_many(conn, ["common words"], 100) == {"common words": 10}  # 60 < 150: counted


def test_postgresql_writers_of_the_same_words_never_wait_on_each_other_and_compaction_keeps_open_writes(
    postgres_store: Store,
) -> None:
    from sqlalchemy import text

    from dailypapers.storage.tsvector import _count_many

    def paper(n: int) -> PaperRecord:
        return PaperRecord(id=f"2503.{n:05d}", title="Shared model words", abstract="", authors=[])

    import_papers(postgres_store, [paper(0)])
    with postgres_store.write() as first:
        import_papers_in(first, postgres_store, [paper(1)])
        with postgres_store.write() as second:  # an upsert of "model" would wait here for `first` to end
            second.execute(text("SET LOCAL lock_timeout = '2s'"))
            import_papers_in(second, postgres_store, [paper(2)])
        with postgres_store.write() as merging:  # sums the committed rows; `first`'s row is not in its snapshot
            while postgres_store.text_index.merge_step(merging, step=1):
                pass
    with postgres_store.read() as conn:
        assert _count_many(conn, ["model", "shared"], 100) == {"model": 3, "shared": 3}


def import_papers_in(conn: Connection, store: Store, records: list[PaperRecord]) -> None:
    """Insert papers inside an open write transaction, as one import batch does (storage.paper_writes)."""
    from datetime import UTC, datetime

    from dailypapers.services.imports import _row

    store.paper_writes.insert_papers(conn, [_row(record, datetime.now(UTC)) for record in records])


def test_migration_0027_counts_the_papers_stored_before_it_and_its_downgrade_removes_the_counts(
    postgres_store: Store,
) -> None:
    from sqlalchemy import inspect, text

    from dailypapers.storage.migrate import current_revision, upgrade
    from dailypapers.storage.tsvector import _corpus, _count_many
    from helpers.migrations import downgrade

    downgrade(postgres_store, "0026")
    with postgres_store.read() as conn:
        assert not {"search_terms", "search_corpus"} & set(inspect(conn).get_table_names())
    import_papers(postgres_store, PAPERS)  # written with no trigger to count them
    upgrade(postgres_store)
    assert current_revision(postgres_store) == "0027"
    with postgres_store.read() as conn:
        assert _count_many(conn, ["sparse", "attention", "lee"], 100) == {"sparse": 2, "attention": 3, "lee": 1}
        row = conn.execute(text("SELECT count(*), avg(search_length) FROM papers")).one()
        assert _corpus(conn) == pytest.approx((row[0], float(row[1])))
