"""Short excerpts with the query's words marked, and the lexical match-strength measure used by fusion."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

_TOKEN = re.compile(r"\w+|\W+", re.UNICODE)
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
    tokens = _TOKEN.findall(" ".join(text.split()))
    word_positions = [i for i, tok in enumerate(tokens) if tok[:1].isalnum() or tok[:1] == "_"]
    if not word_positions:
        return ""
    seen: dict[str, bool] = {}  # each distinct word is stemmed once
    for i in word_positions:
        if tokens[i] not in seen:
            seen[tokens[i]] = bool(keys) and _matches(tokens[i], keys)
    hits = [1 if seen[tokens[i]] else 0 for i in word_positions]
    best_start, best = 0, -1
    running = sum(hits[:window])
    for start in range(max(1, len(hits) - window + 1)):
        if start:
            running += (hits[start + window - 1] if start + window - 1 < len(hits) else 0) - hits[start - 1]
        if running > best:
            best, best_start = running, start
    first = word_positions[best_start]
    last_word = min(best_start + window, len(word_positions)) - 1
    last = word_positions[last_word]
    parts = []
    for tok in tokens[first : last + 1]:
        escaped = html.escape(tok)
        parts.append(f"<mark>{escaped}</mark>" if seen.get(tok) else escaped)
    prefix = "… " if first > 0 else ""
    suffix = " …" if last_word < len(word_positions) - 1 else ""
    return prefix + "".join(parts).strip() + suffix
