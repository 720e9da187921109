"""PDFs drawn on the spot for thumbnail benchmarks and looks: a US Letter page like a paper's first (a title, one
column of abstract, two of body text), rasterised by Pillow at 150 dpi. Dense text is the costly case for WebP."""

from __future__ import annotations

import io
import random


def paper_page_pdf(seed: int = 1) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    rng = random.Random(seed)
    image = Image.new("RGB", (1275, 1650), "white")
    draw = ImageDraw.Draw(image)
    font, title = ImageFont.load_default(size=16), ImageFont.load_default(size=34)
    draw.text((200, 120), "A Title of a Paper on Something Rather Interesting", font=title, fill="black")
    words = ("the", "of", "model", "learning", "we", "data", "results", "neural", "method", "training", "propose")
    for y in range(260, 1550, 22):
        for left, right in [(120, 1155)] if y < 700 else [(120, 620), (655, 1155)]:
            line = ""
            while draw.textlength(line + " w", font=font) < right - left:
                line += " " + rng.choice(words)
            draw.text((left, y), line.strip(), font=font, fill="black")
    out = io.BytesIO()
    image.save(out, "PDF", resolution=150.0)
    return out.getvalue()
