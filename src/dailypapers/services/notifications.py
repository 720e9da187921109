"""Members' notifications: read state, the email choice (immediately / daily / off), and sending what is due.

Email goes through the delivery ledger (services/digests.py `deliver_claimed`), so each message is exactly-once:
"immediately" is one ledger row (account, 'notify', 'n{id}') per notification, sent by the next
`dailypapers notifications send` (run it from cron every few minutes) or `dailypapers daily`; "daily" is one row
(account, 'notify-daily', D) holding the unread notifications of the day before D. Notifications already read on
the site are not mailed. A permanent bounce turns the member's notification email off.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Connection

from dailypapers.config import Config
from dailypapers.digest import links, render
from dailypapers.digest.send import Mailer, MailerUnavailable, TemporaryFailure
from dailypapers.services.digests import deliver_claimed
from dailypapers.storage import Store
from dailypapers.storage import notifications as store_notifications
from dailypapers.storage.accounts import StoredAccount, account_by_id
from dailypapers.storage.deliveries import claim_account_delivery
from dailypapers.storage.notifications import StoredNotification

log = logging.getLogger(__name__)
CHOICES = ("immediately", "daily", "off")
DEFAULT_EMAIL = "daily"
IMMEDIATE_WINDOW = timedelta(days=2)  # older unmailed notifications are left to the site
BATCH = 500


def email_choice(store: Store, account: StoredAccount) -> str:
    with store.read() as conn:
        return store_notifications.email_choice_of(conn, account.id) or DEFAULT_EMAIL


def set_email_choice(store: Store, account: StoredAccount, choice: str) -> None:
    if choice not in CHOICES:
        raise ValueError(f"unknown notification email choice {choice!r} (use {', '.join(CHOICES)})")
    with store.write() as conn:
        store_notifications.save_email_choice(conn, account.id, choice, datetime.now(UTC))


def mark_all_read(store: Store, account: StoredAccount) -> int:
    with store.write() as conn:
        return store_notifications.mark_read(conn, account.id, datetime.now(UTC))


def unsubscribe_by_link(store: Store, config: Config, signed: str) -> StoredAccount:
    """Turn notification email off for the account in a signed link (links.InvalidLink when it is not valid)."""
    value = links.unsign(config, "notifications", signed)
    with store.write() as conn:
        account = account_by_id(conn, int(value)) if value.isdigit() else None
        if account is None:
            raise links.InvalidLink("this link is for an account that no longer exists")
        store_notifications.save_email_choice(conn, account.id, "off", datetime.now(UTC))
    return account


@dataclass
class NotifyReport:
    sent: int = 0
    bounced: int = 0
    failed: int = 0
    uncertain: int = 0
    skipped: int = 0  # claimed by another run meanwhile
    aborted: str | None = None

    @property
    def changed(self) -> bool:
        return bool(self.sent or self.bounced)

    def line(self) -> str:
        text = (
            f"notifications: sent {self.sent}, failed {self.failed}, bounced {self.bounced}, "
            f"uncertain {self.uncertain}, skipped {self.skipped}"
        )
        return text + (f" — stopped: {self.aborted}" if self.aborted else "")


def send_due_notifications(
    store: Store, config: Config, day: date | None = None, *, mailer: Mailer | None = None
) -> NotifyReport:
    """Mail every notification due: each unmailed one of members choosing "immediately", and for members choosing
    "daily" the batch of the day before `day` (default today, UTC). Safe to re-run: the ledger skips what went."""
    day = day or datetime.now(UTC).date()
    report = NotifyReport()
    own = mailer is None
    mailer = mailer or Mailer.from_config(config)
    try:
        now = datetime.now(UTC)
        while report.aborted is None:
            with store.read() as conn:
                due = store_notifications.due_immediately(conn, DEFAULT_EMAIL, now - IMMEDIATE_WINDOW, BATCH)
            if not due:
                break
            for note in due:
                if not _send(store, config, mailer, "notify", f"n{note.id}", note.recipient_id, [note], report):
                    break
            if len(due) < BATCH:
                break
        start = datetime.combine(day - timedelta(days=1), time(), UTC)
        with store.read() as conn:
            batches = store_notifications.daily_batches(
                conn, DEFAULT_EMAIL, start, start + timedelta(days=1), day.isoformat()
            )
        for recipient_id, notes in batches.items():
            if report.aborted or not _send(
                store, config, mailer, "notify-daily", day.isoformat(), recipient_id, notes, report
            ):
                break
    finally:
        if own:
            mailer.close()
    return report


def _send(
    store: Store,
    config: Config,
    mailer: Mailer,
    kind: str,
    period: str,
    account_id: int,
    notes: list[StoredNotification],
    report: NotifyReport,
) -> bool:
    """One message through the ledger; False when the run must stop (the server is unavailable)."""
    with store.read() as conn:
        recipient = store_notifications.mail_recipients(conn, [account_id]).get(account_id)
    if recipient is None:
        return True
    message = render.notification_message(config, recipient.username, recipient.email, account_id, kind, period, notes)

    def claim(conn: Connection, now: datetime) -> int | None:
        return claim_account_delivery(conn, account_id, kind, period, message.message_id, now)

    def bounced(conn: Connection, reason: str) -> None:
        store_notifications.save_email_choice(conn, account_id, "off", datetime.now(UTC), reason[:1000])

    try:
        outcome = deliver_claimed(store, config, mailer, message, claim, bounced)
    except MailerUnavailable as exc:
        report.failed += 1
        report.aborted = str(exc)
        return False
    except TemporaryFailure:
        report.failed += 1
        return True
    if outcome == "sent":
        report.sent += 1
    elif outcome == "bounced":
        report.bounced += 1
    elif outcome == "sending":
        report.uncertain += 1
    else:
        report.skipped += 1
    return True
