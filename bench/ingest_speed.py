"""Throughput of an OAI-PMH harvest through the whole live stack, against arXiv's 3-second politeness budget.

Renders the first N papers of the shared Kaggle file as arXivRaw pages of 1,000 records (arXiv's page size),
serves them from the loopback replay server, and harvests them with `harvest_oai` (HTTP client with pacing
off, XML parsing, merge, batched writes, a checkpoint per page) into a fresh store. Then harvests them again
(everything unchanged). Baseline in the same run: parsing the same page bodies in-process, no HTTP, no store.
The figure that matters: per-page processing time, which must stay well under arXiv's 3 s between requests.

    python -m bench.ingest_speed [--papers 20000] [--engines sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path
from typing import Any

from dailypapers.config import Config
from dailypapers.ingest.oai import parse_page
from dailypapers.services.ingest import harvest_oai
from dailypapers.storage import open_store
from dailypapers.testing.arxiv_replies import arxiv_raw_record, oai_page, serve_oai_chain
from dailypapers.testing.replay import ReplayServer
from dailypapers.testing.stores import PostgresFactory, SQLiteFactory, scratch_dir

DEFAULT_FILE = Path(__file__).resolve().parents[1].parent / "shared/data/arxiv-cs-2025-2026.kaggle.jsonl.gz"
PER_PAGE = 1000
FIRST = {"verb": "ListRecords", "metadataPrefix": "arXivRaw", "set": "cs", "from": "2025-01-01"}
QUICK = {"DAILYPAPERS_HTTP_DELAY": "0", "DAILYPAPERS_HTTP_BACKOFF": "0.01"}


def load_rows(path: Path, count: int) -> list[dict[str, Any]]:
    rows = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            row["authors"] = row.get("authors") or ""
            rows.append(row)
            if len(rows) == count:
                break
    return rows


def baseline(rows: list[dict[str, Any]]) -> float:
    bodies = [
        oai_page([arxiv_raw_record(r) for r in rows[i : i + PER_PAGE]], None, i, len(rows))
        for i in range(0, len(rows), PER_PAGE)
    ]
    start = time.perf_counter()
    for body in bodies:
        parse_page(body, "arXivRaw")
    return time.perf_counter() - start


def harvest(config: Config, server: ReplayServer) -> tuple[float, str]:
    store = open_store(config)
    try:
        start = time.perf_counter()
        report = harvest_oai(store, config, set_spec="cs", from_="2025-01-01", base_url=server.url + "/oai2")
        return time.perf_counter() - start, report.summary.line()
    finally:
        store.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--papers", type=int, default=20000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    args = parser.parse_args()
    rows = load_rows(args.file, args.papers)
    pages = -(-len(rows) // PER_PAGE)
    parse_s = baseline(rows)
    print(f"{len(rows)} papers in {pages} pages; baseline parse only: {parse_s:.2f} s")
    work = scratch_dir("dp-bench-ingest-")
    with ReplayServer() as server:
        serve_oai_chain(server, rows, per_page=PER_PAGE, first_query=FIRST)
        for engine in args.engines.split(","):
            if engine == "sqlite":
                config = SQLiteFactory(work / "sqlite").config(work / "sqlite-home", **QUICK)
            else:
                config = PostgresFactory(work / "pg").config(work / "pg-home", **QUICK)
            for run in ("first harvest", "re-harvest"):  # an explicit --from asks for the same pages again
                seconds, line = harvest(config, server)
                print(
                    f"{engine:10} {run:13} {seconds:6.2f} s  {len(rows) / seconds:7.0f} papers/s  "
                    f"{1000 * seconds / pages:5.0f} ms/page  {seconds / parse_s:4.1f}x baseline  {line}"
                )


if __name__ == "__main__":
    main()
