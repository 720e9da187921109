"""The SQL behind the daily feed, paper pages and profiles: a fixed number of queries, whatever the page size.

A feed page is one statement in two stages: the inner stage picks and orders the page's listing ids from the
listings (plus the sort key: upvotes via a correlated count served by ix_votes_paper_id) and counts the matches;
the outer stage joins papers, the submitting account and vote counts for those ids only. A paper listed on several
days of a week or month appears once, on its first day (a window function picks that listing); unbounded lists
(every day, a submitter's history) show every listing.

Statements are built once per shape (which filters are present, the order) with bind parameters and reused, so
SQLAlchemy neither rebuilds nor re-keys them per request: building them was most of a request's cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Literal

from sqlalchemy import Connection, Date, String, and_, bindparam, exists, func, literal, or_, select, true

from dailypapers.storage.comments import comment_count_of_paper
from dailypapers.storage.glance import glance_columns, glance_of_row
from dailypapers.storage.listings import StoredListing
from dailypapers.storage.papers import PAPER_COLUMNS, StoredPaper
from dailypapers.storage.schema import accounts, listings, paper_glance, papers, votes

LISTING_COLUMNS = [c.name for c in listings.columns]
FeedOrder = Literal["upvotes", "submitted", "published"]


@dataclass
class Submitter:
    """Who put a paper on a day's list: a member here, or a curator named by an imported source."""

    username: str
    fullname: str
    is_member: bool


@dataclass
class FeedRow:
    paper: StoredPaper
    listing: StoredListing
    submitter: Submitter | None


@dataclass
class FeedPage:
    rows: list[FeedRow]
    total: int  # rows matching the filters, before paging


@dataclass(frozen=True)
class _Shape:
    """Which filters a statement has; one cached statement per shape."""

    start: bool
    end: bool
    submitter: bool
    include_hidden: bool
    has_code: bool = False  # only papers with a code repository link


def _shape(
    start: date | None, end: date | None, submitter: str | None, include_hidden: bool, has_code: bool = False
) -> _Shape:
    return _Shape(start is not None, end is not None, bool(submitter), include_hidden, has_code)


def _params(start: date | None, end: date | None, submitter: str | None) -> dict[str, Any]:
    return {"start": start, "end": end, "submitter": submitter.lower() if submitter else None}


def _vote_count() -> Any:
    return select(func.count()).where(votes.c.paper_id == papers.c.id).correlate(papers).scalar_subquery()


def _visible(shape: _Shape) -> list[Any]:
    where: list[Any] = []
    if shape.start:
        where.append(listings.c.day >= bindparam("start", type_=Date))
    if shape.end:
        where.append(listings.c.day <= bindparam("end", type_=Date))
    if not shape.include_hidden:
        where.append(listings.c.hidden == False)  # noqa: E712 (SQL comparison)
    if shape.submitter:
        who = func.lower(func.coalesce(accounts.c.username, listings.c.submitter_name))
        where.append(who == bindparam("submitter", type_=String))
        # An imported name never stands for an account: where an account holds the name (made before an import
        # brought the same name), its list is the account's own submissions only.
        holder = accounts.alias("holder")
        taken = select(holder.c.id).where(func.lower(holder.c.username) == bindparam("submitter", type_=String))
        where.append(or_(listings.c.account_id.is_not(None), ~taken.exists()))
    if shape.has_code:
        coded = papers.alias("coded")
        where.append(exists().where(coded.c.id == listings.c.paper_id, coded.c.code_url.isnot(None)))
    return where


def _from_listings() -> Any:
    return listings.outerjoin(accounts, accounts.c.id == listings.c.account_id)


def _first_listings(shape: _Shape) -> Any:
    """Subquery of listing ids: the first visible listing of each paper in the range."""
    ranked = (
        select(
            listings.c.id.label("listing_id"),
            func.row_number()
            .over(partition_by=listings.c.paper_id, order_by=(listings.c.day, listings.c.id))
            .label("rn"),
        )
        .select_from(_from_listings())
        .where(and_(true(), *_visible(shape)))
        .subquery("ranked")
    )
    return select(ranked.c.listing_id).where(ranked.c.rn == 1).subquery("first_listing")


def _row_columns() -> list[Any]:
    return [
        *[papers.c[c] for c in PAPER_COLUMNS],
        _vote_count().label("n_votes"),
        comment_count_of_paper().label("n_comments"),
        *[listings.c[c].label(f"l_{c}") for c in LISTING_COLUMNS],
        accounts.c.username.label("a_username"),
        accounts.c.fullname.label("a_fullname"),
        *glance_columns(),
    ]


def _full_rows() -> Any:
    return (
        listings.join(papers, papers.c.id == listings.c.paper_id)
        .outerjoin(accounts, accounts.c.id == listings.c.account_id)
        .outerjoin(paper_glance, paper_glance.c.paper_id == papers.c.id)
    )


@lru_cache(maxsize=128)
def _page_statement(shape: _Shape, order: FeedOrder, one_per_listing: bool) -> Any:
    first = _first_listings(shape)
    if one_per_listing:
        source = _from_listings()
        where = and_(true(), *_visible(shape))
    else:
        source = first.join(listings, listings.c.id == first.c.listing_id).outerjoin(
            accounts, accounts.c.id == listings.c.account_id
        )
        where = true()
    keys: list[Any]
    if order == "upvotes":
        source = source.join(papers, papers.c.id == listings.c.paper_id)
        keys = [(papers.c.imported_upvotes + _vote_count()).label("k1"), listings.c.submitted_at.label("k2")]
    elif order == "published":
        source = source.join(papers, papers.c.id == listings.c.paper_id)
        keys = [papers.c.published_at.label("k1"), listings.c.submitted_at.label("k2")]
    else:
        keys = [listings.c.submitted_at.label("k1"), listings.c.submitted_at.label("k2")]
    keys.append(listings.c.paper_id.label("k3"))
    # A bounded range counts its matches in the same statement; an unbounded one would have to visit every listing
    # for that, so it is counted apart (a plain COUNT) and its page read straight off ix_listings_submitted_at.
    total = func.count().over() if shape.start and shape.end else literal(-1)
    inner = (
        select(listings.c.id.label("page_id"), total.label("total"), *keys)
        .select_from(source)
        .where(where)
        .order_by(*(k.desc().nulls_last() for k in keys))
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
        .subquery("page")
    )
    return (
        select(*_row_columns(), inner.c.total)
        .select_from(
            inner.join(listings, listings.c.id == inner.c.page_id)
            .join(papers, papers.c.id == listings.c.paper_id)
            .outerjoin(accounts, accounts.c.id == listings.c.account_id)
            .outerjoin(paper_glance, paper_glance.c.paper_id == papers.c.id)
        )
        .order_by(*(inner.c[k].desc().nulls_last() for k in ("k1", "k2", "k3")))
    )


def feed_page(
    conn: Connection,
    *,
    start: date | None,
    end: date | None,
    submitter: str | None = None,
    include_hidden: bool = False,
    order: FeedOrder = "upvotes",
    limit: int | None = 50,
    offset: int = 0,
    has_code: bool = False,
) -> FeedPage:
    """Listings between two days (inclusive; None = unbounded; a multi-day range shows each paper once, on its
    first day there), sorted and paged, plus the total."""
    shape = _shape(start, end, submitter, include_hidden, has_code)
    # A day has each paper once ((day, paper) is unique); an unbounded list (every day, a submitter's history) shows
    # every listing, as a list of daily items should. Only a week, month or window needs first listings picked.
    one_per_listing = start is None or end is None or start == end
    params = {**_params(start, end, submitter), "limit": -1 if limit is None else limit, "offset": offset}
    if limit is None and conn.dialect.name == "postgresql":
        params["limit"] = None  # LIMIT NULL is "no limit" there; SQLite spells it -1
    rows = conn.execute(_page_statement(shape, order, one_per_listing), params).all()
    total = int(rows[0].total) if rows else 0
    if total < 0 or (not rows and offset):
        total = count_feed(
            conn, start=start, end=end, submitter=submitter, include_hidden=include_hidden, has_code=has_code
        )
    return FeedPage([_feed_row(row) for row in rows], total)


@lru_cache(maxsize=32)
def _count_statement(shape: _Shape) -> Any:
    counted = func.count(func.distinct(listings.c.paper_id)) if shape.start and shape.end else func.count()
    return select(counted).select_from(_from_listings()).where(and_(true(), *_visible(shape)))


def count_feed(
    conn: Connection,
    *,
    start: date | None,
    end: date | None,
    submitter: str | None,
    include_hidden: bool,
    has_code: bool = False,
) -> int:
    """How many items feed_page would list in all (only needed when a page lies past the end)."""
    statement = _count_statement(_shape(start, end, submitter, include_hidden, has_code))
    return int(conn.execute(statement, _params(start, end, submitter)).scalar_one())


@lru_cache(maxsize=1)
def _rows_by_ids_statement() -> Any:
    return select(*_row_columns()).select_from(_full_rows()).where(listings.c.id.in_(bindparam("ids", expanding=True)))


def feed_rows_by_listing_ids(conn: Connection, listing_ids: list[int]) -> list[FeedRow]:
    """Full rows for chosen listings, in the order given (the second query of a trending page)."""
    if not listing_ids:
        return []
    by_id = {
        row.listing.id: row for row in map(_feed_row, conn.execute(_rows_by_ids_statement(), {"ids": listing_ids}))
    }
    return [by_id[i] for i in listing_ids if i in by_id]


@lru_cache(maxsize=2)
def _first_row_statement(include_hidden: bool) -> Any:
    shape = _Shape(False, False, False, include_hidden)
    return (
        select(*_row_columns())
        .select_from(_full_rows())
        .where(listings.c.paper_id == bindparam("paper_id", type_=String), *_visible(shape))
        .order_by(listings.c.day, listings.c.id)
        .limit(1)
    )


def first_listing_row(conn: Connection, paper_id: str, *, include_hidden: bool = False) -> FeedRow | None:
    """The paper's earliest visible listing, with its submitter (the API's submittedOnDaily* fields)."""
    row = conn.execute(_first_row_statement(include_hidden), {"paper_id": paper_id}).first()
    return _feed_row(row) if row else None


@dataclass
class Candidate:
    """What trending needs to score a listed paper, without its text."""

    listing_id: int
    submitted_at: datetime
    upvotes: int
    paper_id: str = ""


@lru_cache(maxsize=32)
def _candidates_statement(shape: _Shape) -> Any:
    first = _first_listings(shape)
    upvotes = papers.c.imported_upvotes + _vote_count()
    return select(listings.c.id, listings.c.submitted_at, upvotes, listings.c.paper_id).select_from(
        first.join(listings, listings.c.id == first.c.listing_id).join(papers, papers.c.id == listings.c.paper_id)
    )


def trending_candidates(
    conn: Connection,
    *,
    start: date | None,
    end: date | None,
    submitter: str | None = None,
    include_hidden: bool = False,
    has_code: bool = False,
) -> list[Candidate]:
    """First listing, its time and the upvotes of every paper listed in the window (a light, single query)."""
    statement = _candidates_statement(_shape(start, end, submitter, include_hidden, has_code))
    return [
        Candidate(int(r[0]), r[1], int(r[2]), r[3]) for r in conn.execute(statement, _params(start, end, submitter))
    ]


def _paper(mapping: Any) -> StoredPaper:
    data = {c: mapping[c] for c in PAPER_COLUMNS}
    return StoredPaper(
        **data,
        votes=int(mapping["n_votes"] or 0),
        discussion=int(mapping["n_comments"] or 0),
        glance=glance_of_row(mapping),
    )


def _feed_row(row: Any) -> FeedRow:
    m = row._mapping
    listing = StoredListing(**{c: m[f"l_{c}"] for c in LISTING_COLUMNS})
    listing.hidden = bool(listing.hidden)
    submitter = None
    if m["a_username"]:
        submitter = Submitter(m["a_username"], m["a_fullname"] or "", True)
    elif listing.submitter_name:
        submitter = Submitter(listing.submitter_name, listing.submitter_fullname or "", False)
    return FeedRow(_paper(m), listing, submitter)


@lru_cache(maxsize=2)
def _latest_statement(include_hidden: bool) -> Any:
    shape = _Shape(False, False, False, include_hidden)
    return select(func.max(listings.c.day)).where(and_(true(), *_visible(shape)))


def latest_day(conn: Connection, *, include_hidden: bool = False) -> date | None:
    return conn.execute(_latest_statement(include_hidden)).scalar_one()


@lru_cache(maxsize=2)
def _neighbours_statement(include_hidden: bool) -> Any:
    visible = _visible(_Shape(False, False, False, include_hidden))
    before = select(func.max(listings.c.day)).where(listings.c.day < bindparam("start", type_=Date), *visible)
    after = select(func.min(listings.c.day)).where(listings.c.day > bindparam("end", type_=Date), *visible)
    return select(before.scalar_subquery().label("before"), after.scalar_subquery().label("after"))


def neighbour_days(conn: Connection, start: date, end: date, *, include_hidden: bool = False) -> tuple[Any, Any]:
    """(last non-empty day before start, first non-empty day after end) in one round trip."""
    row = conn.execute(_neighbours_statement(include_hidden), {"start": start, "end": end}).one()
    return row.before, row.after


@lru_cache(maxsize=2)
def _days_statement(include_hidden: bool) -> Any:
    visible = _visible(_Shape(False, False, False, include_hidden))
    return (
        select(listings.c.day)
        .where(listings.c.paper_id == bindparam("paper_id", type_=String), *visible)
        .order_by(listings.c.day)
    )


@lru_cache(maxsize=2)
def _days_between_statement(include_hidden: bool) -> Any:
    visible = _visible(_Shape(False, False, False, include_hidden))
    return (
        select(listings.c.day)
        .where(
            listings.c.day >= bindparam("start", type_=Date), listings.c.day <= bindparam("end", type_=Date), *visible
        )
        .group_by(listings.c.day)
        .order_by(listings.c.day)
    )


def days_with_listings(conn: Connection, start: date, end: date, *, include_hidden: bool = False) -> list[date]:
    """The days from start to end (inclusive) that have a visible listing: the calendar marks them."""
    return [row[0] for row in conn.execute(_days_between_statement(include_hidden), {"start": start, "end": end})]


def listing_days_of(conn: Connection, paper_id: str, *, include_hidden: bool = False) -> list[date]:
    return [row[0] for row in conn.execute(_days_statement(include_hidden), {"paper_id": paper_id})]


def papers_upvoted_by(conn: Connection, account_id: int, *, limit: int = 50, offset: int = 0) -> list[StoredPaper]:
    """The papers a member upvoted, most recent vote first."""
    mine = votes.alias("mine")
    query = (
        select(
            *[papers.c[c] for c in PAPER_COLUMNS],
            _vote_count().label("n_votes"),
            comment_count_of_paper().label("n_comments"),
            *glance_columns(),
        )
        .select_from(
            papers.join(mine, mine.c.paper_id == papers.c.id).outerjoin(
                paper_glance, paper_glance.c.paper_id == papers.c.id
            )
        )
        .where(mine.c.account_id == account_id)
        .order_by(mine.c.created_at.desc(), papers.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [_paper(row._mapping) for row in conn.execute(query)]
