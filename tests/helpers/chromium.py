"""What every browser test shares: Debian's Chromium for Playwright, `dailypapers serve` as README runs it, and
where screenshots go. A test module takes the fixture with `browser = chromium.browser` (test_browser does, and
keeps exporting CHROMIUM, ARGS, ARTIFACTS and free_port for the modules that import them from there)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from dailypapers.config import Config

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


def need_chromium() -> None:
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def dailypapers_serve(config: Config) -> Iterator[str]:
    """`dailypapers serve` in a subprocess (one worker) on a free loopback port; yields its URL once /healthz
    answers."""
    port = free_port()
    command = [sys.executable, "-m", "dailypapers.cli", "serve", "--port", str(port), "--workers", "1"]
    env = {**os.environ, **config.values}
    log = tempfile.TemporaryFile()  # noqa: SIM115  (closed below; not a pipe, which a chatty server could fill)
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(url + "/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"dailypapers serve died: {log.read().decode(errors='replace')}")
            time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


@pytest.fixture
def browser() -> Iterator[object]:
    """A headless Chromium (Playwright's Browser), closed after the test."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()
