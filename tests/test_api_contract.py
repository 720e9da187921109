"""The OpenAPI schema tells the truth: schemathesis, driven by the served schema, finds no failure on any API
operation (bounded examples, positive and negative data, with and without a token), and every operation declares
the statuses it really answers with the `{"error": …}` body."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import ignored_auth

from dailypapers.config import Config
from dailypapers.services.accounts import create_account, create_api_token
from dailypapers.storage import Store
from dailypapers.web.app import create_app
from dailypapers.web.routes import ROUTES
from helpers.site import client_for, hf_days, load_days

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = 10


@pytest.fixture
def client(config: Config, store: Store) -> Iterator[TestClient]:
    with client_for(config, store) as c:
        yield c


def test_every_operation_declares_its_real_statuses_and_the_error_shape(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    operations = {
        (method.upper(), path): operation
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    }
    assert len(operations) == sum(len(route.methods) for route in ROUTES if route.in_schema)
    for (method, path), operation in operations.items():
        codes = set(operation["responses"])
        assert "422" not in codes and "400" in codes, (method, path)
        for code in {code for code in codes if not code.startswith("2")}:
            ref = operation["responses"][code]["content"]["application/json"]["schema"]["$ref"]
            assert ref.endswith("/ApiError"), (method, path, code)
    assert set(operations["POST", "/api/papers/submit"]["responses"]) == {"201", "400", "401", "403", "429", "503"}
    assert {"401", "404", "429"} <= set(operations["POST", "/api/papers/{paper_id}/upvote"]["responses"])
    assert "404" in operations["GET", "/api/papers/{paper_id}"]["responses"]
    assert "text/markdown" in operations["GET", "/papers/{paper_id}.md"]["responses"]["200"]["content"]
    assert schema["components"]["schemas"]["ApiError"]["required"] == ["error"]
    assert "HTTPValidationError" not in schema["components"]["schemas"]


def test_an_id_that_is_not_an_arxiv_id_is_a_404_as_on_hugging_face(client: TestClient) -> None:
    for path in ("/api/papers/1234.56789", "/api/papers/not-a-paper", "/papers/1234.56789.md"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "no paper" in response.json()["error"]


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "token"])
def test_schemathesis_finds_no_failure_in_the_served_schema(
    config: Config, store: Store, shared: Path, signed_in: bool
) -> None:
    load_days(store, hf_days(shared, 2, skip=13))
    headers: dict[str, str] = {}
    if signed_in:
        account = create_account(store, "fuzz", "correct horse battery")
        headers["Authorization"] = f"Bearer {create_api_token(store, account, 'schemathesis')}"
    schema = schemathesis.openapi.from_asgi(
        "/api/openapi.json", create_app(config, store), config=SchemathesisConfig.from_path(ROOT / "schemathesis.toml")
    )
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,  # the same examples every run: CI is never red by chance
                suppress_health_check=list(HealthCheck),
            )
            def check(case: Any) -> None:
                if headers:
                    case.headers = {**(case.headers or {}), **headers}
                # With a real token pinned on every case, schemathesis' "invalid auth" re-send carries it too, so
                # that check only means something in the anonymous run.
                case.call_and_validate(excluded_checks=[ignored_auth] if headers else None)

            try:
                check()
            except Unsatisfiable:  # nothing schema-violating to generate (a path that takes any text)
                continue
            except Exception as exc:  # collected so one run reports every operation that fails
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    assert not failures, "\n\n".join(failures)


def test_an_undeclared_method_is_a_405_whose_allow_names_exactly_the_declared_ones(client: TestClient) -> None:
    """What schemathesis' coverage phase checks (`schemathesis run`): RFC 9110's Allow on every 405."""
    schema = client.get("/api/openapi.json").json()
    for template, operations in schema["paths"].items():
        path = template.replace("{paper_id}", "2401.00001")
        declared = {method.upper() for method in operations}
        expected = declared | ({"HEAD"} if "GET" in declared else set())
        for method in {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"} - declared:
            response = client.request(method, path)
            if method == "GET" and response.status_code == 404:  # `/api/papers/submit` is also a paper id to GET
                continue
            assert response.status_code == 405, (method, path, response.status_code)
            assert set(response.headers["allow"].split(", ")) == expected, (method, path, response.headers["allow"])
