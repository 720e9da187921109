"""Hugging Face Daily Papers API items (`GET /api/daily_papers`): papers, the day they were listed, upvotes.

Accepts the shared archive (one `{"date", "papers": [...]}` object a line) and a plain JSON array saved from the
endpoint (each item's day is then taken from its `publishedAt`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from typing import Any

from dailypapers.domain import (
    ImportItem,
    InvalidArxivId,
    ListingRecord,
    PaperRecord,
    normalize_space,
    parse_arxiv_id,
    safe_url,
)
from dailypapers.ingest.files import LineSource


def parse_iso(text: Any) -> datetime | None:
    if not text or not isinstance(text, str):
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def records_from_item(item: dict[str, Any], day: date | None) -> tuple[PaperRecord, ListingRecord]:
    """One daily-papers item → the paper and its listing; raises ValueError saying what is wrong."""
    if not isinstance(item, dict):
        raise ValueError("item is not a JSON object")
    paper = item.get("paper")
    if not isinstance(paper, dict):
        raise ValueError("item has no 'paper' object")
    try:
        arxiv = parse_arxiv_id(str(paper.get("id") or ""))
    except InvalidArxivId as exc:
        raise ValueError(str(exc)) from None
    title = normalize_space(paper.get("title") or item.get("title"))
    if not title:
        raise ValueError(f"{arxiv.id}: missing title")
    submitted_at = parse_iso(item.get("publishedAt")) or parse_iso(paper.get("submittedOnDailyAt"))
    listed_day = day or (submitted_at.date() if submitted_at else None)
    if listed_day is None:
        raise ValueError(f"{arxiv.id}: no date for the listing")
    published = parse_iso(paper.get("publishedAt"))
    authors = [
        normalize_space(a.get("name"))
        for a in paper.get("authors") or []
        if isinstance(a, dict) and not a.get("hidden") and normalize_space(a.get("name"))
    ]
    submitter = item.get("submittedBy") or paper.get("submittedOnDailyBy") or {}
    upvotes = paper.get("upvotes")
    record = PaperRecord(
        id=arxiv.id,
        version=arxiv.version or 1,
        title=title,
        abstract=normalize_space(paper.get("summary") or item.get("summary")),
        authors=authors,
        published_at=published,
        updated_at=None,  # HF does not say which version its text is; arXiv sources take precedence
        versions=[],
        upvotes=int(upvotes) if isinstance(upvotes, int) else None,
        num_comments=int(item["numComments"]) if isinstance(item.get("numComments"), int) else None,
        repo_url=safe_url(paper.get("githubRepo")) if isinstance(paper.get("githubRepo"), str) else None,
        project_page=safe_url(paper.get("projectPage")) if isinstance(paper.get("projectPage"), str) else None,
    )
    listing = ListingRecord(
        day=listed_day,
        paper_id=arxiv.id,
        submitted_at=submitted_at,
        submitter_name=(submitter.get("user") or submitter.get("name")) if isinstance(submitter, dict) else None,
        submitter_fullname=submitter.get("fullname") if isinstance(submitter, dict) else None,
    )
    return record, listing


def items_for_day(number: int, items: Iterable[Any], day: date | None) -> Iterator[ImportItem]:
    for item in items:
        try:
            paper, listing = records_from_item(item, day)
        except (ValueError, TypeError, AttributeError) as exc:
            yield ImportItem(line=number, error=str(exc))
            continue
        yield ImportItem(line=number, paper=paper, listing=listing)


# Names this parser in the digests of imported lines (services/import_lines): change it whenever a line would be
# stored differently (parsed here, or linked and hashed by services/imports), so that stores read every line again.
LINE_FORMAT = "hf-daily/1"


def is_json_array(source: LineSource) -> bool:
    """A whole-file JSON array (one API response) rather than one day per line."""
    return source.first_char() == "["


def read_hf_daily(source: LineSource) -> Iterator[ImportItem]:
    if is_json_array(source):
        try:
            items = json.loads(source.read_all())
        except json.JSONDecodeError as exc:
            yield ImportItem(line=exc.lineno, error=f"invalid JSON ({exc.msg} at column {exc.colno})")
            return
        yield from items_for_day(1, items, None)
        return
    for number, line in source:
        yield from items_from_line(number, line)


def items_from_line(number: int, line: str) -> list[ImportItem]:
    """The papers of one day's line (`{"date": …, "papers": […]}`), or why the line is rejected."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return [ImportItem(line=number, error=f"invalid JSON ({exc.msg} at column {exc.colno})")]
    if not isinstance(obj, dict) or not isinstance(obj.get("papers"), list):
        return [ImportItem(line=number, error="expected an object with 'date' and a 'papers' list")]
    try:
        day = date.fromisoformat(str(obj.get("date")))
    except ValueError:
        return [ImportItem(line=number, error=f"invalid date {obj.get('date')!r}")]
    return list(items_for_day(number, obj["papers"], day))
