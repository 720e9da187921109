"""`dailypapers index --workers N`: 1 against 2 worker processes (papers/s), and a worker killed mid-batch.

    python -m bench.index_workers [--papers 2000] [--batch 64] [--lease 30] [--cache DIR]

`--papers` real papers (the first lines of ../shared/data/arxiv-cs-2025-2026.kaggle.jsonl.gz) are imported once
into a template SQLite store; each run embeds them on its own copy of that file, with services.index_workers'
run_workers (the embedding phase of `dailypapers index --workers N`, with the ONNX model on the CPU, exported
once beforehand into a cache every run shares). The time of a run includes each worker's model load.

Runs: 1 worker, 2 workers, then 2 workers of which one is killed with SIGKILL while it holds a claimed batch
(after the first batch of the run was stored). The check after the kill: every paper has a vector, every batch
is done, the killed worker's batch was claimed twice and finished by the other, and the papers stored by the
survivor plus those the killed worker stored before it died add up to exactly --papers: none was stored twice.
Worker processes share this machine's CPUs (each pinned to its share), so on 2 cores 2 workers each get one.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "data" / "arxiv-cs-2025-2026.kaggle.jsonl.gz"


def _config(home: Path, cache: Path, lease: float) -> Any:
    from dailypapers.config import Config

    home.mkdir(parents=True, exist_ok=True)
    if not (home / "models").exists():
        (home / "models").symlink_to(cache.resolve())
    return Config.from_env({"DAILYPAPERS_HOME": str(home), "DAILYPAPERS_INDEX_LEASE": str(lease)})


def template(work: Path, cache: Path, papers: int) -> Path:
    """A store with `papers` unembedded papers; the model exported into `cache` (not timed)."""
    from dailypapers.ingest.kaggle import record_from_kaggle
    from dailypapers.search.embed import index_embedder
    from dailypapers.services.imports import import_papers
    from dailypapers.storage import open_store
    from dailypapers.storage.migrate import upgrade

    config = _config(work / "template", cache, 600)
    store = open_store(config)
    upgrade(store)
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        import_papers(store, (record_from_kaggle(json.loads(line)) for line in itertools.islice(fh, papers)))
    store.dispose()
    index_embedder(config).encode(["export the model once"])
    return config.home


def copy_of(template_home: Path, home: Path, cache: Path, lease: float) -> Any:
    home.mkdir(parents=True)
    for path in template_home.iterdir():
        if path.name != "models":
            (shutil.copytree if path.is_dir() else shutil.copy2)(path, home / path.name)
    return _config(home, cache, lease)


def run(config: Any, workers: int, batch: int, kill: bool) -> dict[str, Any]:
    from dailypapers.search.embed import model_name
    from dailypapers.services.index_workers import run_workers
    from dailypapers.storage import open_store
    from dailypapers.storage.embeddings import count_embeddings
    from dailypapers.storage.index_batches import batch_rows

    store = open_store(config)
    name = model_name(config)
    killed: dict[str, Any] = {}
    stop = threading.Event()

    def killer() -> None:  # once a batch is stored, SIGKILL a worker that holds an open one
        while not stop.is_set():
            with store.read() as conn:
                rows = batch_rows(conn, name)
            if any(r["done_at"] for r in rows):
                held = [r for r in rows if r["holder"] and not r["done_at"]]
                if held:
                    killed.update(holder=held[0]["holder"], batch=held[0]["id"])
                    os.kill(int(held[0]["holder"].rsplit(":", 1)[1]), signal.SIGKILL)
                    return
            time.sleep(0.05)

    watcher = threading.Thread(target=killer, daemon=True) if kill else None
    started = time.perf_counter()
    if watcher:
        watcher.start()
    try:
        tally = run_workers(store, config, workers, batch)
    finally:
        stop.set()
    seconds = time.perf_counter() - started
    with store.read() as conn:
        rows = batch_rows(conn, name)
        stored = count_embeddings(conn, name)
    store.dispose()
    return {"seconds": seconds, "tally": tally, "stored": stored, "batches": rows, "killed": killed}


def paper_ids(config: Any) -> list[str]:
    """Every paper id of a store (before embedding: all are still to embed), in the store's order."""
    from dailypapers.search.embed import model_name
    from dailypapers.storage import open_store
    from dailypapers.storage.embeddings import ids_to_embed

    store = open_store(config)
    with store.read() as conn:
        ids = ids_to_embed(conn, model_name(config), "", 10**9)
    store.dispose()
    return ids


def papers_in(ids: list[str], rows: list[dict[str, Any]], holder: str) -> int:
    """Papers in the batches that `holder` finished (stored) before it was killed (ids are ASCII: Python's order
    is SQLite's)."""
    ranges = [(r["after_id"], r["last_id"]) for r in rows if r["holder"] == holder]
    return sum(1 for paper in ids for low, high in ranges if low < paper <= high)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--papers", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=64, help="papers per batch (the CLI uses 256)")
    parser.add_argument("--lease", type=float, default=30.0, help="DAILYPAPERS_INDEX_LEASE for every run")
    parser.add_argument("--cache", type=Path, help="an exported-model cache to reuse")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-workers-") as scratch:
        work = Path(scratch)
        cache = args.cache or work / "models"
        cache.mkdir(parents=True, exist_ok=True)
        print(f"{args.papers} papers, batches of {args.batch}, lease {args.lease:g} s; {os.cpu_count()} CPUs")
        template_home = template(work, cache, args.papers)
        ids = paper_ids(_config(template_home, cache, args.lease))
        for label, workers, kill in (("1 worker", 1, False), ("2 workers", 2, False), ("2, one killed", 2, True)):
            load = os.getloadavg()[0]
            config = copy_of(template_home, work / label.replace(" ", "-").replace(",", ""), cache, args.lease)
            result = run(config, workers, args.batch, kill)
            tally = result["tally"]
            rate = args.papers / result["seconds"]
            line = (
                f"{label:>14}: {result['seconds']:6.1f} s, {rate:5.1f} papers/s, stored {result['stored']}, "
                f"{len(result['batches'])} batches, load {load:.1f}"
            )
            if kill:
                dead = result["killed"]
                if not dead:
                    print(line + "; NO worker was killed (the run ended first)")
                    continue
                rows = {r["id"]: r for r in result["batches"]}
                taken = rows[dead["batch"]]
                before = papers_in(ids, result["batches"], dead["holder"])
                exact = tally.embedded + before == args.papers == result["stored"]
                done = all(r["done_at"] for r in result["batches"])
                line += (
                    f"; killed {dead['holder']} holding batch {dead['batch']}: claimed {taken['claims']}x, finished "
                    f"by {'the other worker' if taken['holder'] != dead['holder'] else 'NOBODY'}; survivor stored "
                    f"{tally.embedded} + killed worker before dying {before} = {tally.embedded + before} "
                    f"({'exactly once each' if exact and done else 'MISMATCH'})"
                )
            print(line)
        print(f"load average {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
