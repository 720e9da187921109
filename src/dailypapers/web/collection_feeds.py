"""The Atom feed of a public collection: its papers in the owner's order, newest addition first in time stamps."""

from __future__ import annotations

from fastapi import HTTPException, Request
from fastapi.responses import Response

from dailypapers.queries import collections as cq
from dailypapers.web.context import config_of, store_of
from dailypapers.web.syndication import Channel, Entry, render_atom


def collection_atom(request: Request, slug: str) -> Response:
    """Atom of a public collection (private ones are 404 here even for the owner: feed readers share URLs)."""
    view = cq.visible_collection(store_of(request), slug, None)
    if view is None:
        raise HTTPException(404, f"there is no public collection {slug!r}")
    config = config_of(request)
    site, found = config.site_url, view.collection
    channel = Channel(
        f"{found.title} — a collection by {found.owner_username}",
        found.description or f"Papers {found.owner_username} collected.",
        f"{site}/collections/{found.slug}",
        f"{site}/collections/{found.slug}.atom",
        [Entry(entry.paper, entry.item.added_at, found.owner_username) for entry in view.entries],
    )
    return Response(render_atom(channel, site), media_type="application/atom+xml; charset=utf-8")
