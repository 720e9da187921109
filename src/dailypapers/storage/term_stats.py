"""How many papers contain a word, and which words of a query are selective enough to match on.

BM25 / ts_rank cost grows with the number of rows they score, and an any-word query over common words ("model",
"language") matches most of the corpus: on 80k papers, scoring 70k rows took ~200 ms where a few thousand take
~10 ms. So an any-word query matches only on its rarest words (as many as fit a row budget) and ranks those rows
with every word: a paper that has only the common words cannot be among the best anyway, because it lacks the words
that carry the most weight. Counts are cached per database for a few minutes; a stale count only shifts which words
count as rare, never what a match means.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from sqlalchemy import Connection, text

TTL_SECONDS = 300.0
MAX_CACHED = 50_000

_lock = threading.Lock()
_cache: dict[tuple[str, str], tuple[float, int]] = {}


def _count(conn: Connection, word: str) -> int:
    if conn.dialect.name == "sqlite":
        sql = "SELECT count(*) FROM papers_fts WHERE papers_fts MATCH :q"
        return int(conn.execute(text(sql), {"q": '"' + word.replace('"', "") + '"'}).scalar_one())
    sql = "SELECT count(*) FROM papers WHERE search_vector @@ plainto_tsquery('english', :q)"
    return int(conn.execute(text(sql), {"q": word}).scalar_one())


def document_frequencies(conn: Connection, words: Sequence[str]) -> dict[str, int]:
    """Papers containing each word (as the full-text index stems it), from a short-lived per-database cache."""
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
