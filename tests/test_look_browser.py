"""The site's look in a real browser (Debian's Chromium via Playwright): axe-core finds no serious or critical
accessibility violation on the main pages at a laptop and a phone width, light and dark; suggestions as you type
work from the keyboard; the phone layout keeps results near the top. Screenshots of the feed, a paper page and a
search at both widths and themes go to test-artifacts/screenshots/ for people to look at."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from dailypapers.demo import load_demo
from dailypapers.storage import open_store
from dailypapers.testing.server import served_app
from dailypapers.testing.weight import page_weight
from helpers.axe import axe_source

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("look-browser")]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"
PAPER = "2606.05633"
WIDTHS = {"wide": (1366, 900), "phone": (390, 844)}
THEMES = ("light", "dark")
NONSENSE = "zzqxvbnm flurbo"
AXE_URL_PATH = "/__axe-under-test.js"  # served by Playwright's router, so the CSP's script-src 'self' allows it


@pytest.fixture(scope="module")
def site(sqlite_factory: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One real server (the app under uvicorn) on the bundled demo, for every test of this file."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian chromium is not installed (scripts/install-system-deps)")
    config = sqlite_factory.config(tmp_path_factory.mktemp("look") / "home")
    store = open_store(config)
    load_demo(store)
    with served_app(config, store) as url:
        yield url
    store.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


def serious_violations(page: Page, site: str, axe: str) -> list[str]:
    """axe-core's serious and critical findings on the page as it stands (rule, impact, first few elements)."""
    page.route("**" + AXE_URL_PATH, lambda route: route.fulfill(body=axe, content_type="text/javascript"))
    page.add_script_tag(url=site + AXE_URL_PATH)
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
          .filter((v) => v.impact === "serious" || v.impact === "critical")
          .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`)"""
    )
    return [str(v) for v in found]


def sign_up(page: Page, site: str, username: str) -> None:
    page.goto(site + "/signup")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct horse battery")
    page.click("main button:has-text('Sign up')")
    expect(page.locator(f'nav.user a[href="/u/{username}"]')).to_have_count(1)


def test_no_page_has_a_serious_or_critical_axe_violation_at_either_width_or_theme(site: str, browser: Browser) -> None:
    axe = axe_source()
    anonymous = [
        "/papers",
        "/papers/trending",
        f"/papers/{PAPER}",
        "/papers?q=language+models",
        "/papers?q=" + NONSENSE.replace(" ", "+"),
        "/signin",
        "/signup",
        "/subscribe",
        "/api/docs",
    ]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    for n, (width_name, (width, height)) in enumerate(WIDTHS.items()):
        for theme in THEMES:
            context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=theme)
            page = context.new_page()
            page.goto(site + "/papers")
            day = page.locator('.daynav a[rel="prev"]').get_attribute("href")
            week = page.locator(".tabs a", has_text="Weekly").get_attribute("href")
            month = page.locator(".tabs a", has_text="Monthly").get_attribute("href")
            for path in [*anonymous, str(day), str(week), str(month)]:
                page.goto(site + path)
                problems += [f"{width_name}/{theme} {path}: {v}" for v in serious_violations(page, site, axe)]
                shot = {"/papers": "feed", f"/papers/{PAPER}": "paper", "/papers?q=language+models": "search"}
                if path in shot:
                    page.screenshot(path=str(SCREENSHOTS / f"{shot[path]}-{width_name}-{theme}.png"), full_page=False)
            sign_up(page, site, f"look{n}{theme}")
            for path in ("/papers/submit", f"/u/look{n}{theme}", "/papers"):
                page.goto(site + path)
                problems += [f"{width_name}/{theme} member {path}: {v}" for v in serious_violations(page, site, axe)]
            context.close()
    assert not problems, "\n".join(problems)


def test_suggestions_appear_as_you_type_and_the_keyboard_picks_one(site: str, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(site + "/papers")
    box = page.locator("header.top input[role=combobox]")
    box.click()
    box.press_sequentially("language mod")
    options = page.locator("#q-suggestions [role=option]")
    expect(options.first).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", "q-option-0")
    box.press("Escape")
    expect(page.locator("#q-suggestions")).to_be_hidden()
    box.press_sequentially("e")
    expect(options.first).to_be_visible()
    box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url(re.compile(r".*/papers/\d{4}\.\d{4,5}$"))
    box = page.locator("header.top input[role=combobox]")
    box.fill("")
    box.press_sequentially(f"https://arxiv.org/abs/{PAPER}")
    expect(options.first).to_contain_text(PAPER)
    box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url(f"**/papers/{PAPER}")


def test_on_a_phone_the_header_is_two_rows_the_vote_is_small_and_results_start_near_the_top(
    site: str, browser: Browser
) -> None:
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.goto(site + "/papers?q=language+models")
    header = phone.locator("header.top").bounding_box()
    card = phone.locator("ol.cards > li").first.bounding_box()
    vote = phone.locator("ol.cards > li .vote").first.bounding_box()
    assert header and card and vote
    assert header["height"] < 110, header  # brand + search on one row, the links on a second
    assert card["y"] < 300, card  # the filters are folded away
    assert vote["width"] < card["width"] / 6, (vote, card)
    assert phone.locator("footer .keys").is_hidden()  # no keyboard hint on a phone
    phone.goto(site + f"/papers/{PAPER}")
    facts = phone.locator("dl.facts").bounding_box()
    similar = phone.locator("#similar-h")
    assert facts and (similar.count() == 0 or facts["y"] < (similar.bounding_box() or {"y": 0})["y"])
    for path in ("/papers?q=language+models", "/api/docs", "/subscribe", "/papers/trending"):
        phone.goto(site + path)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390, path  # no sideways scroll
    phone.goto(site + "/papers")
    phone.click("details.calendar summary")
    month = phone.locator(".calendar .month").bounding_box()
    assert month and month["x"] >= 0 and month["x"] + month["width"] <= 390, month


def test_the_content_clears_the_header_and_the_footer(site: str, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(site + "/papers/trending")
    header = page.locator("header.top").bounding_box()
    first = page.locator("main > *").first.bounding_box()
    assert header and first and first["y"] - (header["y"] + header["height"]) >= 16
    # Trending keeps the period tabs, and one link (a tab) leads to it.
    assert page.locator(".tabs a", has_text="Daily").count() == 1
    assert page.locator("header.top, nav.tabs").get_by_text("Trending", exact=True).count() == 1
    assert page.get_by_text("Hot", exact=True).count() == 0


def test_a_visitor_sees_the_digest_invitation_first_and_a_submission_is_confirmed(site: str, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(site + "/papers/submit")
    expect(page.locator(".flash")).to_contain_text("sign in first")
    page.goto(site + "/papers")
    invite = page.locator("main > section.invite")
    expect(invite).to_contain_text("Get trending papers in your email inbox")
    invite.locator("input[type=email]").fill("reader@example.org")
    invite.locator("button").click()
    expect(page.locator("main h1")).to_contain_text("inbox")
    sign_up(page, site, "confirmed")
    page.goto(site + "/papers/submit")
    page.fill("input[name=arxiv_id]", PAPER)
    page.click("main button:has-text('Submit')")
    expect(page.locator(".flash")).to_contain_text("is on this list now")
    expect(page.locator(f'li[id="paper-{PAPER}"]')).to_have_class(re.compile("just-added"))


def test_the_feed_weighs_at_most_60_kb_of_html_css_and_js(site: str) -> None:
    """docs/benchmarks.md records the figure; thumbnails, images and fonts are not counted."""
    sizes = page_weight(site)
    assert "/static/site.css" in sizes and "/static/site.js" in sizes
    assert sum(sizes.values()) <= 60 * 1024, sizes
