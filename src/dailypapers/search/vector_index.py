"""The nearest-neighbour index of paper embeddings as one interface, `VectorIndex`, with an implementation per engine.

`UsearchIndex` (SQLite: an HNSW file beside the database, see search.vectors) and `PgvectorIndex` (PostgreSQL: the
pgvector column and its HNSW index) answer the same questions; search.backend chooses one when a store is first
searched. Engine-specific planning (how a filtered search falls back) lives in each implementation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
from sqlalchemy import Connection

from dailypapers.config import Config
from dailypapers.search.embed import DIMENSIONS
from dailypapers.search.vectors import SyncResult, nearest_docs, open_vector_file, sync_vector_file
from dailypapers.storage import Store
from dailypapers.storage.embeddings import (
    doc_ids_of_papers,
    has_embeddings,
    nearest_pgvector,
    nearest_pgvector_passing,
    paper_ids_of_docs,
    similarities_pgvector,
    vectors_of,
)
from dailypapers.storage.fulltext import SearchFilters, TextIndex

EXACT_CAP = 5_000  # a filter passed by at most this many papers is searched exactly when the ANN neighbours miss it
WIDER = 20  # otherwise this many times more neighbours are fetched and filtered
ENOUGH_FILTERED = 20  # neighbours passing a filter that make an exact search inside it unnecessary


class VectorIndex(Protocol):
    model: str

    def available(self, conn: Connection) -> bool:
        """Whether any paper is embedded and searchable (false until `dailypapers index` has run)."""
        ...

    def nearest(self, conn: Connection, vector: np.ndarray, filters: SearchFilters, k: int) -> dict[str, float]:
        """{paper id: cosine similarity} of the `k` nearest papers passing the filters."""
        ...

    def scores(self, conn: Connection, vector: np.ndarray, ids: Sequence[str]) -> dict[str, float]:
        """Cosine similarity of `vector` to these papers (those embedded)."""
        ...

    def neighbours(self, conn: Connection, paper_ids: Sequence[str], k: int) -> dict[str, list[tuple[str, float]]]:
        """{paper id: its `k` nearest other papers, best first} for these embedded papers (stored similar lists)."""
        ...

    def check_dimensions(self, dimensions: int) -> None:
        """Raise ValueError when this index cannot hold vectors of this width."""
        ...

    def refresh(self, store: Store, dimensions: int) -> SyncResult | None:
        """Bring the index up to date with the stored embeddings (after `dailypapers index` embedded a batch)."""
        ...


def cosine_scores(found: dict[str, np.ndarray], vector: np.ndarray) -> dict[str, float]:
    if not found:
        return {}
    keys = list(found)
    matrix = np.stack([found[key] for key in keys]).astype(np.float32)
    norms = np.maximum(np.linalg.norm(matrix, axis=1), 1e-12)
    return dict(zip(keys, (matrix @ vector / norms).tolist(), strict=True))


class UsearchIndex:
    """SQLite: the usearch file `$DAILYPAPERS_HOME/vectors-<model>.usearch`, keyed by `search_docs.doc_id`."""

    def __init__(self, config: Config, model: str, text_index: TextIndex):
        self.config, self.model, self.text = config, model, text_index

    def _file(self) -> Any | None:
        return open_vector_file(self.config, self.model)

    def available(self, conn: Connection) -> bool:
        index = self._file()
        return index is not None and len(index) > 0

    def nearest(self, conn: Connection, vector: np.ndarray, filters: SearchFilters, k: int) -> dict[str, float]:
        index = self._file()
        scores = self._passing(conn, index, vector, filters, k * 4 if filters.active else k)
        if filters.active and len(scores) < min(k, ENOUGH_FILTERED):
            # Few of the global neighbours pass the filter. A narrow filter is searched exactly; a broad one (where an
            # exact pass would read tens of thousands of vectors) by a wider nearest-neighbour search.
            if self.text.count_filtered(conn, filters, EXACT_CAP + 1) <= EXACT_CAP:
                scores.update(self.scores(conn, vector, self.text.filtered_ids(conn, filters, EXACT_CAP)))
            else:
                scores.update(self._passing(conn, index, vector, filters, k * WIDER))
        return dict(sorted(scores.items(), key=lambda item: -item[1])[:k])

    def _passing(
        self, conn: Connection, index: Any, vector: np.ndarray, filters: SearchFilters, k: int
    ) -> dict[str, float]:
        """{paper id: similarity} of the `k` nearest vectors, keeping those that pass the filters."""
        found = nearest_docs(index, vector, k)
        names = paper_ids_of_docs(conn, [doc for doc, _ in found])
        scores = {names[doc]: sim for doc, sim in found if doc in names}
        if filters.active:
            keep = self.text.ids_matching_filters(conn, list(scores), filters)
            scores = {key: sim for key, sim in scores.items() if key in keep}
        return scores

    def scores(self, conn: Connection, vector: np.ndarray, ids: Sequence[str]) -> dict[str, float]:
        """From the file's float16 copies, the numbers its nearest-neighbour search compares (no row reads)."""
        index = self._file()
        scores: dict[str, float] = {}
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            found = _indexed_vectors(conn, index, chunk) if index is not None else vectors_of(conn, chunk, self.model)
            scores.update(cosine_scores(found, vector))
        return scores

    def neighbours(self, conn: Connection, paper_ids: Sequence[str], k: int) -> dict[str, list[tuple[str, float]]]:
        """One batched search of the file for all these papers' own vectors (usearch runs it on every core)."""
        index = self._file()
        if index is None or len(index) == 0:
            return {}
        own = _indexed_vectors(conn, index, paper_ids)
        if not own:
            return {}
        keys = list(own)
        matches = index.search(np.stack([own[key] for key in keys]).astype(np.float32), min(k + 1, len(index)))
        docs = np.asarray(matches.keys).reshape(len(keys), -1)
        dists = np.asarray(matches.distances).reshape(len(keys), -1)
        counts = np.asarray(getattr(matches, "counts", docs.shape[1])).reshape(-1)  # one vector: a plain Matches
        counts = np.broadcast_to(counts, (len(keys),))
        wanted = {int(doc) for row, n in zip(docs, counts, strict=True) for doc in row[:n]}
        names = paper_ids_of_docs(conn, sorted(wanted))
        found: dict[str, list[tuple[str, float]]] = {}
        for key, row, dist, n in zip(keys, docs, dists, counts, strict=True):
            pairs = zip(row[:n], dist[:n], strict=True)
            ranked = [(names[int(doc)], 1.0 - float(d)) for doc, d in pairs if int(doc) in names]
            found[key] = [(other, sim) for other, sim in ranked if other != key][:k]
        return found

    def check_dimensions(self, dimensions: int) -> None:
        return None  # a usearch file takes the model's width

    def refresh(self, store: Store, dimensions: int) -> SyncResult | None:
        return sync_vector_file(store, self.config, self.model, dimensions)


def _indexed_vectors(conn: Connection, index: Any, paper_ids: Sequence[str]) -> dict[str, np.ndarray]:
    docs = doc_ids_of_papers(conn, paper_ids)
    if not docs:
        return {}
    vectors = index.get(np.fromiter(docs.values(), dtype=np.uint64, count=len(docs)))
    return {key: vec for key, vec in zip(docs, vectors, strict=True) if vec is not None}


class PgvectorIndex:
    """PostgreSQL: `paper_embeddings.vector` with its HNSW index; filters are applied in the same query."""

    def __init__(self, model: str, text_index: TextIndex):
        self.model, self.text = model, text_index

    def available(self, conn: Connection) -> bool:
        return has_embeddings(conn, self.model)

    def nearest(self, conn: Connection, vector: np.ndarray, filters: SearchFilters, k: int) -> dict[str, float]:
        """As UsearchIndex plans it: with filters, the index's 4k nearest that pass; when too few pass, an exact scan
        of a narrow filter or the index's nearest 1,000 (an exact scan of a broad one read 800 ms at 80k papers)."""
        if not filters.active:
            return dict(nearest_pgvector(conn, vector, self.model, filters, k))
        scores = dict(nearest_pgvector_passing(conn, vector, self.model, filters, k * 4))
        if len(scores) < min(k, ENOUGH_FILTERED):
            if self.text.count_filtered(conn, filters, EXACT_CAP + 1) <= EXACT_CAP:
                scores.update(nearest_pgvector(conn, vector, self.model, filters, k))
            else:
                scores.update(nearest_pgvector_passing(conn, vector, self.model, filters, k * WIDER))
        return dict(sorted(scores.items(), key=lambda item: -item[1])[:k])

    def scores(self, conn: Connection, vector: np.ndarray, ids: Sequence[str]) -> dict[str, float]:
        """Computed by the server, as `nearest` computes its similarities (no vectors sent to the client)."""
        scores: dict[str, float] = {}
        for start in range(0, len(ids), 5000):
            scores.update(similarities_pgvector(conn, vector, self.model, ids[start : start + 5000]))
        return scores

    def neighbours(self, conn: Connection, paper_ids: Sequence[str], k: int) -> dict[str, list[tuple[str, float]]]:
        """One HNSW query per paper (the database has no batched nearest-neighbour search)."""
        found: dict[str, list[tuple[str, float]]] = {}
        for key, vector in vectors_of(conn, paper_ids, self.model).items():
            ranked = nearest_pgvector(conn, np.asarray(vector, dtype=np.float32), self.model, SearchFilters(), k + 1)
            found[key] = [(other, sim) for other, sim in ranked if other != key][:k]
        return found

    def check_dimensions(self, dimensions: int) -> None:
        if dimensions != DIMENSIONS:  # the width of the pgvector column (migration 0002)
            raise ValueError(f"PostgreSQL stores {DIMENSIONS}-dimensional vectors; {self.model} makes {dimensions}")

    def refresh(self, store: Store, dimensions: int) -> SyncResult | None:
        return None  # the HNSW index is kept by the database
