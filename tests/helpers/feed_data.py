"""Data for feed, API and RSS tests: real Hugging Face days from the shared archive, and small controlled lists.

Everything is written through the import service (the only way papers and listings get in), so tests read what
production would store.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from dailypapers.domain import ImportItem, ListingRecord, PaperRecord
from dailypapers.ingest.files import LineSource
from dailypapers.ingest.hf_daily import read_hf_daily
from dailypapers.services.imports import import_items
from dailypapers.storage import Store

HF_ARCHIVE = Path("data") / "hf-daily-papers-2024-2026.jsonl.gz"


def import_hf_days(store: Store, shared: Path, days: int) -> list[ImportItem]:
    """Import the first `days` days of the real HF Daily Papers archive; returns the items imported."""
    source = LineSource(shared / HF_ARCHIVE)
    items = [item for item in read_hf_daily(source) if item.line <= days]
    import_items(store, items)
    return items


def paper(
    paper_id: str,
    *,
    upvotes: int = 0,
    title: str | None = None,
    abstract: str = "We study things.",
    published: datetime | None = None,
    authors: list[str] | None = None,
) -> PaperRecord:
    published = published or datetime(2026, 11, 1, tzinfo=UTC)
    return PaperRecord(
        id=paper_id,
        title=title or f"Paper {paper_id}",
        abstract=abstract,
        authors=authors or ["Ada Lovelace", "Alan Turing"],
        categories=["cs.LG"],
        published_at=published,
        versions=[(1, published)],
        upvotes=upvotes,
    )


def listed(
    record: PaperRecord,
    day: date,
    *,
    hours_after_midnight: float = 8.0,
    by: str | None = "curator1",
    fullname: str | None = "Curator One",
) -> ImportItem:
    submitted = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=hours_after_midnight)
    listing = ListingRecord(day, record.id, submitted, by, fullname)
    return ImportItem(line=0, paper=record, listing=listing)


def add(store: Store, *items: ImportItem) -> None:
    import_items(store, list(items))
