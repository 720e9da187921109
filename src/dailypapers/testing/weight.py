"""What a browser downloads for a page: the HTML and each stylesheet and script it loads (images and fonts apart).
For the page-weight test and bench/page_weight.py."""

from __future__ import annotations

import re

import httpx

ASSET = re.compile(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="(/static/[^"]+)"')


def page_weight(base_url: str, path: str = "/papers", client: httpx.Client | None = None) -> dict[str, int]:
    """{url: bytes} of the page and each stylesheet and script it loads."""
    http = client or httpx.Client()
    html = http.get(base_url + path).text
    sizes = {path: len(html.encode())}
    for asset in dict.fromkeys(ASSET.findall(html)):
        sizes[asset] = len(http.get(base_url + asset).content)
    return sizes
