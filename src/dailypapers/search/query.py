"""Turning what a user typed into a safe, structured query: words, phrases, `author:` / `cat:` / `has:code` terms,
arXiv ids.

Nothing the user types reaches FTS5 or tsquery syntax directly: words are reduced to letters and digits and
re-quoted by the storage layer, so `"`, `*`, `NEAR(`, `:` or `'); DROP …` can never break or alter a query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from dailypapers.domain import InvalidArxivId, parse_arxiv_id

MAX_QUERY_CHARS = 500
MAX_TERMS = 64

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufffd]")
_FIELD = re.compile(r'(?<!\S)(author|authors|cat|category):(?:"([^"]*)"|(\S+))', re.IGNORECASE)
_PHRASE = re.compile(r'"([^"]*)"')
_HAS_CODE = re.compile(r"(?<!\S)has:code(?!\S)", re.IGNORECASE)
_WORD = re.compile(r"\w+", re.UNICODE)
_CATEGORY = re.compile(r"^[a-z][a-z\-]*(?:\.[A-Za-z][A-Za-z\-]*)?$")

# Words too common to rank on; both engines drop them too, we just keep them out of OR-queries for speed.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "can",
        "do",
        "does",
        "for",
        "from",
        "has",
        "have",
        "how",
        "in",
        "into",
        "is",
        "it",
        "its",
        "may",
        "more",
        "most",
        "no",
        "not",
        "of",
        "on",
        "or",
        "our",
        "over",
        "such",
        "than",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "this",
        "those",
        "through",
        "to",
        "under",
        "up",
        "via",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "why",
        "will",
        "with",
        "within",
        "without",
        "you",
        "your",
    ]
)


class QueryError(ValueError):
    """The query cannot be searched; the message is safe to show to users."""


@dataclass
class ParsedQuery:
    words: list[str] = field(default_factory=list)  # lower-case, stopwords removed, in order, unique
    phrases: list[list[str]] = field(default_factory=list)  # quoted phrases, each a list of words
    pairs: list[list[str]] = field(default_factory=list)  # adjacent content words: they rank as phrases, never select
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    arxiv_id: str | None = None
    has_code: bool = False  # `has:code`: only papers with a code repository
    text: str = ""  # the free text (without field terms), for the embedding model

    @property
    def has_text(self) -> bool:
        return bool(self.words or self.phrases)

    def highlight_words(self) -> list[str]:
        return list(dict.fromkeys([*self.words, *(w for p in self.phrases for w in p)]))


def words_of(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def clean(text: str) -> str:
    """Drop control characters and NULs (pasted binary) and squeeze whitespace."""
    return " ".join(_CONTROL.sub(" ", text).split())


def parse_query(raw: str) -> ParsedQuery:
    if len(raw) > MAX_QUERY_CHARS * 4:
        raise QueryError(f"Your search is too long: please keep it to {MAX_QUERY_CHARS} characters.")
    text = clean(raw)
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"Your search is too long: please keep it to {MAX_QUERY_CHARS} characters.")
    parsed = ParsedQuery()
    if not text:
        return parsed
    try:
        parsed.arxiv_id = parse_arxiv_id(text).id
        return parsed
    except InvalidArxivId:
        pass

    def take_field(match: re.Match[str]) -> str:
        name, value = match.group(1).lower(), (match.group(2) or match.group(3) or "").strip()
        if name.startswith("author"):
            if words_of(value):
                parsed.authors.append(value)
        else:
            if not _CATEGORY.match(value):
                raise QueryError(f"“{value[:40]}” is not an arXiv category: try one like cat:cs.CL.")
            parsed.categories.append(value)
        return " "

    text = _FIELD.sub(take_field, text)
    text, found = _HAS_CODE.subn(" ", text)
    parsed.has_code = found > 0

    def take_phrase(match: re.Match[str]) -> str:
        words = words_of(match.group(1))
        if len(words) > 1:
            parsed.phrases.append(words)
        elif words:
            parsed.words.extend(words)
        return " " + match.group(1) + " "

    free = _PHRASE.sub(take_phrase, text)
    parsed.text = " ".join(free.replace('"', " ").split())
    parsed.words = list(dict.fromkeys(w for w in [*parsed.words, *words_of(free)] if w not in STOPWORDS))
    if not parsed.words and not parsed.phrases:
        # A query of stopwords only ("the", "to be or not"): search them rather than nothing.
        parsed.words = list(dict.fromkeys(words_of(free)))
    if len(parsed.words) > MAX_TERMS:
        parsed.words = parsed.words[:MAX_TERMS]
    parsed.pairs = word_pairs(words_of(free), set(parsed.words))
    return parsed


def word_pairs(tokens: list[str], kept: set[str]) -> list[list[str]]:
    """Adjacent content words of the typed text ("insulin resistance", "breast cancer"), once each.

    A paper with such a pair as a phrase matches the idea more closely than one with both words apart; the text
    index ranks them a little higher (storage.fulltext.PAIR_REPEAT). No stopword or number in a pair: "type of"
    and "in 2020" say nothing a single word does not."""
    pairs = [
        [a, b]
        for a, b in pairwise(tokens)
        if a != b and a in kept and b in kept and not ({a, b} & STOPWORDS) and not (a.isdigit() or b.isdigit())
    ]
    return [list(p) for p in dict.fromkeys(tuple(p) for p in pairs)][:MAX_TERMS]
