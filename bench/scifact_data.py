"""BEIR SciFact as a dailypapers store: corpus documents become papers, imported through the import service.

Used by bench/search_quality.py and bench/embed_throughput.py. The store (and its embeddings) is kept in a
directory you choose, so the slow embedding pass runs once: `python bench/scifact_data.py --home /tmp/dpscifact`.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from pathlib import Path

from dailypapers.config import Config
from dailypapers.domain import PaperRecord
from dailypapers.services.imports import import_papers
from dailypapers.storage import open_store
from dailypapers.testing.stores import SQLiteFactory

SCIFACT = Path(__file__).resolve().parents[2] / "shared" / "bench" / "scifact"
SPLIT_SEED = 2027  # the 300 judged claims, shuffled with it and halved: dev (tuning) and test (reported)


def corpus() -> list[dict[str, str]]:
    with (SCIFACT / "corpus.jsonl").open() as fh:
        return [json.loads(line) for line in fh]


def queries() -> dict[str, str]:
    with (SCIFACT / "queries.jsonl").open() as fh:
        rows = [json.loads(line) for line in fh]
    return {row["_id"]: row["text"] for row in rows}


def qrels(split: str = "all") -> dict[str, dict[str, int]]:
    """Judgments of BEIR's test claims (the only ones shipped: no train split here). `split` "dev" / "test" is a
    seeded half of them, so fusion can be tuned on one half and reported on the other; "all" is BEIR's test set."""
    judged: dict[str, dict[str, int]] = {}
    with (SCIFACT / "qrels" / "test.tsv").open() as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            judged.setdefault(row["query-id"], {})[f"scifact-{row['corpus-id']}"] = int(row["score"])
    if split == "all":
        return judged
    ids = sorted(judged, key=int)
    random.Random(SPLIT_SEED).shuffle(ids)
    half = set(ids[: len(ids) // 2] if split == "dev" else ids[len(ids) // 2 :])
    return {qid: j for qid, j in judged.items() if qid in half}


def records() -> list[PaperRecord]:
    return [
        PaperRecord(id=f"scifact-{doc['_id']}", title=doc.get("title") or "", abstract=doc["text"], authors=[])
        for doc in corpus()
    ]


def scifact_config(home: Path) -> Config:
    """A store holding the SciFact corpus; created and imported on first use, reused afterwards."""
    if (home / "dailypapers.db").exists():
        return Config.from_env({}, DAILYPAPERS_HOME=str(home), DATABASE_URL="")
    config = SQLiteFactory(home.parent / (home.name + "-template")).config(home)
    store = open_store(config)
    import_papers(store, records())
    store.dispose()
    return config


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, default=Path("/tmp/dpscifact"))
    parser.add_argument("--backend", default="onnx")
    args = parser.parse_args()
    cfg = scifact_config(args.home)
    cfg.values["DAILYPAPERS_EMBEDDING_BACKEND"] = args.backend
    from dailypapers.services.indexing import index_papers

    store = open_store(cfg)
    print(index_papers(store, cfg, progress=lambda done, total: print(f"{done}/{total}", flush=True)).line())
