"""Rate limits live in the store: every worker counts against one limit, and failed sign-ins lock an account name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dailypapers.config import Config
from dailypapers.services import accounts, limits
from dailypapers.storage import Store
from helpers.site import client_for, csrf_from, soup


def _attempt(client: object, token: str, username: str, password: str) -> int:
    data = {"username": username, "password": password, "csrf_token": token}
    return client.post("/signin", data=data, follow_redirects=False).status_code  # type: ignore[attr-defined]


def test_two_workers_share_one_sign_in_limit(config: Config, store: Store) -> None:
    limited = Config({**config.values, "DAILYPAPERS_LOGIN_RATE": "4/3600"})
    # Two apps on one store are two server workers: before, each kept its own window (twice the limit).
    with client_for(limited) as first, client_for(limited) as second:
        tokens = {first: csrf_from(first, "/signin"), second: csrf_from(second, "/signin")}
        codes = [_attempt(c, tokens[c], f"nobody{i}", "wrong-pass") for i, c in enumerate([first, second] * 3)]
    assert codes == [400, 400, 400, 400, 429, 429]


def test_a_429_says_why_and_when_to_retry(config: Config, store: Store) -> None:
    limited = Config({**config.values, "DAILYPAPERS_LOGIN_RATE": "1/3600"})
    with client_for(limited) as client:
        token = csrf_from(client, "/signin")
        _attempt(client, token, "x", "wrong-pass")
        refused = client.post("/signin", data={"username": "x", "password": "wrong-pass", "csrf_token": token})
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 3600
    message = soup(refused.text).select_one("main p")
    assert message is not None and "too many sign-in attempts" in message.get_text()


def test_after_repeated_failures_even_the_right_password_is_refused_until_the_lock_ends(
    config: Config, store: Store
) -> None:
    accounts.create_account(store, "ada", "analytical engine")
    with client_for(config) as attacker, client_for(config) as ada:
        token = csrf_from(attacker, "/signin")
        failures = [_attempt(attacker, token, "ada", f"guess-{n}") for n in range(5)]
        assert failures == [400] * 5
        ada_token = csrf_from(ada, "/signin")
        locked = ada.post("/signin", data={"username": "ADA", "password": "analytical engine", "csrf_token": ada_token})
        assert locked.status_code == 429 and int(locked.headers["retry-after"]) >= 1
        assert "even the right password is refused" in locked.text
        assert _attempt(ada, ada_token, "grace", "whatever-1") == 400  # other names are not locked
    free = config.get("DAILYPAPERS_SIGNIN_FREE_FAILURES")
    assert free == 5
    later = datetime.now(UTC) + timedelta(seconds=config.get("DAILYPAPERS_SIGNIN_BACKOFF") + 1)
    assert limits.sign_in_lock(store, "ada", now=later) is None


def test_each_failure_past_the_free_ones_doubles_the_lock_up_to_the_maximum(config: Config, store: Store) -> None:
    start = datetime(2026, 6, 1, tzinfo=UTC)
    waits = []
    for n in range(12):
        limits.record_sign_in_failure(store, config, "ada", now=start + timedelta(seconds=n))
        lock = limits.sign_in_lock(store, "ada", now=start + timedelta(seconds=n))
        waits.append(lock.retry_after if lock else 0)
    assert waits[:4] == [0, 0, 0, 0]
    assert waits[4:9] == [30, 60, 120, 240, 480]
    assert waits[-1] == 3600
    limits.clear_sign_in_failures(store, "ada")
    assert limits.sign_in_lock(store, "ada", now=start + timedelta(seconds=12)) is None


def test_a_successful_sign_in_clears_the_failures(config: Config, store: Store) -> None:
    accounts.create_account(store, "ada", "analytical engine")
    with client_for(config) as client:
        token = csrf_from(client, "/signin")
        assert [_attempt(client, token, "ada", f"guess-{n}") for n in range(4)] == [400] * 4
        assert _attempt(client, token, "ada", "analytical engine") == 303
        client.cookies.clear()
        token = csrf_from(client, "/signin")
        assert [_attempt(client, token, "ada", f"guess-{n}") for n in range(4)] == [400] * 4  # counting anew


def test_api_votes_over_the_limit_get_a_json_429_with_retry_after(config: Config, store: Store) -> None:
    from dailypapers.domain import PaperRecord
    from dailypapers.services.imports import import_papers

    import_papers(store, [PaperRecord(id="2501.00001", title="T", abstract="A", authors=["X"])])
    account = accounts.create_account(store, "ada", "analytical engine")
    api_token = accounts.create_api_token(store, account)
    limited = Config({**config.values, "DAILYPAPERS_VOTE_RATE": "2/3600"})
    headers = {"Authorization": f"Bearer {api_token}"}
    with client_for(limited) as first, client_for(limited) as second:
        codes = [c.post("/api/papers/2501.00001/upvote", headers=headers).status_code for c in (first, second)]
        refused = first.post("/api/papers/2501.00001/upvote", headers=headers)
    assert codes == [200, 200] and refused.status_code == 429
    assert refused.json()["error"].startswith("too many votes") and int(refused.headers["retry-after"]) >= 1


def test_every_limit_names_a_documented_count_per_seconds_setting(config: Config) -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "security.md").read_text()
    for name, limit in limits.LIMITS.items():
        count, seconds = config.rate(limit.setting)
        assert count > 0 and seconds > 0
        assert f"`{name}`" in doc and f"`{limit.setting}`" in doc, name
