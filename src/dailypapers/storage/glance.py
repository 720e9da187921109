"""A paper at a glance: keywords, the extractive TL;DR and the LLM's summary, one row per paper (`paper_glance`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, or_, select, update

from dailypapers.storage.schema import paper_embeddings, paper_glance, papers

g = paper_glance
e = paper_embeddings


@dataclass
class PaperGlance:
    keywords: list[str] = field(default_factory=list)
    tldr: str | None = None  # extractive
    ai_summary: str | None = None  # abstractive, only when made from the current text

    @property
    def summary(self) -> str | None:
        """The one sentence shown: the LLM's when there is one for this text, else the extractive one."""
        return self.ai_summary or self.tldr


GLANCE_COLUMNS = ("keywords", "tldr", "ai_summary", "ai_summary_hash", "text_hash")


def glance_columns() -> list[Any]:
    """The columns a paper query adds (with an outer join on paper_glance) to come back with its glance."""
    return [g.c[name].label(f"g_{name}") for name in GLANCE_COLUMNS]


def glance_of_row(mapping: Any) -> PaperGlance | None:
    """The glance in a row selected with glance_columns(), or None for a paper not indexed yet."""
    if mapping["g_text_hash"] is None:
        return None
    current = mapping["g_ai_summary_hash"] == mapping["g_text_hash"]
    return PaperGlance(
        list(mapping["g_keywords"] or []), mapping["g_tldr"], mapping["g_ai_summary"] if current else None
    )


def _stale() -> Any:
    return or_(g.c.paper_id.is_(None), g.c.content_hash != papers.c.content_hash)


def _to_glance_from(model: str) -> Any:
    return papers.join(e, and_(e.c.paper_id == papers.c.id, e.c.model == model)).outerjoin(
        g, g.c.paper_id == papers.c.id
    )


def count_papers_to_glance(conn: Connection, model: str) -> int:
    """Embedded papers with no glance yet, or changed since theirs was made."""
    query = select(func.count()).select_from(_to_glance_from(model)).where(_stale())
    return int(conn.execute(query).scalar_one())


def papers_to_glance(conn: Connection, model: str, after_id: str, limit: int) -> list[dict[str, Any]]:
    """The next stale embedded papers after `after_id`, with their vector and the text hash of their glance."""
    query = (
        select(
            papers.c.id,
            papers.c.title,
            papers.c.abstract,
            papers.c.content_hash,
            e.c.vector,
            g.c.text_hash,
        )
        .select_from(_to_glance_from(model))
        .where(_stale(), papers.c.id > after_id)
        .order_by(papers.c.id)
        .limit(limit)
    )
    return [dict(row._mapping) for row in conn.execute(query)]


def save_glances(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert or replace rows of paper_id, text_hash, content_hash, keywords, tldr (a new text drops the AI one)."""
    if not rows:
        return
    now = datetime.now(UTC)
    conn.execute(delete(g).where(g.c.paper_id.in_([r["paper_id"] for r in rows])))
    conn.execute(insert(g), [{**r, "updated_at": now} for r in rows])


def mark_glance_checked(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """The paper changed but not its title or abstract: keep its glance, remember the new content hash."""
    for row in rows:
        conn.execute(update(g).where(g.c.paper_id == row["paper_id"]).values(content_hash=row["content_hash"]))


def glances_of(conn: Connection, paper_ids: Sequence[str]) -> dict[str, PaperGlance]:
    if not paper_ids:
        return {}
    query = select(g.c.paper_id, *glance_columns()).where(g.c.paper_id.in_(list(dict.fromkeys(paper_ids))))
    found = {row.paper_id: glance_of_row(row._mapping) for row in conn.execute(query)}
    return {paper_id: glance for paper_id, glance in found.items() if glance is not None}


def papers_to_summarise(
    conn: Connection, model: str, since: datetime | None, after_id: str, limit: int
) -> list[dict[str, Any]]:
    """Papers (published since `since`) whose current text has not been put to the LLM `model` yet."""
    when = func.coalesce(papers.c.published_at, papers.c.ingested_at)
    query = (
        select(papers.c.id, papers.c.title, papers.c.abstract, g.c.text_hash)
        .select_from(papers.join(g, g.c.paper_id == papers.c.id))
        .where(
            papers.c.id > after_id,
            or_(g.c.ai_summary_hash.is_(None), g.c.ai_summary_hash != g.c.text_hash, g.c.ai_model != model),
        )
        .order_by(papers.c.id)
        .limit(limit)
    )
    if since is not None:
        query = query.where(when >= since)
    return [dict(row._mapping) for row in conn.execute(query)]


def save_ai_summary(conn: Connection, paper_id: str, text_hash: str, summary: str | None, model: str) -> bool:
    """Record the LLM's answer for this text (None: it was rejected, so the extractive TL;DR stays); False when
    the text changed meanwhile."""
    result = conn.execute(
        update(g)
        .where(g.c.paper_id == paper_id, g.c.text_hash == text_hash)
        .values(ai_summary=summary, ai_summary_hash=text_hash, ai_model=model, updated_at=datetime.now(UTC))
    )
    return bool(result.rowcount)
