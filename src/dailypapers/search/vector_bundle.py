"""Precomputed paper vectors (and their keywords) in one compact file, for papers a site ships with (the demo).

A bundle is a compressed `.npz` (a zip of `.npy` arrays, read with allow_pickle=False: no pickles) holding, per
paper, its id, the hash of the text that was embedded (search.embed.text_hash of title + abstract), the vector as
int8 with one float32 scale per row, and the keywords made from it (services.glance), plus the model's name and a
stamp of its weights. A vector is used only for the same model name and weights and only while the paper's
current text has that hash, so a bundle can never stand in for an embedding of a different text or model.

int8 with a per-row scale: cosine to the float32 original ≥ 0.9999 at a quarter of the size (fp16 would be half).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

FORMAT = 1


@dataclass
class VectorBundle:
    model: str  # search.embed.model_name: the name stored with every vector
    weights: str  # model_stamp() of the model that made the vectors
    ids: list[str]
    text_hashes: list[str]
    vectors: np.ndarray  # float32, unit length, one row per id
    keywords: list[list[str]] = field(default_factory=list)  # per id; empty lists when not made

    def by_id(self) -> dict[str, int]:
        return {paper_id: row for row, paper_id in enumerate(self.ids)}


def model_stamp(model_dir: Path) -> str:
    """A digest of the model's weights and tokenizer: vectors from other weights under the same name never mix."""
    digest = hashlib.blake2b(digest_size=12)
    for name in ("config.json", "tokenizer.json"):
        path = model_dir / name
        digest.update(path.read_bytes() if path.exists() else b"")
    for weights in sorted(model_dir.glob("*.safetensors")) + sorted(model_dir.glob("*.bin")):
        with weights.open("rb") as fh:
            while chunk := fh.read(1 << 22):
                digest.update(chunk)
    return digest.hexdigest()


def quantised(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 rows and their float32 scales (symmetric, per row: each row uses its whole -127..127 range)."""
    scales = np.abs(vectors).max(axis=1) / 127.0
    scales[scales == 0] = 1.0
    return np.round(vectors / scales[:, None]).astype(np.int8), scales.astype(np.float32)


def dequantised(rows: np.ndarray, scales: np.ndarray) -> np.ndarray:
    vectors = rows.astype(np.float32) * scales[:, None]
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def write_bundle(path: Path, bundle: VectorBundle) -> None:
    """Write atomically (temporary file, then rename)."""
    rows, scales = quantised(np.asarray(bundle.vectors, dtype=np.float32))
    keywords = bundle.keywords or [[] for _ in bundle.ids]
    meta = {"format": FORMAT, "model": bundle.model, "weights": bundle.weights, "dimensions": int(rows.shape[1])}
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as fh:
        np.savez_compressed(
            fh,
            meta=np.array(json.dumps(meta)),
            ids=np.array(bundle.ids),
            text_hashes=np.array(bundle.text_hashes),
            vectors=rows,
            scales=scales,
            keywords=np.array([json.dumps(words, ensure_ascii=False) for words in keywords]),
        )
    os.replace(tmp, path)


def read_bundle(path: Path) -> VectorBundle:
    """The bundle at `path` (ValueError when it is not one this version reads)."""
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        if meta.get("format") != FORMAT:
            raise ValueError(f"{path.name}: vector bundle format {meta.get('format')!r}, this version reads {FORMAT}")
        return VectorBundle(
            model=str(meta["model"]),
            weights=str(meta["weights"]),
            ids=[str(x) for x in data["ids"]],
            text_hashes=[str(x) for x in data["text_hashes"]],
            vectors=dequantised(data["vectors"], data["scales"]),
            keywords=[list(json.loads(str(x))) for x in data["keywords"]],
        )
