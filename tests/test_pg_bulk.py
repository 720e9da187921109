"""PostgreSQL bulk vector loading: COPY with the HNSW index dropped, then the index built once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text

from dailypapers.domain import PaperRecord
from dailypapers.services.imports import import_papers
from dailypapers.storage import Store, open_store
from dailypapers.storage.embeddings import nearest_pgvector, vectors_of
from dailypapers.storage.fulltext import SearchFilters
from dailypapers.storage.pg_bulk import INDEX, build_vector_index, copy_embeddings, drop_vector_index, vacuum_analyze
from dailypapers.testing.stores import PostgresFactory

MODEL = "test-model"


@pytest.fixture
def pg_store(postgres_factory: PostgresFactory, tmp_path: Path) -> Iterator[Store]:
    config = postgres_factory.config(tmp_path / "home")
    store = open_store(config)
    yield store
    store.dispose()
    postgres_factory.drop(config)


def _has_index(store: Store) -> bool:
    with store.read() as conn:
        return conn.execute(text("SELECT 1 FROM pg_indexes WHERE indexname = :i"), {"i": INDEX}).first() is not None


def test_copied_vectors_are_stored_exactly_and_the_rebuilt_index_finds_them(pg_store: Store) -> None:
    ids = [f"2501.{n:05d}" for n in range(1, 41)]
    import_papers(pg_store, [PaperRecord(id=i, title=f"Paper {i}", abstract="Words.", authors=[]) for i in ids])
    rng = np.random.default_rng(1)
    vectors = rng.standard_normal((len(ids), 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    with pg_store.write() as conn:
        drop_vector_index(conn)
    assert not _has_index(pg_store)
    with pg_store.write() as conn:
        rows = ((i, MODEL, "t", "c", 1, v) for i, v in zip(ids, vectors, strict=True))
        assert copy_embeddings(conn, rows) == len(ids)
    with pg_store.write() as conn:
        build_vector_index(conn, "64MB", 1)
    assert _has_index(pg_store)
    with pg_store.read() as conn:
        stored = vectors_of(conn, ids, MODEL)
        nearest = nearest_pgvector(conn, vectors[7], MODEL, SearchFilters(), 3)
    assert all(np.array_equal(stored[i], v) for i, v in zip(ids, vectors, strict=True))
    assert nearest[0][0] == ids[7] and nearest[0][1] == pytest.approx(1.0, abs=1e-5)


def test_vacuum_analyze_after_a_bulk_load_gives_the_planner_the_words_frequencies(pg_store: Store) -> None:
    import_papers(
        pg_store, [PaperRecord(id=f"2501.{n:05d}", title="Same words", abstract="", authors=[]) for n in range(30)]
    )
    vacuum_analyze(pg_store)
    with pg_store.read() as conn:
        words = conn.execute(
            text(
                "SELECT most_common_elems::text FROM pg_stats WHERE tablename = 'papers' AND attname = 'search_vector'"
            )
        ).scalar_one()
        visible = conn.execute(text("SELECT relallvisible FROM pg_class WHERE relname = 'papers'")).scalar_one()
    assert "same" in words and visible > 0
