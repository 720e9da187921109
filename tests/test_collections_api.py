"""The collections JSON API through the real server (uvicorn on loopback, httpx): shapes, tokens, privacy, errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from dailypapers.config import Config
from dailypapers.services.accounts import create_account, create_api_token
from dailypapers.storage import Store
from dailypapers.testing.server import served_app
from helpers.site import hf_days, load_days


@pytest.fixture
def paper_ids(store: Store, shared: Path) -> list[str]:
    days = hf_days(shared, 1)
    load_days(store, days)
    return [item["paper"]["id"] for item in days[0]["papers"]][:4]


@pytest.fixture
def api(config: Config, store: Store, paper_ids: list[str]) -> Iterator[httpx.Client]:
    with served_app(config, store) as url, httpx.Client(base_url=url) as client:
        yield client


def bearer(store: Store, username: str, fullname: str = "") -> dict[str, str]:
    account = create_account(store, username, "correct horse battery", fullname=fullname)
    return {"Authorization": f"Bearer {create_api_token(store, account, 'tests')}"}


def test_a_new_collection_comes_back_201_in_the_documented_shape(api: httpx.Client, store: Store) -> None:
    ann = bearer(store, "ann", "Ann Lee")
    response = api.post("/api/collections", json={"title": "Diffusion papers", "description": "To read"}, headers=ann)
    assert response.status_code == 201
    body = response.json()
    assert body == {
        "slug": "ann-diffusion-papers",
        "title": "Diffusion papers",
        "description": "To read",
        "owner": {"user": "ann", "fullname": "Ann Lee"},
        "private": False,
        "items": [],
    }
    assert api.get("/api/collections/ann-diffusion-papers").json() == body
    again = api.post("/api/collections", json={"title": "Diffusion papers"}, headers=ann).json()
    assert again["slug"] == "ann-diffusion-papers-2", "slugs are unique: a second one gets a suffix"


def test_items_keep_their_order_and_notes_and_adding_twice_changes_nothing(
    api: httpx.Client, store: Store, paper_ids: list[str]
) -> None:
    ann = bearer(store, "ann")
    slug = api.post("/api/collections", json={"title": "Mine"}, headers=ann).json()["slug"]
    for paper_id in paper_ids[:3]:
        assert api.post(f"/api/collections/{slug}/items", json={"id": paper_id}, headers=ann).status_code == 200
    first = paper_ids[0]
    again = api.post(f"/api/collections/{slug}/items", json={"id": f"{first}v2", "note": "later"}, headers=ann)
    assert again.status_code == 200
    items = again.json()["items"]
    assert [(i["type"], i["id"], i["note"], i["position"]) for i in items] == [
        ("paper", paper_ids[0], "", 0),
        ("paper", paper_ids[1], "", 1),
        ("paper", paper_ids[2], "", 2),
    ]
    removed = api.delete(f"/api/collections/{slug}/items/{paper_ids[1]}", headers=ann)
    assert removed.status_code == 200
    assert [(i["id"], i["position"]) for i in removed.json()["items"]] == [(paper_ids[0], 0), (paper_ids[2], 1)]
    noted = api.post(f"/api/collections/{slug}/items", json={"id": paper_ids[3], "note": "read §3"}, headers=ann)
    assert noted.json()["items"][-1] == {"type": "paper", "id": paper_ids[3], "note": "read §3", "position": 2}


def test_a_private_collection_is_404_to_everyone_but_its_owner(
    api: httpx.Client, store: Store, paper_ids: list[str]
) -> None:
    ann, bob = bearer(store, "ann"), bearer(store, "bob")
    made = api.post("/api/collections", json={"title": "Secret", "private": True}, headers=ann).json()
    assert made["private"] is True
    slug = made["slug"]
    api.post(f"/api/collections/{slug}/items", json={"id": paper_ids[0]}, headers=ann)
    public = api.post("/api/collections", json={"title": "Open"}, headers=ann).json()["slug"]
    assert api.get(f"/api/collections/{slug}", headers=ann).status_code == 200
    for headers in ({}, bob):
        response = api.get(f"/api/collections/{slug}", headers=headers)
        assert response.status_code == 404 and "error" in response.json()
        listed = api.get("/api/users/ann/collections", headers=headers).json()
        assert [c["slug"] for c in listed] == [public]
    assert {c["slug"] for c in api.get("/api/users/ann/collections", headers=ann).json()} == {slug, public}
    stolen = api.post(f"/api/collections/{slug}/items", json={"id": paper_ids[1]}, headers=bob)
    assert stolen.status_code == 404, "someone else's collection can't be written, nor told apart from a missing one"
    page = api.get(f"/collections/{slug}")
    assert page.status_code == 404 and paper_ids[0] not in page.text


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "message"),
    [
        ("post", "/api/collections", {"title": "  "}, 400, "title"),
        ("post", "/api/collections", {"description": "no title"}, 400, "title"),
        ("post", "/api/collections/ann-mine/items", {"id": "not-an-id"}, 400, "arXiv"),
        ("post", "/api/collections/ann-mine/items", {"id": "2001.99999"}, 404, "no paper"),
        ("post", "/api/collections/nobody-here/items", {"id": "2001.99999"}, 404, "no collection"),
        ("delete", "/api/collections/ann-mine/items/2001.99999", None, 404, "not in"),
        ("get", "/api/collections/nobody-here", None, 404, "no collection"),
        ("get", "/api/users/nobody/collections", None, 404, "no member"),
    ],
)
def test_bad_requests_get_a_clear_error(
    api: httpx.Client, store: Store, method: str, path: str, body: Any, status: int, message: str
) -> None:
    ann = bearer(store, "ann")
    api.post("/api/collections", json={"title": "Mine"}, headers=ann)
    response = api.request(method.upper(), path, json=body, headers=ann)
    assert response.status_code == status, response.text
    assert message.lower() in response.json()["error"].lower()


def test_writes_need_a_valid_token(api: httpx.Client, store: Store, paper_ids: list[str]) -> None:
    ann = bearer(store, "ann")
    slug = api.post("/api/collections", json={"title": "Mine"}, headers=ann).json()["slug"]
    for headers in ({}, {"Authorization": "Bearer dp_wrong"}):
        for response in (
            api.post("/api/collections", json={"title": "x"}, headers=headers),
            api.post(f"/api/collections/{slug}/items", json={"id": paper_ids[0]}, headers=headers),
            api.delete(f"/api/collections/{slug}/items/{paper_ids[0]}", headers=headers),
        ):
            assert response.status_code == 401 and response.json()["error"]
    assert api.get(f"/api/collections/{slug}").json()["items"] == []
