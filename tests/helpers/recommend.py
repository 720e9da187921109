"""Real papers of three fields (astrophysics, mathematics, condensed matter) from the shared Kaggle sample, imported
and embedded with the real model (torch backend: loads in seconds, once per test process)."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from dailypapers.config import Config
from dailypapers.ingest.files import LineSource
from dailypapers.ingest.kaggle import read_kaggle
from dailypapers.search.embed import Embedder, get_embedder
from dailypapers.services.accounts import create_account
from dailypapers.services.imports import import_items
from dailypapers.services.indexing import index_papers
from dailypapers.storage import Store
from dailypapers.storage.accounts import StoredAccount
from dailypapers.storage.papers import papers_by_ids
from dailypapers.storage.schema import papers

FIELDS = ("astro-ph", "math", "cond-mat")
PER_FIELD = 14
FROM, TO = "2007-03-01", "2007-04-30"  # the sample's papers were first published 2007-03-31 … 04-02


def load_fields(store: Store, config: Config, shared: Path, embed: bool = True) -> dict[str, list[str]]:
    """{field: paper ids, oldest id first}: PER_FIELD papers of each field, embedded unless `embed` is False."""
    items = list(read_kaggle(LineSource(shared / "fixtures" / "kaggle-arxiv-metadata-snapshot.sample.jsonl")))
    chosen: dict[str, list[str]] = {field: [] for field in FIELDS}
    kept = []
    for item in items:
        assert item.paper is not None
        field = item.paper.categories[0].split(".")[0]
        if field in chosen and len(chosen[field]) < PER_FIELD:
            chosen[field].append(item.paper.id)
            kept.append(item)
    import_items(store, iter(kept))
    if embed:
        config.values["DAILYPAPERS_EMBEDDING_BACKEND"] = "torch"
        index_papers(store, config, embedder=RememberingEmbedder(get_embedder(config)))
    return chosen


class RememberingEmbedder:
    """The real model, asked once per text per test process: every test embeds the same 42 real abstracts."""

    _seen: dict[str, np.ndarray] = {}

    def __init__(self, model: Embedder):
        self.model, self.name, self.dimensions = model, model.name, model.dimensions

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._seen]
        if missing:
            self._seen.update(zip(missing, self.model.encode(missing, batch_size), strict=True))
        return np.stack([self._seen[t] for t in texts])


def member(store: Store, name: str) -> StoredAccount:
    return create_account(store, name, "correct horse battery")


def field_of(store: Store, paper_id: str) -> str:
    with store.read() as conn:
        return papers_by_ids(conn, [paper_id])[paper_id].categories[0].split(".")[0]


def first(iterable: list[str], n: int) -> list[str]:
    return list(itertools.islice(iterable, n))


__all__ = ["FIELDS", "FROM", "TO", "field_of", "first", "load_fields", "member", "papers"]
