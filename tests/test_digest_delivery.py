"""Exactly-once delivery through the ledger, against a real SMTP server on loopback that fails on cue."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime

import pytest

from dailypapers.config import Config
from dailypapers.digest.links import message_id
from dailypapers.services.digests import send_due_digests
from dailypapers.services.subscriptions import subscribe
from dailypapers.storage import Store
from dailypapers.storage.deliveries import claim_delivery, delivery_status_counts
from dailypapers.storage.subscriptions import subscription_by_email
from dailypapers.testing.smtp import RecordingHandler, free_port, smtp_server
from helpers.digest import TUESDAY_16, load_week, mail_config

ADDRESSES = [f"reader{i}@lab{i % 3}.example.edu" for i in range(8)]


def subscribe_all(store: Store, config: Config, addresses: list[str] = ADDRESSES) -> None:
    for address in addresses:
        subscribe(store, config, address, confirmed=True)


def delivered_counts(handler: RecordingHandler) -> Counter[str]:
    return Counter(r for received in handler.received for r in received.recipients)


def test_rerunning_the_same_day_sends_no_second_digest(store: Store, config: Config) -> None:
    load_week(store)
    with smtp_server() as (handler, url):
        mail = mail_config(config, url)
        subscribe_all(store, mail)
        first = send_due_digests(store, mail, TUESDAY_16)
        again = send_due_digests(store, mail, TUESDAY_16)
    assert first.sent == len(ADDRESSES) and first.due == len(ADDRESSES)
    assert again.sent == 0 and again.already == len(ADDRESSES)
    assert delivered_counts(handler) == Counter(ADDRESSES)


@pytest.mark.parametrize(
    "failure",
    [
        {"fail_after": 3, "fail_with": "451 4.3.0 queue full, try later"},
        {"fail_after": 3, "fail_with": "421 4.3.2 service shutting down"},
        {"drop_after": 3},
    ],
    ids=["451-on-data", "421-on-data", "connection-dropped"],
)
def test_a_server_failing_halfway_then_a_rerun_delivers_every_digest_exactly_once(
    store: Store, config: Config, failure: dict[str, object]
) -> None:
    load_week(store)
    handler = RecordingHandler(**failure)  # type: ignore[arg-type]
    with smtp_server(handler) as (_, url):
        mail = mail_config(config, url, DAILYPAPERS_MAIL_RETRIES="2")
        subscribe_all(store, mail)
        broken = send_due_digests(store, mail, TUESDAY_16)
        assert handler.accepted == 3 and broken.sent == 3
        assert broken.failed >= 1 and broken.sent + broken.failed <= len(ADDRESSES)
        handler.fail_after = handler.drop_after = None  # the server recovers
        rerun = send_due_digests(store, mail, TUESDAY_16)
    assert rerun.sent == len(ADDRESSES) - 3 and rerun.already == 3
    assert delivered_counts(handler) == Counter(ADDRESSES)
    with store.read() as conn:
        assert delivery_status_counts(conn, "digest", TUESDAY_16.isoformat()) == {"sent": len(ADDRESSES)}


def test_a_permanent_550_marks_the_address_bounced_and_it_is_never_mailed_again(store: Store, config: Config) -> None:
    load_week(store)
    gone = ADDRESSES[2]
    with smtp_server(RecordingHandler(bounce={gone})) as (handler, url):
        mail = mail_config(config, url)
        subscribe_all(store, mail)
        report = send_due_digests(store, mail, TUESDAY_16)
        later = send_due_digests(store, mail, TUESDAY_16.replace(day=17))
    assert report.bounced == 1 and report.sent == len(ADDRESSES) - 1
    assert later.due == len(ADDRESSES) - 1 and later.bounced == 0
    assert gone not in delivered_counts(handler)
    with store.read() as conn:
        sub = subscription_by_email(conn, gone)
    assert sub is not None and sub.status == "bounced" and sub.bounce_reason and "550" in sub.bounce_reason


def test_a_digest_left_sending_by_a_crash_is_not_resent_unless_the_operator_asks(store: Store, config: Config) -> None:
    load_week(store)
    with smtp_server() as (handler, url):
        mail = mail_config(config, url)
        subscribe_all(store, mail, ADDRESSES[:3])
        # A run that crashed after the server accepted the first digest but before the ledger said so.
        with store.write() as conn:
            sub = subscription_by_email(conn, ADDRESSES[0])
            assert sub is not None
            expected_id = message_id(mail, "digest", TUESDAY_16.isoformat(), sub.id)
            now = datetime.now(UTC)
            assert claim_delivery(conn, sub.id, "digest", TUESDAY_16.isoformat(), expected_id, now) is not None
        report = send_due_digests(store, mail, TUESDAY_16)
        assert report.uncertain == 1 and report.sent == 2
        assert ADDRESSES[0] not in delivered_counts(handler)
        forced = send_due_digests(store, mail, TUESDAY_16, resend_uncertain=True)
    assert forced.sent == 1 and forced.already == 2
    (resent,) = handler.to(ADDRESSES[0])
    assert resent["Message-ID"] == expected_id  # the same identity as the maybe-delivered one


def test_two_runs_at_the_same_time_never_send_the_same_digest_twice(store: Store, config: Config) -> None:
    load_week(store)
    addresses = [f"parallel{i}@example.org" for i in range(12)]
    with smtp_server() as (handler, url):
        mail = mail_config(config, url)
        subscribe_all(store, mail, addresses)
        reports = []
        threads = [
            threading.Thread(target=lambda: reports.append(send_due_digests(store, mail, TUESDAY_16))) for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert delivered_counts(handler) == Counter(addresses)
    assert sum(r.sent for r in reports) == len(addresses)


def test_with_the_smtp_server_down_the_run_stops_and_a_later_run_sends_everything(store: Store, config: Config) -> None:
    load_week(store)
    port = free_port()
    down = mail_config(config, f"smtp://127.0.0.1:{port}", DAILYPAPERS_MAIL_RETRIES="2")
    subscribe_all(store, down, ADDRESSES[:4])
    report = send_due_digests(store, down, TUESDAY_16)
    assert report.aborted and "cannot connect" in report.aborted and report.sent == 0
    assert report.failed == 1  # it stopped at the first, instead of hammering a dead server four times
    with smtp_server() as (handler, url):
        later = send_due_digests(store, mail_config(config, url), TUESDAY_16)
    assert later.sent == 4 and delivered_counts(handler) == Counter(ADDRESSES[:4])


def test_a_dry_run_sends_nothing_and_leaves_the_ledger_untouched(store: Store, config: Config) -> None:
    load_week(store)
    with smtp_server() as (handler, url):
        mail = mail_config(config, url)
        subscribe_all(store, mail, ADDRESSES[:3])
        report = send_due_digests(store, mail, TUESDAY_16, dry_run=True)
        assert handler.accepted == 0
        assert [p.email for p in report.planned] == ADDRESSES[:3] and all(p.papers for p in report.planned)
        with store.read() as conn:
            assert delivery_status_counts(conn, "digest") == {}
        real = send_due_digests(store, mail, TUESDAY_16)
    assert real.sent == 3


def test_sending_to_one_address_leaves_the_others_due(store: Store, config: Config) -> None:
    load_week(store)
    with smtp_server() as (handler, url):
        mail = mail_config(config, url)
        subscribe_all(store, mail, ADDRESSES[:3])
        one = send_due_digests(store, mail, TUESDAY_16, to=ADDRESSES[1].upper())
        rest = send_due_digests(store, mail, TUESDAY_16)
    assert one.sent == 1 and rest.sent == 2 and rest.already == 1
    assert delivered_counts(handler) == Counter(ADDRESSES[:3])
