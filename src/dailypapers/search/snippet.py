"""Short excerpts with the query's words marked, and the lexical match-strength measure used by fusion."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

_WORD = re.compile(r"\w+", re.UNICODE)
WINDOW = 32  # words


def _stem_key(word: str) -> str:
    # Cheap stemming so "models" matches "model" and "learning" matches "learned": compare a prefix.
    word = word.lower()
    return word[: max(4, len(word) - 3)] if len(word) > 4 else word


def _matches(token: str, keys: set[str]) -> bool:
    return _stem_key(token) in keys or token.lower() in keys


def match_strength(words: Sequence[str], text: str) -> float:
    """Fraction of the query words found in `text` (stem-insensitive)."""
    if not words:
        return 0.0
    present = {_stem_key(t) for t in re.findall(r"\w+", text)} | {t.lower() for t in re.findall(r"\w+", text)}
    return sum(1 for w in words if _stem_key(w) in present or w in present) / len(words)


def snippet(text: str, words: Sequence[str], window: int = WINDOW) -> str:
    """HTML-escaped excerpt of about `window` words with the most query words, matches in <mark>…</mark>."""
    keys = {_stem_key(w) for w in words} | {w.lower() for w in words}
    text = " ".join(text.split())
    spans = [m.span() for m in _WORD.finditer(text)]
    if not spans:
        return ""
    lowered = [text[a:b].lower() for a, b in spans]
    marked = {w for w in set(lowered) if w in keys or _stem_key(w) in keys} if keys else set()
    hits = [w in marked for w in lowered]
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
