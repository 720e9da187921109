"""Short excerpts with the query's words marked, and the lexical match-strength measure used by fusion."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from itertools import islice

from dailypapers.latex import math_spans

_WORD = re.compile(r"\w+", re.UNICODE)
_WORD_CHAR = re.compile(r"\w")
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


def _marked_words(text: str, keys: frozenset[str]) -> list[tuple[int, int, int]]:
    """(word index, start, end) of each word of `text` whose lower case or stem key (`_stem_key`) is one of the
    keys: the key itself, a 4-letter key plus 1-3 letters (words of 5-7), or a longer key plus exactly 3.

    Keys are found with str.find in the lower-cased text and the words before a match are counted inside the
    regex engine, so a snippet costs a few Python steps per match, not per word of the abstract."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a character whose lower case is longer: positions would not line up
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    found: dict[int, int] = {}
    for key in filter(None, keys):
        at = lowered.find(key)
        while at >= 0:
            if at == 0 or not _WORD_CHAR.match(lowered, at - 1):
                word = _WORD.match(lowered, at)
                assert word is not None
                size = word.end() - at
                extra = size - len(key)
                if extra == 0 or (len(key) == 4 and 0 < extra <= 3) or (len(key) > 4 and extra == 3):
                    found[at] = word.end()
            at = lowered.find(key, at + 1)
    hits, index, previous = [], 0, 0
    for start in sorted(found):
        index += len(_WORD.findall(text, previous, start))
        hits.append((index, start, found[start]))
        index, previous = index + 1, found[start]
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
    marked = _marked_words(text, keys)
    best_start = _best_window([index for index, _, _ in marked], window)
    # The shown words and one more (is there text after them?); those before are skipped inside the regex engine.
    shown = list(islice(_WORD.finditer(text), best_start, best_start + window + 1))
    if not shown:
        return ""
    more, shown = len(shown) > window, shown[:window]
    last_word = best_start + len(shown) - 1
    start, end = _whole_formulas(text, shown[0].start(), shown[-1].end())
    parts, at = [], start
    for index, a, b in marked:
        if best_start <= index <= last_word:
            parts += [html.escape(text[at:a]), "<mark>", html.escape(text[a:b]), "</mark>"]
            at = b
    parts.append(html.escape(text[at:end]))
    prefix = "… " if best_start > 0 else ""
    suffix = " …" if more else ""
    return prefix + "".join(parts) + suffix


def _whole_formulas(text: str, start: int, end: int) -> tuple[int, int]:
    """The excerpt `text[start:end]` widened so it cuts no LaTeX formula in two (the cards render whole ones)."""
    for a, b in math_spans(text):
        if a < start < b:
            start = a
        if a < end < b:
            end = b
    return start, end
