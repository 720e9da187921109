"""The model that embeds search queries: with ONNX, its fp32 graph; the numpy encoder until that graph is exported.

Queries take the fp32 graph, not the int8 one papers are indexed with: one short text costs about the same either
way (~5 ms of CPU), and fp32 query vectors are the reference model's, where int8 ones were off by up to 0.02 in
cosine (and swapped results 2-5 of some searches) from batch-dependent activation scales.

A fresh install (`make run` on the demo, whose vectors ship with it) has every paper vector it needs but no exported
model, and exporting takes 10-17 s of CPU. Until the export exists, queries are embedded by the numpy encoder of the
same weights (search.embed_numpy: loads in well under a second), while the export runs in a background thread's
child process at low priority; when it is done, ONNX Runtime takes over. Both are fp32 (cosine ≥ 0.9999), so the
answers stay the same; the query cache keys on the runtime all the same. With the torch backend, or a model the
numpy encoder cannot run, queries wait for the export as before.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import numpy as np

from dailypapers.config import Config
from dailypapers.search.embed import Embedder, get_embedder, model_name, model_path

log = logging.getLogger("dailypapers.search")
QUERY_PRECISION = "fp32"
EXPORT_NICENESS = 10  # the background export yields the CPU to page requests
# One thread: a query runs beside the search's text statement, which needs the other core (PostgreSQL's ranking took
# twice as long beside a two-thread embedding), and a short text is no faster on two (4.7 ms p50 either way).
QUERY_THREADS = 1
_lock = threading.Lock()
_chosen: dict[tuple[str, str], Embedder] = {}


class HandoverEmbedder:
    """Embeds with `first` until the ONNX export is done and loaded, then with ONNX Runtime (thread-safe)."""

    def __init__(self, first: Embedder, config: Config) -> None:
        self._current = first
        self.name, self.dimensions = first.name, first.dimensions
        self.runtime = "numpy"
        self.done = threading.Event()  # set once the export was loaded (or failed)
        threading.Thread(target=self._take_over, args=(config,), name="onnx-export", daemon=True).start()

    def _take_over(self, config: Config) -> None:
        from dailypapers.search.embed_onnx import ensure_exported, exported_file

        try:
            model_dir = Path(model_path(config))
            target = exported_file(model_dir, config.home / "models", precision=QUERY_PRECISION)
            ensure_exported(model_dir, target, quantise=False, niceness=EXPORT_NICENESS)
            self._current = get_embedder(config, precision=QUERY_PRECISION, threads=QUERY_THREADS)
            self.runtime = "onnx"
            log.info("queries are now embedded by ONNX Runtime")
        except Exception as exc:  # the numpy encoder keeps answering: slower, never wrong
            log.warning("the ONNX export failed, queries stay on numpy: %s", str(exc).splitlines()[0] if exc else exc)
        finally:
            self.done.set()

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        return self._current.encode(texts, batch_size)


def query_embedder(config: Config) -> Embedder:
    """The embedder of queries for this config, chosen once per process and data dir (see the module docstring)."""
    model_dir = Path(model_path(config))
    key = (str(model_dir), str(config.home))
    with _lock:
        if key not in _chosen:
            _chosen[key] = _choose(config, model_dir)
        return _chosen[key]


def runtime_of(embedder: Embedder) -> str:
    """What computes the embedder's vectors now (the query cache keys on it)."""
    return str(getattr(embedder, "runtime", type(embedder).__name__))


def _choose(config: Config, model_dir: Path) -> Embedder:
    from dailypapers.search.embed_numpy import NumpyBertEmbedder, supports
    from dailypapers.search.embed_onnx import exported_file

    if (config.text("DAILYPAPERS_EMBEDDING_BACKEND") or "onnx") != "onnx":
        return get_embedder(config)
    exported = exported_file(model_dir, config.home / "models", precision=QUERY_PRECISION).exists()
    if exported or not supports(model_dir):
        return get_embedder(config, precision=QUERY_PRECISION, threads=QUERY_THREADS)
    return HandoverEmbedder(NumpyBertEmbedder(str(model_dir), model_name(config)), config)
