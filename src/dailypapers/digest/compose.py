"""What goes into each digest: the period a send date covers, and per subscription the papers to show.

A run composes thousands of digests for the same period, so everything shared is computed once per period and
reused: the trending pool (the period's listed papers, most upvoted first, one query) and the results of each
distinct saved search. Each subscription then only filters those in memory by its categories, minimum upvotes and
size, which keeps 10,000 personalised digests well inside a few minutes.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Protocol

from dailypapers import excerpts
from dailypapers.config import Config
from dailypapers.domain import safe_url
from dailypapers.latex import plain
from dailypapers.storage import Store
from dailypapers.storage.feed import feed_page
from dailypapers.storage.papers import StoredPaper, papers_by_ids
from dailypapers.storage.subscriptions import StoredSubscription

POOL_SIZE = 1000  # listed papers considered per period; a week of a busy site stays well below
EXCERPT_CHARS = 320
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class DigestPeriod:
    """The listing days one digest covers, and the ledger key that makes it sendable once."""

    frequency: str
    key: str  # "2026-11-26" (daily) or "2026-W48" (weekly)
    first: date
    last: date

    @property
    def label(self) -> str:
        if self.first == self.last:
            return f"{WEEKDAYS[self.first.weekday()]} {self.first.day} {self.first:%B %Y}"
        return f"{self.first.day} {self.first:%b} – {self.last.day} {self.last:%b %Y}"


def period_for(frequency: str, weekday: int, day: date) -> DigestPeriod | None:
    """The period a digest sent on `day` covers, or None when this subscription gets nothing that day.

    Daily digests go out Monday to Friday with the lists since the previous send (Monday's carries Friday to
    Sunday); weekly ones go out on the chosen weekday with the seven days before it.
    """
    if frequency == "daily":
        if day.weekday() >= 5:
            return None
        back = 3 if day.weekday() == 0 else 1
        return DigestPeriod("daily", day.isoformat(), day - timedelta(days=back), day - timedelta(days=1))
    if frequency == "weekly":
        if day.weekday() != weekday:
            return None
        year, week, _ = day.isocalendar()
        return DigestPeriod("weekly", f"{year}-W{week:02d}", day - timedelta(days=7), day - timedelta(days=1))
    raise ValueError(f"unknown frequency {frequency!r}")


@dataclass
class DigestPaper:
    id: str
    title: str
    authors: list[str]
    excerpt: str
    upvotes: int
    url: str
    categories: list[str]
    tldr: str | None = None  # the paper at a glance (services/glance.py), when indexed
    keywords: list[str] = field(default_factory=list)
    code_url: str | None = None

    @property
    def excerpt_text(self) -> str:
        """The excerpt wrapped for the plain-text part, indented under its title (computed once per paper)."""
        return _wrapped(self.excerpt)


@dataclass
class Section:
    title: str
    papers: list[DigestPaper]


@dataclass
class Digest:
    subscription: StoredSubscription
    period: DigestPeriod
    sections: list[Section] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not any(s.papers for s in self.sections)

    @property
    def paper_count(self) -> int:
        return sum(len(s.papers) for s in self.sections)


class DigestSearch(Protocol):
    """What a digest asks of search (digest.search_adapter answers it through the search service)."""

    def matching(self, query: str, period: DigestPeriod) -> list[str]:
        """Ids of the papers of the period matching a saved search, best first."""
        ...

    def picks(self, account_id: int, period: DigestPeriod) -> list[str]:
        """Ids of the period's papers the member's For-you model ranks first (none at cold start), best first."""
        ...


class Composer:
    """Composes digests for one send run, caching what subscriptions share.

    `search` is only called for subscriptions with saved searches or picks; others never touch the search index."""

    def __init__(self, store: Store, config: Config, search: DigestSearch):
        self.store = store
        self.config = config
        self.search = search
        self._pools: dict[DigestPeriod, list[StoredPaper]] = {}
        self._searches: dict[tuple[str, DigestPeriod], list[str]] = {}
        self._papers: dict[str, StoredPaper] = {}
        self._shown: dict[str, DigestPaper] = {}  # rendered once per paper, shared by every digest showing it

    def compose(self, sub: StoredSubscription, period: DigestPeriod) -> Digest:
        digest = Digest(sub, period)
        seen: set[str] = set()
        if sub.include_trending:
            chosen = self._pick(self.pool(period), sub, seen, sub.top_n)
            digest.sections.append(Section(f"Trending {_span(period)}", chosen))
        if sub.include_searches:
            for query in sub.searches:
                ids = self._search_cached(query, period)
                chosen = self._pick(self._lookup(ids), sub, seen, sub.top_n)
                digest.sections.append(Section(f"New for “{query}”", chosen))
        if sub.include_picks and sub.account_id is not None:
            ids = self.search.picks(sub.account_id, period)  # the member's For-you model; none at cold start
            chosen = self._pick(self._lookup(ids), sub, seen, sub.top_n)
            digest.sections.append(Section("Picked for you", chosen))
        if sub.account_id is not None:
            followed = self._followed(sub.account_id, period)
            if followed:
                digest.sections.append(Section("From what you follow", self._pick(followed, sub, seen, sub.top_n)))
        digest.sections = [s for s in digest.sections if s.papers]
        return digest

    def pool(self, period: DigestPeriod) -> list[StoredPaper]:
        if period not in self._pools:
            with self.store.read() as conn:
                page = feed_page(conn, start=period.first, end=period.last, order="upvotes", limit=POOL_SIZE)
            self._pools[period] = [row.paper for row in page.rows]
            self._papers.update((p.id, p) for p in self._pools[period])
        return self._pools[period]

    def _followed(self, account_id: int, period: DigestPeriod) -> list[StoredPaper]:
        """Papers of the member's follows (authors, categories, collections, searches) first published in the period."""
        from dailypapers.queries.following import following_feed

        papers = [item.paper for item in following_feed(self.store, self.config, account_id).items]
        return [p for p in papers if p.published_at and period.first <= p.published_at.date() <= period.last]

    def _search_cached(self, query: str, period: DigestPeriod) -> list[str]:
        key = (query.strip().lower(), period)
        if key not in self._searches:
            self._searches[key] = self.search.matching(query, period)
        return self._searches[key]

    def _lookup(self, ids: list[str]) -> list[StoredPaper]:
        missing = [i for i in ids if i not in self._papers]
        if missing:
            with self.store.read() as conn:
                self._papers.update(papers_by_ids(conn, missing))
        return [self._papers[i] for i in ids if i in self._papers]

    def _pick(
        self, papers: Iterable[StoredPaper], sub: StoredSubscription, seen: set[str], n: int
    ) -> list[DigestPaper]:
        wanted = set(sub.categories)
        chosen: list[DigestPaper] = []
        for paper in papers:
            if len(chosen) >= n:
                break
            if paper.id in seen or paper.upvotes < sub.min_upvotes:
                continue
            if wanted and not wanted.intersection(paper.categories):
                continue
            seen.add(paper.id)
            if paper.id not in self._shown:
                self._shown[paper.id] = self._digest_paper(paper)
            chosen.append(self._shown[paper.id])
        return chosen

    def _digest_paper(self, paper: StoredPaper) -> DigestPaper:
        return DigestPaper(
            id=paper.id,
            title=plain(paper.title),
            authors=list(paper.authors),
            excerpt=excerpt(plain(paper.abstract)),
            upvotes=paper.upvotes,
            url=f"{self.config.site_url}/papers/{paper.id}",
            categories=list(paper.categories),
            tldr=plain(paper.glance.summary) if paper.glance else None,
            keywords=list(paper.glance.keywords) if paper.glance else [],
            code_url=safe_url(paper.code_url),
        )


@lru_cache(maxsize=4096)
def _wrapped(text: str) -> str:
    return "\n".join(textwrap.wrap(text, 73, initial_indent="   ", subsequent_indent="   "))


def excerpt(abstract: str, limit: int = EXCERPT_CHARS) -> str:
    """One paragraph: whole sentences up to `limit` characters, else a clean cut at a word with an ellipsis."""
    return excerpts.excerpt(abstract, limit, sentences=True)


def _span(period: DigestPeriod) -> str:
    return (
        "this week"
        if period.frequency == "weekly"
        else ("since Friday" if period.first != period.last else "yesterday")
    )
