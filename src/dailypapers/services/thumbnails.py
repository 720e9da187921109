"""Thumbnails of papers' first PDF pages: made when a paper enters a daily list, or queued when a page wants one.

`make_thumbnails` is the one function that makes them (`dailypapers thumbnails`, the daily job's last step, and
the served app's fetch worker for queued ones): it asks the store which papers are due, fetches each PDF through
the polite client paced by the store (so every process together keeps one request per DAILYPAPERS_HTTP_DELAY to
arxiv.org), draws page 1 (ingest/pdf.py) and writes the WebP file atomically (temporary file, then rename).
Every outcome is recorded: done; none (404 or not a PDF: tried again after a week, given up after a few tries);
failed (network, 5xx after the client's retries: tried again after an hour, doubling). One paper's failure never
stops the run. `request_thumbnail` (a paper page, a member's submission) only queues: no page waits on arXiv.
Paper pages queue within a site-wide limit (DAILYPAPERS_THUMBNAIL_RATE).
"""

from __future__ import annotations

import logging
import os
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from dailypapers.config import Config
from dailypapers.domain import IngestError
from dailypapers.ingest.http import PoliteClient
from dailypapers.ingest.pdf import UnrenderablePdf, fetch_pdf, first_page_thumbnail, pdf_url
from dailypapers.queries.thumbnails import thumbnail_file, thumbnail_path, thumbnails_enabled
from dailypapers.services.fetches import WAKE, StorePacer
from dailypapers.services.limits import hit
from dailypapers.storage import Store
from dailypapers.storage.thumbnails import (
    DueThumbnail,
    papers_due_thumbnails,
    save_thumbnail_outcome,
    thumbnail_queued,
    thumbnail_record,
)

log = logging.getLogger("dailypapers.thumbnails")

BATCH = 50
FAILED_RETRY = timedelta(hours=1)  # doubled with each further failed try
FAILED_ATTEMPTS = 6  # then given up (about 2 days of tries)
NONE_RETRY = timedelta(days=7)  # arXiv may make the PDF later (a paper whose PDF is still being generated)
NONE_ATTEMPTS = 3
MAX_DAYS = 36_500


@dataclass
class ThumbnailRun:
    """What a run did (`line()` is what the CLI and the daily job print)."""

    made: list[str] = field(default_factory=list)
    none: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    requests: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.made)

    @property
    def tried(self) -> int:
        return len(self.made) + len(self.none) + len(self.failed)

    def line(self) -> str:
        return (
            f"thumbnails: {len(self.made)} made, {len(self.none)} without a PDF, {len(self.failed)} failed "
            f"({self.requests} request{'s' if self.requests != 1 else ''})"
        )


def _now() -> datetime:
    return datetime.now(UTC)


def checked_days(days: int) -> int:
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"--days must be between 1 and {MAX_DAYS}, not {days}")
    return days


def make_thumbnails(
    store: Store,
    config: Config,
    *,
    days: int | None = 1,
    today: date | None = None,
    limit: int | None = None,
    interactive: bool = False,
) -> ThumbnailRun:
    """Make the thumbnails due: of papers on the lists of the last `days` days (today's is day 1) and any queued;
    with `days=None` only the queued ones. At most `limit` papers are tried. Off when DAILYPAPERS_ARXIV_PDF_URL is
    empty (an empty run)."""
    run = ThumbnailRun()
    if days is not None:
        checked_days(days)
    if limit is not None and limit < 1:
        raise ValueError(f"--limit must be at least 1, not {limit}")
    if not thumbnails_enabled(config):
        return run
    since = (today or _now().date()) - timedelta(days=days - 1) if days is not None else None
    base = config.text("DAILYPAPERS_ARXIV_PDF_URL")
    now = _now()

    def next_due(after: str) -> tuple[list[DueThumbnail], int]:
        size = BATCH if limit is None else min(BATCH, limit - run.tried)
        with store.read() as conn:
            return (papers_due_thumbnails(conn, since, now, after, size) if size > 0 else []), size

    due, size = next_due("")
    if not due:  # the fetch worker asks every few seconds: no client unless there is work
        return run
    with PoliteClient(config, interactive=interactive, pacer=StorePacer(store)) as http:
        while due:
            for paper in due:
                _make_one(store, config, http, pdf_url(base, paper.paper_id), paper, run)
            run.requests = http.requests_made
            if len(due) < size:
                break
            due, size = next_due(due[-1].paper_id)
    if run.tried:
        log.info("%s", run.line())
    return run


def _make_one(
    store: Store, config: Config, http: PoliteClient, url: str, paper: DueThumbnail, run: ThumbnailRun
) -> None:
    attempt = paper.attempts + 1
    try:
        path = thumbnail_path(config, paper.paper_id)
        reply = fetch_pdf(http, url)
        if reply.body is None:
            raise UnrenderablePdf(f"arXiv has no PDF at {url}: {reply.missing}")
        _write_atomically(path, first_page_thumbnail(reply.body))
    except ValueError as exc:  # UnrenderablePdf, or an id that names no file: trying again at once changes nothing
        later = _now() + NONE_RETRY if attempt < NONE_ATTEMPTS else None
        _record(store, paper, "none", attempt, later, str(exc))
        run.none.append(paper.paper_id)
        return
    except (IngestError, OSError) as exc:  # arXiv unreachable or failing; or the data directory refusing the file
        wait = FAILED_RETRY * 2 ** (attempt - 1)
        later = _now() + wait if attempt < FAILED_ATTEMPTS else None
        _record(store, paper, "failed", attempt, later, str(exc))
        run.failed.append(paper.paper_id)
        log.warning("thumbnail of %s failed (try %d): %s", paper.paper_id, attempt, exc)
        return
    with store.write() as conn:
        save_thumbnail_outcome(conn, paper.paper_id, "done", _now(), version=paper.version)
    run.made.append(paper.paper_id)


def _record(store: Store, paper: DueThumbnail, state: str, attempts: int, later: datetime | None, error: str) -> None:
    with store.write() as conn:
        save_thumbnail_outcome(
            conn, paper.paper_id, state, _now(), attempts=attempts, next_attempt_at=later, error=" ".join(error.split())
        )


def _write_atomically(path: os.PathLike[str], data: bytes) -> None:
    """Readers see the old file or the new one, never half of one (rename is atomic within a directory)."""
    target = os.fspath(path)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    temporary = f"{target}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        with open(temporary, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def request_thumbnail(store: Store, config: Config, paper_id: str, *, page_view: bool = False) -> bool:
    """Queue a thumbnail of a stored paper that has neither one nor a record of a try; True when queued.

    Returns at once: the fetch worker (or the next `dailypapers thumbnails`) makes it; the page shows the
    placeholder meanwhile. A paper already tried waits for its retry time. A `page_view` counts against the
    site-wide limit "thumbnail" (DAILYPAPERS_THUMBNAIL_RATE): over it nothing is queued, so a crawler walking
    every paper page cannot make the site download every PDF."""
    if not thumbnails_enabled(config) or thumbnail_file(config, paper_id) is not None:
        return False
    with store.read() as conn:
        record = thumbnail_record(conn, paper_id)
    if record is not None and record.state != "done":
        return False
    if page_view and hit(store, config, "thumbnail", "site") is not None:
        return False
    with store.write() as conn:
        if record is None:
            queued = thumbnail_queued(conn, paper_id, _now())
        else:  # made once, but the file is gone (a data directory restored without it): make it again
            save_thumbnail_outcome(conn, paper_id, "queued", _now(), next_attempt_at=_now())
            queued = True
    if queued:
        WAKE.set()
    return queued


def run_queued_thumbnails(store: Store, config: Config, limit: int = 3) -> int:
    """One fetch-worker step: make up to `limit` queued thumbnails; how many were tried."""
    return make_thumbnails(store, config, days=None, limit=limit, interactive=True).tried
