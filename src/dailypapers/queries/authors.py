"""Reads behind author pages and authorship badges.

An author is a name as written on arXiv: the page gathers the papers listing exactly that name (candidates from
the full-text index's author field, then an exact comparison), so two people with one name share a page and one
person writing their name two ways has two. Approved claims are the only link from a name to a member.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from dailypapers.storage import Store, fulltext
from dailypapers.storage import claims as claim_store
from dailypapers.storage import papers as paper_store
from dailypapers.storage.claims import StoredClaim
from dailypapers.storage.papers import StoredPaper

MAX_PAPERS = 2000  # candidates read per page; the page says when a name has more
SHOWN = 100


@dataclass
class AuthorView:
    name: str
    papers: list[StoredPaper]  # newest first, at most SHOWN
    total: int
    upvotes: int
    coauthors: list[tuple[str, int]]
    categories: list[tuple[str, int]]
    claimed_by: list[str] = field(default_factory=list)  # members whose claim to this name was approved
    capped: bool = False


def papers_by_author(store: Store, name: str, limit: int = MAX_PAPERS) -> list[StoredPaper]:
    """Papers listing exactly this author name, newest first."""
    with store.read() as conn:
        ids = store.text_index.filtered_ids(conn, fulltext.SearchFilters(authors=[name]), limit)
        found = paper_store.papers_by_ids(conn, ids)
    wanted = name.casefold()
    return [found[i] for i in ids if i in found and any(a.casefold() == wanted for a in found[i].authors)]


def author_view(store: Store, name: str) -> AuthorView | None:
    name = " ".join(name.split())
    papers = papers_by_author(store, name)
    if not papers:
        return None
    wanted = name.casefold()
    coauthors = Counter(a for p in papers for a in p.authors if a.casefold() != wanted)
    categories = Counter(c for p in papers for c in p.categories)
    with store.read() as conn:
        claims = claim_store.approved_claims_of_papers(conn, [p.id for p in papers])
    claimed = sorted({c.username for c in claims if c.author_name.casefold() == wanted})
    return AuthorView(
        name=next(a for a in papers[0].authors if a.casefold() == wanted),
        papers=papers[:SHOWN],
        total=len(papers),
        upvotes=sum(p.upvotes for p in papers),
        coauthors=coauthors.most_common(20),
        categories=categories.most_common(10),
        claimed_by=claimed,
        capped=len(papers) >= MAX_PAPERS,
    )


def claims_on_paper(store: Store, paper_id: str) -> dict[str, list[str]]:
    """Author name → members whose claim to it on this paper was approved (the badges on a paper page)."""
    with store.read() as conn:
        claims = claim_store.approved_claims_of_papers(conn, [paper_id])
    badges: dict[str, list[str]] = {}
    for claim in claims:
        badges.setdefault(claim.author_name, []).append(claim.username)
    return badges


def my_claim(store: Store, account_id: int | None, paper_id: str) -> StoredClaim | None:
    if account_id is None:
        return None
    with store.read() as conn:
        return claim_store.claim_of(conn, account_id, paper_id)


def claimed_papers(store: Store, account_id: int) -> list[StoredPaper]:
    """Papers the member is an approved author of, newest claim first (for the profile)."""
    with store.read() as conn:
        claims = claim_store.approved_claims_of_account(conn, account_id)
        found = paper_store.papers_by_ids(conn, [c.paper_id for c in claims])
    return [found[c.paper_id] for c in claims if c.paper_id in found]


def pending_claims(store: Store) -> list[StoredClaim]:
    with store.read() as conn:
        return claim_store.pending_claims(conn)
