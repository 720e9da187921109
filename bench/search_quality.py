"""Search quality through the real search service on three sets, with bm25s as the outside baseline in the same run.

    python bench/search_quality.py                      # SciFact, title words, paraphrase (test half)
    python bench/search_quality.py --only paraphrase --split dev --grid    # tuning: the dev half only
    python bench/search_quality.py --only scifact --scifact-home /tmp/dpsf-torch --backend torch   # fp32 reference
    python bench/search_quality.py --only scifact --scifact-split dev --grid    # tuning: SciFact's dev half only
    python bench/search_quality.py --engines sqlite,postgresql      # both engines in one run, and their overlap
    python bench/search_quality.py --quick --scifact-split halves   # SciFact dev, test and all 300 in one run

Sets: BEIR SciFact (bench/scifact_data.py; its 300 test claims, or a seeded dev / test half of them), the
title-word set (bench/short_queries.py) and the paraphrase set (bench/paraphrase_queries.py; same corpus and store
as the title-word set). Every figure of ours comes from
`search_papers`, the function the site, the API and the CLI call; fusion variants are passed explicitly. `bm25s`
(Snowball English stemming, English stop words, over title + abstract of the same papers) is an outside BM25.
nDCG@10 follows BEIR (graded gains, log2 discount, ideal from the judgments); on the one-answer sets it is
1 / log2(rank + 1) of the answer. MRR@10 is the mean reciprocal rank of the first relevant paper in the top 10.

With `--engines sqlite,postgresql` every set also runs on a PostgreSQL twin of its store (bench/pg_twin.py: the same
import, the SQLite store's vectors copied), and the engines' top 5 are compared on 30 full titles and 30 title-word
queries of the title-word corpus: how many of the 5 both return, and for how many queries all 5 agree.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import bm25s
import Stemmer

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dailypapers.config import Config
from dailypapers.search.fuse import DEFAULT_FUSION, Fusion
from dailypapers.search.service import SearchError, SearchRequest, search_papers
from dailypapers.services.imports import import_papers
from dailypapers.storage import Store, open_store
from paraphrase_queries import query_set as paraphrase_set
from pg_twin import build_twin, postgres_factory
from scifact_data import corpus, qrels, queries, scifact_config
from scifact_data import records as scifact_records
from short_queries import hf_papers, short_config
from short_queries import query_set as title_set
from short_queries import records as short_records

UNTIL_2026_12_04 = Fusion(text_weight=0.3, strength_gain=0.4)  # the default before the dev grid of 2026-12-04
VARIANTS: dict[str, tuple[str, Fusion]] = {
    "text (BM25)": ("text", DEFAULT_FUSION),
    "semantic": ("semantic", DEFAULT_FUSION),
    "hybrid: plain RRF (k=60)": ("hybrid", Fusion(method="rrf")),
    "hybrid: adaptive, 2026-11": ("hybrid", replace(UNTIL_2026_12_04, every_word_first=False, semantic_floor=-1.0)),
    "hybrid: w 0.3+0.4s (until 2026-12-04)": ("hybrid", UNTIL_2026_12_04),
    "hybrid: default": ("hybrid", DEFAULT_FUSION),
}
Ranker = Callable[[str], list[str]]
Judged = list[tuple[str, dict[str, int]]]  # (query, {paper id: gain})


def ranked(store: Store, config: Config, q: str, mode: str, fusion: Fusion, k: int) -> list[str]:
    try:
        results = search_papers(store, config, SearchRequest(q=q[:500], limit=k, mode=mode), fusion=fusion)
    except SearchError:
        return []
    return [hit.paper.id for hit in results.hits]


def bm25s_ranker(ids: list[str], texts: list[str]) -> Ranker:
    stemmer = Stemmer.Stemmer("english")
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, show_progress=False), show_progress=False)

    def rank(q: str) -> list[str]:
        tokens = bm25s.tokenize([q], stopwords="en", stemmer=stemmer, show_progress=False)
        if not tokens.ids[0]:
            return []
        found, scores = retriever.retrieve(tokens, k=min(100, len(ids)), show_progress=False)
        return [ids[i] for i, s in zip(found[0], scores[0], strict=True) if s > 0]

    return rank


def ndcg(run: list[str], judged: dict[str, int], k: int = 10) -> float:
    dcg = sum(judged.get(doc, 0) / math.log2(i + 2) for i, doc in enumerate(run[:k]))
    ideal = sorted(judged.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def mrr(run: list[str], judged: dict[str, int], k: int = 10) -> float:
    return next((1 / (i + 1) for i, doc in enumerate(run[:k]) if judged.get(doc, 0) > 0), 0.0)


def recall(run: list[str], judged: dict[str, int], k: int = 100) -> float:
    relevant = {d for d, g in judged.items() if g > 0}
    return len(relevant & set(run[:k])) / len(relevant) if relevant else 0.0


def report(name: str, judged: Judged, rankers: dict[str, Ranker]) -> dict[str, tuple[float, float]]:
    print(f"\n{name}: {len(judged)} queries (load average {os.getloadavg()[0]:.1f})")
    print(f"{'method':36} {'MRR@10':>7} {'nDCG@10':>8} {'R@100':>7} {'ms/query':>9}")
    figures = {}
    for method, rank in rankers.items():
        started = time.perf_counter()
        runs = [(rank(q), j) for q, j in judged]
        ms = (time.perf_counter() - started) * 1000 / len(judged)
        m, n, r = (sum(f(run, j) for run, j in runs) / len(runs) for f in (mrr, ndcg, recall))
        figures[method] = (m, n)
        print(f"{method:36} {m:7.4f} {n:8.4f} {r:7.4f} {ms:9.1f}", flush=True)
    return figures


def service_rankers(
    store: Store, config: Config, variants: dict[str, tuple[str, Fusion]], engine: str = ""
) -> dict[str, Ranker]:
    def one(mode: str, fusion: Fusion) -> Ranker:
        return lambda q: ranked(store, config, q, mode, fusion, 100)

    prefix = f"{engine}: " if engine else ""
    return {prefix + name: one(mode, fusion) for name, (mode, fusion) in variants.items()}


class Engines:
    """The stores a set is searched on: its SQLite store, and with `pg_dir` a PostgreSQL twin built for this run."""

    def __init__(self, pg_dir: Path | None):
        self.factory = postgres_factory(pg_dir) if pg_dir else None
        self.pg_dir = pg_dir

    def stores(self, config: Config, fill: Callable[[Store], object], name: str) -> dict[str, tuple[Store, Config]]:
        found = {"SQLite": (open_store(config), config)}
        if self.factory is not None and self.pg_dir is not None:
            twin, seconds = build_twin(self.factory, config, self.pg_dir / name, fill)
            print(f"  ({name}: PostgreSQL import and vector copy {seconds:.1f} s)", flush=True)
            found["PostgreSQL"] = (open_store(twin), twin)
        return found

    def rankers(
        self, stores: dict[str, tuple[Store, Config]], variants: dict[str, tuple[str, Fusion]]
    ) -> dict[str, Ranker]:
        both = len(stores) > 1
        rankers: dict[str, Ranker] = {}
        for engine, (store, config) in stores.items():
            rankers.update(service_rankers(store, config, variants, engine if both else ""))
        return rankers


def differences(figures: dict[str, tuple[float, float]], variants: dict[str, tuple[str, Fusion]]) -> None:
    """PostgreSQL minus SQLite for each variant run on both."""
    for name in variants:
        a, b = figures.get(f"SQLite: {name}"), figures.get(f"PostgreSQL: {name}")
        if a and b:
            print(f"  PostgreSQL − SQLite, {name:34} MRR@10 {b[0] - a[0]:+.4f}  nDCG@10 {b[1] - a[1]:+.4f}")


def overlap(stores: dict[str, tuple[Store, Config]], queries_: list[str], label: str) -> None:
    """How alike the engines' top 5 are: papers both return (of 5), and queries whose top 5 is the same set."""
    if len(stores) < 2:
        return
    (sa, ca), (sb, cb) = stores["SQLite"], stores["PostgreSQL"]
    for mode in ("text", "hybrid"):
        shared, same = [], 0
        for q in queries_:
            a = ranked(sa, ca, q, mode, DEFAULT_FUSION, 5)
            b = ranked(sb, cb, q, mode, DEFAULT_FUSION, 5)
            shared.append(len(set(a) & set(b)))
            same += set(a) == set(b)
        print(
            f"  top-5 overlap, {len(queries_)} {label}, {mode:6}: {sum(shared) / len(shared):.2f} of 5 shared, "
            f"same 5 for {same} of {len(queries_)}",
            flush=True,
        )


def scifact(home: Path, variants: dict[str, tuple[str, Fusion]], backend: str, split: str, engines: Engines) -> None:
    config = scifact_config(home)
    config.values["DAILYPAPERS_EMBEDDING_BACKEND"] = backend
    docs = corpus()
    stores = engines.stores(config, lambda store: import_papers(store, scifact_records()), "scifact")
    rankers = engines.rankers(stores, variants)
    rankers["bm25s (stemmed)"] = bm25s_ranker(
        [f"scifact-{d['_id']}" for d in docs], [f"{d.get('title') or ''} {d['text']}" for d in docs]
    )
    texts = queries()
    halves: list[dict[str, tuple[float, float]]] = []
    for part in ("dev", "test") if split == "halves" else (split,):
        title = f"SciFact, {part} ({home})"
        halves.append(report(title, [(texts[qid], j) for qid, j in qrels(part).items()], rankers))
        differences(halves[-1], variants)
    if len(halves) == 2:  # equal halves: the mean of their per-query means is the mean over all 300
        print("\nSciFact, all 300 (mean of the halves)")
        for method, (dev, test) in ((m, (halves[0][m], halves[1][m])) for m in halves[0]):
            print(f"{method:36} {(dev[0] + test[0]) / 2:7.4f} {(dev[1] + test[1]) / 2:8.4f}")


def one_answer_sets(
    home: Path, variants: dict[str, tuple[str, Fusion]], backend: str, sets: list[str], split: str, engines: Engines
) -> None:
    config = short_config(home)
    config.values["DAILYPAPERS_EMBEDDING_BACKEND"] = backend
    papers = hf_papers()
    stores = engines.stores(config, lambda store: import_papers(store, short_records()), "short")
    rankers = engines.rankers(stores, variants)
    texts = [f"{p['title']} {p['abstract']}" for p in papers]
    rankers["bm25s (stemmed)"] = bm25s_ranker([p["id"] for p in papers], texts)
    if "short" in sets:
        pairs = title_set()
        differences(report(f"Title words ({home})", [(q, {pid: 1}) for q, pid in pairs], rankers), variants)
        overlap(stores, [p["title"] for p in papers[:30]], "full titles")
        overlap(stores, [q for q, _ in pairs[:30]], "title-word queries")
    if "paraphrase" in sets:
        judged: Judged = [(q, {pid: 1}) for q, pid in paraphrase_set(split)]
        differences(report(f"Paraphrase, {split} ({home})", judged, rankers), variants)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scifact-home", type=Path, default=Path("/tmp/dpscifact"))
    parser.add_argument("--short-home", type=Path, default=Path("/tmp/dpshort"))
    parser.add_argument("--only", choices=["scifact", "short", "paraphrase"])
    parser.add_argument("--split", choices=["dev", "test", "all"], default="test", help="half of the paraphrase set")
    parser.add_argument(
        "--scifact-split",
        choices=["dev", "test", "all", "halves"],
        default="all",
        help="half of the SciFact claims (halves: each, and all 300 from them)",
    )
    parser.add_argument("--grid", action="store_true", help="also sweep fusion parameters (tune on --split dev)")
    parser.add_argument("--backend", choices=["onnx", "torch"], default="onnx", help="as the store was indexed")
    parser.add_argument("--quick", action="store_true", help="only the text side, semantic and the default hybrid")
    parser.add_argument("--text-only", action="store_true", help="only the text side (a store without embeddings)")
    parser.add_argument("--engines", default="sqlite", help="sqlite, or sqlite,postgresql for both in one run")
    parser.add_argument("--pg-dir", type=Path, default=Path("/tmp/dppg"), help="pgserver's directory (PostgreSQL)")
    args = parser.parse_args()
    engines = Engines(args.pg_dir if "postgresql" in args.engines.split(",") else None)
    variants = dict(VARIANTS)
    if args.text_only:
        variants = {name: v for name, v in variants.items() if v[0] == "text"}
    if args.quick:
        variants = {name: v for name, v in variants.items() if name in ("text (BM25)", "semantic", "hybrid: default")}
    if args.grid:
        for w0 in (0.1, 0.15, 0.2, 0.25, 0.3, 0.4):
            for gain in (0.0, 0.1, 0.2, 0.3, 0.4):
                variants[f"adaptive {w0}+{gain}*s"] = ("hybrid", Fusion("adaptive", w0, gain))
    if args.only in (None, "scifact"):
        scifact(args.scifact_home, variants, args.backend, args.scifact_split, engines)
    sets = [s for s in ("short", "paraphrase") if args.only in (None, s)]
    if sets:
        one_answer_sets(args.short_home, variants, args.backend, sets, args.split, engines)
