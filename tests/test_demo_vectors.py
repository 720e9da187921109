"""The demo's shipped vectors: `dailypapers index` on the demo embeds nothing and never loads the model, and a
paper whose text changed is embedded again (on SQLite and PostgreSQL).

The shipped vectors themselves are checked against the bundled model in tests/test_search_embed.py.
"""

from __future__ import annotations

import dataclasses
import gzip
import itertools
import json
from pathlib import Path

import numpy as np

from dailypapers.config import Config
from dailypapers.demo import ARXIV_FILE, VECTORS_FILE, load_demo_vectors
from dailypapers.domain import PaperRecord
from dailypapers.ingest.kaggle import record_from_kaggle
from dailypapers.search.vector_bundle import VectorBundle, read_bundle, write_bundle
from dailypapers.services.imports import import_papers
from dailypapers.services.indexing import index_papers
from dailypapers.storage import Store
from dailypapers.storage.embeddings import count_embeddings, count_papers_to_embed, vectors_of
from dailypapers.storage.glance import glances_of

SOME = 40


def demo_records(count: int) -> list[PaperRecord]:
    with gzip.open(ARXIV_FILE, "rt", encoding="utf-8") as fh:
        return [record_from_kaggle(json.loads(line)) for line in itertools.islice(fh, count)]


def test_indexing_demo_papers_stores_their_shipped_vectors_and_keywords_without_the_model(
    store: Store, config: Config
) -> None:
    records = demo_records(SOME)
    import_papers(store, records)
    adopted = load_demo_vectors(store, config)
    assert (adopted.vectors, adopted.glances) == (SOME, SOME), adopted.line()
    summary = index_papers(store, config)  # the default ONNX backend: a model load would export into home/models
    assert (summary.checked, summary.embedded, summary.glanced) == (0, 0, 0)
    assert not (config.home / "models").exists()
    with store.read() as conn:
        assert count_embeddings(conn, "all-MiniLM-L6-v2") == SOME
        assert count_papers_to_embed(conn, "all-MiniLM-L6-v2") == 0
        glances = glances_of(conn, [r.id for r in records])
    assert all(3 <= len(g.keywords) <= 6 and g.tldr for g in glances.values()) and len(glances) == SOME
    if store.dialect == "sqlite":
        assert summary.index_size == SOME
    again = load_demo_vectors(store, config)
    assert (again.vectors, again.glances) == (0, 0)


def test_a_demo_paper_whose_text_changed_is_embedded_again_and_only_it(store: Store, config: Config) -> None:
    config.values["DAILYPAPERS_EMBEDDING_BACKEND"] = "torch"  # same model name; loads in seconds
    records = demo_records(SOME)
    changed, retitled, touched = records[3], records[7], records[11]
    records[3] = dataclasses.replace(changed, abstract=changed.abstract + " We also release the code.")
    import_papers(store, records)
    assert load_demo_vectors(store, config).vectors == SOME - 1  # not for a text it was not made from
    new_version = dataclasses.replace(retitled, title="A new title", version=retitled.version + 1)
    import_papers(store, [new_version, dataclasses.replace(touched, doi="10.1/x")])
    summary = index_papers(store, config)
    assert (summary.checked, summary.embedded, summary.glanced) == (3, 2, 2)  # the DOI alone changes no vector
    shipped = read_bundle(VECTORS_FILE)
    rows = shipped.by_id()
    with store.read() as conn:
        stored = vectors_of(conn, [r.id for r in records], "all-MiniLM-L6-v2")
    same = {key for key, vector in stored.items() if float(vector @ shipped.vectors[rows[key]]) > 0.99999}
    assert {r.id for r in records} - same == {changed.id, retitled.id}


def test_a_bundle_of_another_model_is_not_used(store: Store, config: Config) -> None:
    import_papers(store, demo_records(5))
    config.values["DAILYPAPERS_EMBEDDING_MODEL"] = "/models/multi-qa-mpnet-base"
    adopted = load_demo_vectors(store, config)
    assert adopted.vectors == 0 and "multi-qa-mpnet-base" in adopted.line()


def test_a_bundle_keeps_ids_hashes_keywords_and_vectors_to_int8_precision(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(50, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = [f"2606.{n:05d}" for n in range(50)]
    words = [["mixture of experts", f"topic {n}"] for n in range(50)]
    write_bundle(tmp_path / "b.npz", VectorBundle("m", "w", ids, [f"{n:032x}" for n in range(50)], vectors, words))
    back = read_bundle(tmp_path / "b.npz")
    assert (back.model, back.weights, back.ids, back.keywords) == ("m", "w", ids, words)
    assert back.text_hashes[10] == f"{10:032x}"
    assert (back.vectors * vectors).sum(axis=1).min() >= 0.9999
    assert [p.name for p in tmp_path.iterdir()] == ["b.npz"]
