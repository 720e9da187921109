"""Short excerpts with the query's words marked, and the lexical match-strength measure used by fusion."""

from __future__ import annotations

import html
import re
from bisect import bisect_left
from collections.abc import Sequence
from functools import lru_cache

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
def _matcher(keys: frozenset[str]) -> re.Pattern[str]:
    """One regex for every word whose lower case or stem key (`_stem_key`) is one of the keys."""

    def form(key: str) -> str:
        k = re.escape(key)
        if len(key) < 4:
            return k
        return f"{k}\\w{{0,3}}" if len(key) == 4 else f"{k}(?:\\w{{3}})?"

    alternatives = "|".join(form(k) for k in sorted(keys, key=len, reverse=True))
    return re.compile(f"(?<!\\w)(?:{alternatives})(?!\\w)", re.IGNORECASE)


def snippet(text: str, words: Sequence[str], window: int = WINDOW) -> str:
    """HTML-escaped excerpt of about `window` words with the most query words, matches in <mark>…</mark>."""
    keys = frozenset({_stem_key(w) for w in words} | {w.lower() for w in words})
    text = " ".join(text.split())
    spans = [m.span() for m in _WORD.finditer(text)]
    if not spans:
        return ""
    hits = [False] * len(spans)
    if keys:
        starts = [a for a, _ in spans]
        for m in _matcher(keys).finditer(text):
            hits[bisect_left(starts, m.start())] = True
    best_start, best = 0, -1
    running = sum(hits[:window])
    for start in range(max(1, len(hits) - window + 1)):
        if start:
            running += (hits[start + window - 1] if start + window - 1 < len(hits) else 0) - hits[start - 1]
        if running > best:
            best, best_start = running, start
    last_word = min(best_start + window, len(spans)) - 1
    parts, at = [], spans[best_start][0]
    for i in range(best_start, last_word + 1):
        if hits[i]:
            a, b = spans[i]
            parts += [html.escape(text[at:a]), "<mark>", html.escape(text[a:b]), "</mark>"]
            at = b
    parts.append(html.escape(text[at : spans[last_word][1]]))
    prefix = "… " if best_start > 0 else ""
    suffix = " …" if last_word < len(spans) - 1 else ""
    return prefix + "".join(parts) + suffix
