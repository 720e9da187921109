"""Search quality through the real search service: SciFact (nDCG@10, Recall@100) and the short-query set (MRR@10).

    python bench/search_quality.py            # both sets (stores built by scifact_data.py / short_queries.py)
    python bench/search_quality.py --only scifact --scifact-home /tmp/dpsf-torch --backend torch   # fp32 reference

Every figure comes from `search_papers`, the function the site, the API and the CLI call. Fusion variants are
passed explicitly so that plain RRF, a fixed weighted sum and the adaptive default are compared on equal terms.
nDCG@10 follows BEIR (pytrec_eval's ndcg_cut_10: graded gains, log2 discount, ideal from the judgments).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dailypapers.config import Config
from dailypapers.search.fuse import DEFAULT_FUSION, Fusion
from dailypapers.search.service import SearchError, SearchRequest, search_papers
from dailypapers.storage import Store, open_store
from scifact_data import qrels, queries, scifact_config
from short_queries import query_set, short_config

VARIANTS: dict[str, tuple[str, Fusion]] = {
    "text (BM25)": ("text", DEFAULT_FUSION),
    "semantic": ("semantic", DEFAULT_FUSION),
    "hybrid: plain RRF (k=60)": ("hybrid", Fusion(method="rrf")),
    "hybrid: weighted 0.3/0.7": ("hybrid", Fusion(method="weighted", text_weight=0.3)),
    "hybrid: weighted 0.5/0.5": ("hybrid", Fusion(method="weighted", text_weight=0.5)),
    "hybrid: adaptive (default)": ("hybrid", DEFAULT_FUSION),
}


def ranked(store: Store, config: Config, q: str, mode: str, fusion: Fusion, k: int) -> list[str]:
    try:
        results = search_papers(store, config, SearchRequest(q=q[:500], limit=k, mode=mode), fusion=fusion)
    except SearchError:
        return []
    return [hit.paper.id for hit in results.hits]


def ndcg(run: list[str], judged: dict[str, int], k: int = 10) -> float:
    dcg = sum(judged.get(doc, 0) / math.log2(i + 2) for i, doc in enumerate(run[:k]))
    ideal = sorted(judged.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall(run: list[str], judged: dict[str, int], k: int = 100) -> float:
    relevant = {d for d, g in judged.items() if g > 0}
    return len(relevant & set(run[:k])) / len(relevant) if relevant else 0.0


def scifact(home: Path, variants: dict[str, tuple[str, Fusion]], backend: str) -> None:
    config = scifact_config(home)
    config.values["DAILYPAPERS_EMBEDDING_BACKEND"] = backend
    store = open_store(config)
    texts, judgments = queries(), qrels()
    print(f"SciFact: {len(judgments)} test queries, store {home}, queries embedded with {backend}")
    print(f"{'method':32} {'nDCG@10':>8} {'R@100':>7} {'ms/query':>9}")
    for name, (mode, fusion) in variants.items():
        started = time.perf_counter()
        n_total = r_total = 0.0
        for qid, judged in judgments.items():
            run = ranked(store, config, texts[qid], mode, fusion, 100)
            n_total += ndcg(run, judged)
            r_total += recall(run, judged)
        ms = (time.perf_counter() - started) * 1000 / len(judgments)
        print(f"{name:32} {n_total / len(judgments):8.4f} {r_total / len(judgments):7.4f} {ms:9.1f}", flush=True)


def short(home: Path, variants: dict[str, tuple[str, Fusion]], backend: str) -> None:
    config = short_config(home)
    config.values["DAILYPAPERS_EMBEDDING_BACKEND"] = backend
    store = open_store(config)
    pairs = query_set()
    print(f"Short queries: {len(pairs)} queries over {home}")
    print(f"{'method':32} {'MRR@10':>8} {'hit@10':>7}")
    for name, (mode, fusion) in variants.items():
        rr = hits = 0.0
        for q, answer in pairs:
            run = ranked(store, config, q, mode, fusion, 10)
            if answer in run:
                rr += 1 / (run.index(answer) + 1)
                hits += 1
        print(f"{name:32} {rr / len(pairs):8.4f} {hits / len(pairs):7.3f}", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scifact-home", type=Path, default=Path("/tmp/dpscifact"))
    parser.add_argument("--short-home", type=Path, default=Path("/tmp/dpshort"))
    parser.add_argument("--only", choices=["scifact", "short"])
    parser.add_argument("--grid", action="store_true", help="also sweep adaptive fusion parameters")
    parser.add_argument("--backend", choices=["onnx", "torch"], default="onnx", help="as the store was indexed")
    args = parser.parse_args()
    variants = dict(VARIANTS)
    if args.grid:
        for w0 in (0.1, 0.2, 0.3, 0.4):
            for gain in (0.2, 0.4, 0.6):
                variants[f"adaptive {w0}+{gain}*s"] = ("hybrid", Fusion("adaptive", w0, gain))
    if args.only != "short":
        scifact(args.scifact_home, variants, args.backend)
    if args.only != "scifact":
        short(args.short_home, variants, args.backend)
