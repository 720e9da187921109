"""Papers as BibTeX, RIS, CSV and JSONL (the Kaggle snapshot format), one record at a time.

`render(fmt, records)` yields text chunks, so exports stream. JSONL is written so `dailypapers import kaggle`
reads back the same papers (`ingest/kaggle.py` is its reader: `authors_parsed` rejoins to the exact names,
versions carry their RFC 2822 dates). BibTeX keys are `{first author's surname}{year}{first title word}-{arXiv id}`:
readable, unique without remembering earlier keys (so memory stays flat), and the same in every export.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from email.utils import format_datetime
from typing import Literal

from dailypapers.queries.export import ExportRecord

Format = Literal["bibtex", "ris", "csv", "jsonl"]
FORMATS: dict[str, tuple[str, str]] = {  # format → (media type, file extension)
    "bibtex": ("application/x-bibtex; charset=utf-8", "bib"),
    "ris": ("application/x-research-info-systems; charset=utf-8", "ris"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "jsonl": ("application/x-ndjson; charset=utf-8", "jsonl"),
}
CSV_COLUMNS = [
    "id", "title", "authors", "abstract", "primary_category", "categories", "published", "updated", "version",
    "doi", "journal_ref", "comments", "url", "upvotes", "note",
]  # fmt: skip
_STOP = frozenset({"a", "an", "the", "on", "of", "in", "for", "and", "to", "with", "from", "is", "are", "via", "by"})
_UNESCAPED = re.compile(r"(?<!\\)([&%#])")


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]", "", folded)


def bibtex_key(record: ExportRecord) -> str:
    paper = record.paper
    surname = _ascii_word(paper.authors[0].split()[-1]) if paper.authors and paper.authors[0].split() else ""
    year = str(paper.published_at.year) if paper.published_at else ""
    words = [_ascii_word(w) for w in re.split(r"[\s\-:]+", paper.title)]
    first = next((w for w in words if w and w not in _STOP), "")
    return f"{surname or 'anon'}{year}{first}-{paper.id.replace('/', '-')}"


def _bib_value(text: str) -> str:
    """A braced BibTeX value: one line, &, % and # escaped, braces kept only when they balance."""
    text = _UNESCAPED.sub(r"\\\1", " ".join(text.split()))
    depth = 0
    for char in text:
        depth += 1 if char == "{" else -1 if char == "}" else 0
        if depth < 0:
            break
    if depth != 0:
        text = text.replace("{", "").replace("}", "")
    return "{" + text + "}"


def bibtex_entry(record: ExportRecord) -> str:
    paper = record.paper
    fields: list[tuple[str, str | None]] = [
        ("title", paper.title),
        ("author", " and ".join(paper.authors)),
        ("year", str(paper.published_at.year) if paper.published_at else None),
        ("eprint", paper.id),
        ("archivePrefix", "arXiv"),
        ("primaryClass", paper.primary_category),
        ("url", paper.abs_url),
        ("doi", paper.doi),
        ("note", paper.journal_ref),
        ("abstract", paper.abstract),
        ("annote", record.note or None),
    ]
    body = ",\n".join(f"  {name} = {_bib_value(value)}" for name, value in fields if value)
    return f"@misc{{{bibtex_key(record)},\n{body}\n}}\n\n"


def _ris_line(tag: str, value: str | None) -> str:
    return f"{tag}  - {' '.join(value.split())}\r\n" if value else ""


def ris_entry(record: ExportRecord) -> str:
    paper = record.paper
    published = paper.published_at
    lines = [_ris_line("TY", "UNPB"), _ris_line("ID", bibtex_key(record)), _ris_line("TI", paper.title)]
    lines += [_ris_line("AU", name) for name in paper.authors]
    if published:
        lines += [_ris_line("PY", str(published.year)), _ris_line("DA", published.strftime("%Y/%m/%d"))]
    lines += [
        _ris_line("AB", paper.abstract),
        _ris_line("UR", paper.abs_url),
        _ris_line("DO", paper.doi),
        _ris_line("T2", "arXiv"),
        _ris_line("M1", f"arXiv:{paper.id}"),
        _ris_line("N1", paper.comments),
        _ris_line("N2", record.note or None),
    ]
    lines += [_ris_line("KW", category) for category in paper.categories]
    return "".join(lines) + "ER  - \r\n\r\n"


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def csv_row(record: ExportRecord) -> str:
    paper = record.paper
    out = io.StringIO()
    csv.writer(out).writerow(
        [
            paper.id, paper.title, "; ".join(paper.authors), paper.abstract, paper.primary_category or "",
            " ".join(paper.categories), _iso(paper.published_at), _iso(paper.updated_at), paper.version,
            paper.doi or "", paper.journal_ref or "", paper.comments or "", paper.abs_url, paper.upvotes, record.note,
        ]
    )  # fmt: skip
    return out.getvalue()


def _rfc2822(value: datetime | None) -> str | None:
    return format_datetime(value, usegmt=True) if value else None


def kaggle_line(record: ExportRecord) -> str:
    """One line of the Kaggle snapshot: the fields `ingest/kaggle.py` reads, in the snapshot's own layout."""
    paper = record.paper
    versions = record.versions or [(paper.version, paper.published_at)]
    if versions[0][1] is None and paper.published_at:  # papers from HF lists know when, not per version
        versions = [(versions[0][0], paper.published_at), *versions[1:]]
    split = [name.rsplit(" ", 1) for name in paper.authors]
    obj = {
        "id": paper.id,
        "submitter": None,
        "authors": ", ".join(paper.authors),
        "title": paper.title,
        "comments": paper.comments,
        "journal-ref": paper.journal_ref,
        "doi": paper.doi,
        "report-no": paper.report_no,
        "categories": " ".join(paper.categories),
        "license": paper.license,
        "abstract": paper.abstract,
        "versions": [{"version": f"v{number}", "created": _rfc2822(created)} for number, created in versions],
        "update_date": paper.updated_at.date().isoformat() if paper.updated_at else None,
        "authors_parsed": [[parts[-1], parts[0] if len(parts) > 1 else "", ""] for parts in split],
    }
    return json.dumps(obj, ensure_ascii=False) + "\n"


_WRITERS: dict[str, Callable[[ExportRecord], str]] = {
    "bibtex": bibtex_entry,
    "ris": ris_entry,
    "csv": csv_row,
    "jsonl": kaggle_line,
}


def render(fmt: str, records: Iterable[ExportRecord]) -> Iterator[str]:
    """The export as text chunks, one per paper (CSV starts with its header row)."""
    write = _WRITERS[fmt]
    if fmt == "csv":
        header = io.StringIO()
        csv.writer(header).writerow(CSV_COLUMNS)
        yield header.getvalue()
    for record in records:
        yield write(record)
