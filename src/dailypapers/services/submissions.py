"""Members putting papers on a day's list, and curators hiding them.

Members add to today's list (UTC); curators and admins to any past or present day. A paper the store lacks is
not fetched in the request: the submission waits in the fetch queue (services/fetches.py) and is listed when the
worker has stored the paper, so a submission always shows real metadata and never holds a request on arXiv.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from dailypapers.config import Config
from dailypapers.domain import InvalidArxivId, InvalidDay, checked_day, parse_arxiv_id
from dailypapers.services.accounts import is_curator
from dailypapers.services.fetches import request_fetch
from dailypapers.services.profiles import refresh_profile
from dailypapers.services.thumbnails import request_thumbnail
from dailypapers.storage import Store
from dailypapers.storage import listings as listing_store
from dailypapers.storage import papers as paper_store
from dailypapers.storage.accounts import StoredAccount
from dailypapers.storage.fetches import StoredFetch
from dailypapers.storage.listings import StoredListing

MAX_COMMENT = 1000


class SubmissionError(ValueError):
    """A submission that can't be accepted; the message is fit to show the member."""


class NotAllowed(PermissionError):
    """The account's role does not allow this."""


class FetchLimited(SubmissionError):
    """The member asked for too many fetches from arXiv lately (HTTP 429)."""


@dataclass
class Submitted:
    listing_id: int
    paper_id: str
    day: date
    title: str


@dataclass
class Queued:
    """A submission of a paper the store lacks: it is listed on `day` once the fetch queue has it."""

    fetch: StoredFetch
    day: date


def today() -> date:
    return datetime.now(UTC).date()


def submit_paper(
    store: Store,
    config: Config,
    account: StoredAccount,
    arxiv_text: str,
    day: date | None = None,
    comment: str | None = None,
    *,
    may_fetch: Callable[[], bool] | None = None,
) -> Submitted | Queued:
    """List a paper on a day; a paper the store lacks is queued for fetching (`may_fetch` rate-limits that)."""
    try:
        arxiv_id = parse_arxiv_id(arxiv_text).id
    except InvalidArxivId as exc:
        raise SubmissionError(str(exc)) from exc
    current = today()
    day = day or current
    if day != current and not is_curator(account):
        raise SubmissionError(f"Members submit to today's list ({current.isoformat()}); only curators pick a day.")
    try:
        checked_day(day)
    except InvalidDay as exc:
        raise SubmissionError(str(exc)) from exc
    if day > current + timedelta(days=1):  # one day of slack for time zones ahead of UTC
        raise SubmissionError(f"{day.isoformat()} is in the future: pick today or an earlier day.")
    comment = (comment or "").strip() or None
    if comment and len(comment) > MAX_COMMENT:
        raise SubmissionError(f"Your comment has {len(comment)} characters: please keep it to {MAX_COMMENT}.")
    with store.read() as conn:
        paper = paper_store.paper_by_id(conn, arxiv_id)
    if paper is None:
        if may_fetch is not None and not may_fetch():
            raise FetchLimited(
                "Many papers were fetched from arXiv just now: please wait a few minutes, then submit again."
            )
        entry = request_fetch(store, arxiv_id, account.id, submission=(account.id, day, comment))
        if entry.submit_account_id not in (None, account.id):  # one waiting submission per paper
            waiting = entry.submit_day.isoformat() if entry.submit_day else "its day"
            raise SubmissionError(
                f"{arxiv_id} is being fetched from arXiv for another member's submission to {waiting}'s list: "
                "it will be there shortly."
            )
        return Queued(entry, day)
    with store.write() as conn:
        listing_id = listing_store.insert_listing(
            conn,
            day=day,
            paper_id=arxiv_id,
            account_id=account.id,
            submitted_at=datetime.now(UTC),
            comment=comment,
        )
        if listing_id is not None:
            refresh_profile(conn, account.id)  # a submission is a positive signal of the For-you model
    if listing_id is None:
        raise SubmissionError(f"{arxiv_id} is already on the list of {day.isoformat()}: no need to submit it again.")
    request_thumbnail(store, config, arxiv_id)  # queued for the fetch worker: the member does not wait on arXiv
    return Submitted(listing_id, arxiv_id, day, paper.title)


def set_hidden(store: Store, account: StoredAccount, listing_id: int, hidden: bool = True) -> StoredListing:
    """Hide (or show again) a listing; only curators and admins may."""
    if not is_curator(account):
        raise NotAllowed("only curators may hide papers from a day's list")
    with store.write() as conn:
        listing = listing_store.listing_by_id(conn, listing_id)
        if listing is None:
            raise SubmissionError(f"no listing {listing_id}")
        listing_store.set_listing_hidden(conn, listing_id, hidden)
    listing.hidden = hidden
    return listing


def hide_listing(store: Store, account: StoredAccount, listing_id: int) -> StoredListing:
    return set_hidden(store, account, listing_id, True)
