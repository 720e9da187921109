"""Server-side sessions: sign-out, sign out everywhere, password changes and expiry really end a session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from typer.testing import CliRunner

from dailypapers.cli.main import app as cli_app
from dailypapers.config import Config
from dailypapers.services import accounts, sessions
from dailypapers.storage import Store
from helpers.site import client_for, csrf_from, sign_in, sign_up, soup


def signed_in_as(html: str) -> str | None:
    link = soup(html).select_one('nav.user a[href^="/u/"]')
    return link.get_text(strip=True) if link else None


def test_a_cookie_copied_before_sign_out_no_longer_signs_in(config: Config, store: Store) -> None:
    with client_for(config) as client:
        sign_up(client, "ada")
        copied = client.cookies.get("dp_session")
        token = csrf_from(client, "/papers")
        assert client.post("/signout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    with client_for(config) as thief:
        thief.cookies.set("dp_session", copied or "")
        assert signed_in_as(thief.get("/papers").text) is None
    account = accounts.account_named(store, "ada")
    assert account is not None and sessions.sessions_count(store, account.id) == 0


def test_sign_out_everywhere_ends_every_session_of_the_member(config: Config, store: Store) -> None:
    accounts.create_account(store, "ada", "analytical engine")
    with client_for(config) as laptop, client_for(config) as phone, client_for(config) as other:
        for browser in (laptop, phone):
            sign_in(browser, "ada", "analytical engine")
        sign_up(other, "grace")
        profile = soup(laptop.get("/u/ada").text)
        assert "signed in on 2 browsers" in profile.get_text()
        form = profile.select_one('form[action="/settings/signout-everywhere"] input[name=csrf_token]')
        assert form is not None
        done = laptop.post("/settings/signout-everywhere", data={"csrf_token": form["value"]}, follow_redirects=False)
        assert done.status_code == 303 and done.headers["location"] == "/signin"
        assert signed_in_as(laptop.get("/papers").text) is None
        assert signed_in_as(phone.get("/papers").text) is None
        assert signed_in_as(other.get("/papers").text) == "grace"  # another member's session is untouched


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(config: Config, store: Store) -> None:
    accounts.create_account(store, "ada", "analytical engine")
    with client_for(config) as laptop, client_for(config) as phone:
        sign_in(laptop, "ada", "analytical engine")
        sign_in(phone, "ada", "analytical engine")
        token = csrf_from(laptop, "/u/ada")
        wrong = laptop.post(
            "/settings/password",
            data={"csrf_token": token, "current_password": "nope nope", "new_password": "difference engine"},
        )
        assert wrong.status_code == 400 and "current password is wrong" in wrong.text
        assert signed_in_as(phone.get("/papers").text) == "ada"
        changed = laptop.post(
            "/settings/password",
            data={"csrf_token": token, "current_password": "analytical engine", "new_password": "difference engine"},
        )
        assert changed.status_code == 200 and "1 other session(s) ended" in changed.text
        assert signed_in_as(laptop.get("/papers").text) == "ada"
        assert signed_in_as(phone.get("/papers").text) is None
    assert accounts.authenticate(store, "ada", "difference engine") is not None


def test_an_admin_password_reset_ends_every_session(cli_env: Config, store: Store) -> None:
    accounts.create_account(store, "ada", "analytical engine")
    with client_for(cli_env) as browser:
        sign_in(browser, "ada", "analytical engine")
        result = CliRunner().invoke(cli_app, ["user", "set-password", "ada", "--password", "difference engine"])
        assert result.exit_code == 0, result.output
        assert "1 sign-in session(s) ended" in result.output
        assert signed_in_as(browser.get("/papers").text) is None


def test_an_idle_session_is_refused(config: Config, store: Store) -> None:
    idle_at_once = Config({**config.values, "DAILYPAPERS_SESSION_IDLE_HOURS": "0"})
    with client_for(idle_at_once) as client:
        sign_up(client, "ada")  # signs in, but a session idle for any time at all has expired
        assert signed_in_as(client.get("/papers").text) is None
    account = accounts.account_named(store, "ada")
    assert account is not None and sessions.sessions_count(store, account.id) == 0  # the refused row is deleted


def test_sessions_end_after_the_idle_time_and_after_the_absolute_lifetime(config: Config, store: Store) -> None:
    account = accounts.create_account(store, "ada", "analytical engine")
    start = datetime(2026, 6, 1, 12, tzinfo=UTC)
    idle = timedelta(hours=config.get("DAILYPAPERS_SESSION_IDLE_HOURS"))
    lifetime = timedelta(days=config.get("DAILYPAPERS_SESSION_MAX_DAYS"))
    used, _ = sessions.start_session(store, config, account, now=start)
    unused, _ = sessions.start_session(store, config, account, now=start)
    moment = start
    while moment + idle / 2 < start + lifetime:  # used every half idle period: alive until the absolute limit
        moment += idle / 2
        assert sessions.session_for(store, config, used, now=moment) is not None
    assert sessions.session_for(store, config, unused, now=start + idle) is None
    assert sessions.session_for(store, config, used, now=start + lifetime) is None
