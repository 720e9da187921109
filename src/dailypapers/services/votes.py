"""Upvotes: one per member and paper; the count shown is always derived from the vote rows, so it can't drift.

A toggle runs in one write transaction (SQLite serialises writers; PostgreSQL's unique key plus
ON CONFLICT DO NOTHING absorbs a racing duplicate), so a burst of clicks leaves at most one vote.
"""

from __future__ import annotations

from datetime import UTC, datetime

from dailypapers.services.profiles import refresh_profile
from dailypapers.storage import Store
from dailypapers.storage import papers as paper_store
from dailypapers.storage import votes as vote_store
from dailypapers.storage.accounts import StoredAccount


class UnknownPaper(LookupError):
    """Voting on a paper the store does not hold."""


def toggle_vote(store: Store, account: StoredAccount, paper_id: str, want: bool | None = None) -> tuple[bool, int]:
    """Flip the member's vote (or set it to `want`); returns (voted now, upvotes shown for the paper)."""
    with store.write() as conn:
        paper = paper_store.paper_rows_by_ids(conn, [paper_id]).get(paper_id)
        if paper is None:
            raise UnknownPaper(f"no paper {paper_id!r} here")
        if want is None:
            voted = not vote_store.delete_vote(conn, account.id, paper_id)
            if voted:
                vote_store.insert_vote(conn, account.id, paper_id, datetime.now(UTC))
        elif want:
            vote_store.insert_vote(conn, account.id, paper_id, datetime.now(UTC))
            voted = True
        else:
            vote_store.delete_vote(conn, account.id, paper_id)
            voted = False
        count = int(paper["imported_upvotes"] or 0) + vote_store.vote_count_of_paper(conn, paper_id)
        refresh_profile(conn, account.id)  # the member's For-you model follows the vote at once
    return voted, count
