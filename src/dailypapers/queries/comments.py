"""Reads behind discussions: a paper's thread as a tree, recent discussions, a member's notifications, the queue.

`thread` costs a fixed number of statements whatever the thread's size: the comments come in one query and the
tree is built here. Display nesting is capped at MAX_DEPTH: deeper replies are shown under their ancestor at the
cap, saying whom they answer, so a reply chain of any depth stays readable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from dailypapers.services.accounts import is_curator
from dailypapers.storage import Store
from dailypapers.storage import comments as store_comments
from dailypapers.storage import notifications as store_notifications
from dailypapers.storage.accounts import StoredAccount
from dailypapers.storage.comments import DiscussedPaper, StoredComment
from dailypapers.storage.notifications import StoredNotification
from dailypapers.storage.papers import paper_by_id
from dailypapers.storage.reports import OpenReport, open_reports

MAX_DEPTH = 6
Order = Literal["oldest", "newest"]


@dataclass
class Node:
    comment: StoredComment
    depth: int
    replying_to: str | None = None  # set when shown flattened under an ancestor (nesting deeper than MAX_DEPTH)
    children: list[Node] = field(default_factory=list)

    @property
    def shows_text(self) -> bool:
        return not (self.comment.deleted or self.comment.hidden)


@dataclass
class Thread:
    paper_id: str
    roots: list[Node]
    count: int  # visible comments
    locked: bool
    banned: bool  # the viewer may not comment


def thread(store: Store, paper_id: str, viewer: StoredAccount | None, order: Order = "oldest") -> Thread:
    with store.read() as conn:
        rows = store_comments.comments_of_paper(conn, paper_id)
        locked = store_comments.thread_lock_of(conn, paper_id) is not None
        banned = viewer is not None and store_comments.comment_ban_of(conn, viewer.id) is not None
    roots = build_tree(rows)
    if order == "newest":
        roots.reverse()
    count = sum(1 for c in rows if not (c.deleted or c.hidden))
    return Thread(paper_id, roots, count, locked, banned)


def build_tree(rows: list[StoredComment]) -> list[Node]:
    """Comments (oldest first) as a forest; replies stay oldest first under their parent."""
    nodes: dict[int, Node] = {}
    roots: list[Node] = []
    for comment in rows:
        parent = nodes.get(comment.parent_id) if comment.parent_id is not None else None
        if parent is None:
            node = Node(comment, 0)
            roots.append(node)
        elif parent.depth < MAX_DEPTH:
            node = Node(comment, parent.depth + 1)
            parent.children.append(node)
        else:  # too deep to indent further: shown beside its parent, under the ancestor at the cap
            holder = parent
            while holder.depth > MAX_DEPTH - 1:
                holder = nodes[holder.comment.parent_id]  # type: ignore[index]
            node = Node(comment, MAX_DEPTH, replying_to=parent.comment.author_username or "[deleted]")
            holder.children.append(node)
        nodes[comment.id] = node
    return roots


def comments_for_api(store: Store, paper_id: str) -> list[StoredComment] | None:
    """The whole thread, oldest first (the API blanks hidden and deleted text itself); None for an unknown paper."""
    with store.read() as conn:
        if paper_by_id(conn, paper_id) is None:
            return None
        return store_comments.comments_of_paper(conn, paper_id)


def comment(store: Store, comment_id: int) -> StoredComment | None:
    with store.read() as conn:
        return store_comments.comment_by_id(conn, comment_id)


def recent_comments(store: Store, limit: int = 50, paper_id: str | None = None) -> list[StoredComment]:
    with store.read() as conn:
        return store_comments.recent_comments(conn, limit, paper_id)


def recently_discussed(store: Store, limit: int = 50, offset: int = 0) -> list[DiscussedPaper]:
    with store.read() as conn:
        return store_comments.recently_discussed(conn, limit, offset)


def notifications_of(store: Store, account: StoredAccount, limit: int = 100) -> list[StoredNotification]:
    with store.read() as conn:
        return store_notifications.notifications_of(conn, account.id, limit)


def unread_notifications(store: Store, account: StoredAccount | None) -> int:
    if account is None:
        return 0
    with store.read() as conn:
        return store_notifications.unread_count(conn, account.id)


@dataclass
class ModerationQueue:
    reports: list[OpenReport]
    comments: dict[int, StoredComment]
    banned: list[str]


def moderation_queue(store: Store, viewer: StoredAccount) -> ModerationQueue | None:
    """Open reports with their comments and the banned members; None for anyone but curators and admins."""
    if not is_curator(viewer):
        return None
    with store.read() as conn:
        reports = open_reports(conn)
        found = store_comments.comments_by_ids(conn, [r.comment_id for r in reports])
        banned = store_comments.banned_usernames(conn)
    return ModerationQueue(reports, found, banned)
