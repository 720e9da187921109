"""The For-you page and the cost of one upvote at full scale (issue 14: p95 ≤ 100 ms with 80k papers and 1,000
members; one new upvote reflected in the member's ranking within 50 ms of work).

Store: a copy of a built store (`--home`, e.g. the real-embedded 80k-paper one; never written to: the database is
copied with SQLite's backup API, the other files with copytree). Members: 1,000 accounts; member n picks a category
at random (seeded) among those of the papers published in the 120 days up to the newest paper and upvotes
`--votes` of its papers through the vote service (`toggle_vote`, which rebuilds the member's model). Timed:
- one more upvote per member for 100 members — the whole `toggle_vote` and, apart, the model rebuild
  (`refresh_profile`) that makes the next page reflect it;
- GET /papers/foryou?range=month (the 30-day window) for 40 members, three requests each, in-process TestClient.
Each figure is given as wall time and as the process's CPU time (`time.process_time`, all threads: the figure to
trust on a shared, loaded machine).

    python -m bench.foryou_scale --home /work/benchstore/home [--votes 5] [--members 1000]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from dailypapers.config import Config
from dailypapers.services.accounts import create_account
from dailypapers.services.profiles import refresh_profile
from dailypapers.services.votes import toggle_vote
from dailypapers.storage import open_store
from dailypapers.storage import papers as paper_store
from dailypapers.storage import recommendations as rec_store
from dailypapers.storage.migrate import upgrade
from dailypapers.web.app import create_app

PASSWORD = "correct horse battery"
MEMBERS = 1000


def _spread(ms: list[float]) -> str:
    ordered = sorted(ms)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"median {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, max {max(ms):.1f} ms (n={len(ms)})"


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def copy_home(source: Path) -> Path:
    home = Path(tempfile.mkdtemp(prefix="dailypapers-bench-foryou-")) / "home"
    shutil.copytree(source, home, ignore=shutil.ignore_patterns("dailypapers.db*"))
    with sqlite3.connect(source / "dailypapers.db") as src, sqlite3.connect(home / "dailypapers.db") as copy:
        src.backup(copy)
    return home


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--votes", type=int, default=5)
    parser.add_argument("--members", type=int, default=MEMBERS, help="accounts made (each costs a password hash)")
    args = parser.parse_args()
    started = time.perf_counter()
    home = copy_home(args.home)
    # 40 sign-ins from one test client: past the per-address sign-in limit, which is not what is measured here
    config = Config.from_env(
        {},
        DAILYPAPERS_HOME=str(home),
        DATABASE_URL="",
        DAILYPAPERS_LOGIN_RATE="1000/60",
        DAILYPAPERS_FETCH_WORKER="0",  # no fetch-queue thread: it would fetch thumbnails from arxiv.org mid-timing
        DAILYPAPERS_ARXIV_PDF_URL="",
    )
    store = open_store(config)
    upgrade(store)
    with store.read() as conn:
        newest = paper_store.published_range(conn)[1]
        assert newest is not None, "the store holds no papers"
        recent = rec_store.window_papers(conn, newest - timedelta(days=120), newest + timedelta(days=1))
        total = paper_store.count_papers(conn)
    by_category: dict[str, list[str]] = defaultdict(list)
    for paper in recent:
        if paper.categories:
            by_category[paper.categories[0]].append(paper.id)
    categories = sorted(c for c, ids in by_category.items() if len(ids) > args.votes)
    print(f"copied in {time.perf_counter() - started:.0f} s; {total} papers, {len(recent)} in the last 120 days")
    rng = random.Random(14)
    accounts, picks = [], []
    begun = time.perf_counter()
    for n in range(args.members):
        account = create_account(store, f"fy{n}", PASSWORD)
        chosen = rng.sample(by_category[rng.choice(categories)], args.votes + 1)
        for paper_id in chosen[:-1]:
            toggle_vote(store, account, paper_id, True)
        accounts.append(account)
        picks.append(chosen[-1])
        if n % 100 == 99:
            print(f"  {n + 1} members, {time.perf_counter() - begun:.0f} s", flush=True)
    vote_ms, rebuild_ms, vote_cpu, rebuild_cpu = [], [], [], []
    for account, paper_id in list(zip(accounts, picks, strict=True))[:100]:
        start, cpu = time.perf_counter(), time.process_time()
        toggle_vote(store, account, paper_id, True)
        vote_ms.append((time.perf_counter() - start) * 1000)
        vote_cpu.append((time.process_time() - cpu) * 1000)
        with store.write() as conn:
            start, cpu = time.perf_counter(), time.process_time()
            refresh_profile(conn, account.id)
            rebuild_ms.append((time.perf_counter() - start) * 1000)
            rebuild_cpu.append((time.process_time() - cpu) * 1000)
    print(f"one new upvote, whole toggle_vote (write + model rebuild): {_spread(vote_ms)}   (load {_load()})")
    print(f"  CPU time: {_spread(vote_cpu)}")
    print(f"the model rebuild alone (refresh_profile): {_spread(rebuild_ms)}")
    print(f"  CPU time: {_spread(rebuild_cpu)}")
    page_ms, page_cpu = [], []
    for account in accounts[:: max(args.members // 40, 1)][:40]:
        with TestClient(create_app(config, store)) as client:
            token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/signin").text)
            assert token, "the sign-in page carries a CSRF token"
            fields = {"username": account.username, "password": PASSWORD, "csrf_token": token.group(1)}
            assert client.post("/signin", data=fields, follow_redirects=False).status_code == 303
            for _ in range(3):
                start, cpu = time.perf_counter(), time.process_time()
                assert client.get("/papers/foryou?range=month").status_code == 200
                page_ms.append((time.perf_counter() - start) * 1000)
                page_cpu.append((time.process_time() - cpu) * 1000)
    print(f"For-you page, GET /papers/foryou?range=month: {_spread(page_ms)}   (load {_load()})")
    print(f"  CPU time: {_spread(page_cpu)}")
    print(f"without each client's first request: {_spread([ms for i, ms in enumerate(page_ms) if i % 3])}")
    print(f"  CPU time: {_spread([ms for i, ms in enumerate(page_cpu) if i % 3])}")
    store.dispose()
    shutil.rmtree(home.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
