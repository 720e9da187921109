"""Bytes a browser downloads for the feed page (HTML + CSS + JS; thumbnails, images and fonts apart), for a
visitor and for a member, uncompressed and gzipped. Runs the real app on the bundled demo (SQLite).

    python -m bench.page_weight
"""

from __future__ import annotations

import gzip
import os
import tempfile
from pathlib import Path

import httpx

from dailypapers.testing.weight import page_weight


def _gzipped(base_url: str, urls: list[str], client: httpx.Client) -> int:
    return sum(len(gzip.compress(client.get(base_url + url).content)) for url in urls)


def main() -> None:
    from dailypapers.demo import load_demo
    from dailypapers.storage import open_store
    from dailypapers.testing.server import served_app
    from dailypapers.testing.stores import SQLiteFactory

    with tempfile.TemporaryDirectory() as scratch:
        config = SQLiteFactory(Path(scratch) / "template").config(Path(scratch) / "home")
        store = open_store(config)
        load_demo(store)
        with served_app(config, store) as url, httpx.Client() as client:
            print(f"load average {os.getloadavg()[0]:.2f}")
            visitor = page_weight(url, client=client)
            for name, size in visitor.items():
                print(f"  {name:32} {size / 1024:7.1f} KB")
            total = sum(visitor.values())
            print(
                f"visitor /papers: {total / 1024:.1f} KB, {_gzipped(url, list(visitor), client) / 1024:.1f} KB gzipped"
            )
        store.dispose()


if __name__ == "__main__":
    main()
