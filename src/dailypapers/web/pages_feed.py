"""The daily feed (day, week, month), trending and search pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dailypapers.latex import plain
from dailypapers.queries import feed as feed_queries
from dailypapers.queries.feed import Feed, InvalidPeriod, Period
from dailypapers.queries.recommendations import hidden_ids
from dailypapers.queries.site import voted_ids
from dailypapers.queries.subscriptions import member_subscription
from dailypapers.services.accounts import is_curator
from dailypapers.web.auth import current_account
from dailypapers.web.context import Page, config_of, render, store_of
from dailypapers.web.feed_look import month_bounds, month_calendar, page_numbers, period_label
from dailypapers.web.searching import SearchRequest, search_or_400

PAGE_SIZE = 50
# Search results per page: ranked best first from a pool of ~100 candidates (search.service.POOL), so five pages;
# 20 cards (as the API's default) make a third of the page weight and snippet/render work of 50 (issue 18).
SEARCH_PAGE_SIZE = 20
FEED_SORTS = {"upvotes": "Most upvoted", "submitted": "Newest", "trending": "Rising"}
HasCode = Annotated[bool, Query(description="true: only papers with a code repository")]
SEARCH_SORTS = {"relevance": "Relevance", "newest": "Newest", "upvotes": "Most upvoted"}


def home() -> Response:
    return RedirectResponse("/papers", status_code=302)


def period_url(period: Period | None) -> str:
    if period is None:
        return "/papers"
    return {"day": "/papers/date/", "week": "/papers/week/", "month": "/papers/month/"}[period.kind] + period.label


def period_title(period: Period) -> str:
    if period.kind == "day":
        return f"{period.start.strftime('%A')}, {period.start.strftime('%b')} {period.start.day}, {period.start.year}"
    if period.kind == "week":
        year, week, _ = period.start.isocalendar()
        s, e = period.start, period.end
        return f"Week {week}, {year} · {s.strftime('%b')} {s.day} – {e.strftime('%b')} {e.day}"
    return period.start.strftime("%B %Y")


def papers(
    request: Request,
    q: str | None = None,
    page: Page = 0,
    sort: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    category: str | None = None,
    author: str | None = None,
    has_code: HasCode = False,
) -> Response:
    """The latest day with papers, or search results when `q` is given."""
    if q is not None and q.strip():
        filters = Filters(date_from, date_to, (category or "").strip(), (author or "").strip(), has_code)
        return _search(request, q.strip(), page, sort or "relevance", filters)
    return _feed_page(request, None, page, sort or "upvotes", has_code)


def papers_of_day(
    request: Request, day: str, page: Page = 0, sort: str = "upvotes", has_code: HasCode = False
) -> Response:
    return _feed_page(request, _period(feed_queries.parse_day, day), page, sort, has_code)


def papers_of_week(
    request: Request, week: str, page: Page = 0, sort: str = "upvotes", has_code: HasCode = False
) -> Response:
    return _feed_page(request, _period(feed_queries.parse_week, week), page, sort, has_code)


def papers_of_month(
    request: Request, month: str, page: Page = 0, sort: str = "upvotes", has_code: HasCode = False
) -> Response:
    return _feed_page(request, _period(feed_queries.parse_month, month), page, sort, has_code)


def trending(request: Request, page: Page = 0, has_code: HasCode = False) -> HTMLResponse:
    account = current_account(request)
    result = feed_queries.trending(
        store_of(request),
        config_of(request),
        page=page,
        limit=PAGE_SIZE,
        include_hidden=is_curator(account),
        has_code=has_code,
    )
    days = config_of(request).integer("DAILYPAPERS_TRENDING_DAYS")
    subtitle = f"Hottest papers of the last {days} days with listings"
    return _render_feed(request, result, "Trending", subtitle, "trending", has_code=has_code)


def _period(parse: Any, text: str) -> Period:
    try:
        return parse(text)
    except InvalidPeriod as exc:
        raise HTTPException(400, str(exc)) from exc


def _feed_page(request: Request, period: Period | None, page: int, sort: str, has_code: bool) -> HTMLResponse:
    if sort not in FEED_SORTS:
        raise HTTPException(400, f"unknown sort {sort!r}: use one of {', '.join(FEED_SORTS)}")
    account = current_account(request)
    result = feed_queries.feed(
        store_of(request),
        config_of(request),
        period=period,
        sort=sort,  # type: ignore[arg-type]
        page=page,
        limit=PAGE_SIZE,
        include_hidden=is_curator(account),
        has_code=has_code,
    )
    if result.period is None:
        return _render_feed(request, result, "Daily papers", "No papers yet.", "day", sort, has_code)
    title = period_title(result.period)
    kind = result.period.kind
    heading = {"day": "Daily papers", "week": "Papers of the week", "month": "Papers of the month"}[kind]
    return _render_feed(request, result, heading, title, kind, sort, has_code)


def _render_feed(
    request: Request,
    result: Feed,
    heading: str,
    subtitle: str,
    tab: str,
    sort: str = "upvotes",
    has_code: bool = False,
) -> HTMLResponse:
    account = current_account(request)
    hidden = hidden_ids(store_of(request), account.id if account else None, [i.paper.id for i in result.items])
    result.items = [item for item in result.items if item.paper.id not in hidden]  # the member's "not interested"
    ids = [item.paper.id for item in result.items]
    anchor = None
    if result.period is not None:  # trending's window keeps the tabs, anchored on its latest day
        anchor = result.period.end if result.period.kind == "window" else result.period.start
    keep = "?has_code=true" if has_code else ""  # the "With code" toggle survives moving between tabs
    tabs = {}
    if anchor is not None:
        tabs = {
            "day": period_url(feed_queries.day_period(anchor)) + keep,
            "week": period_url(feed_queries.week_of(anchor)) + keep,
            "month": period_url(feed_queries.month_of(anchor)) + keep,
        }
    context = {
        "feed": result,
        "heading": heading,
        "subtitle": subtitle,
        "tab": tab,
        "tabs": tabs,
        "sort": sort,
        "sorts": FEED_SORTS if tab != "trending" else {},
        "has_code": has_code,
        "trending_url": "/papers/trending" + keep,
        "voted": voted_ids(store_of(request), account, ids),
        "curator": is_curator(account),
        "previous_url": period_url(result.previous) if result.previous else None,
        "next_url": period_url(result.next) if result.next else None,
        "base_url": request.url.path,
        "previous_label": period_label(result.previous),
        "next_label": period_label(result.next),
        "pages": page_numbers(result.page, result.total, result.limit),
        "calendar": _calendar(request, result, curator=is_curator(account)) if anchor else None,
        "invite": _invitation(request),
    }
    added = request.query_params.get("added")
    just_added = next((item.paper for item in result.items if item.paper.id == added), None)
    if just_added is not None:
        context["flash"] = f"Thanks: “{plain(just_added.title)}” is on this list now."
    return render(request, "feed.html", context)


def _calendar(request: Request, result: Feed, *, curator: bool) -> Any:
    """The month of the period shown, its days with lists marked (one query)."""
    assert result.period is not None
    anchor = result.period.end if result.period.kind == "window" else result.period.start
    start, end = month_bounds(anchor)
    listed = feed_queries.days_with_lists(store_of(request), start, end, include_hidden=curator)
    return month_calendar(anchor, listed, result.period.start if result.period.kind == "day" else None)


def _invitation(request: Request) -> dict[str, str] | None:
    """The digest invitation atop the feed: prefilled for a member, gone once they subscribed."""
    account = current_account(request)
    if account is None:
        return {"email": ""}
    if member_subscription(store_of(request), account.id, account.email):
        return None
    return {"email": account.email or ""}


@dataclass(frozen=True)
class Filters:
    """The search page's filters, kept in every link that pages through the results."""

    date_from: date | None
    date_to: date | None
    category: str
    author: str
    has_code: bool

    def query(self) -> dict[str, str]:
        values = {"date_from": self.date_from, "date_to": self.date_to, "category": self.category}
        shown = {key: str(value) for key, value in values.items() if value}
        if self.author:
            shown["author"] = self.author
        if self.has_code:
            shown["has_code"] = "true"
        return shown


def _search(request: Request, q: str, page: int, sort: str, filters: Filters) -> Response:
    if sort not in SEARCH_SORTS:
        raise HTTPException(400, f"unknown sort {sort!r}: use one of {', '.join(SEARCH_SORTS)}")
    account = current_account(request)
    search_request = SearchRequest(
        q=q,
        limit=SEARCH_PAGE_SIZE,
        offset=page * SEARCH_PAGE_SIZE,
        date_from=filters.date_from,
        date_to=filters.date_to,
        category=filters.category or None,
        author=filters.author or None,
        sort=sort,
        has_code=filters.has_code,
    )
    results = search_or_400(request, search_request)
    if results.exact_match and len(results.hits) == 1 and page == 0:  # an arXiv id or URL: go to the paper
        return RedirectResponse(f"/papers/{results.hits[0].paper.id}", status_code=302)
    hidden = hidden_ids(store_of(request), account.id if account else None, [h.paper.id for h in results.hits])
    results.hits = [hit for hit in results.hits if hit.paper.id not in hidden]  # the member's "not interested"
    ids = [hit.paper.id for hit in results.hits]
    context = {
        "q": q,
        "results": results,
        "page": page,
        "page_size": SEARCH_PAGE_SIZE,
        "sort": sort,
        "sorts": SEARCH_SORTS,
        "filters": filters,
        "filter_query": filters.query(),
        "voted": voted_ids(store_of(request), account, ids),
    }
    return render(request, "search.html", context)
