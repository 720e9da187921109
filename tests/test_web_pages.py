"""The site's pages over real daily lists: feeds with navigation, trending, paper pages, submissions, profiles.

Every page is fetched in-process over HTTP and read with an HTML parser; each test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from dailypapers.config import Config
from dailypapers.queries import feed as feed_queries
from dailypapers.services import accounts
from dailypapers.services.fetches import run_due_fetches
from dailypapers.services.submissions import today
from dailypapers.storage import Store
from dailypapers.testing.replay import ReplayServer
from helpers.site import client_for, csrf_from, hf_days, load_days, sign_in, sign_up, soup

SEVEN_DAYS = 7  # 2024-05-27 … 2024-06-04 in the shared data: a weekend gap, two ISO weeks, two months


@pytest.fixture
def days(store: Store, shared: Path) -> list[dict[str, Any]]:
    loaded = hf_days(shared, SEVEN_DAYS)
    load_days(store, loaded)
    return loaded


@pytest.fixture
def client(config: Config, store: Store, days: list[dict[str, Any]]) -> Iterator[TestClient]:
    with client_for(config) as c:
        yield c


def card_ids(html: str) -> list[str]:
    return [str(li["id"]).removeprefix("paper-") for li in soup(html).select("ol.cards > li.card")]


def nav_links(html: str) -> dict[str, str | None]:
    page = soup(html)
    prev, nxt = page.select_one('.daynav a[rel="prev"]'), page.select_one('.daynav a[rel="next"]')
    return {"prev": str(prev["href"]) if prev else None, "next": str(nxt["href"]) if nxt else None}


def expected_order(day: dict[str, Any]) -> list[str]:
    """The day's papers by upvotes, most first (as the recorded HF API reported them)."""
    items = [(item["paper"].get("upvotes", 0), item["paper"]["id"]) for item in day["papers"]]
    return [pid for _, pid in sorted(items, key=lambda t: -t[0])]


def test_home_redirects_to_the_feed_which_shows_the_latest_day(client: TestClient, days: list[dict[str, Any]]) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 302 and response.headers["location"] == "/papers"
    page = client.get("/papers")
    assert page.status_code == 200
    latest = days[-1]
    ids = card_ids(page.text)
    assert sorted(ids) == sorted(p["paper"]["id"] for p in latest["papers"])
    counts = [int(c.get_text()) for c in soup(page.text).select("ol.cards > li .vote .count")]
    assert counts == sorted(counts, reverse=True)
    assert nav_links(page.text) == {"prev": "/papers/date/2024-06-03", "next": None}


def test_day_navigation_skips_days_without_papers(client: TestClient) -> None:
    friday = client.get("/papers/date/2024-05-31")
    assert nav_links(friday.text) == {"prev": "/papers/date/2024-05-30", "next": "/papers/date/2024-06-03"}
    saturday = client.get("/papers/date/2024-06-01")
    assert saturday.status_code == 200 and card_ids(saturday.text) == []
    assert soup(saturday.text).select_one(".empty") is not None
    assert nav_links(saturday.text) == {"prev": "/papers/date/2024-05-31", "next": "/papers/date/2024-06-03"}
    first = client.get("/papers/date/2024-05-27")
    assert nav_links(first.text)["prev"] is None


def test_a_day_lists_its_papers_by_upvotes_with_card_details(client: TestClient, days: list[dict[str, Any]]) -> None:
    day = days[0]
    page = client.get(f"/papers/date/{day['date']}")
    ids = card_ids(page.text)
    assert set(ids) == {p["paper"]["id"] for p in day["papers"]}
    top = expected_order(day)[0]
    assert ids[0] == top
    card = soup(page.text).select_one(f'li[id="paper-{top}"]')
    assert card is not None
    paper = next(p["paper"] for p in day["papers"] if p["paper"]["id"] == top)
    assert card.select_one("h3 a").get_text(strip=True) == " ".join(paper["title"].split())  # type: ignore[union-attr]
    names = [a["name"] for a in paper["authors"]]
    authors = card.select_one(".authors").get_text(strip=True)  # type: ignore[union-attr]
    assert authors.startswith(names[0]) and (len(names) <= 4 or authors.endswith(f"+{len(names) - 4}"))
    assert card.select_one(".count").get_text() == str(paper["upvotes"])  # type: ignore[union-attr]


def test_week_and_month_pages_page_through_papers_and_link_neighbours(client: TestClient) -> None:
    week = client.get("/papers/week/2024-W22")
    assert week.status_code == 200
    assert len(card_ids(week.text)) == 50  # 59 papers that week: a page of 50 and a link to the rest
    more = soup(week.text).select_one('a[href*="page=1"]')
    assert more is not None
    rest = client.get(str(more["href"]))
    assert len(card_ids(rest.text)) == 9 and not set(card_ids(rest.text)) & set(card_ids(week.text))
    assert nav_links(week.text) == {"prev": None, "next": "/papers/week/2024-W23"}
    month = client.get("/papers/month/2024-06")
    assert len(card_ids(month.text)) == 12
    assert nav_links(month.text) == {"prev": "/papers/month/2024-05", "next": None}
    tabs = {a.get_text(): a["href"] for a in soup(month.text).select("nav.tabs a")}
    assert tabs["Daily"] == "/papers/date/2024-06-01" and tabs["Weekly"] == "/papers/week/2024-W22"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/papers/date/2024-13-01", "write it as YYYY-MM-DD"),
        ("/papers/week/2024-W60", "write it as YYYY-Www"),
        ("/papers/month/24-05", "write it as YYYY-MM"),
        ("/papers/date/2024-05-27?sort=loudest", "unknown sort"),
        ("/papers/date/2024-05-27?page=-1", "page"),
    ],
)
def test_bad_periods_and_parameters_are_a_400_with_a_message(client: TestClient, path: str, message: str) -> None:
    response = client.get(path)
    assert response.status_code == 400
    assert message in soup(response.text).select_one("main").get_text()  # type: ignore[union-attr]


def test_trending_shows_papers_in_the_order_of_the_documented_score(
    client: TestClient, config: Config, store: Store
) -> None:
    page = client.get("/papers/trending")
    assert page.status_code == 200
    expected = [item.paper.id for item in feed_queries.trending(store, config, limit=50).items]
    assert card_ids(page.text) == expected and expected
    # Decay at work: the page is not simply the most upvoted papers of the window.
    upvotes = [int(c.get_text()) for c in soup(page.text).select("ol.cards > li .vote .count")]
    assert upvotes != sorted(upvotes, reverse=True)


def test_the_paper_page_shows_metadata_versions_days_and_vendored_katex(
    client: TestClient, days: list[dict[str, Any]]
) -> None:
    item = days[0]["papers"][0]["paper"]
    response = client.get(f"/papers/{item['id']}")
    assert response.status_code == 200
    page = soup(response.text)
    assert page.select_one("h1").get_text(strip=True) == " ".join(item["title"].split())  # type: ignore[union-attr]
    authors = [a.get_text() for a in page.select("p.authors a")]
    assert authors == [a["name"] for a in item["authors"]]
    assert [a.get_text() for a in page.select("ul.listed-days a")] == ["May 27, 2024"]
    assert [a.get_text() for a in page.select("ul.versions a")] == ["v1"]
    hrefs = {a["href"] for a in page.select(".links a")}
    assert f"https://arxiv.org/abs/{item['id']}" in hrefs and f"https://arxiv.org/pdf/{item['id']}" in hrefs
    assert page.select_one(".abstract-full.tex") is not None
    external = [tag.get("src") or tag.get("href") for tag in page.select("script[src], link[rel=stylesheet]")]
    external = [url for url in external if not str(url).startswith("/static/")]
    assert external == []
    for asset in ("/static/katex/katex.min.js", "/static/katex/katex.min.css", "/static/site.css"):
        assert client.get(asset).status_code == 200


def test_paper_addresses_with_a_version_redirect_and_bad_ids_are_not_found(client: TestClient) -> None:
    response = client.get("/papers/2405.15738v3", follow_redirects=False)
    assert response.status_code == 301 and response.headers["location"] == "/papers/2405.15738"
    bad = client.get("/papers/not-an-id")
    assert bad.status_code == 404 and "not an arXiv id" in bad.text


def test_an_unknown_paper_offers_members_a_queued_fetch_from_arxiv(
    config: Config, store: Store, days: list[dict[str, Any]], shared: Path
) -> None:
    with ReplayServer() as arxiv:
        arxiv.load_arxiv_api(shared / "fixtures" / "arxiv-api")
        live = queue_config(config, arxiv)
        with client_for(live) as client:
            missing = client.get("/papers/1605.08386")
            assert missing.status_code == 404
            assert soup(missing.text).select_one('form[action="/papers/1605.08386/fetch"]') is None
            assert soup(missing.text).select_one('a[href="/signin?next=/papers/1605.08386"]') is not None
            sign_up(client, "ada")
            form = soup(client.get("/papers/1605.08386").text).select_one('form[action="/papers/1605.08386/fetch"]')
            assert form is not None
            token = form.select_one("input[name=csrf_token]")["value"]  # type: ignore[index]
            queued = client.post("/papers/1605.08386/fetch", data={"csrf_token": token})
            assert queued.status_code == 200 and queued.url.path == "/papers/1605.08386"
            assert "being fetched from arXiv" in queued.text
            assert arxiv.requests == [], "the request answered before anyone asked arXiv"
            assert run_due_fetches(store, live).done == ["1605.08386"]
            arrived = client.get("/papers/1605.08386")
            title = soup(arrived.text).select_one("h1").get_text(" ", strip=True)  # type: ignore[union-attr]
            assert "Heat-bath random walks with Markov bases" in title


def queue_config(config: Config, arxiv: ReplayServer) -> Config:
    """The replayed arXiv, no pacing, and no background worker: the test runs the queue's steps itself."""
    values = {"DAILYPAPERS_ARXIV_API_URL": arxiv.url + "/api/query", "DAILYPAPERS_HTTP_DELAY": "0"}
    return Config({**config.values, **values, "DAILYPAPERS_FETCH_WORKER": "0", "DAILYPAPERS_HTTP_BACKOFF": "0.01"})


def submit(client: TestClient, arxiv_id: str, **extra: str) -> Any:
    token = csrf_from(client, "/papers/submit")
    return client.post("/papers/submit", data={"arxiv_id": arxiv_id, "csrf_token": token, **extra})


def test_members_submit_to_today_and_duplicates_or_bad_ids_get_a_message(
    client: TestClient, days: list[dict[str, Any]]
) -> None:
    assert client.get("/papers/submit", follow_redirects=False).headers["location"].startswith("/signin")
    sign_up(client, "ada")
    paper_id = days[0]["papers"][3]["paper"]["id"]
    response = submit(client, f"https://arxiv.org/abs/{paper_id}v1", comment="worth a read")
    assert response.status_code == 200
    assert response.url.path == f"/papers/date/{today().isoformat()}"
    card = soup(response.text).select_one(f'li[id="paper-{paper_id}"]')
    assert card is not None and card.select_one('a[href="/u/ada"]') is not None
    for text, message in [
        (paper_id, "already on the list"),
        ("not a paper", "not an arXiv id"),
    ]:
        refused = submit(client, text)
        assert refused.status_code == 400
        assert message in soup(refused.text).select_one(".flash.error").get_text()  # type: ignore[union-attr]
    past = submit(client, paper_id, day="2024-05-28")
    assert past.status_code == 400
    assert "Members submit to today's list" in soup(past.text).select_one(".flash.error").get_text()  # type: ignore[union-attr]


def test_a_submission_of_an_unknown_paper_is_queued_and_listed_when_it_arrives(
    config: Config, store: Store, days: list[dict[str, Any]], shared: Path
) -> None:
    with ReplayServer() as arxiv:
        arxiv.load_arxiv_api(shared / "fixtures" / "arxiv-api")
        live = queue_config(config, arxiv)
        with client_for(live) as client:
            sign_up(client, "ada")
            response = submit(client, "arXiv:1707.08567", comment="worth a read")
            assert response.status_code == 200 and response.url.path == "/papers/1707.08567"
            page = soup(response.text)
            assert "being fetched from arXiv" in page.get_text() and today().isoformat() in page.get_text()
            assert page.select_one("[data-fetch-status]")["data-fetch-status"] == "/api/fetches/1707.08567"  # type: ignore[index]
            assert arxiv.requests == []
            assert "1707.08567" not in card_ids(client.get(f"/papers/date/{today().isoformat()}").text)
            gone = submit(client, "1707.99999")
            assert gone.status_code == 200 and "being fetched" in gone.text
            run = run_due_fetches(store, live)
            assert (run.done, run.not_found, run.requests) == (["1707.08567"], ["1707.99999"], 1), "one id_list request"
            listed = client.get(f"/papers/date/{today().isoformat()}")
            card = soup(listed.text).select_one('li[id="paper-1707.08567"]')
            assert card is not None and card.select_one('a[href="/u/ada"]') is not None
            assert "worth a read" in card.get_text()
            missing = client.get("/papers/1707.99999")
            assert missing.status_code == 404 and "arXiv has no paper 1707.99999" in missing.text


def test_curators_add_to_any_day_and_hide_items(
    config: Config, store: Store, client: TestClient, days: list[dict[str, Any]]
) -> None:
    accounts.create_account(store, "grace", "compiler rules", role="curator")
    sign_in(client, "grace", "compiler rules")
    paper_id = days[0]["papers"][0]["paper"]["id"]
    form = soup(client.get("/papers/submit").text).select_one('input[name="day"]')
    assert form is not None
    response = submit(client, paper_id, day="2024-05-28")
    assert response.status_code == 200 and paper_id in card_ids(response.text)
    hide_form = soup(response.text).select_one(f'li[id="paper-{paper_id}"] form[action^="/listings/"]')
    assert hide_form is not None
    token = hide_form.select_one("input[name=csrf_token]")["value"]  # type: ignore[index]
    hidden = client.post(str(hide_form["action"]), data={"csrf_token": token, "hidden": "1"})
    assert hidden.status_code == 200
    shown = soup(hidden.text).select_one(f'li[id="paper-{paper_id}"]')
    assert shown is not None and "hidden-item" in shown["class"]  # curators still see it, greyed
    with client_for(config) as visitor:
        assert paper_id not in card_ids(visitor.get("/papers/date/2024-05-28").text)
        sign_up(visitor, "ada")
        token = csrf_from(visitor, "/papers/submit")
        refused = visitor.post(str(hide_form["action"]), data={"csrf_token": token, "hidden": "0"})
        assert refused.status_code == 403


def test_profiles_list_submissions_upvotes_and_make_api_tokens_once(
    client: TestClient, store: Store, days: list[dict[str, Any]]
) -> None:
    sign_up(client, "ada")
    paper_id = days[1]["papers"][0]["paper"]["id"]
    submitted = submit(client, paper_id, comment="a clear baseline")
    comment = soup(submitted.text).select_one(f'li[id="paper-{paper_id}"] p.comment')
    assert comment is not None and comment.get_text() == "“a clear baseline”"
    token = csrf_from(client, "/u/ada")
    client.post(f"/papers/{paper_id}/upvote", data={"csrf_token": token})
    profile = soup(client.get("/u/ada").text)
    assert [li["id"] for li in profile.select("section[aria-labelledby=subs-h] li.card")] == [f"paper-{paper_id}"]
    assert [li["id"] for li in profile.select("ol.upvoted li.card")] == [f"paper-{paper_id}"]
    form = profile.select_one('form[action="/settings/tokens"]')
    assert form is not None
    created = client.post("/settings/tokens", data={"csrf_token": token, "name": "laptop"})
    # Shown by the POST's own response (not via the readable session cookie and a redirect), and not cached.
    assert created.history == [] and created.headers["cache-control"] == "no-store"
    shown = soup(created.text).select_one("#new-token")
    assert shown is not None
    ada = accounts.account_for_api_token(store, shown.get_text(strip=True))
    assert ada is not None and ada.username == "ada"
    again = soup(client.get("/u/ada").text)
    assert again.select_one("#new-token") is None  # shown once only
    revoke = again.select_one("ul.tokens form")
    assert revoke is not None
    client.post(str(revoke["action"]), data={"csrf_token": token})
    assert accounts.account_for_api_token(store, shown.get_text(strip=True)) is None
    assert soup(client.get("/u/ada").text).select("ul.tokens li") == []
    with client_for(client.app.state.config) as visitor:  # type: ignore[attr-defined]
        other = soup(visitor.get("/u/ada").text)
        assert other.select_one('form[action="/settings/tokens"]') is None
        assert visitor.get("/u/nobody-here").status_code == 404


def test_healthz_answers_ok_when_the_store_does(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok", "writable": True}


def test_unknown_pages_are_a_friendly_404(client: TestClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert soup(response.text).select_one("h1").get_text() == "Not found"  # type: ignore[union-attr]


def test_the_app_refuses_to_start_on_an_outdated_schema(tmp_path: Path) -> None:
    from dailypapers.storage.migrate import SchemaOutdated
    from dailypapers.web.app import create_app

    config = Config.from_env({}, DAILYPAPERS_HOME=str(tmp_path / "empty"))
    with pytest.raises(SchemaOutdated, match="dailypapers db upgrade"):
        create_app(config)


def test_every_site_route_is_documented() -> None:
    from dailypapers.web.routes import ROUTES

    doc = (Path(__file__).resolve().parents[1] / "docs" / "site.md").read_text()
    mine = {"pages_feed", "pages_paper", "pages_submit", "pages_account", "system"}
    missing = [r.path for r in ROUTES if r.handler.__module__.rsplit(".", 1)[1] in mine and f"`{r.path}`" not in doc]
    assert missing == []


def count_queries(client: TestClient, store: Store, path: str) -> int:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    return len(statements)


def test_feed_pages_issue_a_fixed_number_of_queries_whatever_their_size(
    config: Config, store: Store, days: list[dict[str, Any]]
) -> None:
    sizes = {d["date"]: len(d["papers"]) for d in days}
    assert sizes["2024-06-03"] == 6 and sizes["2024-05-28"] == 15
    with client_for(config, store) as client:
        small = count_queries(client, store, "/papers/date/2024-06-03")
        large = count_queries(client, store, "/papers/date/2024-05-28")
        week = count_queries(client, store, "/papers/week/2024-W22")  # 50 cards
        assert small == large == week
        sign_up(client, "ada")
        signed_small = count_queries(client, store, "/papers/date/2024-06-03")
        signed_week = count_queries(client, store, "/papers/week/2024-W22")
        assert signed_small == signed_week
        trending_full = count_queries(client, store, "/papers/trending")  # 50 cards from 7 days
    one_day = Config({**config.values, "DAILYPAPERS_TRENDING_DAYS": "1"})
    with client_for(one_day, store) as client:
        sign_up(client, "grace")
        assert count_queries(client, store, "/papers/trending") == trending_full  # 6 cards


def test_search_shows_highlighted_hits_with_filters_and_jumps_to_an_exact_id(
    client: TestClient, days: list[dict[str, Any]]
) -> None:
    response = client.get("/papers", params={"q": "ConvLLaVA"})
    assert response.status_code == 200
    page = soup(response.text)
    assert card_ids(response.text)[0] == "2405.15738"
    assert page.select_one("ol.cards li .abstract mark") is not None
    assert page.select_one('form.filters input[name="q"]')["value"] == "ConvLLaVA"  # type: ignore[index]
    exact = client.get("/papers", params={"q": "https://arxiv.org/abs/2405.15738"}, follow_redirects=False)
    assert exact.status_code == 302 and exact.headers["location"] == "/papers/2405.15738"
    bad = client.get("/papers", params={"q": "vision", "sort": "loudest"})
    assert bad.status_code == 400 and "unknown sort" in bad.text
    empty = client.get("/papers", params={"q": "zzzzqqqxxy"})
    assert empty.status_code == 200 and card_ids(empty.text) == []


def test_text_mode_latex_becomes_html_while_math_is_left_for_katex() -> None:
    from dailypapers.web.tex import tex_text

    html = tex_text(r"an LLM \emph{rewriter} at ``low'' cost, $\emph{x}+1$~F1, <b>no</b> 10\%")
    parsed = soup(f"<p>{html}</p>")
    assert [e.get_text() for e in parsed.select("em")] == ["rewriter"]
    assert parsed.select("b") == []  # authors' text is escaped, never markup
    assert parsed.get_text() == "an LLM rewriter at \u201clow\u201d cost, $\\emph{x}+1$\u00a0F1, <b>no</b> 10%"


def test_serve_refuses_an_outdated_store_or_a_bad_port_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from dailypapers.cli.main import app

    monkeypatch.setenv("DAILYPAPERS_HOME", str(tmp_path / "fresh"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    result = CliRunner().invoke(app, ["serve", "--port", "8123"])
    assert result.exit_code == 1
    assert "dailypapers db upgrade" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    result = CliRunner().invoke(app, ["serve", "--port", "70000"])
    assert result.exit_code == 2 and "--port must be between 1 and 65535" in result.stderr
