"""Shared by the thumbnail tests: a PDF drawn here, listed papers, and a loopback server that serves the PDF."""

from __future__ import annotations

import io
from datetime import date

from PIL import Image, ImageDraw

from dailypapers.domain import ImportItem
from dailypapers.services.imports import import_items
from dailypapers.storage import Store
from dailypapers.testing.replay import ReplayServer
from helpers.feed_data import listed, paper

DAY = date(2026, 11, 30)


def page_pdf() -> bytes:
    """A one-page US Letter PDF, black in its top third and white below (what the thumbnail must show)."""
    image = Image.new("RGB", (612, 792), "white")
    ImageDraw.Draw(image).rectangle((0, 0, 611, 263), fill="black")
    out = io.BytesIO()
    image.save(out, "PDF", resolution=72.0)
    return out.getvalue()


def list_papers(store: Store, day: date, *ids: str) -> None:
    import_items(store, [listed(paper(i), day) for i in ids])


def store_papers(store: Store, *ids: str) -> None:
    import_items(store, [ImportItem(line=n, paper=paper(i)) for n, i in enumerate(ids, 1)])


def serve_pdf(arxiv: ReplayServer, paper_id: str) -> None:
    arxiv.add(f"/pdf/{paper_id}", page_pdf(), content_type="application/pdf")
