"""Helpers for the site's tests: real daily lists from the shared data, an in-process client, signing up.

Everything goes through the real app and the real import service; nothing here fakes a part of the site.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from dailypapers.config import Config
from dailypapers.domain import ImportItem, ImportSummary
from dailypapers.ingest.hf_daily import items_for_day
from dailypapers.services.imports import import_items
from dailypapers.storage import Store
from dailypapers.web.app import create_app

HF_DAILY = Path("data") / "hf-daily-papers-2024-2026.jsonl.gz"


def hf_days(shared: Path, count: int, skip: int = 0) -> list[dict[str, Any]]:
    """The first `count` days (after `skip`) of the real Hugging Face daily lists in the shared data."""
    with gzip.open(shared / HF_DAILY, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in islice(fh, skip, skip + count)]


def load_days(store: Store, days: list[dict[str, Any]]) -> ImportSummary:
    def items() -> Iterator[ImportItem]:
        for number, day in enumerate(days, 1):
            yield from items_for_day(number, day["papers"], date.fromisoformat(day["date"]))

    return import_items(store, items())


def client_for(config: Config, store: Store | None = None) -> TestClient:
    return TestClient(create_app(config, store), base_url="http://127.0.0.1:8000")


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def csrf_from(client: TestClient, path: str) -> str:
    """The CSRF token of the first form on a page (what a browser would send back)."""
    page = client.get(path)
    field = soup(page.text).select_one("input[name=csrf_token]")
    assert field is not None, f"no CSRF field on {path} ({page.status_code})"
    return str(field["value"])


def sign_up(client: TestClient, username: str, password: str = "correct horse battery") -> None:
    token = csrf_from(client, "/signup")
    response = client.post(
        "/signup", data={"username": username, "password": password, "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def sign_in(client: TestClient, username: str, password: str = "correct horse battery") -> None:
    token = csrf_from(client, "/signin")
    response = client.post(
        "/signin", data={"username": username, "password": password, "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
