"""Collection pages and forms without JavaScript (the real app in-process): save, notes, reorder, privacy, Atom."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest
from fastapi.testclient import TestClient

from dailypapers.config import Config
from dailypapers.storage import Store
from helpers.site import client_for, csrf_from, hf_days, load_days, sign_up, soup


@pytest.fixture
def paper_ids(store: Store, shared: Path) -> list[str]:
    days = hf_days(shared, 1)
    load_days(store, days)
    return [item["paper"]["id"] for item in days[0]["papers"]][:3]


@pytest.fixture
def ann(config: Config, store: Store, paper_ids: list[str]) -> Iterator[TestClient]:
    with client_for(config, store) as client:
        sign_up(client, "ann")
        yield client


def post(client: TestClient, path: str, data: dict[str, str], referer: str = "/papers") -> str:
    token = csrf_from(client, "/collections")
    response = client.post(
        path,
        data={**data, "csrf_token": token},
        headers={"Referer": f"http://127.0.0.1:8000{referer}"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def titles_on(client: TestClient, path: str) -> list[str]:
    page = soup(client.get(path).text)
    return [a.get_text(strip=True) for a in page.select("ol.collection-items h3 a")]


def test_save_on_a_card_fills_the_reading_list_and_goes_back_where_it_was(
    ann: TestClient, paper_ids: list[str]
) -> None:
    feed = soup(ann.get("/papers").text)
    form = feed.select_one(f'form.save[data-paper="{paper_ids[0]}"]')
    assert form is not None and form.select_one("button").get_text(strip=True) == "☆ Save"
    assert post(ann, "/saved", {"paper": paper_ids[0], "saved": "1"}, referer="/papers?sort=upvotes") == (
        "/papers?sort=upvotes"
    )
    after = soup(ann.get("/papers").text).select_one(f'form.save[data-paper="{paper_ids[0]}"]')
    assert after.select_one("button").get_text(strip=True) == "★ Saved"
    assert after.select_one("input[name=saved]")["value"] == "0", "the next click takes it out again"
    reading = soup(ann.get("/collections").text).select_one("ul.collection-list a")
    assert reading.get_text(strip=True) == "Reading list" and reading["href"] == "/collections/ann-reading-list"
    assert len(titles_on(ann, "/collections/ann-reading-list")) == 1
    post(ann, "/saved", {"paper": paper_ids[0], "saved": "0"})
    assert titles_on(ann, "/collections/ann-reading-list") == []


def test_notes_and_reordering_stick(ann: TestClient, store: Store, paper_ids: list[str]) -> None:
    where = post(ann, "/collections", {"title": "Week 1", "description": "for the group"})
    assert where == "/collections/ann-week-1"
    for paper_id in paper_ids:
        post(ann, "/collections/ann-week-1/items", {"paper": paper_id}, referer=where)
    before = titles_on(ann, where)
    post(ann, f"/collections/ann-week-1/items/{paper_ids[2]}/move", {"direction": "up"}, referer=where)
    assert titles_on(ann, where) == [before[0], before[2], before[1]]
    post(ann, f"/collections/ann-week-1/items/{paper_ids[2]}/move", {"position": "0"}, referer=where)
    assert titles_on(ann, where) == [before[2], before[0], before[1]]
    post(ann, f"/collections/ann-week-1/items/{paper_ids[0]}/note", {"note": "<b>read §3</b>"}, referer=where)
    page = ann.get(where).text
    assert "&lt;b&gt;read §3&lt;/b&gt;" in page, "notes are escaped"
    post(ann, f"/collections/ann-week-1/items/{paper_ids[1]}/remove", {}, referer=where)
    assert titles_on(ann, where) == [before[2], before[0]]


def test_a_paper_page_toggles_each_of_your_collections(ann: TestClient, paper_ids: list[str]) -> None:
    post(ann, "/collections", {"title": "Theory"})
    page = soup(ann.get(f"/papers/{paper_ids[0]}").text)
    toggle = page.select_one("form.collection-toggle[data-title=Theory]")
    assert toggle["action"] == "/collections/ann-theory/items" and toggle["data-in"] == "0"
    post(ann, str(toggle["action"]), {"paper": paper_ids[0]})
    toggle = soup(ann.get(f"/papers/{paper_ids[0]}").text).select_one("form.collection-toggle[data-title=Theory]")
    assert toggle["data-in"] == "1" and toggle["action"] == f"/collections/ann-theory/items/{paper_ids[0]}/remove"


def test_others_see_public_collections_on_the_profile_but_never_private_ones(
    ann: TestClient, config: Config, store: Store, paper_ids: list[str]
) -> None:
    post(ann, "/collections", {"title": "Open list"})
    post(ann, "/collections", {"title": "Hidden list", "private": "1"})
    post(ann, "/collections/ann-hidden-list/items", {"paper": paper_ids[0]})
    own = [a.get_text(strip=True) for a in soup(ann.get("/u/ann").text).select("#coll-h + ul a")]
    assert own == ["Hidden list", "Open list"]
    with client_for(config, store) as bob:
        sign_up(bob, "bob")
        shown = [a.get_text(strip=True) for a in soup(bob.get("/u/ann").text).select("#coll-h + ul a")]
        assert shown == ["Open list"]
        assert bob.get("/collections/ann-hidden-list").status_code == 404
        assert bob.get("/collections/ann-hidden-list.atom").status_code == 404
        token = csrf_from(bob, "/collections")
        refused = bob.post("/collections/ann-open-list/items", data={"paper": paper_ids[0], "csrf_token": token})
        assert refused.status_code == 404
    assert ann.post("/collections/ann-open-list/items", data={"paper": paper_ids[0]}).status_code == 403, "CSRF"


def test_a_public_collection_has_an_atom_feed_of_its_papers(ann: TestClient, paper_ids: list[str]) -> None:
    post(ann, "/collections", {"title": "Feed me", "description": "weekly picks"})
    for paper_id in paper_ids[:2]:
        post(ann, "/collections/ann-feed-me/items", {"paper": paper_id})
    response = ann.get("/collections/ann-feed-me.atom")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo and parsed.feed.title.startswith("Feed me")
    assert [e.link for e in parsed.entries] == [f"http://127.0.0.1:8000/papers/{p}" for p in paper_ids[:2]]


def test_every_route_of_collections_authors_and_following_is_documented() -> None:
    from dailypapers.web import (
        api_collections,
        collection_feeds,
        exports,
        pages_authors,
        pages_collections,
        pages_following,
    )
    from dailypapers.web.routes import ROUTES

    docs = Path(__file__).resolve().parents[1] / "docs"
    pages = (docs / "collections.md").read_text()
    api = (docs / "api.md").read_text()
    modules = {m.__name__ for m in (collection_feeds, exports, pages_authors, pages_collections, pages_following)}
    for route in ROUTES:
        if route.handler.__module__ in modules:
            assert f"| `{route.path}` |" in pages, f"{route.path} missing from docs/collections.md"
        if route.handler.__module__ == api_collections.__name__:
            path = route.path.replace("{paper_id:path}", "{id}")  # as the issue and docs/api.md name it
            for method in route.methods:
                assert f"`{method} {path}`" in api, f"{method} {path} missing from docs/api.md"
