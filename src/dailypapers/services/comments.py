"""Posting, editing, deleting and reporting comments: every change to a discussion, for pages, API and CLI.

Each function checks who may do it (bans, locks, authorship) inside the transaction that writes, renders the text
once (markup.render_comment, cached in `comments.html`), and records the notifications the comment causes in the
same transaction, so a comment never exists without them. Rate limits are the caller's (web: the "comment"
limiter), since they are about requests, not data.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection

from dailypapers.markup import mentioned_names, render_comment
from dailypapers.services.accounts import is_curator
from dailypapers.storage import Store
from dailypapers.storage import comments as store_comments
from dailypapers.storage.accounts import StoredAccount
from dailypapers.storage.comments import StoredComment
from dailypapers.storage.notifications import insert_notifications, submitter_ids_of
from dailypapers.storage.papers import paper_by_id
from dailypapers.storage.reports import insert_report

MAX_LENGTH = 10_000
MAX_MENTIONS = 20  # more @names than this in one comment notify nobody beyond the first 20


class CommentError(Exception):
    """Why a comment change was refused; `status` is the HTTP code the web layer answers with."""

    status = 400


class UnknownTarget(CommentError):
    status = 404


class NotAllowed(CommentError):
    status = 403


class ThreadLocked(CommentError):
    status = 423


def _text(text: str | None) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise CommentError("the comment is empty")
    if len(text) > MAX_LENGTH:
        raise CommentError(f"the comment is too long: {len(text):,} characters, at most {MAX_LENGTH:,}")
    return text


def _may_comment(conn: Connection, account: StoredAccount, paper_id: str) -> None:
    if store_comments.comment_ban_of(conn, account.id) is not None:
        raise NotAllowed("you may no longer comment on this site")
    if store_comments.thread_lock_of(conn, paper_id) is not None:
        raise ThreadLocked("this discussion is locked")


def _rendered(conn: Connection, text: str) -> tuple[str, dict[str, tuple[int, str]]]:
    names = sorted(mentioned_names(text))[:MAX_MENTIONS]
    known = store_comments.accounts_named(conn, set(names))
    return render_comment(text, {lower: name for lower, (_id, name) in known.items()}), known


def post_comment(
    store: Store, account: StoredAccount, paper_id: str, text: str | None, parent_id: int | None = None
) -> StoredComment:
    """A new comment (or reply) by `account`, with its notifications."""
    text = _text(text)
    now = datetime.now(UTC)
    with store.write() as conn:
        if paper_by_id(conn, paper_id) is None:
            raise UnknownTarget(f"there is no paper {paper_id!r} here")
        _may_comment(conn, account, paper_id)
        parent = None
        if parent_id is not None:
            parent = store_comments.comment_by_id(conn, parent_id)
            if parent is None or parent.paper_id != paper_id:
                raise CommentError(f"comment {parent_id} is not part of this paper's discussion")
            if parent.deleted or parent.hidden:
                raise CommentError(f"comment {parent_id} was removed and cannot be replied to")
        html, known = _rendered(conn, text)
        values = {
            "paper_id": paper_id,
            "account_id": account.id,
            "parent_id": parent_id,
            "raw": text,
            "html": html,
            "created_at": now,
            "updated_at": now,
            "edited": False,
            "deleted": False,
            "hidden": False,
        }
        comment_id = store_comments.insert_comment(conn, values)
        reasons: dict[int, str] = {}
        for recipient in submitter_ids_of(conn, paper_id):
            reasons[recipient] = "submitted"
        if parent is not None and parent.account_id is not None:
            reasons[parent.account_id] = "reply"
        for recipient, _name in known.values():
            reasons[recipient] = "mention"
        _notify(conn, comment_id, reasons, account.id, now)
        stored = store_comments.comment_by_id(conn, comment_id)
    assert stored is not None
    return stored


def _notify(conn: Connection, comment_id: int, reasons: dict[int, str], author_id: int, now: datetime) -> None:
    rows = [
        {"recipient_id": who, "kind": kind, "comment_id": comment_id, "created_at": now}
        for who, kind in reasons.items()
        if who != author_id
    ]
    insert_notifications(conn, rows)


def _own(conn: Connection, account: StoredAccount, comment_id: int, *, curators_too: bool) -> StoredComment:
    comment = store_comments.comment_by_id(conn, comment_id)
    if comment is None or comment.deleted:
        raise UnknownTarget(f"there is no comment {comment_id}")
    if comment.account_id != account.id and not (curators_too and is_curator(account)):
        raise NotAllowed("only its author can change this comment")
    return comment


def edit_comment(store: Store, account: StoredAccount, comment_id: int, text: str | None) -> StoredComment:
    """New text for the author's comment, marked edited; members newly mentioned are notified."""
    text = _text(text)
    now = datetime.now(UTC)
    with store.write() as conn:
        comment = _own(conn, account, comment_id, curators_too=False)
        _may_comment(conn, account, comment.paper_id)
        if comment.hidden:
            raise NotAllowed("a moderator hid this comment; it can no longer be edited")
        html, known = _rendered(conn, text)
        store_comments.update_comment(conn, comment_id, raw=text, html=html, edited=True, updated_at=now)
        _notify(conn, comment_id, {who: "mention" for who, _name in known.values()}, account.id, now)
        stored = store_comments.comment_by_id(conn, comment_id)
    assert stored is not None
    return stored


def delete_comment(store: Store, account: StoredAccount, comment_id: int) -> StoredComment:
    """The author (or a curator) deletes a comment: its text is wiped, a tombstone keeps the replies in place."""
    now = datetime.now(UTC)
    with store.write() as conn:
        _own(conn, account, comment_id, curators_too=True)
        store_comments.update_comment(conn, comment_id, raw="", html="", deleted=True, updated_at=now)
        stored = store_comments.comment_by_id(conn, comment_id)
    assert stored is not None
    return stored


def report_comment(store: Store, account: StoredAccount, comment_id: int, reason: str = "") -> bool:
    """Put a comment in the moderation queue; False when this member had reported it already."""
    with store.write() as conn:
        comment = store_comments.comment_by_id(conn, comment_id)
        if comment is None or comment.deleted:
            raise UnknownTarget(f"there is no comment {comment_id}")
        return insert_report(conn, comment_id, account.id, reason.strip()[:500], datetime.now(UTC))
