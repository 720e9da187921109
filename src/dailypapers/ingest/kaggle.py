"""The Kaggle arXiv metadata snapshot (`arxiv-metadata-oai-snapshot.json`): one JSON object a line."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from dailypapers.domain import ImportItem, InvalidArxivId, PaperRecord, normalize_space, parse_arxiv_id
from dailypapers.ingest.files import LineSource

# arXiv categories look like cs.LG, hep-th, q-bio.NC, physics.comp-ph; the snapshot's category field sometimes
# carries MSC/ACM classes too ("68T45, I.2.10"), which are not arXiv categories and are dropped.
_CATEGORY = re.compile(r"^[a-z][a-z\-]*(\.[A-Za-z][A-Za-z\-]*)?$")


def parse_categories(text: str | None) -> list[str]:
    return list(dict.fromkeys(c for c in (text or "").split() if _CATEGORY.match(c)))


def parse_rfc2822(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return parsedate_to_datetime(text).astimezone(UTC)
    except (TypeError, ValueError):
        return None


def author_names(obj: dict[str, Any]) -> list[str]:
    """Ordered author names: from `authors_parsed` ([last, first, suffix]) when present, else the raw string."""
    parsed = obj.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        names = []
        for part in parsed:
            if not isinstance(part, list) or not part:
                continue
            last, first, suffix = [*list(part), "", "", ""][:3]
            names.append(normalize_space(" ".join(p for p in (first, last, suffix) if p)))
        if names:
            return names
    raw = normalize_space(obj.get("authors"))
    return [a.strip() for a in re.split(r",\s*|\s+and\s+", raw) if a.strip()]


def record_from_kaggle(obj: dict[str, Any]) -> PaperRecord:
    """Turn one snapshot object into a PaperRecord; raises ValueError saying what is wrong."""
    if not isinstance(obj, dict):
        raise ValueError("line is not a JSON object")
    try:
        arxiv = parse_arxiv_id(str(obj.get("id") or ""))
    except InvalidArxivId as exc:
        raise ValueError(str(exc)) from None
    title = normalize_space(obj.get("title"))
    if not title:
        raise ValueError(f"{arxiv.id}: missing title")
    versions: list[tuple[int, datetime | None]] = []
    for entry in obj.get("versions") or []:
        label = str(entry.get("version", "")).lstrip("v") if isinstance(entry, dict) else ""
        if label.isdigit():
            versions.append((int(label), parse_rfc2822(entry.get("created"))))
    versions.sort(key=lambda v: v[0])
    if not versions:
        versions = [(arxiv.version or 1, None)]
    update_date = obj.get("update_date")
    updated = versions[-1][1]
    if update_date:
        with contextlib.suppress(ValueError):
            updated = max(filter(None, [updated, datetime.fromisoformat(str(update_date)).replace(tzinfo=UTC)]))
    return PaperRecord(
        id=arxiv.id,
        version=versions[-1][0],
        title=title,
        abstract=normalize_space(obj.get("abstract")),
        authors=author_names(obj),
        categories=parse_categories(obj.get("categories")),
        comments=normalize_space(obj.get("comments")) or None,
        journal_ref=normalize_space(obj.get("journal-ref")) or None,
        doi=normalize_space(obj.get("doi")) or None,
        license=normalize_space(obj.get("license")) or None,
        report_no=normalize_space(obj.get("report-no")) or None,
        published_at=versions[0][1],
        updated_at=updated,
        versions=versions,
    )


# Names this parser in the digests of imported lines (services/import_lines): change it whenever a line would be
# stored differently (parsed here, or linked and hashed by services/imports), so that stores read every line again.
LINE_FORMAT = "kaggle/1"


def items_from_line(number: int, line: str) -> list[ImportItem]:
    """The one paper of a snapshot line, or why the line is rejected."""
    try:
        return [ImportItem(line=number, paper=record_from_kaggle(json.loads(line)))]
    except json.JSONDecodeError as exc:
        return [ImportItem(line=number, error=f"invalid JSON ({exc.msg} at column {exc.colno})")]
    except (ValueError, TypeError, AttributeError) as exc:
        return [ImportItem(line=number, error=str(exc))]


def read_kaggle(source: LineSource) -> Iterator[ImportItem]:
    for number, line in source:
        yield from items_from_line(number, line)
