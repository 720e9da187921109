"""Queries on a fresh data dir: embedded by the numpy encoder of the bundled weights until the ONNX export exists,
then by ONNX Runtime, with vectors that agree, so a first start answers hybrid searches without waiting.

The export is held back deterministically by holding its file lock (as a concurrent exporting process would); one
real export runs in this module (about 15 s). SQLite only: which encoder embeds a query does not depend on the engine.
"""

from __future__ import annotations

import gzip
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import numpy as np
import pytest
from filelock import FileLock

from dailypapers.config import Config
from dailypapers.demo import ARXIV_FILE, load_demo_vectors
from dailypapers.ingest.kaggle import record_from_kaggle
from dailypapers.search.embed import TorchEmbedder, default_model_path
from dailypapers.search.embed_numpy import NumpyBertEmbedder, supports
from dailypapers.search.embed_onnx import OnnxEmbedder, exported_file
from dailypapers.search.query_model import QUERY_THREADS, HandoverEmbedder, query_embedder, runtime_of
from dailypapers.search.service import SearchRequest, search_papers
from dailypapers.services.imports import import_papers
from dailypapers.services.indexing import index_papers
from dailypapers.storage import Store, open_store
from dailypapers.testing.stores import SQLiteFactory

QUERIES = [
    "teaching robots to grasp objects from videos",
    "graph theory",
    "sparse attention for long context language models",
    "photon pairs at hadron colliders",
    "diffusion models for image editing without retraining",
]


@pytest.fixture(scope="module")
def numpy_encoder() -> NumpyBertEmbedder:
    return NumpyBertEmbedder(default_model_path(), "all-MiniLM-L6-v2")


@pytest.fixture
def demo_store(sqlite_factory: SQLiteFactory, tmp_path: Path) -> Iterator[tuple[Store, Config]]:
    """80 demo papers with their shipped vectors, indexed, on the default (ONNX) backend with no export yet."""
    config = sqlite_factory.config(tmp_path / "home")
    store = open_store(config)
    with gzip.open(ARXIV_FILE, "rt", encoding="utf-8") as fh:
        import_papers(store, [record_from_kaggle(json.loads(line)) for line in itertools.islice(fh, 80)])
    load_demo_vectors(store, config)
    index_papers(store, config)
    yield store, config
    store.dispose()


def test_the_numpy_encoder_computes_the_torch_reference_vectors(numpy_encoder: NumpyBertEmbedder) -> None:
    long_text = " ".join(["attention over very long documents with sparse patterns"] * 60)  # truncated at 256
    texts = [*QUERIES, long_text]
    reference = TorchEmbedder(default_model_path(), "all-MiniLM-L6-v2").encode(texts)
    ours = numpy_encoder.encode(texts, batch_size=2)
    assert ours.shape == (len(texts), 384)
    assert (ours * reference).sum(axis=1).min() >= 0.9999
    assert numpy_encoder.encode([]).shape == (0, 384)


def test_a_query_is_answered_with_hybrid_search_before_the_onnx_export_exists_then_onnx_takes_over(
    demo_store: tuple[Store, Config], numpy_encoder: NumpyBertEmbedder
) -> None:
    store, config = demo_store
    model_dir = Path(default_model_path())
    target = exported_file(model_dir, config.home / "models", precision="fp32")
    target.parent.mkdir(parents=True)
    with FileLock(str(target.with_suffix(".lock"))):  # an export in progress elsewhere: it cannot finish now
        request = SearchRequest(q=QUERIES[0], limit=5)
        before = search_papers(store, config, request)
        embedder = query_embedder(config)
        assert isinstance(embedder, HandoverEmbedder) and runtime_of(embedder) == "numpy"
        assert before.semantic and len(before.hits) == 5 and not target.exists()
        early = embedder.encode(QUERIES)
    assert embedder.done.wait(timeout=600)  # the background export, once the lock is free
    assert target.exists() and runtime_of(embedder) == "onnx"
    # One thread: the search's text statement runs beside the query embedding and needs the other core.
    onnx = cast(OnnxEmbedder, embedder._current)
    assert onnx.session.get_session_options().intra_op_num_threads == QUERY_THREADS == 1
    later = embedder.encode(QUERIES)
    # Both runtimes embed queries alike, so the answer of the first start is the answer after.
    assert (early * later).sum(axis=1).min() >= 0.9999
    assert np.allclose(early, numpy_encoder.encode(QUERIES), atol=1e-6)
    after = search_papers(store, config, request)
    assert [h.paper.id for h in after.hits] == [h.paper.id for h in before.hits]


def test_a_model_the_numpy_encoder_cannot_run_is_left_to_the_export(tmp_path: Path) -> None:
    bundled = Path(default_model_path())
    assert supports(bundled)
    other = tmp_path / "mpnet"
    other.mkdir()
    config = json.loads((bundled / "config.json").read_text())
    (other / "config.json").write_text(json.dumps({**config, "model_type": "mpnet"}))
    assert not supports(other) and not supports(tmp_path / "missing")
