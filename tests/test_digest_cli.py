"""`dailypapers subscribers …` and `dailypapers digest send`: admin commands, one-line errors, exit codes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dailypapers.cli import digest, subscribers
from dailypapers.cli.main import app
from dailypapers.config import Config
from dailypapers.storage import Store
from dailypapers.testing.smtp import RecordingHandler, smtp_server
from dailypapers.web import subscriptions
from dailypapers.web.routes import ROUTES
from helpers.digest import load_week, mail_config

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def mail_env(cli_env: Config, monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingHandler]:
    """The CLI's environment pointed at the test store and a loopback SMTP server."""
    with smtp_server() as (handler, url):
        for name, value in mail_config(cli_env, url).values.items():
            monkeypatch.setenv(name, value)
        yield handler


def test_admins_add_list_and_remove_subscribers(mail_env: RecordingHandler, store: Store) -> None:
    code, out, _ = run("subscribers", "add", "list@example.org", "--frequency", "weekly", "--confirmed")
    assert code == 0 and "active" in out
    code, out, _ = run("subscribers", "add", "optin@example.org")
    assert code == 0 and "pending" in out and "confirmation email sent" in out
    assert [r.message["To"] for r in mail_env.received] == ["optin@example.org"]
    code, out, _ = run("subscribers", "list", "--json")
    rows = {row["email"]: row for row in json.loads(out)}
    assert code == 0 and rows["list@example.org"]["frequency"] == "weekly"
    assert rows["list@example.org"]["status"] == "active" and rows["optin@example.org"]["status"] == "pending"
    code, out, _ = run("subscribers", "remove", "list@example.org")
    assert code == 0 and "removed" in out
    code, _, err = run("subscribers", "remove", "list@example.org")
    assert code == 1 and "no subscription for list@example.org" in err


def test_adding_an_address_whose_confirmation_bounces_prints_bounced_and_exits_1(
    cli_env: Config, monkeypatch: pytest.MonkeyPatch, store: Store
) -> None:
    with smtp_server(RecordingHandler(bounce={"gone@example.org"})) as (_, url):
        for name, value in mail_config(cli_env, url).values.items():
            monkeypatch.setenv(name, value)
        code, out, _ = run("subscribers", "add", "gone@example.org")
    assert code == 1 and out.startswith("gone@example.org: bounced (daily)") and "550" in out
    code, out, _ = run("subscribers", "list", "--json")
    assert [row["status"] for row in json.loads(out)] == ["bounced"]


def test_bad_input_gets_one_line_and_a_usage_exit_code(mail_env: RecordingHandler) -> None:
    for args in (
        ("subscribers", "add", "not-an-address"),
        ("subscribers", "add", "x@example.org", "--frequency", "hourly"),
        ("digest", "send", "--date", "26/11/2026"),
    ):
        code, _, err = run(*args)
        assert code == 2 and len(err.strip().splitlines()) == 1, args


def test_digest_send_dry_run_lists_then_a_real_run_sends_and_a_rerun_sends_nothing(
    mail_env: RecordingHandler, store: Store
) -> None:
    load_week(store)
    run("subscribers", "add", "cli@example.org", "--confirmed")
    code, out, _ = run("digest", "send", "--date", "2026-06-16", "--dry-run")
    assert code == 0 and "would send cli@example.org 2026-06-16" in out
    assert mail_env.accepted == 0
    code, out, _ = run("digest", "send", "--date", "2026-06-16", "--json")
    assert code == 0 and json.loads(out)["sent"] == 1
    code, out, _ = run("digest", "send", "--date", "2026-06-16", "--json")
    assert code == 0 and json.loads(out)["sent"] == 0 and json.loads(out)["already"] == 1
    assert mail_env.accepted == 1


def test_a_malformed_smtp_url_is_one_line(cli_env: Config, monkeypatch: pytest.MonkeyPatch, store: Store) -> None:
    monkeypatch.setenv("DAILYPAPERS_SMTP_URL", "mailto:someone")
    run("subscribers", "add", "a@example.org", "--confirmed")
    load_week(store)
    code, _, err = run("digest", "send", "--date", "2026-06-16")
    assert code == 1 and "DAILYPAPERS_SMTP_URL" in err and len(err.strip().splitlines()) == 1


def test_every_subscription_route_and_digest_command_is_documented() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "digests.md").read_text()
    routes = [r for r in ROUTES if r.handler.__module__ == subscriptions.__name__]
    assert len(routes) >= 10
    for route in routes:
        for method in route.methods:
            assert f"`{method} {route.path}`" in doc, f"{method} {route.path} missing from docs/digests.md"
    for group, module in (("subscribers", subscribers), ("digest", digest)):
        for command in module.app.registered_commands:
            assert f"`dailypapers {group} {command.name}" in doc, f"{group} {command.name} missing"
