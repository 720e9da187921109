"""Rebuild the demo sample from the shared data: `python -m dailypapers.demo.build --shared ../shared`, then its
vectors: `python -m dailypapers.demo.build --vectors` (after any change of the sample or of the bundled model).

Takes every HF daily list from FIRST_DAY to LAST_DAY, the Kaggle-format arXiv records of those papers, and a
deterministic sample of other arXiv papers announced in the same weeks, so that search has some breadth.

`--vectors` loads the sample into a scratch SQLite store and indexes it exactly as `dailypapers index` does
(ONNX int8 on the CPU, the default), then writes every paper's vector and keywords to VECTORS_FILE.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from dailypapers.config import Config
from dailypapers.demo import ARXIV_FILE, HF_FILE, VECTORS_FILE, load_demo

FIRST_DAY, LAST_DAY = "2026-06-08", "2026-07-03"
EXTRA_PAPERS = 1500


def build(shared: Path) -> None:
    days = []
    with gzip.open(shared / "data" / "hf-daily-papers-2024-2026.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            day = json.loads(line)
            if FIRST_DAY <= day["date"] <= LAST_DAY:
                days.append(day)
    listed = {item["paper"]["id"] for day in days for item in day["papers"]}
    chosen, others = [], []
    with gzip.open(shared / "data" / "arxiv-cs-2025-2026.kaggle.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            if record["id"] in listed:
                chosen.append(record)
            elif "2026-06-01" <= record["update_date"] <= LAST_DAY:
                others.append(record)
    random.Random(20260608).shuffle(others)
    chosen.extend(sorted(others[:EXTRA_PAPERS], key=lambda r: r["id"]))
    with gzip.GzipFile(ARXIV_FILE, "wb", mtime=0) as out:
        for record in chosen:
            out.write((json.dumps(record, ensure_ascii=False) + "\n").encode())
    with gzip.GzipFile(HF_FILE, "wb", mtime=0) as out:
        for day in days:
            out.write((json.dumps(day, ensure_ascii=False) + "\n").encode())
    print(f"{len(days)} days, {len(listed)} listed papers, {len(chosen)} arXiv records")


def build_vectors(target: Path = VECTORS_FILE, models: Path | None = None) -> None:
    """Index the demo in a scratch store with the default model and backend, and bundle the result."""
    from dailypapers.search.embed import default_model_path, model_name
    from dailypapers.search.vector_bundle import VectorBundle, model_stamp, write_bundle
    from dailypapers.services.indexing import index_papers
    from dailypapers.storage import open_store
    from dailypapers.storage.embeddings import embedded_papers
    from dailypapers.storage.migrate import upgrade

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="demo-vectors-") as home:
        config = Config.from_env({"DAILYPAPERS_HOME": home})  # the defaults: bundled model, onnx, cpu
        if models is not None:
            (Path(home) / "models").symlink_to(models.resolve())
        store = open_store(config)
        upgrade(store)
        load_demo(store)
        summary = index_papers(store, config)
        name = model_name(config)
        rows: list[dict[str, Any]] = []
        while True:
            with store.read() as conn:
                page = embedded_papers(conn, name, rows[-1]["paper_id"] if rows else "", 1000)
            if not page:
                break
            rows += page
        store.dispose()
    bundle = VectorBundle(
        model=name,
        weights=model_stamp(Path(default_model_path())),
        ids=[r["paper_id"] for r in rows],
        text_hashes=[r["text_hash"] for r in rows],
        vectors=np.stack([np.asarray(r["vector"], dtype=np.float32) for r in rows]),
        keywords=[list(r["keywords"] or []) for r in rows],
    )
    write_bundle(target, bundle)
    print(
        f"{summary.line()}\n{len(rows)} vectors of {name} in {target.name}: {target.stat().st_size / 1024:.0f} KB, "
        f"{time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--vectors", action="store_true", help="rebuild only the vectors of the current sample")
    parser.add_argument("--models", type=Path, help="an exported-model cache to reuse ($DAILYPAPERS_HOME/models)")
    args = parser.parse_args()
    if args.vectors:
        build_vectors(models=args.models)
    else:
        build(args.shared)
        build_vectors(models=args.models)
