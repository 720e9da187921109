"""Search latency of this tree's code against another tree's, interleaved in one run: CPU and wall time per query.

    git archive main src | tar -x -C /tmp/base      # the code to compare with, then:
    python bench/ab_latency.py --home /work/benchstore/80k --baseline-src /tmp/base/src --rounds 3
    python bench/ab_latency.py --home PGHOME --database-url postgresql+psycopg://… --baseline-src /tmp/base/src

On a shared machine wall time follows the neighbours' load, so the two sides take turns (ABBA…, one child process a
turn, each on the same seeded queries of bench/search_latency.py with its own warm-up) and the CPU time a query took
(`time.process_time`: every thread of the process, the query embedding's included) is reported beside p50 / p95 wall.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SOURCE = BENCH.parent / "src"


def child(home: Path, database_url: str, queries: int, mode: str, category: str) -> None:
    """One turn: the hybrid (or text) pass of search_latency.py, printed as JSON {"wall": […], "cpu": […]} in ms."""
    sys.path.insert(0, str(BENCH))
    from dailypapers.config import Config
    from dailypapers.search.service import SearchRequest, search_papers
    from dailypapers.storage import open_store
    from search_latency import timed, workload

    config = Config.from_env({}, DAILYPAPERS_HOME=str(home), DATABASE_URL=database_url)
    store = open_store(config)
    texts = [q for q, _ in workload(store, queries)]
    for q in texts[:10]:  # warm up: model load, page cache, index mmap
        search_papers(store, config, SearchRequest(q=q, mode=mode))
    wall, cpu = timed(store, config, texts, mode=mode, **({"category": category} if category else {}))
    store.dispose()
    import dailypapers

    print(json.dumps({"wall": wall, "cpu": cpu, "code": str(Path(dailypapers.__file__).parent)}))


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def line(label: str, wall: list[float], cpu: list[float]) -> str:
    return (
        f"{label:24} wall p50 {statistics.median(wall):6.1f} p95 {p95(wall):6.1f} ms | "
        f"CPU mean {statistics.fmean(cpu):6.1f} p50 {statistics.median(cpu):6.1f} p95 {p95(cpu):6.1f} ms "
        f"(n={len(wall)})"
    )


def turn(source: Path, args: argparse.Namespace) -> dict[str, list[float]]:
    """One child process running `source`'s code; it must import that code, not the installed package."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(source), str(BENCH.parent)])}
    command = [sys.executable, __file__, "--child", "--home", str(args.home), "--queries", str(args.queries)]
    command += ["--mode", args.mode, "--category", args.category, "--database-url", args.database_url]
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    found = json.loads(out.stdout.strip().splitlines()[-1])
    if not Path(found.pop("code")).is_relative_to(source):
        raise SystemExit(f"the child did not import the code under {source}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--baseline-src", type=Path, help="the src/ directory of the code to compare with")
    parser.add_argument("--database-url", default="", help="a PostgreSQL store (default: the SQLite one of --home)")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--mode", choices=["hybrid", "text"], default="hybrid")
    parser.add_argument("--category", default="", help="search within this category too (e.g. cs.CL)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.home, args.database_url, args.queries, args.mode, args.category)
        return
    if args.baseline_src is None:
        parser.error("--baseline-src is required")
    sides = {"baseline": args.baseline_src.resolve(), "this tree": SOURCE}
    pooled: dict[str, dict[str, list[float]]] = {name: {"wall": [], "cpu": []} for name in sides}
    within = f" + cat:{args.category}" if args.category else ""
    print(f"{args.mode}{within}, {args.queries} queries a turn, {args.database_url or args.home}")
    for r in range(args.rounds):
        order = list(sides) if r % 2 == 0 else list(sides)[::-1]  # ABBA: drift in load hits both sides alike
        for name in order:
            load = os.getloadavg()[0]
            samples = turn(sides[name], args)
            for key in ("wall", "cpu"):
                pooled[name][key] += samples[key]
            print(line(f"round {r + 1}, {name}", samples["wall"], samples["cpu"]) + f" load {load:.1f}", flush=True)
    for name, samples in pooled.items():
        print(line(f"all rounds, {name}", samples["wall"], samples["cpu"]))


if __name__ == "__main__":
    main()
