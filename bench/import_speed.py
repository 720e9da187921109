"""Time and peak memory of bulk-importing the 74,728-paper Kaggle file, on SQLite and PostgreSQL.

Each import runs in a fresh child process (so peak RSS is the import's own), first into an empty store, then
again (the idempotent re-run). Baseline, in the same run: just reading and JSON-decoding the file.

    python -m bench.import_speed [--engines sqlite,postgresql] [--file PATH]
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

from dailypapers.testing.stores import PostgresFactory, SQLiteFactory, scratch_dir

DEFAULT_FILE = Path(__file__).resolve().parents[1].parent / "shared/data/arxiv-cs-2025-2026.kaggle.jsonl.gz"

_CHILD = """
import resource, sys, time
from dailypapers.cli.main import app
t = time.perf_counter()
try:
    app(["import", "kaggle", sys.argv[1]])
except SystemExit as exit:
    assert not exit.code, exit.code
print("RESULT", time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def baseline_parse(path: Path) -> float:
    start = time.perf_counter()
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            json.loads(line)
    return time.perf_counter() - start


def run_import(path: Path, env: dict[str, str]) -> tuple[float, float, str]:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)], env=env, capture_output=True, text=True, check=True
    ).stdout
    summary = next(line for line in out.splitlines() if line.startswith("read "))
    _, seconds, peak = next(line for line in out.splitlines() if line.startswith("RESULT")).split()
    return float(seconds), float(peak), summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    args = parser.parse_args()
    parse_s = baseline_parse(args.file)
    print(f"baseline: read + JSON-decode {args.file.name}: {parse_s:.1f} s")
    work = scratch_dir("dp-bench-import-")
    for engine in args.engines.split(","):
        if engine == "sqlite":
            config = SQLiteFactory(work / "sqlite").config(work / "sqlite-home")
        else:
            pg = PostgresFactory(work / "pgdata")
            config = pg.config(work / "pg-home")
        env = {**os.environ, **config.values}
        for label in ("first import", "re-run"):
            seconds, peak, summary = run_import(args.file, env)
            print(
                f"{engine:10} {label:12} {seconds:6.1f} s  ({seconds / parse_s:4.1f}x baseline)  "
                f"peak RSS {peak:5.0f} MB  | {summary}"
            )


if __name__ == "__main__":
    main()
