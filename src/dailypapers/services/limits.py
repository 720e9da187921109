"""Rate limits and sign-in backoff, counted in the store so every worker process shares one count.

Each named limit is one row of `LIMITS`: the COUNT/SECONDS setting it reads and what it is counted per (the
client's IP address, the signed-in account, or the whole site). Adding a limit is adding a row;
`docs/security.md` lists them.

Failed sign-ins are also counted per account name: after DAILYPAPERS_SIGNIN_FREE_FAILURES failures, sign-in to
that name is locked for DAILYPAPERS_SIGNIN_BACKOFF seconds, doubling with every further failure up to
DAILYPAPERS_SIGNIN_BACKOFF_MAX. While it is locked the password is not even checked: the right password is
refused too, so guessing from many addresses gains nothing. A success clears the count.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from dailypapers.config import Config
from dailypapers.storage import Store
from dailypapers.storage import limits as limit_store

KeyKind = Literal["ip", "account", "site"]  # site: one count for the whole site (key "site")


@dataclass(frozen=True)
class Limit:
    setting: str  # a COUNT/SECONDS setting in config.SETTINGS
    per: KeyKind
    message: str  # shown with the 429


LIMITS: dict[str, Limit] = {
    "signin": Limit("DAILYPAPERS_LOGIN_RATE", "ip", "too many sign-in attempts from your address"),
    "signup": Limit("DAILYPAPERS_SIGNUP_RATE", "ip", "too many sign-ups from your address"),
    "subscribe": Limit("DAILYPAPERS_SUBSCRIBE_RATE", "ip", "too many subscription requests from your address"),
    "comment": Limit("DAILYPAPERS_COMMENT_RATE", "account", "too many comments: wait a little"),
    "fetch": Limit("DAILYPAPERS_FETCH_RATE", "account", "too many papers fetched from arXiv lately: wait a while"),
    "vote": Limit("DAILYPAPERS_VOTE_RATE", "account", "too many votes"),
    "thumbnail": Limit("DAILYPAPERS_THUMBNAIL_RATE", "site", "too many thumbnails asked of arXiv lately"),
}
CLEANUP_CHANCE = 0.01  # share of hits that also delete expired counters, so the table stays small
BACKOFF_FORGET = timedelta(days=1)  # failures older than this no longer count


@dataclass(frozen=True)
class Refused:
    """A limited action that must wait: why, and how many seconds until it may be tried again."""

    message: str
    retry_after: int


def hit(store: Store, config: Config, name: str, key: str, now: float | None = None) -> Refused | None:
    """Count one attempt of limit `name` for `key` ("ip:…" or "account:…"); a Refused when over the limit."""
    limit = LIMITS[name]
    count, seconds = config.rate(limit.setting)
    now = time.time() if now is None else now
    period = max(1, math.ceil(seconds))
    window = int(now // period) * period
    with store.write() as conn:
        used = limit_store.bumped_counter(conn, name, key, window, window + period)
        if random.random() < CLEANUP_CHANCE:
            limit_store.delete_expired_counters(conn, int(now))
    if used <= count:
        return None
    wait = window + period - now
    return Refused(f"{limit.message}: try again in {_wait_text(wait)}", _seconds(wait))


def sign_in_lock(store: Store, username: str, now: datetime | None = None) -> Refused | None:
    """A Refused while sign-in to this account name is locked after repeated failures."""
    now = now or datetime.now(UTC)
    with store.read() as conn:
        backoff = limit_store.backoff_for(conn, _name_key(username))
    if backoff is None or backoff.locked_until is None or backoff.locked_until <= now:
        return None
    wait = (backoff.locked_until - now).total_seconds()
    return Refused(
        f"too many failed sign-ins to this account: sign-in is locked for {_wait_text(wait)}, "
        "and until then even the right password is refused",
        _seconds(wait),
    )


def record_sign_in_failure(store: Store, config: Config, username: str, now: datetime | None = None) -> None:
    now = now or datetime.now(UTC)
    free = config.integer("DAILYPAPERS_SIGNIN_FREE_FAILURES")
    first, longest = config.number("DAILYPAPERS_SIGNIN_BACKOFF"), config.number("DAILYPAPERS_SIGNIN_BACKOFF_MAX")
    key = _name_key(username)
    with store.write() as conn:
        backoff = limit_store.backoff_for_update(conn, key)
        failures = 1 if backoff is None or now - backoff.last_failure_at > BACKOFF_FORGET else backoff.failures + 1
        locked_until = None
        if failures >= free:
            locked_until = now + timedelta(seconds=min(longest, first * 2 ** min(failures - free, 30)))
        limit_store.save_backoff(conn, limit_store.StoredBackoff(key, failures, now, locked_until))
        if random.random() < CLEANUP_CHANCE:
            limit_store.delete_stale_backoffs(conn, now - BACKOFF_FORGET)


def clear_sign_in_failures(store: Store, username: str) -> None:
    with store.write() as conn:
        limit_store.delete_backoff(conn, _name_key(username))


def _name_key(username: str) -> str:
    return (username or "").strip().lower()[:100]


def _seconds(wait: float) -> int:
    return max(1, math.ceil(wait))


def _wait_text(wait: float) -> str:
    seconds = _seconds(wait)
    if seconds < 120:
        return f"{seconds} seconds"
    return f"{math.ceil(seconds / 60)} minutes"
