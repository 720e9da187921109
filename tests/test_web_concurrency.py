"""A busy morning against `dailypapers serve` on loopback: sign-ins don't freeze the worker, and concurrent
sign-ups and subscriptions end with exact counts, no duplicates and no 500s (both engines)."""

from __future__ import annotations

import os
import re
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from conftest import ENGINES
from dailypapers.config import Config
from dailypapers.queries.subscriptions import subscriber_list
from dailypapers.services import accounts
from dailypapers.storage import open_store
from dailypapers.storage.accounts import count_accounts
from dailypapers.testing.smtp import free_port, smtp_server

SIGN_INS = 16
BUSY = {
    "DAILYPAPERS_LOGIN_RATE": "10000/60",
    "DAILYPAPERS_SIGNUP_RATE": "10000/60",
    "DAILYPAPERS_SUBSCRIBE_RATE": "10000/60",
    "DAILYPAPERS_SIGNIN_FREE_FAILURES": "100000",
    "DAILYPAPERS_MAIL_RATE": "1000",
}


@pytest.fixture(scope="module", params=ENGINES)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Config]]:
    """`dailypapers serve` with one worker (so the event loop under test is the only one), mail to loopback SMTP."""
    home = tmp_path_factory.mktemp(f"busy-{request.param}") / "home"
    factory = request.getfixturevalue("sqlite_factory" if request.param == "sqlite" else "postgres_factory")
    with smtp_server() as (_, smtp_url):
        config = Config({**factory.config(home).values, **BUSY, "DAILYPAPERS_SMTP_URL": smtp_url})
        store = open_store(config)
        accounts.create_account(store, "ada", "analytical engine")
        store.dispose()
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = {**os.environ, **config.values, "DAILYPAPERS_SITE_URL": url, "PYTHONPATH": _src_path()}
        command = [sys.executable, "-m", "dailypapers.cli", "serve", "--port", str(port), "--workers", "1"]
        server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            _wait_until_up(server, url)
            yield url, config
        finally:
            server.terminate()
            server.wait(timeout=20)
            if request.param == "postgresql":
                factory.drop(config)


def _src_path() -> str:
    src = str(Path(__file__).resolve().parents[1] / "src")
    return os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])


def _wait_until_up(server: subprocess.Popen[bytes], url: str) -> None:
    for _ in range(600):
        try:
            if httpx.get(url + "/healthz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        if server.poll() is not None:
            raise RuntimeError(server.stdout.read().decode() if server.stdout else "server died")
        time.sleep(0.1)
    raise RuntimeError("the server did not come up")


def _form_client(url: str, path: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=url, timeout=120)
    page = client.get(path)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, page.text[:500]
    return client, match.group(1)


def test_health_checks_answer_while_sign_ins_are_still_hashing(served: tuple[str, Config]) -> None:
    """All sign-ins are on the wire before /healthz is asked; it must answer while most are still hashing."""
    url, _ = served
    client, token = _form_client(url, "/signin")
    client.close()
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    port = int(url.rsplit(":", 1)[1])
    body = urlencode({"username": "ada", "password": "wrong-pass", "csrf_token": token}).encode()
    request = (
        f"POST /signin HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\nConnection: close\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    sign_ins = [socket.create_connection(("127.0.0.1", port)) for _ in range(SIGN_INS)]
    try:
        for sock in sign_ins:
            sock.sendall(request)
        health = httpx.get(url + "/healthz", timeout=120)
        answered, _, _ = select.select(sign_ins, [], [], 0)  # which sign-ins had answered by then
        statuses = [_status_of(sock) for sock in sign_ins]
    finally:
        for sock in sign_ins:
            sock.close()
    assert health.status_code == 200
    # On the event loop, each argon2 hash held every other request: /healthz waited for the queued sign-ins.
    assert len(answered) < SIGN_INS // 2, f"{len(answered)} of {SIGN_INS} sign-ins had answered before /healthz"
    assert statuses == [400] * SIGN_INS


def _status_of(sock: socket.socket) -> int:
    sock.settimeout(120)
    head = b""
    while b"\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            break
        head += chunk
    return int(head.split(b" ", 2)[1])


def test_concurrent_sign_ups_make_each_account_exactly_once(served: tuple[str, Config]) -> None:
    url, config = served
    names = [f"member{n % 12}" for n in range(36)]  # each name asked for three times at once

    def sign_up(name: str) -> int:
        client, token = _form_client(url, "/signup")
        try:
            data = {"username": name, "password": "correct horse battery", "csrf_token": token}
            return client.post("/signup", data=data).status_code
        finally:
            client.close()

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(sign_up, names))
    assert 500 not in statuses
    assert statuses.count(303) == 12 and statuses.count(400) == 24  # one wins each name; the others are told
    store = open_store(config)
    try:
        with store.read() as conn:
            assert count_accounts(conn) == 1 + 12  # ada + one per name
    finally:
        store.dispose()


def test_concurrent_subscriptions_store_each_address_once(served: tuple[str, Config]) -> None:
    url, config = served
    addresses = [f"reader{n % 10}@example.org" for n in range(30)]

    def subscribe(address: str) -> int:
        client, token = _form_client(url, "/subscribe")
        try:
            return client.post("/subscribe", data={"email": address, "csrf_token": token}).status_code
        finally:
            client.close()

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(subscribe, addresses))
    assert statuses == [200] * 30
    store = open_store(config)
    try:
        emails = [sub.email for sub in subscriber_list(store)]
    finally:
        store.dispose()
    assert sorted(emails) == sorted(set(addresses))
