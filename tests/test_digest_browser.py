"""A reader in a real browser: subscribe → follow the emailed link → choose preferences → unsubscribe."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import uvicorn

from dailypapers.config import Config
from dailypapers.queries.subscriptions import subscriber_by_email
from dailypapers.storage import Store
from dailypapers.testing.smtp import RecordingHandler, free_port, smtp_server
from dailypapers.web.app import create_app
from helpers import chromium
from helpers.digest import links_in, mail_config


@pytest.fixture
def live_site(store: Store, config: Config) -> Iterator[tuple[str, RecordingHandler]]:
    """The real app served by uvicorn on loopback, mailing through a loopback SMTP server."""
    port = free_port()
    with smtp_server() as (handler, url):
        site = f"http://127.0.0.1:{port}"
        app = create_app(mail_config(config, url, DAILYPAPERS_SITE_URL=site), store)
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started and thread.is_alive():
            threading.Event().wait(0.05)
        try:
            yield site, handler
        finally:
            server.should_exit = True
            thread.join(10)


@pytest.mark.browser
def test_a_reader_subscribes_confirms_sets_preferences_and_unsubscribes_in_a_browser(
    live_site: tuple[str, RecordingHandler], store: Store
) -> None:
    from playwright.sync_api import expect, sync_playwright

    site, handler = live_site
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium.CHROMIUM, args=chromium.ARGS)
        page = browser.new_page()
        page.goto(f"{site}/subscribe")
        page.get_by_label("Email").fill("browser@example.org")
        page.get_by_label("Weekly, on Mondays").check()
        page.get_by_role("button", name="Subscribe").click()
        expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()

        (confirmation,) = handler.to("browser@example.org")
        (link,) = [u for u in links_in(confirmation) if "/subscribe/confirm/" in u]
        page.goto(link)
        page.get_by_role("button", name="Confirm my subscription").click()
        expect(page.get_by_text("Subscription confirmed")).to_be_visible()
        sub = subscriber_by_email(store, "browser@example.org")
        assert sub is not None and sub.status == "active" and sub.frequency == "weekly"

        page.get_by_label("cs.CL").check()
        page.get_by_label("Number of papers").fill("5")
        page.get_by_role("button", name="Save preferences").click()
        expect(page.get_by_text("Preferences saved")).to_be_visible()
        sub = subscriber_by_email(store, "browser@example.org")
        assert sub is not None and sub.categories == ["cs.CL"] and sub.top_n == 5

        page.get_by_role("link", name="Unsubscribe").click()
        page.get_by_role("button", name="Unsubscribe").click()
        expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
        browser.close()
    sub = subscriber_by_email(store, "browser@example.org")
    assert sub is not None and sub.status == "unsubscribed"
