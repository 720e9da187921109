"""Plain records shared by every layer, and the rules about arXiv ids. No I/O here."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlsplit

from dailypapers.links import Links, find_links, paper_links

# New-style ids: 0704.0001 … 2501.12345 (4 or 5 digits after the dot), optional version.
ROLES = ("member", "curator", "admin")  # account roles, least to most allowed

_NEW_ID = re.compile(r"^(?P<id>\d{4}\.\d{4,5})(?:v(?P<v>\d+))?$")
# Old-style ids: hep-th/9901001, math.AG/0601001.
_OLD_ID = re.compile(r"^(?P<id>[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})(?:v(?P<v>\d+))?$")
_URL_PREFIX = re.compile(
    r"^(?:https?://)?(?:www\.|export\.)?(?:arxiv\.org|huggingface\.co|hf\.co)/(?:abs|pdf|html|papers)/",
    re.IGNORECASE,
)


# Days a request may name. Wide enough for any paper, and a year short of date.max so date arithmetic (the day
# after, the end of the month or week) can never overflow. Row ids are the store's INTEGER keys: 32-bit on
# PostgreSQL, so an id in a request is at most 2**31 - 1 on every engine.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(9998, 12, 31)
MAX_ROW_ID = 2**31 - 1
_URL_SCHEMES = ("http", "https")
_URL_UNSAFE = re.compile(r"[\x00-\x20\x7f\\<>\"'`]")


class InvalidDay(ValueError):
    """A day outside FIRST_DAY … LAST_DAY; the message names the range."""


def checked_day(day: date) -> date:
    """The day itself when it lies in the range every page, API and query can compute with, else InvalidDay."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidDay(f"{day.isoformat()} is out of range: days run from {FIRST_DAY} to {LAST_DAY}")
    return day


def safe_url(text: str | None) -> str | None:
    """The URL when it is an absolute http(s) address with a host, else None: no javascript:, data: or
    protocol-relative links are ever stored or rendered (imports and every template go through this)."""
    url = (text or "").strip()
    if not url or len(url) > 2000 or _URL_UNSAFE.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in _URL_SCHEMES or not parts.hostname:
        return None
    return url


class InvalidArxivId(ValueError):
    """Raised for text that is neither an arXiv id nor an arXiv/HF paper URL."""


@dataclass(frozen=True)
class ArxivId:
    id: str
    version: int | None = None

    def __str__(self) -> str:
        return self.id if self.version is None else f"{self.id}v{self.version}"


def parse_arxiv_id(text: str) -> ArxivId:
    """Accept `2401.00001`, `2401.00001v2`, `hep-th/9901001`, `arXiv:…` and arxiv.org / HF paper URLs."""
    raw = (text or "").strip()
    candidate = _URL_PREFIX.sub("", raw)
    candidate = re.sub(r"^arxiv:", "", candidate, flags=re.IGNORECASE)
    candidate = candidate.split("?")[0].split("#")[0].rstrip("/")
    if candidate.endswith(".pdf"):
        candidate = candidate[:-4]
    for pattern in (_NEW_ID, _OLD_ID):
        match = pattern.match(candidate)
        if match:
            version = match.group("v")
            arxiv_id = match.group("id")
            if pattern is _NEW_ID and int(arxiv_id[2:4]) not in range(1, 13):
                break
            return ArxivId(arxiv_id, int(version) if version else None)
    raise InvalidArxivId(not_an_arxiv_id(raw))


def not_an_arxiv_id(raw: str) -> str:
    """What people read when the text they gave is no arXiv id: what was wrong and what to give instead."""
    shown = raw if len(raw) <= 60 else raw[:57] + "..."
    if not shown:
        return "That is not an arXiv id: paste an id like 2406.12345 or the paper's arXiv link."
    if re.fullmatch(r"\d{4}\.\d{4,5}(v\d+)?", shown):  # shaped like an id, but no month 13+ or 00 exists
        return f"We couldn't find arXiv paper {shown}: it is not an arXiv id. Check the id or paste the arXiv link."
    return f"“{shown}” is not an arXiv id or link. Paste an id like 2406.12345 or the paper's arXiv link."


_CONTROL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), 127])


def normalize_space(text: str | None) -> str:
    """Collapse runs of whitespace (arXiv wraps lines at ~80 columns); keep LaTeX and Unicode exactly.

    Control characters (NUL and friends, which PostgreSQL refuses in text) are dropped.
    """
    return " ".join((text or "").translate(_CONTROL).split())


def find_code_url(*texts: str | None) -> str | None:
    """First repository link (GitHub, GitLab, HF, …) mentioned in an abstract or comment, normalised."""
    return find_links(*texts).code


@dataclass
class PaperRecord:
    """One paper's metadata as a source reports it, normalised; what the import service stores."""

    id: str
    title: str
    abstract: str
    authors: list[str]
    categories: list[str] = field(default_factory=list)
    version: int = 1
    comments: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    license: str | None = None
    report_no: str | None = None
    published_at: datetime | None = None
    updated_at: datetime | None = None
    versions: list[tuple[int, datetime | None]] = field(default_factory=list)
    upvotes: int | None = None  # imported from another site (HF); never mixed with our members' votes
    num_comments: int | None = None
    repo_url: str | None = None  # a code link the source states outright (HF's githubRepo)
    project_page: str | None = None  # a project page the source states outright (HF's projectPage)

    @property
    def primary_category(self) -> str | None:
        return self.categories[0] if self.categories else None

    def links(self) -> Links:
        """The code link and project page stored with the paper (safe URLs only).

        Finding them scans the abstract and comments for URLs, the costliest step of an import: callers that need
        both, and the hash, compute them once here and pass them on."""
        found = paper_links(self.abstract, self.comments, self.repo_url, self.project_page)
        return Links(safe_url(found.code), safe_url(found.project))

    @property
    def code_url(self) -> str | None:
        return self.links().code

    @property
    def project_url(self) -> str | None:
        return self.links().project

    def effective_versions(self) -> list[tuple[int, datetime | None]]:
        """Known versions, or the current one alone when a source (HF) reports no history."""
        return self.versions or [(self.version, self.published_at)]

    def content_hash(self, links: Links | None = None) -> str:
        """Stable digest of everything stored, so a re-import can tell unchanged from updated cheaply.

        `links` is `self.links()` when the caller already has it."""
        links = links or self.links()
        payload = [
            self.title,
            self.abstract,
            self.authors,
            self.categories,
            self.version,
            self.comments,
            self.journal_ref,
            self.doi,
            self.license,
            self.report_no,
            _iso(self.published_at),
            _iso(self.updated_at),
            [[v, _iso(t)] for v, t in self.effective_versions()],
            self.upvotes or 0,
            self.num_comments or 0,
            links.code,
        ]
        if links.project:  # appended only when present, so papers without one keep their earlier hash
            payload.append(links.project)
        return hashlib.blake2b(json.dumps(payload, ensure_ascii=False).encode(), digest_size=16).hexdigest()


@dataclass
class ListingRecord:
    """A paper put on a day's list, by a member or by an imported curator."""

    day: date
    paper_id: str
    submitted_at: datetime | None = None
    submitter_name: str | None = None
    submitter_fullname: str | None = None


@dataclass
class ImportSummary:
    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    listings_new: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.new or self.updated or self.listings_new)

    def line(self) -> str:
        text = (
            f"read {self.read}, new {self.new}, updated {self.updated}, "
            f"unchanged {self.unchanged}, rejected {self.rejected}"
        )
        if self.listings_new:
            text += f", new listings {self.listings_new}"
        if not self.changed and not self.rejected:
            text += " — nothing changed"
        return text


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@dataclass
class ImportItem:
    """What a bulk or live source yields for one input unit: a paper, a listing of it, or why it was rejected."""

    line: int
    paper: PaperRecord | None = None
    listing: ListingRecord | None = None
    error: str | None = None
    # Bulk files read line by line (services/imports.import_lines): on a line's last item, the line's digest and
    # how many items it held, recorded once they are all stored; `skipped` stands for a line imported before.
    completes_line: tuple[str, int] | None = None
    skipped: int = 0


class IngestError(RuntimeError):
    """A live source could not be read (network down, server refusing, unreadable reply); the message says which."""


class NothingStored(IngestError):
    """A source answered with records, every one of which was rejected: the run stored nothing (exit 1)."""


class PaperNotFound(IngestError):
    """arXiv answered, but has no paper under the ids asked for."""

    def __init__(self, ids: list[str]):
        self.ids = ids
        super().__init__(f"arXiv has no paper {', '.join(ids)}")
