"""The moderation queue: members' reports of comments, open until a curator acts on the comment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, func, select, update

from dailypapers.storage.schema import comment_reports, comments, papers


@dataclass
class OpenReport:
    """One reported comment with how many open reports it has and the latest reason."""

    comment_id: int
    paper_id: str
    paper_title: str
    reports: int
    reason: str
    last_at: datetime


def insert_ignoring(conn: Connection, table: Table, rows: list[dict[str, Any]], keys: list[str]) -> int:
    """Insert rows, skipping those that collide on the unique `keys`; returns how many were inserted."""
    if not rows:
        return 0
    from sqlalchemy.dialects import postgresql, sqlite

    dialect: Any = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(rows).on_conflict_do_nothing(index_elements=keys)
    return len(conn.execute(statement.returning(table.c[keys[0]])).all())  # rowcount is not reliable on both


def insert_report(conn: Connection, comment_id: int, reporter_id: int, reason: str, now: datetime) -> bool:
    """False when this member had already reported the comment."""
    row = {"comment_id": comment_id, "reporter_id": reporter_id, "reason": reason, "created_at": now}
    return insert_ignoring(conn, comment_reports, [row], ["comment_id", "reporter_id"]) > 0


def resolve_reports(conn: Connection, comment_id: int, by: int, now: datetime) -> None:
    conn.execute(
        update(comment_reports)
        .where(comment_reports.c.comment_id == comment_id, comment_reports.c.resolved_at.is_(None))
        .values(resolved_at=now, resolved_by=by)
    )


def open_reports(conn: Connection, limit: int = 200) -> list[OpenReport]:
    """Reported comments with open reports, most recently reported first (one statement)."""
    grouped = (
        select(
            comment_reports.c.comment_id,
            func.count().label("n"),
            func.max(comment_reports.c.created_at).label("last_at"),
            func.max(comment_reports.c.reason).label("reason"),
        )
        .where(comment_reports.c.resolved_at.is_(None))
        .group_by(comment_reports.c.comment_id)
        .subquery("open")
    )
    query = (
        select(grouped, comments.c.paper_id, papers.c.title)
        .select_from(
            grouped.join(comments, comments.c.id == grouped.c.comment_id).join(
                papers, papers.c.id == comments.c.paper_id
            )
        )
        .order_by(grouped.c.last_at.desc())
        .limit(limit)
    )
    return [
        OpenReport(r.comment_id, r.paper_id, r.title, int(r.n), r.reason or "", r.last_at) for r in conn.execute(query)
    ]
