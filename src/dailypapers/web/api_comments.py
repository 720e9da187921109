"""The discussion JSON API: list, post, edit and delete comments (bearer token for writes).

Errors are `{"error": …}`: 401 without a valid token, 400 for empty or over-long text or an unknown or foreign
parent, 403 for someone else's comment (curators may delete any), 404 for an unknown paper or comment, 423 on a
locked thread, 429 over the "comment" rate limit. Hidden and deleted comments are listed with empty text.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from dailypapers.queries.comments import comments_for_api
from dailypapers.services import comments as comment_service
from dailypapers.storage.comments import StoredComment
from dailypapers.web.api import Token, _require_token
from dailypapers.web.context import RowId, store_of
from dailypapers.web.pages_discussion import check_comment_rate, paper_id_of, refused


class NewComment(BaseModel):
    text: str = Field(description="Markdown with $…$ / $$…$$ LaTeX; at most 10,000 characters")
    parentId: int | None = Field(None, description="the comment this replies to (same paper)")


class CommentEdit(BaseModel):
    text: str


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def api_comment(comment: StoredComment) -> dict[str, Any]:
    gone = comment.deleted or comment.hidden
    return {
        "id": comment.id,
        "parentId": comment.parent_id,
        "author": {"user": comment.author_username, "fullname": comment.author_fullname},
        "createdAt": _iso(comment.created_at),
        "updatedAt": _iso(comment.updated_at),
        "raw": "" if gone else comment.raw,
        "html": "" if gone else comment.html,
        "hidden": comment.hidden,
        "deleted": comment.deleted,
        "edited": comment.edited,
    }


def list_comments(request: Request, paper_id: str) -> list[dict[str, Any]]:
    """Every comment of a paper, oldest first (`parentId` null for top-level comments)."""
    found = comments_for_api(store_of(request), paper_id_of(paper_id))
    if found is None:
        raise HTTPException(404, f"there is no paper {paper_id!r} here")
    return [api_comment(c) for c in found]


def post_comment(request: Request, paper_id: str, body: NewComment, credentials: Token) -> JSONResponse:
    """Comment on a paper (or reply with `parentId`) as the token's account; 201 with the comment."""
    account = _require_token(request, credentials)
    check_comment_rate(request, account)
    try:
        comment = comment_service.post_comment(
            store_of(request), account, paper_id_of(paper_id), body.text, body.parentId
        )
    except comment_service.CommentError as exc:
        raise refused(exc) from exc
    return JSONResponse(api_comment(comment), status_code=201)


def edit_comment(request: Request, comment_id: RowId, body: CommentEdit, credentials: Token) -> dict[str, Any]:
    """Replace the text of the token's account's comment (marked edited)."""
    account = _require_token(request, credentials)
    check_comment_rate(request, account)
    try:
        return api_comment(comment_service.edit_comment(store_of(request), account, comment_id, body.text))
    except comment_service.CommentError as exc:
        raise refused(exc) from exc


def delete_comment(request: Request, comment_id: RowId, credentials: Token) -> dict[str, Any]:
    """Delete the token's account's comment (curators: any comment); the tombstone keeps its replies."""
    account = _require_token(request, credentials)
    try:
        return api_comment(comment_service.delete_comment(store_of(request), account, comment_id))
    except comment_service.CommentError as exc:
        raise refused(exc) from exc
