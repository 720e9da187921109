"""The discussion API: paths, fields, status codes and `{"error": …}` bodies exactly as issue 15 names them."""

from __future__ import annotations

from pathlib import Path

import pytest

from dailypapers.config import Config
from dailypapers.services import moderation
from dailypapers.services.accounts import create_account, create_api_token
from dailypapers.storage import Store
from helpers.site import client_for, hf_days, load_days


@pytest.fixture
def paper_id(store: Store, shared: Path) -> str:
    days = hf_days(shared, 1)
    load_days(store, days)
    return str(days[0]["papers"][0]["paper"]["id"])


def bearer(store: Store, name: str, role: str = "member") -> dict[str, str]:
    account = create_account(store, name, "correct horse battery", fullname=f"{name.title()} L.", role=role)
    return {"Authorization": f"Bearer {create_api_token(store, account, 'tests')}"}


def test_post_list_edit_and_delete_with_the_documented_fields(store: Store, config: Config, paper_id: str) -> None:
    client = client_for(config, store)
    ada = bearer(store, "ada")
    created = client.post(f"/api/papers/{paper_id}/comments", json={"text": "Nice $x^2$"}, headers=ada)
    assert created.status_code == 201
    body = created.json()
    assert body["parentId"] is None and body["author"] == {"user": "ada", "fullname": "Ada L."}
    assert body["createdAt"].endswith("Z") and body["updatedAt"].endswith("Z")
    assert body["raw"] == "Nice $x^2$" and "math-inline" in body["html"] and body["hidden"] is False
    reply = client.post(
        f"/api/papers/{paper_id}/comments",
        json={"text": "agreed", "parentId": body["id"]},
        headers=bearer(store, "bob"),
    ).json()
    assert reply["parentId"] == body["id"]
    patched = client.patch(f"/api/comments/{body['id']}", json={"text": "Nicer"}, headers=ada)
    assert patched.status_code == 200 and patched.json()["raw"] == "Nicer"
    assert client.delete(f"/api/comments/{reply['id']}", headers=ada).status_code == 403
    assert client.delete(f"/api/comments/{body['id']}", headers=ada).status_code == 200
    listed = client.get(f"/api/papers/{paper_id}/comments").json()
    assert [c["id"] for c in listed] == [body["id"], reply["id"]]  # oldest first
    assert listed[0]["raw"] == "" and listed[0]["html"] == "" and listed[0]["deleted"] is True
    curator = bearer(store, "cleo", "curator")
    assert client.delete(f"/api/comments/{reply['id']}", headers=curator).status_code == 200


def test_errors_have_the_documented_codes_and_an_error_body(store: Store, config: Config, paper_id: str) -> None:
    client = client_for(config, store)
    ada = bearer(store, "ada")
    url = f"/api/papers/{paper_id}/comments"
    cases = [
        (client.post(url, json={"text": "hi"}), 401),
        (client.post(url, json={"text": "hi"}, headers={"Authorization": "Bearer dp_forged"}), 401),
        (client.post(url, json={"text": ""}, headers=ada), 400),
        (client.post(url, json={"text": "x" * 10_001}, headers=ada), 400),
        (client.post(url, json={"text": "x", "parentId": 424242}, headers=ada), 400),
        (client.post(url, json={}, headers=ada), 400),
        (client.post("/api/papers/2401.99999/comments", json={"text": "x"}, headers=ada), 404),
        (client.get("/api/papers/2401.99999/comments"), 404),
        (client.get("/api/papers/not-an-id/comments"), 404),
        (client.patch("/api/comments/999999", json={"text": "x"}, headers=ada), 404),
        (client.delete("/api/comments/999999", headers=ada), 404),
        (client.delete("/api/comments/1"), 401),
    ]
    for response, status in cases:
        assert response.status_code == status, (response.request.url, response.text)
        assert isinstance(response.json()["error"], str) and response.json()["error"]


def test_a_locked_thread_answers_423_and_hidden_comments_list_empty(
    store: Store, config: Config, paper_id: str
) -> None:
    client = client_for(config, store)
    ada = bearer(store, "ada")
    url = f"/api/papers/{paper_id}/comments"
    first = client.post(url, json={"text": "spam spam"}, headers=ada).json()
    cleo = create_account(store, "cleo", "correct horse battery", role="curator")
    moderation.hide_comment(store, cleo, first["id"])
    moderation.lock_thread(store, cleo, paper_id)
    locked = client.post(url, json={"text": "more"}, headers=ada)
    assert locked.status_code == 423 and "locked" in locked.json()["error"]
    shown = client.get(url).json()[0]
    assert shown["hidden"] is True and shown["raw"] == "" and shown["html"] == ""


def test_rapid_posting_through_the_api_is_429(store: Store, config: Config, paper_id: str) -> None:
    client = client_for(Config({**config.values, "DAILYPAPERS_COMMENT_RATE": "2/3600"}), store)
    ada = bearer(store, "ada")
    codes = [
        client.post(f"/api/papers/{paper_id}/comments", json={"text": f"n{i}"}, headers=ada).status_code
        for i in range(4)
    ]
    assert codes == [201, 201, 429, 429]
