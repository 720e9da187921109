"""How many papers contain a word, and which words of a query are selective enough to match on.

BM25 / ts_rank cost grows with the number of rows they score, and an any-word query over common words ("model",
"language") matches most of the corpus: on 80k papers, scoring 70k rows took ~200 ms where a few thousand take
~10 ms. So an any-word query matches only on its rarest words (as many as fit a row budget) and ranks those rows
with every word: a paper that has only the common words cannot be among the best anyway, because it lacks the words
that carry the most weight. Counts are cached per database for an hour (a day of new papers barely moves them);
a stale count only shifts which words count as rare, never what a match means.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from sqlalchemy import Connection, text

TTL_SECONDS = 3600.0
MAX_CACHED = 50_000
# Counting reads a word's whole posting list (~65 ns a paper), and so does FTS5's BM25 for every word it ranks by,
# however few rows it scores. Past this many papers a word is common: it is never selected while a rarer word is in
# the query, and on SQLite it is left out of the query like a stop word (full-text only: the semantic side still
# reads the whole query). Up to ~85k papers that drops only words in over half of them, which BM25 weighs at zero
# anyway; at 1M papers, words in over 5% ("model", "learning"), which keeps a ranking under ~100 ms.
COUNT_CAP = 50_000

_lock = threading.Lock()
_cache: dict[tuple[str, str], tuple[float, int]] = {}


def _count(conn: Connection, word: str) -> int:
    """Papers holding the word, counted up to COUNT_CAP: past that a count costs more than it tells."""
    if conn.dialect.name == "sqlite":
        sql = "SELECT count(*) FROM (SELECT 1 FROM papers_fts WHERE papers_fts MATCH :q LIMIT :cap)"
        return int(conn.execute(text(sql), {"q": '"' + word.replace('"', "") + '"', "cap": COUNT_CAP}).scalar_one())
    sql = (
        "SELECT count(*) FROM (SELECT 1 FROM papers WHERE search_vector @@ plainto_tsquery('english', :q) LIMIT :cap) m"
    )
    return int(conn.execute(text(sql), {"q": word, "cap": COUNT_CAP}).scalar_one())


def clear_cache() -> None:
    """Forget every cached count (benchmarks start each pass cold)."""
    with _lock:
        _cache.clear()


def document_frequencies(conn: Connection, words: Sequence[str]) -> dict[str, int]:
    """Papers containing each word (as the index stems it; at most COUNT_CAP), from an hour-long per-database cache."""
    database = conn.engine.url.render_as_string(hide_password=True)
    now = time.monotonic()
    found: dict[str, int] = {}
    for word in dict.fromkeys(words):
        with _lock:
            cached = _cache.get((database, word))
        if cached and now - cached[0] < TTL_SECONDS:
            found[word] = cached[1]
            continue
        found[word] = _count(conn, word)
        with _lock:
            if len(_cache) >= MAX_CACHED:
                _cache.clear()
            _cache[(database, word)] = (now, found[word])
    return found


def selective_words(conn: Connection, words: Sequence[str], row_budget: int) -> tuple[list[str], int]:
    """The rarest words whose matches fit `row_budget` rows (at least one word), and how many rows they match at most.

    Every word is returned when all their matches together fit the budget."""
    counts = document_frequencies(conn, words)
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


def uncommon_words(conn: Connection, words: Sequence[str]) -> list[str]:
    """The words held by fewer than COUNT_CAP papers; all of them when every word is that common."""
    counts = document_frequencies(conn, words)
    return [w for w in words if counts[w] < COUNT_CAP] or list(words)
