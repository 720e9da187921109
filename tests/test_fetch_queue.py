"""The fetch queue: requests answer at once, a worker fetches from the replayed arXiv, paced through the store.

Every test runs on SQLite and PostgreSQL against the loopback replay server of recorded arXiv API replies; test
apps run no background thread unless a test turns it on, so each step of the queue is the test's own call.
"""

# ruff: noqa: F811  (pytest fixtures imported from ingest_support are parameters here)

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from dailypapers.cli.main import app as cli
from dailypapers.config import Config
from dailypapers.queries.fetches import fetch_status, queued_fetches
from dailypapers.services.accounts import create_account, create_api_token
from dailypapers.services.fetches import FetchWorker, request_fetch, run_due_fetches
from dailypapers.storage import Store, open_store
from dailypapers.testing.replay import Fault, ReplayServer
from helpers.ingest import replay  # noqa: F401  (fixture)
from helpers.site import client_for, csrf_from, hf_days, load_days, sign_up

API = "/api/query"
KNOWN = ["1605.08386", "1707.08567", "2104.12255"]  # recorded in shared/fixtures/arxiv-api


def queue_config(config: Config, arxiv: ReplayServer, **overrides: str) -> Config:
    values = {
        "DAILYPAPERS_ARXIV_API_URL": arxiv.url + API,
        "DAILYPAPERS_HTTP_DELAY": "0",
        "DAILYPAPERS_HTTP_BACKOFF": "0.01",
        "DAILYPAPERS_FETCH_WORKER": "0",
    }
    return Config({**config.values, **values, **overrides})


@pytest.fixture
def live(config: Config, replay: ReplayServer) -> Config:
    return queue_config(config, replay)


@pytest.fixture
def days(store: Store, shared: Path) -> list[dict[str, Any]]:
    loaded = hf_days(shared, 2)
    load_days(store, loaded)
    return loaded


def bearer(store: Store, username: str) -> dict[str, str]:
    account = create_account(store, username, "correct horse battery")
    return {"Authorization": f"Bearer {create_api_token(store, account, 'tests')}"}


def test_asking_again_for_a_paper_joins_its_one_queue_entry(store: Store) -> None:
    ada = create_account(store, "ada", "correct horse battery")
    first = request_fetch(store, "1605.08386", ada.id)
    again = request_fetch(store, "https://arxiv.org/abs/1605.08386v2", None)
    assert first.arxiv_id == again.arxiv_id == "1605.08386" and again.state == "queued"
    assert again.requested_by == ada.id, "the first request is kept"
    assert [e.arxiv_id for e in queued_fetches(store)] == ["1605.08386"]
    with pytest.raises(ValueError, match="not an arXiv id"):
        request_fetch(store, "javascript:alert(1)", ada.id)


def test_one_step_fetches_every_due_paper_in_one_request_and_settles_each(
    store: Store, live: Config, replay: ReplayServer
) -> None:
    for arxiv_id in [*KNOWN, "1707.99999"]:
        request_fetch(store, arxiv_id, None)
    run = run_due_fetches(store, live)
    assert sorted(run.done) == KNOWN and run.not_found == ["1707.99999"] and run.requests == 1
    assert len(replay.requests_to(API)) == 1 and len(replay.requests_to(API)[0].params["id_list"].split(",")) == 4
    assert fetch_status(store, "1707.99999").state == "not_found"  # type: ignore[union-attr]
    assert run_due_fetches(store, live).claimed == 0, "nothing is due any more"
    again = request_fetch(store, "1707.99999", None)
    assert again.state == "queued" and again.attempts == 0, "a not-found paper may be asked for again"


def test_a_503_puts_the_fetch_back_with_backoff_until_its_attempts_are_spent(
    store: Store, config: Config, replay: ReplayServer
) -> None:
    live = queue_config(config, replay, DAILYPAPERS_FETCH_ATTEMPTS="2", DAILYPAPERS_FETCH_BACKOFF="60")
    replay.fault(API, *[Fault.recorded_503(retry_after="0")] * 2)  # both tries of the first attempt
    request_fetch(store, "1605.08386", None)
    first = run_due_fetches(store, live)
    assert first.retrying == ["1605.08386"] and first.done == []
    entry = fetch_status(store, "1605.08386")
    assert entry is not None and entry.state == "queued" and entry.attempts == 1 and "503" in (entry.last_error or "")
    assert entry.next_attempt_at - entry.updated_at >= timedelta(seconds=60)
    assert run_due_fetches(store, live).claimed == 0, "not due before its backoff ends"
    assert run_due_fetches(store, live, now=entry.next_attempt_at).done == ["1605.08386"]
    assert len(replay.requests_to(API)) == 3

    replay.fault(API, *[Fault.recorded_503(retry_after="0")] * 4)
    request_fetch(store, "1707.08567", None)
    run_due_fetches(store, live)
    later = fetch_status(store, "1707.08567")
    assert later is not None
    gave_up = run_due_fetches(store, live, now=later.next_attempt_at)
    assert gave_up.failed == ["1707.08567"]
    failed = fetch_status(store, "1707.08567")
    assert failed is not None and failed.state == "failed" and "gave up after 2 attempts" in (failed.last_error or "")


def test_two_workers_with_their_own_stores_keep_one_request_per_delay_at_arxiv(
    config: Config, replay: ReplayServer
) -> None:
    delay = 2.0
    live = queue_config(config, replay, DAILYPAPERS_HTTP_DELAY=str(delay))
    stores = [open_store(live), open_store(live)]  # two engines, as two server processes would have
    try:
        for arxiv_id in KNOWN[:2]:
            request_fetch(stores[0], arxiv_id, None)
        start = threading.Barrier(2)
        runs: list[Any] = []

        def work(store: Store) -> None:
            start.wait()
            runs.append(run_due_fetches(store, live, batch=1))

        threads = [threading.Thread(target=work, args=(s,)) for s in stores]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        for store in stores:
            store.dispose()
    assert sorted(arxiv_id for r in runs for arxiv_id in r.done) == KNOWN[:2], "each worker claimed a different paper"
    seen = sorted(r.at for r in replay.requests_to(API))
    assert len(seen) == 2 and seen[1] - seen[0] >= delay * 0.9, f"requests {seen[1] - seen[0]:.2f} s apart at arXiv"


@pytest.fixture
def client(live: Config, store: Store, days: list[dict[str, Any]]) -> Iterator[TestClient]:
    with client_for(live) as c:
        yield c


def test_the_api_answers_202_with_the_queue_state_before_asking_arxiv(
    client: TestClient, store: Store, live: Config, replay: ReplayServer, days: list[dict[str, Any]]
) -> None:
    headers = bearer(store, "ann")
    known = days[0]["papers"][0]["paper"]["id"]
    assert client.post("/api/papers/submit", json={"id": known}, headers=headers).status_code == 201
    queued = client.post("/api/papers/submit", json={"id": "1707.08567", "comment": "neat"}, headers=headers)
    assert queued.status_code == 202 and replay.requests == [], "answered before any arXiv call"
    body = queued.json()
    assert body["id"] == "1707.08567" and body["state"] == "queued" and body["paper"] == "/papers/1707.08567"
    assert body["date"] and body["nextAttemptAt"].endswith("Z")
    assert client.get("/api/fetches/1707.08567").json()["state"] == "queued"
    assert client.get("/api/papers/1707.08567").status_code == 404
    assert client.post("/api/papers/submit", json={"id": "1605.08386"}).status_code == 401
    second = client.post("/api/papers/submit", json={"id": "1707.08567"}, headers=bearer(store, "bob"))
    assert second.status_code == 400 and "another member's submission" in second.json()["error"]
    run_due_fetches(store, live)
    assert client.get("/api/fetches/1707.08567").json()["state"] == "done"
    assert client.get("/api/papers/1707.08567").json()["id"] == "1707.08567"
    listed = client.get("/api/daily_papers", params={"submitter": "ann"}).json()
    assert "1707.08567" in {item["paper"]["id"] for item in listed}, "the queued submission is listed on arrival"
    missing = client.get("/api/fetches/1605.08386")
    assert missing.status_code == 404 and "nobody asked" in missing.json()["error"]


def test_fetching_needs_a_member_and_is_rate_limited_per_account(
    config: Config, store: Store, replay: ReplayServer, days: list[dict[str, Any]]
) -> None:
    live = queue_config(config, replay, DAILYPAPERS_FETCH_RATE="2/3600")
    with client_for(live) as client:
        token = csrf_from(client, "/signin")  # a visitor's session has a CSRF token too
        visitor = client.post("/papers/1605.08386/fetch", data={"csrf_token": token}, follow_redirects=False)
        assert visitor.status_code == 303 and visitor.headers["location"].startswith("/signin")
        assert fetch_status(store, "1605.08386") is None
        sign_up(client, "ada")
        token = csrf_from(client, "/papers/1605.08386")
        for arxiv_id in KNOWN[:2]:
            answer = client.post(f"/papers/{arxiv_id}/fetch", data={"csrf_token": token})
            assert answer.status_code == 200 and "being fetched from arXiv" in answer.text
        limited = client.post(f"/papers/{KNOWN[2]}/fetch", data={"csrf_token": token}, follow_redirects=False)
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
        headers = bearer(store, "bob")
        for arxiv_id, status in [(KNOWN[2], 202), ("2104.99999", 202), ("2104.99998", 429)]:
            answer = client.post("/api/papers/submit", json={"id": arxiv_id}, headers=headers)
            assert answer.status_code == status, answer.text
        assert replay.requests == []


def test_the_served_app_fetches_queued_papers_in_its_background_worker(
    config: Config, store: Store, replay: ReplayServer, days: list[dict[str, Any]]
) -> None:
    live = queue_config(config, replay, DAILYPAPERS_FETCH_WORKER="1", DAILYPAPERS_FETCH_POLL="0.2")
    headers = bearer(store, "ann")
    with client_for(live) as client:
        assert client.post("/api/papers/submit", json={"id": "1605.08386"}, headers=headers).status_code == 202
        deadline = time.monotonic() + 60
        while client.get("/api/fetches/1605.08386").json()["state"] != "done":
            assert time.monotonic() < deadline, "the worker never fetched the paper"
            time.sleep(0.1)
        assert client.get("/papers/1605.08386").status_code == 200


def test_of_two_workers_one_holds_the_lease_and_works_the_queue(
    config: Config, store: Store, replay: ReplayServer
) -> None:
    live = queue_config(config, replay)
    other = open_store(live)
    workers = [FetchWorker(store, live, poll=0.1).start(), FetchWorker(other, live, poll=0.1).start()]
    try:
        request_fetch(store, "1605.08386", None)
        deadline = time.monotonic() + 60
        while (entry := fetch_status(store, "1605.08386")) is None or entry.state != "done":
            assert time.monotonic() < deadline, "no worker fetched the paper"
            time.sleep(0.1)
    finally:
        for worker in workers:
            worker.stop()
        other.dispose()
    assert len(replay.requests_to(API)) == 1


runner = CliRunner()


def test_the_cli_lists_the_queue_and_runs_it_once(
    cli_env: Config, monkeypatch: pytest.MonkeyPatch, store: Store
) -> None:
    with ReplayServer() as arxiv:
        arxiv.load_arxiv_api(Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "arxiv-api")
        for name, value in queue_config(cli_env, arxiv).values.items():
            monkeypatch.setenv(name, value)
        nothing = runner.invoke(cli, ["fetches", "run", "--once"])
        assert nothing.exit_code == 3 and "0 done" in nothing.stdout
        request_fetch(store, "1605.08386", None)
        request_fetch(store, "1707.99999", None)
        listed = runner.invoke(cli, ["fetches", "list"])
        assert listed.exit_code == 0 and "1605.08386" in listed.stdout and "queued" in listed.stdout
        done = runner.invoke(cli, ["fetches", "run", "--once"])
        assert done.exit_code == 0 and "fetches: 1 done, 1 not found" in done.stdout
        rows = json.loads(runner.invoke(cli, ["fetches", "list", "--json"]).stdout)
        states = {row["id"]: row["state"] for row in rows}
        assert states == {"1605.08386": "done", "1707.99999": "not_found"}
        bad = runner.invoke(cli, ["fetches", "list", "--state", "lost"])
        assert bad.exit_code == 2 and "unknown state lost" in bad.stderr
