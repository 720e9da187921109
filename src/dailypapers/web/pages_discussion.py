"""The discussion forms of paper pages (post, reply, edit, delete, report) and the site-wide /discussions page.

Every POST checks CSRF first, then the "comment" rate limit for posts and edits, then calls services/comments.py;
a refusal is the service's status code (400, 403, 404, 423) with its message, a success a redirect to the comment's
permalink (`/papers/{id}#comment-{n}`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from dailypapers.domain import InvalidArxivId, parse_arxiv_id
from dailypapers.queries import comments as comment_queries
from dailypapers.services import comments as comment_service
from dailypapers.storage.accounts import StoredAccount
from dailypapers.web.auth import CsrfForm, enforce_limit, require_account
from dailypapers.web.context import RowId, render, store_of

DISCUSSIONS_PAGE = 50


def paper_id_of(arxiv_id: str) -> str:
    try:
        return parse_arxiv_id(arxiv_id).id
    except InvalidArxivId as exc:
        raise HTTPException(
            404, f"“{arxiv_id}” is not an arXiv id, so there is no paper here (arXiv ids look like 2406.12345)."
        ) from exc


def check_comment_rate(request: Request, account: StoredAccount) -> None:
    """The per-account posting limit (DAILYPAPERS_COMMENT_RATE), shared by the pages and the API."""
    enforce_limit(request, "comment", account)


def refused(exc: comment_service.CommentError) -> HTTPException:
    return HTTPException(exc.status, str(exc))


def permalink(paper_id: str, comment_id: RowId) -> RedirectResponse:
    return RedirectResponse(f"/papers/{paper_id}#comment-{comment_id}", status_code=303)


def member_form(request: Request, form: FormData) -> tuple[StoredAccount, dict[str, str]]:
    """The signed-in member and the text fields of a form that passed the CSRF and Origin checks (CsrfForm)."""
    account = require_account(request)
    return account, {k: v for k, v in form.items() if isinstance(v, str)}


def _parent(value: str | None) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        raise HTTPException(400, f"parent_id must be a comment number, not {value!r}")
    return int(value)


def post(request: Request, arxiv_id: str, raw: CsrfForm) -> Response:
    account, form = member_form(request, raw)
    paper_id = paper_id_of(arxiv_id)
    check_comment_rate(request, account)
    try:
        comment = comment_service.post_comment(
            store_of(request), account, paper_id, form.get("text"), _parent(form.get("parent_id"))
        )
    except comment_service.CommentError as exc:
        raise refused(exc) from exc
    return permalink(paper_id, comment.id)


def edit(request: Request, comment_id: RowId, raw: CsrfForm) -> Response:
    account, form = member_form(request, raw)
    check_comment_rate(request, account)
    try:
        comment = comment_service.edit_comment(store_of(request), account, comment_id, form.get("text"))
    except comment_service.CommentError as exc:
        raise refused(exc) from exc
    return permalink(comment.paper_id, comment.id)


def delete(request: Request, comment_id: RowId, raw: CsrfForm) -> Response:
    account, _form_values = member_form(request, raw)
    try:
        comment = comment_service.delete_comment(store_of(request), account, comment_id)
    except comment_service.CommentError as exc:
        raise refused(exc) from exc
    return permalink(comment.paper_id, comment.id)


def report(request: Request, comment_id: RowId, raw: CsrfForm) -> Response:
    account, form = member_form(request, raw)
    try:
        comment_service.report_comment(store_of(request), account, comment_id, form.get("reason", ""))
    except comment_service.CommentError as exc:
        raise refused(exc) from exc
    found = comment_queries.comment(store_of(request), comment_id)
    assert found is not None
    return permalink(found.paper_id, comment_id)


def discussions(request: Request, page: Annotated[int, Query(ge=1, le=10_000)] = 1) -> Response:
    """Papers by their latest comment, site-wide."""
    rows = comment_queries.recently_discussed(store_of(request), DISCUSSIONS_PAGE + 1, (page - 1) * DISCUSSIONS_PAGE)
    context = {
        "discussed": rows[:DISCUSSIONS_PAGE],
        "page": page,
        "more": len(rows) > DISCUSSIONS_PAGE,
        "latest": comment_queries.recent_comments(store_of(request), 20) if page == 1 else [],
    }
    return render(request, "discussions.html", context)
