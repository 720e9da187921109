"""What every page handler shares: the store and config of the app, templates, and rendering with the session."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Path as PathParam
from fastapi import Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from dailypapers import excerpts
from dailypapers.config import Config
from dailypapers.domain import MAX_ROW_ID, safe_url
from dailypapers.latex import plain
from dailypapers.queries.collections import reading_list_ids
from dailypapers.queries.comments import unread_notifications
from dailypapers.queries.following import follows_of
from dailypapers.queries.thumbnails import thumbnail_file, thumbnail_url
from dailypapers.storage import Store
from dailypapers.web.auth import CSRF_FIELD, csrf_token, current_account
from dailypapers.web.tex import tex_html, tex_links, tex_snippet, tex_text

WEB_DIR = Path(__file__).parent
# The `?page=` of every paged page: from 0, bounded so a crafted number cannot ask for a huge OFFSET.
Page = Annotated[int, Query(ge=0, le=10_000)]
templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))

# Every integer id in a path: beyond the store's keys it is a 400 with a message, never a database error.
RowId = Annotated[int, PathParam(ge=1, le=MAX_ROW_ID, description="A row id, 1 to 2147483647")]


def store_of(request: Request) -> Store:
    return request.app.state.store


def config_of(request: Request) -> Config:
    return request.app.state.config


def render(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """Render a page with the signed-in account, the CSRF field and the site name available to the template."""
    config = config_of(request)
    base = {
        "request": request,
        "account": current_account(request),
        "site_name": config.text("DAILYPAPERS_SITE_NAME"),
        "csrf_field": lambda: Markup('<input type="hidden" name="{}" value="{}">').format(
            CSRF_FIELD, csrf_token(request)
        ),
        "csrf_token": lambda: csrf_token(request),
        "is_saved": _saved_lookup(request),
        "is_following": _follow_lookup(request),
        "thumbnail": lambda paper_id: thumbnail_url(paper_id) if thumbnail_file(config, paper_id) else None,
        "unread_notifications": lambda: unread_notifications(store_of(request), current_account(request)),
    }
    return templates.TemplateResponse(request, template, {**base, **context}, status_code=status_code)


def _saved_lookup(request: Request) -> Callable[[str], bool]:
    """`is_saved(paper_id)` for the save buttons on cards: the reading list is read once, on first use."""
    saved: set[str] | None = None

    def is_saved(paper_id: str) -> bool:
        nonlocal saved
        if saved is None:
            saved = reading_list_ids(store_of(request), current_account(request))
        return paper_id in saved

    return is_saved


def _follow_lookup(request: Request) -> Callable[[str, str], bool]:
    """`is_following(kind, target)` for follow buttons: the member's follows are read once, on first use."""
    follows: set[tuple[str, str]] | None = None

    def is_following(kind: str, target: str) -> bool:
        nonlocal follows
        if follows is None:
            account = current_account(request)
            follows = follows_of(store_of(request), account.id if account else None)
        return (kind, target) in follows

    return is_following


def authors_short(authors: list[str], shown: int = 4) -> str:
    """First few authors and how many more, as the feed cards show them."""
    if len(authors) <= shown:
        return ", ".join(authors)
    return f"{', '.join(authors[:shown])} +{len(authors) - shown}"


def excerpt(text: str, limit: int = 300) -> str:
    """The `excerpt` template filter: cards show about 300 characters."""
    return excerpts.excerpt(text, limit)


def iso_time(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def nice_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(UTC).date()
    return f"{value.strftime('%b')} {value.day}, {value.year}"


def author_url(name: str) -> str:
    """The author page of a name (every character escaped: names hold spaces, dots, apostrophes)."""
    return "/authors/" + quote(name, safe="")


templates.env.filters["authors_short"] = authors_short
templates.env.filters["author_url"] = author_url
templates.env.filters["excerpt"] = excerpt
templates.env.filters["nice_date"] = nice_date
templates.env.filters["iso_time"] = iso_time
templates.env.filters["tex_text"] = tex_text  # the paper page: math left for KaTeX
templates.env.filters["tex_links"] = tex_links  # arXiv comments: KaTeX math, http(s) URLs as links
templates.env.filters["tex_html"] = tex_html  # cards and lists: math as MathML
templates.env.filters["tex_snippet"] = tex_snippet  # search snippets (already escaped, with <mark>s)
templates.env.filters["tex_plain"] = plain  # <title>, attributes: plain Unicode text
templates.env.filters["safe_url"] = lambda url: safe_url(url) or ""  # every href built from stored data
