"""What an attacker tries against accounts: cross-site posts, open redirects, imported names, others' addresses."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from dailypapers.config import Config
from dailypapers.domain import PaperRecord
from dailypapers.queries.subscriptions import subscriber_by_email
from dailypapers.services import accounts
from dailypapers.services.imports import import_papers
from dailypapers.storage import Store
from dailypapers.testing.smtp import smtp_server
from dailypapers.web.redirects import same_site_path
from dailypapers.web.routes import ROUTES
from helpers.digest import links_in, mail_config
from helpers.site import client_for, csrf_from, hf_days, load_days, sign_in, sign_up, soup

SITE = "http://127.0.0.1:8000"


def test_no_route_handler_runs_on_the_event_loop() -> None:
    """Every handler is a plain `def` (FastAPI runs it in the thread pool), so argon2, the store, SMTP or arXiv
    never block other requests; forms are read on the loop by the async `CsrfForm` dependency only."""
    coroutines = [f"{r.path} {r.methods}" for r in ROUTES if inspect.iscoroutinefunction(r.handler)]
    assert coroutines == []


def test_a_post_from_another_site_is_refused_even_with_a_valid_token(config: Config, store: Store) -> None:
    accounts.create_account(store, "ada", "analytical engine")
    with client_for(config) as client:
        token = csrf_from(client, "/signin")
        data = {"username": "ada", "password": "analytical engine", "csrf_token": token}
        forged = client.post("/signin", data=data, headers={"Origin": "https://evil.example"})
        assert forged.status_code == 403
        message = soup(forged.text).select_one("main p")
        assert message is not None and "another site (https://evil.example)" in message.get_text()
        by_referer = client.post("/signin", data=data, headers={"Referer": "https://evil.example/page"})
        assert by_referer.status_code == 403
        null_origin = client.post("/signin", data=data, headers={"Origin": "null"})
        assert null_origin.status_code == 403
        same = client.post("/signin", data=data, headers={"Origin": SITE}, follow_redirects=False)
        assert same.status_code == 303


def test_an_upvote_never_redirects_off_the_site(config: Config, store: Store) -> None:
    import_papers(store, [PaperRecord(id="2501.00001", title="T", abstract="A", authors=["X"])])
    with client_for(config) as client:
        sign_up(client, "ada")
        token = csrf_from(client, "/papers/2501.00001")
        for referer, expected in [
            (f"{SITE}//evil.com/x", "/papers/2501.00001"),
            (f"{SITE}/\\evil.com/x", "/papers/2501.00001"),
            ("https://evil.com/papers", "/papers/2501.00001"),
            (f"{SITE}/papers/date/2025-01-02?sort=upvotes", "/papers/date/2025-01-02?sort=upvotes"),
        ]:
            response = client.post(
                "/papers/2501.00001/upvote",
                data={"csrf_token": token, "vote": "1"},
                headers={"Referer": referer},
                follow_redirects=False,
            )
            if referer.startswith("https://evil.com"):  # a foreign Referer is a cross-site post: refused outright
                assert response.status_code == 403
                continue
            assert response.status_code == 303 and response.headers["location"] == expected, referer


@pytest.mark.parametrize(
    "target", ["//evil.com", "/\\evil.com", "https://evil.com/", "/\tevil", "javascript:alert(1)", "", None, "papers"]
)
def test_redirect_targets_outside_the_site_fall_back(target: str | None) -> None:
    assert same_site_path(target) == "/papers"


def test_same_site_paths_are_kept() -> None:
    assert same_site_path("/papers/date/2025-01-02?page=2#x") == "/papers/date/2025-01-02?page=2#x"


def test_signing_up_with_an_imported_submitters_name_is_refused(config: Config, store: Store, shared: Path) -> None:
    load_days(store, hf_days(shared, 2, skip=13))  # days whose papers name their submitters (curator1 …)
    from dailypapers.queries import feed as feed_queries

    names = {
        item.row.submitter.username
        for item in feed_queries.feed(store, config, sort="submitted", limit=100).items
        if item.row.submitter and not item.row.submitter.is_member
    }
    name = sorted(names)[0]
    with client_for(config) as client:
        token = csrf_from(client, "/signup")
        for spelling in (name, name.upper()):
            refused = client.post("/signup", data={"username": spelling, "password": "hijack1234", "csrf_token": token})
            assert refused.status_code == 400 and "imported daily lists" in refused.text
        profile = soup(client.get(f"/u/{name}").text)
    assert accounts.account_named(store, name) is None
    assert profile.select_one(".imported-label") is not None and "not an account on this site" in profile.get_text()
    assert profile.select("ol.cards li")  # the imported history is still shown
    with pytest.raises(accounts.AccountError):
        accounts.create_account(store, name, "hijack1234")  # the CLI's path too


def test_a_member_cannot_take_over_someone_elses_subscription(config: Config, store: Store) -> None:
    with smtp_server() as (handler, url):
        mail = mail_config(config, url, DAILYPAPERS_SITE_URL=SITE)
        with client_for(mail, store) as victim:
            token = csrf_from(victim, "/subscribe")
            victim.post("/subscribe", data={"email": "victim@example.org", "csrf_token": token})
            (first,) = handler.to("victim@example.org")
            (link,) = [u for u in links_in(first) if "/subscribe/confirm/" in u]
            page = victim.get(link.replace(SITE, ""))
            form_token = soup(page.text).select_one("input[name=csrf_token]")["value"]  # type: ignore[index]
            victim.post(link.replace(SITE, ""), data={"csrf_token": form_token})
        assert subscriber_by_email(store, "victim@example.org").status == "active"  # type: ignore[union-attr]
        with client_for(mail, store) as attacker:
            sign_up(attacker, "mallory")
            token = csrf_from(attacker, "/subscribe")
            asked = attacker.post("/subscribe", data={"email": "victim@example.org", "csrf_token": token})
            assert asked.status_code == 200 and "Check your inbox" in asked.text  # the same answer as always
            assert subscriber_by_email(store, "victim@example.org").account_id is None  # type: ignore[union-attr]
            settings = attacker.get("/settings/subscription", follow_redirects=False)
            assert settings.status_code == 303 and settings.headers["location"] == "/subscribe"
            saved = attacker.post("/settings/subscription", data={"csrf_token": token, "top_n": "1"})
            assert saved.status_code == 404
    sub = subscriber_by_email(store, "victim@example.org")
    assert sub is not None and sub.status == "active" and sub.top_n == 10 and sub.account_id is None


def test_following_the_mailed_link_while_signed_in_links_an_active_address(config: Config, store: Store) -> None:
    with smtp_server() as (handler, url):
        mail = mail_config(config, url, DAILYPAPERS_SITE_URL=SITE)
        from dailypapers.services.subscriptions import subscribe

        subscribe(store, mail, "owner@example.org", confirmed=True)  # subscribed before having an account
        with client_for(mail, store) as owner:
            sign_up(owner, "owner")
            token = csrf_from(owner, "/subscribe")
            owner.post("/subscribe", data={"email": "owner@example.org", "csrf_token": token})
            assert subscriber_by_email(store, "owner@example.org").account_id is None  # type: ignore[union-attr]
            (claim,) = handler.to("owner@example.org")
            (link,) = [u for u in links_in(claim) if "/subscribe/confirm/" in u]
            owner.post(link.replace(SITE, ""), data={"csrf_token": token})
            page = owner.get("/settings/subscription")
            assert page.status_code == 200 and "owner@example.org" in page.text
    account = accounts.account_named(store, "owner")
    assert account is not None
    assert subscriber_by_email(store, "owner@example.org").account_id == account.id  # type: ignore[union-attr]


def test_an_accounts_own_email_is_linked_without_a_second_confirmation(config: Config, store: Store) -> None:
    with smtp_server() as (_, url):
        mail = mail_config(config, url, DAILYPAPERS_SITE_URL=SITE)
        account = accounts.create_account(store, "ada", "analytical engine", email="ada@example.org")
        with client_for(mail, store) as client:
            sign_in(client, "ada", "analytical engine")
            token = csrf_from(client, "/subscribe")
            client.post("/subscribe", data={"email": "Ada@Example.org", "csrf_token": token})
    assert subscriber_by_email(store, "ada@example.org").account_id == account.id  # type: ignore[union-attr]


def test_every_page_post_refuses_a_missing_token_and_a_foreign_origin(config: Config, store: Store) -> None:
    exempt = ("/api/", "/unsubscribe/", "/notifications/unsubscribe/")  # bearer tokens; RFC 8058 one-click links
    posts = [r.path for r in ROUTES if "POST" in r.methods and not r.path.startswith(exempt)]
    with client_for(config) as client:
        sign_up(client, "ada")
        token = csrf_from(client, "/papers")
        for template in posts:
            path = template.replace("{arxiv_id:path}", "2501.00001").replace("{token}", "x")
            path = path.replace("{listing_id}", "1").replace("{token_id}", "1")
            assert client.post(path, data={}).status_code == 403, path
            foreign = client.post(path, data={"csrf_token": token}, headers={"Origin": "https://evil.example"})
            assert foreign.status_code == 403 and "another site" in foreign.text, path
        assert csrf_from(client, "/papers") == token  # still signed in: nothing above ran


def test_an_account_older_than_an_import_does_not_get_the_imported_history(
    config: Config, store: Store, shared: Path
) -> None:
    accounts.create_account(store, "curator1", "my own account")  # before any list named curator1 was imported
    load_days(store, hf_days(shared, 2, skip=13))
    with client_for(config) as client:
        profile = soup(client.get("/u/curator1").text)
        api = client.get("/api/daily_papers", params={"submitter": "curator1"}).json()
    assert profile.select_one(".imported-label") is None and not profile.select("ol.cards li")
    assert "Submissions (0)" in profile.get_text() and api == []
