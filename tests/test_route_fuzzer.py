"""A fuzzer over EVERY route of web/routes.py: hostile values (NUL, invalid UTF-8, 100 kB, bad dates, huge and
negative ids, markup) in path parameters, query strings, form fields and JSON bodies, plus methods a route does not
take, signed out and signed in (a curator with a valid CSRF token and API token). Nothing may answer a 5xx.

The routes come from the table itself, query parameters and JSON fields from each handler's FastAPI signature, and
form fields from every `name="…"` in the templates, so a new route or form is fuzzed without touching this file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from dailypapers.config import Config
from dailypapers.services.accounts import create_api_token, set_role
from dailypapers.storage import Store
from dailypapers.storage.accounts import StoredAccount
from dailypapers.web.context import WEB_DIR
from dailypapers.web.routes import ROUTES
from helpers.site import client_for, csrf_from, hf_days, load_days, sign_up

# Already percent-encoded: usable as they are in a path, a query string and a urlencoded form body (forms and JSON
# bodies also get 100 kB values).
HOSTILE = {
    "nul": "%00",
    "nul-inside": "2401.00001%00x",
    "invalid-utf8": "%FF%FE%C3%28",
    "60kB": "x" * 60_000,  # the longest URL the HTTP client sends (httpx refuses 64 kB; servers too)
    "bad-date": "9999-12-31",
    "zero-date": "0000-00-00",
    "bad-week": "2025-W99",
    "huge-id": "99999999999999999999999",
    "negative": "-1",
    "float": "1e309",
    "markup": "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
}
# The same, decoded, for JSON bodies (invalid UTF-8 goes in as raw bytes below).
JSON_VALUES: list[Any] = ["\x00", "a\x00b", "x" * 100_000, "9999-12-31", "99999999999999999999999", -1, 2**70, None]
WRONG_METHODS = ("PUT", "PATCH", "DELETE", "POST", "GET")
PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


def _form_fields() -> list[str]:
    names = {
        m.group(1) for p in (WEB_DIR / "templates").rglob("*.html") for m in re.finditer(r'name="(\w+)"', p.read_text())
    }
    return sorted(names - {"csrf_token"})


FORM_FIELDS = _form_fields()


def _api_routes(client: TestClient) -> dict[str, APIRoute]:
    return {r.name: r for r in client.app.routes if isinstance(r, APIRoute)}  # type: ignore[attr-defined]


def _query_names(route: APIRoute) -> list[str]:
    return [param.alias for param in route.dependant.query_params]


def _json_fields(route: APIRoute) -> list[str]:
    fields: list[str] = []
    for param in route.dependant.body_params:
        model = getattr(param.field_info, "annotation", None) or param.type_
        fields += list(getattr(model, "model_fields", {}) or [param.alias])
    return fields


def _paths(path: str) -> list[str]:
    """The path with each hostile value in one parameter at a time (the others plausible), then all plausible."""
    count = len(PARAM.findall(path))
    if not count:
        return [path]
    pieces = PARAM.split(path)[::2]  # the text around the parameters (split also yields each name)
    paths = []
    for hostile_at in range(count):
        for value in HOSTILE.values():
            values = [value if i == hostile_at else "2401.00001" for i in range(count)]
            paths.append("".join(piece + val for piece, val in zip(pieces, [*values, ""], strict=True)))
    return [*paths, PARAM.sub("2401.00001", path)]


def _fuzz(client: TestClient, csrf: str, headers: dict[str, str]) -> list[str]:
    """Every request of the fuzz for one client; returns the ones that answered 5xx."""
    failures: list[str] = []
    routes = _api_routes(client)

    def send(method: str, url: str, **kwargs: Any) -> None:
        kwargs["headers"] = {**headers, **kwargs.get("headers", {})}
        response = client.request(method, url, follow_redirects=False, **kwargs)
        if response.status_code >= 500:
            failures.append(f"{method} {url[:120]} {str(kwargs)[:120]} → {response.status_code} {response.text[:200]}")

    ordered = sorted(ROUTES, key=lambda r: r.name == "signout")  # signing out last keeps the session for the rest
    for route in ordered:
        api_route = routes[route.name]
        method = route.methods[0]
        queries = _query_names(api_route)
        for path in _paths(route.path):
            send(method, path, **_body(method, csrf, "x"))
        concrete = PARAM.sub("2401.00001", route.path)
        for value in HOSTILE.values():
            groups = [[name] for name in queries] if len(value) > 1000 else [queries] if queries else []
            for names in groups:  # a long value one parameter at a time, so the URL stays one a client sends
                send(method, f"{concrete}?" + "&".join(f"{name}={value}" for name in names))
            if method != "GET":
                send(method, concrete, **_body(method, csrf, value))
        if method != "GET":
            send(method, concrete, **_body(method, csrf, "x" * 100_000))
        fields = _json_fields(api_route)
        if fields:
            for value in JSON_VALUES:
                send(method, concrete, json={name: value for name in fields})
            send(method, concrete, content=b'{"id": "\xff\xfe"}', headers={"content-type": "application/json"})
            send(method, concrete, content=b"[1, 2", headers={"content-type": "application/json"})
            send(method, concrete, json=[1, 2, 3])
        for wrong in WRONG_METHODS:
            if wrong not in route.methods and not (wrong == "GET" and route.path.startswith("/papers/")):
                send(wrong, concrete)
    return failures


def _body(method: str, csrf: str, value: str) -> dict[str, Any]:
    if method == "GET":
        return {}
    form = "&".join([f"csrf_token={csrf}", *(f"{name}={value}" for name in FORM_FIELDS)])
    return {"content": form.encode(), "headers": {"content-type": "application/x-www-form-urlencoded"}}


@pytest.fixture
def loaded(store: Store, shared: Path) -> Store:
    load_days(store, hf_days(shared, 2, skip=13))
    return store


@pytest.fixture
def anonymous(config: Config, loaded: Store) -> Iterator[TestClient]:
    with client_for(config, loaded) as c:
        c.raise_server_exceptions = False
        yield c


def test_no_route_answers_a_5xx_to_hostile_input_signed_out(anonymous: TestClient) -> None:
    failures = _fuzz(anonymous, csrf_from(anonymous, "/signin"), {})
    assert not failures, "\n".join(failures)


def test_no_route_answers_a_5xx_to_hostile_input_signed_in_as_a_curator(config: Config, loaded: Store) -> None:
    with client_for(config, loaded) as client:
        client.raise_server_exceptions = False
        sign_up(client, "fuzzer")
        account: StoredAccount = set_role(loaded, "fuzzer", "curator")
        token = create_api_token(loaded, account, "fuzz")
        failures = _fuzz(client, csrf_from(client, "/papers/submit"), {"Authorization": f"Bearer {token}"})
    assert not failures, "\n".join(failures)


def test_the_fuzzer_reaches_every_route_and_form() -> None:
    assert {route.name for route in ROUTES} and len(FORM_FIELDS) >= 5
    assert json.dumps(sorted(HOSTILE))  # the hostile set is what the docstring promises
    assert {"username", "password", "arxiv_id"} <= set(FORM_FIELDS)
