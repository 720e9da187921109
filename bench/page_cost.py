"""Statements and CPU per request of each page `bench/web_load.py` loads, in-process, page cache off.

The ASGI app is called directly (no HTTP, no load generator), 20 URLs per endpoint from web_load's samples, three
rounds, the best kept: the statement count does not depend on the machine, and CPU time is what other processes on
a shared machine distort least. Run it from the checkout to measure (main or a branch) against the same store:

    python -m bench.page_cost --home /tmp/dailypapers-bench-web
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench.web_load import asgi_get, samples
from dailypapers.config import SETTINGS, Config
from dailypapers.web.app import create_app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--urls", type=int, default=20, help="URLs per endpoint")
    args = parser.parse_args()
    off = (
        {"DAILYPAPERS_PAGE_CACHE_SECONDS": "0"}
        if any(s.name == "DAILYPAPERS_PAGE_CACHE_SECONDS" for s in SETTINGS)
        else {}
    )
    config = Config.from_env({}, DAILYPAPERS_HOME=str(args.home), DATABASE_URL="", DAILYPAPERS_FETCH_WORKER="0", **off)
    urls = samples(config)
    app = create_app(config)
    count = [0]

    def counted(*_args: Any) -> None:
        count[0] += 1

    event.listen(app.state.store.engine, "before_cursor_execute", counted)

    async def one(path: str) -> None:
        await asgi_get(app, path)

    async def run() -> None:
        print("| endpoint | statements/req | CPU ms/req (best of 3) |\n| --- | --- | --- |")
        for name, paths in urls.items():
            chosen = paths[: args.urls]
            for path in chosen:
                await one(path)  # warm: model load, caches
            count[0], best = 0, float("inf")
            for _ in range(3):
                start = time.process_time()
                for path in chosen:
                    await one(path)
                best = min(best, (time.process_time() - start) * 1000 / len(chosen))
            print(f"| {name} | {count[0] / (3 * len(chosen)):.1f} | {best:.1f} |", flush=True)

    asyncio.run(run())


if __name__ == "__main__":
    main()
