"""Members putting papers on a day's list, and curators hiding them.

Members add to today's list (UTC); curators and admins to any past or present day. A paper the store lacks is
fetched from the arXiv API first, through the ingest service, so a submission always shows real metadata.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from dailypapers.config import Config
from dailypapers.domain import IngestError, InvalidArxivId, PaperNotFound, parse_arxiv_id
from dailypapers.services.accounts import is_curator
from dailypapers.services.profiles import refresh_profile
from dailypapers.storage import Store
from dailypapers.storage import listings as listing_store
from dailypapers.storage import papers as paper_store
from dailypapers.storage.accounts import StoredAccount
from dailypapers.storage.listings import StoredListing

MAX_COMMENT = 1000


class SubmissionError(ValueError):
    """A submission that can't be accepted; the message is fit to show the member."""


class NotAllowed(PermissionError):
    """The account's role does not allow this."""


@dataclass
class Submitted:
    listing_id: int
    paper_id: str
    day: date
    title: str


def today() -> date:
    return datetime.now(UTC).date()


def submit_paper(
    store: Store,
    config: Config,
    account: StoredAccount,
    arxiv_text: str,
    day: date | None = None,
    comment: str | None = None,
) -> Submitted:
    try:
        arxiv_id = parse_arxiv_id(arxiv_text).id
    except InvalidArxivId as exc:
        raise SubmissionError(str(exc)) from exc
    current = today()
    day = day or current
    if day != current and not is_curator(account):
        raise SubmissionError(f"members submit to today's list ({current.isoformat()}); curators may pick a day")
    if day > current + timedelta(days=1):  # one day of slack for time zones ahead of UTC
        raise SubmissionError(f"{day.isoformat()} is in the future")
    comment = (comment or "").strip() or None
    if comment and len(comment) > MAX_COMMENT:
        raise SubmissionError(f"the comment is too long ({len(comment)} characters, at most {MAX_COMMENT})")
    paper = _paper_or_fetch(store, config, arxiv_id)
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
        raise SubmissionError(f"{arxiv_id} is already on the list of {day.isoformat()}")
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


def fetch_paper(store: Store, config: Config, arxiv_text: str) -> paper_store.StoredPaper:
    """The paper, fetched from the arXiv API into the store first if it is not there yet."""
    try:
        arxiv_id = parse_arxiv_id(arxiv_text).id
    except InvalidArxivId as exc:
        raise SubmissionError(str(exc)) from exc
    return _paper_or_fetch(store, config, arxiv_id)


def _paper_or_fetch(store: Store, config: Config, arxiv_id: str) -> paper_store.StoredPaper:
    with store.read() as conn:
        paper = paper_store.paper_by_id(conn, arxiv_id)
    if paper is not None:
        return paper
    from dailypapers.services.ingest import fetch_papers_by_id  # the live arXiv API lookup

    try:
        fetch_papers_by_id(store, config, [arxiv_id])
    except InvalidArxivId as exc:
        raise SubmissionError(str(exc)) from exc
    except PaperNotFound as exc:
        raise SubmissionError(f"arXiv has no paper {arxiv_id}") from exc
    except IngestError as exc:  # arXiv unreachable or answering nonsense: say so, don't fail with a 500
        raise SubmissionError(f"could not fetch {arxiv_id} from arXiv: {exc}") from exc
    with store.read() as conn:
        paper = paper_store.paper_by_id(conn, arxiv_id)
    if paper is None:
        raise SubmissionError(f"arXiv has no paper {arxiv_id}")
    return paper
