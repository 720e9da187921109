"""Time and peak memory of bulk-importing the 74,728-paper Kaggle file, on SQLite and PostgreSQL.

Each import runs in a fresh child process (so peak RSS is the import's own), first into an empty store, then
again (the idempotent re-run); besides wall time it reports the CPU seconds of the importing process (all its
threads) and of the PostgreSQL server, steadier figures on a shared machine. Baselines, in the same run: just
reading and JSON-decoding the file, and the same imports by another checkout's code (`--baseline-src
/work/main/src`, the code before this change), each code migrating its own empty store first.

    python -m bench.import_speed [--engines sqlite,postgresql] [--file PATH] [--baseline-src DIR ...]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from dailypapers.testing.stores import QUIET, PostgresFactory, scratch_dir

DEFAULT_FILE = Path(__file__).resolve().parents[1].parent / "shared/data/arxiv-cs-2025-2026.kaggle.jsonl.gz"
OUR_SRC = Path(__file__).resolve().parents[1] / "src"

_MIGRATE = """
from dailypapers.cli.main import app
try:
    app(["db", "upgrade"])
except SystemExit as exit:
    assert not exit.code, exit.code
"""

_IMPORT = """
import resource, sys, time
from dailypapers.cli.main import app
t = time.perf_counter()
try:
    app(["import", "kaggle", sys.argv[1]])
except SystemExit as exit:
    assert not exit.code, exit.code
use = resource.getrusage(resource.RUSAGE_SELF)
print("RESULT", time.perf_counter() - t, use.ru_maxrss / 1024, use.ru_utime + use.ru_stime)
"""


def baseline_parse(path: Path) -> float:
    start = time.perf_counter()
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            json.loads(line)
    return time.perf_counter() - start


def child(script: str, args: list[str], env: dict[str, str]) -> str:
    run = subprocess.run([sys.executable, "-c", script, *args], env=env, capture_output=True, text=True)
    if run.returncode:
        raise SystemExit(f"child failed: {run.stderr.strip()[-2000:]}")
    return run.stdout


def server_cpu(pgdata: Path | None) -> float:
    """CPU seconds the PostgreSQL server has used so far: the postmaster, its exited children (an import's
    backends) and its live ones (checkpointer, WAL writer...). On a shared machine this is steadier than wall time."""
    if pgdata is None:
        return 0.0
    postmaster = (pgdata / "postmaster.pid").read_text().split()[0]
    fields = Path(f"/proc/{postmaster}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(x) for x in fields[11:15])  # utime, stime, cutime, cstime
    for proc in Path("/proc").iterdir():
        try:
            stat = (proc / "stat").read_text().rsplit(")", 1)[1].split() if proc.name.isdigit() else []
        except OSError:
            continue
        if stat and stat[1] == postmaster:
            ticks += int(stat[11]) + int(stat[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def run_import(path: Path, env: dict[str, str]) -> tuple[float, float, float, str]:
    out = child(_IMPORT, [str(path)], env)
    summary = next(line for line in out.splitlines() if line.startswith("read "))
    _, seconds, peak, cpu = next(line for line in out.splitlines() if line.startswith("RESULT")).split()
    return float(seconds), float(peak), float(cpu), summary


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument(
        "--baseline-src",
        type=Path,
        action="append",
        default=[],
        help="src/ of code to compare with, e.g. /work/main/src (repeat for several baselines)",
    )
    args = parser.parse_args()
    parse_s = baseline_parse(args.file)
    print(f"baseline: read + JSON-decode {args.file.name}: {parse_s:.1f} s ({load()})")
    work = scratch_dir("dp-bench-import-")
    pg = PostgresFactory(work / "pgdata") if "postgresql" in args.engines else None
    codes = [("this code", OUR_SRC)] + [(f"baseline{i or ''}", src) for i, src in enumerate(args.baseline_src)]
    for engine in args.engines.split(","):
        for code, src in codes:
            home = work / f"{engine}-{code.replace(' ', '-')}"
            url = pg.empty_database_of("dp_bench", with_vector=True) if engine == "postgresql" and pg else ""
            env = {**os.environ, **QUIET, "PYTHONPATH": str(src), "DAILYPAPERS_HOME": str(home), "DATABASE_URL": url}
            child(_MIGRATE, [], env)
            pgdata = work / "pgdata" if engine == "postgresql" else None
            for label in ("first import", "re-run"):
                before = server_cpu(pgdata)
                seconds, peak, cpu, summary = run_import(args.file, env)
                server = f"server CPU {server_cpu(pgdata) - before:5.1f} s  " if pgdata else ""
                print(
                    f"{engine:10} {code:10} {label:12} {seconds:6.1f} s  ({seconds / parse_s:4.1f}x parse)  "
                    f"peak RSS {peak:5.0f} MB  client CPU {cpu:5.1f} s  {server}{load()} | {summary}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
