"""Notifications: who hears of a comment, the page with its unread count, and email through the ledger (loopback
SMTP): immediately one message per notification, daily one batch, exactly once, one-click off, bounces."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dailypapers.cli.main import app as cli_app
from dailypapers.config import Config
from dailypapers.queries.comments import notifications_of, unread_notifications
from dailypapers.services import accounts
from dailypapers.services.comments import edit_comment, post_comment
from dailypapers.services.notifications import mark_all_read, send_due_notifications, set_email_choice
from dailypapers.services.submissions import submit_paper
from dailypapers.storage import Store
from dailypapers.storage.deliveries import delivery_status_counts
from dailypapers.testing.smtp import RecordingHandler, smtp_server
from helpers.digest import mail_config
from helpers.site import client_for, hf_days, load_days, sign_in, soup

PASSWORD = "correct horse battery"


@pytest.fixture
def paper_id(store: Store, shared: Path) -> str:
    days = hf_days(shared, 1)
    load_days(store, days)
    return str(days[0]["papers"][0]["paper"]["id"])


def member(store: Store, name: str, email: str | None = None) -> accounts.StoredAccount:
    return accounts.create_account(store, name, PASSWORD, email=email or f"{name}@example.org")


def test_mentions_replies_and_comments_on_submitted_papers_notify_once(
    store: Store, config: Config, paper_id: str, shared: Path
) -> None:
    ada, bob, cleo = member(store, "ada"), member(store, "bob"), member(store, "cleo")
    other = str(hf_days(shared, 1)[0]["papers"][1]["paper"]["id"])
    submit_paper(store, config, cleo, other)
    first = post_comment(store, ada, other, "Hello @bob and @ada")  # ada mentions herself: nothing
    post_comment(store, bob, other, "@ada replying and mentioning", first.id)
    kinds = {a.username: [(n.kind, n.comment_id) for n in notifications_of(store, a)] for a in (ada, bob, cleo)}
    assert [k for k, _ in kinds["bob"]] == ["mention"]
    assert [k for k, _ in kinds["ada"]] == ["mention"]  # a reply that mentions is one notification
    assert sorted(k for k, _ in kinds["cleo"]) == ["submitted", "submitted"]
    edit_comment(store, ada, first.id, "Hello @bob and @cleo")  # cleo already heard of it; bob too
    assert len(notifications_of(store, cleo)) == 2 and len(notifications_of(store, bob)) == 1
    assert unread_notifications(store, cleo) == 2
    mark_all_read(store, cleo)
    assert unread_notifications(store, cleo) == 0


def test_the_header_shows_the_unread_count_and_the_page_lists_them(store: Store, config: Config, paper_id: str) -> None:
    member(store, "bob")
    post_comment(store, member(store, "ada"), paper_id, "ping @bob")
    client = client_for(config, store)
    sign_in(client, "bob", PASSWORD)
    page = soup(client.get("/notifications").text)
    assert page.select_one(".unread-count").get_text() == "1"  # type: ignore[union-attr]
    item = page.select_one("ol.notifications li.unread")
    assert item is not None and "mentioned you" in item.get_text()
    token = page.select_one("input[name=csrf_token]")["value"]  # type: ignore[index]
    client.post("/notifications", data={"csrf_token": token, "action": "read"})
    assert soup(client.get("/notifications").text).select_one(".unread-count") is None
    bad = client.post("/notifications", data={"csrf_token": token, "action": "email", "email": "hourly"})
    assert bad.status_code == 400


def test_immediate_email_is_one_message_per_notification_sent_exactly_once(
    store: Store, config: Config, paper_id: str
) -> None:
    bob = member(store, "bob")
    set_email_choice(store, bob, "immediately")
    ada = member(store, "ada")
    post_comment(store, ada, paper_id, "ping @bob")
    post_comment(store, ada, paper_id, "again @bob <script>x</script>")
    with smtp_server() as (handler, url):
        mail = mail_config(config, url)
        first = send_due_notifications(store, mail)
        again = send_due_notifications(store, mail)
    assert first.sent == 2 and again.sent == 0
    messages = handler.to("bob@example.org")
    assert len(messages) == 2
    message = messages[0]
    assert "mentioned you" in str(message["Subject"])
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = str(message["List-Unsubscribe"]).strip("<>")
    assert "/notifications/unsubscribe/" in unsubscribe
    html = next(p for p in message.walk() if p.get_content_type() == "text/html").get_content()
    assert "<script>" not in html and f"/papers/{paper_id}#comment-" in html
    with store.read() as conn:
        assert delivery_status_counts(conn, "notify") == {"sent": 2}
    client = client_for(mail, store)
    path = unsubscribe.removeprefix(mail.site_url)
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 200  # one click, no session, no CSRF (RFC 8058)
    post_comment(store, ada, paper_id, "third @bob")
    with smtp_server() as (handler, url):
        assert send_due_notifications(store, mail_config(config, url)).sent == 0
    assert client.get("/notifications/unsubscribe/forged").status_code == 400


def test_daily_email_batches_the_previous_day_once_and_skips_what_was_read(
    store: Store, config: Config, paper_id: str
) -> None:
    bob, dora = member(store, "bob"), member(store, "dora")
    ada = member(store, "ada")
    for i in range(3):
        post_comment(store, ada, paper_id, f"note {i} for @bob and @dora")
    mark_all_read(store, dora)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date()
    with smtp_server() as (handler, url):
        mail = mail_config(config, url)
        today = send_due_notifications(store, mail)  # daily members get nothing on the day itself
        assert today.sent == 0
        first = send_due_notifications(store, mail, tomorrow)
        again = send_due_notifications(store, mail, tomorrow)
    assert first.sent == 1 and again.sent == 0
    (message,) = handler.to(bob.email or "")
    assert "3 notifications" in str(message["Subject"])
    assert handler.to(dora.email or "") == []


def test_a_bounce_turns_notification_email_off(store: Store, config: Config, paper_id: str) -> None:
    bob = member(store, "bob", "gone@example.org")
    set_email_choice(store, bob, "immediately")
    post_comment(store, member(store, "ada"), paper_id, "@bob one")
    with smtp_server(RecordingHandler(bounce={"gone@example.org"})) as (_handler, url):
        report = send_due_notifications(store, mail_config(config, url))
    assert report.bounced == 1
    from dailypapers.services.notifications import email_choice

    assert email_choice(store, bob) == "off"


def test_the_cli_sends_what_is_due(
    store: Store, config: Config, paper_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    bob = member(store, "bob")
    set_email_choice(store, bob, "immediately")
    post_comment(store, member(store, "ada"), paper_id, "@bob hello")
    with smtp_server() as (handler, url):
        for name, value in mail_config(config, url).values.items():
            monkeypatch.setenv(name, value)
        result = CliRunner().invoke(cli_app, ["notifications", "send"])
        assert result.exit_code == 0, result.output
        assert "sent 1" in result.output
        bad = CliRunner().invoke(cli_app, ["notifications", "send", "--date", "yesterday"])
        assert bad.exit_code != 0
    assert len(handler.to("bob@example.org")) == 1
