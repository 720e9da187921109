"""Downloads of a collection or a search as BibTeX, RIS, CSV or JSONL, streamed as they are read."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Annotated

from fastapi import HTTPException, Query, Request
from fastapi.responses import StreamingResponse

from dailypapers.exports.formats import FORMATS, render
from dailypapers.queries.export import ExportRecord, collection_export, search_export
from dailypapers.services.collections import slugify
from dailypapers.web.auth import current_account
from dailypapers.web.context import config_of, store_of


def export(
    request: Request,
    fmt: str,
    collection: Annotated[str | None, Query(max_length=120)] = None,
    q: Annotated[str | None, Query(max_length=500)] = None,
    since: date | None = None,
) -> StreamingResponse:
    """`/export/{bibtex|ris|csv|jsonl}?collection=SLUG` or `?q=QUERY` (plus `since=YYYY-MM-DD`)."""
    from dailypapers.search.service import SearchError

    if fmt not in FORMATS:
        raise HTTPException(404, f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    if bool(collection) == bool(q and q.strip()):
        raise HTTPException(400, "say what to export: collection=SLUG or q=QUERY (one of them)")
    store = store_of(request)
    records: Iterator[ExportRecord] | None
    if collection:
        records = collection_export(store, collection, current_account(request), since)
        if records is None:
            raise HTTPException(404, f"there is no collection {collection!r}")
        name = collection
    else:
        assert q is not None
        try:
            records = search_export(store, config_of(request), q.strip(), since)
        except SearchError as exc:
            raise HTTPException(400, str(exc)) from exc
        name = f"search-{slugify(q, 40) or 'results'}"
    media_type, extension = FORMATS[fmt]
    headers = {"Content-Disposition": f'attachment; filename="{name}.{extension}"'}
    return StreamingResponse(render(fmt, records), media_type=media_type, headers=headers)
