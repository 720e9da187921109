"""arXiv OAI-PMH (`ListRecords`), the way arXiv asks bulk harvesters to come: one page per request.

Two metadata formats are read. `arXivRaw` lists every version with its date, so records carry exact version
history (the default). `arXiv` has parsed author names but only the first (`created`) and last (`updated`)
dates and no version numbers, so its records stay at version 1 and rely on `updated_at` to win a merge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from xml.etree import ElementTree as ET

import httpx

from dailypapers.domain import (
    ImportItem,
    IngestError,
    InvalidArxivId,
    PaperRecord,
    normalize_space,
    parse_arxiv_id,
)
from dailypapers.ingest.http import PoliteClient, UnreadableReply
from dailypapers.ingest.kaggle import author_names, parse_categories, parse_rfc2822
from dailypapers.ingest.xml_reply import xml_root

OAI = "{http://www.openarchives.org/OAI/2.0/}"
ARXIV_NS = "{http://arxiv.org/OAI/arXiv/}"
RAW_NS = "{http://arxiv.org/OAI/arXivRaw/}"
FORMATS = ("arXivRaw", "arXiv")


class OaiError(IngestError):
    """The repository answered with an OAI-PMH error (bad argument, unknown format, …)."""


class ResumptionTokenExpired(OaiError):
    """The token of an interrupted harvest is no longer valid; the harvest restarts from its `from` date."""


@dataclass
class OaiPage:
    items: list[ImportItem] = field(default_factory=list)
    token: str | None = None  # None on the last page
    complete_size: int | None = None
    max_datestamp: str | None = None
    deleted: int = 0


def list_records(
    client: PoliteClient,
    base_url: str,
    *,
    prefix: str,
    set_spec: str | None = None,
    from_: str | None = None,
    until: str | None = None,
    token: str | None = None,
) -> OaiPage:
    """One ListRecords page: the first of a harvest (prefix/set/from/until) or the next one (token)."""
    if token:
        params = {"verb": "ListRecords", "resumptionToken": token}
    else:
        params = {"verb": "ListRecords", "metadataPrefix": prefix}
        params.update({k: v for k, v in (("set", set_spec), ("from", from_), ("until", until)) if v})

    def parse(reply: httpx.Response) -> OaiPage:
        return parse_page(reply.content, prefix)

    return client.get(base_url, params, parse=parse)


def parse_page(body: bytes, prefix: str) -> OaiPage:
    """A ListRecords reply → records; raises UnreadableReply when the XML is cut short or not OAI-PMH."""
    root = xml_root(body, f"{OAI}OAI-PMH", "an OAI-PMH reply")
    page = OaiPage()
    error = root.find(f"{OAI}error")
    if error is not None:
        code = error.get("code", "")
        if code == "noRecordsMatch":
            return page
        message = f"OAI-PMH error {code}: {normalize_space(error.text)}"
        raise ResumptionTokenExpired(message) if code == "badResumptionToken" else OaiError(message)
    listing = root.find(f"{OAI}ListRecords")
    if listing is None:
        raise UnreadableReply("reply has neither ListRecords nor an error")
    for number, record in enumerate(listing.findall(f"{OAI}record"), 1):
        header = record.find(f"{OAI}header")
        if header is None:
            page.items.append(ImportItem(line=number, error="record without a header"))
            continue
        stamp = (header.findtext(f"{OAI}datestamp") or "").strip()
        if stamp and (page.max_datestamp is None or stamp > page.max_datestamp):
            page.max_datestamp = stamp
        if header.get("status") == "deleted":
            page.deleted += 1
            continue
        identifier = (header.findtext(f"{OAI}identifier") or "").strip()
        try:
            paper = record_from_metadata(record.find(f"{OAI}metadata"), prefix)
        except ValueError as exc:
            page.items.append(ImportItem(line=number, error=f"{identifier}: {exc}"))
            continue
        page.items.append(ImportItem(line=number, paper=paper))
    token = listing.find(f"{OAI}resumptionToken")
    if token is not None:
        page.token = (token.text or "").strip() or None
        size = token.get("completeListSize")
        page.complete_size = int(size) if size and size.isdigit() else None
    return page


def record_from_metadata(metadata: ET.Element | None, prefix: str) -> PaperRecord:
    if metadata is None:
        raise ValueError("record without metadata")
    if prefix == "arXivRaw":
        element = metadata.find(f"{RAW_NS}arXivRaw")
        if element is None:
            raise ValueError("metadata is not arXivRaw")
        return _from_raw(element)
    element = metadata.find(f"{ARXIV_NS}arXiv")
    if element is None:
        raise ValueError("metadata is not in the arXiv format")
    return _from_arxiv(element)


def _from_arxiv(meta: ET.Element) -> PaperRecord:
    def text(name: str) -> str:
        return normalize_space(meta.findtext(f"{ARXIV_NS}{name}"))

    arxiv_id, title = _id_and_title(text("id"), text("title"))
    authors = []
    for author in meta.iter(f"{ARXIV_NS}author"):
        parts = [author.findtext(f"{ARXIV_NS}{n}") for n in ("forenames", "keyname", "suffix")]
        name = normalize_space(" ".join(p for p in parts if p))
        if name:
            authors.append(name)
    created = _day(text("created"))
    updated = _day(text("updated")) or created
    return PaperRecord(
        id=arxiv_id,
        version=1,
        title=title,
        abstract=text("abstract"),
        authors=authors,
        categories=parse_categories(text("categories")),
        comments=text("comments") or None,
        journal_ref=text("journal-ref") or None,
        doi=text("doi") or None,
        license=text("license") or None,
        report_no=text("report-no") or None,
        published_at=created,
        updated_at=updated,
        versions=[(1, created)],
    )


def _from_raw(meta: ET.Element) -> PaperRecord:
    def text(name: str) -> str:
        return normalize_space(meta.findtext(f"{RAW_NS}{name}"))

    arxiv_id, title = _id_and_title(text("id"), text("title"))
    versions: list[tuple[int, datetime | None]] = []
    for element in meta.findall(f"{RAW_NS}version"):
        label = (element.get("version") or "").lstrip("v")
        if label.isdigit():
            versions.append((int(label), parse_rfc2822(element.findtext(f"{RAW_NS}date"))))
    versions.sort(key=lambda v: v[0])
    if not versions:
        raise ValueError(f"{arxiv_id}: arXivRaw record lists no versions")
    return PaperRecord(
        id=arxiv_id,
        version=versions[-1][0],
        title=title,
        abstract=text("abstract"),
        authors=author_names({"authors": text("authors")}),
        categories=parse_categories(text("categories")),
        comments=text("comments") or None,
        journal_ref=text("journal-ref") or None,
        doi=text("doi") or None,
        license=text("license") or None,
        report_no=text("report-no") or None,
        published_at=versions[0][1],
        updated_at=versions[-1][1],
        versions=versions,
    )


def _id_and_title(raw_id: str, title: str) -> tuple[str, str]:
    try:
        arxiv_id = parse_arxiv_id(raw_id).id
    except InvalidArxivId as exc:
        raise ValueError(str(exc)) from None
    if not title:
        raise ValueError(f"{arxiv_id}: missing title")
    return arxiv_id, title


def _day(text: str) -> datetime | None:
    try:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)
    except ValueError:
        return None
