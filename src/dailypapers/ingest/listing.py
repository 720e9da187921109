"""arXiv's daily announcement feeds (`rss.arxiv.org/atom/cs.LG+cs.CL`): which ids were announced today.

The feed says each id's announce type: `new`, `cross` (a cross-list from another category), `replace` and
`replace-cross` (a new version of an older paper). Metadata then comes from the arXiv API, which carries dates,
versions, comments and journal refs the feed lacks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import httpx

from dailypapers.domain import InvalidArxivId, parse_arxiv_id
from dailypapers.ingest.hf_daily import parse_iso
from dailypapers.ingest.http import PoliteClient
from dailypapers.ingest.xml_reply import ATOM, xml_root

ARXIV = "{http://arxiv.org/schemas/atom}"
NEW_TYPES = ("new", "cross")
REPLACED_TYPES = ("replace", "replace-cross")


@dataclass
class Announcement:
    id: str
    version: int | None
    kind: str  # new | cross | replace | replace-cross


@dataclass
class Listing:
    day: date | None  # the announcement day (arXiv's, US Eastern); None for an empty feed (weekends, holidays)
    announced: list[Announcement] = field(default_factory=list)

    def ids(self, kinds: Sequence[str]) -> list[str]:
        return list(dict.fromkeys(a.id for a in self.announced if a.kind in kinds))


def feed_url(base_url: str, categories: Sequence[str]) -> str:
    return f"{base_url.rstrip('/')}/{'+'.join(categories)}"


def fetch_listing(client: PoliteClient, base_url: str, categories: Sequence[str]) -> Listing:
    def parse(reply: httpx.Response) -> Listing:
        return parse_listing(reply.content)

    return client.get(feed_url(base_url, categories), parse=parse)


def parse_listing(body: bytes) -> Listing:
    """The feed → announcements, in feed order, each id once."""
    root = xml_root(body, f"{ATOM}feed", "an Atom feed")
    listing = Listing(day=None)
    seen: set[str] = set()
    for entry in root.iter(f"{ATOM}entry"):
        try:
            arxiv = parse_arxiv_id((entry.findtext(f"{ATOM}id") or "").replace("oai:arXiv.org:", ""))
        except InvalidArxivId:
            continue
        published = parse_iso(entry.findtext(f"{ATOM}published"))
        if published and listing.day is None:
            # arXiv stamps entries at midnight US Eastern: the date as written is the announcement day.
            listing.day = date.fromisoformat((entry.findtext(f"{ATOM}published") or "")[:10])
        kind = (entry.findtext(f"{ARXIV}announce_type") or "new").strip().lower()
        if arxiv.id not in seen:
            seen.add(arxiv.id)
            listing.announced.append(Announcement(arxiv.id, arxiv.version, kind))
    return listing
