"""Requests/s and latency of the site under load, served the way README says (`dailypapers serve`), full corpus.

Setup (not timed): a store under --home holding the shared corpus (74,728 Kaggle papers + 580 HF daily lists),
imported with the CLI on first use (`--prepare`, a few minutes). The server runs as its own process group with its
default worker count (one per core); load comes from `wrk` (Debian package) in a second process on loopback, for a
fixed duration per endpoint, rotating through many URLs so no single page is served from one warm cache line:

  feed        /papers/date/<day>            the 60 most recent listed days
  paper       /papers/<id>                  200 listed papers
  search      /papers?q=<3-5 title words>   100 queries
  api         /api/daily_papers?date=<day>  the same 60 days
  rss         /papers.rss?date=<day>        the same 60 days

Baseline, in this process: the query layer alone (`queries.feed.feed` for the same days), so the table shows what
HTTP, templating and JSON add on top of the SQL.

    python -m bench.web_load [--home /tmp/dailypapers-bench-web] [--prepare] [--fill-similar] [--duration 10]
        [--connections 16 64] [--workers 2] [--only feed paper …]

`--fill-similar` (a store whose papers are embedded, wholly or in part, with the vector file or its similar lists
behind): brings both up to date from the stored vectors without loading the model, the steps `dailypapers index`
runs after embedding (a copy of a store indexed before similar lists existed, or one whose indexing was stopped).
The server inherits DAILYPAPERS_PAGE_CACHE_SECONDS: set it to 0 for figures without the page cache.

Each endpoint runs once per connection count (default 16 and 64). The errors column counts socket errors,
timeouts and non-2xx/3xx answers; at 64 connections it must be 0 (one request holds one pooled connection and
the pool is sized to the handler threads), and the script exits 1 when it is not.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path
from typing import Any

from dailypapers.config import Config
from dailypapers.queries import feed as q
from dailypapers.storage import open_store
from dailypapers.storage.feed import feed_page

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
KAGGLE = SHARED / "arxiv-cs-2025-2026.kaggle.jsonl.gz"
HF = SHARED / "hf-daily-papers-2024-2026.jsonl.gz"

LUA = """
paths = {%s}
counter = math.random(#paths)
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%d %%.3f %%.3f %%.3f %%.3f\\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.mean / 1000))
end
"""


def prepare(home: Path) -> None:
    env = {**os.environ, "DAILYPAPERS_HOME": str(home), "DATABASE_URL": ""}
    for args in (["init"], ["import", "kaggle", str(KAGGLE)], ["import", "hf-daily", str(HF)]):
        subprocess.run([sys.executable, "-m", "dailypapers.cli", *args], env=env, check=True)


def fill_similar(config: Config) -> None:
    from dailypapers.search.backend import search_backend
    from dailypapers.search.embed import DIMENSIONS
    from dailypapers.services.similar import refresh_similar

    store = open_store(config)
    vectors = search_backend(store, config).vectors
    start = time.perf_counter()
    synced = vectors.refresh(store, DIMENSIONS)
    lists = refresh_similar(store, vectors)
    print(f"vector index {synced.size if synced else 'in the database'}; similar lists stored for {lists} papers "
          f"in {time.perf_counter() - start:.1f} s")  # fmt: skip
    store.dispose()


def samples(config: Config) -> dict[str, list[str]]:
    """URLs to rotate through, picked from the store (deterministic: seeded)."""
    rng = random.Random(7)
    store = open_store(config)
    days: list[date] = []
    day = q.latest_day(store)
    while day and len(days) < 60:
        days.append(day)
        previous = q.feed(store, config, period=q.day_period(day), limit=1).previous
        day = previous.start if previous else None
    with store.read() as conn:
        page = feed_page(conn, start=min(days), end=max(days), limit=None)
    papers = [row.paper for row in page.rows]
    store.dispose()
    chosen = rng.sample(papers, min(200, len(papers)))
    queries = []
    for paper in rng.sample(papers, min(100, len(papers))):
        words = [w for w in paper.title.split() if w.isalpha()]
        start = rng.randrange(max(1, len(words) - 3))
        queries.append(" ".join(words[start : start + rng.randint(3, 5)]) or paper.title)
    return {
        "feed": [f"/papers/date/{d.isoformat()}" for d in days],
        "paper": [f"/papers/{p.id}" for p in chosen],
        "search": ["/papers?" + urllib.parse.urlencode({"q": text}) for text in queries],
        "api": [f"/api/daily_papers?date={d.isoformat()}" for d in days],
        "rss": [f"/papers.rss?date={d.isoformat()}" for d in days],
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(home: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DAILYPAPERS_HOME": str(home), "DATABASE_URL": "", "DAILYPAPERS_LOG_LEVEL": "WARNING"}
    env.setdefault("DAILYPAPERS_ARXIV_PDF_URL", "")  # no thumbnail fetches from arxiv.org inside a timed run
    args = [sys.executable, "-m", "dailypapers.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    if workers:
        args += ["--workers", str(workers)]
    proc = subprocess.Popen(args, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as reply:
                if reply.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
    stop_server(proc)
    raise SystemExit("the server did not become healthy within 60 s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def warm(port: int, paths: list[str]) -> None:
    """One pass over every URL first (loads the embedding model, fills caches), like a server that has been up."""
    for path in paths:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as reply:
            reply.read()


def run_wrk(port: int, paths: list[str], duration: int, connections: int) -> dict[str, float]:
    lua = LUA % ", ".join(json.dumps(p) for p in paths)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(lua)
    try:
        out = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", fh.name,
             f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(fh.name)
    line = next(row for row in out.splitlines() if row.startswith("RESULT"))
    requests, micros, socket_errors, status_errors, p50, p95, p99, mean = line.split()[1:]
    return {
        "requests": int(requests),
        "rps": int(requests) / (int(micros) / 1e6),
        "errors": int(socket_errors) + int(status_errors),
        "p50": float(p50),
        "p95": float(p95),
        "p99": float(p99),
        "mean": float(mean),
    }


def in_process_feed(config: Config, days: list[str], rounds: int = 3) -> dict[str, float]:
    store = open_store(config)
    times = []
    for _ in range(rounds):
        for day in days:
            start = time.perf_counter()
            q.feed(store, config, period=q.parse_day(day.rsplit("/", 1)[1]))
            times.append((time.perf_counter() - start) * 1000)
    store.dispose()
    times.sort()
    return {"p50": statistics.median(times), "p95": times[int(len(times) * 0.95)]}


async def asgi_get(app: Any, path: str) -> None:
    """One anonymous GET of `path` through the app in-process, the answer discarded."""
    route, _, query = path.partition("?")
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": urllib.parse.unquote(route), "raw_path": route.encode(), "query_string": query.encode(),
        "root_path": "", "headers": [(b"host", b"127.0.0.1")], "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }  # fmt: skip

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(_message: object) -> None:
        return None

    await app(scope, receive, send)


def asgi_cpu_ms(config: Config, paths: list[str], rounds: int = 2) -> float:
    """CPU milliseconds per request of the app called in-process (no HTTP, no load generator): a figure the
    other processes on a shared machine cannot distort, and the ceiling it implies is cores * 1000 / this."""
    import asyncio

    from dailypapers.web.app import create_app

    app = create_app(config)

    async def one(path: str) -> None:
        await asgi_get(app, path)

    async def run() -> float:
        for path in paths[:5]:
            await one(path)
        start = time.process_time()
        for _ in range(rounds):
            for path in paths:
                await one(path)
        return (time.process_time() - start) * 1000 / (rounds * len(paths))

    return asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", type=Path, default=Path(tempfile.gettempdir()) / "dailypapers-bench-web")
    parser.add_argument("--prepare", action="store_true", help="import the shared corpus into --home first")
    parser.add_argument("--fill-similar", action="store_true", help="sync the vector file and similar lists first")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per endpoint")
    parser.add_argument("--connections", type=int, nargs="+", default=[16, 64], help="one run per count")
    parser.add_argument("--workers", type=int, default=0, help="0: the serve default (one per core)")
    parser.add_argument("--only", nargs="*", default=None, help="endpoints to run (feed paper search api rss)")
    args = parser.parse_args()
    if args.prepare:
        prepare(args.home)
    cache = os.environ.get("DAILYPAPERS_PAGE_CACHE_SECONDS", "5")  # the in-process app caches as the server does
    config = Config.from_env({}, DAILYPAPERS_HOME=str(args.home), DATABASE_URL="", DAILYPAPERS_PAGE_CACHE_SECONDS=cache)
    if args.fill_similar:
        fill_similar(config)
    urls = samples(config)
    baseline = in_process_feed(config, urls["feed"])
    print(f"in-process queries.feed: p50 {baseline['p50']:.2f} ms, p95 {baseline['p95']:.2f} ms")
    cpu = {
        name: asgi_cpu_ms(config, paths[:10], rounds=3)
        for name, paths in urls.items()
        if not args.only or name in args.only
    }
    port = free_port()
    server = start_server(args.home, port, args.workers)
    failed = []
    try:
        print(f"| endpoint | connections | URLs | req/s | p50 ms | p95 ms | p99 ms | errors | CPU ms/req in-process | "
              f"({args.duration} s each, {os.cpu_count()} cores, "
              f"load avg before {os.getloadavg()[0]:.1f}, page cache "
              f"{os.environ.get('DAILYPAPERS_PAGE_CACHE_SECONDS', 'default')} s) |")  # fmt: skip
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for name, paths in urls.items():
            if args.only and name not in args.only:
                continue
            warm(port, paths)
            for connections in args.connections:
                r = run_wrk(port, paths, args.duration, connections)
                if r["errors"] and connections >= 64:
                    failed.append(f"{name} at {connections} connections: {r['errors']} errors")
                print(f"| {name} | {connections} | {len(paths)} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | "
                      f"{r['p99']:.1f} | {r['errors']} | {cpu[name]:.1f} |", flush=True)  # fmt: skip
    finally:
        stop_server(server)
    if failed:
        raise SystemExit("errors under load: " + "; ".join(failed))


if __name__ == "__main__":
    main()
