"""What the site sends out is safe: only http(s) links (pages, API, feeds, email), sanitised feed HTML, and the
security headers (CSP without inline script or style, no framing, nosniff, referrer policy, HSTS on https)."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import feedparser
import pytest
from fastapi.testclient import TestClient

from dailypapers.config import Config
from dailypapers.domain import safe_url
from dailypapers.ingest.hf_daily import items_for_day
from dailypapers.services.imports import import_items
from dailypapers.services.subscriptions import Preferences, subscribe
from dailypapers.storage import Store
from dailypapers.storage.papers import paper_by_id, paper_rows_by_ids, update_papers, versions_by_paper
from dailypapers.testing.smtp import smtp_server
from dailypapers.web.context import WEB_DIR
from helpers.feed_data import add, listed, paper
from helpers.site import client_for, hf_days, sign_up, soup

EVIL = "javascript:alert(8)"
SAFE_HREF = re.compile(r"^(https?://|/(?!/)|#|\?|mailto:)")


@pytest.fixture
def day(store: Store, shared: Path) -> dict[str, Any]:
    """One real Hugging Face day whose first paper claims a `javascript:` repository, imported as HF sends it."""
    (loaded,) = hf_days(shared, 1, skip=13)  # a day whose items name their submitters
    loaded = copy.deepcopy(loaded)
    loaded["papers"].sort(key=lambda item: not item.get("submittedBy"))
    loaded["papers"][0]["paper"]["githubRepo"] = EVIL
    loaded["papers"][1]["paper"]["githubRepo"] = "https://github.com/example/repo"
    import_items(store, list(items_for_day(1, loaded["papers"], date.fromisoformat(loaded["date"]))))
    return loaded


@pytest.fixture
def client(config: Config, store: Store) -> Iterator[TestClient]:
    with client_for(config, store) as c:
        yield c


def _store_link_as_an_old_version_would(store: Store, paper_id: str, url: str) -> None:
    """A row written before links were checked: the pages must still never render it."""
    with store.write() as conn:
        row = paper_rows_by_ids(conn, [paper_id])[paper_id]
        versions = versions_by_paper(conn, [paper_id]).get(paper_id, [])
        update_papers(conn, [{**row, "code_url": url, "_versions": versions}])


def _hrefs(html: str) -> list[str]:
    return [str(a["href"]) for a in soup(html).select("[href]")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://github.com/a/b", "https://github.com/a/b"),
        ("  http://gitlab.com/a/b ", "http://gitlab.com/a/b"),
        (EVIL, None),
        ("JaVaScRiPt:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("//evil.example/x", None),
        ("https:/evil", None),
        ("https://exa mple.org", None),
        ('https://x.org/"onmouseover="alert(1)', None),
        ("vbscript:msgbox(1)", None),
        ("", None),
        (None, None),
    ],
)
def test_only_absolute_http_and_https_urls_are_safe(text: str | None, expected: str | None) -> None:
    assert safe_url(text) == expected


def test_an_imported_javascript_repository_link_is_not_stored(store: Store, day: dict[str, Any]) -> None:
    evil_id, good_id = (day["papers"][i]["paper"]["id"] for i in (0, 1))
    with store.read() as conn:
        evil, good = paper_by_id(conn, evil_id), paper_by_id(conn, good_id)
    assert evil is not None and evil.code_url != EVIL and not (evil.code_url or "").startswith("javascript")
    assert good is not None and good.code_url == "https://github.com/example/repo"


def test_a_javascript_link_stored_before_the_check_is_rendered_nowhere(
    client: TestClient, store: Store, day: dict[str, Any]
) -> None:
    evil_id = day["papers"][0]["paper"]["id"]
    _store_link_as_an_old_version_would(store, evil_id, EVIL)
    sign_up(client, "reader")
    submitter = day["papers"][0]["submittedBy"]["user"]
    words = " ".join(day["papers"][0]["paper"]["title"].split()[:4])
    pages = [
        "/papers",
        f"/papers/date/{day['date']}",
        "/papers/trending",
        f"/papers?q={words}",
        f"/u/{submitter}",
        f"/papers/{evil_id}",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert evil_id in response.text, path
        unsafe = [href for href in _hrefs(response.text) if not SAFE_HREF.match(href)]
        assert not unsafe, (path, unsafe)
        assert "javascript:" not in response.text.lower(), path
    api = client.get(f"/api/papers/{evil_id}").json()
    assert api["githubRepo"] is None
    assert EVIL not in client.get(f"/papers/{evil_id}.md").text
    for feed in ("/papers.rss", "/papers.atom", "/papers/trending.rss", "/papers/trending.atom"):
        assert "javascript:" not in client.get(feed).text.lower(), feed


def test_digest_email_links_are_all_http(store: Store, config: Config, day: dict[str, Any]) -> None:
    from dailypapers.services.digests import send_due_digests

    _store_link_as_an_old_version_would(store, day["papers"][0]["paper"]["id"], EVIL)
    listed_day = date.fromisoformat(day["date"])
    with smtp_server() as (handler, url):
        mail = Config(
            {
                **config.values,
                "DAILYPAPERS_SMTP_URL": url,
                "DAILYPAPERS_MAIL_RATE": "0",
                "DAILYPAPERS_MAIL_BACKOFF": "0",
            }
        )
        subscribe(store, mail, "ada@example.org", preferences=Preferences(top_n=50), confirmed=True)
        send_due_digests(store, mail, date.fromordinal(listed_day.toordinal() + 1))
    (message,) = handler.to("ada@example.org")
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    hrefs = _hrefs(html)
    assert hrefs and all(href.startswith(("http://", "https://")) for href in hrefs), hrefs
    assert "javascript:" not in html.lower()


SCRIPT_ABSTRACT = (
    'We <script>alert("feed")</script> show <img src=x onerror="alert(2)"> that '
    '<a href="javascript:alert(3)">links</a> and \\emph{emphasis} survive $x<y$.'
)


@pytest.mark.parametrize("path", ["/papers.rss", "/papers.atom", "/papers/trending.rss", "/papers/trending.atom"])
def test_feed_html_is_a_sanitised_subset_whatever_an_abstract_holds(
    client: TestClient, store: Store, path: str
) -> None:
    record = paper("2611.00002", abstract=SCRIPT_ABSTRACT, title="A <script>title</script>")
    record.repo_url = "https://github.com/example/code"
    add(store, listed(record, date.today()))
    feed = feedparser.parse(client.get(path).content, sanitize_html=False)  # what a naive reader decodes
    (entry,) = feed.entries
    detail = entry.summary_detail
    assert detail.type == "text/html"
    fragment = soup(detail.value)
    assert {tag.name for tag in fragment.find_all(True)} <= {"p", "em", "strong", "code", "span", "a", "br"}
    assert not fragment.find_all(attrs={"onerror": True}) and "<script" not in detail.value
    assert [a["href"] for a in fragment.find_all("a")] == ["https://github.com/example/code"]
    assert "alert(&quot;feed&quot;)" in detail.value or 'alert("feed")' in fragment.get_text()
    assert fragment.find("em") is not None and fragment.find("em").get_text() == "emphasis"


def _csp(response: Any) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize(
    "path",
    ["/papers", "/papers/trending", "/api/daily_papers", "/papers.rss", "/static/site.css", "/nowhere", "/api/docs"],
)
def test_every_answer_carries_the_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path)
    csp = _csp(response)
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert "'unsafe-inline'" not in csp["style-src"]
    assert csp["frame-ancestors"] == "frame-ancestors 'none'" and csp["object-src"] == "object-src 'none'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "strict-transport-security" not in response.headers  # the site URL is http


def test_hsts_only_when_the_site_url_is_https(config: Config, store: Store) -> None:
    https = Config({**config.values, "DAILYPAPERS_SITE_URL": "https://papers.example.org"})
    with client_for(https, store) as client:
        assert client.get("/papers").headers["strict-transport-security"].startswith("max-age=")
        assert client.get("/api/daily_papers").headers["strict-transport-security"].startswith("max-age=")


def test_templates_hold_no_inline_script_style_or_handlers() -> None:
    """The CSP allows none of these; a template that adds one breaks in the browser, so it fails here first."""
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+\s*=", re.IGNORECASE)
    found = [
        f"{path.relative_to(WEB_DIR)}: {match.group(0)}"
        for path in (WEB_DIR / "templates").rglob("*.html")
        for match in inline.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not found
