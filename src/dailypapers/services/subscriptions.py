"""Subscribing to digests: double opt-in, confirmation, preferences, immediate unsubscribe, admin add/remove.

Nothing but the confirmation email goes to an address until its signed link is followed. Subscribing answers the
same whatever the address's state, so the form cannot be used to learn who is subscribed; and at most one
confirmation email per address and day is sent (the ledger's confirm row for that day), so it cannot be used to
flood someone's inbox either.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError

from dailypapers.config import Config
from dailypapers.digest import render
from dailypapers.digest.links import InvalidLink
from dailypapers.digest.send import Mailer, MailError
from dailypapers.queries.subscriptions import subscription_from_link
from dailypapers.services.digests import deliver
from dailypapers.storage import Store
from dailypapers.storage.accounts import StoredAccount
from dailypapers.storage.subscriptions import (
    StoredSubscription,
    delete_subscription,
    insert_subscription,
    replace_searches,
    subscription_by_email,
    subscription_by_id,
    update_subscription,
)

EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")
CATEGORY = re.compile(r"^[a-z-]+(?:\.[A-Za-z-]+)?$")
MAX_SEARCHES = 10


class SubscriptionError(ValueError):
    """Input a person has to correct; the message says how."""


@dataclass
class Preferences:
    """What a subscriber receives and when."""

    frequency: str = "daily"  # daily (Monday to Friday) | weekly
    weekday: int = 0  # for weekly: 0 = Monday … 6 = Sunday
    top_n: int = 10
    include_trending: bool = True
    include_searches: bool = True
    include_picks: bool = False
    categories: list[str] = field(default_factory=list)
    min_upvotes: int = 0
    searches: list[str] = field(default_factory=list)

    def validated(self) -> Preferences:
        if self.frequency not in ("daily", "weekly"):
            raise SubscriptionError("Choose a daily or a weekly digest.")
        if not 0 <= self.weekday <= 6:
            raise SubscriptionError("Choose a weekday from Monday to Sunday.")
        if not 1 <= self.top_n <= 50:
            raise SubscriptionError("A digest holds 1 to 50 papers.")
        if not 0 <= self.min_upvotes <= 100_000:
            raise SubscriptionError("The minimum upvotes must be between 0 and 100000.")
        categories = list(dict.fromkeys(c.strip() for c in self.categories if c.strip()))
        bad = [c for c in categories if not CATEGORY.match(c) or len(c) > 32]
        if bad:
            raise SubscriptionError(f"“{bad[0][:40]}” is not an arXiv category: use one like cs.LG.")
        searches = list(dict.fromkeys(" ".join(q.split()) for q in self.searches if q.strip()))
        if len(searches) > MAX_SEARCHES or any(len(q) > 200 for q in searches):
            raise SubscriptionError(f"Save at most {MAX_SEARCHES} searches, each up to 200 characters.")
        return Preferences(
            self.frequency,
            self.weekday,
            self.top_n,
            self.include_trending,
            self.include_searches,
            self.include_picks,
            categories,
            self.min_upvotes,
            searches,
        )

    def columns(self) -> dict[str, object]:
        data = dict(self.__dict__)
        data.pop("searches")
        return data


def normalize_email(text: str) -> str:
    email = text.strip()
    if len(email) > 320 or not EMAIL.match(email):
        raise SubscriptionError(f"“{text.strip()[:80]}” is not an email address: check it for typos.")
    local, domain = email.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


@dataclass
class SubscribeResult:
    subscription: StoredSubscription
    confirmation: str  # sent | failed (retried by the next `digest send`) | not-needed | already-sent-today


def subscribe(
    store: Store,
    config: Config,
    email: str,
    *,
    preferences: Preferences | None = None,
    account_id: int | None = None,
    requested_by: StoredAccount | None = None,
    confirmed: bool = False,
    mailer: Mailer | None = None,
) -> SubscribeResult:
    """Create or renew a subscription. Unless `confirmed` (admins importing a list), it stays pending and only
    a confirmation email is sent; an active subscription is left as it is.

    `account_id` links the subscription to an account outright (admins and other trusted callers). `requested_by`
    is the member signed in on the web form, whose claim to the address is unproven: their account is linked
    only when it is their own email; otherwise only by following the confirmation link mailed to the address
    (`confirm`), so nobody takes over someone else's subscription by typing its address."""
    address = normalize_email(email)
    if requested_by is not None and requested_by.email and _same_address(requested_by.email, address):
        account_id = requested_by.id
    claim = requested_by is not None and account_id is None
    prefs = (preferences or Preferences()).validated()
    now = datetime.now(UTC)
    try:
        fresh = _store_request(store, address, prefs, bool(preferences), account_id, confirmed, now)
    except IntegrityError:  # two requests for a new address raced (PostgreSQL): the row exists now, so update it
        fresh = _store_request(store, address, prefs, bool(preferences), account_id, confirmed, now)
    if fresh.status == "active":
        if claim and requested_by is not None and fresh.account_id != requested_by.id:
            # A member asking for an active address they have not proven: the link mailed there lets its owner
            # attach it to their account (at most one such email per address and day, like every confirmation).
            return SubscribeResult(fresh, send_confirmation(store, config, fresh, now, mailer))
        return SubscribeResult(fresh, "not-needed")
    return SubscribeResult(fresh, send_confirmation(store, config, fresh, now, mailer))


def _store_request(
    store: Store,
    address: str,
    prefs: Preferences,
    chosen: bool,
    account_id: int | None,
    confirmed: bool,
    now: datetime,
) -> StoredSubscription:
    """Insert the subscription, or renew one that is not active; an active one is left as it is."""
    status = "active" if confirmed else "pending"
    with store.write() as conn:
        sub = subscription_by_email(conn, address)
        if sub is None:
            sub_id = insert_subscription(
                conn,
                email=address,
                account_id=account_id,
                status=status,
                token=secrets.token_urlsafe(24),
                created_at=now,
                confirmed_at=now if confirmed else None,
                **prefs.columns(),
            )
            replace_searches(conn, sub_id, prefs.searches, now)
        elif sub.status != "active":
            sub_id = sub.id
            # A returning subscriber: earlier bounces and unsubscribes are reset by this fresh, explicit request.
            update_subscription(
                conn,
                sub_id,
                status=status,
                confirmed_at=now if confirmed else None,
                unsubscribed_at=None,
                bounce_reason=None,
                account_id=sub.account_id or account_id,
                **(prefs.columns() if chosen else {}),
            )
            if chosen:
                replace_searches(conn, sub_id, prefs.searches, now)
        else:
            sub_id = sub.id
            if account_id and not sub.account_id:
                update_subscription(conn, sub_id, account_id=account_id)
        fresh = subscription_by_id(conn, sub_id)
    assert fresh is not None
    return fresh


def send_confirmation(
    store: Store, config: Config, sub: StoredSubscription, now: datetime, mailer: Mailer | None = None
) -> str:
    period = now.date().isoformat()
    message = render.confirm_message(config, sub, period)
    own = mailer is None
    active = mailer or Mailer.from_config(config)
    try:
        outcome = deliver(store, config, active, sub, "confirm", period, message)
    except MailError:
        return "failed"
    finally:
        if own:
            active.close()
    return {"skipped": "already-sent-today"}.get(outcome, outcome)


def confirm(store: Store, config: Config, signed: str, *, account_id: int | None = None) -> StoredSubscription:
    """Follow a confirmation link: the subscription becomes active (again following it changes nothing).

    The link was mailed to the address, so following it proves control of it: `account_id` (the member signed in
    while following it) becomes the subscription's account, replacing any earlier one."""
    sub = subscription_from_link(store, config, "confirm", signed)
    if sub.status == "unsubscribed":
        raise InvalidLink("this subscription was cancelled; subscribe again to receive digests")
    changes: dict[str, object] = {}
    if sub.status in ("pending", "bounced"):
        changes.update(status="active", confirmed_at=datetime.now(UTC), bounce_reason=None)
    if account_id is not None and sub.account_id != account_id:
        changes["account_id"] = account_id
    if changes:
        with store.write() as conn:
            update_subscription(conn, sub.id, **changes)
    return _reload(store, sub.id)


def update_preferences(store: Store, config: Config, signed: str, preferences: Preferences) -> StoredSubscription:
    sub = subscription_from_link(store, config, "preferences", signed)
    return update_subscription_preferences(store, sub.id, preferences)


def update_subscription_preferences(store: Store, subscription_id: int, preferences: Preferences) -> StoredSubscription:
    prefs = preferences.validated()
    with store.write() as conn:
        update_subscription(conn, subscription_id, **prefs.columns())
        replace_searches(conn, subscription_id, prefs.searches, datetime.now(UTC))
    return _reload(store, subscription_id)


def unsubscribe(store: Store, config: Config, signed: str) -> StoredSubscription:
    """Takes effect at once: the next send run skips this address. Idempotent."""
    sub = subscription_from_link(store, config, "unsubscribe", signed)
    return unsubscribe_subscription(store, sub.id)


def unsubscribe_subscription(store: Store, subscription_id: int) -> StoredSubscription:
    with store.write() as conn:
        current = subscription_by_id(conn, subscription_id)
        if current is not None and current.status != "unsubscribed":
            update_subscription(conn, subscription_id, status="unsubscribed", unsubscribed_at=datetime.now(UTC))
    return _reload(store, subscription_id)


def remove_subscriber(store: Store, email: str) -> bool:
    """Admin removal: deletes the subscription, its saved searches and its ledger rows."""
    address = normalize_email(email)
    with store.write() as conn:
        sub = subscription_by_email(conn, address)
        return sub is not None and delete_subscription(conn, sub.id)


def _same_address(a: str, b: str) -> bool:
    try:
        return normalize_email(a).lower() == b.lower()
    except SubscriptionError:
        return False


def _reload(store: Store, subscription_id: int) -> StoredSubscription:
    with store.read() as conn:
        sub = subscription_by_id(conn, subscription_id)
    if sub is None:
        raise InvalidLink("this subscription no longer exists")
    return sub
