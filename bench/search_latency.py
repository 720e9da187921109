"""Hybrid search latency (p50/p95, query embedding included) through `search_papers` on a large store.

    python bench/search_latency.py --home /tmp/dpsearch [--database-url postgresql+psycopg://…] [--million]
    python bench/search_latency.py --home /tmp/dpsearch --postgres-url postgresql+psycopg://…   # both engines
    python bench/replicate_corpus.py --home /tmp/dp1m --vectors    # then:
    python bench/search_latency.py --home /tmp/dp1m --no-mrr
    python bench/pg_million.py --workdir /tmp/pgscale-1m --vectors --around STORE   # 1M on PostgreSQL, then:
    python bench/search_latency.py --home /tmp/pgscale-1m/home --database-url <the URL it prints> --no-mrr

The store should hold the real corpus (`dailypapers import kaggle …` and `import hf-daily …`). Papers without an
embedding get a SYNTHETIC one (seeded random unit vector) first when --synthetic is given: embedding 80k papers
takes about an hour on this 2-core machine, and latency depends on the index size, not on what the vectors mean.
The text side (FTS5 / tsvector) and the query embedding are real. For 1,000,000 papers, replicate_corpus.py imports
the real corpus 14 times under moved ids and gives every paper a synthetic vector. --million also times an exact
top-400 over 1,000,000 synthetic vectors in memory: the brute-force baseline for the nearest-neighbour step.
Each pass starts with no word counts cached (a running site keeps them for an hour), so first-seen words pay.
With --postgres-url a PostgreSQL store of the same papers is measured after the first, in the same run and on the
same queries (made from the first store's titles); --synthetic gives both the same seeded vectors (in id order),
clustered around the real vectors of the --around stores if given.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dailypapers.config import Config
from dailypapers.search.backend import search_backend
from dailypapers.search.embed import get_embedder, model_name
from dailypapers.search.fuse import DEFAULT_FUSION, Fusion
from dailypapers.search.service import SearchRequest, search_papers
from dailypapers.storage import Store, open_store
from dailypapers.storage.embeddings import next_seq, papers_to_embed, save_embeddings
from dailypapers.storage.term_stats import clear_cache
from short_queries import short_query

NOISE = 0.88  # added to a real vector, leaves cosine ~0.75 to it: about a paper's similarity to its nearest neighbour


def fill_synthetic(store: Store, config: Config, dims: int = 384, around: np.ndarray | None = None) -> int:
    """Give every unembedded paper a seeded synthetic unit vector: uniformly random, or a real vector plus noise.

    `around` (real embeddings, one per row) makes the vectors cluster like real ones; uniformly random vectors are
    the hardest case for an HNSW graph (half the insert speed; a 1M build had reached 200k after 12 min)."""
    rng = np.random.default_rng(7)
    model, after, filled = model_name(config), "", 0
    while True:
        with store.read() as conn:
            rows = papers_to_embed(conn, model, after, 5000)
        if not rows:
            break
        after = rows[-1]["id"]
        vectors = rng.standard_normal((len(rows), dims)).astype(np.float32)
        if around is not None:
            vectors *= NOISE / np.linalg.norm(vectors, axis=1, keepdims=True)
            vectors += around[rng.integers(0, len(around), len(rows))]
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        with store.write() as conn:
            seq = next_seq(conn)
            save_embeddings(
                conn,
                [
                    {
                        "paper_id": r["id"],
                        "model": model,
                        "text_hash": "synthetic",
                        "content_hash": r["content_hash"],
                        "seq": seq,
                        "vector": v,
                    }
                    for r, v in zip(rows, vectors, strict=True)
                ],
            )
        filled += len(rows)
    search_backend(store, config, model).vectors.refresh(store, dims)
    return filled


def workload(store: Store, n: int) -> list[tuple[str, str]]:
    """Short queries made from random stored titles (the short-query recipe), seeded, each with its paper's id."""
    from sqlalchemy import select

    from dailypapers.storage.schema import papers

    with store.read() as conn:
        rows = [(row[0], row[1]) for row in conn.execute(select(papers.c.id, papers.c.title).order_by(papers.c.id))]
    rng = random.Random(11)
    queries: list[tuple[str, str]] = []
    while len(queries) < n:
        paper_id, title = rng.choice(rows)
        q = short_query(title, rng)
        if q:
            queries.append((q, paper_id))
    return queries


def text_mrr(store: Store, workload_: list[tuple[str, str]], row_budget: int) -> tuple[float, list[float]]:
    """MRR@10 of the text side alone (the paper the query came from is the answer), and its latencies."""
    from dailypapers.search.query import parse_query
    from dailypapers.storage.fulltext import SearchFilters

    reciprocal, ms = [], []
    clear_cache()
    for q, answer in workload_:
        parsed = parse_query(q)
        started = time.perf_counter()
        with store.read() as conn:
            found = store.text_index.candidates(
                conn, parsed.words, parsed.phrases, SearchFilters(), 10, row_budget, pairs=parsed.pairs
            )
        top = [key for key, _ in found]
        ms.append((time.perf_counter() - started) * 1000)
        reciprocal.append(1 / (top.index(answer) + 1) if answer in top else 0.0)
    return sum(reciprocal) / len(reciprocal), ms


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"p50 {statistics.median(ordered):6.1f} ms  p95 {p95:6.1f} ms  (n={len(ordered)})"


def timed(
    store: Store, config: Config, queries: list[str], fusion: Fusion = DEFAULT_FUSION, **kwargs: object
) -> tuple[list[float], list[float]]:
    """Milliseconds per query, wall and CPU (`time.process_time`: every thread, the query embedding's included);
    each pass starts with no word counts cached (a server keeps them for an hour)."""
    clear_cache()
    wall, cpu = [], []
    for q in queries:
        started, cpu_started = time.perf_counter(), time.process_time()
        search_papers(store, config, SearchRequest(q=q, **kwargs), fusion)  # type: ignore[arg-type]
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    return wall, cpu


def with_cpu(samples: tuple[list[float], list[float]]) -> str:
    wall, cpu = samples
    ordered = sorted(cpu)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"{percentiles(wall)}  CPU mean {statistics.fmean(cpu):5.1f} p95 {p95:5.1f} ms"


def every_word_ms(store: Store, config: Config, queries: list[str]) -> list[float]:
    """The second text query of a hybrid search (papers holding every word, search.service), timed on its own."""
    from dailypapers.search.query import parse_query
    from dailypapers.search.service import every_word_papers
    from dailypapers.storage.fulltext import SearchFilters

    backend, out = search_backend(store, config), []
    clear_cache()
    with store.read() as conn:
        for q in queries:
            parsed = parse_query(q)
            started = time.perf_counter()
            every_word_papers(backend, conn, parsed, SearchFilters(), 100, DEFAULT_FUSION)
            out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, default=Path("/tmp/dpsearch"))
    parser.add_argument("--database-url", default="")
    parser.add_argument("--postgres-url", default="", help="a PostgreSQL store of the same papers, measured after")
    parser.add_argument("--postgres-home", type=Path, help="its DAILYPAPERS_HOME (default: --home)")
    parser.add_argument("--synthetic", action="store_true", help="give unembedded papers synthetic vectors first")
    parser.add_argument("--around", type=Path, nargs="*", default=[], help="stores whose real vectors they cluster on")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--million", action="store_true")
    parser.add_argument("--no-mrr", action="store_true", help="skip the text-side MRR passes (a replicated corpus)")
    args = parser.parse_args()
    configs = [Config.from_env({}, DAILYPAPERS_HOME=str(args.home), DATABASE_URL=args.database_url)]
    if args.postgres_url:
        home = args.postgres_home or args.home
        configs.append(Config.from_env({}, DAILYPAPERS_HOME=str(home), DATABASE_URL=args.postgres_url))
    around = None
    if args.around:
        from replicate_corpus import real_vectors

        around = real_vectors(args.around)
    pairs: list[tuple[str, str]] = []
    for config in configs:
        store = open_store(config)
        if args.synthetic:
            print(f"synthetic vectors added: {fill_synthetic(store, config, around=around)}", flush=True)
        pairs = pairs or workload(store, args.queries)  # the first store's queries, on every store
        measure(store, config, pairs, args.no_mrr)
        store.dispose()
    if args.million:
        million(get_embedder(configs[0]), [q for q, _ in pairs])


def measure(store: Store, config: Config, pairs: list[tuple[str, str]], no_mrr: bool) -> None:
    from dailypapers.storage.papers import count_papers

    with store.read() as conn:
        total = count_papers(conn)
    queries = [q for q, _ in pairs]
    embedder = get_embedder(config)
    timed(store, config, queries[:10])  # warm up: model load, page cache, index mmap
    print(f"{store.dialect}, {total} papers (load average {os.getloadavg()[0]:.1f})", flush=True)
    started = [time.perf_counter()]
    embed_ms = []
    for q in queries:
        started[0] = time.perf_counter()
        embedder.encode([q])
        embed_ms.append((time.perf_counter() - started[0]) * 1000)
    print(f"  query embedding only     {percentiles(embed_ms)}")
    print(f"  text only                {with_cpu(timed(store, config, queries, mode='text'))}", flush=True)
    print(f"  hybrid                   {with_cpu(timed(store, config, queries))}", flush=True)
    # The same process's baseline: the fusion before the every-word tier (one text query instead of two).
    before = Fusion(text_weight=0.3, strength_gain=0.4, every_word_first=False, semantic_floor=-1.0)
    print(f"  hybrid, 2026-11 fusion   {with_cpu(timed(store, config, queries, before))}")
    print(f"  every-word query alone   {percentiles(every_word_ms(store, config, queries))}")
    nonsense = search_papers(store, config, SearchRequest(q="zzqxvbnm flurbo"))
    print(f"  'zzqxvbnm flurbo': {len(nonsense.hits)} hits, total {nonsense.total}")
    print(f"  hybrid + cat:cs.CL       {with_cpu(timed(store, config, queries, category='cs.CL'))}", flush=True)
    from dailypapers.storage.fulltext import ROW_BUDGET

    for budget, label in () if no_mrr else ((ROW_BUDGET, f"row budget {ROW_BUDGET}"), (10**9, "every row")):
        mrr, ms = text_mrr(store, pairs, budget)
        print(f"  text side, {label:20s} {percentiles(ms)}  MRR@10 {mrr:.4f} (answer: the title's paper)", flush=True)


def million(embedder: object, queries: list[str]) -> None:
    """Exact (brute-force) top-400 over 1,000,000 synthetic unit vectors: the no-ANN baseline for the nearest-neighbour
    step, to set beside the hybrid figures of a 1M store (replicate_corpus.py) run in the same process."""
    rng = np.random.default_rng(3)
    matrix = rng.standard_normal((1_000_000, 384), dtype=np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    print(f"1M synthetic vectors: {matrix.nbytes >> 20} MB float32")
    vectors = embedder.encode(queries)  # type: ignore[attr-defined]
    ms = []
    for v in vectors:
        t = time.perf_counter()
        sims = matrix @ v
        np.argpartition(-sims, 400)[:400]
        ms.append((time.perf_counter() - t) * 1000)
    print(f"  exact top-400 at 1M      {percentiles(ms)}")


if __name__ == "__main__":
    main()
