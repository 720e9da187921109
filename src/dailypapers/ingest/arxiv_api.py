"""The arXiv API (`export.arxiv.org/api/query`, Atom): papers by id list, and paged searches.

An entry names its version in its id (`…/abs/2104.12255v2`); `published` is when v1 appeared and `updated` when
the named version did, so a record carries those two versions and a newer one wins when merged into the store.
arXiv reports a malformed id as an Atom entry under `arxiv.org/api/errors` (HTTP 400), which becomes ArxivApiError.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from xml.etree import ElementTree as ET

import httpx

from dailypapers.domain import IngestError, InvalidArxivId, PaperRecord, normalize_space, parse_arxiv_id
from dailypapers.ingest.hf_daily import parse_iso
from dailypapers.ingest.http import PoliteClient, UnreadableReply
from dailypapers.ingest.kaggle import parse_categories
from dailypapers.ingest.xml_reply import ATOM, xml_root

ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"

ID_BATCH = 100  # ids per request: URLs stay short and one reply stays small
PAGE_SIZE = 100


class ArxivApiError(IngestError):
    """arXiv refused the request itself (a malformed id or query)."""


@dataclass
class AtomPage:
    records: list[PaperRecord] = field(default_factory=list)
    total: int = 0
    start: int = 0
    errors: list[str] = field(default_factory=list)  # arXiv's error entries
    rejected: list[str] = field(default_factory=list)  # entries we could not read


def parse_feed(body: bytes) -> AtomPage:
    """One API reply → records; raises UnreadableReply when it is not a whole Atom feed."""
    root = xml_root(body, f"{ATOM}feed", "an Atom feed")
    page = AtomPage(total=_int(root.findtext(f"{OPENSEARCH}totalResults")))
    page.start = _int(root.findtext(f"{OPENSEARCH}startIndex"))
    for entry in root.iter(f"{ATOM}entry"):
        entry_id = entry.findtext(f"{ATOM}id") or ""
        if "/api/errors" in entry_id:
            page.errors.append(normalize_space(entry.findtext(f"{ATOM}summary")) or entry_id)
            continue
        try:
            page.records.append(record_from_entry(entry))
        except ValueError as exc:
            page.rejected.append(str(exc))
    return page


def record_from_entry(entry: ET.Element) -> PaperRecord:
    """One Atom entry → PaperRecord (ValueError saying what is missing)."""
    try:
        arxiv = parse_arxiv_id(entry.findtext(f"{ATOM}id") or "")
    except InvalidArxivId as exc:
        raise ValueError(str(exc)) from None
    title = normalize_space(entry.findtext(f"{ATOM}title"))
    if not title:
        raise ValueError(f"{arxiv.id}: entry has no title")
    published = parse_iso(entry.findtext(f"{ATOM}published"))
    updated = parse_iso(entry.findtext(f"{ATOM}updated")) or published
    version = arxiv.version or 1
    versions: list[tuple[int, datetime | None]] = [(1, published)]
    if version > 1:
        versions.append((version, updated))
    primary = entry.find(f"{ARXIV}primary_category")
    terms = [primary.get("term", "")] if primary is not None else []
    terms += [c.get("term", "") for c in entry.findall(f"{ATOM}category")]
    return PaperRecord(
        id=arxiv.id,
        version=version,
        title=title,
        abstract=normalize_space(entry.findtext(f"{ATOM}summary")),
        authors=[name for a in entry.findall(f"{ATOM}author") if (name := normalize_space(a.findtext(f"{ATOM}name")))],
        categories=parse_categories(" ".join(terms)),
        comments=normalize_space(entry.findtext(f"{ARXIV}comment")) or None,
        journal_ref=normalize_space(entry.findtext(f"{ARXIV}journal_ref")) or None,
        doi=normalize_space(entry.findtext(f"{ARXIV}doi")) or None,
        published_at=published,
        updated_at=updated,
        versions=versions,
    )


def fetch_by_ids(
    client: PoliteClient, base_url: str, ids: Sequence[str], rejected: list[str] | None = None
) -> list[PaperRecord]:
    """Records for `ids` (with or without version), in batches; ids arXiv does not know are simply absent.

    Entries that could not be read are appended to `rejected` (why, one line each) when it is given."""
    records: list[PaperRecord] = []
    for first in range(0, len(ids), ID_BATCH):
        batch = list(ids[first : first + ID_BATCH])
        params = {"id_list": ",".join(batch), "start": "0", "max_results": str(ID_BATCH)}
        page = client.get(base_url, params, parse=_ReplyParser(0), accept=(200, 400))
        records.extend(page.records)
        if rejected is not None:
            rejected.extend(page.rejected)
    return records


def search(
    client: PoliteClient,
    base_url: str,
    query: str,
    *,
    limit: int,
    page_size: int = PAGE_SIZE,
    rejected: list[str] | None = None,
) -> Iterator[list[PaperRecord]]:
    """Pages of records matching an arXiv search query, up to `limit` records in all (unreadable ones: `rejected`)."""
    start = 0
    while start < limit:
        size = min(page_size, limit - start)
        params = {"search_query": query, "start": str(start), "max_results": str(size)}
        page = client.get(base_url, params, parse=_ReplyParser(start), accept=(200, 400))
        if rejected is not None:
            rejected.extend(page.rejected)
        if not page.records:
            return
        yield page.records
        start += len(page.records) + len(page.rejected)
        if start >= page.total:
            return


class _ReplyParser:
    """Turns a reply into an AtomPage; arXiv's error entries become ArxivApiError, spurious empty pages retries."""

    def __init__(self, start: int):
        self.start = start

    def __call__(self, reply: httpx.Response) -> AtomPage:
        try:
            page = parse_feed(reply.content)
        except UnreadableReply:
            if reply.status_code != 200:
                raise IngestError(f"arXiv answered HTTP {reply.status_code}: {reply.text[:200]}") from None
            raise
        if page.errors:
            raise ArxivApiError(f"arXiv refused the request: {'; '.join(page.errors)}")
        if reply.status_code != 200:
            raise IngestError(f"arXiv answered HTTP {reply.status_code} without saying why")
        # arXiv sometimes serves an empty page in the middle of a result set; asking again fixes it.
        if not page.records and not page.rejected and self.start < page.total:
            raise UnreadableReply(f"empty page at {self.start} of {page.total} results")
        return page


def _int(text: str | None) -> int:
    try:
        return int((text or "0").strip())
    except ValueError:
        return 0
