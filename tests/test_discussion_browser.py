"""Discussions in a real browser (Chromium via Playwright) against `dailypapers serve`: post, reply with math, edit,
delete, a mention that shows up as a notification, and moderation by a curator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ENGINES
from dailypapers.services.accounts import create_account
from dailypapers.storage import open_store
from helpers import chromium
from helpers.chromium import ARTIFACTS, dailypapers_serve, need_chromium
from helpers.site import hf_days, load_days

pytestmark = pytest.mark.browser
browser = chromium.browser  # the shared Chromium fixture
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module", params=ENGINES)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """One real day of papers and three accounts (ada, bob, curator cleo), served by `dailypapers serve`."""
    need_chromium()
    shared = request.getfixturevalue("shared")
    home = tmp_path_factory.mktemp(f"discussion-browser-{request.param}") / "home"
    factory = request.getfixturevalue("sqlite_factory" if request.param == "sqlite" else "postgres_factory")
    config = factory.config(home)
    store = open_store(config)
    days = hf_days(Path(shared), 1)
    load_days(store, days)
    for name, role in (("ada", "member"), ("bob", "member"), ("cleo", "curator")):
        create_account(store, name, PASSWORD, email=f"{name}@example.org", role=role)
    store.dispose()
    try:
        with dailypapers_serve(config) as url:
            yield url, str(days[0]["papers"][0]["paper"]["id"])
    finally:
        if request.param == "postgresql":
            factory.drop(config)


def signed_in(browser: object, site: str, name: str) -> object:
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page.goto(site + "/signin")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector(f'nav.user a[href="/u/{name}"]')
    return page


def test_post_reply_edit_delete_mention_and_moderate_in_a_browser(served: tuple[str, str], browser: object) -> None:
    site, paper = served
    ada = signed_in(browser, site, "ada")
    ada.goto(f"{site}/papers/{paper}#discussion")  # type: ignore[attr-defined]
    ada.fill("#discussion > form.comment-form textarea", "Is $\\alpha < 1$ needed? @bob")  # type: ignore[attr-defined]
    ada.click("#discussion > form.comment-form button")  # type: ignore[attr-defined]
    first = ada.locator("li.comment").first  # type: ignore[attr-defined]
    first.locator(".katex").wait_for()
    assert first.locator('a[href="/u/bob"]').inner_text() == "@bob"

    bob = signed_in(browser, site, "bob")
    assert bob.locator(".unread-count").inner_text() == "1"  # type: ignore[attr-defined]
    bob.click("a.notifications-link")  # type: ignore[attr-defined]
    bob.click("ol.notifications li a[href*='#comment-']")  # type: ignore[attr-defined]
    bob.locator("li.comment a.reply-link").first.click()  # type: ignore[attr-defined]
    bob.fill("li.comment .reply-form textarea", "Yes: $$\\sum_i x_i$$")  # type: ignore[attr-defined]
    bob.click("li.comment .reply-form button")  # type: ignore[attr-defined]
    reply = bob.locator("ol.replies li.comment").first  # type: ignore[attr-defined]
    reply.locator(".katex").wait_for()

    ada.reload()  # type: ignore[attr-defined]
    ada.locator("li.comment a.edit-link").first.click()  # type: ignore[attr-defined]
    ada.fill("li.comment .edit-form textarea", "Is $\\alpha \\le 1$ needed?")  # type: ignore[attr-defined]
    ada.click("li.comment .edit-form button")  # type: ignore[attr-defined]
    assert ada.locator("li.comment .edited").first.inner_text() == "edited"  # type: ignore[attr-defined]
    ada.locator("li.comment button.delete").first.click()  # type: ignore[attr-defined]
    assert ada.locator("li.comment > .comment-body").first.inner_text() == "[deleted]"  # type: ignore[attr-defined]
    assert ada.locator("ol.replies li.comment").count() == 1  # type: ignore[attr-defined]

    ada.locator("ol.replies a.report-link").click()  # type: ignore[attr-defined]
    ada.click("ol.replies form.report-form button")  # type: ignore[attr-defined]
    cleo = signed_in(browser, site, "cleo")
    cleo.click("nav.user a[href='/moderation']")  # type: ignore[attr-defined]
    assert cleo.locator("li.report").count() == 1  # type: ignore[attr-defined]
    cleo.click("li.report button.moderate")  # type: ignore[attr-defined]
    assert cleo.locator("li.report").count() == 0  # type: ignore[attr-defined]
    cleo.goto(f"{site}/papers/{paper}#discussion")  # type: ignore[attr-defined]
    cleo.click("button.lock")  # type: ignore[attr-defined]
    bob.reload()  # type: ignore[attr-defined]
    assert bob.locator(".locked-note").count() == 1  # type: ignore[attr-defined]
    assert "[hidden by a moderator]" in bob.locator("ol.replies").inner_text()  # type: ignore[attr-defined]
    assert bob.locator("#discussion > form.comment-form").count() == 0  # type: ignore[attr-defined]
    ARTIFACTS.mkdir(exist_ok=True)
    cleo.screenshot(path=str(ARTIFACTS / "discussion.png"), full_page=True)  # type: ignore[attr-defined]
