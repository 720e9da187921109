"""/moderation for curators and admins: the queue of reported comments, hiding, thread locks and commenting bans.

Every action is a CSRF-checked POST calling services/moderation.py, which refuses anyone but curators (403).
"""

from __future__ import annotations

from fastapi import HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from dailypapers.queries.comments import moderation_queue
from dailypapers.services import moderation
from dailypapers.services.comments import CommentError
from dailypapers.web.auth import CsrfForm, require_account
from dailypapers.web.context import RowId, render, store_of
from dailypapers.web.pages_discussion import member_form, paper_id_of, refused


def queue(request: Request) -> Response:
    account = require_account(request)
    found = moderation_queue(store_of(request), account)
    if found is None:
        raise HTTPException(403, "only curators and admins moderate discussions")
    return render(request, "moderation.html", {"queue": found})


def _back(form: dict[str, str], fallback: str) -> RedirectResponse:
    target = form.get("next", "")
    ok = target.startswith("/") and not target.startswith("//")
    return RedirectResponse(target if ok else fallback, status_code=303)


def hide(request: Request, comment_id: RowId, raw: CsrfForm) -> Response:
    account, form = member_form(request, raw)
    try:
        paper_id = moderation.hide_comment(store_of(request), account, comment_id, form.get("hidden", "1") == "1")
    except CommentError as exc:
        raise refused(exc) from exc
    return _back(form, f"/papers/{paper_id}#comment-{comment_id}")


def dismiss(request: Request, comment_id: RowId, raw: CsrfForm) -> Response:
    account, form = member_form(request, raw)
    try:
        moderation.dismiss_reports(store_of(request), account, comment_id)
    except CommentError as exc:
        raise refused(exc) from exc
    return _back(form, "/moderation")


def lock(request: Request, arxiv_id: str, raw: CsrfForm) -> Response:
    account, form = member_form(request, raw)
    paper_id = paper_id_of(arxiv_id)
    try:
        moderation.lock_thread(store_of(request), account, paper_id, form.get("locked", "1") == "1")
    except CommentError as exc:
        raise refused(exc) from exc
    return _back(form, f"/papers/{paper_id}#discussion")


def ban(request: Request, raw: CsrfForm) -> Response:
    account, form = member_form(request, raw)
    try:
        moderation.ban_commenter(store_of(request), account, form.get("username", ""), form.get("banned", "1") == "1")
    except CommentError as exc:
        raise refused(exc) from exc
    return _back(form, "/moderation")
