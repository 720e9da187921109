"""The Atom feed of one paper's discussion (`/papers/{id}/comments.atom`): its newest visible comments.

Built with the same ElementTree helpers as web/syndication.py, so every text is escaped by the XML writer; entry content
is the comment's sanitised HTML (type="html"), which feed readers render as they render any feed's HTML.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from fastapi import HTTPException, Request
from fastapi.responses import Response

from dailypapers.latex import plain
from dailypapers.queries import comments as comment_queries
from dailypapers.queries.feed import paper_detail
from dailypapers.web.context import config_of, store_of
from dailypapers.web.pages_discussion import paper_id_of
from dailypapers.web.syndication import ATOM_NS, FEED_SIZE, _atom_time, _sub


def thread_atom(request: Request, arxiv_id: str) -> Response:
    paper_id = paper_id_of(arxiv_id)
    store = store_of(request)
    detail = paper_detail(store, paper_id)
    if detail is None:
        raise HTTPException(404, f"there is no paper {paper_id!r} here")
    site_url = config_of(request).site_url
    page = f"{site_url}/papers/{paper_id}#discussion"
    self_url = f"{site_url}/papers/{paper_id}/comments.atom"
    rows = comment_queries.recent_comments(store, FEED_SIZE, paper_id)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _sub(feed, f"{{{ATOM_NS}}}id", self_url)
    _sub(feed, f"{{{ATOM_NS}}}title", f"Discussion: {plain(detail.paper.title)}")
    _sub(feed, f"{{{ATOM_NS}}}link", href=page, rel="alternate", type="text/html")
    _sub(feed, f"{{{ATOM_NS}}}link", href=self_url, rel="self", type="application/atom+xml")
    newest = max((c.updated_at for c in rows), default=detail.paper.ingested_at or datetime.now(UTC))
    _sub(feed, f"{{{ATOM_NS}}}updated", _atom_time(newest))
    for comment in rows:
        url = f"{site_url}/papers/{paper_id}#comment-{comment.id}"
        node = _sub(feed, f"{{{ATOM_NS}}}entry")
        _sub(node, f"{{{ATOM_NS}}}id", url)
        who = comment.author_username or "[deleted account]"
        _sub(node, f"{{{ATOM_NS}}}title", f"{who} on {plain(detail.paper.title)}")
        _sub(node, f"{{{ATOM_NS}}}link", href=url, rel="alternate", type="text/html")
        _sub(node, f"{{{ATOM_NS}}}published", _atom_time(comment.created_at))
        _sub(node, f"{{{ATOM_NS}}}updated", _atom_time(comment.updated_at))
        person = _sub(node, f"{{{ATOM_NS}}}author")
        _sub(person, f"{{{ATOM_NS}}}name", who)
        _sub(node, f"{{{ATOM_NS}}}content", comment.html, type="html")
    body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8", xml_declaration=False)
    return Response(body, media_type="application/atom+xml; charset=utf-8")
