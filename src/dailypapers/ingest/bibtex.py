"""BibTeX files (Zotero, Google Scholar, arXiv exports) read with bibtexparser v2, down to what we match papers by.

Each entry gives its line number, key, title and whatever identifies the paper: an arXiv id (from `eprint`, an
arxiv.org URL, `journal = {arXiv preprint arXiv:…}` as Google Scholar writes it, Zotero's `note`/`number`, or an
arXiv DOI 10.48550/arXiv.…) and a DOI. Blocks the parser can't read come back as broken, with their line.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import bibtexparser
from bibtexparser.model import DuplicateBlockKeyBlock, Entry, ParsingFailedBlock

from dailypapers.domain import InvalidArxivId, parse_arxiv_id

_ARXIV_IN_TEXT = re.compile(
    r"arxiv(?:\.org/(?:abs|pdf)/|\s*:\s*|\s+|\.)(\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?",
    re.IGNORECASE,
)
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_LATEX_COMMAND = re.compile(r"\\(?:[A-Za-z]+|.)")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_ID_FIELDS = ("eprint", "arxivid", "arxiv", "url", "journal", "note", "number", "howpublished", "pages")


@dataclass
class BibEntry:
    line: int  # 1-based line where the entry starts
    key: str
    title: str
    arxiv_id: str | None
    doi: str | None


@dataclass
class BibFile:
    entries: list[BibEntry] = field(default_factory=list)
    broken: list[tuple[int, str]] = field(default_factory=list)  # (line, what is wrong)


def normalize_title(text: str) -> str:
    """Titles compared as words: LaTeX commands and braces dropped, accents folded, case and punctuation ignored."""
    text = _LATEX_COMMAND.sub("", text or "").replace("{", "").replace("}", "")
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(_NOT_WORD.sub(" ", folded).split())


def _value(entry: Entry, name: str) -> str:
    for found in entry.fields:
        if found.key.lower() == name:
            return str(found.value or "").strip().strip('{}"').strip()
    return ""


def _arxiv_id(entry: Entry) -> str | None:
    eprint = _value(entry, "eprint")
    prefix = (_value(entry, "archiveprefix") or _value(entry, "eprinttype")).lower()
    if eprint and prefix in ("", "arxiv"):
        try:
            return parse_arxiv_id(eprint.removeprefix("arXiv:").removeprefix("arxiv:")).id
        except InvalidArxivId:
            pass
    for name in (*_ID_FIELDS, "doi"):
        match = _ARXIV_IN_TEXT.search(_value(entry, name))
        if match:
            try:
                return parse_arxiv_id(match.group(1)).id
            except InvalidArxivId:
                continue
    return None


def _doi(entry: Entry) -> str | None:
    match = _DOI.search(_value(entry, "doi"))
    return match.group(0).rstrip(".,;").lower() if match else None


def read_bibtex(text: str) -> BibFile:
    """Every entry and every broken block of a BibTeX text (comments, @string and @preamble are skipped)."""
    library = bibtexparser.parse_string(text)
    result = BibFile()
    entries: list[Entry] = list(library.entries)
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, DuplicateBlockKeyBlock) and isinstance(block.ignore_error_block, Entry):
            entries.append(block.ignore_error_block)  # a repeated key is still a readable reference
        elif isinstance(block, ParsingFailedBlock):
            first = (block.raw or "").strip().splitlines()[:1]
            result.broken.append((line, f"cannot parse {first[0][:60] if first else 'this block'!r}"))
        else:
            result.broken.append((line, type(block).__name__))
    for entry in sorted(entries, key=lambda e: e.start_line or 0):
        result.entries.append(
            BibEntry(
                line=(entry.start_line or 0) + 1,
                key=entry.key,
                title=" ".join(_value(entry, "title").split()),
                arxiv_id=_arxiv_id(entry),
                doi=_doi(entry),
            )
        )
    return result
