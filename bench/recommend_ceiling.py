"""How far co-authors can take For you under bench/recommend.py's author-blind protocol: an oracle, not a ranking.

    python bench/recommend_ceiling.py

Same store, members and upvotes as bench/recommend.py (author-blind). For each member it counts the relevant papers
(their own later papers) that share a co-author with their positives, then ranks with our default weights and with
an oracle that puts exactly those co-authored relevant papers first and leaves the rest in our order. The oracle's
nDCG@10 bounds what any better use of co-author evidence alone could reach; the rest must come from words and
embeddings, so the script also reports how many of the other relevant papers our ranking puts in its top ten, and a
paired bootstrap (10,000 resamples of the test members) of ours / svm + author tokens.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dailypapers.recommend.model import DEFAULT_WEIGHTS, combine
from dailypapers.storage import recommendations as rec_store
from recommend import CUTOFF, WINDOW_END, _dt, member_parts, ndcg10, protocol_store, simulate, svm_ranker
from recommend_data import Member, build


def main() -> None:
    _, members = build()
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average {os.getloadavg()}")
    _, store = protocol_store("author-blind", members)
    accounts, _ = simulate(store, members)
    parts = member_parts(store, members, accounts)
    with store.read() as conn:
        authors = {p.id: set(p.authors) for p in rec_store.window_papers(conn, _dt(CUTOFF), _dt(WINDOW_END, 1))}
        liked = rec_store.papers_for_model(conn, [p for m in members for p in m.positives])
    rows: dict[str, list[tuple[float, float, int, int, int, int]]] = {"tune": [], "heldout": []}
    for m in members:
        ids, keep, member = parts[m.author]
        coauthors = set().union(*(set(liked[p].authors) for p in m.positives if p in liked))
        shared = np.array([bool(authors[i] & coauthors) for i in ids])
        relevant = np.array([i in m.relevant for i in ids])
        ours = np.where(keep, combine(member, DEFAULT_WEIGHTS), -np.inf)
        oracle = np.where(keep & shared & relevant, np.inf, ours)
        top10 = set(np.lexsort((np.arange(len(ours)), -ours))[:10].tolist())
        others = np.flatnonzero(relevant & ~shared & keep)
        rows[m.split].append(
            (
                _ndcg(ids, ours, m),
                _ndcg(ids, oracle, m),
                int((relevant & shared).sum()),
                int(relevant.sum()),
                int((keep & shared).sum()),
                sum(int(i) in top10 for i in others),
            )
        )
    for split, label in (("tune", "dev"), ("heldout", "test")):
        r = rows[split]
        hits, total = sum(x[5] for x in r), sum(x[3] - x[2] for x in r)
        print(
            f"{label} ({len(r)} members): relevant in the window {sum(x[3] for x in r)}, sharing a co-author with "
            f"the positives {sum(x[2] for x in r)}; candidates sharing one {sum(x[4] for x in r)}; nDCG@10 ours "
            f"{statistics.mean(x[0] for x in r):.3f}, oracle (co-authored relevant first) "
            f"{statistics.mean(x[1] for x in r):.3f}; of the other relevant papers {hits}/{total} in our top ten"
        )
    _bootstrap([m for m in members if m.split == "heldout"], [x[0] for x in rows["heldout"]], svm_ranker(store, True))
    store.dispose()


def _bootstrap(test: list[Member], ours: list[float], svm: Callable[[Member], list[str]]) -> None:
    theirs = np.array([ndcg10(svm(m), set(m.relevant)) for m in test])
    mine = np.array(ours)
    picks = np.random.default_rng(0).integers(0, len(test), (10000, len(test)))
    ratios = mine[picks].mean(axis=1) / theirs[picks].mean(axis=1)
    low, high = np.percentile(ratios, [2.5, 97.5])
    print(
        f"test: ours / svm + author tokens = {mine.mean() / theirs.mean():.3f}, 95% bootstrap interval {low:.2f}–"
        f"{high:.2f}; members better / worse / tied: {(mine > theirs).sum()} / {(mine < theirs).sum()} / "
        f"{(mine == theirs).sum()}"
    )


def _ndcg(ids: list[str], values: np.ndarray, member: Member) -> float:
    order = np.lexsort((np.arange(len(values)), -values))[:100]
    return ndcg10([ids[i] for i in order if values[i] > -np.inf], set(member.relevant))


if __name__ == "__main__":
    main()
