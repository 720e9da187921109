"""Following authors, categories, collections and saved searches, and the private Atom feed of what one follows.

The feed's URL carries a random token (stored only as its SHA-256 digest, like API tokens); making a new one
revokes the old URL, and revoking leaves none.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime

from dailypapers.storage import Store
from dailypapers.storage import collections as collection_store
from dailypapers.storage import follows as follow_store
from dailypapers.storage.accounts import StoredAccount

KINDS = ("author", "category", "collection", "search")
MAX_TARGET = 300
MAX_FOLLOWS = 500
_CATEGORY = re.compile(r"^[a-z][a-z\-]*(\.[A-Za-z][A-Za-z\-]*)?$")


class FollowError(ValueError):
    """Something that can't be followed; the message is fit to show the user."""


def _check(store: Store, account: StoredAccount, kind: str, target: str) -> str:
    target = " ".join((target or "").split())
    if kind not in KINDS:
        raise FollowError(f"follow one of: {', '.join(KINDS)}")
    if not target or len(target) > MAX_TARGET:
        raise FollowError(f"say which {kind} to follow (at most {MAX_TARGET} characters)")
    if kind == "category" and not _CATEGORY.match(target):
        raise FollowError(f"{target!r} is not an arXiv category (e.g. cs.CL)")
    if kind == "collection":
        with store.read() as conn:
            found = collection_store.collection_by_slug(conn, target)
        if found is None or (found.private and found.account_id != account.id):
            raise FollowError(f"there is no collection {target!r}")
    return target


def set_following(store: Store, account: StoredAccount, kind: str, target: str, want: bool = True) -> bool:
    """Follow (or stop following) something; returns whether the member follows it now."""
    target = _check(store, account, kind, target)
    with store.write() as conn:
        if not want:
            follow_store.delete_follow(conn, account.id, kind, target)
            return False
        if len(follow_store.follows_of(conn, account.id)) >= MAX_FOLLOWS:
            raise FollowError(f"you follow {MAX_FOLLOWS} things already: unfollow some first")
        follow_store.insert_follow(conn, account.id, kind, target, datetime.now(UTC))
    return True


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_feed_token(store: Store, account: StoredAccount) -> str:
    """A new secret for the member's private feed URL (the old URL stops working); shown once."""
    token = secrets.token_urlsafe(24)
    with store.write() as conn:
        follow_store.replace_feed_token(conn, account.id, _digest(token), datetime.now(UTC))
    return token


def revoke_feed_token(store: Store, account: StoredAccount) -> bool:
    with store.write() as conn:
        return follow_store.delete_feed_token(conn, account.id)


def account_id_for_feed(store: Store, token: str) -> int | None:
    if not token or len(token) > 100:
        return None
    with store.read() as conn:
        return follow_store.account_id_for_feed_token(conn, _digest(token))
