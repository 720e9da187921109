"""The feed's and search's new furniture without a browser: suggestions as you type, the digest invitation, the
calendar, dated Previous/Next and numbered pages, on both engines."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dailypapers.config import Config
from dailypapers.services import accounts
from dailypapers.services import subscriptions as subscription_service
from dailypapers.storage import Store
from dailypapers.web.feed_look import page_numbers
from helpers.site import client_for, csrf_from, hf_days, load_days, sign_in, sign_up, soup


@pytest.fixture
def days(store: Store, shared: Path) -> list[dict[str, Any]]:
    loaded = hf_days(shared, 7)  # 2024-05-27 … 2024-06-04: a weekend gap, two ISO weeks, two months
    load_days(store, loaded)
    return loaded


@pytest.fixture
def client(config: Config, store: Store, days: list[dict[str, Any]]) -> Iterator[TestClient]:
    with client_for(config) as c:
        yield c


def test_suggestions_are_titles_from_the_text_index_and_an_arxiv_id_is_the_paper_itself(
    client: TestClient, days: list[dict[str, Any]]
) -> None:
    paper = days[0]["papers"][0]["paper"]
    words = " ".join(paper["title"].split()[:4])
    found = client.get("/search/suggest", params={"q": words}).json()["suggestions"]
    assert 1 <= len(found) <= 6 and paper["id"] in [s["id"] for s in found]
    assert all(s["url"] == f"/papers/{s['id']}" and s["title"] for s in found)
    by_id = client.get("/search/suggest", params={"q": f"https://arxiv.org/abs/{paper['id']}v2"}).json()
    assert by_id["suggestions"] == [
        {"id": paper["id"], "title": f"Open arXiv:{paper['id']}", "url": f"/papers/{paper['id']}"}
    ]
    assert client.get("/search/suggest", params={"q": "a"}).json() == {"suggestions": []}
    half_typed = client.get("/search/suggest", params={"q": '"unclosed quote category:'})
    assert half_typed.status_code == 200 and isinstance(half_typed.json()["suggestions"], list)


def test_the_digest_invitation_is_for_visitors_prefilled_for_members_and_gone_once_subscribed(
    client: TestClient, config: Config, store: Store
) -> None:
    visitor = soup(client.get("/papers").text).select_one("main section.invite input[type=email]")
    assert visitor is not None and visitor.get("value") == ""
    account = accounts.create_account(store, "reader", "correct horse battery", email="reader@example.org")
    sign_in(client, "reader")
    member = soup(client.get("/papers").text).select_one("main section.invite input[type=email]")
    assert member is not None and member["value"] == "reader@example.org"
    subscription_service.subscribe(store, config, "reader@example.org", account_id=account.id, confirmed=True)
    assert soup(client.get("/papers").text).select_one("section.invite") is None


def test_the_calendar_marks_the_days_with_lists_and_previous_next_name_their_dates(
    client: TestClient, days: list[dict[str, Any]]
) -> None:
    listed = {d["date"] for d in days}
    page = soup(client.get(f"/papers/date/{days[1]['date']}").text)
    marked = {str(a["href"]).removeprefix("/papers/date/") for a in page.select(".calendar td a")}
    may = {d for d in listed if d.startswith(days[1]["date"][:7])}
    assert marked == may and page.select_one('.calendar td a[aria-current="date"]') is not None
    assert page.select(".calendar td span")  # the other days of the month, unlinked
    previous = page.select_one('.daynav a[rel="prev"]')
    assert previous is not None and previous["href"] == f"/papers/date/{days[0]['date']}"
    assert previous.get_text().startswith("← Previous") and str(int(days[0]["date"][8:])) in previous.get_text()
    trending = soup(client.get("/papers/trending").text)
    assert [a.get_text() for a in trending.select("nav.tabs a")][:4] == ["Daily", "Weekly", "Monthly", "Trending"]


def test_pages_are_numbered_first_last_and_two_either_side() -> None:
    assert page_numbers(0, 30, 50) == [0]
    assert page_numbers(0, 120, 50) == [0, 1, 2]
    assert page_numbers(6, 1000, 50) == [0, None, 4, 5, 6, 7, 8, None, 19]


def test_a_submission_redirects_to_its_day_with_a_confirmation(client: TestClient, days: list[dict[str, Any]]) -> None:
    sign_up(client, "ada")
    paper_id = days[0]["papers"][3]["paper"]["id"]
    token = csrf_from(client, "/papers/submit")
    response = client.post("/papers/submit", data={"arxiv_id": paper_id, "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303 and f"?added={paper_id}#paper-{paper_id}" in response.headers["location"]
    page = soup(client.get(response.headers["location"].split("#")[0]).text)
    flash = page.select_one(".flash")
    assert flash is not None and "is on this list now" in flash.get_text()


def test_opening_submit_signed_out_says_why_it_asks_to_sign_in(config: Config, store: Store) -> None:
    with client_for(config) as visitor:
        page = visitor.get("/papers/submit")
    assert page.url.path == "/signin"
    flash = soup(page.text).select_one(".flash")
    assert flash is not None and "sign in first to submit a paper" in flash.get_text()
