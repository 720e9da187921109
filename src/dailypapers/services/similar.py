"""Similar papers computed at index time, so a paper page reads a stored list instead of searching vectors.

`refresh_similar` runs at the end of `dailypapers index` (after the vector index took the new embeddings), and on
a store embedded before lists existed it fills them all (no model load: the vectors are there). The rule:

1. every paper whose list is missing or older than its embedding (`paper_embeddings.similar_seq`: new papers,
   re-embedded papers) gets its `STORED` nearest papers searched again, in full, in the current vector index;
2. each such paper is then offered to the lists of those neighbours that were not recomputed in this run: it joins
   a list that is short or whose last entry is less similar, and the list is cut back to `STORED`.

Step 2 finds the old papers a new one is close to among the new paper's own nearest (similarity is symmetric, but
nearest-neighbour lists are not), which is exact for mutual neighbours and misses only old papers the new one is
closer to than their current entries yet outside its own top `STORED`; those lists stay valid, only slightly
stale. A deleted paper leaves every list (foreign keys cascade); a list cut below what a page shows makes the page
compute that paper's neighbours live (search.service.similar_papers) until the paper is indexed again.
"""

from __future__ import annotations

from sqlalchemy import Connection

from dailypapers.search.vector_index import VectorIndex
from dailypapers.storage import Store
from dailypapers.storage.similar import (
    Neighbours,
    mark_similar_current,
    papers_needing_similar,
    replace_similar,
    stored_lists,
)

STORED = 10  # neighbours kept per paper: the page shows 6, the rest cover neighbours hidden or deleted since
BATCH = 1000


def refresh_similar(store: Store, vectors: VectorIndex, stored: int = STORED, batch: int = BATCH) -> int:
    """Recompute the lists of new and re-embedded papers and offer those papers to their neighbours' lists;
    how many papers got a new list."""
    with store.read() as conn:
        if not vectors.available(conn):
            return 0
        todo = papers_needing_similar(conn, vectors.model)
    recomputed = {paper_id for paper_id, _ in todo}
    for start in range(0, len(todo), batch):
        chunk = todo[start : start + batch]
        with store.read() as conn:
            found = vectors.neighbours(conn, [paper_id for paper_id, _ in chunk], stored)
        with store.write() as conn:
            replace_similar(conn, vectors.model, {paper_id: found.get(paper_id, []) for paper_id, _ in chunk})
            _offer(conn, vectors.model, found, recomputed, stored)
            mark_similar_current(conn, chunk)
    return len(todo)


def _offer(conn: Connection, model: str, found: dict[str, Neighbours], recomputed: set[str], stored: int) -> None:
    """Step 2 of the rule: each recomputed paper joins its neighbours' lists (those not recomputed) if close enough."""
    offers: dict[str, Neighbours] = {}
    for paper_id, neighbours in found.items():
        for other, score in neighbours:
            if other not in recomputed:
                offers.setdefault(other, []).append((paper_id, score))
    if not offers:
        return
    current = stored_lists(conn, model, list(offers))
    changed: dict[str, Neighbours] = {}
    for target, offered in offers.items():
        merged = dict(current.get(target, []))
        merged.update(offered)  # a re-embedded paper's new similarity replaces its old one
        best = sorted(merged.items(), key=lambda item: (-item[1], item[0]))[:stored]
        if best != current.get(target, []):
            changed[target] = best
    if changed:
        replace_similar(conn, model, changed)
