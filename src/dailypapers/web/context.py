"""What every page handler shares: the store and config of the app, templates, and rendering with the session."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from dailypapers.config import Config
from dailypapers.queries.comments import unread_notifications
from dailypapers.storage import Store
from dailypapers.web.auth import CSRF_FIELD, csrf_token, current_account
from dailypapers.web.tex import tex_text

WEB_DIR = Path(__file__).parent
templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))


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
        "site_name": config.values["DAILYPAPERS_SITE_NAME"],
        "csrf_field": lambda: Markup('<input type="hidden" name="{}" value="{}">').format(
            CSRF_FIELD, csrf_token(request)
        ),
        "csrf_token": lambda: csrf_token(request),
        "unread_notifications": lambda: unread_notifications(store_of(request), current_account(request)),
    }
    return templates.TemplateResponse(request, template, {**base, **context}, status_code=status_code)


def authors_short(authors: list[str], shown: int = 4) -> str:
    """First few authors and how many more, as the feed cards show them."""
    if len(authors) <= shown:
        return ", ".join(authors)
    return f"{', '.join(authors[:shown])} +{len(authors) - shown}"


def excerpt(text: str, limit: int = 300) -> str:
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:") + "…"


def iso_time(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def nice_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(UTC).date()
    return f"{value.strftime('%b')} {value.day}, {value.year}"


templates.env.filters["authors_short"] = authors_short
templates.env.filters["excerpt"] = excerpt
templates.env.filters["nice_date"] = nice_date
templates.env.filters["iso_time"] = iso_time
templates.env.filters["tex_text"] = tex_text
