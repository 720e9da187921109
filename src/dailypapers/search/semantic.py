"""The semantic side of search: embed the query, then nearest papers from usearch (SQLite) or pgvector (PostgreSQL).

Everything here degrades to "no semantic results" (vector None) when the store has no embeddings, so search and
similar-papers keep working on a fresh install before `dailypapers index` has run, without loading the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import Connection

from dailypapers.config import Config
from dailypapers.search.embed import get_embedder, model_name
from dailypapers.search.vectors import nearest_docs, open_vector_file
from dailypapers.storage.embeddings import (
    count_embeddings,
    doc_ids_of_papers,
    nearest_pgvector,
    paper_ids_of_docs,
    vectors_of,
)
from dailypapers.storage.fulltext import SearchFilters, count_filtered, filtered_ids, ids_matching_filters
from dailypapers.storage.papers import StoredPaper

EXACT_CAP = 5_000  # a filter passed by at most this many papers is searched exactly when the ANN neighbours miss it
WIDER = 20  # otherwise this many times more neighbours are fetched and filtered
ENOUGH_FILTERED = 20  # neighbours passing a filter that make an exact search inside it unnecessary


def _available(is_sqlite: bool, conn: Connection, config: Config) -> bool:
    if is_sqlite:
        index = open_vector_file(config, model_name(config))
        return index is not None and len(index) > 0
    return count_embeddings(conn, model_name(config)) > 0


def semantic_available(is_sqlite: bool, conn: Connection, config: Config) -> bool:
    """Whether the store has embeddings to search (False until `dailypapers index` has run)."""
    return _available(is_sqlite, conn, config)


def query_vector(config: Config, text: str) -> np.ndarray:
    """The query's embedding: CPU work only, no connection, so it can run beside the full-text query."""
    return get_embedder(config).encode([text])[0]


def nearest(
    is_sqlite: bool, conn: Connection, config: Config, vector: np.ndarray, filters: SearchFilters, k: int
) -> dict[str, float]:
    model = model_name(config)
    if not is_sqlite:
        return dict(nearest_pgvector(conn, vector, model, filters, k))
    index = open_vector_file(config, model)
    scores = _passing(conn, index, vector, filters, k * 4 if filters.active else k)
    if filters.active and len(scores) < min(k, ENOUGH_FILTERED):
        # Few of the global neighbours pass the filter. A narrow filter is searched exactly; a broad one (where an
        # exact pass would read tens of thousands of vectors) by a wider nearest-neighbour search.
        if count_filtered(conn, filters, EXACT_CAP + 1) <= EXACT_CAP:
            scores.update(semantic_scores(True, conn, config, vector, filtered_ids(conn, filters, EXACT_CAP)))
        else:
            scores.update(_passing(conn, index, vector, filters, k * WIDER))
    best = sorted(scores.items(), key=lambda item: -item[1])[:k]
    return dict(best)


def _passing(conn: Connection, index: object, vector: np.ndarray, filters: SearchFilters, k: int) -> dict[str, float]:
    """{paper id: similarity} of the `k` nearest vectors, keeping those that pass the filters."""
    found = nearest_docs(index, vector, k)
    names = paper_ids_of_docs(conn, [doc for doc, _ in found])
    scores = {names[doc]: sim for doc, sim in found if doc in names}
    if filters.active:
        keep = ids_matching_filters(conn, list(scores), filters)
        scores = {key: sim for key, sim in scores.items() if key in keep}
    return scores


def semantic_scores(
    is_sqlite: bool, conn: Connection, config: Config, vector: np.ndarray, ids: Sequence[str]
) -> dict[str, float]:
    """Cosine similarity of the query to these papers (those embedded).

    On SQLite from the usearch file's float16 copies, the numbers its nearest-neighbour search compares (no row reads);
    on PostgreSQL from the table."""
    model = model_name(config)
    index = open_vector_file(config, model) if is_sqlite else None
    scores: dict[str, float] = {}
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        found = _indexed_vectors(conn, index, chunk) if index is not None else vectors_of(conn, chunk, model)
        if found:
            keys = list(found)
            matrix = np.stack([found[key] for key in keys]).astype(np.float32)
            norms = np.maximum(np.linalg.norm(matrix, axis=1), 1e-12)
            scores.update(zip(keys, (matrix @ vector / norms).tolist(), strict=True))
    return scores


def _indexed_vectors(conn: Connection, index: Any, paper_ids: Sequence[str]) -> dict[str, np.ndarray]:
    docs = doc_ids_of_papers(conn, paper_ids)
    if not docs:
        return {}
    vectors = index.get(np.fromiter(docs.values(), dtype=np.uint64, count=len(docs)))
    return {key: vec for key, vec in zip(docs, vectors, strict=True) if vec is not None}


def similar_by_vector(
    is_sqlite: bool, conn: Connection, config: Config, paper: StoredPaper, k: int
) -> list[tuple[str, float]] | None:
    """Nearest papers to this paper's stored vector; None when it (or the store) has no embedding yet."""
    if not _available(is_sqlite, conn, config):
        return None
    own = vectors_of(conn, [paper.id], model_name(config)).get(paper.id)
    if own is None:
        return None
    ranked = nearest(is_sqlite, conn, config, own, SearchFilters(), k)
    return sorted(ranked.items(), key=lambda item: -item[1])
