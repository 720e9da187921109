"""Double opt-in, signed links, preferences and unsubscribing, with real emails over loopback SMTP."""

from __future__ import annotations

import pytest

from dailypapers.config import Config
from dailypapers.digest.links import InvalidLink, sign
from dailypapers.services.digests import send_due_digests
from dailypapers.services.subscriptions import (
    Preferences,
    SubscriptionError,
    confirm,
    subscribe,
    unsubscribe,
    update_preferences,
)
from dailypapers.storage import Store
from dailypapers.testing.smtp import smtp_server
from helpers.digest import TUESDAY_16, link_token, links_in, load_week, mail_config


def test_nothing_but_the_confirmation_is_sent_until_its_link_is_followed(store: Store, config: Config) -> None:
    load_week(store)
    with smtp_server() as (handler, url):
        mail = mail_config(config, url)
        result = subscribe(store, mail, "new@example.org")
        assert result.subscription.status == "pending" and result.confirmation == "sent"
        (confirmation,) = handler.to("new@example.org")
        assert "Confirm" in confirmation["Subject"] and confirmation["List-Unsubscribe-Post"]
        before = send_due_digests(store, mail, TUESDAY_16)
        assert before.due == 0 and handler.accepted == 1
        (link,) = [u for u in links_in(confirmation) if "/subscribe/confirm/" in u]
        assert confirm(store, mail, link_token(link)).status == "active"
        after = send_due_digests(store, mail, TUESDAY_16)
    assert after.sent == 1 and len(handler.to("new@example.org")) == 2


def test_subscribing_again_the_same_day_sends_no_second_confirmation(store: Store, config: Config) -> None:
    with smtp_server() as (handler, url):
        mail = mail_config(config, url)
        subscribe(store, mail, "twice@example.org")
        again = subscribe(store, mail, "twice@example.org")
    assert again.confirmation == "already-sent-today" and handler.accepted == 1


def test_a_confirmation_that_could_not_be_sent_goes_out_with_the_next_digest_run(store: Store, config: Config) -> None:
    down = mail_config(config, "smtp://127.0.0.1:9", DAILYPAPERS_MAIL_RETRIES="1")
    assert subscribe(store, down, "later@example.org").confirmation == "failed"
    with smtp_server() as (handler, url):
        report = send_due_digests(store, mail_config(config, url), TUESDAY_16)
    assert report.confirmations == 1 and "Confirm" in handler.to("later@example.org")[0]["Subject"]


def test_a_link_for_one_purpose_or_a_forged_one_is_refused(store: Store, config: Config) -> None:
    with smtp_server() as (_, url):
        mail = mail_config(config, url)
        sub = subscribe(store, mail, "careful@example.org").subscription
    with pytest.raises(InvalidLink):
        confirm(store, mail, sign(mail, "unsubscribe", sub.token))
    with pytest.raises(InvalidLink):
        unsubscribe(store, mail, sign(mail, "unsubscribe", sub.token)[:-2] + "xx")
    other_key = Config({**mail.values, "DAILYPAPERS_SECRET_KEY": "another-site"})
    with pytest.raises(InvalidLink):
        confirm(store, mail, sign(other_key, "confirm", sub.token))


def test_unsubscribing_takes_effect_before_the_next_run(store: Store, config: Config) -> None:
    load_week(store)
    with smtp_server() as (handler, url):
        mail = mail_config(config, url)
        sub = subscribe(store, mail, "leaving@example.org", confirmed=True).subscription
        gone = unsubscribe(store, mail, sign(mail, "unsubscribe", sub.token))
        again = unsubscribe(store, mail, sign(mail, "unsubscribe", sub.token))
        report = send_due_digests(store, mail, TUESDAY_16)
    assert gone.status == again.status == "unsubscribed" and report.due == 0 and handler.accepted == 0


def test_preferences_change_through_the_signed_link_and_bad_values_are_refused(store: Store, config: Config) -> None:
    with smtp_server() as (_, url):
        mail = mail_config(config, url)
        sub = subscribe(store, mail, "prefs@example.org", confirmed=True).subscription
    signed = sign(mail, "preferences", sub.token)
    wanted = Preferences(frequency="weekly", weekday=4, top_n=7, categories=["cs.CL", "cs.CL"], searches=["rlhf"])
    changed = update_preferences(store, mail, signed, wanted)
    assert (changed.frequency, changed.weekday, changed.top_n) == ("weekly", 4, 7)
    assert changed.categories == ["cs.CL"] and changed.searches == ["rlhf"]
    for bad in (Preferences(frequency="hourly"), Preferences(top_n=0), Preferences(categories=["not a category"])):
        with pytest.raises(SubscriptionError):
            update_preferences(store, mail, signed, bad)


@pytest.mark.parametrize("address", ["", "no-at-sign", "two@@example.org", "spaces in@example.org", "a@b"])
def test_an_invalid_address_is_refused_with_a_clear_message(store: Store, config: Config, address: str) -> None:
    with pytest.raises(SubscriptionError, match="not an email address"):
        subscribe(store, config, address)
