"""Where a redirect may go: only paths of this site, whatever a `next` parameter or Referer header says.

Every redirect built from request data goes through `same_site_path` (or `back_to_referer`, which uses it), so
`//evil.example/x`, `/\\evil.example`, `https://evil.example` or a control character never reach a Location header.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request


def same_site_path(target: str | None, fallback: str = "/papers") -> str:
    """`target` if it is a path on this site, else `fallback`."""
    if not target or not target.startswith("/") or len(target) > 2000:
        return fallback
    if target.startswith(("//", "/\\")) or any(ord(ch) < 32 or ch == "\\" for ch in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target


def back_to_referer(request: Request, fallback: str) -> str:
    """The page a form was posted from, when the Referer is this site; else `fallback`."""
    referer = request.headers.get("referer")
    if not referer:
        return fallback
    parts = urlsplit(referer)
    if parts.netloc.lower() != request.headers.get("host", "").lower():
        return fallback
    return same_site_path(parts.path + (f"?{parts.query}" if parts.query else ""), fallback)
