"""The semantic side of search: embed the query, then ask the store's vector index for the nearest papers.

Everything here degrades to "no semantic results" (vector None) when the store has no embeddings, so search and
similar-papers keep working on a fresh install before `dailypapers index` has run, without loading the model.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import Connection

from dailypapers.config import Config
from dailypapers.search.embed import get_embedder
from dailypapers.search.vector_index import VectorIndex
from dailypapers.storage.embeddings import vectors_of
from dailypapers.storage.fulltext import SearchFilters
from dailypapers.storage.papers import StoredPaper


def query_vector(config: Config, text: str) -> np.ndarray:
    """The query's embedding: CPU work only, no connection, so it can run beside the full-text query."""
    return get_embedder(config).encode([text])[0]


def similar_by_vector(
    vectors: VectorIndex, conn: Connection, paper: StoredPaper, k: int
) -> list[tuple[str, float]] | None:
    """Nearest papers to this paper's stored vector; None when it (or the store) has no embedding yet."""
    if not vectors.available(conn):
        return None
    own = vectors_of(conn, [paper.id], vectors.model).get(paper.id)
    if own is None:
        return None
    ranked = vectors.nearest(conn, own, SearchFilters(), k)
    return sorted(ranked.items(), key=lambda item: -item[1])
