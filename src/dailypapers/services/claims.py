"""Authorship claims: a member claims to be one of a paper's authors; a curator approves or rejects the claim.

Approved claims put a badge beside the name on the paper and author pages and list the paper on the member's
profile. Without a claim, authors are only matched by name (see queries/authors.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

from dailypapers.services.accounts import is_curator
from dailypapers.services.profiles import refresh_profile
from dailypapers.storage import Store
from dailypapers.storage import claims as claim_store
from dailypapers.storage import papers as paper_store
from dailypapers.storage.accounts import StoredAccount
from dailypapers.storage.claims import StoredClaim

DECISIONS = {"approve": "approved", "reject": "rejected"}


class ClaimError(ValueError):
    """A claim that can't be made or decided; the message is fit to show the user."""


class NotCurator(PermissionError):
    """Only curators and admins decide claims."""


def claim_authorship(store: Store, account: StoredAccount, paper_id: str, author_name: str) -> StoredClaim:
    """Ask to be recorded as `author_name` on the paper (pending until a curator decides; asking again is a no-op
    once approved, and re-opens a rejected claim)."""
    with store.write() as conn:
        paper = paper_store.paper_rows_by_ids(conn, [paper_id]).get(paper_id)
        if paper is None:
            raise ClaimError(f"no paper {paper_id!r} here")
        if author_name not in paper["authors"]:
            raise ClaimError(f"{author_name!r} is not one of the authors of {paper_id}")
        existing = claim_store.claim_of(conn, account.id, paper_id)
        now = datetime.now(UTC)
        if existing is None:
            claim_store.insert_claim(conn, account.id, paper_id, author_name, now)
        elif existing.status != "approved" or existing.author_name != author_name:
            claim_store.renew_claim(conn, existing.id, author_name, now)
        found = claim_store.claim_of(conn, account.id, paper_id)
    assert found is not None
    return found


def decide_claim(store: Store, curator: StoredAccount, claim_id: int, decision: str) -> StoredClaim:
    if not is_curator(curator):
        raise NotCurator("only curators decide authorship claims")
    status = DECISIONS.get(decision)
    if status is None:
        raise ClaimError(f"decide with one of {', '.join(DECISIONS)}")
    with store.write() as conn:
        if claim_store.claim_by_id(conn, claim_id) is None:
            raise ClaimError(f"there is no claim {claim_id}")
        claim_store.decide_claim(conn, claim_id, status, curator.id, datetime.now(UTC))
        found = claim_store.claim_by_id(conn, claim_id)
        assert found is not None
        refresh_profile(conn, found.account_id)  # an approved claim is a For-you positive; a rejected one no longer
    return found
