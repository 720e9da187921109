"""The one way papers and listings enter the store, for bulk files and live sources alike.

Records are merged into what is stored (a source that lacks a field never blanks it; a newer version wins),
compared by content hash, and written in batches of one transaction each: an interrupted import leaves whole
batches behind and re-running it finishes the job, touching nothing already stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from dailypapers.domain import ImportItem, ImportSummary, ListingRecord, PaperRecord
from dailypapers.links import Links
from dailypapers.storage import Store
from dailypapers.storage import accounts as account_store
from dailypapers.storage import import_lines as line_store
from dailypapers.storage import listings as listing_store
from dailypapers.storage import papers as paper_store

BATCH_SIZE = 2000

_TEXT_FIELDS = ("title", "abstract", "comments", "journal_ref", "doi", "license", "report_no")


def import_items(
    store: Store,
    items: Iterable[ImportItem],
    *,
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[ImportSummary], None] | None = None,
) -> ImportSummary:
    """Store every paper and listing in `items`; rejected items are counted and their reasons kept.

    Reading and hashing the next batch overlaps writing earlier ones (each batch its own transaction), so the
    database works while Python parses. The store says how many batches may be written at once
    (`PaperWrites.concurrent_batches`: one on SQLite, whose writers queue anyway; two on PostgreSQL, whose
    server-side text indexing is most of an import). A batch sharing a paper with one in flight waits for it,
    so it reads that paper's stored hash after the earlier write committed."""
    summary = ImportSummary()
    iterator = iter(items)
    writers = store.paper_writes.concurrent_batches
    in_flight: list[tuple[Future[ImportSummary], set[str]]] = []

    def finish_oldest() -> None:
        future, _ = in_flight.pop(0)
        _add(summary, future.result())
        if on_batch:
            on_batch(summary)

    with ThreadPoolExecutor(max_workers=writers, thread_name_prefix="import-writer") as pool:
        try:
            while batch := list(islice(iterator, batch_size)):
                prepared = _prepare(batch, summary)
                if prepared.empty:  # every line was imported before: nothing to write
                    if on_batch:
                        on_batch(summary)
                    continue
                ids = set(prepared.rows)
                while in_flight and (len(in_flight) >= writers or any(ids & other for _, other in in_flight)):
                    finish_oldest()
                in_flight.append((pool.submit(_write_batch, store, prepared), ids))
            while in_flight:
                finish_oldest()
        finally:  # interrupted: let the batches being written finish (or fail) whole
            for future, _ in in_flight:
                if future.exception() is None:
                    _add(summary, future.result())
    return summary


def _add(summary: ImportSummary, written: ImportSummary) -> None:
    summary.new += written.new
    summary.updated += written.updated
    summary.unchanged += written.unchanged
    summary.listings_new += written.listings_new


@dataclass
class _Batch:
    """One batch, parsed and hashed: each paper's row ready to insert, and the listings it brings."""

    records: list[PaperRecord]
    rows: dict[str, dict[str, Any]]
    listings: list[ListingRecord]
    repeats: int  # items naming a paper already in the batch (listed on two days): stored once, counted unchanged
    lines: dict[str, int]  # digests of the bulk-file lines this batch completes, with their item counts

    @property
    def empty(self) -> bool:
        return not (self.rows or self.listings or self.lines)


def _prepare(batch: list[ImportItem], summary: ImportSummary) -> _Batch:
    """The CPU half of a batch, done while the previous batch is written: merge repeats, find links, hash."""
    papers: dict[str, PaperRecord] = {}
    listings: list[ListingRecord] = []
    read = 0
    for item in batch:
        if item.skipped:
            summary.read += item.skipped
            summary.unchanged += item.skipped
            continue
        if item.error or item.paper is None:
            summary.rejected += 1
            summary.errors.append(f"line {item.line}: {item.error or 'no paper'}")
            continue
        read += 1
        earlier = papers.get(item.paper.id)
        papers[item.paper.id] = merge_records(earlier, item.paper) if earlier else item.paper
        if item.listing:
            listings.append(item.listing)
    now = datetime.now(UTC)
    rows = {}
    for record in papers.values():
        links = record.links()
        rows[record.id] = _row(record, now, links, record.content_hash(links))
    summary.read += read
    return _Batch(list(papers.values()), rows, listings, read - len(papers), _completed_lines(batch))


def _completed_lines(batch: list[ImportItem]) -> dict[str, int]:
    """The lines whose every item is in this batch, so that they are stored once it commits.

    A line cut by a batch boundary is left out (it is parsed again on a re-run): with batches written two at a
    time, its first part might not commit while this one does."""
    per_line: dict[int, int] = {}
    for item in batch:
        per_line[item.line] = per_line.get(item.line, 0) + 1
    return {
        item.completes_line[0]: item.completes_line[1]
        for item in batch
        if item.completes_line and per_line[item.line] == item.completes_line[1]
    }


def _write_batch(store: Store, batch: _Batch) -> ImportSummary:
    """Write one prepared batch in one transaction (in a writer thread); returns what it stored."""
    written = ImportSummary()
    with store.write() as conn:
        _write_papers(conn, store, batch, written)
        written.listings_new = listing_store.insert_listings(conn, [_listing_row(li) for li in batch.listings])
        # Imported submitters' names are kept apart from accounts: sign-up refuses them (services/accounts).
        # Sorted, so that two batches written at once take the names' row locks in the same order.
        names = sorted({li.submitter_name for li in batch.listings if li.submitter_name})
        account_store.insert_imported_submitters(conn, names)
        line_store.record_import_lines(conn, batch.lines, datetime.now(UTC))
    return written


def import_papers(store: Store, records: Iterable[PaperRecord]) -> ImportSummary:
    """Store papers fetched from a live source."""
    return import_items(store, (ImportItem(line=n, paper=r) for n, r in enumerate(records, 1)))


def _write_papers(conn: Any, store: Store, batch: _Batch, summary: ImportSummary) -> None:
    """Insert new papers, merge changed ones; a paper whose record hashes as stored costs one hash and no reads.

    A record hashing like the stored paper is that paper's content, and merging a paper with itself changes
    nothing, so re-running an import reads one column per batch instead of every row and its versions."""
    now = datetime.now(UTC)
    stored_hashes = store.paper_writes.content_hashes_by_ids(conn, list(batch.rows))
    inserts, changed = [], []
    for record in batch.records:
        row = batch.rows[record.id]
        stored_hash = stored_hashes.get(record.id)
        if stored_hash is None:
            inserts.append(row)
        elif stored_hash == row["content_hash"]:
            summary.unchanged += 1
        else:
            changed.append(record)
    updates = []
    if changed:
        ids = [r.id for r in changed]
        stored = paper_store.paper_rows_by_ids(conn, ids)
        stored_versions = paper_store.versions_by_paper(conn, ids)
        for record in changed:
            row = stored[record.id]
            merged = merge_records(_record_from_row(row, stored_versions.get(record.id, [])), record)
            new_row = _row(merged, now)
            if new_row["content_hash"] == row["content_hash"]:
                summary.unchanged += 1
            else:
                updates.append(new_row)
    with store.text_index.indexing_in_bulk(conn, [row["id"] for row in inserts]):
        store.paper_writes.insert_papers(conn, inserts)
    paper_store.update_papers(conn, updates)
    summary.new += len(inserts)
    summary.updated += len(updates)
    summary.unchanged += batch.repeats  # so that read == new + updated + unchanged always holds


def merge_records(old: PaperRecord, new: PaperRecord) -> PaperRecord:
    """Combine what is known of one paper: newer versions win, missing fields never blank stored ones.

    At the same version, a record overrides only if it is strictly more recent (arXiv corrects journal-refs
    and DOIs without a new version), so re-importing anything, in any order, changes nothing.
    """
    newer = new.version > old.version or (
        new.version == old.version
        and new.updated_at is not None
        and (old.updated_at is None or new.updated_at > old.updated_at)
    )
    merged = PaperRecord(**{**old.__dict__})
    for name in (*_TEXT_FIELDS, "repo_url", "project_page"):
        incoming = getattr(new, name)
        if incoming and (newer or not getattr(old, name)):
            setattr(merged, name, incoming)
    if new.authors and (newer or not old.authors):
        merged.authors = list(new.authors)
    if new.categories and (newer or not old.categories):
        merged.categories = list(new.categories)
    merged.version = max(old.version, new.version)
    versions = dict(old.versions)
    for number, created in new.versions:
        versions[number] = created or versions.get(number)
    merged.versions = sorted(versions.items())
    merged.published_at = _earliest(old.published_at, new.published_at)
    merged.updated_at = _latest(old.updated_at, new.updated_at)
    if new.upvotes is not None:
        merged.upvotes = max(new.upvotes, old.upvotes or 0)
    if new.num_comments is not None:
        merged.num_comments = max(new.num_comments, old.num_comments or 0)
    return merged


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return min(x for x in (a, b) if x) if (a or b) else None


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    return max(x for x in (a, b) if x) if (a or b) else None


def _row(record: PaperRecord, now: datetime, links: Links | None = None, digest: str | None = None) -> dict[str, Any]:
    """The stored row of a record; `links` and `digest` are its links() and content_hash() when already known."""
    links = links or record.links()
    versions = record.effective_versions()
    return {
        "id": record.id,
        "version": record.version,
        "title": record.title,
        "abstract": record.abstract,
        "authors": record.authors,
        "primary_category": record.primary_category,
        "categories": record.categories,
        "comments": record.comments,
        "journal_ref": record.journal_ref,
        "doi": record.doi,
        "license": record.license,
        "report_no": record.report_no,
        "code_url": links.code,
        "project_url": links.project,
        "published_at": record.published_at,
        "updated_at": record.updated_at,
        "imported_upvotes": record.upvotes or 0,
        "num_comments": record.num_comments or 0,
        "content_hash": digest or record.content_hash(links),
        "ingested_at": now,
        "_versions": versions,
    }


def _record_from_row(row: dict[str, Any], versions: list[tuple[int, datetime | None]]) -> PaperRecord:
    code_url = row["code_url"]
    return PaperRecord(
        id=row["id"],
        version=row["version"],
        title=row["title"],
        abstract=row["abstract"],
        authors=list(row["authors"]),
        categories=list(row["categories"]),
        comments=row["comments"],
        journal_ref=row["journal_ref"],
        doi=row["doi"],
        license=row["license"],
        report_no=row["report_no"],
        published_at=row["published_at"],
        updated_at=row["updated_at"],
        versions=versions,
        upvotes=row["imported_upvotes"] or None,
        num_comments=row["num_comments"] or None,
        repo_url=code_url,
        project_page=row.get("project_url"),
    )


def _listing_row(listing: ListingRecord) -> dict[str, Any]:
    return {
        "day": listing.day,
        "paper_id": listing.paper_id,
        "submitted_at": listing.submitted_at or datetime.now(UTC),
        "submitter_name": listing.submitter_name,
        "submitter_fullname": listing.submitter_fullname,
        "hidden": False,
    }
