"""The search backend of a store: its text index and vector index, chosen once per store (and model).

This is the one place that knows which vector index goes with which engine; everything above composes the two
interfaces (storage.fulltext.TextIndex, search.vector_index.VectorIndex) without asking which engine it runs on.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from pathlib import Path

from dailypapers.config import Config
from dailypapers.search.embed import model_name
from dailypapers.search.vector_index import PgvectorIndex, UsearchIndex, VectorIndex
from dailypapers.storage import Store
from dailypapers.storage.fulltext import TextIndex


@dataclass(frozen=True)
class SearchBackend:
    text: TextIndex
    vectors: VectorIndex


_lock = threading.Lock()
_chosen: weakref.WeakKeyDictionary[Store, dict[tuple[Path, str], SearchBackend]] = weakref.WeakKeyDictionary()


def search_backend(store: Store, config: Config, model: str | None = None) -> SearchBackend:
    """The store's backend for `model` (default: the configured one); built on first use, then reused."""
    model = model or model_name(config)
    key = (config.home, model)
    with _lock:
        found = _chosen.setdefault(store, {}).get(key)
        if found is None:
            vectors: VectorIndex
            if store.dialect == "sqlite":
                vectors = UsearchIndex(config, model, store.text_index)
            else:
                vectors = PgvectorIndex(model, store.text_index)
            found = _chosen[store][key] = SearchBackend(store.text_index, vectors)
        return found
