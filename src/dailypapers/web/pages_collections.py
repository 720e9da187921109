"""Collection pages and their forms: create, edit, save from a card, add, remove, annotate and reorder.

Every form works without JavaScript (POST, then a redirect back to a same-site page); `static/collections.js`
sends the same forms with `Accept: application/json` and updates the page in place.
"""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from dailypapers.domain import InvalidArxivId, parse_arxiv_id
from dailypapers.queries import collections as cq
from dailypapers.queries.site import voted_ids
from dailypapers.services import collections as cs
from dailypapers.services.bibtex_import import MAX_BYTES, decode_upload, import_bibtex
from dailypapers.web.auth import CsrfForm, current_account, require_account
from dailypapers.web.context import config_of, render, store_of
from dailypapers.web.redirects import back_to_referer


def _fields(form: FormData) -> dict[str, str]:
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _paper_id(text: str) -> str:
    try:
        return parse_arxiv_id(text.strip()).id
    except InvalidArxivId as exc:
        raise HTTPException(400, str(exc)) from exc


def _done(request: Request, fallback: str, payload: dict[str, Any]) -> Response:
    if _wants_json(request):
        return JSONResponse(payload)
    return RedirectResponse(back_to_referer(request, fallback), status_code=303)


def collection_page(request: Request, slug: str) -> HTMLResponse:
    return _page(request, slug)


def _page(request: Request, slug: str, extra: dict[str, Any] | None = None, status: int = 200) -> HTMLResponse:
    viewer = current_account(request)
    store = store_of(request)
    view = cq.visible_collection(store, slug, viewer)
    if view is None:
        raise HTTPException(404, f"there is no collection {slug!r}")
    ids = [entry.paper.id for entry in view.entries]
    context = {
        "view": view,
        "collection": view.collection,
        "own": viewer is not None and viewer.id == view.collection.account_id,
        "voted": voted_ids(store, viewer, ids),
        **(extra or {}),
    }
    return render(request, "collection.html", context, status_code=status)


def import_upload(request: Request, slug: str, form: CsrfForm) -> Response:
    """A BibTeX upload (at most 10 MB) into the member's collection; the page shows what matched and what did not."""
    account = require_account(request)
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise HTTPException(400, "choose a BibTeX file to upload")
    data = upload.file.read(MAX_BYTES + 1)
    store, config = store_of(request), config_of(request)
    try:
        text = decode_upload(data)
        report = import_bibtex(store, config, account, slug, text)
    except cs.UnknownCollection as exc:
        raise HTTPException(404, str(exc)) from exc
    except cs.CollectionError as exc:
        return _page(request, slug, {"import_error": str(exc)}, status=400)
    return _page(request, slug, {"import_report": report})


def my_collections(request: Request) -> HTMLResponse:
    account = require_account(request)
    mine = cq.collections_of_member(store_of(request), account.username, account) or []
    return render(request, "collections.html", {"collections": mine})


def create(request: Request, raw: CsrfForm) -> Response:
    account = require_account(request)
    form = _fields(raw)
    try:
        made = cs.create_collection(
            store_of(request), account, form.get("title", ""), form.get("description"), form.get("private") == "1"
        )
    except cs.CollectionError as exc:
        mine = cq.collections_of_member(store_of(request), account.username, account) or []
        context = {"collections": mine, "error": str(exc), "title": form.get("title", "")}
        return render(request, "collections.html", context, status_code=400)
    return RedirectResponse(f"/collections/{made.slug}", status_code=303)


def edit(request: Request, slug: str, raw: CsrfForm) -> Response:
    account = require_account(request)
    form = _fields(raw)
    try:
        cs.update_collection(
            store_of(request), account, slug, form.get("title", ""), form.get("description"), form.get("private") == "1"
        )
    except cs.UnknownCollection as exc:
        raise HTTPException(404, str(exc)) from exc
    except cs.CollectionError as exc:
        raise HTTPException(400, str(exc)) from exc
    return RedirectResponse(f"/collections/{slug}", status_code=303)


def delete(request: Request, slug: str, form: CsrfForm) -> Response:
    account = require_account(request)
    try:
        cs.delete_collection(store_of(request), account, slug)
    except cs.UnknownCollection as exc:
        raise HTTPException(404, str(exc)) from exc
    except cs.CollectionError as exc:
        raise HTTPException(400, str(exc)) from exc
    return RedirectResponse("/collections", status_code=303)


def save(request: Request, raw: CsrfForm) -> Response:
    """The one-click save on every card: put the paper in (or take it out of) the member's reading list."""
    account = require_account(request)
    form = _fields(raw)
    paper_id = _paper_id(form.get("paper", ""))
    wanted = form.get("saved")
    want = None if wanted not in ("0", "1") else wanted == "1"
    try:
        saved = cs.set_saved(store_of(request), account, paper_id, want)
    except cs.UnknownItem as exc:
        raise HTTPException(404, str(exc)) from exc
    except cs.CollectionError as exc:
        raise HTTPException(400, str(exc)) from exc
    return _done(request, f"/papers/{paper_id}", {"paper": paper_id, "saved": saved})


def add_item(request: Request, slug: str, raw: CsrfForm) -> Response:
    account = require_account(request)
    form = _fields(raw)
    paper_id = _paper_id(form.get("paper", ""))
    try:
        added = cs.add_item(store_of(request), account, slug, paper_id, form.get("note"))
    except (cs.UnknownCollection, cs.UnknownItem) as exc:
        raise HTTPException(404, str(exc)) from exc
    except cs.CollectionError as exc:
        raise HTTPException(400, str(exc)) from exc
    payload = {"collection": slug, "paper": paper_id, "in": True, "added": added}
    return _done(request, f"/collections/{slug}", payload)


def remove_item(request: Request, slug: str, paper_id: str, form: CsrfForm) -> Response:
    account = require_account(request)
    paper_id = _paper_id(paper_id)
    try:
        cs.remove_item(store_of(request), account, slug, paper_id)
    except (cs.UnknownCollection, cs.UnknownItem) as exc:
        raise HTTPException(404, str(exc)) from exc
    return _done(request, f"/collections/{slug}", {"collection": slug, "paper": paper_id, "in": False})


def note_item(request: Request, slug: str, paper_id: str, raw: CsrfForm) -> Response:
    account = require_account(request)
    paper_id = _paper_id(paper_id)
    form = _fields(raw)
    try:
        cs.set_note(store_of(request), account, slug, paper_id, form.get("note", ""))
    except (cs.UnknownCollection, cs.UnknownItem) as exc:
        raise HTTPException(404, str(exc)) from exc
    except cs.CollectionError as exc:
        raise HTTPException(400, str(exc)) from exc
    payload = {"collection": slug, "paper": paper_id, "note": form.get("note", "").strip()}
    return _done(request, f"/collections/{slug}#item-{paper_id}", payload)


def move_item(request: Request, slug: str, paper_id: str, raw: CsrfForm) -> Response:
    """Move a paper: `position` (0 = first) or `direction` up / down by one."""
    account = require_account(request)
    paper_id = _paper_id(paper_id)
    form = _fields(raw)
    store = store_of(request)
    try:
        view = cq.visible_collection(store, slug, account)
        if view is None or view.collection.account_id != account.id:
            raise cs.UnknownCollection(f"you have no collection {slug!r}")
        order = [entry.item.paper_id for entry in view.entries]
        if paper_id not in order:
            raise cs.UnknownItem(f"paper {paper_id!r} is not in {slug!r}")
        target = _target(form, order.index(paper_id))
        where = cs.move_item(store, account, slug, paper_id, target)
    except (cs.UnknownCollection, cs.UnknownItem) as exc:
        raise HTTPException(404, str(exc)) from exc
    return _done(request, f"/collections/{slug}", {"collection": slug, "paper": paper_id, "position": where})


def _target(form: dict[str, str], current: int) -> int:
    direction = form.get("direction")
    if direction in ("up", "down"):
        return current - 1 if direction == "up" else current + 1
    text = form.get("position", "")
    if not text.strip().lstrip("-").isdigit():
        raise HTTPException(400, "say where to move it: direction=up|down or position=N")
    return int(text)
