"""For you over HTTP: the API's shapes and status codes, the tab and settings pages, the private Atom feed,
export and delete, the token CLI — and that no member ever sees another's signals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from dailypapers.cli.main import app
from dailypapers.config import Config
from dailypapers.services.accounts import account_named, create_account, create_api_token
from dailypapers.services.votes import toggle_vote
from dailypapers.storage import Store
from helpers.recommend import FROM, TO, load_fields
from helpers.site import client_for, csrf_from, sign_in, soup

PASSWORD = "correct horse battery"


@pytest.fixture
def fields(store: Store, config: Config, shared: Path) -> dict[str, list[str]]:
    return load_fields(store, config, shared)


@pytest.fixture
def client(config: Config, store: Store, fields: dict[str, list[str]]) -> Iterator[TestClient]:
    with client_for(config, store) as c:
        yield c


def bearer(store: Store, username: str) -> dict[str, str]:
    account = account_named(store, username) or create_account(store, username, PASSWORD)
    return {"Authorization": f"Bearer {create_api_token(store, account, 'tests')}"}


def _like(store: Store, username: str, ids: list[str]) -> None:
    account = account_named(store, username) or create_account(store, username, PASSWORD)
    for paper_id in ids:
        toggle_vote(store, account, paper_id, True)


def test_the_api_lists_recommendations_with_the_paper_object_score_and_reasons(
    client: TestClient, store: Store, fields: dict[str, list[str]]
) -> None:
    headers = bearer(store, "ann")
    _like(store, "ann", fields["astro-ph"][:4])
    response = client.get("/api/recommendations", params={"date_from": FROM, "date_to": TO}, headers=headers)
    assert response.status_code == 200
    items = response.json()
    assert len(items) == 3 * 14 - 4
    first = items[0]
    assert set(first) == {"paper", "score", "reasons"} and first["reasons"]
    assert first["paper"] == client.get(f"/api/papers/{first['paper']['id']}").json()
    assert [i["score"] for i in items] == sorted((i["score"] for i in items), reverse=True)
    assert not {i["paper"]["id"] for i in items} & set(fields["astro-ph"][:4]), "never an upvoted paper"
    limited = client.get("/api/recommendations", params={"date_from": FROM, "date_to": TO, "limit": 5}, headers=headers)
    assert [i["paper"]["id"] for i in limited.json()] == [i["paper"]["id"] for i in items[:5]]
    outside = client.get("/api/recommendations", params={"date_from": "2007-04-03", "date_to": TO}, headers=headers)
    assert outside.status_code == 200 and outside.json() == [], "only papers first published within the dates"


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "501"},
        {"limit": "ten"},
        {"date_from": "2007-13-01"},
        {"date_to": "yesterday"},
        {"date_from": "2007-04-02", "date_to": "2007-04-01"},
    ],
)
def test_bad_dates_or_limits_are_a_400_with_a_message(client: TestClient, store: Store, params: dict[str, str]) -> None:
    response = client.get("/api/recommendations", params=params, headers=bearer(store, "ann"))
    assert response.status_code == 400 and response.json()["error"]


def test_without_a_valid_token_recommendations_and_marks_are_a_401(
    client: TestClient, fields: dict[str, list[str]]
) -> None:
    paper_id = fields["math"][0]
    assert client.get("/api/recommendations").status_code == 401
    wrong = {"Authorization": "Bearer dp_not-a-token"}
    assert client.get("/api/recommendations", headers=wrong).status_code == 401
    assert client.post(f"/api/papers/{paper_id}/not_interested").status_code == 401
    assert client.delete(f"/api/papers/{paper_id}/not_interested", headers=wrong).status_code == 401


def test_not_interested_through_the_api_is_204_hides_and_undoes(
    client: TestClient, store: Store, fields: dict[str, list[str]]
) -> None:
    headers = bearer(store, "ann")
    _like(store, "ann", fields["astro-ph"][:4])
    params = {"date_from": FROM, "date_to": TO, "limit": 500}
    target = client.get("/api/recommendations", params=params, headers=headers).json()[0]["paper"]["id"]
    marked = client.post(f"/api/papers/{target}/not_interested", headers=headers)
    assert marked.status_code == 204 and marked.content == b""
    ids = [i["paper"]["id"] for i in client.get("/api/recommendations", params=params, headers=headers).json()]
    assert target not in ids
    assert client.delete(f"/api/papers/{target}/not_interested", headers=headers).status_code == 204
    ids = [i["paper"]["id"] for i in client.get("/api/recommendations", params=params, headers=headers).json()]
    assert target in ids
    unknown = client.post("/api/papers/2401.99999/not_interested", headers=headers)
    assert unknown.status_code == 404 and unknown.json()["error"]


def test_the_for_you_tab_explains_each_pick_and_hides_not_interested_everywhere(
    client: TestClient, store: Store, fields: dict[str, list[str]]
) -> None:
    _like(store, "ann", fields["math"][:4])
    assert client.get("/papers/foryou", follow_redirects=False).status_code == 303, "members only"
    sign_in(client, "ann")
    page = soup(client.get("/papers/foryou?range=month").text)
    assert page.select_one("nav.tabs a[aria-current=page]").text == "For you"
    cards = page.select("ol.cards.foryou > li.card")
    assert cards and all(card.select("ul.reasons li") for card in cards)
    first = cards[0]["id"].removeprefix("paper-")
    title = cards[0].select_one("h3").text.strip()
    searched = soup(client.get("/papers", params={"q": title}).text)
    assert f"paper-{first}" in [c.get("id") for c in searched.select("li.card")]
    token = csrf_from(client, "/papers/foryou?range=month")
    response = client.post(
        f"/papers/{first}/not_interested",
        data={"csrf_token": token, "next": "/papers/foryou?range=month"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/papers/foryou?range=month"
    again = soup(client.get("/papers/foryou?range=month").text)
    assert f"paper-{first}" not in [c["id"] for c in again.select("li.card")]
    searched = soup(client.get("/papers", params={"q": title}).text)
    assert searched.select("li.card") and f"paper-{first}" not in [c.get("id") for c in searched.select("li.card")]
    assert client.post(f"/papers/{first}/not_interested", data={}).status_code == 403, "CSRF checked"


def test_a_new_member_sees_the_cold_start_said_and_trending_in_their_categories(
    client: TestClient, store: Store
) -> None:
    create_account(store, "new", PASSWORD)
    sign_in(client, "new")
    token = csrf_from(client, "/settings/foryou")
    form = {"csrf_token": token, "categories": "astro-ph"}
    saved = client.post("/settings/foryou", data=form, follow_redirects=False)
    assert saved.status_code == 303
    page = soup(client.get("/papers/foryou?range=month").text)
    assert "astro-ph" in page.select_one("#cold-start").text
    bad = client.post("/settings/foryou", data={"csrf_token": token, "categories": "not a category!"})
    assert bad.status_code == 400 and "not an arXiv category" in bad.text


def test_members_never_see_each_others_signals(
    client: TestClient, store: Store, config: Config, fields: dict[str, list[str]]
) -> None:
    _like(store, "ann", fields["astro-ph"][:4])
    ann_headers = bearer(store, "ann")
    client.post(f"/api/papers/{fields['math'][0]}/not_interested", headers=ann_headers)
    bob_headers = bearer(store, "bob")
    params = {"date_from": FROM, "date_to": TO, "limit": 500}
    bob_items = client.get("/api/recommendations", params=params, headers=bob_headers).json()
    assert fields["math"][0] in [i["paper"]["id"] for i in bob_items], "ann's mark does not reach bob"
    assert not any("upvoted" in r or "liked" in r for i in bob_items for r in i["reasons"])
    sign_in(client, "bob")
    settings = client.get("/settings/foryou").text
    export = client.get("/settings/foryou/export").json()
    assert export["positives"] == [] and export["not_interested"] == []
    with store.read() as conn:
        from dailypapers.storage.papers import papers_by_ids

        ann_titles = [p.title for p in papers_by_ids(conn, fields["astro-ph"][:4] + fields["math"][:1]).values()]
    assert not any(title in settings for title in ann_titles)


def test_export_downloads_the_members_data_and_delete_forgets_it(
    client: TestClient, store: Store, fields: dict[str, list[str]]
) -> None:
    _like(store, "ann", fields["cond-mat"][:3])
    sign_in(client, "ann")
    token = csrf_from(client, "/settings/foryou")
    client.post("/settings/foryou/seeds", data={"csrf_token": token, "paper": fields["math"][0]})
    client.post(f"/papers/{fields['math'][1]}/not_interested", data={"csrf_token": token})
    download = client.get("/settings/foryou/export")
    assert "attachment" in download.headers["content-disposition"]
    data = download.json()
    assert {p["paper"] for p in data["positives"]} == {*fields["cond-mat"][:3], fields["math"][0]}
    assert [s["paper"] for s in data["seeds"]] == [fields["math"][0]]
    assert [m["paper"] for m in data["not_interested"]] == [fields["math"][1]]
    assert data["model"]["positives"] == 4 and data["model"]["terms"]
    client.post("/settings/foryou/delete", data={"csrf_token": token})
    after = client.get("/settings/foryou/export").json()
    assert after["seeds"] == [] and after["not_interested"] == []
    assert {p["paper"] for p in after["positives"]} == set(fields["cond-mat"][:3]), "upvotes are public and stay"


def test_the_private_atom_feed_works_until_its_address_is_replaced_or_revoked(
    client: TestClient, store: Store, fields: dict[str, list[str]]
) -> None:
    _like(store, "ann", fields["astro-ph"][:4])
    sign_in(client, "ann")
    token = csrf_from(client, "/settings/foryou")
    page = soup(client.post("/settings/foryou/feed", data={"csrf_token": token}).text)
    url = page.select_one("#feed-url").text
    path = url.split("8000", 1)[-1] if "8000" in url else "/" + url.split("/", 3)[3]
    parsed = feedparser.parse(client.get(path + "?range=month").content)
    assert parsed.entries and parsed.feed.title.endswith("for you")
    client.post("/settings/foryou/feed", data={"csrf_token": token})
    assert client.get(path).status_code == 404, "replacing the address retires the old one"
    client.post("/settings/foryou/feed/revoke", data={"csrf_token": token})
    assert client.get(path).status_code == 404


def test_the_token_command_prints_a_working_api_token(cli_env: Config, store: Store) -> None:
    create_account(store, "ann", PASSWORD)
    runner = CliRunner()
    result = runner.invoke(app, ["user", "token", "ann", "--label", "cron"])
    assert result.exit_code == 0, result.stderr
    token = result.stdout.strip()
    assert token.startswith("dp_") and len(token.splitlines()) == 1
    with client_for(cli_env, store) as client:
        assert client.get("/api/recommendations", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    from dailypapers.services.accounts import tokens_of

    assert [t.name for t in tokens_of(store, account_named(store, "ann"))] == ["cron"]  # type: ignore[arg-type]
    missing = runner.invoke(app, ["user", "token", "nobody"])
    assert missing.exit_code != 0 and "no account named 'nobody'" in missing.stderr
