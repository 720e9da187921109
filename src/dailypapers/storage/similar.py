"""Stored similar-paper lists (migration 0018): each embedded paper's nearest papers, written by `dailypapers index`
(services/similar.py) and read by the paper page (search.service.similar_papers)."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, insert, or_, select, update

from dailypapers.storage.schema import paper_embeddings, similar_papers

s = similar_papers
e = paper_embeddings
Neighbours = list[tuple[str, float]]  # (paper id, cosine similarity), best first


@functools.cache
def _stored_statement() -> Any:
    """Built once: a paper page runs it on every view."""
    return (
        select(s.c.neighbour_id, s.c.score)
        .where(s.c.model == bindparam("model"), s.c.paper_id == bindparam("paper_id"))
        .order_by(s.c.score.desc(), s.c.neighbour_id)
        .limit(bindparam("limit"))
    )


def stored_similar(conn: Connection, model: str, paper_id: str, limit: int) -> Neighbours:
    """The paper's stored list, best first (empty when none was computed)."""
    rows = conn.execute(_stored_statement(), {"model": model, "paper_id": paper_id, "limit": limit})
    return [(row[0], float(row[1])) for row in rows]


def stored_lists(conn: Connection, model: str, paper_ids: Sequence[str]) -> dict[str, Neighbours]:
    """{paper id: its stored list, best first} for these papers (those that have one)."""
    lists: dict[str, Neighbours] = {}
    for start in range(0, len(paper_ids), 500):
        query = (
            select(s.c.paper_id, s.c.neighbour_id, s.c.score)
            .where(s.c.model == model, s.c.paper_id.in_(list(paper_ids[start : start + 500])))
            .order_by(s.c.paper_id, s.c.score.desc(), s.c.neighbour_id)
        )
        for row in conn.execute(query):
            lists.setdefault(row[0], []).append((row[1], float(row[2])))
    return lists


def papers_needing_similar(conn: Connection, model: str) -> list[tuple[str, int]]:
    """(paper id, embedding seq) of embedded papers whose list is missing or older than their embedding."""
    query = (
        select(e.c.paper_id, e.c.seq)
        .where(e.c.model == model, or_(e.c.similar_seq.is_(None), e.c.similar_seq != e.c.seq))
        .order_by(e.c.paper_id)
    )
    return [(row[0], int(row[1])) for row in conn.execute(query)]


def replace_similar(conn: Connection, model: str, lists: dict[str, Neighbours]) -> None:
    """Replace these papers' stored lists with the given ones (an empty list stores nothing)."""
    ids = list(lists)
    for start in range(0, len(ids), 500):
        conn.execute(delete(s).where(s.c.model == model, s.c.paper_id.in_(ids[start : start + 500])))
    rows = [
        {"model": model, "paper_id": paper_id, "neighbour_id": other, "score": score}
        for paper_id, found in lists.items()
        for other, score in found
    ]
    if rows:
        conn.execute(insert(s), rows)


def mark_similar_current(conn: Connection, done: Iterable[tuple[str, int]]) -> None:
    """Record that these (paper id, seq) have lists computed from that embedding (unless re-embedded since)."""
    rows = [{"b_paper": paper_id, "b_seq": seq} for paper_id, seq in done]
    if rows:
        query = (
            update(e)
            .where(and_(e.c.paper_id == bindparam("b_paper"), e.c.seq == bindparam("b_seq")))
            .values(similar_seq=bindparam("b_seq"))
        )
        conn.execute(query, rows)
