"""Sign up, sign in, sign out: server-side sessions, CSRF on every form, rate-limited sign-in."""

from __future__ import annotations

from dailypapers.config import Config
from dailypapers.services import accounts, sessions
from dailypapers.storage import Store
from helpers.site import client_for, csrf_from, sign_in, sign_up, soup


def signed_in_as(html: str) -> str | None:
    nav = soup(html).select_one("nav.user")
    assert nav is not None
    link = nav.select_one('a[href^="/u/"]')
    return link.get_text(strip=True) if link else None


def test_signing_up_creates_the_account_and_signs_in(config: Config, store: Store) -> None:
    with client_for(config) as client:
        sign_up(client, "ada")
        assert signed_in_as(client.get("/papers").text) == "ada"
    assert accounts.authenticate(store, "ada", "correct horse battery") is not None


def test_a_taken_username_is_refused_with_a_message(config: Config, store: Store) -> None:
    accounts.create_account(store, "ada", "analytical engine")
    with client_for(config) as client:
        token = csrf_from(client, "/signup")
        response = client.post("/signup", data={"username": "ada", "password": "whatever123", "csrf_token": token})
        assert response.status_code == 400
        error = soup(response.text).select_one(".flash.error")
        assert error is not None and "taken" in error.get_text()
        assert signed_in_as(response.text) is None


def test_forms_without_the_csrf_token_are_refused(config: Config, store: Store) -> None:
    accounts.create_account(store, "ada", "analytical engine")
    with client_for(config) as client:
        client.get("/signin")
        response = client.post("/signin", data={"username": "ada", "password": "analytical engine"})
        assert response.status_code == 403
        message = soup(response.text).select_one("main p")
        assert message is not None and "reload the page" in message.get_text()
        forged = client.post(
            "/signin", data={"username": "ada", "password": "analytical engine", "csrf_token": "forged"}
        )
        assert forged.status_code == 403
        assert signed_in_as(client.get("/papers").text) is None


def test_wrong_password_is_refused_and_the_right_one_signs_in(config: Config, store: Store) -> None:
    accounts.create_account(store, "ada", "analytical engine")
    with client_for(config) as client:
        token = csrf_from(client, "/signin")
        wrong = client.post("/signin", data={"username": "ada", "password": "nope-nope", "csrf_token": token})
        assert wrong.status_code == 400
        assert "Wrong username or password" in soup(wrong.text).select_one(".flash.error").get_text()  # type: ignore[union-attr]
        sign_in(client, "ada", "analytical engine")
        assert signed_in_as(client.get("/papers").text) == "ada"


def test_sign_in_is_rate_limited_per_client(config: Config, store: Store) -> None:
    limited = Config({**config.values, "DAILYPAPERS_LOGIN_RATE": "3/60"})
    with client_for(limited) as client:
        token = csrf_from(client, "/signin")
        codes = [
            client.post("/signin", data={"username": "x", "password": "wrong-pass", "csrf_token": token}).status_code
            for _ in range(4)
        ]
    assert codes == [400, 400, 400, 429]


def test_sign_in_only_redirects_to_pages_of_this_site(config: Config, store: Store) -> None:
    accounts.create_account(store, "ada", "analytical engine")
    with client_for(config) as client:
        token = csrf_from(client, "/signin?next=//evil.example/x")
        data = {"username": "ada", "password": "analytical engine", "csrf_token": token, "next": "//evil.example/x"}
        response = client.post("/signin", data=data, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/papers"


def test_sign_out_is_a_post_and_ends_the_session(config: Config, store: Store) -> None:
    with client_for(config) as client:
        sign_up(client, "ada")
        assert client.get("/signout").status_code == 405
        form = soup(client.get("/papers").text).select_one('form[action="/signout"] input[name=csrf_token]')
        assert form is not None
        response = client.post("/signout", data={"csrf_token": form["value"]}, follow_redirects=False)
        assert response.status_code == 303
        assert signed_in_as(client.get("/papers").text) is None


def test_a_tampered_session_cookie_signs_nobody_in(config: Config, store: Store) -> None:
    with client_for(config) as client:
        sign_up(client, "ada")
        cookie = client.cookies.get("dp_session")
        assert cookie
        client.cookies.clear()
        client.cookies.set("dp_session", cookie[:-3] + ("xyz" if not cookie.endswith("xyz") else "abc"))
        assert signed_in_as(client.get("/papers").text) is None


def test_the_session_cookie_is_a_random_id_whose_hash_alone_is_stored(config: Config, store: Store) -> None:
    with client_for(config) as client:
        sign_up(client, "ada")
        cookie = client.cookies.get("dp_session")
    assert cookie and len(cookie) >= 40
    account = accounts.account_named(store, "ada")
    assert account is not None and sessions.sessions_count(store, account.id) == 1
    assert sessions.session_for(store, config, cookie) is not None
    # Another store (another site) knows no such session: nothing in the cookie vouches for itself.
    with client_for(config) as other:
        other.cookies.set("dp_session", ("y" if cookie[0] == "x" else "x") + cookie[1:])  # never the same id
        assert signed_in_as(other.get("/papers").text) is None
