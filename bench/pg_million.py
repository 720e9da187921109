"""A ~1,000,000-paper PostgreSQL store for the 1M latency figures: replicate_corpus.py's copies, on pgserver.

    python bench/pg_million.py --workdir /tmp/pgscale-1m [--papers 1000000] [--around STORE…] [--vectors]

The papers go through the real import service (`services.imports.import_items`), copy after copy as in
replicate_corpus.py, into the database `dp1m` of a pgserver PostgreSQL 16 kept in WORKDIR/pg, left running so a
later run and bench/search_latency.py reuse it (as root, `runuser -u pgserver -- pg_ctl -D WORKDIR/pg stop` ends
it). --vectors then drops the HNSW index, gives every paper a SYNTHETIC vector (a real one of the --around stores
plus noise, as search_latency.py's fill_synthetic, loaded with COPY) and builds the index once, timed, with the
maintenance memory and parallel workers given: building it once is far faster than inserting a million vectors
into a live HNSW graph.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dailypapers.config import Config
from dailypapers.search.embed import model_name
from dailypapers.services.imports import import_items
from dailypapers.services.indexing import merge_fulltext_index
from dailypapers.storage import Store, open_store
from dailypapers.storage.migrate import upgrade
from dailypapers.storage.papers import count_papers
from dailypapers.storage.pg_bulk import vacuum_analyze
from pg_twin import server_url
from replicate_corpus import COPIES, KAGGLE, copy_items, real_vectors

DATABASE = "dp1m"


def import_copies(store: Store, papers: int, source: Path) -> None:
    for k, j in COPIES:
        with store.read() as conn:
            total = count_papers(conn)
        if total >= papers:
            break
        started, cpu = time.perf_counter(), time.process_time()
        summary = import_items(store, copy_items(source, k, j))
        print(
            f"copy ({k}, {j}): {summary.new} new, {summary.unchanged} unchanged in "
            f"{time.perf_counter() - started:.0f} s (process CPU {time.process_time() - cpu:.0f} s)",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/pgscale-1m"))
    parser.add_argument("--papers", type=int, default=1_000_000)
    parser.add_argument("--source", type=Path, default=KAGGLE)
    parser.add_argument("--vectors", action="store_true")
    parser.add_argument("--around", type=Path, nargs="*", default=[])
    parser.add_argument("--maintenance-work-mem", default="5GB")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    home = args.workdir / "home"
    home.mkdir(parents=True, exist_ok=True)
    config = Config.from_env(
        {}, DAILYPAPERS_HOME=str(home), DATABASE_URL=server_url(args.workdir, DATABASE), DAILYPAPERS_FETCH_WORKER="0"
    )
    print(f"DATABASE_URL={config.database_url}", flush=True)
    store = open_store(config)
    upgrade(store)
    import_copies(store, args.papers, args.source)
    with store.read() as conn:
        print(f"{count_papers(conn)} papers in {DATABASE}", flush=True)
    started = time.perf_counter()  # as `dailypapers index` does after an import: the word counts' rows summed
    print(f"word counts summed in {merge_fulltext_index(store)} steps, {time.perf_counter() - started:.0f} s")
    if args.vectors:
        load_vectors(store, config, real_vectors(args.around) if args.around else None, args)
    started = time.perf_counter()
    vacuum_analyze(store)
    print(f"VACUUM (ANALYZE) in {time.perf_counter() - started:.0f} s", flush=True)
    store.dispose()


def load_vectors(store: Store, config: Config, around: np.ndarray | None, args: argparse.Namespace) -> None:
    """search_latency.fill_synthetic's vectors (same seed, same id order), COPYed with the index dropped, then the
    index built once; prints the seconds of each step."""
    from dailypapers.storage.embeddings import next_seq, papers_to_embed
    from dailypapers.storage.pg_bulk import build_vector_index, copy_embeddings, drop_vector_index
    from search_latency import NOISE

    rng, model, after, filled = np.random.default_rng(7), model_name(config), "", 0
    started = time.perf_counter()
    with store.write() as conn:
        drop_vector_index(conn)
    while True:
        with store.read() as conn:
            rows = papers_to_embed(conn, model, after, 20_000)
        if not rows:
            break
        after = rows[-1]["id"]
        vectors = rng.standard_normal((len(rows), 384)).astype(np.float32)
        if around is not None:
            vectors *= NOISE / np.linalg.norm(vectors, axis=1, keepdims=True)
            vectors += around[rng.integers(0, len(around), len(rows))]
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        with store.write() as conn:
            seq = next_seq(conn)
            batch = (
                (r["id"], model, "synthetic", r["content_hash"], seq, v) for r, v in zip(rows, vectors, strict=True)
            )
            filled += copy_embeddings(conn, batch)
        print(f"  {filled} vectors ({time.perf_counter() - started:.0f} s)", flush=True)
    print(f"synthetic vectors COPYed: {filled} in {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    with store.write() as conn:
        build_vector_index(conn, args.maintenance_work_mem, args.workers)
    print(
        f"HNSW index built in {time.perf_counter() - started:.0f} s "
        f"(maintenance_work_mem {args.maintenance_work_mem}, {args.workers} parallel workers)",
        flush=True,
    )


if __name__ == "__main__":
    main()
