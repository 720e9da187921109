"""Reads about subscriptions for the web pages and the CLI: who is subscribed, and which one a link is for."""

from __future__ import annotations

from dailypapers.config import Config
from dailypapers.digest import links
from dailypapers.storage import Store
from dailypapers.storage.subscriptions import (
    StoredSubscription,
    all_subscriptions,
    subscription_by_email,
    subscription_by_token,
    subscription_of_account,
)


def subscription_from_link(store: Store, config: Config, purpose: str, signed: str) -> StoredSubscription:
    """The subscription a signed link points at; InvalidLink when forged, expired or since deleted."""
    token = links.unsign(config, purpose, signed)
    with store.read() as conn:
        sub = subscription_by_token(conn, token)
    if sub is None:
        raise links.InvalidLink("this subscription no longer exists")
    return sub


def member_subscription(store: Store, account_id: int, email: str | None) -> StoredSubscription | None:
    """A member's subscription: the one linked to their account, else one for their address."""
    with store.read() as conn:
        sub = subscription_of_account(conn, account_id)
        if sub is None and email:
            sub = subscription_by_email(conn, email)
    return sub


def subscriber_list(store: Store) -> list[StoredSubscription]:
    with store.read() as conn:
        return all_subscriptions(conn)


def subscriber_by_email(store: Store, email: str) -> StoredSubscription | None:
    with store.read() as conn:
        return subscription_by_email(conn, email)
