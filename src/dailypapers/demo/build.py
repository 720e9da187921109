"""Rebuild the demo sample from the shared data: `python -m dailypapers.demo.build --shared ../shared`.

Takes every HF daily list from FIRST_DAY to LAST_DAY, the Kaggle-format arXiv records of those papers, and a
deterministic sample of other arXiv papers announced in the same weeks, so that search has some breadth.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
from pathlib import Path

from dailypapers.demo import ARXIV_FILE, HF_FILE

FIRST_DAY, LAST_DAY = "2026-06-08", "2026-07-03"
EXTRA_PAPERS = 1500


def build(shared: Path) -> None:
    days = []
    with gzip.open(shared / "data" / "hf-daily-papers-2024-2026.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            day = json.loads(line)
            if FIRST_DAY <= day["date"] <= LAST_DAY:
                days.append(day)
    listed = {item["paper"]["id"] for day in days for item in day["papers"]}
    chosen, others = [], []
    with gzip.open(shared / "data" / "arxiv-cs-2025-2026.kaggle.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            if record["id"] in listed:
                chosen.append(record)
            elif "2026-06-01" <= record["update_date"] <= LAST_DAY:
                others.append(record)
    random.Random(20260608).shuffle(others)
    chosen.extend(sorted(others[:EXTRA_PAPERS], key=lambda r: r["id"]))
    with gzip.GzipFile(ARXIV_FILE, "wb", mtime=0) as out:
        for record in chosen:
            out.write((json.dumps(record, ensure_ascii=False) + "\n").encode())
    with gzip.GzipFile(HF_FILE, "wb", mtime=0) as out:
        for day in days:
            out.write((json.dumps(day, ensure_ascii=False) + "\n").encode())
    print(f"{len(days)} days, {len(listed)} listed papers, {len(chosen)} arXiv records")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    build(parser.parse_args().shared)
