"""The HF-compatible JSON API in-process: shapes, errors as {"error"}, tokens for submit and upvote, OpenAPI."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dailypapers.config import Config
from dailypapers.services.accounts import create_account, create_api_token
from dailypapers.services.submissions import set_hidden, today
from dailypapers.storage import Store
from helpers.site import client_for, hf_days, load_days

ZULU = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@pytest.fixture
def days(store: Store, shared: Path) -> list[dict[str, Any]]:
    loaded = hf_days(shared, 3)
    load_days(store, loaded)
    return loaded


@pytest.fixture
def client(config: Config, store: Store, days: list[dict[str, Any]]) -> Iterator[TestClient]:
    with client_for(config, store) as c:
        yield c


def bearer(store: Store, username: str, role: str = "member") -> dict[str, str]:
    account = create_account(store, username, "correct horse battery", role=role)
    return {"Authorization": f"Bearer {create_api_token(store, account, 'tests')}"}


def test_a_day_comes_back_in_the_hugging_face_shape(client: TestClient, days: list[dict[str, Any]]) -> None:
    day = days[1]
    response = client.get("/api/daily_papers", params={"date": day["date"]})
    assert response.status_code == 200
    items = response.json()
    assert sorted(i["paper"]["id"] for i in items) == sorted(p["paper"]["id"] for p in day["papers"])
    recorded = {p["paper"]["id"]: p for p in day["papers"]}
    for item in items:
        source = recorded[item["paper"]["id"]]
        assert item["paper"]["upvotes"] == source["paper"].get("upvotes", 0)
        assert item["numComments"] == source.get("numComments", 0)
        assert item["title"] == item["paper"]["title"] and item["summary"] == item["paper"]["summary"]
        assert ZULU.match(item["publishedAt"]) and ZULU.match(item["paper"]["publishedAt"])
        assert item["paper"]["authors"][0]["name"] == source["paper"]["authors"][0]["name"]
    listed_at = [i["publishedAt"] for i in items]
    assert listed_at == sorted(listed_at, reverse=True), "sort=publishedAt lists the latest submission first"


def test_submitters_carry_user_and_fullname(client: TestClient, store: Store, days: list[dict[str, Any]]) -> None:
    headers = bearer(store, "ann")
    paper_id = days[0]["papers"][0]["paper"]["id"]
    assert client.post("/api/papers/submit", json={"id": paper_id}, headers=headers).status_code == 201
    mine = client.get("/api/daily_papers", params={"submitter": "ann"}).json()
    assert [i["paper"]["id"] for i in mine] == [paper_id]
    assert mine[0]["submittedBy"] == {"user": "ann", "name": "ann", "fullname": "ann", "type": "user", "isMember": True}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date": "2024-13-01"}, "YYYY-MM-DD"),
        ({"date": "last tuesday"}, "YYYY-MM-DD"),
        ({"week": "2024-W60"}, "YYYY-Www"),
        ({"month": "2024-1"}, "YYYY-MM"),
        ({"date": "2024-05-27", "week": "2024-W22"}, "at most one"),
        ({"sort": "random"}, "sort"),
        ({"limit": "0"}, "limit"),
        ({"p": "-1"}, "p"),
    ],
)
def test_bad_parameters_are_a_400_with_an_error_message(
    client: TestClient, params: dict[str, str], message: str
) -> None:
    response = client.get("/api/daily_papers", params=params)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_weeks_months_and_pages_cover_the_days(client: TestClient, days: list[dict[str, Any]]) -> None:
    everything = {p["paper"]["id"] for d in days for p in d["papers"]}
    month = client.get("/api/daily_papers", params={"month": days[0]["date"][:7], "limit": 100}).json()
    assert {i["paper"]["id"] for i in month} <= everything and len(month) > len(days[0]["papers"])
    first = client.get("/api/daily_papers", params={"limit": 5, "p": 0}).json()
    second = client.get("/api/daily_papers", params={"limit": 5, "p": 1}).json()
    assert len(first) == len(second) == 5
    assert not {i["paper"]["id"] for i in first} & {i["paper"]["id"] for i in second}


def test_paper_info_and_its_errors(client: TestClient, days: list[dict[str, Any]]) -> None:
    paper_id = days[0]["papers"][0]["paper"]["id"]
    info = client.get(f"/api/papers/{paper_id}v1").json()
    assert info["id"] == paper_id and ZULU.match(info["submittedOnDailyAt"])
    missing = client.get("/api/papers/2401.99999")
    assert missing.status_code == 404 and missing.json() == {"error": "no paper 2401.99999 here"}
    malformed = client.get("/api/papers/not-a-paper")  # huggingface.co answers 404 for any id it does not hold
    assert malformed.status_code == 404 and "not an arXiv id" in malformed.json()["error"]


def test_the_markdown_page_and_its_404(client: TestClient, days: list[dict[str, Any]]) -> None:
    paper_id = days[0]["papers"][0]["paper"]["id"]
    response = client.get(f"/papers/{paper_id}.md")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/markdown")
    assert response.text.startswith("# ") and f"https://arxiv.org/abs/{paper_id}" in response.text
    assert client.get("/papers/2401.99999.md").json() == {"error": "no paper 2401.99999 here"}


def test_writing_needs_a_valid_token(client: TestClient, days: list[dict[str, Any]]) -> None:
    paper_id = days[0]["papers"][0]["paper"]["id"]
    anonymous = client.post("/api/papers/submit", json={"id": paper_id})
    assert anonymous.status_code == 401 and "token" in anonymous.json()["error"]
    forged = client.post(f"/api/papers/{paper_id}/upvote", headers={"Authorization": "Bearer dp_forged"})
    assert forged.status_code == 401 and "not valid" in forged.json()["error"]


def test_a_foreign_token_is_ignored_on_reads_but_refused_on_writes(
    client: TestClient, days: list[dict[str, Any]]
) -> None:
    paper_id = days[0]["papers"][0]["paper"]["id"]
    hf = {"Authorization": "Bearer hf_fake_user_token"}
    listed = client.get("/api/daily_papers", params={"date": days[0]["date"]}, headers=hf)
    assert listed.status_code == 200 and len(listed.json()) == len(days[0]["papers"])
    assert client.get(f"/api/papers/{paper_id}", headers=hf).json()["id"] == paper_id
    for write in (
        client.post("/api/papers/submit", json={"id": paper_id}, headers=hf),
        client.post(f"/api/papers/{paper_id}/upvote", headers=hf),
        client.delete(f"/api/papers/{paper_id}/upvote", headers=hf),
    ):
        assert write.status_code == 401 and "not valid" in write.json()["error"]
    revoked = client.get(f"/api/papers/{paper_id}", headers={"Authorization": "Bearer dp_revoked"})
    assert revoked.status_code == 401 and "not valid" in revoked.json()["error"]


def test_submitting_through_the_api_lists_the_paper_today_once(
    client: TestClient, store: Store, days: list[dict[str, Any]]
) -> None:
    headers = bearer(store, "ann")
    paper_id = days[0]["papers"][0]["paper"]["id"]
    created = client.post(
        "/api/papers/submit", json={"id": f"https://arxiv.org/abs/{paper_id}", "comment": "neat"}, headers=headers
    )
    assert created.status_code == 201 and created.json()["date"] == today().isoformat()
    listed = client.get("/api/daily_papers", params={"date": today().isoformat()}).json()
    assert [i["paper"]["id"] for i in listed] == [paper_id]
    again = client.post("/api/papers/submit", json={"id": paper_id}, headers=headers)
    assert again.status_code == 400 and "already on the list" in again.json()["error"]
    past = client.post("/api/papers/submit", json={"id": paper_id, "date": "2024-05-27"}, headers=headers)
    assert past.status_code == 400 and "curators" in past.json()["error"]
    junk = client.post("/api/papers/submit", json={"id": "hello"}, headers=headers)
    assert junk.status_code == 400 and "not an arXiv id" in junk.json()["error"]
    bad_day = client.post("/api/papers/submit", json={"id": paper_id, "date": "2024-99-01"}, headers=headers)
    assert bad_day.status_code == 400


def test_upvoting_through_the_api_is_idempotent_and_reversible(
    client: TestClient, store: Store, days: list[dict[str, Any]]
) -> None:
    headers = bearer(store, "ann")
    paper = days[0]["papers"][0]["paper"]
    base = paper.get("upvotes", 0)
    for _ in range(2):
        voted = client.post(f"/api/papers/{paper['id']}/upvote", headers=headers)
        assert voted.status_code == 200 and voted.json() == {"id": paper["id"], "upvoted": True, "upvotes": base + 1}
    assert client.get(f"/api/papers/{paper['id']}").json()["upvotes"] == base + 1
    removed = client.delete(f"/api/papers/{paper['id']}/upvote", headers=headers)
    assert removed.json() == {"id": paper["id"], "upvoted": False, "upvotes": base}
    unknown = client.post("/api/papers/2401.99999/upvote", headers=headers)
    assert unknown.status_code == 404 and "error" in unknown.json()


def test_hidden_items_show_only_to_curator_tokens(client: TestClient, store: Store, days: list[dict[str, Any]]) -> None:
    day = days[0]["date"]
    items = client.get("/api/daily_papers", params={"date": day}).json()
    curator = create_account(store, "cura", "correct horse battery", role="curator")
    from dailypapers.queries.feed import feed, parse_day

    config: Config = client.app.state.config  # type: ignore[attr-defined]
    listing = feed(store, config, period=parse_day(day)).items[0].row.listing
    set_hidden(store, curator, listing.id)
    visible = client.get("/api/daily_papers", params={"date": day}).json()
    assert len(visible) == len(items) - 1 and listing.paper_id not in {i["paper"]["id"] for i in visible}
    token = {"Authorization": f"Bearer {create_api_token(store, curator)}"}
    assert len(client.get("/api/daily_papers", params={"date": day}, headers=token).json()) == len(items)


def test_the_openapi_page_documents_every_api_route_with_its_response(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    for path, method in [
        ("/api/daily_papers", "get"),
        ("/api/papers/{paper_id}", "get"),
        ("/api/papers/search", "get"),
        ("/api/papers/submit", "post"),
        ("/api/papers/{paper_id}/upvote", "post"),
        ("/api/papers/{paper_id}/upvote", "delete"),
        ("/papers/{paper_id}.md", "get"),
    ]:
        operation = paths[path][method]
        assert operation.get("description") or operation.get("summary"), path
    daily = paths["/api/daily_papers"]["get"]
    assert {p["name"] for p in daily["parameters"]} >= {"date", "week", "month", "submitter", "sort", "p", "limit"}
    ok = daily["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok["items"]["$ref"].endswith("/ApiDailyPaper")
    assert "bearer" in str(schema["components"]["securitySchemes"]).lower()
    assert client.get("/api/docs").status_code == 200


def test_a_page_of_3_or_of_60_costs_the_same_number_of_queries(client: TestClient, store: Store) -> None:
    from sqlalchemy import event

    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA")):
            statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        counts = {}
        for limit in (3, 60):
            for params in ({"month": "2024-05"}, {}, {"sort": "trending"}):
                statements.clear()
                items = client.get("/api/daily_papers", params={**params, "limit": limit}).json()
                assert len(items) == limit or (limit == 60 and 3 < len(items) < 60)
                counts[(limit, tuple(params))] = len(statements)
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    for params in ({"month": "2024-05"}, {}, {"sort": "trending"}):
        assert counts[(3, tuple(params))] == counts[(60, tuple(params))] <= 3


def test_the_openapi_page_loads_swagger_from_this_site_not_a_cdn(client: TestClient) -> None:
    from bs4 import BeautifulSoup

    page = client.get("/api/docs/try")
    assert page.status_code == 200
    html = BeautifulSoup(page.text, "html.parser")
    assets = [str(t["src"]) for t in html.select("script[src]")] + [str(t["href"]) for t in html.select("link[href]")]
    assert len(assets) >= 3 and all(url.startswith("/static/") for url in assets), assets
    assert all(client.get(url).status_code == 200 for url in assets)
    assert "/api/openapi.json" in page.text


def test_the_api_reference_groups_named_operations_and_keeps_their_ids(client: TestClient) -> None:
    from bs4 import BeautifulSoup

    html = BeautifulSoup(client.get("/api/docs").text, "html.parser")
    groups = [h.get_text() for h in html.select("section.api-group h2")]
    assert groups[:2] == ["Papers", "Submitting and voting"] and "default" not in groups
    titles = [s.get_text() for s in html.select("ul.api-ops li strong")]
    assert "Search papers" in titles and not any(t.startswith("Api ") for t in titles)
    schema = client.get("/api/openapi.json").json()
    search = schema["paths"]["/api/papers/search"]["get"]
    assert search["operationId"] == "api_search_api_papers_search_get" and search["tags"] == ["Papers"]
    assert "header.top" not in html.text and html.select_one("header.top a.brand") is not None
