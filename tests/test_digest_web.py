"""The subscription pages over HTTP: opt-in, confirm, preferences, RFC 8058 one-click unsubscribe, members."""

from __future__ import annotations

from urllib.parse import urlsplit

from dailypapers.config import Config
from dailypapers.digest.links import sign
from dailypapers.queries.subscriptions import subscriber_by_email
from dailypapers.services.subscriptions import subscribe
from dailypapers.storage import Store
from dailypapers.testing.smtp import smtp_server
from helpers.digest import link_token, links_in, mail_config
from helpers.site import client_for, csrf_from, sign_in, sign_up, soup


def path_of(url: str) -> str:
    return urlsplit(url).path


def test_subscribe_confirm_choose_preferences_then_unsubscribe(store: Store, config: Config) -> None:
    with smtp_server() as (handler, url):
        mail = mail_config(config, url, DAILYPAPERS_SITE_URL="http://127.0.0.1:8000")
        client = client_for(mail, store)
        token = csrf_from(client, "/subscribe")
        page = client.post("/subscribe", data={"email": "web@example.org", "frequency": "daily", "csrf_token": token})
        assert page.status_code == 200 and "Check your inbox" in page.text
        (confirmation,) = handler.to("web@example.org")
    (confirm_url,) = [u for u in links_in(confirmation) if "/subscribe/confirm/" in u]
    shown = client.get(path_of(confirm_url))
    assert shown.status_code == 200 and subscriber_by_email(store, "web@example.org").status == "pending"  # type: ignore[union-attr]
    form_token = soup(shown.text).select_one("input[name=csrf_token]")["value"]  # type: ignore[index]
    done = client.post(path_of(confirm_url), data={"csrf_token": form_token}, follow_redirects=False)
    assert done.status_code == 303 and "/subscribe/preferences/" in done.headers["location"]
    assert subscriber_by_email(store, "web@example.org").status == "active"  # type: ignore[union-attr]
    prefs_path = done.headers["location"].split("?")[0]
    saved = client.post(
        prefs_path,
        data={
            "csrf_token": form_token,
            "frequency": "weekly",
            "weekday": "3",
            "top_n": "5",
            "include_trending": "on",
            "categories": ["cs.CL"],
            "other_categories": "cs.RO",
            "min_upvotes": "3",
            "searches": "diffusion\nlong context",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    sub = subscriber_by_email(store, "web@example.org")
    assert sub is not None and (sub.frequency, sub.weekday, sub.top_n, sub.min_upvotes) == ("weekly", 3, 5, 3)
    assert sub.categories == ["cs.CL", "cs.RO"] and sub.searches == ["diffusion", "long context"]
    assert not sub.include_searches
    bad = client.post(prefs_path, data={"csrf_token": form_token, "frequency": "weekly", "top_n": "many"})
    assert bad.status_code == 400 and "whole number" in bad.text
    unsubscribe_path = f"/unsubscribe/{sign(mail, 'unsubscribe', sub.token)}"
    assert client.get(unsubscribe_path).status_code == 200
    assert subscriber_by_email(store, "web@example.org").status == "active"  # type: ignore[union-attr]


def test_one_click_unsubscribe_needs_no_session_or_csrf_token(store: Store, config: Config) -> None:
    with smtp_server() as (_, url):
        mail = mail_config(config, url, DAILYPAPERS_SITE_URL="http://127.0.0.1:8000")
        sub = subscribe(store, mail, "oneclick@example.org", confirmed=True).subscription
    mail_client = client_for(mail, store)  # a fresh client: no cookies, as a mail provider posts it
    response = mail_client.post(
        f"/unsubscribe/{sign(mail, 'unsubscribe', sub.token)}", data={"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200 and "You are unsubscribed" in response.text
    assert subscriber_by_email(store, "oneclick@example.org").status == "unsubscribed"  # type: ignore[union-attr]


def test_forged_links_get_a_clear_400_and_change_nothing(store: Store, config: Config) -> None:
    with smtp_server() as (_, url):
        mail = mail_config(config, url, DAILYPAPERS_SITE_URL="http://127.0.0.1:8000")
        sub = subscribe(store, mail, "safe@example.org", confirmed=True).subscription
    client = client_for(mail, store)
    preferences_token = sign(mail, "preferences", sub.token)
    for path in (f"/unsubscribe/{preferences_token}", "/unsubscribe/not-a-token", "/subscribe/confirm/xyz"):
        response = client.post(path)
        assert response.status_code in (400, 403), path
    assert client.get("/subscribe/preferences/garbage").status_code == 400
    assert subscriber_by_email(store, "safe@example.org").status == "active"  # type: ignore[union-attr]


def test_subscribing_without_a_csrf_token_is_refused(store: Store, config: Config) -> None:
    client = client_for(config, store)
    response = client.post("/subscribe", data={"email": "csrf@example.org"})
    assert response.status_code == 403 and subscriber_by_email(store, "csrf@example.org") is None


def test_a_member_manages_their_subscription_from_their_settings(store: Store, config: Config) -> None:
    with smtp_server() as (handler, url):
        mail = mail_config(config, url, DAILYPAPERS_SITE_URL="http://127.0.0.1:8000")
        client = client_for(mail, store)
        sign_up(client, "reader")
        sign_in(client, "reader")
        profile_links = [a["href"] for a in soup(client.get("/u/reader").text).select("#digest a")]
        assert profile_links == ["/settings/subscription"]
        assert client.get("/settings/subscription", follow_redirects=False).headers["location"] == "/subscribe"
        token = csrf_from(client, "/subscribe")
        client.post("/subscribe", data={"email": "member@example.org", "frequency": "daily", "csrf_token": token})
        (confirmation,) = handler.to("member@example.org")
    (link,) = [u for u in links_in(confirmation) if "/subscribe/confirm/" in u]
    client.post(path_of(link), data={"csrf_token": token})
    page = client.get("/settings/subscription")
    assert page.status_code == 200 and "member@example.org" in page.text
    picks = soup(page.text).select_one("input[name=include_picks]")
    assert picks is not None and not picks.has_attr("disabled")  # personal picks are for members
    saved = client.post(
        "/settings/subscription",
        data={"csrf_token": token, "frequency": "daily", "top_n": "8", "include_picks": "on"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    sub = subscriber_by_email(store, "member@example.org")
    assert sub is not None and sub.include_picks and sub.top_n == 8 and sub.account_id is not None
    assert link_token(link)
