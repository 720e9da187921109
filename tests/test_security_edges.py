"""Edge dates and ids answer a 4xx with a message (never a 500), and every GET route answers HEAD."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dailypapers.config import Config
from dailypapers.domain import MAX_ROW_ID
from dailypapers.services.accounts import set_role
from dailypapers.storage import Store
from dailypapers.web.routes import ROUTES
from helpers.site import client_for, csrf_from, sign_up, soup

HUGE = "99999999999999999999999"


@pytest.fixture
def client(config: Config, store: Store) -> Iterator[TestClient]:
    with client_for(config, store) as c:
        c.raise_server_exceptions = False
        yield c


def _message(response: Any) -> str:
    """The error's text: the JSON `error`, or the error page's main text."""
    if response.headers["content-type"].startswith("application/json"):
        return str(response.json()["error"])
    main = soup(response.text).select_one("main")
    return main.get_text(" ", strip=True) if main else ""


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("/papers/date/9999-12-31", "out of range"),
        ("/papers/week/9999-W52", "out of range"),
        ("/papers/month/9999-12", "out of range"),
        ("/papers/date/0001-01-01", "out of range"),
        ("/api/daily_papers?month=9999-12", "out of range"),
        ("/api/daily_papers?week=9999-W52", "out of range"),
        ("/api/daily_papers?date=9999-12-31&sort=trending", "out of range"),
        ("/papers?q=x&date_to=9999-12-31", "out of range"),
        ("/papers?q=x&date_from=0001-01-01", "out of range"),
        ("/papers.rss?date=9999-12-31", "out of range"),
    ],
)
def test_edge_dates_are_a_400_naming_the_range(client: TestClient, path: str, says: str) -> None:
    response = client.get(path)
    assert response.status_code == 400, (path, response.status_code)
    assert says in _message(response) and "9998-12-31" in _message(response)


@pytest.mark.parametrize("path", [f"/listings/{HUGE}/hide", f"/settings/tokens/{HUGE}/revoke", "/listings/-1/hide"])
def test_ids_beyond_the_stores_keys_are_a_400_for_a_curator(client: TestClient, store: Store, path: str) -> None:
    sign_up(client, "cura")
    set_role(store, "cura", "curator")
    token = csrf_from(client, "/papers/submit")
    response = client.post(path, data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 400, response.status_code
    assert re.search(r"(listing|token)_id", _message(response))


def test_the_largest_row_id_is_simply_not_found(client: TestClient, store: Store) -> None:
    sign_up(client, "cura")
    set_role(store, "cura", "curator")
    token = csrf_from(client, "/papers/submit")
    for path in (f"/listings/{MAX_ROW_ID}/hide", f"/settings/tokens/{MAX_ROW_ID}/revoke"):
        assert client.post(path, data={"csrf_token": token}, follow_redirects=False).status_code == 404, path
    for path in (f"/listings/{MAX_ROW_ID + 1}/hide", f"/settings/tokens/{2**63}/revoke"):
        assert client.post(path, data={"csrf_token": token}, follow_redirects=False).status_code == 400, path


GET_PATHS = [route.path for route in ROUTES if "GET" in route.methods and "{" not in route.path]


@pytest.mark.parametrize("path", [*GET_PATHS, "/papers/2401.00001", "/u/nobody", "/api/papers/2401.00001"])
def test_every_get_route_answers_head_with_the_headers_and_no_body(client: TestClient, path: str) -> None:
    got, head = client.get(path, follow_redirects=False), client.head(path, follow_redirects=False)
    assert head.status_code == got.status_code != 405, path
    assert head.content == b""
    assert head.headers.get("content-type") == got.headers.get("content-type")
    assert "content-security-policy" in head.headers


def test_head_is_not_in_the_openapi_schema(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert not [path for path, operations in paths.items() if "head" in operations]
