"""`GET /thumbnails/{id}.webp`: a paper's first-page thumbnail, a file of the data directory at a stable address.

The id must be a bare arXiv id (no version, nothing else), so no request can name a file outside the thumbnail
directory. Browsers keep the image for a week and then revalidate it with its ETag (size and time of the file,
which a new paper version changes)."""

from __future__ import annotations

from fastapi import HTTPException, Request
from fastapi.responses import FileResponse, Response

from dailypapers.queries.thumbnails import thumbnail_file
from dailypapers.web.context import config_of

CACHE = "public, max-age=604800"


def thumbnail(request: Request, paper_id: str) -> Response:
    path = thumbnail_file(config_of(request), paper_id)
    if path is None:
        raise HTTPException(404, f"no thumbnail of “{paper_id[:80]}” (thumbnails are at /thumbnails/2406.12345.webp)")
    stat = path.stat()
    etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
    headers = {"Cache-Control": CACHE, "ETag": etag}
    if etag in [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    return FileResponse(path, media_type="image/webp", headers=headers)
