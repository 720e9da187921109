"""A store that refuses writes (read-only, full) answers 503 with a clear message, and /healthz says so.

Real stores made unwritable for real: SQLite with `PRAGMA query_only` / `max_page_count` on every connection of the
app's engine, PostgreSQL with `default_transaction_read_only` set on the database (testing/stores.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dailypapers.config import Config
from dailypapers.services.accounts import create_account, create_api_token
from dailypapers.storage import Store
from dailypapers.testing.stores import fill_sqlite, make_sqlite_read_only
from helpers.site import client_for, csrf_from, hf_days, load_days, sign_up, soup


@pytest.fixture
def days(store: Store, shared: Path) -> list[dict[str, Any]]:
    loaded = hf_days(shared, 1)
    load_days(store, loaded)
    return loaded


def make_read_only(client: TestClient, config: Config, request: pytest.FixtureRequest) -> None:
    app_store: Store = client.app.state.store  # type: ignore[attr-defined]
    if app_store.is_sqlite:
        make_sqlite_read_only(app_store)
    else:
        factory = request.getfixturevalue("postgres_factory")
        factory.set_read_only(config)
        app_store.engine.dispose()


def test_a_read_only_store_answers_writes_with_503_and_healthz_reports_it(
    config: Config, store: Store, days: list[dict[str, Any]], request: pytest.FixtureRequest
) -> None:
    paper_id = days[0]["papers"][0]["paper"]["id"]
    account = create_account(store, "ann", "correct horse battery")
    headers = {"Authorization": f"Bearer {create_api_token(store, account, 'tests')}"}
    with client_for(config) as client:
        assert client.get("/healthz").json() == {"status": "ok", "writable": True}
        sign_up(client, "ada")
        token = csrf_from(client, f"/papers/{paper_id}")
        make_read_only(client, config, request)
        assert client.get("/papers").status_code == 200, "reading still works"
        api = client.post(f"/api/papers/{paper_id}/upvote", headers=headers)
        assert api.status_code == 503 and "read-only" in api.json()["error"]
        health = client.get("/healthz")  # a failed write drops the probe's cached "ok"
        assert health.status_code == 503 and health.json()["writable"] is False
        assert "read-only" in health.json()["error"]
        page = client.post(f"/papers/{paper_id}/upvote", data={"csrf_token": token})
        assert page.status_code == 503 and page.headers["Retry-After"]
        message = soup(page.text).get_text(" ")
        assert "cannot save anything right now" in message and "read-only" in message


def test_a_full_sqlite_store_answers_writes_with_503_and_healthz_reports_it(
    config: Config, store: Store, days: list[dict[str, Any]]
) -> None:
    if not store.is_sqlite:
        pytest.skip("filling PostgreSQL's disk needs a small filesystem of its own; read-only is tested above")
    with client_for(config) as client:
        sign_up(client, "ada")
        token = csrf_from(client, "/u/ada")
        fill_sqlite(client.app.state.store)  # type: ignore[attr-defined]
        health = client.get("/healthz")
        assert health.status_code == 503 and "full" in health.json()["error"]
        answer = None
        for number in range(3000):  # each token takes a little room; soon one needs a page the file cannot add
            answer = client.post("/settings/tokens", data={"name": f"token {number} " + "x" * 80, "csrf_token": token})
            if answer.status_code != 200:
                break
        assert answer is not None and answer.status_code == 503
        assert "database or disk is full" in soup(answer.text).get_text(" ")
