"""What curators and admins do to discussions: hide a comment, lock a thread, stop a member from commenting, and
settle the reports in the moderation queue. Every function refuses non-curators (NotAllowed, a 403)."""

from __future__ import annotations

from datetime import UTC, datetime

from dailypapers.services.accounts import is_curator
from dailypapers.services.comments import NotAllowed, UnknownTarget
from dailypapers.storage import Store
from dailypapers.storage import comments as store_comments
from dailypapers.storage.accounts import StoredAccount, account_by_username
from dailypapers.storage.papers import paper_by_id
from dailypapers.storage.reports import resolve_reports


def _curator(account: StoredAccount) -> None:
    if not is_curator(account):
        raise NotAllowed("only curators and admins moderate discussions")


def hide_comment(store: Store, curator: StoredAccount, comment_id: int, hidden: bool = True) -> str:
    """Hide (or show again) a comment; its open reports are settled. Returns the comment's paper id."""
    _curator(curator)
    with store.write() as conn:
        comment = store_comments.comment_by_id(conn, comment_id)
        if comment is None:
            raise UnknownTarget(f"there is no comment {comment_id}")
        store_comments.update_comment(conn, comment_id, hidden=hidden, hidden_by=curator.id if hidden else None)
        resolve_reports(conn, comment_id, curator.id, datetime.now(UTC))
    return comment.paper_id


def dismiss_reports(store: Store, curator: StoredAccount, comment_id: int) -> None:
    """Leave the comment as it is and take it off the queue."""
    _curator(curator)
    with store.write() as conn:
        resolve_reports(conn, comment_id, curator.id, datetime.now(UTC))


def lock_thread(store: Store, curator: StoredAccount, paper_id: str, locked: bool = True) -> None:
    """Lock (or reopen) a paper's discussion: nobody can post, reply or edit there while it is locked."""
    _curator(curator)
    with store.write() as conn:
        if paper_by_id(conn, paper_id) is None:
            raise UnknownTarget(f"there is no paper {paper_id!r} here")
        if locked:
            store_comments.insert_thread_lock(conn, paper_id, curator.id, datetime.now(UTC))
        else:
            store_comments.delete_thread_lock(conn, paper_id)


def ban_commenter(store: Store, curator: StoredAccount, username: str, banned: bool = True) -> StoredAccount:
    """Stop a member from commenting (or allow them again); curators and admins cannot be banned."""
    _curator(curator)
    with store.write() as conn:
        member = account_by_username(conn, username.strip())
        if member is None:
            raise UnknownTarget(f"there is no member {username!r}")
        if banned and is_curator(member):
            raise NotAllowed("curators and admins cannot be banned from commenting")
        if banned:
            store_comments.insert_comment_ban(conn, member.id, curator.id, datetime.now(UTC))
        else:
            store_comments.delete_comment_ban(conn, member.id)
    return member
