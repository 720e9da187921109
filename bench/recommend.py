"""For you against arxiv-sanity-style baselines, on simulated members (bench/recommend_data.py says who they are).

    python bench/recommend.py [--protocol original|author-blind|both]   # tune on dev, report dev and test, timings

Two protocols, each in its own copy of the store (bench/recommend_data.py says why and how): **original** (papers as
they are) and **author-blind** (every member's own name removed from every paper before anything sees it, so only
topics, words, co-authors and categories can find their later papers).

Each member is an account of the bench store; their earlier papers are upvoted THROUGH `toggle_vote` (the service the
site calls, which rebuilds the member's model in the same transaction); then the papers of the five days after the
cut-off are ranked for them by `queries.recommendations.recommend` (what the page, API, feed and digest call), and
their own later papers are the relevant ones. In the same run, on the same candidates:

- svm: arxiv-sanity-lite's ranking — scikit-learn `LinearSVC(C=0.01, class_weight="balanced")` on tf-idf of title +
  abstract (fitted on the whole universe), the member's papers labelled 1 and every other paper 0;
- svm+authors: the same with one token per author added;
- last five: the old digest picks — a hybrid search of the titles of the five most recent upvotes over the window,
  fused by reciprocal rank (through the search service);
- trending: the community's trending (`recommend` with the dial at 1);
- random: a fixed-seed shuffle.

Our weights are chosen per protocol by coordinate ascent on the dev split only (`tune`); figures are printed for dev
and test, and the test figures are the ones to quote. Timings: each
upvote (the whole `toggle_vote`, model rebuild included) and the For-you page (`GET /papers/foryou`) per member.
"""

from __future__ import annotations

import math
import os
import random
import shutil
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dailypapers.config import Config
from dailypapers.queries.recommendations import personal_parts, recommend
from dailypapers.recommend.model import Weights, combine
from dailypapers.services.accounts import account_named, create_account
from dailypapers.services.profiles import refresh_profile
from dailypapers.services.votes import toggle_vote
from dailypapers.storage import Store, open_store
from dailypapers.storage import recommendations as rec_store
from dailypapers.storage.migrate import upgrade
from dailypapers.storage.papers import replace_authors
from recommend_data import CUTOFF, HOME, WINDOW_END, Member, blind_authors, build

K = 100
PASSWORD = "bench password 1"


def ndcg10(run: list[str], relevant: set[str]) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, d in enumerate(run[:10]) if d in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(10, len(relevant))))
    return dcg / ideal


def recall20(run: list[str], relevant: set[str]) -> float:
    return len(relevant & set(run[:20])) / len(relevant)


def mrr(run: list[str], relevant: set[str]) -> float:
    return next((1 / (i + 1) for i, d in enumerate(run) if d in relevant), 0.0)


def evaluate(members: list[Member], rank: Callable[[Member], list[str]]) -> tuple[float, float, float]:
    rows = [
        (ndcg10(r, set(m.relevant)), recall20(r, set(m.relevant)), mrr(r, set(m.relevant)))
        for m in members
        for r in [rank(m)]
    ]
    return tuple(statistics.mean(col) for col in zip(*rows, strict=True))  # type: ignore[return-value]


def run_store(protocol: str) -> tuple[Config, Store]:
    """A copy of the cached store for this run (so every run starts from no accounts and no votes)."""
    config, _ = build()
    run_home = HOME.parent / f"bench-recommend-run-{protocol}"
    shutil.rmtree(run_home, ignore_errors=True)
    shutil.copytree(HOME, run_home, ignore=shutil.ignore_patterns("members.json", "models", "dailypapers.db*"))
    with sqlite3.connect(HOME / "dailypapers.db") as source, sqlite3.connect(run_home / "dailypapers.db") as copy:
        source.backup(copy)  # a consistent copy even while another process writes
    config = Config.from_env(  # page_latency signs in 20 members from one address: past the sign-in limit
        {},
        DAILYPAPERS_HOME=str(run_home),
        DATABASE_URL="",
        DAILYPAPERS_EMBEDDING_BACKEND="torch",
        DAILYPAPERS_LOGIN_RATE="1000/60",
    )
    store = open_store(config)
    upgrade(store)
    return config, store


def simulate(store: Store, members: list[Member]) -> tuple[dict[str, int], list[float]]:
    """Create the members and upvote their earlier papers, oldest first, through the vote service."""
    ids, timings = {}, []
    for n, m in enumerate(members):
        account = account_named(store, f"m{n}") or create_account(store, f"m{n}", PASSWORD)
        ids[m.author] = account.id
        for paper_id in m.positives:
            started = time.perf_counter()
            toggle_vote(store, account, paper_id, True)
            timings.append((time.perf_counter() - started) * 1000)
    return ids, timings


def _spread(ms: list[float]) -> str:
    return f"median {statistics.median(ms):.1f} ms, p95 {sorted(ms)[int(len(ms) * 0.95)]:.1f} ms, max {max(ms):.1f} ms"


def svm_ranker(store: Store, with_authors: bool) -> Callable[[Member], list[str]]:
    import numpy as np
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    with store.read() as conn:
        start = rec_store.window_papers(conn, _dt(CUTOFF.replace(year=2000)), _dt(WINDOW_END, 1))
    ids = [p.id for p in start]
    texts = [f"{p.title} {p.abstract}" for p in start]
    matrix = TfidfVectorizer(
        max_features=20000, ngram_range=(1, 2), sublinear_tf=True, stop_words="english"
    ).fit_transform(texts)
    if with_authors:
        tokens = [" ".join("a_" + "".join(ch for ch in a.lower() if ch.isalnum()) for a in p.authors) for p in start]
        authors = TfidfVectorizer(token_pattern=r"\S+").fit_transform(tokens)
        matrix = hstack([matrix, authors]).tocsr()
    row = {paper_id: i for i, paper_id in enumerate(ids)}
    window = [i for i, p in enumerate(start) if p.published_at and _dt(CUTOFF) <= p.published_at]

    def rank(member: Member) -> list[str]:
        y = np.zeros(len(ids))
        y[[row[p] for p in member.positives if p in row]] = 1
        model = LinearSVC(C=0.01, class_weight="balanced").fit(matrix, y)
        scores = model.decision_function(matrix[window])
        order = np.argsort(-scores)[:K]
        return [ids[window[i]] for i in order]

    return rank


def _dt(day: object, plus: int = 0) -> object:
    from datetime import UTC, datetime, timedelta
    from datetime import time as dtime

    return datetime.combine(day, dtime.min, UTC) + timedelta(days=plus)  # type: ignore[arg-type]


def last_five_ranker(store: Store, config: Config) -> Callable[[Member], list[str]]:
    import re

    from dailypapers.search.service import SearchError, SearchRequest, search_papers
    from dailypapers.storage.papers import papers_by_ids

    def rank(member: Member) -> list[str]:
        with store.read() as conn:
            titles = [p.title for p in papers_by_ids(conn, member.positives[-5:]).values()]
        fused: dict[str, float] = {}
        for title in titles:
            words = re.sub(r"[^\w\s-]", " ", title)[:300]
            request = SearchRequest(q=words, limit=50, date_from=CUTOFF, date_to=WINDOW_END, mode="hybrid")
            try:
                hits = search_papers(store, config, request).hits
            except SearchError:
                continue
            for n, hit in enumerate(hits):
                fused[hit.paper.id] = fused.get(hit.paper.id, 0.0) + 1.0 / (60 + n)
        return sorted(fused, key=lambda key: -fused[key])[:K]

    return rank


PROTOCOLS = ("original", "author-blind")


def protocol_store(protocol: str, members: list[Member]) -> tuple[Config, Store]:
    """A fresh copy of the cached store; for the author-blind protocol, with every member's own name removed."""
    config, store = run_store(protocol)
    if protocol == "author-blind":
        with store.write() as conn:
            replace_authors(conn, blind_authors(members))
    return config, store


TUNED = ("centroid", "nearest", "author", "author_share", "category", "term", "term_nearest")
VALUES = (0.0, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)


Parts = dict[str, tuple[list[str], np.ndarray, dict[str, np.ndarray]]]


def member_parts(store: Store, members: list[Member], accounts: dict[str, int]) -> Parts:
    """Each member's unweighted score parts (`personal_parts`, the computation `recommend` weighs), once."""
    return {m.author: personal_parts(store, accounts[m.author], CUTOFF, WINDOW_END) for m in members}


def parts_ranker(parts: Parts, weights: Weights) -> Callable[[Member], list[str]]:
    """Our ranking from the cached parts (the order `recommend` gives at dial 0, without its reasons)."""

    def rank(m: Member) -> list[str]:
        ids, keep, member = parts[m.author]
        final = np.where(keep, combine(member, weights), -np.inf)
        order = np.lexsort((np.arange(len(final)), -final))[: min(K, int(keep.sum()))]
        return [ids[i] for i in order]

    return rank


def tune(members: list[Member], parts: Parts) -> Weights:
    """Coordinate ascent on mean nDCG@10 over the dev split only: each of TUNED in turn set to the best of VALUES,
    three passes; a trial is a weighted sum of the cached parts. The chosen weights then run through `recommend`."""

    def objective(w: Weights) -> float:
        rank = parts_ranker(parts, w)
        return statistics.mean(ndcg10(rank(m), set(m.relevant)) for m in members)

    best = Weights()
    best_score = objective(best)
    print(f"| start: {_short(best)} | {best_score:.3f} |")
    for _ in range(3):
        for name in TUNED:
            for value in VALUES:
                trial = replace(best, **{name: value})
                trial_score = objective(trial)
                if trial_score > best_score + 1e-4:
                    best, best_score = trial, trial_score
        print(f"| after a pass: {_short(best)} | {best_score:.3f} |", flush=True)
    return best


def _short(w: Weights) -> str:
    return ", ".join(f"{k} {getattr(w, k):g}" for k in TUNED)


def _row(figures: tuple[float, float, float]) -> str:
    return " | ".join(f"{f:.3f}" for f in figures)


def run_protocol(protocol: str, members: list[Member], tuned: Weights | None, quick: bool = False) -> Weights:
    config, store = protocol_store(protocol, members)
    dev = [m for m in members if m.split == "tune"]
    test = [m for m in members if m.split == "heldout"]
    started = time.perf_counter()
    accounts, vote_ms = simulate(store, members)
    print(
        f"\n# Protocol: {protocol}\n\n{len(members)} members ({len(dev)} dev, {len(test)} test), {len(vote_ms)} "
        f"upvotes in {time.perf_counter() - started:.0f} s; whole upvote (write + model rebuild): {_spread(vote_ms)}"
    )
    rebuild_ms = []
    for m in members[:100]:
        with store.write() as conn:
            begun = time.perf_counter()
            refresh_profile(conn, accounts[m.author])
            rebuild_ms.append((time.perf_counter() - begun) * 1000)
    print(f"model rebuild alone ({len(rebuild_ms)} members): {_spread(rebuild_ms)}")

    def ours(weights: Weights, dial: float = 0.0) -> Callable[[Member], list[str]]:
        def rank(m: Member) -> list[str]:
            result = recommend(
                store, config, accounts[m.author], CUTOFF, WINDOW_END, limit=K, dial=dial, weights=weights
            )
            return [i.paper.id for i in result.items]

        return rank

    parts = member_parts(store, members, accounts)
    if tuned is None:
        print(f"\n## Tuning on the dev split ({len(dev)} members)\n\n| weights | dev nDCG@10 |\n| --- | --- |")
        tuned = tune(dev, parts)
    else:
        print(f"\nweights: tuned on this protocol's dev split by an earlier run: {_short(tuned)}")
    rng = random.Random(7)
    with store.read() as conn:
        window_ids = [p.id for p in rec_store.window_papers(conn, _dt(CUTOFF), _dt(WINDOW_END, 1))]
    zero = Weights(centroid=0, nearest=0, negative=0, author=0, author_share=0, category=0, term=0, term_nearest=0)
    rankers: dict[str, Callable[[Member], list[str]]] = {
        f"ours ({_short(tuned)}, dial 0)": ours(tuned),
        "ours, default dial 0.2": ours(tuned, 0.2),
        "ours: embeddings only (centroid + nearest)": parts_ranker(parts, replace(zero, centroid=1, nearest=1)),
        "ours: words only (profile + nearest positive)": parts_ranker(parts, replace(zero, term=1, term_nearest=1)),
        "ours: authors only": parts_ranker(parts, replace(zero, author=1.0, author_share=0.2)),
        "ours: tuned weights without authors": parts_ranker(parts, replace(tuned, author=0, author_share=0)),
        "svm (tf-idf, arxiv-sanity)": svm_ranker(store, False),
        "svm + author tokens": svm_ranker(store, True),
        **({} if quick else {"similar to the last five upvotes": last_five_ranker(store, config)}),
        "trending": ours(tuned, 1.0),
        "random": lambda m: rng.sample(window_ids, K),
    }
    print(f"\n## {protocol}: dev ({len(dev)}) and test ({len(test)}) members, {len(window_ids)} candidate papers\n")
    print("| ranking | dev nDCG@10 | dev recall@20 | dev MRR | test nDCG@10 | test recall@20 | test MRR |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    results = {}
    for name, rank in rankers.items():
        test_only = name.startswith("similar to")  # hundreds of hybrid searches: measured on test only
        results[name] = ((0.0, 0.0, 0.0) if test_only else evaluate(dev, rank), evaluate(test, rank))
        shown = "– | – | –" if test_only else _row(results[name][0])
        print(f"| {name} | {shown} | {_row(results[name][1])} |", flush=True)
    ours_name = next(iter(rankers))
    baselines = [n for n in rankers if not n.startswith("ours")]
    for split, at in (("dev", 0), ("test", 1)):
        best = max(baselines, key=lambda n: results[n][at][0])
        ratio = results[ours_name][at][0] / (results[best][at][0] or 1.0)
        print(f"{split}: ours / best baseline ({best}) nDCG@10 = {ratio:.2f}×")
    if not quick:
        usernames = {m.author: f"m{n}" for n, m in enumerate(members)}
        page_ms = page_latency(config, store, test, usernames)
        print(f"\nFor-you page (GET /papers/foryou?range=month, {len(page_ms)} requests): {_spread(page_ms)}")
    store.dispose()
    return tuned


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--protocol", choices=[*PROTOCOLS, "both"], default="both")
    parser.add_argument("--quick", action="store_true", help="while developing: no last-five baseline, no page timing")
    args = parser.parse_args()
    _, members = build()
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average {os.getloadavg()}")
    for protocol in PROTOCOLS if args.protocol == "both" else (args.protocol,):
        run_protocol(protocol, members, None, args.quick)
    print(f"\nload average at the end {os.getloadavg()}")


def page_latency(config: Config, store: Store, members: list[Member], usernames: dict[str, str]) -> list[float]:
    """Time GET /papers/foryou (month range: the whole window) for up to 20 members, three requests each."""
    import re

    from fastapi.testclient import TestClient

    from dailypapers.web.app import create_app

    timings = []
    for m in members[:20]:
        with TestClient(create_app(config, store)) as client:
            form = client.get("/signin").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', form)
            assert token, "the sign-in page carries a CSRF token"
            fields = {"username": usernames[m.author], "password": PASSWORD, "csrf_token": token.group(1)}
            assert client.post("/signin", data=fields, follow_redirects=False).status_code == 303
            for _ in range(3):
                started = time.perf_counter()
                assert client.get("/papers/foryou?range=month").status_code == 200
                timings.append((time.perf_counter() - started) * 1000)
    return timings


if __name__ == "__main__":
    main()
