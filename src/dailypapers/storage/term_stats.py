"""How many papers contain a word, and which words of a query are selective enough to match on.

BM25 / ts_rank cost grows with the number of rows they score, and an any-word query over common words ("model",
"language") matches most of the corpus: on 80k papers, scoring 70k rows took ~200 ms where a few thousand take
~10 ms. So an any-word query matches only on its rarest words (as many as fit a row budget) and ranks those rows
with every word: a paper that has only the common words cannot be among the best anyway, because it lacks the words
that carry the most weight. Counts are cached per database for an hour (a day of new papers barely moves them);
a stale count only shifts which words count as rare, never what a match means.

The planning here is the same on both engines; how a word is counted is each text index's own (`count` below).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import TypeVar, cast

from sqlalchemy import Connection

TTL_SECONDS = 3600.0
MAX_CACHED = 50_000
# Counting reads a word's whole posting list (~65 ns a paper), and so does FTS5's BM25 for every word it ranks by,
# however few rows it scores. Past this many papers a word is common: it is never selected while a rarer word is in
# the query, and it is left out of the query like a stop word on both engines (full-text only: the semantic side
# still reads the whole query; PostgreSQL's idf of a count stopped here would be a guess). Up to ~85k papers that
# drops only words in over half of them, which BM25 weighs at zero anyway; at 1M papers, words in over 5%
# ("model", "learning"), which keeps a ranking under ~100 ms.
COUNT_CAP = 50_000

_lock = threading.Lock()
_cache: dict[tuple[str, str], tuple[float, int]] = {}
_values: dict[tuple[str, str], tuple[float, object]] = {}
T = TypeVar("T")


def clear_cache() -> None:
    """Forget every cached count (benchmarks start each pass cold)."""
    with _lock:
        _cache.clear()
        _values.clear()


def cached_value(conn: Connection, name: str, compute: Callable[[Connection], T]) -> T:
    """`compute(conn)`, cached per database and `name` for TTL_SECONDS like the counts (BM25's corpus size and
    average length; PostgreSQL's newest-papers cut dates)."""
    key = (conn.engine.url.render_as_string(hide_password=True), name)
    now = time.monotonic()
    with _lock:
        cached = _values.get(key)
    if cached and now - cached[0] < TTL_SECONDS:
        return cast(T, cached[1])
    found = compute(conn)
    with _lock:
        _values[key] = (now, found)
    return found


Count = Callable[[Connection, str, int], int]
CountMany = Callable[[Connection, Sequence[str], int], dict[str, int]]


def word_by_word(count: Count) -> CountMany:
    """An engine's one-word count (`count(conn, word, cap)`) as the many-word one TermCounts calls."""
    return lambda conn, words, cap: {word: count(conn, word, cap) for word in words}


class TermCounts:
    """Document frequencies through an engine's `count_many(conn, words, cap)`, cached, and the choices made on them.

    PostgreSQL counts every uncached word of a call in one statement (one round trip instead of one or two a word);
    FTS5 counts a word at a time (`word_by_word`), in-process."""

    def __init__(self, count_many: CountMany):
        self._count_many = count_many

    def document_frequencies(self, conn: Connection, words: Sequence[str]) -> dict[str, int]:
        """Papers containing each word (as the index stems it; at most COUNT_CAP), from an hour-long cache."""
        database = conn.engine.url.render_as_string(hide_password=True)
        now = time.monotonic()
        found: dict[str, int] = {}
        missing = []
        for word in dict.fromkeys(words):
            with _lock:
                cached = _cache.get((database, word))
            if cached and now - cached[0] < TTL_SECONDS:
                found[word] = cached[1]
            else:
                missing.append(word)
        counted = self._count_many(conn, missing, COUNT_CAP) if missing else {}
        with _lock:
            for word in missing:
                if len(_cache) >= MAX_CACHED:
                    _cache.clear()
                _cache[(database, word)] = (now, counted[word])
        return {word: found[word] if word in found else counted[word] for word in dict.fromkeys(words)}

    def selective_words(self, conn: Connection, words: Sequence[str], row_budget: int) -> tuple[list[str], int]:
        """The rarest words whose matches fit `row_budget` rows (at least one word), and how many rows they match.

        Every word is returned when all their matches together fit the budget."""
        counts = self.document_frequencies(conn, words)
        if sum(counts.values()) <= row_budget:
            return list(words), sum(counts.values())
        chosen: list[str] = []
        rows = 0
        for word in sorted(counts, key=lambda w: (counts[w], w)):
            if chosen and rows + counts[word] > row_budget:
                break
            chosen.append(word)
            rows += counts[word]
        return [w for w in words if w in chosen], rows

    def uncommon_words(self, conn: Connection, words: Sequence[str]) -> list[str]:
        """The words held by fewer than COUNT_CAP papers; all of them when every word is that common."""
        counts = self.document_frequencies(conn, words)
        return [w for w in words if counts[w] < COUNT_CAP] or list(words)
