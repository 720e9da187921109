"""Following authors, categories, collections and searches: the Following tab and the private, revocable Atom feed."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import feedparser
import pytest
from fastapi.testclient import TestClient

from dailypapers.config import Config
from dailypapers.ingest.files import LineSource
from dailypapers.ingest.kaggle import read_kaggle
from dailypapers.services.accounts import create_account
from dailypapers.services.collections import add_item, create_collection
from dailypapers.services.imports import import_items
from dailypapers.storage import Store
from dailypapers.storage import papers as paper_store
from dailypapers.storage.papers import StoredPaper
from helpers.site import client_for, csrf_from, sign_up, soup


@pytest.fixture
def papers(store: Store, shared: Path) -> list[StoredPaper]:
    import_items(store, read_kaggle(LineSource(shared / "fixtures" / "kaggle-arxiv-metadata-snapshot.sample.jsonl")))
    with store.read() as conn:
        return paper_store.papers_after(conn, "", 10_000)


@pytest.fixture
def ann(config: Config, store: Store, papers: list[StoredPaper]) -> Iterator[TestClient]:
    with client_for(config, store) as client:
        sign_up(client, "ann")
        yield client


def follow(client: TestClient, kind: str, target: str, on: bool = True) -> None:
    token = csrf_from(client, "/papers/following")
    data = {"kind": kind, "target": target, "follow": "1" if on else "0", "csrf_token": token}
    response = client.post("/follow", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text


def shown(client: TestClient) -> list[str]:
    page = soup(client.get("/papers/following").text)
    return [str(li["id"]).removeprefix("paper-") for li in page.select("ol.following > li")]


def test_the_following_tab_gathers_followed_authors_categories_and_collections(
    ann: TestClient, store: Store, papers: list[StoredPaper]
) -> None:
    assert shown(ann) == []
    author = Counter(a for p in papers for a in p.authors).most_common(1)[0][0]
    by_author = {p.id for p in papers if author in p.authors}
    page = soup(ann.get("/authors/" + quote(author, safe="")).text)
    assert page.select_one("form.follow button").get_text(strip=True) == "Follow"  # type: ignore[union-attr]
    follow(ann, "author", author)
    assert set(shown(ann)) == by_author
    page = soup(ann.get("/authors/" + quote(author, safe="")).text)
    assert page.select_one("form.follow button").get_text(strip=True) == "Following ✓"  # type: ignore[union-attr]

    bob = create_account(store, "bob", "correct horse battery")
    picks = create_collection(store, bob, "Bob's picks").slug
    outsider = next(p for p in papers if p.id not in by_author)
    add_item(store, bob, picks, outsider.id)
    follow(ann, "collection", picks)
    assert set(shown(ann)) == by_author | {outsider.id}
    reasons = soup(ann.get("/papers/following").text).select_one(f'li[id="paper-{outsider.id}"] .reasons')
    assert reasons is not None and picks in reasons.get_text()

    category = Counter(c for p in papers for c in p.categories).most_common(1)[0][0]
    follow(ann, "category", category)
    assert any(category in p.categories for p in papers if p.id in shown(ann))
    follow(ann, "author", author, on=False)
    follow(ann, "category", category, on=False)
    assert shown(ann) == [outsider.id]


@pytest.mark.parametrize(
    ("kind", "target", "message"),
    [("planet", "x", "follow one of"), ("category", "not a category!", "not an arXiv category"),
     ("collection", "nobody-secret", "no collection"), ("author", "  ", "say which")],
)  # fmt: skip
def test_following_nonsense_is_a_clear_400(ann: TestClient, kind: str, target: str, message: str) -> None:
    token = csrf_from(ann, "/papers/following")
    response = ann.post("/follow", data={"kind": kind, "target": target, "csrf_token": token})
    assert response.status_code == 400 and message in response.text


def test_the_private_feed_shows_what_you_follow_until_its_address_is_revoked(
    ann: TestClient, config: Config, store: Store, papers: list[StoredPaper]
) -> None:
    author = papers[0].authors[0]
    follow(ann, "author", author)
    token = csrf_from(ann, "/papers/following")
    made = soup(ann.post("/settings/feed-token", data={"csrf_token": token}).text)
    url = made.select_one("#feed-url").get_text(strip=True)  # type: ignore[union-attr]
    path = url.removeprefix(config.site_url)
    with client_for(config, store) as reader:  # a feed reader: no session
        parsed = feedparser.parse(reader.get(path).content)
        assert not parsed.bozo and papers[0].id in {e.link.rsplit("/", 1)[-1] for e in parsed.entries}
        ann.post("/settings/feed-token", data={"csrf_token": token})
        assert reader.get(path).status_code == 404, "a new address revokes the old one"
        again = soup(ann.post("/settings/feed-token", data={"csrf_token": token}).text)
        fresh = again.select_one("#feed-url").get_text(strip=True).removeprefix(config.site_url)  # type: ignore[union-attr]
        assert reader.get(fresh).status_code == 200
        ann.post("/settings/feed-token/revoke", data={"csrf_token": token})
        assert reader.get(fresh).status_code == 404


def test_a_members_digest_has_a_section_of_what_they_follow(store: Store, config: Config) -> None:
    from dailypapers.services.digests import send_due_digests
    from dailypapers.services.follows import set_following
    from dailypapers.services.subscriptions import Preferences, subscribe
    from dailypapers.testing.smtp import smtp_server
    from helpers.digest import MONDAY_15, TUESDAY_16, load_week, mail_config

    load_week(store)
    with store.read() as conn:
        stored = paper_store.papers_after(conn, "", 10_000)
    monday = [p for p in stored if p.published_at and p.published_at.date() == MONDAY_15]
    category = Counter(c for p in monday for c in p.categories).most_common(1)[0][0]
    account = create_account(store, "fay", "correct horse battery")
    set_following(store, account, "category", category)
    prefs = Preferences(include_trending=False, top_n=50)
    with smtp_server() as (handler, url):
        mail = mail_config(config, url)
        subscribe(store, mail, "fay@example.org", preferences=prefs, account_id=account.id, confirmed=True)
        send_due_digests(store, mail, TUESDAY_16)
    (message,) = handler.to("fay@example.org")
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "From what you follow" in text
    expected = {p.id for p in monday if category in p.categories}
    assert expected and set(re.findall(r"/papers/(\S+)", text)) <= expected
