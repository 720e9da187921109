"""The paper at a glance on cards, paper pages, `.md`, feeds and the API (TestClient and the real huggingface_hub
client), and the has-code filter everywhere, on two real Hugging Face days whose items name repositories and
project pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import feedparser
import pytest
from fastapi.testclient import TestClient
from huggingface_hub import HfApi

from dailypapers.config import Config
from dailypapers.links import paper_links
from dailypapers.search.tldr import sentences
from dailypapers.services.indexing import index_papers
from dailypapers.storage import Store
from helpers.site import client_for, hf_days, load_days
from test_api_hf_client import endpoint  # noqa: F401 (the uvicorn fixture, serving the `days` below)

SKIP = 201  # 2025-03-06 and 2025-03-07: most items carry githubRepo, several a projectPage


@pytest.fixture
def days(store: Store, config: Config, shared: Path) -> list[dict[str, Any]]:
    config.values["DAILYPAPERS_EMBEDDING_BACKEND"] = "torch"
    loaded = hf_days(shared, 2, skip=SKIP)
    load_days(store, loaded)
    index_papers(store, config)
    return loaded


@pytest.fixture
def client(config: Config, store: Store, days: list[dict[str, Any]]) -> Iterator[TestClient]:
    with client_for(config, store) as c:
        yield c


def _with_code(day: dict[str, Any]) -> set[str]:
    found = set()
    for item in day["papers"]:
        paper = item["paper"]
        if paper_links(paper["summary"], None, paper.get("githubRepo"), paper.get("projectPage")).code:
            found.add(paper["id"])
    return found


def test_api_paper_objects_carry_summary_keywords_repository_and_project_page(
    client: TestClient, days: list[dict[str, Any]]
) -> None:
    day = days[0]
    items = client.get("/api/daily_papers", params={"date": day["date"]}).json()
    recorded = {i["paper"]["id"]: i["paper"] for i in day["papers"]}
    assert {i["paper"]["id"] for i in items} == set(recorded)
    for item in items:
        paper, source = item["paper"], recorded[item["paper"]["id"]]
        assert paper["ai_summary"] in sentences(source["summary"])
        assert 3 <= len(paper["ai_keywords"]) <= 6
        links = paper_links(source["summary"], None, source.get("githubRepo"), source.get("projectPage"))
        assert (paper["githubRepo"], paper["projectPage"]) == (links.code, links.project)
        assert {k: item[k] for k in ("ai_summary", "ai_keywords", "githubRepo", "projectPage")} == {
            k: paper[k] for k in ("ai_summary", "ai_keywords", "githubRepo", "projectPage")
        }
    assert any(i["paper"]["projectPage"] for i in items) and any(i["paper"]["githubRepo"] for i in items)
    one = client.get(f"/api/papers/{items[0]['paper']['id']}").json()
    assert one["ai_keywords"] == items[0]["paper"]["ai_keywords"]


def test_has_code_filters_the_api_search_and_feeds(client: TestClient, days: list[dict[str, Any]]) -> None:
    day = days[0]
    coded = _with_code(day)
    assert 0 < len(coded) < len(day["papers"])
    listed = client.get("/api/daily_papers", params={"date": day["date"], "has_code": "true"}).json()
    assert {i["paper"]["id"] for i in listed} == coded
    assert all(i["paper"]["githubRepo"] for i in listed)
    found = client.get("/api/papers/search", params={"q": "model", "has_code": "true", "limit": 100}).json()
    assert found and all(i["paper"]["githubRepo"] for i in found)
    in_query = client.get("/api/papers/search", params={"q": "model has:code", "limit": 100}).json()
    assert {i["paper"]["id"] for i in in_query} == {i["paper"]["id"] for i in found}
    feed = feedparser.parse(client.get("/papers.rss", params={"date": day["date"], "has_code": "1"}).content)
    assert {e.link.rsplit("/", 1)[1] for e in feed.entries} == coded
    everything = feedparser.parse(client.get("/papers.rss", params={"date": day["date"]}).content)
    assert len(everything.entries) == len(day["papers"])
    assert "TL;DR: " in everything.entries[0].summary
    trending = feedparser.parse(client.get("/papers/trending.atom", params={"has_code": "1"}).content)
    assert trending.entries and {e.link.rsplit("/", 1)[1] for e in trending.entries} <= _with_code(
        days[0]
    ) | _with_code(days[1])
    assert client.get("/api/daily_papers", params={"has_code": "maybe"}).status_code in (400, 422)


def test_the_with_code_toggle_filters_the_html_feed_trending_and_search_and_survives_paging(
    client: TestClient, days: list[dict[str, Any]]
) -> None:
    from bs4 import BeautifulSoup

    day = days[0]
    coded = _with_code(day)

    def card_ids(html: str) -> set[str]:
        return {a["href"].rsplit("/", 1)[1] for a in BeautifulSoup(html, "html.parser").select(".card h3 a")}

    page = client.get(f"/papers/date/{day['date']}").text
    assert card_ids(page) == {i["paper"]["id"] for i in day["papers"]}
    toggle = BeautifulSoup(page, "html.parser").find("a", string=re.compile("With code"))
    assert toggle is not None and toggle["href"].endswith("has_code=true")
    filtered = client.get(toggle["href"]).text
    assert card_ids(filtered) == coded
    doc = BeautifulSoup(filtered, "html.parser")
    on = doc.find("a", string=re.compile("With code"))
    assert on is not None and on.get("aria-current") == "true" and "has_code" not in on["href"], (
        "a second click clears it"
    )
    sort_links = [a["href"] for a in doc.select('nav.tabs a[href*="sort="]') if a is not on]
    assert sort_links and all(href.endswith("has_code=true") for href in sort_links)
    trending_tab = doc.select_one("nav.tabs a[href^='/papers/trending']")
    assert trending_tab is not None and trending_tab["href"].endswith("has_code=true"), "the toggle survives tabs"
    trending = client.get("/papers/trending", params={"has_code": "true"}).text
    assert card_ids(trending) and card_ids(trending) <= _with_code(days[0]) | _with_code(days[1])
    found = client.get("/papers", params={"q": "model", "has_code": "true"}).text
    form = BeautifulSoup(found, "html.parser").select_one("form.filters input[name=has_code]")
    assert form is not None and form.has_attr("checked")
    assert card_ids(found) and card_ids(found) <= {
        i["paper"]["id"] for d in days for i in d["papers"] if i["paper"]["id"] in _with_code(d)
    }
    assert client.get("/papers/trending", params={"has_code": "maybe"}).status_code in (400, 422)


def test_cards_show_a_one_line_tldr_and_keyword_chips_that_search(
    client: TestClient, days: list[dict[str, Any]]
) -> None:
    page = client.get(f"/papers/date/{days[0]['date']}").text
    assert page.count('class="tldr"') == len(days[0]["papers"])
    chips = re.findall(r'<a class="chip" href="(/papers\?q=[^"]+)">([^<]+)</a>', page)
    assert len(chips) >= 3 * len(days[0]["papers"])
    href, word = chips[0]
    assert href == "/papers?q=" + quote(f'"{word}"', safe="/")
    assert "Project page</a>" in page
    assert "onclick" not in page and not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", page)
    results = client.get(href.replace("&amp;", "&"))
    assert results.status_code == 200 and 'class="card' in results.text


def test_the_paper_page_and_its_markdown_show_the_glance(client: TestClient, days: list[dict[str, Any]]) -> None:
    item = next(i for i in days[0]["papers"] if i["paper"].get("projectPage"))
    paper_id = item["paper"]["id"]
    info = client.get(f"/api/papers/{paper_id}").json()
    page = client.get(f"/papers/{paper_id}").text
    own = page.split('id="similar-h"')[0]  # the similar papers below have chips of their own
    assert 'id="tldr-h"' in own and own.count('class="chip"') == len(info["ai_keywords"])
    assert f'href="{info["projectPage"]}"' in page
    markdown = client.get(f"/papers/{paper_id}.md").text
    assert "## TL;DR" in markdown and f"- Keywords: {', '.join(info['ai_keywords'])}" in markdown
    assert f"- Project page: {info['projectPage']}" in markdown


def test_the_hugging_face_client_reads_summary_keywords_and_links(endpoint: str, days: list[dict[str, Any]]) -> None:  # noqa: F811
    api = HfApi(endpoint=endpoint)
    item = next(i for i in days[0]["papers"] if i["paper"].get("projectPage"))
    info = api.paper_info(item["paper"]["id"])
    assert info.ai_summary and info.ai_keywords and 3 <= len(info.ai_keywords) <= 6
    assert info.project_page and info.project_page.startswith("https://")
    listed = {p.id: p for p in api.list_daily_papers(date=days[0]["date"], token=False)}
    assert listed[info.id].ai_keywords == info.ai_keywords
    assert listed[info.id].github_repo == info.github_repo
