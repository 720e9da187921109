"""The site in a real browser (Debian's Chromium via Playwright) against `dailypapers serve` on the demo data.

Screenshots of the feed and a paper page are saved into artifacts/ for people to look at.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from conftest import ENGINES
from dailypapers.demo import load_demo
from dailypapers.storage import open_store
from helpers import chromium

# ARGS, CHROMIUM and free_port are imported from here by other browser tests.
from helpers.chromium import ARGS, ARTIFACTS, CHROMIUM, dailypapers_serve, free_port, need_chromium  # noqa: F401

pytestmark = pytest.mark.browser
browser = chromium.browser  # the shared Chromium fixture

KATEX_PAPER = "2606.05633"  # its abstract has inline LaTeX ($28$, $+0.7$ …)


@pytest.fixture(scope="module", params=ENGINES)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """`dailypapers serve` in a subprocess, as README tells users to run it, on the bundled demo (one per engine)."""
    need_chromium()
    home = tmp_path_factory.mktemp(f"browser-{request.param}") / "home"
    factory = request.getfixturevalue("sqlite_factory" if request.param == "sqlite" else "postgres_factory")
    config = factory.config(home)
    store = open_store(config)
    load_demo(store)
    store.dispose()
    try:
        with dailypapers_serve(config) as url:
            yield url, request.param
    finally:
        if request.param == "postgresql":
            factory.drop(config)


@pytest.fixture
def site(served: tuple[str, str]) -> str:
    return served[0]


def test_a_member_signs_up_submits_upvotes_searches_and_navigates_days(
    served: tuple[str, str], browser: object
) -> None:
    site, engine = served
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page.goto(site + "/")
    assert page.url == site + "/papers"
    assert page.locator("h1").inner_text() == "Daily papers"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"feed-{engine}.png"))
    latest = page.locator("main p.muted").first.inner_text()

    page.click("text=← Previous")
    assert "/papers/date/" in page.url
    assert page.locator("main p.muted").first.inner_text() != latest
    page.click("text=Next →")
    assert page.locator("main p.muted").first.inner_text() == latest

    page.click("text=Sign up")
    page.fill("input[name=username]", "ada")
    page.fill("input[name=password]", "correct horse battery")
    page.click("button:has-text('Sign up')")
    assert page.locator('nav.user a[href="/u/ada"]').inner_text() == "ada"

    page.click("text=Submit")
    page.fill("input[name=arxiv_id]", f"https://arxiv.org/abs/{KATEX_PAPER}")
    page.fill("textarea[name=comment]", "nice audit")
    page.click("button:has-text('Submit')")
    card = page.locator(f'li[id="paper-{KATEX_PAPER}"]')
    assert card.count() == 1 and card.locator('a[href="/u/ada"]').count() == 1

    # Upvote without a reload: the count changes in place and the button shows it is pressed.
    page.evaluate("window.__still_here = true")
    button = card.locator("form.upvote button")
    before = int(button.locator(".count").inner_text())
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")  # a locator wait: no eval, which the CSP forbids
    assert int(button.locator(".count").inner_text()) == before + 1
    assert page.evaluate("window.__still_here") is True
    page.reload()
    assert int(page.locator(f'li[id="paper-{KATEX_PAPER}"] .count').inner_text()) == before + 1

    # Keyboard: "/" focuses search; Enter searches.
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.name") == "q"
    page.keyboard.type("rewriting gains")
    page.keyboard.press("Enter")
    page.wait_for_url("**/papers?q=*")
    assert page.locator(f'li[id="paper-{KATEX_PAPER}"]').count() == 1

    page.click(f'li[id="paper-{KATEX_PAPER}"] h3 a')
    page.wait_for_selector(".abstract-full .katex")
    assert page.locator(".abstract-full .katex").count() >= 3
    page.screenshot(path=str(ARTIFACTS / f"paper-{engine}.png"), full_page=True)


def test_dark_theme_follows_the_system_and_phones_get_no_sideways_scroll(site: str, browser: object) -> None:
    dark = browser.new_page(color_scheme="dark", viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    dark.goto(site + "/papers")
    background = dark.evaluate("getComputedStyle(document.body).backgroundColor")
    channels = [int(x) for x in background.removeprefix("rgb(").removesuffix(")").split(",")]
    assert max(channels) < 60  # a dark background
    ARTIFACTS.mkdir(exist_ok=True)
    dark.screenshot(path=str(ARTIFACTS / "feed-dark.png"))
    light = browser.new_page(color_scheme="light")  # type: ignore[attr-defined]
    light.goto(site + "/papers")
    light_bg = light.evaluate("getComputedStyle(document.body).backgroundColor")
    assert min(int(x) for x in light_bg.removeprefix("rgb(").removesuffix(")").split(",")) > 200

    phone = browser.new_page(viewport={"width": 390, "height": 844}, color_scheme="light")  # type: ignore[attr-defined]
    for path in ("/papers", f"/papers/{KATEX_PAPER}", "/papers/trending", "/signin"):
        phone.goto(site + path)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390, path
    phone.screenshot(path=str(ARTIFACTS / "feed-phone.png"))

    # Tab reaches the skip link first, then the site's controls.
    phone.goto(site + "/papers")
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.textContent") == "Skip to content"


def test_pages_work_under_the_content_security_policy_without_one_violation(site: str, browser: object) -> None:
    """The CSP forbids inline script and style: KaTeX still renders, Swagger UI still loads, upvoting still works,
    and the browser reports no violation (console or `securitypolicyviolation` event) on any page."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    violations: list[str] = []

    def visit(path: str) -> None:
        response = page.goto(site + path)
        assert response is not None and "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        violations.extend(f"{path}: {v}" for v in page.evaluate("window.__csp"))

    visit(f"/papers/{KATEX_PAPER}")
    page.wait_for_selector(".abstract-full .katex")
    assert page.locator(".abstract-full .katex").count() >= 3
    visit("/api/docs")
    assert page.locator("ul.api-ops > li").count() >= 7
    visit("/api/docs/try")
    page.wait_for_selector(".swagger-ui .opblock")
    assert page.locator(".swagger-ui .opblock").count() >= 7
    for path in ("/papers", "/papers/trending", "/papers?q=language+models", "/signin", "/signup", "/subscribe"):
        visit(path)
    visit("/signup")
    page.fill("input[name=username]", "csp")
    page.fill("input[name=password]", "correct horse battery")
    page.click("button:has-text('Sign up')")
    visit("/papers")
    button = page.locator("form.upvote button").first
    before = int(button.locator(".count").inner_text())
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    assert int(button.locator(".count").inner_text()) == before + 1
    visit("/u/csp")
    violations.extend(f"upvote: {v}" for v in page.evaluate("window.__csp"))
    csp_console = [text for text in console if "Content Security Policy" in text or "Content-Security-Policy" in text]
    assert not violations and not csp_console, violations + csp_console
