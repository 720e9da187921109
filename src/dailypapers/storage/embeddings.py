"""Embedding rows (one per paper and model) and, on PostgreSQL, nearest-neighbour queries through pgvector HNSW."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import Connection, delete, func, insert, select, text, update

from dailypapers.storage.fulltext import SearchFilters, run
from dailypapers.storage.schema import paper_embeddings, paper_glance, papers, search_docs
from dailypapers.storage.tsvector import TsvectorIndex

e = paper_embeddings


def _stale_condition(model: str) -> Any:
    return (e.c.paper_id.is_(None)) | (e.c.content_hash != papers.c.content_hash) | (e.c.model != model)


def count_papers_to_embed(conn: Connection, model: str) -> int:
    """Papers never embedded, changed since, or embedded with another model."""
    query = (
        select(func.count())
        .select_from(papers.outerjoin(e, e.c.paper_id == papers.c.id))
        .where(_stale_condition(model))
    )
    return int(conn.execute(query).scalar_one())


def papers_to_embed(
    conn: Connection, model: str, after_id: str, limit: int, until_id: str | None = None
) -> list[dict[str, Any]]:
    """The next `limit` stale papers after `after_id` (keyset paging: a resumed run starts where it stopped), up to
    `until_id` included if given (an index batch's range, compared in the database's own order)."""
    query = (
        select(
            papers.c.id,
            papers.c.title,
            papers.c.abstract,
            papers.c.content_hash,
            e.c.text_hash,
            e.c.model,
        )
        .select_from(papers.outerjoin(e, e.c.paper_id == papers.c.id))
        .where(_stale_condition(model), papers.c.id > after_id)
        .order_by(papers.c.id)
        .limit(limit)
    )
    if until_id is not None:
        query = query.where(papers.c.id <= until_id)
    return [dict(row._mapping) for row in conn.execute(query)]


def ids_to_embed(conn: Connection, model: str, after_id: str, limit: int) -> list[str]:
    """Ids only of papers_to_embed: what planning index batches reads (storage.index_batches)."""
    query = (
        select(papers.c.id)
        .select_from(papers.outerjoin(e, e.c.paper_id == papers.c.id))
        .where(_stale_condition(model), papers.c.id > after_id)
        .order_by(papers.c.id)
        .limit(limit)
    )
    return list(conn.execute(query).scalars())


def embedding_states(conn: Connection, paper_ids: Sequence[str], model: str) -> list[dict[str, Any]]:
    """These papers' text and content hash, with the text hash of their `model` embedding and of their glance
    (None where there is none): what adopting precomputed vectors compares (services.precomputed)."""
    query = (
        select(
            papers.c.id,
            papers.c.title,
            papers.c.abstract,
            papers.c.content_hash,
            e.c.text_hash,
            paper_glance.c.text_hash.label("glance_hash"),
        )
        .select_from(
            papers.outerjoin(e, (e.c.paper_id == papers.c.id) & (e.c.model == model)).outerjoin(
                paper_glance, paper_glance.c.paper_id == papers.c.id
            )
        )
        .where(papers.c.id.in_(list(paper_ids)))
        .order_by(papers.c.id)
    )
    return [dict(row._mapping) for row in conn.execute(query)]


def embedded_papers(conn: Connection, model: str, after_id: str, limit: int) -> list[dict[str, Any]]:
    """The next `limit` papers embedded with `model` after `after_id`: id, text hash, vector and, when made from the
    same text, keywords (else None); what a vector bundle is written from (demo.build)."""
    same_text = (paper_glance.c.paper_id == e.c.paper_id) & (paper_glance.c.text_hash == e.c.text_hash)
    query = (
        select(e.c.paper_id, e.c.text_hash, e.c.vector, paper_glance.c.keywords)
        .select_from(e.outerjoin(paper_glance, same_text))
        .where(e.c.model == model, e.c.paper_id > after_id)
        .order_by(e.c.paper_id)
        .limit(limit)
    )
    return [dict(row._mapping) for row in conn.execute(query)]


def next_seq(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(e.c.seq), 0))).scalar_one()) + 1


def save_embeddings(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert or replace rows of paper_id, model, text_hash, content_hash, seq, vector."""
    if not rows:
        return
    conn.execute(delete(e).where(e.c.paper_id.in_([r["paper_id"] for r in rows])))
    conn.execute(insert(e), rows)


def mark_checked(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """The paper changed but not its embedded text: remember its new content hash, keep the vector."""
    for row in rows:
        conn.execute(update(e).where(e.c.paper_id == row["paper_id"]).values(content_hash=row["content_hash"]))


def count_embeddings(conn: Connection, model: str) -> int:
    return int(conn.execute(select(func.count()).select_from(e).where(e.c.model == model)).scalar_one())


def has_embeddings(conn: Connection, model: str) -> bool:
    """Whether any paper has a vector for `model`: one index probe, where counting reads them all."""
    return conn.execute(select(e.c.paper_id).where(e.c.model == model).limit(1)).first() is not None


def max_seq(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(e.c.seq), 0))).scalar_one())


def doc_vectors_since(conn: Connection, model: str, seq: int, after_doc: int, limit: int) -> list[tuple[int, Any]]:
    """SQLite: (doc id, vector) of embeddings written after batch `seq`, in doc order, for the usearch file."""
    query = (
        select(search_docs.c.doc_id, e.c.vector)
        .select_from(e.join(search_docs, search_docs.c.paper_id == e.c.paper_id))
        .where(e.c.model == model, e.c.seq > seq, search_docs.c.doc_id > after_doc)
        .order_by(search_docs.c.doc_id)
        .limit(limit)
    )
    return [(int(row[0]), row[1]) for row in conn.execute(query)]


def embedded_doc_ids(conn: Connection, model: str) -> np.ndarray:
    """SQLite: doc ids that have a vector for `model` (to drop deleted papers from the usearch file)."""
    query = select(search_docs.c.doc_id).select_from(e.join(search_docs, search_docs.c.paper_id == e.c.paper_id))
    return np.fromiter((row[0] for row in conn.execute(query.where(e.c.model == model))), dtype=np.uint64)


def paper_ids_of_docs(conn: Connection, doc_ids: Sequence[int]) -> dict[int, str]:
    if not doc_ids:
        return {}
    query = select(search_docs.c.doc_id, search_docs.c.paper_id).where(search_docs.c.doc_id.in_(list(doc_ids)))
    return {int(row[0]): row[1] for row in conn.execute(query)}


def doc_ids_of_papers(conn: Connection, paper_ids: Sequence[str]) -> dict[str, int]:
    """SQLite: {paper id: doc id}, the keys of these papers in the usearch file."""
    if not paper_ids:
        return {}
    query = select(search_docs.c.paper_id, search_docs.c.doc_id).where(search_docs.c.paper_id.in_(list(paper_ids)))
    return {row[0]: int(row[1]) for row in conn.execute(query)}


def vectors_of(conn: Connection, paper_ids: Sequence[str], model: str) -> dict[str, np.ndarray]:
    if not paper_ids:
        return {}
    query = select(e.c.paper_id, e.c.vector).where(e.c.paper_id.in_(list(paper_ids)), e.c.model == model)
    return {row[0]: row[1] for row in conn.execute(query)}


MAX_EF_SEARCH = 1000  # pgvector's limit; an HNSW scan returns at most ef_search rows


def _literal(vector: np.ndarray) -> str:
    return "[" + ",".join(f"{x:.7g}" for x in vector.tolist()) + "]"


def nearest_pgvector(
    conn: Connection, vector: np.ndarray, model: str, filters: SearchFilters, k: int
) -> list[tuple[str, float]]:
    """PostgreSQL: the `k` nearest papers by cosine (HNSW), as (paper id, similarity), passing the filters."""
    conn.execute(text(f"SET LOCAL hnsw.ef_search = {max(40, min(k * 2, MAX_EF_SEARCH))}"))
    params: dict[str, Any] = {"k": k, "q": _literal(vector), "model": model}
    where = TsvectorIndex().filter_sql(filters, params)
    # With filters, HNSW would return k neighbours of which few pass (pgvector 0.6 has no iterative scan), so
    # order by an expression the index cannot serve: an exact scan of the filtered set (for narrow filters; a broad
    # one goes through nearest_pgvector_passing, search.vector_index).
    order = "(e.vector <=> CAST(:q AS vector)) + 0" if filters.active else "e.vector <=> CAST(:q AS vector)"
    sql = (
        "SELECT e.paper_id, 1 - (e.vector <=> CAST(:q AS vector)) AS sim FROM paper_embeddings e "
        f"JOIN papers p ON p.id = e.paper_id WHERE e.model = :model{where} ORDER BY {order} LIMIT :k"
    )
    return [(row[0], float(row[1])) for row in run(conn, sql, params)]


def similarities_pgvector(
    conn: Connection, vector: np.ndarray, model: str, paper_ids: Sequence[str]
) -> dict[str, float]:
    """PostgreSQL: cosine similarity of `vector` to these papers' vectors (those embedded), computed by the server.

    Reading the vectors instead cost the client ~14 ms a search at 100 papers: pgvector sends them as text."""
    if not paper_ids:
        return {}
    params: dict[str, Any] = {"q": _literal(vector), "model": model, "ids": list(paper_ids)}
    sql = (
        "SELECT e.paper_id, 1 - (e.vector <=> CAST(:q AS vector)) FROM paper_embeddings e "
        "WHERE e.model = :model AND e.paper_id = ANY(:ids)"
    )
    return {row[0]: float(row[1]) for row in run(conn, sql, params)}


def nearest_pgvector_passing(
    conn: Connection, vector: np.ndarray, model: str, filters: SearchFilters, n: int
) -> list[tuple[str, float]]:
    """PostgreSQL: of the HNSW's `n` nearest papers (at most MAX_EF_SEARCH), those passing the filters.

    What pgvector ≥ 0.8's iterative scan does, in one step: a broad filter (a category of 20% of the papers) is
    served from the index, where an exact scan would compute the distance to every paper it passes."""
    n = min(n, MAX_EF_SEARCH)
    conn.execute(text(f"SET LOCAL hnsw.ef_search = {max(40, n)}"))
    params: dict[str, Any] = {"n": n, "q": _literal(vector), "model": model}
    where = TsvectorIndex().filter_sql(filters, params)
    sql = (
        "SELECT p.id, near.sim FROM (SELECT e.paper_id, 1 - (e.vector <=> CAST(:q AS vector)) AS sim "
        "FROM paper_embeddings e WHERE e.model = :model ORDER BY e.vector <=> CAST(:q AS vector) LIMIT :n) near "
        f"JOIN papers p ON p.id = near.paper_id WHERE TRUE{where} ORDER BY near.sim DESC"
    )
    return [(row[0], float(row[1])) for row in run(conn, sql, params)]
