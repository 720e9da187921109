"""The fetch queue: papers members asked for that the store lacks, fetched from arXiv by a worker, not a request.

`request_fetch` records the wish (one row per arXiv id, deduplicated) and returns at once. A worker step
(`run_due_fetches`) claims due rows safely across processes (storage/fetches.py), asks arXiv for all of them in
one `id_list` request through the polite client, stores what came back through the import service, and settles
each row: done (and a waiting submission is listed), not_found, or queued again with doubling backoff until
DAILYPAPERS_FETCH_ATTEMPTS are spent (then failed). The pacing of those requests lives in the store
(`StorePacer`), so every worker of every process together keeps arXiv's one request per DAILYPAPERS_HTTP_DELAY.

Who runs the worker: `FetchWorker`, a thread in each served app of which one at a time holds the store lease
"fetch-worker"; `dailypapers fetches run`; and `dailypapers daily`, which drains the queue. The same thread also
makes queued thumbnails (services/thumbnails.py) when no fetch is due.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection

from dailypapers.config import Config
from dailypapers.domain import IngestError, PaperRecord, parse_arxiv_id
from dailypapers.ingest import arxiv_api
from dailypapers.ingest.http import PoliteClient
from dailypapers.services.collections import appended_items
from dailypapers.services.imports import import_papers
from dailypapers.storage import Store
from dailypapers.storage.collections import collection_by_id
from dailypapers.storage.fetches import (
    StoredFetch,
    claimed_fetches,
    collections_waiting_for,
    delete_collection_waits,
    insert_collection_wait,
    requested_fetch,
    settle_fetch,
)
from dailypapers.storage.leases import lease_released, lease_taken, pushed_back_slot, reserved_request_slot
from dailypapers.storage.listings import insert_listing

log = logging.getLogger("dailypapers.fetches")

CLAIM_SECONDS = 300  # a running row whose worker died is claimed again after this
LEASE_NAME = "fetch-worker"
LEASE_SECONDS = 60
MAX_BACKOFF = 3600.0
WAKE = threading.Event()  # set by request_fetch so this process's worker starts at once


def _now() -> datetime:
    return datetime.now(UTC)


def request_fetch(
    store: Store,
    arxiv_id: str,
    account_id: int | None,
    *,
    submission: tuple[int, date, str | None] | None = None,
    collection_id: int | None = None,
    now: datetime | None = None,
) -> StoredFetch:
    """Queue a fetch of `arxiv_id` (an id or URL; InvalidArxivId otherwise) and return its queue entry.

    Asking again for a queued or running id joins that request; a failed or not-found one is queued again.
    `submission` (account, day, comment) lists the paper on that day for that member once it arrives;
    `collection_id` adds it at the end of that collection then.
    """
    bare = parse_arxiv_id(arxiv_id).id
    now = now or _now()
    with store.write() as conn:
        entry = requested_fetch(conn, bare, account_id, now, submission)
        if collection_id is not None:
            insert_collection_wait(conn, bare, collection_id, now)
    WAKE.set()
    return entry


class StorePacer:
    """Request slots per host kept in the store, so all worker processes together keep one request per interval."""

    def __init__(self, store: Store):
        self.store = store

    def wait_turn(self, host: str, interval: float) -> None:
        with self.store.write() as conn:
            slot = reserved_request_slot(conn, host, interval)
        wait = (slot - _now()).total_seconds()
        if wait > 0:
            time.sleep(wait)

    def push_back(self, host: str, seconds: float) -> None:
        with self.store.write() as conn:
            pushed_back_slot(conn, host, _now() + timedelta(seconds=seconds))


@dataclass
class FetchRun:
    """What worker steps did (the daily job shows `line()`)."""

    claimed: int = 0
    requests: int = 0
    done: list[str] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)
    retrying: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.done)

    def line(self) -> str:
        return (
            f"fetches: {len(self.done)} done, {len(self.not_found)} not found, {len(self.retrying)} retrying, "
            f"{len(self.failed)} failed ({self.requests} request{'s' if self.requests != 1 else ''})"
        )

    def add(self, other: FetchRun) -> None:
        self.claimed += other.claimed
        self.requests += other.requests
        for name in ("done", "not_found", "retrying", "failed"):
            getattr(self, name).extend(getattr(other, name))


def run_due_fetches(
    store: Store, config: Config, *, now: datetime | None = None, batch: int = arxiv_api.ID_BATCH
) -> FetchRun:
    """One worker step: claim up to `batch` due rows, fetch them in one request, store and settle them."""
    now = now or _now()
    with store.write() as conn:
        claimed = claimed_fetches(conn, now, batch, now + timedelta(seconds=CLAIM_SECONDS))
    run = FetchRun(claimed=len(claimed))
    if not claimed:
        return run
    url = config.text("DAILYPAPERS_ARXIV_API_URL").rstrip("/")
    refused: dict[str, str] = {}
    try:
        with PoliteClient(config, interactive=True, pacer=StorePacer(store)) as http:
            try:
                records = arxiv_api.fetch_by_ids(http, url, [e.arxiv_id for e in claimed])
            except arxiv_api.ArxivApiError as exc:
                if len(claimed) == 1:
                    records, refused = [], {claimed[0].arxiv_id: str(exc)}
                else:  # one id spoils a whole id_list: ask for each on its own
                    records = _one_by_one(http, url, claimed, refused)
            run.requests = http.requests_made
    except IngestError as exc:
        _retry_later(store, config, claimed, str(exc), run)
        return run
    if records:
        import_papers(store, records)
    found = {r.id for r in records}
    settled = _now()
    with store.write() as conn:
        for entry in claimed:
            if entry.arxiv_id in found:
                _list_waiting_submission(conn, entry)
                _add_to_waiting_collections(conn, entry.arxiv_id)
                settle_fetch(conn, entry.arxiv_id, "done", settled)
                run.done.append(entry.arxiv_id)
            else:
                reason = refused.get(entry.arxiv_id, f"arXiv has no paper {entry.arxiv_id}")
                settle_fetch(conn, entry.arxiv_id, "not_found", settled, error=reason)
                delete_collection_waits(conn, entry.arxiv_id)
                run.not_found.append(entry.arxiv_id)
    return run


def _one_by_one(http: PoliteClient, url: str, claimed: list[StoredFetch], refused: dict[str, str]) -> list[PaperRecord]:
    records: list[PaperRecord] = []
    for entry in claimed:
        try:
            records.extend(arxiv_api.fetch_by_ids(http, url, [entry.arxiv_id]))
        except arxiv_api.ArxivApiError as exc:
            refused[entry.arxiv_id] = str(exc)
    return records


def _retry_later(store: Store, config: Config, claimed: list[StoredFetch], error: str, run: FetchRun) -> None:
    """arXiv could not be reached or failed: each row waits longer each time, and fails after its last attempt."""
    most = max(1, config.integer("DAILYPAPERS_FETCH_ATTEMPTS"))
    base = config.number("DAILYPAPERS_FETCH_BACKOFF")
    now = _now()
    with store.write() as conn:
        for entry in claimed:
            if entry.attempts >= most:
                settle_fetch(
                    conn, entry.arxiv_id, "failed", now, error=f"gave up after {entry.attempts} attempts: {error}"
                )
                delete_collection_waits(conn, entry.arxiv_id)
                run.failed.append(entry.arxiv_id)
            else:
                wait = min(MAX_BACKOFF, base * 2 ** (entry.attempts - 1))
                later = now + timedelta(seconds=wait)
                settle_fetch(conn, entry.arxiv_id, "queued", now, error=error, next_attempt_at=later)
                run.retrying.append(entry.arxiv_id)
    log.warning("fetching %d queued papers failed, will retry: %s", len(claimed), error)


def _list_waiting_submission(conn: Connection, entry: StoredFetch) -> None:
    if entry.submit_account_id is None or entry.submit_day is None:
        return
    insert_listing(
        conn,
        day=entry.submit_day,
        paper_id=entry.arxiv_id,
        account_id=entry.submit_account_id,
        submitted_at=entry.requested_at,
        comment=entry.submit_comment,
    )  # None when the paper got on that day's list meanwhile: nothing to add


def _add_to_waiting_collections(conn: Connection, arxiv_id: str) -> None:
    for collection_id in collections_waiting_for(conn, arxiv_id):
        found = collection_by_id(conn, collection_id)
        if found is not None:
            appended_items(conn, found, [arxiv_id])
    delete_collection_waits(conn, arxiv_id)


def drain_fetches(store: Store, config: Config) -> FetchRun:
    """Run worker steps until nothing is due (what `dailypapers daily` and `fetches run --once` do)."""
    total = FetchRun()
    for _ in range(10_000):
        run = run_due_fetches(store, config)
        total.add(run)
        if not run.claimed:
            break
    return total


class FetchWorker:
    """A thread that runs the queue while it holds the store lease, so N server workers act as one."""

    def __init__(self, store: Store, config: Config, *, poll: float | None = None):
        self.store, self.config = store, config
        self.poll = config.number("DAILYPAPERS_FETCH_POLL") if poll is None else poll
        self.holder = f"{uuid.uuid4().hex[:12]}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self.run, name="fetch-worker", daemon=True)

    def start(self) -> FetchWorker:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        WAKE.set()
        self._thread.join(timeout)

    def _thumbnails(self) -> int:
        """Thumbnails queued by paper pages and submissions are made by this worker too (arXiv work, one lease)."""
        from dailypapers.services.thumbnails import run_queued_thumbnails  # it builds on this module

        return run_queued_thumbnails(self.store, self.config)

    def run(self) -> None:
        """Take (or renew) the lease; while held, run steps until nothing is due, then sleep until woken."""
        try:
            while not self._stop.is_set():
                mine = False
                try:
                    now = _now()
                    with self.store.write() as conn:
                        mine = lease_taken(conn, LEASE_NAME, self.holder, now, now + timedelta(seconds=LEASE_SECONDS))
                    if mine and (run_due_fetches(self.store, self.config).claimed or self._thumbnails()):
                        continue
                except Exception:  # the store or arXiv misbehaving must not end the thread
                    log.exception("fetch worker step failed")
                WAKE.wait(self.poll if mine else LEASE_SECONDS / 2)
                WAKE.clear()
        finally:
            try:
                with self.store.write() as conn:
                    lease_released(conn, LEASE_NAME, self.holder)
            except Exception:
                log.debug("could not release the fetch-worker lease", exc_info=True)
