"""The semantic side of search: embed the query, then ask the store's vector index for the nearest papers.

Everything here degrades to "no semantic results" (vector None) when the store has no embeddings, so search and
similar-papers keep working on a fresh install before `dailypapers index` has run, without loading the model.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from collections import OrderedDict

import numpy as np
from sqlalchemy import Connection

from dailypapers.config import Config
from dailypapers.search.backend import search_backend
from dailypapers.search.query_model import query_embedder, runtime_of
from dailypapers.search.vector_index import VectorIndex
from dailypapers.storage import Store
from dailypapers.storage.embeddings import vectors_of
from dailypapers.storage.fulltext import SearchFilters
from dailypapers.storage.papers import StoredPaper

log = logging.getLogger("dailypapers.search")
QUERY_CACHE = 2048  # query vectors kept per process (1.5 kB each at 384 dimensions)
_cache_lock = threading.Lock()
_query_cache: OrderedDict[tuple[str, str, str], np.ndarray] = OrderedDict()


def normalized_query(text: str) -> str:
    """The text a query vector is cached under: Unicode NFC, runs of whitespace as one space (the tokenizer
    sees no difference), case kept (a cased model would)."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def query_vector(config: Config, text: str) -> np.ndarray:
    """The query's embedding: CPU work only, no connection, so it can run beside the full-text query.

    Kept in a per-process LRU by model and normalized text, so a repeated query (a popular search, the next page
    of results, an RSS reader polling) costs no model run; the vectors are read-only."""
    query = normalized_query(text)
    embedder = query_embedder(config)
    key = (config.text("DAILYPAPERS_EMBEDDING_MODEL"), runtime_of(embedder), query)
    with _cache_lock:
        found = _query_cache.get(key)
        if found is not None:
            _query_cache.move_to_end(key)
            return found
    vector = embedder.encode([query])[0]
    vector.setflags(write=False)
    with _cache_lock:
        _query_cache[key] = vector
        while len(_query_cache) > QUERY_CACHE:
            _query_cache.popitem(last=False)
    return vector


def warm_query_model(store: Store, config: Config) -> threading.Thread | None:
    """Load the query model in a background thread when the store has embeddings (else None: no search would use
    it), so a server's first hybrid search does not wait for the whole load. On a fresh data dir that is the numpy
    encoder, the ONNX export following in the background (search.query_model).

    A search that comes before the load is done waits only for the rest of it (one load per process)."""
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
