"""For you in a real browser (Chromium via Playwright) against `dailypapers serve` on the demo data: the tab with its
cold-start notice, the blend dial, and "not interested" removing a card in place (static/foryou.js, no inline code).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

import test_browser
from helpers import chromium
from helpers.chromium import ARTIFACTS

pytestmark = pytest.mark.browser
browser = chromium.browser  # the shared Chromium fixture
served = test_browser.served  # the demo site under `dailypapers serve`, one per engine


def test_the_for_you_tab_the_dial_and_not_interested(served: tuple[str, str], browser: object) -> None:
    site, engine = served
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page.goto(site + "/signup")
    page.fill("input[name=username]", f"reader-{engine}")
    page.fill("input[name=password]", "correct horse battery")
    page.click("button:has-text('Sign up')")
    page.goto(site + "/papers")
    page.click("nav.tabs >> text=For you")
    assert page.url.endswith("/papers/foryou")
    assert "until you have 3" in page.locator("#cold-start").inner_text()

    page.goto(site + "/papers")
    for n in range(3):
        button = page.locator("ol.cards > li form.upvote button").nth(n)
        button.click()
        expect(button).to_have_attribute("aria-pressed", "true")  # a locator wait: the CSP forbids eval
    page.click("nav.tabs >> text=For you")
    page.click("nav.tabs >> text=This month")
    assert page.locator("#cold-start").count() == 0
    cards = page.locator("ol.cards.foryou > li.card")
    assert cards.count() > 1 and cards.first.locator("ul.reasons li").count() >= 1

    # The dial applies as it is released, and the page shows the stored value.
    page.evaluate(
        "() => { const d = document.getElementById('dial'); d.value = '0.7';"
        " d.dispatchEvent(new Event('input')); d.dispatchEvent(new Event('change')); }"
    )
    expect(page.locator("#dial-value")).to_have_text("70% trending")
    page.wait_for_load_state("load")
    page.reload()
    assert page.locator("#dial").input_value() == "0.7"
    assert page.locator("#dial-value").inner_text() == "70% trending"

    # Not interested: the card leaves without a reload and stays gone.
    page.evaluate("window.__still_here = true")
    first = cards.first.get_attribute("id")
    cards.first.locator("form.not-interested button").click()
    expect(page.locator(f'[id="{first}"]')).to_have_count(0)
    assert page.evaluate("window.__still_here") is True
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"foryou-{engine}.png"), full_page=True)
    page.reload()
    assert page.locator(f'li[id="{first}"]').count() == 0
    page.goto(site + "/settings/foryou")
    assert page.locator("ul.marks li").count() == 1
