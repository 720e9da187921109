"""Submitters' avatars and the site's favicon, drawn here: no external fetch (no Gravatar, no HF avatar CDN).

An avatar is an SVG of a name's initials on a colour derived from the name's SHA-256, so the same name always gets
the same picture, on any server, with nothing stored. It is drawn for any well-formed name (submitters imported
from Hugging Face have no account here); a malformed one is a 400. Responses are cacheable for a day with an ETag.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

from fastapi import HTTPException, Request
from fastapi.responses import FileResponse, Response

STATIC = Path(__file__).with_name("static")
# Account usernames (services/accounts) and Hugging Face user names both fit; dots allowed for the latter's sake.
AVATAR_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_PARTS = re.compile(r"[A-Za-z0-9]+")
CACHE = "public, max-age=86400"


def initials(name: str) -> str:
    """One or two letters: the first of the first two parts (`ada-lovelace` AL, `AdaLovelace` AL), else one."""
    parts = _PARTS.findall(re.sub(r"(?<=[a-z])(?=[A-Z])", "-", name))
    return "".join(part[0] for part in parts[:2]).upper() if parts else "?"


@lru_cache(maxsize=4096)
def avatar_svg(name: str) -> str:
    """The avatar of a well-formed name: initials in white on a dark enough colour of the name's own hue."""
    digest = hashlib.sha256(name.lower().encode()).digest()
    hue = int.from_bytes(digest[:2], "big") % 360
    saturation = 40 + digest[2] % 25  # 40-64 %
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" width="32" height="32">'
        f'<circle cx="16" cy="16" r="16" fill="hsl({hue} {saturation}% 34%)"/>'
        '<text x="16" y="21" text-anchor="middle" font-family="system-ui,sans-serif" font-size="14" '
        f'font-weight="600" fill="#fff">{initials(name)}</text></svg>'
    )


def avatar(request: Request, username: str) -> Response:
    """`/avatars/{username}.svg`: the generated avatar (400 for a name no account or submitter could have)."""
    if not AVATAR_NAME.fullmatch(username):
        raise HTTPException(400, "An avatar name is letters, digits, '.', '_' or '-' (at most 64), like ada-lovelace.")
    svg = avatar_svg(username)
    etag = '"' + hashlib.sha256(svg.encode()).hexdigest()[:16] + '"'
    headers = {"Cache-Control": CACHE, "ETag": etag}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(svg, media_type="image/svg+xml", headers=headers)


def favicon_ico() -> FileResponse:
    """`/favicon.ico`, which browsers and feed readers ask for whatever the page links (the page links the SVG)."""
    return FileResponse(STATIC / "favicon.ico", media_type="image/x-icon", headers={"Cache-Control": CACHE})
