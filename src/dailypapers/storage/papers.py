"""Papers, their versions and categories: the SQL behind imports and paper pages."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from dailypapers.storage.comments import comment_count_of_paper
from dailypapers.storage.glance import PaperGlance, glance_columns, glance_of_row
from dailypapers.storage.schema import paper_categories, paper_glance, paper_versions, papers, votes

PAPER_COLUMNS = [c.name for c in papers.columns]


@dataclass
class StoredPaper:
    """A paper as stored, with its members' vote count alongside the imported one."""

    id: str
    version: int
    title: str
    abstract: str
    authors: list[str]
    primary_category: str | None
    categories: list[str]
    comments: str | None
    journal_ref: str | None
    doi: str | None
    license: str | None
    report_no: str | None
    code_url: str | None
    published_at: datetime | None
    updated_at: datetime | None
    imported_upvotes: int
    num_comments: int
    content_hash: str
    ingested_at: datetime
    project_url: str | None = None  # migration 0011
    votes: int = 0
    discussion: int = 0  # visible comments of our members (num_comments is the count imported from HF)
    glance: PaperGlance | None = None  # TL;DR and keywords, attached by the reads that show papers

    @property
    def upvotes(self) -> int:
        """What the site shows: imported upvotes plus our members' votes."""
        return self.imported_upvotes + self.votes

    @property
    def abs_url(self) -> str:
        return f"https://arxiv.org/abs/{self.id}"

    @property
    def pdf_url(self) -> str:
        return f"https://arxiv.org/pdf/{self.id}"


def vote_count_of_paper() -> Any:
    """Members' votes of the paper in the enclosing query, counted from the votes table so it can never drift.

    Correlated, so each paper costs one index range; a grouped subquery would count every vote of the site."""
    return select(func.count()).where(votes.c.paper_id == papers.c.id).scalar_subquery()


def _stored(row: Any) -> StoredPaper:
    data = {c: row._mapping[c] for c in PAPER_COLUMNS}
    return StoredPaper(
        **data,
        votes=int(row._mapping["n"] or 0),
        discussion=int(row._mapping["n_comments"] or 0),
        glance=glance_of_row(row._mapping),
    )


def paper_rows_by_ids(conn: Connection, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Raw stored rows (as dicts) for merging in the import service."""
    if not ids:
        return {}
    rows = conn.execute(select(papers).where(papers.c.id.in_(list(ids)))).mappings()
    return {row["id"]: dict(row) for row in rows}


def content_hashes_by_ids(conn: Connection, ids: Sequence[str]) -> dict[str, str]:
    """Stored content hash of each of these papers that is stored: all a re-import reads of an unchanged paper."""
    if not ids:
        return {}
    query = select(papers.c.id, papers.c.content_hash).where(papers.c.id.in_(list(dict.fromkeys(ids))))
    return {paper_id: digest for paper_id, digest in conn.execute(query)}


def versions_by_paper(conn: Connection, ids: Sequence[str]) -> dict[str, list[tuple[int, datetime | None]]]:
    result: dict[str, list[tuple[int, datetime | None]]] = {i: [] for i in ids}
    if not ids:
        return result
    query = (
        select(paper_versions.c.paper_id, paper_versions.c.version, paper_versions.c.created_at)
        .where(paper_versions.c.paper_id.in_(list(ids)))
        .order_by(paper_versions.c.paper_id, paper_versions.c.version)
    )
    for paper_id, version, created in conn.execute(query):
        result[paper_id].append((version, created))
    return result


def insert_papers(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(papers), rows)
        _replace_children(conn, rows, deleting=False)


def update_papers(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    stmt = (
        update(papers)
        .where(papers.c.id == bindparam("_id"))
        .values({c: bindparam(c) for c in PAPER_COLUMNS if c not in ("id", "ingested_at")})
    )
    conn.execute(stmt, [{**row, "_id": row["id"]} for row in rows])
    _replace_children(conn, rows, deleting=True)


def _replace_children(conn: Connection, rows: list[dict[str, Any]], deleting: bool) -> None:
    ids = [row["id"] for row in rows]
    if deleting:
        conn.execute(delete(paper_versions).where(paper_versions.c.paper_id.in_(ids)))
        conn.execute(delete(paper_categories).where(paper_categories.c.paper_id.in_(ids)))
    version_rows = [
        {"paper_id": row["id"], "version": v, "created_at": created} for row in rows for v, created in row["_versions"]
    ]
    category_rows = [
        {"paper_id": row["id"], "category": cat} for row in rows for cat in dict.fromkeys(row["categories"])
    ]
    if version_rows:
        conn.execute(insert(paper_versions), version_rows)
    if category_rows:
        conn.execute(insert(paper_categories), category_rows)


def _with_votes() -> Any:
    return select(
        papers, vote_count_of_paper().label("n"), comment_count_of_paper().label("n_comments"), *glance_columns()
    ).select_from(papers.outerjoin(paper_glance, paper_glance.c.paper_id == papers.c.id))


@functools.cache
def _by_id_statement() -> Any:
    """Built once (bind parameters), so a page's paper reads skip composing the statement and its cache key."""
    return _with_votes().where(papers.c.id == bindparam("paper_id"))


@functools.cache
def _by_ids_statement() -> Any:
    return _with_votes().where(papers.c.id.in_(bindparam("ids", expanding=True)))


def paper_by_id(conn: Connection, paper_id: str) -> StoredPaper | None:
    row = conn.execute(_by_id_statement(), {"paper_id": paper_id}).first()
    return _stored(row) if row else None


def papers_by_ids(conn: Connection, ids: Iterable[str]) -> dict[str, StoredPaper]:
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    return {p.id: p for p in map(_stored, conn.execute(_by_ids_statement(), {"ids": wanted}))}


def searchable_text(conn: Connection, paper_id: str) -> str | None:
    """Title, abstract and authors of one paper as one string: what full-text search sees, without the votes join."""
    query = select(papers.c.title, papers.c.abstract, papers.c.authors).where(papers.c.id == paper_id)
    row = conn.execute(query).first()
    return f"{row.title} {row.abstract} {' '.join(row.authors)}" if row else None


def paper_versions_of(conn: Connection, paper_id: str) -> list[tuple[int, datetime | None]]:
    return versions_by_paper(conn, [paper_id])[paper_id]


def count_papers(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(papers)).scalar_one())


def published_range(conn: Connection) -> tuple[datetime | None, datetime | None]:
    row = conn.execute(select(func.min(papers.c.published_at), func.max(papers.c.published_at))).one()
    return row[0], row[1]


def papers_after(conn: Connection, after_id: str, limit: int, since: datetime | None = None) -> list[StoredPaper]:
    """The next `limit` papers by id after `after_id` (keyset paging: exports stream a million papers in flat memory),
    only those first published at or after `since` when given."""
    query = _with_votes().where(papers.c.id > after_id)
    if since is not None:
        query = query.where(papers.c.published_at >= since)
    return [_stored(row) for row in conn.execute(query.order_by(papers.c.id).limit(limit))]


def paper_ids_by_doi(conn: Connection, dois: Sequence[str]) -> dict[str, str]:
    """Lower-cased DOI → paper id, for those of these DOIs some paper carries (one scan for a whole import)."""
    wanted = list(dict.fromkeys(d.lower() for d in dois))
    if not wanted:
        return {}
    query = select(func.lower(papers.c.doi), papers.c.id).where(func.lower(papers.c.doi).in_(wanted))
    return {doi: paper_id for doi, paper_id in conn.execute(query)}


def replace_authors(conn: Connection, authors_by_id: dict[str, list[str]]) -> None:
    """Overwrite the author lists of these papers (bench/recommend.py's author-blind protocol removes its simulated
    members' own names this way; the search index follows through its triggers)."""
    if authors_by_id:
        stmt = update(papers).where(papers.c.id == bindparam("_id")).values(authors=bindparam("authors"))
        conn.execute(stmt, [{"_id": pid, "authors": names} for pid, names in authors_by_id.items()])
