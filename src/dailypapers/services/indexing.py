"""Keeping the semantic index current: embed new and changed papers, give them keywords and a TL;DR
(services/glance.py), update the nearest-neighbour index, then the stored similar-paper lists (services/similar.py).

Incremental and resumable: a paper is embedded again only when the text it was embedded from (title + abstract)
changed, each batch commits on its own, and the next run continues from whatever is still missing. The full-text
index is kept in sync by database triggers (SQLite) and a generated column (PostgreSQL); on SQLite this step only
merges the segments that imports wrote, which makes every search read less.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection

from dailypapers.config import Config
from dailypapers.search.backend import search_backend
from dailypapers.search.embed import DIMENSIONS, Embedder, index_embedder, model_name, paper_text, text_hash
from dailypapers.services.glance import glance_papers
from dailypapers.services.similar import refresh_similar
from dailypapers.storage import Store
from dailypapers.storage.embeddings import (
    count_papers_to_embed,
    mark_checked,
    next_seq,
    papers_to_embed,
    save_embeddings,
)
from dailypapers.storage.glance import count_papers_to_glance

Progress = Callable[[int, int], None]  # (papers done, papers to do)
BATCH = 256


@dataclass
class IndexSummary:
    checked: int = 0  # stale papers looked at
    embedded: int = 0  # of which embedded (new text)
    vectors_added: int = 0  # added to the usearch file (SQLite)
    vectors_removed: int = 0
    index_size: int = 0
    fulltext_merges: int = 0  # steps that merged the full-text index (TextIndex.merge_step of each engine)
    glanced: int = 0  # papers given new keywords and TL;DR (services.glance)
    similar: int = 0  # papers given a new stored list of similar papers (services.similar)

    @property
    def changed(self) -> bool:
        return bool(self.embedded or self.vectors_added or self.vectors_removed or self.glanced or self.similar)

    def line(self) -> str:
        text = f"checked {self.checked}, embedded {self.embedded}"
        if self.vectors_added or self.vectors_removed or self.index_size:
            text += f"; vector index +{self.vectors_added} -{self.vectors_removed}, {self.index_size} vectors"
        if self.glanced:
            text += f"; keywords and TL;DR for {self.glanced} papers"
        if self.similar:
            text += f"; similar papers stored for {self.similar}"
        if self.fulltext_merges:
            text += f"; full-text index merged in {self.fulltext_merges} steps"
        return text


def index_papers(
    store: Store,
    config: Config,
    progress: Progress | None = None,
    embedder: Embedder | None = None,
    batch: int = BATCH,
    workers: int | None = None,
    glance: bool = True,
) -> IndexSummary:
    """Embed every paper whose text is new or changed, then bring the vector index up to date.

    The model loads only when a paper's text needs embedding (or keywords): a run with nothing new, or with papers
    whose metadata changed but not their title and abstract, costs queries, not a model load.
    With `workers`, that many processes embed claimed batches (services.index_workers) before the steps below.
    `glance=False` skips keywords and TL;DRs (bench stores that never show a paper page)."""
    name = embedder.name if embedder else model_name(config)
    dimensions = embedder.dimensions if embedder else DIMENSIONS
    summary = IndexSummary()
    vectors = search_backend(store, config, name).vectors
    loaded: list[Embedder] = [embedder] if embedder else []

    def load() -> Embedder:
        """The model, loaded the first time a paper's text needs embedding (or keywords)."""
        nonlocal dimensions
        if not loaded:
            loaded.append(index_embedder(config))
            dimensions = loaded[0].dimensions
            vectors.check_dimensions(dimensions)
        return loaded[0]

    if embedder is not None:
        vectors.check_dimensions(dimensions)
    with store.read() as conn:
        total = count_papers_to_embed(conn, name)
    after = ""
    if workers:
        from dailypapers.services.index_workers import run_workers

        tally = run_workers(store, config, workers, batch, progress)
        summary.checked, summary.embedded = tally.checked, tally.embedded
        dimensions = tally.dimensions or dimensions
    while not workers:  # embedding in this process
        with store.read() as conn:
            rows = papers_to_embed(conn, name, after, batch)
        if not rows:
            break
        after = rows[-1]["id"]
        _embed_batch(store, name, load, rows)
        summary.checked += len(rows)
        summary.embedded += sum(1 for r in rows if r["_embed"])
        if progress:
            progress(summary.checked, total)
    with store.read() as conn:
        to_glance = count_papers_to_glance(conn, name) if glance else 0
    if to_glance:
        summary.glanced = glance_papers(store, name, load, batch)
    result = vectors.refresh(store, dimensions)
    if result is not None:
        summary.vectors_added, summary.vectors_removed, summary.index_size = result.added, result.removed, result.size
    summary.similar = refresh_similar(store, vectors)
    summary.fulltext_merges = merge_fulltext_index(store)
    return summary


def merge_fulltext_index(store: Store) -> int:
    """Merge the full-text index into one segment, a short write transaction per step; the steps taken.

    FTS5 (SQLite) merges its segments; PostgreSQL sums the word counts' rows that writes appended (migration 0027)."""
    steps = 0
    while True:
        with store.write() as conn:
            more = store.text_index.merge_step(conn)
        steps += more
        if not more:
            return steps


def _embed_batch(
    store: Store,
    name: str,
    load: Callable[[], Embedder],
    rows: list[dict[str, Any]],
    guard: Callable[[Connection], bool] | None = None,
) -> bool:
    """Embed the rows whose text changed (loading the model only then) and store them in one transaction; False
    (nothing stored) when `guard`, asked inside that transaction, says no (an index worker whose batch was taken
    over)."""
    for row in rows:
        row["_text"] = paper_text(row["title"], row["abstract"])
        row["_hash"] = text_hash(row["_text"])
        row["_embed"] = row["model"] != name or row["text_hash"] != row["_hash"]
    todo = [r for r in rows if r["_embed"]]
    vectors = load().encode([r["_text"] for r in todo]) if todo else np.zeros((0, DIMENSIONS), np.float32)
    with store.write() as conn:
        if guard is not None and not guard(conn):
            return False
        seq = next_seq(conn)
        save_embeddings(
            conn,
            [
                {
                    "paper_id": r["id"],
                    "model": name,
                    "text_hash": r["_hash"],
                    "content_hash": r["content_hash"],
                    "seq": seq,
                    "vector": vec,
                }
                for r, vec in zip(todo, vectors, strict=True)
            ],
        )
        mark_checked(conn, [{"paper_id": r["id"], "content_hash": r["content_hash"]} for r in rows if not r["_embed"]])
    return True
