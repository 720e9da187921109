"""Reads behind the daily feed, trending, paper pages and profiles (used by pages, API, feeds and CLI).

Periods: a day (YYYY-MM-DD), an ISO week (YYYY-Www, Monday to Sunday) or a month (YYYY-MM).

Trending score (Hacker News style), per paper listed in the window:

    score = upvotes / (age_hours + 2) ** gravity

`upvotes` is imported upvotes plus members' votes, `age_hours` the hours between the paper's first listing in
the window and the anchor, `gravity` the setting DAILYPAPERS_TRENDING_GRAVITY (1.5). The anchor is now, or the end
of the window's last day when that is earlier, so an archive that stopped updating still has a trending list that
means something. Without a period the window is the last DAILYPAPERS_TRENDING_DAYS days that have listings.
Ties break on upvotes, then on the most recent listing.

Every function here issues a fixed number of queries whatever the page size (the feed: three at most).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from sqlalchemy import Connection

from dailypapers.config import Config
from dailypapers.domain import InvalidDay, checked_day
from dailypapers.storage import Store
from dailypapers.storage import feed as feed_store
from dailypapers.storage import papers as paper_store
from dailypapers.storage.feed import Candidate, FeedRow
from dailypapers.storage.papers import StoredPaper

Sort = Literal["upvotes", "submitted", "published", "trending"]
SORTS: tuple[str, ...] = ("upvotes", "submitted", "published", "trending")
MAX_LIMIT = 100

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class InvalidPeriod(ValueError):
    """A date, week or month that cannot be read; the message says which form is expected."""


@dataclass(frozen=True)
class Period:
    kind: Literal["day", "week", "month", "window"]
    start: date
    end: date  # inclusive

    @property
    def label(self) -> str:
        """The URL form: 2026-11-26, 2026-W48, 2026-11 (a window shows its first and last day)."""
        if self.kind == "day":
            return self.start.isoformat()
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "month":
            return self.start.strftime("%Y-%m")
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def containing(self, day: date) -> Period:
        """The period of the same kind that holds `day` (for previous/next navigation)."""
        if self.kind == "week":
            return week_of(day)
        if self.kind == "month":
            return month_of(day)
        return day_period(day)


def day_period(day: date) -> Period:
    return Period("day", day, day)


def week_of(day: date) -> Period:
    monday = day - timedelta(days=day.weekday())
    return Period("week", monday, monday + timedelta(days=6))


def month_of(day: date) -> Period:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period("month", first, following - timedelta(days=1))


def parse_day(text: str) -> Period:
    try:
        if len(text) != 10:
            raise ValueError
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidPeriod(f"“{text[:40]}” is not a date: write it as YYYY-MM-DD, like 2025-02-14.") from None
    return day_period(_in_range(day))


def parse_week(text: str) -> Period:
    match = _WEEK.match(text)
    try:
        if not match:
            raise ValueError
        monday = date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        raise InvalidPeriod(f"“{text[:40]}” is not a week: write it as YYYY-Www, like 2025-W09.") from None
    return week_of(_in_range(monday))


def parse_month(text: str) -> Period:
    match = _MONTH.match(text)
    try:
        if not match:
            raise ValueError
        first = date(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        raise InvalidPeriod(f"“{text[:40]}” is not a month: write it as YYYY-MM, like 2025-02.") from None
    return month_of(_in_range(first))


def _in_range(day: date) -> date:
    try:
        return checked_day(day)
    except InvalidDay as exc:
        raise InvalidPeriod(str(exc)) from None


@dataclass
class FeedItem:
    row: FeedRow
    score: float | None = None  # the trending score, when sorted by trending

    @property
    def paper(self) -> StoredPaper:
        return self.row.paper


@dataclass
class Feed:
    items: list[FeedItem]
    total: int
    page: int
    limit: int
    period: Period | None
    previous: Period | None = None  # nearest earlier period with papers
    next: Period | None = None  # nearest later period with papers

    @property
    def has_more(self) -> bool:
        return (self.page + 1) * self.limit < self.total


def days_with_lists(store: Store, start: date, end: date, *, include_hidden: bool = False) -> set[date]:
    """Days between start and end with a list, for the feed's calendar (one query)."""
    with store.read() as conn:
        return set(feed_store.days_with_listings(conn, start, end, include_hidden=include_hidden))


def trending_score(upvotes: int, submitted_at: datetime, anchor: datetime, gravity: float) -> float:
    age_hours = max((anchor - submitted_at).total_seconds() / 3600.0, 0.0)
    return upvotes / (age_hours + 2.0) ** gravity


def feed(
    store: Store,
    config: Config,
    *,
    period: Period | None = None,
    submitter: str | None = None,
    sort: Sort = "upvotes",
    page: int = 0,
    limit: int = 50,
    include_hidden: bool = False,
    now: datetime | None = None,
    all_days: bool = False,
    has_code: bool = False,
    neighbours: bool = True,
) -> Feed:
    """A page of the feed for a period (None: the latest day with papers; every day with `submitter` or all_days).

    include_hidden is for curators only. Queries: latest day (only without a period), the page, the neighbouring
    periods (unless `neighbours` is false: the API has no previous/next links).
    """
    page, limit = max(page, 0), min(max(limit, 1), MAX_LIMIT)
    with store.read() as conn:
        if period is None and not submitter and not all_days:
            latest = feed_store.latest_day(conn, include_hidden=include_hidden)
            if latest is None:
                return Feed([], 0, page, limit, None)
            period = day_period(latest)
        start, end = (period.start, period.end) if period else (None, None)
        if sort == "trending":
            items, total = _trending_page(
                conn, config, start, end, submitter, include_hidden, page, limit, now or datetime.now(UTC), has_code
            )
        else:
            result = feed_store.feed_page(
                conn,
                start=start,
                end=end,
                submitter=submitter,
                include_hidden=include_hidden,
                order=sort,
                limit=limit,
                offset=page * limit,
                has_code=has_code,
            )
            items, total = [FeedItem(row) for row in result.rows], result.total
        result_feed = Feed(items, total, page, limit, period)
        if neighbours and period is not None and period.kind != "window":
            before, after = feed_store.neighbour_days(conn, period.start, period.end, include_hidden=include_hidden)
            result_feed.previous = period.containing(before) if before else None
            result_feed.next = period.containing(after) if after else None
        return result_feed


def trending(
    store: Store,
    config: Config,
    *,
    page: int = 0,
    limit: int = 50,
    include_hidden: bool = False,
    now: datetime | None = None,
    has_code: bool = False,
) -> Feed:
    """Trending over the last DAILYPAPERS_TRENDING_DAYS days that have listings (two or three queries)."""
    with store.read() as conn:
        latest = feed_store.latest_day(conn, include_hidden=include_hidden)
    if latest is None:
        return Feed([], 0, max(page, 0), min(max(limit, 1), MAX_LIMIT), None)
    days = max(config.integer("DAILYPAPERS_TRENDING_DAYS"), 1)
    window = Period("window", latest - timedelta(days=days - 1), latest)
    return feed(
        store,
        config,
        period=window,
        sort="trending",
        page=page,
        limit=limit,
        include_hidden=include_hidden,
        now=now,
        has_code=has_code,
    )


def _trending_page(
    conn: Connection,
    config: Config,
    start: date | None,
    end: date | None,
    submitter: str | None,
    include_hidden: bool,
    page: int,
    limit: int,
    now: datetime,
    has_code: bool = False,
) -> tuple[list[FeedItem], int]:
    """Score the window's papers from a light query, then fetch full rows for the page only."""
    candidates = feed_store.trending_candidates(
        conn,
        start=start,
        end=end,
        submitter=submitter,
        include_hidden=include_hidden,
        has_code=has_code,
    )
    anchor = now
    if end is not None:
        anchor = min(now, datetime.combine(end + timedelta(days=1), datetime.min.time(), UTC))
    gravity = config.number("DAILYPAPERS_TRENDING_GRAVITY")
    ranked = rank_trending(candidates, anchor, gravity)
    chosen = ranked[page * limit : (page + 1) * limit]
    rows = feed_store.feed_rows_by_listing_ids(conn, [c.listing_id for c, _ in chosen])
    scores = {c.listing_id: score for c, score in chosen}
    return [FeedItem(row, scores[row.listing.id]) for row in rows], len(ranked)


def rank_trending(candidates: list[Candidate], anchor: datetime, gravity: float) -> list[tuple[Candidate, float]]:
    scored = [(c, trending_score(c.upvotes, c.submitted_at, anchor, gravity)) for c in candidates]
    scored.sort(key=lambda cs: (cs[1], cs[0].upvotes, cs[0].submitted_at, cs[0].listing_id), reverse=True)
    return scored


def latest_day(store: Store, *, include_hidden: bool = False) -> date | None:
    with store.read() as conn:
        return feed_store.latest_day(conn, include_hidden=include_hidden)


@dataclass
class PaperDetail:
    paper: StoredPaper
    versions: list[tuple[int, datetime | None]]
    days: list[date]  # the days it was listed on (hidden listings only for curators)
    first_listing: FeedRow | None = None  # its earliest listing, with the submitter


def paper_detail(store: Store, paper_id: str, *, include_hidden: bool = False) -> PaperDetail | None:
    """A paper with its versions, listing days and first listing (four queries), or None when it is not in the store."""
    with store.read() as conn:
        paper = paper_store.paper_by_id(conn, paper_id)
        if paper is None:
            return None
        return PaperDetail(
            paper,
            paper_store.paper_versions_of(conn, paper_id),
            feed_store.listing_days_of(conn, paper_id, include_hidden=include_hidden),
            feed_store.first_listing_row(conn, paper_id, include_hidden=include_hidden),
        )


def submissions_of(
    store: Store, config: Config, username: str, *, page: int = 0, limit: int = 50, include_hidden: bool = False
) -> Feed:
    """A member's (or imported curator's) submissions, newest first."""
    return feed(
        store,
        config,
        submitter=username,
        sort="submitted",
        page=page,
        limit=limit,
        include_hidden=include_hidden,
    )


def upvoted_by(store: Store, account_id: int, *, page: int = 0, limit: int = 50) -> list[StoredPaper]:
    """Papers a member upvoted, most recent vote first (one query)."""
    limit = min(max(limit, 1), MAX_LIMIT)
    with store.read() as conn:
        return feed_store.papers_upvoted_by(conn, account_id, limit=limit, offset=max(page, 0) * limit)
