"""Every change to a member's personal feed: not-interested marks, seed papers, settings, the private feed token,
deleting it all. Each signal change rebuilds the member's model in its own transaction (services/profiles.py).
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime

from sqlalchemy import Connection

from dailypapers.recommend.model import DEFAULT_DIAL
from dailypapers.services.profiles import refresh_profile
from dailypapers.services.votes import UnknownPaper
from dailypapers.storage import Store
from dailypapers.storage import recommendations as rec_store
from dailypapers.storage.accounts import StoredAccount
from dailypapers.storage.papers import paper_rows_by_ids
from dailypapers.storage.schema import not_interested, seed_papers

MAX_CATEGORIES = 30
MAX_SEEDS = 200
_CATEGORY = re.compile(r"^[a-z][a-z-]*(\.[A-Za-z][A-Za-z-]*)?$")


class RecommendationError(ValueError):
    """A setting or seed that can't be saved; the message is fit to show the member."""


def _known(conn: Connection, paper_id: str) -> None:
    if paper_id not in paper_rows_by_ids(conn, [paper_id]):
        raise UnknownPaper(f"no paper {paper_id!r} here")


def set_not_interested(store: Store, account: StoredAccount, paper_id: str, on: bool = True) -> None:
    """Mark (or unmark) a paper not interesting: hidden from the member's lists, similar papers demoted."""
    with store.write() as conn:
        _known(conn, paper_id)
        if on:
            rec_store.insert_mark(conn, not_interested, account.id, paper_id, datetime.now(UTC))
        else:
            rec_store.delete_mark(conn, not_interested, account.id, paper_id)
        refresh_profile(conn, account.id)


def add_seed(store: Store, account: StoredAccount, paper_id: str) -> None:
    """Add "a paper I like" to the member's positives."""
    with store.write() as conn:
        _known(conn, paper_id)
        if len(rec_store.marks_of(conn, seed_papers, account.id)) >= MAX_SEEDS:
            raise RecommendationError(f"at most {MAX_SEEDS} seed papers: remove some first")
        rec_store.insert_mark(conn, seed_papers, account.id, paper_id, datetime.now(UTC))
        refresh_profile(conn, account.id)


def remove_seed(store: Store, account: StoredAccount, paper_id: str) -> bool:
    with store.write() as conn:
        removed = rec_store.delete_mark(conn, seed_papers, account.id, paper_id)
        refresh_profile(conn, account.id)
    return removed


def parse_categories(text: str) -> list[str]:
    """Categories typed as "cs.CL, cs.LG" (commas or spaces); a bad one is a RecommendationError naming it."""
    chosen = list(dict.fromkeys(c for c in re.split(r"[\s,]+", text or "") if c))
    for category in chosen:
        if not _CATEGORY.match(category) or len(category) > 32:
            raise RecommendationError(f"{category!r} is not an arXiv category (like cs.CL or math.PR)")
    if len(chosen) > MAX_CATEGORIES:
        raise RecommendationError(f"choose at most {MAX_CATEGORIES} categories")
    return chosen


def save_settings(
    store: Store, account: StoredAccount, *, dial: float | None = None, categories: list[str] | None = None
) -> None:
    """The blend dial (0 = only your model … 1 = only trending) and the cold start's categories."""
    values: dict[str, object] = {"updated_at": datetime.now(UTC)}
    if dial is not None:
        if not 0.0 <= dial <= 1.0:
            raise RecommendationError("the dial goes from 0 (only your model) to 1 (only trending)")
        values["dial"] = float(dial)
    if categories is not None:
        values["categories"] = categories
    with store.write() as conn:
        rec_store.ensure_profile(conn, account.id, datetime.now(UTC), DEFAULT_DIAL)
        rec_store.update_profile(conn, account.id, **values)


def new_feed_token(store: Store, account: StoredAccount) -> str:
    """A new secret for the member's private Atom feed; the old address stops working. Returned once, stored hashed."""
    token = secrets.token_urlsafe(24)
    with store.write() as conn:
        rec_store.ensure_profile(conn, account.id, datetime.now(UTC), DEFAULT_DIAL)
        rec_store.update_profile(conn, account.id, feed_token_hash=rec_store.token_digest(token))
    return token


def revoke_feed_token(store: Store, account: StoredAccount) -> None:
    with store.write() as conn:
        rec_store.update_profile(conn, account.id, feed_token_hash=None)


def delete_personal_data(store: Store, account: StoredAccount) -> None:
    """Forget the member's seeds, not-interested marks, settings, model and feed token (upvotes and submissions are
    public acts on the site and stay; withdrawing one removes it from the model too)."""
    with store.write() as conn:
        rec_store.delete_personal_data(conn, account.id)
