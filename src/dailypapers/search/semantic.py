"""The semantic side of search: embed the query, then ask the store's vector index for the nearest papers.

Everything here degrades to "no semantic results" (vector None) when the store has no embeddings, so search and
similar-papers keep working on a fresh install before `dailypapers index` has run, without loading the model.
"""

from __future__ import annotations

import logging
import threading

import numpy as np
from sqlalchemy import Connection

from dailypapers.config import Config
from dailypapers.search.backend import search_backend
from dailypapers.search.embed import get_embedder
from dailypapers.search.vector_index import VectorIndex
from dailypapers.storage import Store
from dailypapers.storage.embeddings import vectors_of
from dailypapers.storage.fulltext import SearchFilters
from dailypapers.storage.papers import StoredPaper

log = logging.getLogger("dailypapers.search")


def query_vector(config: Config, text: str) -> np.ndarray:
    """The query's embedding: CPU work only, no connection, so it can run beside the full-text query."""
    return get_embedder(config).encode([text])[0]


def warm_query_model(store: Store, config: Config) -> threading.Thread | None:
    """Load the query model in a background thread when the store has embeddings (else None: no search would use
    it), so a server's first hybrid search does not wait for the whole load (the ONNX export on a fresh data dir).

    A search that comes before the load is done waits only for the rest of it (search.embed shares one load)."""
    with store.read() as conn:
        if not search_backend(store, config).vectors.available(conn):
            return None

    def load() -> None:
        try:
            query_vector(config, "warm up")
        except Exception as exc:  # the first search reports it again, to the user who asked
            log.warning("the query model did not load: %s", str(exc).splitlines()[0] if str(exc) else exc)

    thread = threading.Thread(target=load, name="warm-query-model", daemon=True)
    thread.start()
    return thread


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
