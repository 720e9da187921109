"""The ONNX int8 backend against the fp32 torch reference, with the real model on real paper texts and queries.

The ONNX model is exported and quantised once for this module (about 15 s) into a temporary cache.
"""

from __future__ import annotations

import gzip
import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from dailypapers.demo import ARXIV_FILE, VECTORS_FILE
from dailypapers.ingest.kaggle import record_from_kaggle
from dailypapers.search.embed import TorchEmbedder, default_model_path, paper_text, text_hash
from dailypapers.search.embed_onnx import TOKENS_PER_BATCH, OnnxEmbedder, fp32_sibling, length_sorted_batches
from dailypapers.search.vector_bundle import model_stamp, read_bundle

QUERIES = ["photon pairs at hadron colliders", "graph theory", "sparse attention for long context language models"]


@pytest.fixture(scope="module")
def texts(shared: Path) -> list[str]:
    with (shared / "fixtures" / "kaggle-arxiv-metadata-snapshot.sample.jsonl").open() as fh:
        rows = [json.loads(line) for line in itertools.islice(fh, 6)]
    # Short queries and long abstracts (some over 256 tokens) in one call: sorting and padding must not mix them up.
    return QUERIES + [paper_text(row["title"], row["abstract"]) for row in rows]


@pytest.fixture(scope="module")
def onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def onnx(onnx_cache: Path) -> OnnxEmbedder:
    return OnnxEmbedder(default_model_path(), "all-MiniLM-L6-v2", onnx_cache)


def test_int8_vectors_agree_with_fp32_torch(onnx: OnnxEmbedder, texts: list[str]) -> None:
    reference = TorchEmbedder(default_model_path(), "all-MiniLM-L6-v2").encode(texts)
    ours = onnx.encode(texts)
    assert ours.shape == reference.shape == (len(texts), 384)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1, atol=1e-5)
    cosines = (ours * reference).sum(axis=1)
    assert cosines.min() >= 0.98, cosines


def test_each_vector_comes_back_in_its_texts_place_whatever_the_batching(onnx: OnnxEmbedder, texts: list[str]) -> None:
    together = onnx.encode(texts, batch_size=4)
    alone = np.vstack([onnx.encode([text]) for text in texts])
    similarity = together @ alone.T
    assert (similarity.argmax(axis=1) == np.arange(len(texts))).all()
    # Not identical: dynamic quantisation takes one activation scale per batch, so batch-mates shift it slightly.
    assert similarity.diagonal().min() >= 0.98
    assert onnx.encode([]).shape == (0, 384)


def test_the_exported_model_is_reused_from_the_cache(onnx: OnnxEmbedder, onnx_cache: Path) -> None:
    (cached,) = onnx_cache.glob("*-int8.onnx")
    stamps = {p: p.stat().st_mtime_ns for p in onnx_cache.glob("*.onnx")}
    OnnxEmbedder(default_model_path(), "all-MiniLM-L6-v2", onnx_cache)
    OnnxEmbedder(default_model_path(), "all-MiniLM-L6-v2", onnx_cache, precision="fp32")  # kept by the int8 export
    # No leftover temporary files; the export's lock file stays (removing it would race a waiting process).
    kept = [cached.name, cached.with_suffix(".lock").name, fp32_sibling(cached).name]
    assert sorted(p.name for p in onnx_cache.iterdir()) == sorted(kept)
    assert {p: p.stat().st_mtime_ns for p in onnx_cache.glob("*.onnx")} == stamps


def test_the_shipped_demo_vectors_are_the_bundled_models_vectors_of_the_demo_texts(onnx: OnnxEmbedder) -> None:
    shipped = read_bundle(VECTORS_FILE)
    assert shipped.model == onnx.name and shipped.weights == model_stamp(Path(default_model_path()))
    with gzip.open(ARXIV_FILE, "rt", encoding="utf-8") as fh:
        sample = [record_from_kaggle(json.loads(line)) for line in itertools.islice(fh, 0, None, 61)]
    rows = shipped.by_id()
    texts = [paper_text(r.title, r.abstract) for r in sample]
    assert [shipped.text_hashes[rows[r.id]] for r in sample] == [text_hash(text) for text in texts]
    cosines = (onnx.encode(texts) * shipped.vectors[[rows[r.id] for r in sample]]).sum(axis=1)
    assert len(sample) == 31 and cosines.min() >= 0.99, cosines


def test_batches_are_length_sorted_and_capped_in_rows_and_padded_tokens() -> None:
    lengths = np.array([300, 5, 256, 12, 256, 7, 40, 256, 9] + [256] * 30)
    batches = list(length_sorted_batches(lengths, batch_size=4))
    assert sorted(np.concatenate(batches).tolist()) == list(range(len(lengths)))
    widths = [int(lengths[b].max()) for b in batches]
    assert widths == sorted(widths)
    assert all(len(b) <= 4 for b in batches)
    assert all(len(b) * w <= TOKENS_PER_BATCH or len(b) == 1 for b, w in zip(batches, widths, strict=True))
    assert [len(b) for b in length_sorted_batches(np.full(40, 256), batch_size=64)] == [16, 16, 8]
