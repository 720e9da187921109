"""The approximate-nearest-neighbour index of the embedded default: a usearch HNSW file beside the SQLite store.

The file is a cache of `paper_embeddings`: keys are `search_docs.doc_id`, and a small JSON sidecar records the
last embedding batch (`seq`) it holds, so `sync_vector_file` adds only newer vectors. It is written to a temporary
file and renamed, so a running site keeps answering from the old file until it notices the new one (mtime).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from dailypapers.config import Config
from dailypapers.storage import Store
from dailypapers.storage.embeddings import doc_vectors_since, embedded_doc_ids, max_seq

BATCH = 20_000


def _usearch() -> Any:
    # onnxruntime must be loaded before usearch: the other order crashes the process (clashing native runtimes).
    with contextlib.suppress(ImportError):
        import onnxruntime  # noqa: F401
    from usearch.index import Index

    return Index


def vector_file(config: Config, model: str) -> Path:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", model)
    return config.home / f"vectors-{slug}.usearch"


def _meta_path(path: Path) -> Path:
    return path.with_suffix(".json")


def read_meta(path: Path) -> dict[str, Any]:
    try:
        return dict(json.loads(_meta_path(path).read_text()))
    except (OSError, ValueError):
        return {}


@dataclass
class SyncResult:
    added: int
    removed: int
    size: int


def new_index(dimensions: int) -> Any:
    return _usearch()(ndim=dimensions, metric="cos", dtype="f16", connectivity=16, expansion_add=128)


def sync_vector_file(
    store: Store, config: Config, model: str, dimensions: int, progress: Callable[[int], None] | None = None
) -> SyncResult:
    """Bring the usearch file up to date with the stored embeddings: add new/changed vectors, drop deleted ones."""
    path = vector_file(config, model)
    meta = read_meta(path)
    index = new_index(dimensions)
    since = 0
    if path.exists() and meta.get("model") == model and meta.get("dimensions") == dimensions:
        index.load(str(path))
        since = int(meta.get("seq", 0))
    with store.read() as conn:
        target = max_seq(conn)
    added = removed = 0
    after_doc = 0
    while True:
        with store.read() as conn:
            rows = doc_vectors_since(conn, model, since, after_doc, BATCH)
        if not rows:
            break
        keys = np.array([doc for doc, _ in rows], dtype=np.uint64)
        vectors = np.stack([vec for _, vec in rows]).astype(np.float32)
        if since:
            index.remove(keys)  # changed papers: replace their old vector
        index.add(keys, vectors)
        added += len(rows)
        after_doc = int(keys[-1])
        if progress:
            progress(added)
    with store.read() as conn:
        current = embedded_doc_ids(conn, model)
    if len(index):
        stale = np.setdiff1d(np.asarray(index.keys, dtype=np.uint64), current)
        if len(stale):
            index.remove(stale)
            removed = len(stale)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    index.save(str(tmp))
    os.replace(tmp, path)
    meta_tmp = _meta_path(path).with_name(_meta_path(path).name + ".tmp")
    meta_tmp.write_text(json.dumps({"model": model, "dimensions": dimensions, "seq": target, "size": len(index)}))
    os.replace(meta_tmp, _meta_path(path))
    return SyncResult(added, removed, len(index))


_lock = threading.Lock()
_open: dict[Path, tuple[float, Any]] = {}


def open_vector_file(config: Config, model: str) -> Any | None:
    """The usearch index for `model`, memory-mapped and shared; reopened when `dailypapers index` replaced it."""
    path = vector_file(config, model)
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    with _lock:
        cached = _open.get(path)
        if cached and cached[0] == mtime:
            return cached[1]
        index = _usearch().restore(str(path), view=True)
        if index is None:
            return None
        _open[path] = (mtime, index)
        return index


def nearest_docs(index: Any, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
    """(doc id, cosine similarity) of the `k` nearest vectors, best first."""
    if index is None or len(index) == 0:
        return []
    matches = index.search(vector.astype(np.float32), min(k, len(index)))
    return [(int(key), 1.0 - float(dist)) for key, dist in zip(matches.keys, matches.distances, strict=True)]
