"""A paper at a glance: what keywords and the extractive TL;DR cost at index time, keyword quality, link accuracy.

    python bench/glance.py [--papers 300] [--cache DIR]

1. Cost. `--papers` real papers of ../shared/data/arxiv-cs-2025-2026.kaggle.jsonl.gz (every 50th line) are imported
   into a fresh SQLite store and indexed by `index_papers` with the ONNX model (the default backend): the wall
   time of the whole run. Then the glance rows are deleted and `glance_papers` (keywords + TL;DR, reading the
   stored vectors) is run alone on the same store: its time is the share it adds to indexing. Extractive TL;DR
   alone is timed over the same abstracts.
2. Keyword quality. bench/data/glance_keywords_labels.json holds keywords for 50 papers of the same file (every
   1,493rd line from line 11), written by hand from each title and abstract before the extractor had been run on
   them (no author keywords exist in the data: arXiv has none, and the HF archive's were removed). A predicted
   keyword counts as correct when, after lower-casing, hyphens as spaces and a plural "s" dropped per word, it
   shares at least half of the union of its words with some label (Jaccard >= 0.5) — a single-word keyword must
   equal a single-word label. Precision of the top 5 (or of all, when fewer), averaged over papers; compared with
   the cheap pre-rank alone (frequency and title, no embeddings) as a baseline.
3. Links. bench/data/glance_links_labels.json holds the code repository and project page of 200 papers of the
   same file: 150 whose abstract mentions a URL, GitHub, Hugging Face, a website or a project page (every 7th
   such line from the start) and 50 that do not (every 97th other line). The labels were pre-filled by a naive
   rule (first GitHub/GitLab/HF/4open URL = code, first github.io URL = project) and every paper was then checked
   by hand against the sentences around its URLs; 15 were corrected (non-github.io project sites, a typo'd GitHub
   host, an HF organisation page, a challenge site that is neither). Precision and recall of `links.paper_links`
   on the abstracts (the file has no comments), per kind. The link rules were refined while reading this sample,
   so it is not held out: bench/data/glance_links_heldout.json has 60 more papers with a URL-like mention (every
   11th such line from line 20,000), labelled by hand after the rules were frozen.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "data" / "arxiv-cs-2025-2026.kaggle.jsonl.gz"
DATA = Path(__file__).resolve().parent / "data"


def _lines(every: int, start: int = 0) -> Any:
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        for number, line in enumerate(fh):
            if number % every == start:
                yield json.loads(line)


def _words(phrase: str) -> set[str]:
    return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in phrase.lower().replace("-", " ").split()}


def _correct(predicted: str, labels: list[str]) -> bool:
    p = _words(predicted)
    for label in labels:
        g = _words(label)
        if len(p) == 1 or len(g) == 1:
            if p == g:
                return True
        elif len(p & g) / len(p | g) >= 0.5:
            return True
    return False


def cost(papers: int, cache: Path) -> dict[str, float]:
    from sqlalchemy import delete

    from dailypapers.config import Config
    from dailypapers.ingest.kaggle import record_from_kaggle
    from dailypapers.search.embed import get_embedder
    from dailypapers.search.tldr import extractive_tldr
    from dailypapers.services.glance import glance_papers
    from dailypapers.services.imports import import_papers
    from dailypapers.services.indexing import index_papers
    from dailypapers.storage import open_store
    from dailypapers.storage.migrate import upgrade
    from dailypapers.storage.schema import paper_glance

    records = [record_from_kaggle(row) for row in itertools.islice(_lines(50), papers)]
    with tempfile.TemporaryDirectory() as home:
        config = Config.from_env({"DAILYPAPERS_HOME": home, "DAILYPAPERS_EMBEDDING_BACKEND": "onnx"})
        (Path(home) / "models").symlink_to(cache)
        store = open_store(config)
        upgrade(store)
        import_papers(store, records)
        embedder = get_embedder(config)
        embedder.encode(["warm up"])
        started = time.perf_counter()
        summary = index_papers(store, config, embedder=embedder)
        index_seconds = time.perf_counter() - started
        with store.write() as conn:
            conn.execute(delete(paper_glance))
        started = time.perf_counter()
        glance_papers(store, embedder.name, lambda: embedder)
        glance_seconds = time.perf_counter() - started
        started = time.perf_counter()
        for record in records:
            extractive_tldr(record.title, record.abstract)
        tldr_seconds = time.perf_counter() - started
        store.dispose()
    return {
        "papers": summary.embedded,
        "index_ms_per_paper": 1000 * index_seconds / papers,
        "glance_ms_per_paper": 1000 * glance_seconds / papers,
        "tldr_ms_per_paper": 1000 * tldr_seconds / papers,
        "glance_share_of_index": glance_seconds / index_seconds,
    }


def keyword_quality(cache: Path) -> dict[str, float]:
    from dailypapers.search.embed import default_model_path, paper_text
    from dailypapers.search.embed_onnx import OnnxEmbedder
    from dailypapers.search.keywords import candidates, keywords_for

    labels: dict[str, list[str]] = json.loads((DATA / "glance_keywords_labels.json").read_text())["papers"]
    rows = [r for r in itertools.islice(_lines(1493, 11), 50)]
    assert [r["id"] for r in rows] == list(labels), "the labelled sample is every 1,493rd line from line 11"
    embedder = OnnxEmbedder(default_model_path(), "bench", cache)
    titles = [" ".join(r["title"].split()) for r in rows]
    abstracts = [" ".join(r["abstract"].split()) for r in rows]
    vectors = embedder.encode([paper_text(t, a) for t, a in zip(titles, abstracts, strict=True)])
    chosen = keywords_for(embedder, list(zip(titles, abstracts, vectors, strict=True)))

    def precision(predicted: list[list[str]]) -> float:
        scores = [
            sum(_correct(k, labels[r["id"]]) for k in words[:5]) / max(1, min(5, len(words)))
            for r, words in zip(rows, predicted, strict=True)
        ]
        return float(np.mean(scores))

    baseline = [[shown for _, shown in candidates(t, a)][:5] for t, a in zip(titles, abstracts, strict=True)]
    return {
        "papers": len(rows),
        "precision_at_5": precision(chosen),
        "baseline_precision_at_5": precision(baseline),
        "mean_keywords": float(np.mean([len(c) for c in chosen])),
    }


def link_accuracy(name: str) -> dict[str, float]:
    from dailypapers.links import paper_links

    labels: dict[str, dict[str, str | None]] = json.loads((DATA / name).read_text())["papers"]
    abstracts: dict[str, str] = {}
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row["id"] in labels:
                abstracts[row["id"]] = " ".join(row["abstract"].split())
            if len(abstracts) == len(labels):
                break
    result: dict[str, float] = {"papers": len(abstracts)}
    for kind in ("code", "project"):
        tp = fp = fn = 0
        for paper_id, gold in labels.items():
            found = getattr(paper_links(abstracts[paper_id], None), kind)
            if found and found == gold[kind]:
                tp += 1
            else:
                fp += bool(found)
                fn += bool(gold[kind])
        result[f"{kind}_gold"] = tp + fn
        result[f"{kind}_precision"] = tp / max(1, tp + fp)
        result[f"{kind}_recall"] = tp / max(1, tp + fn)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", type=int, default=300)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "dailypapers-bench-onnx")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    print(json.dumps({"links": link_accuracy("glance_links_labels.json")}, indent=1))
    print(json.dumps({"links_held_out": link_accuracy("glance_links_heldout.json")}, indent=1))
    print(json.dumps({"keywords": keyword_quality(args.cache)}, indent=1))
    print(json.dumps({"cost": cost(args.papers, args.cache)}, indent=1))


if __name__ == "__main__":
    main()
