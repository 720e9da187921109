"""A paper's PDF from arXiv and the thumbnail of its first page (PDFium through pypdfium2, WebP through Pillow).

Every thumbnail has the same size, WIDTH x HEIGHT (a US Letter page; taller pages such as A4 lose a strip at the
bottom, shorter ones get a white one), so pages set `width`/`height` on the <img> without asking the store.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass

import httpx

from dailypapers.ingest.http import PoliteClient

WIDTH, HEIGHT = 320, 414
MAX_PDF_BYTES = 64 * 1024 * 1024
WEBP_QUALITY = 72
_PDFIUM = threading.Lock()  # PDFium is not thread-safe: one document at a time per process


class UnrenderablePdf(ValueError):
    """The bytes are not a PDF PDFium can draw (damaged, encrypted, no pages)."""


@dataclass
class PdfReply:
    """A PDF (`body`), or why arXiv has none for the paper (`missing`): a 404, or a reply that is not a PDF."""

    body: bytes | None
    missing: str = ""


def pdf_url(base: str, paper_id: str) -> str:
    return f"{base.rstrip('/')}/{paper_id}"


def fetch_pdf(http: PoliteClient, url: str) -> PdfReply:
    """GET `url` through the polite client. A 404/410 or a non-PDF reply (arXiv's "being generated" page, a
    withdrawn paper) is a `missing` answer, not an error: retrying it at once would not change it."""
    return http.get(url, parse=_pdf_reply, accept=(200, 404, 410))


def _pdf_reply(reply: httpx.Response) -> PdfReply:
    if reply.status_code != 200:
        return PdfReply(None, f"HTTP {reply.status_code}")
    body = reply.content
    if body.lstrip()[:5] != b"%PDF-":
        kind = reply.headers.get("Content-Type", "no Content-Type").split(";")[0]
        return PdfReply(None, f"not a PDF ({kind}, {len(body)} bytes)")
    if len(body) > MAX_PDF_BYTES:
        return PdfReply(None, f"PDF too large ({len(body)} bytes)")
    return PdfReply(body)


def first_page_thumbnail(pdf: bytes) -> bytes:
    """The first page drawn WIDTH px wide on white, cut or padded to HEIGHT, as WebP; UnrenderablePdf otherwise."""
    import pypdfium2 as pdfium
    from PIL import Image

    with _PDFIUM:
        try:
            document = pdfium.PdfDocument(pdf)
        except pdfium.PdfiumError as exc:
            raise UnrenderablePdf(f"PDFium cannot open it: {exc}") from None
        try:
            if len(document) == 0:
                raise UnrenderablePdf("the PDF has no pages")
            page = document[0]
            try:
                width = page.get_width()
                if width <= 0:
                    raise UnrenderablePdf("the first page has no width")
                image = page.render(scale=WIDTH / width).to_pil().convert("RGB")
            except pdfium.PdfiumError as exc:
                raise UnrenderablePdf(f"PDFium cannot draw the first page: {exc}") from None
            finally:
                page.close()
        finally:
            document.close()
    if image.width != WIDTH:  # a rotated page: its drawn width is the page's height
        image = image.resize((WIDTH, max(1, round(image.height * WIDTH / image.width))), Image.Resampling.LANCZOS)
    canvas = Image.new("RGB", (WIDTH, HEIGHT), "white")
    canvas.paste(image.crop((0, 0, WIDTH, min(HEIGHT, image.height))), (0, 0))
    out = io.BytesIO()
    canvas.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    return out.getvalue()
