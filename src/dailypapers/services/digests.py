"""Sending the digests due on a day, exactly once per (subscription, period), through the delivery ledger.

The ledger protocol for each message:
1. the row (subscription, kind, period) is claimed as 'sending' in one committed transaction before SMTP starts:
   inserted directly as 'sending' when new, else moved there from 'pending' or 'failed' by a conditional update,
   so two concurrent runs can never both claim it (with `resend_uncertain` it also takes 'sending' rows, which
   includes one another run is sending at that moment);
2. the message goes out with a Message-ID derived from (subscription, kind, period);
3. the outcome is committed: 'sent', 'failed' (temporary: the next run retries it), or 'bounced' (permanent:
   the address is marked and never mailed again).

A run after a crash or an outage therefore only sends rows that are not 'sent'. The one window left is a crash
(or lost connection) after the server accepted the message but before step 3: the row stays 'sending' and is NOT
resent by default, because the message may well have arrived — we prefer a rare missed digest to a duplicate.
`resend_uncertain=True` (CLI `--resend-uncertain`) sends those again, with the same Message-ID so clients that
de-duplicate by it show one message. SMTP offers no way to close this window entirely (a claim must be durable
before DATA, and the server's acceptance can be lost on the way back), so we keep it as small as one round trip.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import Connection

from dailypapers.config import Config
from dailypapers.digest import render
from dailypapers.digest.compose import Composer, period_for
from dailypapers.digest.search_adapter import ServiceSearch
from dailypapers.digest.send import Bounced, Mailer, MailerUnavailable, TemporaryFailure, UncertainDelivery
from dailypapers.storage import Store
from dailypapers.storage.deliveries import (
    CLAIMABLE,
    claim_delivery,
    deliveries_for_periods,
    ensure_delivery,
    settle_delivery,
    unsent_confirmations,
)
from dailypapers.storage.subscriptions import (
    StoredSubscription,
    active_subscriptions_after,
    subscription_by_id,
    update_subscription,
)

log = logging.getLogger(__name__)
BATCH = 500
DONE = ("sent", "empty", "bounced")


@dataclass
class Planned:
    """One digest a dry run would send."""

    email: str
    period: str
    papers: int


@dataclass
class SendReport:
    day: date
    dry_run: bool = False
    due: int = 0
    sent: int = 0
    already: int = 0  # delivered (or found empty) by an earlier run
    empty: int = 0
    failed: int = 0
    bounced: int = 0
    uncertain: int = 0  # left 'sending' by a crash: maybe delivered, not resent
    confirmations: int = 0
    planned: list[Planned] = field(default_factory=list)
    aborted: str | None = None

    @property
    def changed(self) -> bool:
        return bool(self.sent or self.bounced or self.confirmations)

    def line(self) -> str:
        text = (
            f"due {self.due}, sent {self.sent}, already delivered {self.already}, empty {self.empty}, "
            f"failed {self.failed}, bounced {self.bounced}, uncertain {self.uncertain}, "
            f"confirmations {self.confirmations}"
        )
        if self.dry_run:
            text += f", would send {len(self.planned)}"
        return text + (f" — stopped: {self.aborted}" if self.aborted else "")

    def as_dict(self) -> dict[str, object]:
        data = {k: v for k, v in self.__dict__.items() if k != "planned"}
        data["day"] = self.day.isoformat()
        data["planned"] = [p.__dict__ for p in self.planned]
        return data


def deliver(
    store: Store,
    config: Config,
    mailer: Mailer,
    sub: StoredSubscription,
    kind: str,
    period: str,
    message: render.OutgoingMail,
    *,
    claimable: tuple[str, ...] = CLAIMABLE,
) -> str:
    """Claim, send and settle one ledger row; returns the row's final status ('skipped' if not claimable)."""

    def claim(conn: Connection, now: datetime) -> int | None:
        return claim_delivery(conn, sub.id, kind, period, message.message_id, now, statuses=claimable)

    def bounced(conn: Connection, reason: str) -> None:
        update_subscription(conn, sub.id, status="bounced", bounce_reason=reason[:1000])

    return deliver_claimed(store, config, mailer, message, claim, bounced)


def deliver_claimed(
    store: Store,
    config: Config,
    mailer: Mailer,
    message: render.OutgoingMail,
    claim: Callable[[Connection, datetime], int | None],
    bounced: Callable[[Connection, str], None],
) -> str:
    """The ledger protocol for any recipient: `claim` takes the row (or returns None), `bounced` records a
    permanent failure on the recipient. Digests and notification email both go through here."""
    with store.write() as conn:
        row_id = claim(conn, datetime.now(UTC))
    if row_id is None:
        return "skipped"
    try:
        mailer.send(message.raw, message.recipient, render.envelope_sender(config))
    except Bounced as exc:
        with store.write() as conn:
            settle_delivery(conn, row_id, "bounced", error=str(exc))
            bounced(conn, str(exc))
        log.warning("bounced %s: %s", message.recipient, exc)
        return "bounced"
    except UncertainDelivery as exc:
        with store.write() as conn:
            settle_delivery(conn, row_id, "sending", error=str(exc))
        log.warning("uncertain delivery to %s (not retried): %s", message.recipient, exc)
        return "sending"
    except (TemporaryFailure, MailerUnavailable) as exc:
        with store.write() as conn:
            settle_delivery(conn, row_id, "failed", error=str(exc))
        raise
    with store.write() as conn:
        settle_delivery(conn, row_id, "sent", sent_at=datetime.now(UTC))
    return "sent"


def send_due_digests(
    store: Store,
    config: Config,
    day: date,
    dry_run: bool = False,
    to: str | None = None,
    *,
    mailer: Mailer | None = None,
    resend_uncertain: bool = False,
) -> SendReport:
    """Compose and send every digest due on `day` that the ledger does not already hold as delivered."""
    report = SendReport(day, dry_run)
    composer = Composer(store, config, ServiceSearch(store, config))
    own_mailer = mailer is None and not dry_run
    if own_mailer:
        mailer = Mailer.from_config(config)
    claimable = (*CLAIMABLE, "sending") if resend_uncertain else CLAIMABLE
    try:
        if not dry_run and to is None:
            assert mailer is not None
            _send_owed_confirmations(store, config, mailer, report)
        after = 0
        while report.aborted is None:
            with store.read() as conn:
                batch = active_subscriptions_after(conn, after, BATCH)
            if not batch:
                break
            after = batch[-1].id
            if to is not None:
                batch = [s for s in batch if s.email.lower() == to.lower()]
            _send_batch(store, config, composer, mailer, batch, day, report, claimable)
    finally:
        if own_mailer and mailer is not None:
            mailer.close()
    return report


def _send_batch(
    store: Store,
    config: Config,
    composer: Composer,
    mailer: Mailer | None,
    batch: list[StoredSubscription],
    day: date,
    report: SendReport,
    claimable: tuple[str, ...],
) -> None:
    due = [(s, p) for s in batch if (p := period_for(s.frequency, s.weekday, day)) is not None]
    with store.read() as conn:
        ledger = deliveries_for_periods(conn, "digest", [(s.id, p.key) for s, p in due])
    for sub, period in due:
        report.due += 1
        row = ledger.get((sub.id, period.key))
        if row is not None and row.status in DONE:
            report.already += 1
            continue
        if row is not None and row.status not in claimable:
            report.uncertain += 1
            continue
        digest = composer.compose(sub, period)
        if dry_run_or_empty(digest.is_empty, report, sub, period.key, digest.paper_count):
            if digest.is_empty and not report.dry_run:
                with store.write() as conn:
                    settle_delivery(conn, ensure_delivery(conn, sub.id, "digest", period.key, _now()).id, "empty")
            continue
        assert mailer is not None
        try:
            outcome = deliver(
                store,
                config,
                mailer,
                sub,
                "digest",
                period.key,
                render.digest_message(config, digest),
                claimable=claimable,
            )
        except MailerUnavailable as exc:
            report.failed += 1
            report.aborted = str(exc)
            return
        except TemporaryFailure:
            report.failed += 1
            continue
        _count(report, outcome)


def dry_run_or_empty(is_empty: bool, report: SendReport, sub: StoredSubscription, period: str, papers: int) -> bool:
    """Account for digests that are not sent: empty ones, and every one in a dry run. True when not sending."""
    if is_empty:
        report.empty += 1
        return True
    if report.dry_run:
        report.planned.append(Planned(sub.email, period, papers))
        return True
    return False


def _count(report: SendReport, outcome: str) -> None:
    if outcome == "sent":
        report.sent += 1
    elif outcome == "bounced":
        report.bounced += 1
    elif outcome == "sending":
        report.uncertain += 1
    else:
        report.already += 1


def _send_owed_confirmations(store: Store, config: Config, mailer: Mailer, report: SendReport) -> None:
    """Confirmation emails whose first try failed (e.g. SMTP was down when the person subscribed)."""
    with store.read() as conn:
        owed = unsent_confirmations(conn, 10_000)
    for row, _email in owed:
        if row.subscription_id is None:
            continue
        with store.read() as conn:
            sub = subscription_by_id(conn, row.subscription_id)
        if sub is None:
            continue
        try:
            outcome = deliver(
                store, config, mailer, sub, "confirm", row.period, render.confirm_message(config, sub, row.period)
            )
        except MailerUnavailable as exc:
            report.aborted = str(exc)
            return
        except TemporaryFailure:
            continue
        if outcome == "sent":
            report.confirmations += 1


def _now() -> datetime:
    return datetime.now(UTC)
