"""What rendering LaTeX costs the pages: titles and card excerpts of the bundled demo's arXiv sample as MathML HTML
(cards) and as plain text (`<title>`, feeds), cold (caches cleared) and warm (a second pass, as every request after
the first), next to the baseline of escaping them only.

    python -m bench.latex_render
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from markupsafe import escape

from dailypapers.demo import ARXIV_FILE
from dailypapers.excerpts import excerpt
from dailypapers.ingest.files import LineSource
from dailypapers.ingest.kaggle import read_kaggle
from dailypapers.latex import plain
from dailypapers.web.mathml import formula
from dailypapers.web.tex import tex_html


def _timed(texts: list[str], render: Callable[[str], object]) -> float:
    start = time.perf_counter()
    for text in texts:
        render(text)
    return (time.perf_counter() - start) * 1e3


def main() -> None:
    papers = [item.paper for item in read_kaggle(LineSource(ARXIV_FILE)) if item.paper]
    texts = [p.title for p in papers] + [excerpt(p.abstract, 300) for p in papers]
    with_math = sum(1 for t in texts if "$" in t)
    print(f"load average {os.getloadavg()[0]:.2f}; {len(texts)} texts ({with_math} with $…$)")
    print(f"  escape only (baseline)   {_timed(texts, escape):8.1f} ms")
    for name, render, caches in (
        ("MathML HTML (cards)", tex_html, (tex_html, formula)),
        ("plain text (titles)", plain, (plain,)),
    ):
        for cache in caches:
            cache.cache_clear()  # type: ignore[attr-defined]
        cold, warm = _timed(texts, render), _timed(texts, render)
        print(f"  {name:24} {cold:8.1f} ms cold, {warm:6.1f} ms warm ({cold / len(texts) * 1e3:.0f} µs a text cold)")


if __name__ == "__main__":
    main()
