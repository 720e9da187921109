"""Short excerpts with the query's words marked, and the lexical match-strength measure used by fusion."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from functools import lru_cache
from itertools import islice

from dailypapers.latex import math_spans

_WORD = re.compile(r"\w+", re.UNICODE)
WINDOW = 32  # words


def _stem_key(word: str) -> str:
    # Cheap stemming so "models" matches "model" and "learning" matches "learned": compare a prefix.
    word = word.lower()
    return word[: max(4, len(word) - 3)] if len(word) > 4 else word


def match_strength(words: Sequence[str], text: str) -> float:
    """Fraction of the query words found in `text` (stem-insensitive)."""
    if not words:
        return 0.0
    present = {_stem_key(t) for t in re.findall(r"\w+", text)} | {t.lower() for t in re.findall(r"\w+", text)}
    return sum(1 for w in words if _stem_key(w) in present or w in present) / len(words)


@lru_cache(maxsize=256)
def _forms(keys: frozenset[str]) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """Keys split by how a word may extend them: not at all, by up to 3 letters (4-letter keys), by exactly 3."""
    return keys, frozenset(k for k in keys if len(k) == 4), frozenset(k for k in keys if len(k) > 4)


def _marked_words(words: list[str], keys: frozenset[str]) -> list[int]:
    """Indexes of the words whose lower case or stem key (`_stem_key`) is one of the keys."""
    if not keys:
        return []
    exact, four, longer = _forms(keys)
    hits = []
    for i, word in enumerate(words):
        word = word.lower()
        size = len(word)
        if word in exact or (4 < size <= 7 and word[:4] in four) or (size > 7 and word[:-3] in longer):
            hits.append(i)
    return hits


def _best_window(hits: list[int], window: int) -> int:
    """The first word of the earliest `window`-word stretch holding the most hits (0 without hits)."""
    best, best_start = 0, 0
    first = 0
    for last, at in enumerate(hits):
        while at - hits[first] >= window:
            first += 1
        count = last - first + 1
        if count > best:  # the stretch ending at this hit, started as early as it may while still holding it
            best, best_start = count, max(0, at - window + 1)
    return best_start


def snippet(text: str, words: Sequence[str], window: int = WINDOW) -> str:
    """HTML-escaped excerpt of about `window` words with the most query words, matches in <mark>…</mark>."""
    keys = frozenset({_stem_key(w) for w in words} | {w.lower() for w in words})
    text = " ".join(text.split())
    tokens = _WORD.findall(text)
    if not tokens:
        return ""
    hits = _marked_words(tokens, keys)
    best_start = _best_window(hits, window)
    last_word = min(best_start + window, len(tokens)) - 1
    # Spans of the shown words only: the words before them are skipped inside the regex engine.
    shown = [m.span() for m in islice(_WORD.finditer(text), best_start, last_word + 1)]
    start, end = _whole_formulas(text, shown[0][0], shown[-1][1])
    parts, at = [], start
    for i in hits:
        if best_start <= i <= last_word:
            a, b = shown[i - best_start]
            parts += [html.escape(text[at:a]), "<mark>", html.escape(text[a:b]), "</mark>"]
            at = b
    parts.append(html.escape(text[at:end]))
    prefix = "… " if best_start > 0 else ""
    suffix = " …" if last_word < len(tokens) - 1 else ""
    return prefix + "".join(parts) + suffix


def _whole_formulas(text: str, start: int, end: int) -> tuple[int, int]:
    """The excerpt `text[start:end]` widened so it cuts no LaTeX formula in two (the cards render whole ones)."""
    for a, b in math_spans(text):
        if a < start < b:
            start = a
        if a < end < b:
            end = b
    return start, end
