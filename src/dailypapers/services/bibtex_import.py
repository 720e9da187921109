"""Import a BibTeX file into a collection: match each entry to a stored paper, add the matches, report the rest.

Matching, in order: the arXiv id (see ingest/bibtex.py for where it is found), then the DOI, then the exact title
(compared as normalised words; candidates come from full-text search). An arXiv id the store lacks is reported as
"not in the store yet" and queued for fetching (services/fetches.py: the web upload answers at once, the paper
arrives with the queue's pacing and the worker adds it to the collection then); with `fetch=True` (the CLI's `--fetch`)
those are fetched from the arXiv API first, in batches through the polite client.
Broken entries are reported with their line and the rest is imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dailypapers.config import Config
from dailypapers.domain import IngestError, PaperNotFound
from dailypapers.ingest.bibtex import BibEntry, normalize_title, read_bibtex
from dailypapers.services.collections import CollectionError, add_items, owned_collection
from dailypapers.services.fetches import request_fetch
from dailypapers.storage import Store
from dailypapers.storage import papers as paper_store
from dailypapers.storage.accounts import StoredAccount

MAX_BYTES = 10 * 1024 * 1024
TITLE_CANDIDATES = 5


@dataclass
class BibImportReport:
    added: list[str] = field(default_factory=list)  # paper ids newly put in the collection
    already: list[str] = field(default_factory=list)  # matched, and already in it
    fetched: list[str] = field(default_factory=list)  # fetched from arXiv for this import
    queued: list[str] = field(default_factory=list)  # put on the fetch queue for this import
    not_in_store: list[tuple[int, str, str]] = field(default_factory=list)  # (line, key, arXiv id)
    unmatched: list[tuple[int, str, str]] = field(default_factory=list)  # (line, key, title)
    broken: list[tuple[int, str]] = field(default_factory=list)  # (line, what is wrong)
    fetch_error: str | None = None

    def line(self) -> str:
        parts = [f"{len(self.added)} added", f"{len(self.already)} already there"]
        if self.fetched:
            parts.append(f"{len(self.fetched)} fetched from arXiv")
        if self.queued:
            parts.append(f"{len(self.queued)} queued for fetching from arXiv (added here when they arrive)")
        parts += [
            f"{len(self.not_in_store)} not in the store yet",
            f"{len(self.unmatched)} unmatched",
            f"{len(self.broken)} broken",
        ]
        return ", ".join(parts)


def decode_upload(data: bytes) -> str:
    """The text of an uploaded or read file; raises CollectionError for one too large or not text."""
    if len(data) > MAX_BYTES:
        raise CollectionError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    for encoding in ("utf-8-sig", "latin-1"):  # Zotero writes UTF-8; old .bib files are often Latin-1
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise CollectionError("the file is not a text file")


def import_bibtex(
    store: Store, config: Config, owner: StoredAccount, slug: str, text: str, *, fetch: bool = False
) -> BibImportReport:
    target = owned_collection(store, owner, slug)  # UnknownCollection before any work
    parsed = read_bibtex(text)
    report = BibImportReport(broken=list(parsed.broken))
    with store.read() as conn:
        known = set(paper_store.paper_rows_by_ids(conn, [e.arxiv_id for e in parsed.entries if e.arxiv_id]))
        by_doi = paper_store.paper_ids_by_doi(conn, [e.doi for e in parsed.entries if e.doi])
    missing = list(dict.fromkeys(e.arxiv_id for e in parsed.entries if e.arxiv_id and e.arxiv_id not in known))
    if fetch and missing:
        report.fetched, report.fetch_error = _fetch(store, config, missing)
        known |= set(report.fetched)
    elif missing:
        queued = [request_fetch(store, arxiv_id, owner.id, collection_id=target.id) for arxiv_id in missing]
        report.queued = [entry.arxiv_id for entry in queued]
    matched: list[str] = []
    for entry in parsed.entries:
        paper_id = _match(store, config, entry, known, by_doi)
        if paper_id:
            matched.append(paper_id)
        elif entry.arxiv_id and entry.arxiv_id not in known:
            report.not_in_store.append((entry.line, entry.key, entry.arxiv_id))
        else:
            report.unmatched.append((entry.line, entry.key, entry.title))
    report.added = add_items(store, owner, slug, matched)
    report.already = [p for p in dict.fromkeys(matched) if p not in set(report.added)]
    return report


def _match(store: Store, config: Config, entry: BibEntry, known: set[str], by_doi: dict[str, str]) -> str | None:
    if entry.arxiv_id and entry.arxiv_id in known:
        return entry.arxiv_id
    if entry.doi and entry.doi in by_doi:
        return by_doi[entry.doi]
    if entry.arxiv_id:  # an arXiv paper we lack: fetching it is the way, a title guess is not
        return None
    return _by_title(store, config, entry.title)


def _by_title(store: Store, config: Config, title: str) -> str | None:
    from dailypapers.search.service import SearchError, SearchRequest, search_papers

    wanted = normalize_title(title)
    if not wanted:
        return None
    try:
        results = search_papers(store, config, SearchRequest(q=wanted, limit=TITLE_CANDIDATES, mode="text"))
    except SearchError:
        return None
    return next((hit.paper.id for hit in results.hits if normalize_title(hit.paper.title) == wanted), None)


def _fetch(store: Store, config: Config, ids: list[str]) -> tuple[list[str], str | None]:
    """Fetch from the arXiv API (batched by the ingest service); returns the ids now stored and any failure."""
    from dailypapers.services.ingest import ingest_arxiv_ids

    error = None
    try:
        ingest_arxiv_ids(store, config, ids)
    except PaperNotFound:
        pass  # arXiv lacks some: they stay "not in the store"; the others were stored
    except IngestError as exc:
        error = f"could not fetch from arXiv: {exc}"
    with store.read() as conn:
        stored = paper_store.paper_rows_by_ids(conn, ids)
    return [i for i in ids if i in stored], error
