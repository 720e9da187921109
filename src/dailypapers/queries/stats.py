"""Store-wide counts for `dailypapers stats` and the health page."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from dailypapers.storage import Store
from dailypapers.storage import accounts as account_store
from dailypapers.storage import listings as listing_store
from dailypapers.storage import papers as paper_store
from dailypapers.storage import votes as vote_store


@dataclass
class StoreStats:
    papers: int
    days: int
    listings: int
    votes: int
    accounts: int
    first_day: str | None
    last_day: str | None
    first_published: str | None
    last_published: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def store_stats(store: Store) -> StoreStats:
    with store.read() as conn:
        days, first_day, last_day = listing_store.listing_day_stats(conn)
        first_pub, last_pub = paper_store.published_range(conn)
        return StoreStats(
            papers=paper_store.count_papers(conn),
            days=days,
            listings=listing_store.count_listings(conn),
            votes=vote_store.count_votes(conn),
            accounts=account_store.count_accounts(conn),
            first_day=first_day.isoformat() if first_day else None,
            last_day=last_day.isoformat() if last_day else None,
            first_published=first_pub.date().isoformat() if first_pub else None,
            last_published=last_pub.date().isoformat() if last_pub else None,
        )
