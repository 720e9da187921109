"""Author pages (papers matched by name, co-authors, categories, upvotes) and authorship claims a curator decides."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from dailypapers.config import Config
from dailypapers.ingest.files import LineSource
from dailypapers.ingest.kaggle import read_kaggle
from dailypapers.services.accounts import create_account
from dailypapers.services.imports import import_items
from dailypapers.storage import Store
from dailypapers.storage import papers as paper_store
from dailypapers.storage.papers import StoredPaper
from helpers.site import client_for, csrf_from, sign_in, soup


@pytest.fixture
def papers(store: Store, shared: Path) -> list[StoredPaper]:
    import_items(store, read_kaggle(LineSource(shared / "fixtures" / "kaggle-arxiv-metadata-snapshot.sample.jsonl")))
    with store.read() as conn:
        return paper_store.papers_after(conn, "", 10_000)


@pytest.fixture
def client(config: Config, store: Store, papers: list[StoredPaper]) -> Iterator[TestClient]:
    with client_for(config, store) as c:
        yield c


def busiest_author(papers: list[StoredPaper]) -> str:
    counts = Counter(a for p in papers for a in p.authors)
    return counts.most_common(1)[0][0]


def test_an_author_page_lists_exactly_their_papers_newest_first(client: TestClient, papers: list[StoredPaper]) -> None:
    name = busiest_author(papers)
    theirs = [p for p in papers if name in p.authors]
    theirs.sort(key=lambda p: p.published_at or p.ingested_at, reverse=True)
    assert len(theirs) >= 2, "the sample has an author with several papers"
    response = client.get("/authors/" + quote(name, safe=""))
    assert response.status_code == 200
    page = soup(response.text)
    assert page.select_one("h1").get_text(strip=True) == name  # type: ignore[union-attr]
    assert [li["id"] for li in page.select("#papers-h + ol.cards > li")] == [f"paper-{p.id}" for p in theirs]
    assert f"{sum(p.upvotes for p in theirs)} upvotes" in page.get_text()
    coauthors = {a.get_text() for a in page.select("ul.coauthors a")}
    assert coauthors and coauthors <= {a for p in theirs for a in p.authors} - {name}
    assert "matched by the author name" in page.select_one(".matched-by-name").get_text()  # type: ignore[union-attr]
    assert client.get("/authors/Nobody%20Ever").status_code == 404


def test_names_on_cards_and_paper_pages_link_to_author_pages(client: TestClient, papers: list[StoredPaper]) -> None:
    paper = papers[0]
    page = soup(client.get(f"/papers/{paper.id}").text)
    assert [a["href"] for a in page.select("p.authors a")] == ["/authors/" + quote(n, safe="") for n in paper.authors]
    search = soup(client.get("/papers", params={"q": paper.title}).text)
    card = search.select_one(f'li[id="paper-{paper.id}"] .authors a')
    assert card is not None and card["href"] == "/authors/" + quote(paper.authors[0], safe="")


def test_a_claim_shows_a_badge_and_reaches_the_profile_only_once_a_curator_approves(
    client: TestClient, config: Config, store: Store, papers: list[StoredPaper]
) -> None:
    paper = papers[0]
    name = paper.authors[0]
    create_account(store, "ann", "correct horse battery")
    create_account(store, "cora", "correct horse battery", role="curator")
    sign_in(client, "ann")
    token = csrf_from(client, f"/papers/{paper.id}")
    wrong = client.post(f"/papers/{paper.id}/claim", data={"author_name": "Someone Else", "csrf_token": token})
    assert wrong.status_code == 400 and "not one of the authors" in wrong.text
    assert client.post(f"/papers/{paper.id}/claim", data={"author_name": name, "csrf_token": token}).status_code == 200
    assert "is pending" in client.get(f"/papers/{paper.id}").text
    assert soup(client.get(f"/papers/{paper.id}").text).select("p.authors .badge") == []
    assert client.get("/claims").status_code == 403, "members can't decide claims"
    with client_for(config, store) as curator:
        sign_in(curator, "cora")
        queue = soup(curator.get("/claims").text)
        form = queue.select_one("ul.claims form")
        assert form is not None and name in queue.get_text()
        token = csrf_from(curator, "/claims")
        decided = curator.post(str(form["action"]), data={"decision": "approve", "csrf_token": token})
        assert decided.status_code == 200 and "No claims waiting" in decided.text
    badge = soup(client.get(f"/papers/{paper.id}").text).select_one("p.authors .badge")
    assert badge is not None and "ann" in badge.get_text()
    profile = soup(client.get("/u/ann").text)
    assert [li["id"] for li in profile.select("ol.claimed > li")] == [f"paper-{paper.id}"]
    author = soup(client.get("/authors/" + quote(name, safe="")).text)
    assert "ann" in author.select_one("h1 + p").get_text()  # type: ignore[union-attr]
