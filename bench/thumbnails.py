"""Thumbnails: time to draw a paper-like first page with PDFium and encode it as WebP, and the file's size; and what
thumbnails add to the feed's weight (the card markup; images are not counted) against the same page without.

    python -m bench.thumbnails [--pages 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from dailypapers.ingest.pdf import first_page_thumbnail
from dailypapers.testing.pdfs import paper_page_pdf


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=20)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}")
    pdfs = [paper_page_pdf(seed) for seed in range(args.pages)]
    first_page_thumbnail(pdfs[0])  # PDFium and Pillow loaded before timing
    times, sizes = [], []
    for pdf in pdfs:
        start = time.perf_counter()
        sizes.append(len(first_page_thumbnail(pdf)))
        times.append(time.perf_counter() - start)
    print(
        f"draw + encode: median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms per page; "
        f"WebP median {statistics.median(sizes) / 1024:.1f} KB (PDF {len(pdfs[0]) / 1024:.0f} KB, dense text)"
    )
    _feed_weight(first_page_thumbnail(pdfs[0]))


def _feed_weight(image: bytes) -> None:
    import httpx

    from dailypapers.demo import load_demo
    from dailypapers.queries.thumbnails import thumbnail_path
    from dailypapers.storage import open_store
    from dailypapers.testing.server import served_app
    from dailypapers.testing.stores import SQLiteFactory
    from dailypapers.testing.weight import page_weight

    with tempfile.TemporaryDirectory() as scratch:
        config = SQLiteFactory(Path(scratch) / "template").config(Path(scratch) / "home")
        store = open_store(config)
        load_demo(store)
        with served_app(config, store) as url, httpx.Client() as client:
            without = sum(page_weight(url, client=client).values())
            ids = [
                line.split('id="paper-')[1].split('"')[0]
                for line in client.get(url + "/papers").text.split("\n")
                if 'id="paper-' in line
            ]
            for paper_id in ids:
                path = thumbnail_path(config, paper_id)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(image)
            with_all = sum(page_weight(url, client=client).values())
        store.dispose()
    print(
        f"feed /papers ({len(ids)} cards): {without / 1024:.1f} KB with placeholders, {with_all / 1024:.1f} KB with "
        f"every thumbnail (HTML + CSS + JS; the images themselves are lazy-loaded and not counted)"
    )


if __name__ == "__main__":
    main()
