"""The short-query quality set: 3–6-word, user-like queries with a known answer, built from ../shared/data.

How it is built (deterministic, seed 2026; kept apart from the ranking code and not used to tune it):
1. Take the unique papers of the Hugging Face daily-papers archive (hf-daily-papers-2024-2026.jsonl.gz), drop those
   with an abstract under 200 characters, shuffle with the seed and keep CORPUS papers as the searched corpus.
2. For the first QUERIES of them, take the descriptive part of the title (after the last ':' if the title has one,
   since the part before is usually a system name nobody remembers), keep its content words (no stopwords, at least
   3 letters), and if 3 or more remain, keep 3–6 of them in order, chosen at random: "efficient sparse attention long
   context". The paper is the one relevant answer. Queries never include the system name or the abstract.
MRR@10 over these queries is reported per method by bench/search_quality.py --short.

Run `python bench/short_queries.py --home /tmp/dpshort` once to build and embed the corpus store.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
from pathlib import Path

from dailypapers.config import Config
from dailypapers.domain import PaperRecord
from dailypapers.services.imports import import_papers
from dailypapers.storage import open_store
from dailypapers.testing.stores import SQLiteFactory

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "hf-daily-papers-2024-2026.jsonl.gz"
CORPUS = 1500
QUERIES = 200
SEED = 2026
_STOP = set(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "over",
        "the",
        "to",
        "under",
        "via",
        "with",
        "without",
        "using",
        "towards",
        "toward",
        "through",
        "your",
        "our",
        "their",
        "how",
        "what",
        "when",
        "why",
        "can",
        "does",
        "do",
        "not",
        "vs",
        "versus",
    ]
)


def hf_papers() -> list[dict[str, str]]:
    seen: dict[str, dict[str, str]] = {}
    with gzip.open(DATA, "rt") as fh:
        for line in fh:
            for item in json.loads(line)["papers"]:
                paper = item["paper"]
                if len(paper.get("summary") or "") >= 200:
                    seen.setdefault(
                        paper["id"], {"id": paper["id"], "title": paper["title"], "abstract": paper["summary"]}
                    )
    papers = sorted(seen.values(), key=lambda p: p["id"])
    random.Random(SEED).shuffle(papers)
    return papers[:CORPUS]


def short_query(title: str, rng: random.Random) -> str | None:
    descriptive = " ".join(title.split()).rsplit(":", 1)[-1]
    words = [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z\-]+", descriptive)]
    words = [w for w in words if len(w) >= 3 and w not in _STOP]
    if len(words) < 3:
        return None
    n = rng.randint(3, min(6, len(words)))
    keep = sorted(rng.sample(range(len(words)), n))
    return " ".join(words[i] for i in keep)


def query_set() -> list[tuple[str, str]]:
    """(query, relevant paper id) pairs."""
    rng = random.Random(SEED)
    pairs = []
    for paper in hf_papers():
        query = short_query(paper["title"], rng)
        if query:
            pairs.append((query, paper["id"]))
        if len(pairs) == QUERIES:
            break
    return pairs


def records() -> list[PaperRecord]:
    return [PaperRecord(id=p["id"], title=p["title"], abstract=p["abstract"], authors=[]) for p in hf_papers()]


def short_config(home: Path) -> Config:
    if (home / "dailypapers.db").exists():
        return Config.from_env({}, DAILYPAPERS_HOME=str(home), DATABASE_URL="")
    config = SQLiteFactory(home.parent / (home.name + "-template")).config(home)
    store = open_store(config)
    import_papers(store, records())
    store.dispose()
    return config


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, default=Path("/tmp/dpshort"))
    parser.add_argument("--show", action="store_true", help="print the queries and exit")
    args = parser.parse_args()
    if args.show:
        for q, pid in query_set():
            print(pid, q)
        raise SystemExit(0)
    cfg = short_config(args.home)
    from dailypapers.services.indexing import index_papers

    store = open_store(cfg)
    print(index_papers(store, cfg, progress=lambda done, total: print(f"{done}/{total}", flush=True)).line())
