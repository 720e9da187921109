"""Build a store of ~1,000,000 papers for the 1M latency figures: the real Kaggle corpus, imported several times.

    python bench/replicate_corpus.py --home /tmp/dp1m [--papers 1000000] [--vectors]

Each copy goes through the real import service (`services.imports.import_items`), so the papers table, the FTS5 /
tsvector index and the search documents are exactly what `dailypapers import kaggle` writes. Copies differ only in
their arXiv ids: copy (k, j) moves "YYMM.NNNNN" to year YY - 2k and number NNNNN + 33,000·j (the corpus numbers stop
below 33,000, so ids never collide with another copy's). Texts repeat, so every word is ~13× as common as in the
real corpus: the text side sees the posting-list lengths of a corpus that size. --vectors then gives every paper a
SYNTHETIC vector and builds the usearch file: with --around STORE…, a real embedding of those stores plus noise
(cosine ~0.75 to it), so vectors cluster as real ones do; without, a uniformly random unit vector.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dailypapers.config import Config
from dailypapers.domain import ImportItem
from dailypapers.ingest.files import LineSource
from dailypapers.ingest.kaggle import record_from_kaggle
from dailypapers.search.embed import model_name
from dailypapers.services.imports import import_items
from dailypapers.storage import open_store
from dailypapers.storage.embeddings import doc_vectors_since
from dailypapers.storage.migrate import upgrade
from dailypapers.storage.papers import count_papers

KAGGLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "arxiv-cs-2025-2026.kaggle.jsonl.gz"
COPIES = [(k, j) for j in range(3) for k in range(5)]  # (year shift / 2, number block): 15 copies, ~1.1M papers


def moved_id(arxiv_id: str, k: int, j: int) -> str | None:
    """The id of this paper in copy (k, j); None for the few old ids that would fall before 2008."""
    yymm, number = arxiv_id.split(".")
    year = int(yymm[:2]) - 2 * k
    if year < 8 or len(number) != 5:
        return None
    return f"{year:02d}{yymm[2:]}.{int(number) + 33_000 * j:05d}"


def copy_items(path: Path, k: int, j: int) -> Iterator[ImportItem]:
    for number, line in LineSource(path):
        obj = json.loads(line)
        moved = moved_id(str(obj["id"]), k, j)
        if moved:
            obj["id"] = moved
            yield ImportItem(line=number, paper=record_from_kaggle(obj))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--papers", type=int, default=1_000_000)
    parser.add_argument("--source", type=Path, default=KAGGLE)
    parser.add_argument("--vectors", action="store_true", help="then give every paper a synthetic vector")
    parser.add_argument(
        "--around", type=Path, nargs="*", default=[], help="stores whose real embeddings the synthetic vectors perturb"
    )
    args = parser.parse_args()
    args.home.mkdir(parents=True, exist_ok=True)
    config = Config.from_env({}, DAILYPAPERS_HOME=str(args.home))
    store = open_store(config)
    upgrade(store)
    for k, j in COPIES:
        with store.read() as conn:
            total = count_papers(conn)
        if total >= args.papers:
            break
        started = time.perf_counter()
        summary = import_items(store, copy_items(args.source, k, j))
        print(f"copy ({k}, {j}): {summary.new} new in {time.perf_counter() - started:.0f} s", flush=True)
    with store.read() as conn:
        print(f"{count_papers(conn)} papers in {args.home}", flush=True)
    if args.vectors:
        from search_latency import fill_synthetic

        started = time.perf_counter()
        around = real_vectors(args.around) if args.around else None
        filled = fill_synthetic(store, config, around=around)
        print(f"synthetic vectors: {filled} in {time.perf_counter() - started:.0f} s", flush=True)


def real_vectors(homes: list[Path]) -> np.ndarray:
    """Every stored embedding of these stores (e.g. the SciFact and short-query bench stores), one per row."""
    rows: list[np.ndarray] = []
    for home in homes:
        config = Config.from_env({}, DAILYPAPERS_HOME=str(home))
        store = open_store(config)
        with store.read() as conn:
            rows += [vector for _, vector in doc_vectors_since(conn, model_name(config), 0, 0, 10**9)]
    print(f"{len(rows)} real vectors to perturb", flush=True)
    return np.stack(rows)


if __name__ == "__main__":
    main()
