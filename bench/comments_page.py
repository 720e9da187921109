"""A paper page with 0 vs 200 comments: render time and SQL statements per request (issue 15: within 1.5×, fixed).

Setup (not timed): a fresh SQLite store under a temporary directory with one real day of Hugging Face's list from
../shared, 10 members, and 200 comments (Markdown, inline math, mentions; a third are replies) on one paper; a
second paper of the same day keeps none. Timed: GET /papers/{id} through the real app in-process (TestClient, so no
network noise), signed in as a member (forms, unread count), `--rounds` requests each after a warm-up, alternating
the two pages so a busy machine slows both alike. Statements are counted with SQLAlchemy's before_cursor_execute.

    python -m bench.comments_page [--rounds 40]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event

from dailypapers.ingest.hf_daily import items_for_day
from dailypapers.services.accounts import create_account
from dailypapers.services.comments import post_comment
from dailypapers.services.imports import import_items
from dailypapers.storage import open_store
from dailypapers.testing.stores import SQLiteFactory
from dailypapers.web.app import create_app

SHARED = Path(__file__).resolve().parents[2] / "shared"
HF_DAILY = SHARED / "data" / "hf-daily-papers-2024-2026.jsonl.gz"
PASSWORD = "correct horse battery"


def first_day() -> dict[str, Any]:
    """The first day of the real Hugging Face daily lists in the shared data."""
    with gzip.open(HF_DAILY, "rt", encoding="utf-8") as fh:
        return dict(json.loads(fh.readline()))


def sign_in(client: TestClient, username: str) -> None:
    """Sign in through the real form, sending back its CSRF token as a browser would."""
    page = client.get("/signin")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, f"no CSRF field on /signin ({page.status_code})"
    data = {"username": username, "password": PASSWORD, "csrf_token": found.group(1)}
    response = client.post("/signin", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dailypapers-bench-comments-"))
    config = SQLiteFactory(work / "template").config(work / "home")
    store = open_store(config)
    day = first_day()
    import_items(store, items_for_day(1, day["papers"], date.fromisoformat(day["date"])))
    busy, quiet = (str(p["paper"]["id"]) for p in day["papers"][:2])
    members = [create_account(store, f"member{i}", PASSWORD) for i in range(10)]
    parent = None
    for i in range(200):
        text = f"Comment {i}: is $x_{{{i}}} \\le y$ **really** needed? cc @member{(i + 1) % 10}\n\n- point a\n- point b"
        reply_to = parent.id if parent is not None and i % 3 else None
        parent = post_comment(store, members[i % 10], busy, text, reply_to)
    client = TestClient(create_app(config, store), base_url="http://127.0.0.1:8000")
    sign_in(client, "member0")
    statements = 0

    def count(*_args: object) -> None:
        nonlocal statements
        statements += 1

    event.listen(store.engine, "before_cursor_execute", count)
    timings: dict[str, list[float]] = {busy: [], quiet: []}
    cpu: dict[str, list[float]] = {busy: [], quiet: []}  # process CPU time: less distorted by other jobs' load
    queries: dict[str, int] = {}
    for paper in (busy, quiet):
        client.get(f"/papers/{paper}")  # warm-up
    for _ in range(args.rounds):
        for paper in (quiet, busy):
            statements = 0
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(f"/papers/{paper}")
            timings[paper].append(time.perf_counter() - start)
            cpu[paper].append(time.process_time() - start_cpu)
            assert response.status_code == 200
            queries[paper] = statements
    store.dispose()
    empty, full = statistics.median(timings[quiet]) * 1000, statistics.median(timings[busy]) * 1000
    cpu_empty, cpu_full = statistics.median(cpu[quiet]) * 1000, statistics.median(cpu[busy]) * 1000
    print("| page | comments | median ms | p90 ms | median CPU ms | SQL statements |")
    print("| --- | --- | --- | --- | --- | --- |")
    for label, paper, n in (("no comments", quiet, 0), ("200 comments", busy, 200)):
        ordered = sorted(timings[paper])
        p90 = ordered[int(len(ordered) * 0.9) - 1] * 1000
        median, median_cpu = statistics.median(ordered) * 1000, statistics.median(cpu[paper]) * 1000
        print(f"| {label} | {n} | {median:.1f} | {p90:.1f} | {median_cpu:.1f} | {queries[paper]} |")
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"ratio 200/0: {full / empty:.2f}× wall, {cpu_full / cpu_empty:.2f}× CPU   (load average {load})")


if __name__ == "__main__":
    main()
