"""LaTeX outside the paper page, avatars, the favicon, linked comment URLs and messages for people, on both engines:
cards and search snippets show math as MathML, `<title>`, feeds and suggestions read as plain text, and nothing an
author typed becomes markup."""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import feedparser
import pytest
from fastapi.testclient import TestClient

from dailypapers.config import Config
from dailypapers.ingest.files import LineSource
from dailypapers.ingest.kaggle import read_kaggle
from dailypapers.latex import plain
from dailypapers.services import accounts
from dailypapers.services import collections as collection_service
from dailypapers.services.imports import import_items
from dailypapers.storage import Store
from dailypapers.web.mathml import formula
from dailypapers.web.tex import tex_html, tex_links, tex_snippet
from helpers.site import client_for, csrf_from, hf_days, load_days, sign_up, soup

PAPER = "2606.16396"
TITLE = "SP$^3$: Spherical Priors for Plug-and-Play Restoration"
ABSTRACT = (
    r"We bound the optimal rate $k^{*}(t)$ of restoration and introduce \textbf{MBench}, a benchmark. "
    r"A broken formula $\frac{1}{$ stays readable, and $<script>alert(1)</script>$ is only text. "
    "Spherical priors help."
)
COMMENTS = "12 pages. Code: https://github.com/ada/sp3. Also javascript:alert(1) and <b>bold</b>"
AUTHOR = "Ada Lovelace"


@pytest.fixture
def client(config: Config, store: Store, tmp_path: Path) -> Iterator[TestClient]:
    record = {
        "id": PAPER,
        "title": TITLE,
        "abstract": ABSTRACT,
        "authors": f"{AUTHOR} and Charles Babbage",
        "comments": COMMENTS,
        "categories": "cs.CV eess.IV",
        "versions": [{"version": "v1", "created": "Mon, 15 Jun 2026 10:00:00 GMT"}],
    }
    path = tmp_path / "papers.jsonl"
    path.write_text(json.dumps(record) + "\n")
    import_items(store, read_kaggle(LineSource(path)))
    with client_for(config) as c:
        yield c


def test_a_card_shows_the_title_and_abstract_math_as_mathml_and_no_author_text_as_markup(client: TestClient) -> None:
    page = soup(client.get("/authors/" + AUTHOR.replace(" ", "%20")).text)
    card = page.select_one(f'li[id="paper-{PAPER}"]')
    assert card is not None
    title = card.select_one("h3 a")
    assert title is not None and title.select_one("math msup mn") is not None  # SP$^3$
    assert title.get_text().startswith("SP3") and "$" not in title.get_text()
    abstract = card.select_one("p.abstract")
    assert abstract is not None
    assert any(m.select_one("msup mi") and m.select_one("msup mi").get_text() == "k" for m in abstract.select("math"))
    assert abstract.select_one("strong") is not None and abstract.select_one("strong").get_text() == "MBench"
    assert r"$\frac{1}{$" in abstract.get_text()  # malformed: the source, not an error
    assert card.select("script") == [] and not card.select("[href^=javascript]")
    assert card.select_one(".cat") is not None and card.select_one(".cat").get_text() == "cs.CV"


def test_a_search_snippet_marks_the_matches_and_renders_its_latex(client: TestClient) -> None:
    page = soup(client.get("/papers", params={"q": "MBench restoration"}).text)
    snippet = page.select_one(f'li[id="paper-{PAPER}"] p.abstract')
    assert snippet is not None
    assert snippet.select_one("strong mark") is not None and snippet.select_one("strong mark").get_text() == "MBench"
    assert snippet.select_one("math") is not None and "k^{*}" not in snippet.get_text()
    assert snippet.select("script") == []
    # A formula holding a matched word is marked whole.
    page = soup(client.get("/papers", params={"q": "rate k"}).text)
    snippet = page.select_one(f'li[id="paper-{PAPER}"] p.abstract')
    assert snippet is not None and snippet.select_one("mark > math") is not None


def test_the_tab_title_feeds_and_suggestions_read_the_latex_as_plain_text(client: TestClient) -> None:
    page = soup(client.get(f"/papers/{PAPER}").text)
    assert page.title is not None and page.title.get_text().startswith("SP³: Spherical Priors for Plug-and-Play")
    for fmt in ("atom", "rss"):
        feed = feedparser.parse(client.get(f"/papers.{fmt}", params={"q": "spherical priors"}).content)
        entry = next(e for e in feed.entries if PAPER in e.link)
        assert entry.title == "SP³: Spherical Priors for Plug-and-Play Restoration"
        assert "$" not in entry.summary and "\\textbf" not in entry.summary and "<script" not in entry.summary
    found = client.get("/search/suggest", params={"q": "spherical priors"}).json()["suggestions"]
    assert {"id": PAPER, "title": plain(TITLE), "url": f"/papers/{PAPER}"} in found


def test_urls_in_the_arxiv_comments_become_links_and_javascript_does_not(client: TestClient) -> None:
    page = soup(client.get(f"/papers/{PAPER}").text)
    links = page.select('main a[href="https://github.com/ada/sp3"]')
    comment_links = [a for a in links if a.get("rel") == ["nofollow", "noopener"]]
    assert comment_links and comment_links[0].get_text() == "https://github.com/ada/sp3"
    assert not page.select("[href^=javascript]") and "javascript:alert(1)" in page.get_text()
    assert page.select("main b") == []  # the <b> an author typed is text


def test_an_avatar_is_the_same_svg_for_the_same_name_and_a_bad_name_is_a_400(client: TestClient) -> None:
    first = client.get("/avatars/ada-lovelace.svg")
    assert first.status_code == 200 and first.headers["content-type"].startswith("image/svg+xml")
    assert "max-age" in first.headers["cache-control"] and ">AL</text>" in first.text
    assert client.get("/avatars/ada-lovelace.svg").content == first.content
    assert client.get("/avatars/babbage.svg").text != first.text
    again = client.get("/avatars/ada-lovelace.svg", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    for bad in ("bad%20name", "%3Cscript%3E", "-dash-first", "x" * 70):
        refused = client.get(f"/avatars/{bad}.svg")
        assert refused.status_code == 400 and "avatar name" in refused.text, bad
    assert client.get("/avatars/ada-lovelace.png").status_code == 404


def test_every_submitted_card_shows_the_submitters_avatar_and_the_favicon_is_served(
    config: Config, store: Store, shared: Path
) -> None:
    day = hf_days(shared, 1)[0]
    load_days(store, [day])
    with client_for(config) as c:
        page = soup(c.get(f"/papers/date/{day['date']}").text)
        cards = page.select("ol.cards > li")
        assert cards
        for card in cards:
            submitter = card.select_one(".submitter a")
            if submitter is not None:
                avatar = card.select_one(".submitter img")
                assert avatar is not None and avatar["alt"] == ""
                assert avatar["src"] == f"/avatars/{submitter.get_text()}.svg"
        icon = c.get("/favicon.ico")
        assert icon.status_code == 200 and icon.content[:4] == b"\x00\x00\x01\x00"
        assert c.get("/static/favicon.svg").status_code == 200
        assert page.select_one('link[rel=icon][href="/static/favicon.svg"]') is not None


def test_a_submission_of_an_id_that_cannot_exist_is_answered_in_words(client: TestClient) -> None:
    sign_up(client, "ada")
    token = csrf_from(client, "/papers/submit")
    refused = client.post("/papers/submit", data={"arxiv_id": "2699.99999", "csrf_token": token})
    flash = soup(refused.text).select_one(".flash.error")
    assert refused.status_code == 400 and flash is not None
    assert flash.get_text().startswith("We couldn't find arXiv paper 2699.99999") and "'2699" not in flash.get_text()


def test_no_page_with_cards_jumps_from_h1_to_h3(client: TestClient, store: Store) -> None:
    ada = accounts.create_account(store, "ada", "correct horse battery")
    shelf = collection_service.create_collection(store, ada, "Spheres")
    collection_service.add_item(store, ada, shelf.slug, PAPER)
    pages = ["/papers?q=spherical", "/authors/Ada%20Lovelace", f"/papers/{PAPER}", f"/collections/{shelf.slug}"]
    for path in [*pages, "/u/ada", "/papers/trending"]:
        page = soup(client.get(path).text)
        levels = [int(h.name[1]) for h in page.select("h1, h2, h3, h4, h5, h6")]
        assert levels and levels[0] == 1, path
        jumps = [(a, b) for a, b in pairwise(levels) if b > a + 1]
        assert not jumps, (path, levels)


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        ("SP$^3$: fast", "SP³: fast"),
        (r"The $\ell_2$ norm, 10% of R&D, $10^{-3}$", "The ℓ₂ norm, 10% of R&D, 10⁻³"),
        (r"\textbf{MBench} and ``quotes''", "MBench and “quotes”"),
        (r"\href{javascript:alert(1)}", r"\href{javascript:alert(1)}"),  # pylatexenc fails: the source
        ("no LaTeX at all", "no LaTeX at all"),
    ],
)
def test_plain_text_of_latex_reads_as_unicode_and_falls_back_to_the_source(latex: str, text: str) -> None:
    assert plain(latex) == text


def test_mathml_keeps_only_presentation_markup_and_gives_up_on_what_it_cannot_render() -> None:
    linked = formula(r"\href{javascript:alert(1)}{x}")
    assert linked is not None and "href" not in linked and "javascript" not in linked
    assert formula(r"\frac{1}{") is None and formula(r"\notamacro{x}") is None and formula("") is None
    escaped = tex_html("$x</math><script>alert(1)</script>$ and <img src=x onerror=alert(1)>")
    assert "<script" not in escaped and "<img" not in escaped and "&lt;img" in escaped
    snippet = tex_snippet("&lt;b&gt; $<mark>x</mark>^2$ \\textbf{<mark>MBench</mark>}")
    assert snippet.startswith("&lt;b&gt; <mark><math>") and "<strong><mark>MBench</mark></strong>" in snippet
    assert 'href="https://a.org/x"' in tex_links("see https://a.org/x.") and "<a" not in tex_links("javascript:x()")
