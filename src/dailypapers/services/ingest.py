"""Live ingest: the service functions the CLI, the web (submitting an unknown id) and the daily job call.

Every source is read through one PoliteClient and written through `services.imports`, page by page, so what a
run stored stays stored when a later page fails. Checkpoints live in `harvest_state`: an OAI harvest saves its
resumption token after each stored page and resumes there; each source records the last datestamp or day it
finished, so the next run asks only for what is new.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from dailypapers.config import Config
from dailypapers.domain import ImportSummary, NothingStored, PaperNotFound, parse_arxiv_id
from dailypapers.ingest import arxiv_api, hf_api, oai
from dailypapers.ingest.http import PoliteClient
from dailypapers.ingest.listing import NEW_TYPES, REPLACED_TYPES, fetch_listing
from dailypapers.services.imports import import_items, import_papers
from dailypapers.storage import Store
from dailypapers.storage import papers as paper_store
from dailypapers.storage.harvest import HarvestState, harvest_state_of, save_harvest_state

log = logging.getLogger("dailypapers.ingest")

FIRST_HARVEST_DAYS = 7  # an OAI harvest never run before starts this many days back unless told otherwise


@dataclass
class IngestReport:
    """What one run of one source did."""

    source: str
    summary: ImportSummary = field(default_factory=ImportSummary)
    requests: int = 0
    pages: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.summary.changed

    def line(self) -> str:
        text = f"{self.source}: {self.summary.line()}"
        extra = [*self.notes, f"{self.requests} request{'s' if self.requests != 1 else ''}"]
        return f"{text} ({'; '.join(extra)})"

    def reject(self, reasons: list[str]) -> None:
        """Entries a parser could not read before they reached the import service."""
        self.summary.rejected += len(reasons)
        self.summary.errors.extend(reasons)

    def checked(self) -> IngestReport:
        """This report, unless the answer held records and every one was rejected: then NothingStored says why."""
        s = self.summary
        if s.rejected and not (s.read or s.listings_new):
            first = s.errors[0] if s.errors else "no reason given"
            raise NothingStored(
                f"{self.source}: all {s.rejected} records in the answer were rejected, nothing was stored "
                f"(first: {first})"
            )
        return self

    def add(self, part: ImportSummary) -> None:
        for name in ("read", "new", "updated", "unchanged", "rejected", "listings_new"):
            setattr(self.summary, name, getattr(self.summary, name) + getattr(part, name))
        self.summary.errors.extend(part.errors)


@contextmanager
def _client(config: Config, client: PoliteClient | None, *, interactive: bool = False) -> Iterator[PoliteClient]:
    if client is not None:
        yield client
        return
    with PoliteClient(config, interactive=interactive) as own:
        yield own


def _url(config: Config, name: str, override: str | None) -> str:
    return (override or config.values[name]).rstrip("/")


def _load_state(store: Store, source: str) -> HarvestState:
    with store.read() as conn:
        return harvest_state_of(conn, source)


def _save_state(store: Store, state: HarvestState) -> None:
    with store.write() as conn:
        save_harvest_state(conn, state)


def oai_source(set_spec: str | None, prefix: str) -> str:
    return f"oai:{set_spec or 'all'}:{prefix}"


def harvest_oai(
    store: Store,
    config: Config,
    *,
    set_spec: str | None = None,
    prefix: str | None = None,
    from_: str | None = None,
    until: str | None = None,
    restart: bool = False,
    base_url: str | None = None,
    client: PoliteClient | None = None,
    on_page: Callable[[IngestReport], None] | None = None,
    today: date | None = None,
) -> IngestReport:
    """Harvest an OAI-PMH set page by page, checkpointing each page; resume an unfinished run unless `restart`."""
    set_spec = set_spec if set_spec is not None else (config.text("DAILYPAPERS_OAI_SET").strip() or None)
    prefix = prefix or config.text("DAILYPAPERS_OAI_FORMAT")
    if prefix not in oai.FORMATS:
        raise ValueError(f"unknown OAI format {prefix!r}; use one of {', '.join(oai.FORMATS)}")
    source = oai_source(set_spec, prefix)
    report = IngestReport(source)
    state = _load_state(store, source)
    cursor = {} if restart else state.cursor
    same_window = (from_ is None or from_ == cursor.get("from")) and (until is None or until == cursor.get("until"))
    token: str | None = None
    max_stamp: str | None = None
    if cursor.get("token") and same_window:
        token, from_, until = cursor["token"], cursor.get("from"), cursor.get("until")
        max_stamp = cursor.get("max_datestamp")
        report.notes.append("resumed from checkpoint")
    elif from_ is None:
        first = (today or datetime.now(UTC).date()) - timedelta(days=FIRST_HARVEST_DAYS)
        from_ = state.last_datestamp or first.isoformat()
    report.notes.append(f"from {from_ or 'the start'}" + (f" until {until}" if until else ""))
    url = _url(config, "DAILYPAPERS_ARXIV_OAI_URL", base_url)
    with _client(config, client) as http:
        restarted = False
        while True:
            try:
                page = oai.list_records(
                    http, url, prefix=prefix, set_spec=set_spec, from_=from_, until=until, token=token
                )
            except oai.ResumptionTokenExpired:
                if token is None or restarted:
                    raise
                log.warning("%s: resumption token expired; restarting from %s", source, from_)
                report.notes.append("token expired, restarted")
                token, restarted = None, True
                continue
            report.pages += 1
            report.requests = http.requests_made
            report.add(import_items(store, page.items))
            if page.max_datestamp and (max_stamp is None or page.max_datestamp > max_stamp):
                max_stamp = page.max_datestamp
            token = page.token
            if token:
                cursor = {"token": token, "from": from_, "until": until, "max_datestamp": max_stamp}
                _save_state(store, HarvestState(source, cursor, state.last_datestamp))
            else:
                last = max(filter(None, [state.last_datestamp, max_stamp]), default=None)
                _save_state(store, HarvestState(source, {}, last))
            if on_page:
                on_page(report)
            if not token:
                break
        report.requests = http.requests_made
    return report.checked()


def fetch_papers_by_id(
    store: Store,
    config: Config,
    ids: Sequence[str],
    *,
    base_url: str | None = None,
    client: PoliteClient | None = None,
) -> list[str]:
    """Fetch papers from the arXiv API and store them; returns their ids (without version).

    Raises InvalidArxivId before any request for text that is not an id, PaperNotFound (after storing the ones
    found) when arXiv lacks some, and IngestError when arXiv can't be reached. Meant for a member waiting on a
    page: two tries and short timeouts, so a failure is reported in seconds rather than minutes.
    """
    return _fetch_ids(store, config, ids, base_url=base_url, client=client, interactive=True)[0]


def ingest_arxiv_ids(
    store: Store,
    config: Config,
    ids: Sequence[str],
    *,
    base_url: str | None = None,
    client: PoliteClient | None = None,
) -> IngestReport:
    """`dailypapers ingest arxiv ID…`: like fetch_papers_by_id, with a report."""
    return _fetch_ids(store, config, ids, base_url=base_url, client=client, interactive=False)[1]


def _fetch_ids(
    store: Store,
    config: Config,
    ids: Sequence[str],
    *,
    base_url: str | None,
    client: PoliteClient | None,
    interactive: bool,
) -> tuple[list[str], IngestReport]:
    wanted = list(dict.fromkeys(str(parse_arxiv_id(text)) for text in ids))
    report = IngestReport("arxiv")
    if not wanted:
        return [], report
    url = _url(config, "DAILYPAPERS_ARXIV_API_URL", base_url)
    rejected: list[str] = []
    with _client(config, client, interactive=interactive) as http:
        records = arxiv_api.fetch_by_ids(http, url, wanted, rejected)
        report.requests = http.requests_made
    report.reject(rejected)
    report.checked()
    found = {r.id for r in records}
    bare = list(dict.fromkeys(parse_arxiv_id(w).id for w in wanted))
    if records:
        report.add(import_papers(store, records))
    missing = [i for i in bare if i not in found]
    if missing:
        raise PaperNotFound(missing)
    return bare, report


def ingest_arxiv_search(
    store: Store,
    config: Config,
    query: str,
    *,
    limit: int = 100,
    page_size: int = arxiv_api.PAGE_SIZE,
    base_url: str | None = None,
    client: PoliteClient | None = None,
) -> IngestReport:
    """Store the first `limit` results of an arXiv API search, `page_size` per request."""
    report = IngestReport(f"arxiv search {query!r}")
    url = _url(config, "DAILYPAPERS_ARXIV_API_URL", base_url)
    rejected: list[str] = []
    with _client(config, client) as http:
        for records in arxiv_api.search(http, url, query, limit=limit, page_size=page_size, rejected=rejected):
            report.pages += 1
            report.add(import_papers(store, records))
        report.requests = http.requests_made
    report.reject(rejected)
    return report.checked()


def ingest_listings(
    store: Store,
    config: Config,
    *,
    categories: Sequence[str] | None = None,
    force: bool = False,
    base_url: str | None = None,
    api_url: str | None = None,
    client: PoliteClient | None = None,
) -> IngestReport:
    """Today's announcements of `categories`: new papers and cross-lists, plus new versions of stored papers."""
    cats = list(categories or config.comma_list("DAILYPAPERS_CATEGORIES"))
    if not cats:
        raise ValueError("no categories to read: set DAILYPAPERS_CATEGORIES or pass some")
    source = "listing:" + "+".join(cats)
    report = IngestReport(source)
    state = _load_state(store, source)
    with _client(config, client) as http:
        listing = fetch_listing(http, _url(config, "DAILYPAPERS_ARXIV_LISTING_URL", base_url), cats)
        report.requests = http.requests_made
        if listing.day is None:
            report.notes.append("no announcements in the feed (weekend or holiday)")
            return report
        day = listing.day.isoformat()
        report.notes.append(f"announced {day}")
        if day == state.last_datestamp and not force:
            report.notes.append("already ingested")
            return report
        wanted = listing.ids(NEW_TYPES)
        replaced = listing.ids(REPLACED_TYPES)
        if replaced:
            with store.read() as conn:
                known = paper_store.paper_rows_by_ids(conn, replaced)
            wanted += [i for i in replaced if i in known]
        rejected: list[str] = []
        records = arxiv_api.fetch_by_ids(http, _url(config, "DAILYPAPERS_ARXIV_API_URL", api_url), wanted, rejected)
        report.requests = http.requests_made
    report.add(import_papers(store, records))
    report.reject(rejected)
    report.checked()
    missing = sorted(set(wanted) - {r.id for r in records})
    if missing:  # the API lags the feed now and then: leave the day open so the next run asks again
        report.notes.append(f"{len(missing)} announced ids not in the API yet, the next run asks again")
        return report
    _save_state(store, HarvestState(source, {}, max(filter(None, [state.last_datestamp, day]))))
    return report


def ingest_hf_day(
    store: Store,
    config: Config,
    day: date,
    *,
    endpoint: str | None = None,
    client: PoliteClient | None = None,
) -> IngestReport:
    """One day's curated list from a Hugging Face-compatible API: papers, the day's listings, upvotes."""
    url = _url(config, "DAILYPAPERS_HF_ENDPOINT", endpoint)
    source = f"hf:{url}"
    report = IngestReport(f"hf {day.isoformat()}")
    with _client(config, client) as http:
        items = hf_api.fetch_day(http, url, day)
        report.requests = http.requests_made
    report.add(import_items(store, items))
    report.checked()  # a day whose every item was rejected is not marked done
    state = _load_state(store, source)
    _save_state(store, HarvestState(source, {}, max(filter(None, [state.last_datestamp, day.isoformat()]))))
    return report
