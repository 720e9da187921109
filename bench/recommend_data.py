"""The simulated members of bench/recommend.py and the store they rank in, built once and cached.

How members are chosen (fixed before any tuning, and never changed by it):

- the corpus is `../shared/data/arxiv-cs-2025-2026.kaggle.jsonl.gz`; a paper's day is its `update_date` (the day it
  appeared in a daily listing);
- cut-off C = 2026-05-01; the ranked window W = C … C + 4 days (Friday to Tuesday: 891 papers);
- an author is the lower-cased "last, first" of `authors_parsed`;
- a member is an author with at least 6 papers before C and at least 2 papers in W;
- each member's positives are their 6 most recent papers before C; their papers in W are the relevant ones;
- members are ordered by sha256("dailypapers-recommend:" + author) and the first 120 (of 173 eligible) kept; an even
  first byte of that digest puts a member in the dev split ("tune": all tuning happens there), an odd one in the test
  split ("heldout": only reported).

Author-blind protocol (bench/recommend.py reports it next to the original): a member's relevant papers are their
own, so under the original protocol their own name on a candidate nearly gives the answer away (an SVM with author
tokens reaches nDCG@10 0.97). A reader's feed is about topics, words, co-authors and categories, so the blind store
removes every member's own name from every paper before any method (ours or a baseline) sees it: an author is removed
when their last name and first initial match a member's (so "Smith, J." goes with "Smith, John"), which also drops
the odd namesake. Every member's name is removed from every paper (one store for all), so a member who co-wrote with
another member loses that co-author too: stricter than needed, never easier. `blind_authors` computes the new
author lists once (cached in `blind.json`).

The candidate universe is restricted: every paper of W plus the members' positives. It was two weeks, 240 members
and up to 30 positives each (7,270 papers) until 2026-12-02, when the shared machine (load average 17–20 on 2 cores)
embedded ~1.2 papers/s: that build would have taken ~90 min, so the window, members and positives were cut to the
figures above (1,551 papers) before any figure was taken. Embedded once with the bundled model (torch backend)
into `data/bench-recommend/` (gitignored).
Hugging Face daily lists of W's days are imported too, so trending has real upvotes to rank by.

    python bench/recommend_data.py            # build (or reuse) the store; prints the counts
"""

from __future__ import annotations

import gzip
import hashlib
import json
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from dailypapers.config import Config
from dailypapers.ingest.files import LineSource
from dailypapers.ingest.hf_daily import read_hf_daily
from dailypapers.ingest.kaggle import author_names, read_kaggle
from dailypapers.services.imports import import_items
from dailypapers.storage import open_store
from dailypapers.testing.stores import SQLiteFactory

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
CORPUS = SHARED / "arxiv-cs-2025-2026.kaggle.jsonl.gz"
HF_DAILY = SHARED / "hf-daily-papers-2024-2026.jsonl.gz"
HOME = Path(__file__).resolve().parents[1] / "data" / "bench-recommend"
CUTOFF = date(2026, 5, 1)
WINDOW_END = CUTOFF + timedelta(days=4)
MIN_BEFORE, MIN_AFTER, MAX_POSITIVES, MEMBERS = 6, 2, 6, 120


@dataclass
class Member:
    author: str
    split: str  # tune | heldout
    positives: list[str]  # oldest first, the order they are upvoted in
    relevant: list[str]


def _digest(author: str) -> bytes:
    return hashlib.sha256(f"dailypapers-recommend:{author}".encode()).digest()


def _author_keys(row: dict) -> list[str]:
    return [f"{(a[0] or '').strip()}, {(a[1] or '').strip()}".lower() for a in row.get("authors_parsed") or []]


def choose_members() -> tuple[list[Member], set[str], list[str]]:
    """(members, ids of every paper in the universe, the raw corpus lines of those papers)."""
    before: dict[str, list[tuple[str, str]]] = defaultdict(list)
    after: dict[str, list[str]] = defaultdict(list)
    lines: dict[str, str] = {}
    window: set[str] = set()
    with gzip.open(CORPUS, "rt") as fh:
        for line in fh:
            row = json.loads(line)
            day = date.fromisoformat(row["update_date"])
            if day < CUTOFF:
                for key in set(_author_keys(row)):
                    before[key].append((row["update_date"], row["id"]))
                lines[row["id"]] = line
            elif day <= WINDOW_END:
                window.add(row["id"])
                lines[row["id"]] = line
                for key in set(_author_keys(row)):
                    after[key].append(row["id"])
    eligible = [a for a in after if len(after[a]) >= MIN_AFTER and len(before.get(a, ())) >= MIN_BEFORE]
    eligible.sort(key=_digest)
    members = []
    for author in eligible[:MEMBERS]:
        earlier = [paper_id for _, paper_id in sorted(before[author])][-MAX_POSITIVES:]
        split = "tune" if _digest(author)[0] % 2 == 0 else "heldout"
        members.append(Member(author, split, earlier, sorted(after[author])))
    universe = window | {p for m in members for p in m.positives}
    kept = {paper_id: lines[paper_id] for paper_id in universe}
    return members, universe, list(kept.values())


def _blind_key(last: str, first: str) -> tuple[str, str]:
    return last.strip().lower(), first.strip().lower()[:1]


def blind_authors(members: list[Member]) -> dict[str, list[str]]:
    """Paper id -> its author names without any member's (see the module docstring), for papers that lose one."""
    cached = HOME / "blind.json"
    if cached.exists():
        return dict(json.loads(cached.read_text()))
    names = {_blind_key(*m.author.split(", ", 1)) for m in members}
    wanted = {p for m in members for p in m.positives} | {p for m in members for p in m.relevant}
    blind: dict[str, list[str]] = {}
    with gzip.open(CORPUS, "rt") as fh:
        for line in fh:
            row = json.loads(line)
            day = date.fromisoformat(row["update_date"])
            parsed = row.get("authors_parsed") or []
            if day > WINDOW_END or not any(_blind_key(a[0] or "", a[1] or "") in names for a in parsed):
                continue
            if row["id"] not in wanted and day < CUTOFF:
                continue
            kept = [a for a in parsed if _blind_key(a[0] or "", a[1] or "") not in names]
            blind[row["id"]] = author_names({"authors_parsed": kept}) if kept else []
    cached.write_text(json.dumps(blind))
    return blind


def bench_config() -> Config:
    return Config.from_env({}, DAILYPAPERS_HOME=str(HOME), DATABASE_URL="", DAILYPAPERS_EMBEDDING_BACKEND="torch")


def build() -> tuple[Config, list[Member]]:
    """The cached store and members; built (import + embedding, minutes) only when missing."""
    members_file = HOME / "members.json"
    if members_file.exists() and (HOME / "dailypapers.db").exists():
        data = json.loads(members_file.read_text())
        return bench_config(), [Member(**m) for m in data]
    members, universe, lines = choose_members()
    if (HOME / "dailypapers.db").exists():  # an interrupted build: embedding resumes where it stopped
        return _finish(bench_config(), members, universe)
    HOME.mkdir(parents=True, exist_ok=True)
    SQLiteFactory(HOME.parent / "bench-recommend-template").config(HOME)
    config = bench_config()
    store = open_store(config)
    with tempfile.TemporaryDirectory() as tmp:
        papers_file = Path(tmp) / "papers.jsonl"
        papers_file.write_text("".join(lines))
        print(import_items(store, read_kaggle(LineSource(papers_file))))
        days_file = Path(tmp) / "days.jsonl"
        with gzip.open(HF_DAILY, "rt") as fh:
            days = [ln for ln in fh if CUTOFF.isoformat() <= json.loads(ln)["date"] <= WINDOW_END.isoformat()]
        days_file.write_text("".join(days))
        print(import_items(store, read_hf_daily(LineSource(days_file))))
    store.dispose()
    return _finish(config, members, universe)


def _finish(config: Config, members: list[Member], universe: set[str]) -> tuple[Config, list[Member]]:
    from dailypapers.services.indexing import index_papers

    store = open_store(config)
    progress = lambda done, total: print(f"{done}/{total}", flush=True)  # noqa: E731
    print(index_papers(store, config, progress=progress, glance=False).line())  # no paper page is shown
    store.dispose()
    (HOME / "members.json").write_text(json.dumps([m.__dict__ for m in members], indent=1))
    print(f"{len(members)} members, {len(universe)} papers in the universe")
    return config, members


if __name__ == "__main__":
    build()
