"""RSS 2.0 and Atom feeds of the daily list, trending, and any search (`/papers.rss?q=…`).

Built with ElementTree, so every title and abstract is escaped by the XML writer, never by hand; characters XML 1.0
forbids (stray control codes in abstracts) are dropped so feed readers never choke. Readers decode an item's
`<description>` (and Atom `summary type="html"`) as HTML, so that HTML is built from escaped text and then cleaned
by nh3 (the maintained Rust `ammonia` sanitiser) down to a few inline tags and http(s) links: whatever an abstract
holds, no `<script>`, handler attribute or `javascript:` link reaches a reader.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Annotated, Literal

import nh3
from fastapi import HTTPException, Query, Request
from fastapi.responses import Response
from markupsafe import escape

from dailypapers.domain import safe_url
from dailypapers.latex import plain
from dailypapers.queries import feed as feed_queries
from dailypapers.storage.feed import FeedRow
from dailypapers.storage.papers import StoredPaper
from dailypapers.web.context import config_of, store_of
from dailypapers.web.searching import SearchRequest, search_or_400
from dailypapers.web.tex import tex_feed

ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/elements/1.1/"
FEED_SIZE = 50
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
ET.register_namespace("atom", ATOM_NS)
ET.register_namespace("dc", DC_NS)

Format = Literal["rss", "atom"]
FEED_TAGS = {"p", "em", "strong", "code", "span", "a", "br"}


@dataclass
class Entry:
    paper: StoredPaper
    listed_at: datetime | None = None
    submitter: str | None = None


@dataclass
class Channel:
    title: str
    description: str
    page_url: str  # the HTML page the feed mirrors
    self_url: str
    entries: list[Entry] = field(default_factory=list)


def _clean(text: str | None) -> str:
    return _NOT_XML.sub("", text or "")


def _when(entry: Entry) -> datetime:
    return entry.listed_at or entry.paper.published_at or entry.paper.ingested_at


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = _clean(text)
    return element


def summary_html(entry: Entry) -> str:
    """An item's HTML for feed readers: authors, the abstract (text-mode LaTeX as on the site, math as plain text:
    readers run no KaTeX and few show MathML), code link, votes."""
    paper = entry.paper
    parts = [f"<p>{escape(', '.join(paper.authors))}</p>"] if paper.authors else []
    if paper.glance and paper.glance.summary:
        parts.append(f"<p>TL;DR: {tex_feed(paper.glance.summary)}</p>")
    parts.append(f"<p>{tex_feed(paper.abstract)}</p>")
    code = safe_url(paper.code_url)
    if code:
        parts.append(f'<p><a href="{escape(code)}">Code</a></p>')
    by = f", submitted by {escape(entry.submitter)}" if entry.submitter else ""
    parts.append(f"<p>{paper.upvotes} upvotes{by}</p>")
    return nh3.clean(
        "".join(parts),
        tags=FEED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer",
    )


def render_rss(channel: Channel, site_url: str) -> bytes:
    rss = ET.Element("rss", {"version": "2.0"})
    ch = _sub(rss, "channel")
    _sub(ch, "title", channel.title)
    _sub(ch, "link", channel.page_url)
    _sub(ch, "description", channel.description)
    _sub(ch, f"{{{ATOM_NS}}}link", href=channel.self_url, rel="self", type="application/rss+xml")
    newest = max((_when(e) for e in channel.entries), default=datetime.now(UTC))
    _sub(ch, "lastBuildDate", format_datetime(newest.astimezone(UTC), usegmt=True))
    for entry in channel.entries:
        paper = entry.paper
        url = f"{site_url}/papers/{paper.id}"
        item = _sub(ch, "item")
        _sub(item, "title", plain(paper.title))
        _sub(item, "link", url)
        _sub(item, "guid", url, isPermaLink="true")
        _sub(item, "description", summary_html(entry))
        _sub(item, "pubDate", format_datetime(_when(entry).astimezone(UTC), usegmt=True))
        for author in paper.authors[:20]:
            _sub(item, f"{{{DC_NS}}}creator", author)
        for category in paper.categories:
            _sub(item, "category", category)
        _sub(item, "comments", url)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(rss, encoding="utf-8", xml_declaration=False)


def _atom_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def render_atom(channel: Channel, site_url: str) -> bytes:
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _sub(feed, f"{{{ATOM_NS}}}id", channel.self_url)
    _sub(feed, f"{{{ATOM_NS}}}title", channel.title)
    _sub(feed, f"{{{ATOM_NS}}}subtitle", channel.description)
    _sub(feed, f"{{{ATOM_NS}}}link", href=channel.page_url, rel="alternate", type="text/html")
    _sub(feed, f"{{{ATOM_NS}}}link", href=channel.self_url, rel="self", type="application/atom+xml")
    newest = max((_when(e) for e in channel.entries), default=datetime.now(UTC))
    _sub(feed, f"{{{ATOM_NS}}}updated", _atom_time(newest))
    author = _sub(feed, f"{{{ATOM_NS}}}author")
    _sub(author, f"{{{ATOM_NS}}}name", channel.title)
    for entry in channel.entries:
        paper = entry.paper
        url = f"{site_url}/papers/{paper.id}"
        node = _sub(feed, f"{{{ATOM_NS}}}entry")
        _sub(node, f"{{{ATOM_NS}}}id", url)
        _sub(node, f"{{{ATOM_NS}}}title", plain(paper.title))
        _sub(node, f"{{{ATOM_NS}}}link", href=url, rel="alternate", type="text/html")
        _sub(node, f"{{{ATOM_NS}}}link", href=paper.abs_url, rel="related", title="arXiv")
        _sub(node, f"{{{ATOM_NS}}}updated", _atom_time(_when(entry)))
        if paper.published_at:
            _sub(node, f"{{{ATOM_NS}}}published", _atom_time(paper.published_at))
        for name in paper.authors[:20] or ["Unknown"]:
            person = _sub(node, f"{{{ATOM_NS}}}author")
            _sub(person, f"{{{ATOM_NS}}}name", name)
        for category in paper.categories:
            _sub(node, f"{{{ATOM_NS}}}category", term=category)
        _sub(node, f"{{{ATOM_NS}}}summary", summary_html(entry), type="html")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8", xml_declaration=False)


def _respond(request: Request, channel: Channel, fmt: Format) -> Response:
    site_url = config_of(request).site_url
    if fmt == "rss":
        return Response(render_rss(channel, site_url), media_type="application/rss+xml; charset=utf-8")
    return Response(render_atom(channel, site_url), media_type="application/atom+xml; charset=utf-8")


def _entries(rows: list[FeedRow]) -> list[Entry]:
    return [
        Entry(row.paper, row.listing.submitted_at, row.submitter.username if row.submitter else None) for row in rows
    ]


def _self_url(request: Request) -> str:
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{config_of(request).site_url}{request.url.path}{query}"


def _papers_feed(request: Request, fmt: Format, text: str | None, date: str | None, has_code: bool) -> Response:
    config, store = config_of(request), store_of(request)
    site, name = config.site_url, config.text("DAILYPAPERS_SITE_NAME")
    if text is not None and text.strip():
        return _search_feed(request, fmt, text.strip(), has_code)
    try:
        period = feed_queries.parse_day(date.strip()) if date else None
    except feed_queries.InvalidPeriod as exc:
        raise HTTPException(400, str(exc)) from exc
    result = feed_queries.feed(store, config, period=period, limit=FEED_SIZE, has_code=has_code)
    label = result.period.label if result.period else "no papers yet"
    page = f"{site}/papers/date/{result.period.label}" if result.period else f"{site}/papers"
    channel = Channel(
        f"{name}: daily papers {label}",
        f"Papers the community put on the list of {label}, most upvoted first.",
        page,
        _self_url(request),
        _entries([item.row for item in result.items]),
    )
    return _respond(request, channel, fmt)


def _search_feed(request: Request, fmt: Format, text: str, has_code: bool) -> Response:
    config = config_of(request)
    results = search_or_400(request, SearchRequest(q=text, limit=FEED_SIZE, has_code=has_code, snippets=False))
    name, site = config.text("DAILYPAPERS_SITE_NAME"), config.site_url
    from urllib.parse import urlencode

    channel = Channel(
        f"{name}: search {text}",
        f"Papers matching “{text}”, best match first.",
        f"{site}/papers?{urlencode({'q': text})}",
        _self_url(request),
        [Entry(hit.paper) for hit in results.hits],
    )
    return _respond(request, channel, fmt)


QueryText = Annotated[str | None, Query(alias="q", max_length=500, description="A search; omit for the daily list")]
DayText = Annotated[str | None, Query(description="A day, YYYY-MM-DD (default: the latest day with papers)")]
HasCode = Annotated[bool, Query(description="1 or true: only papers with a code repository")]


def papers_rss(request: Request, query: QueryText = None, date: DayText = None, has_code: HasCode = False) -> Response:
    """RSS 2.0 of the latest day's list (or `date`), or of a search with `q`."""
    return _papers_feed(request, "rss", query, date, has_code)


def papers_atom(request: Request, query: QueryText = None, date: DayText = None, has_code: HasCode = False) -> Response:
    """Atom of the latest day's list (or `date`), or of a search with `q`."""
    return _papers_feed(request, "atom", query, date, has_code)


def _trending_feed(request: Request, fmt: Format, has_code: bool) -> Response:
    config = config_of(request)
    result = feed_queries.trending(store_of(request), config, limit=FEED_SIZE, has_code=has_code)
    name, site = config.text("DAILYPAPERS_SITE_NAME"), config.site_url
    channel = Channel(
        f"{name}: trending papers",
        "Papers from the last days, by upvotes decayed with age.",
        f"{site}/papers/trending",
        _self_url(request),
        _entries([item.row for item in result.items]),
    )
    return _respond(request, channel, fmt)


def trending_rss(request: Request, has_code: HasCode = False) -> Response:
    """RSS 2.0 of trending papers."""
    return _trending_feed(request, "rss", has_code)


def trending_atom(request: Request, has_code: HasCode = False) -> Response:
    """Atom of trending papers."""
    return _trending_feed(request, "atom", has_code)
