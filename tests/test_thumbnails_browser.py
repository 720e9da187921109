"""Thumbnails in a real browser (Debian's Chromium): at a laptop and a phone width, light and dark, the cards'
thumbnails and placeholders keep their size, the lazy image loads once scrolled to, and axe-core finds no serious
or critical violation on the feed and the paper page. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from dailypapers.config import Config
from dailypapers.services.thumbnails import make_thumbnails
from dailypapers.storage import Store
from dailypapers.testing.replay import ReplayServer
from dailypapers.testing.server import served_app
from helpers import chromium
from helpers.axe import axe_source
from helpers.thumbnails import DAY, list_papers, serve_pdf

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("config", ["sqlite"], indirect=True)]

browser = chromium.browser
IDS = [f"2611.{n:05d}" for n in range(1, 9)]
WIDTHS = {"wide": (1366, 900, 96, 124), "phone": (390, 844, 64, 83)}
AXE_PATH = "/__axe-under-test.js"


@pytest.fixture
def site(config: Config, store: Store) -> Iterator[str]:
    chromium.need_chromium()
    with ReplayServer() as arxiv:
        list_papers(store, DAY, *IDS)
        for paper_id in IDS[::2]:  # the others answer 404: placeholders
            serve_pdf(arxiv, paper_id)
        settings = Config(
            {**config.values, "DAILYPAPERS_ARXIV_PDF_URL": arxiv.url + "/pdf", "DAILYPAPERS_HTTP_DELAY": "0"}
        )
        assert make_thumbnails(store, settings, today=DAY).made == IDS[::2]
    with served_app(config, store) as url:
        yield url


def serious_violations(page: Page, site: str, axe: str) -> list[str]:
    page.route("**" + AXE_PATH, lambda route: route.fulfill(body=axe, content_type="text/javascript"))
    page.add_script_tag(url=site + AXE_PATH)
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
          .filter((v) => v.impact === "serious" || v.impact === "critical")
          .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`)"""
    )
    return [str(v) for v in found]


def test_thumbnails_and_placeholders_keep_their_size_load_lazily_and_pass_axe_at_both_widths_and_themes(
    site: str, browser: Browser
) -> None:
    axe = axe_source()
    chromium.ARTIFACTS.mkdir(parents=True, exist_ok=True)
    day = f"/papers/date/{DAY.isoformat()}"
    for name, (width, height, thumb_w, thumb_h) in WIDTHS.items():
        for theme in ("light", "dark"):
            page = browser.new_page(viewport={"width": width, "height": height}, color_scheme=theme)
            page.goto(site + day)
            for paper_id in IDS[:2]:
                box = page.locator(
                    f'li[id="paper-{paper_id}"] > .thumb, li[id="paper-{paper_id}"] > img'
                ).bounding_box()
                assert box is not None and (round(box["width"]), round(box["height"])) == (thumb_w, thumb_h)
            last = page.locator(f'li[id="paper-{IDS[-2]}"] > img')
            last.scroll_into_view_if_needed()
            page.wait_for_function("(img) => img.complete && img.naturalWidth === 320", arg=last.element_handle())
            page.screenshot(path=str(chromium.ARTIFACTS / f"thumbnails-feed-{name}-{theme}.png"), full_page=True)
            assert serious_violations(page, site, axe) == [], (name, theme, "feed")
            page.goto(site + f"/papers/{IDS[0]}")
            assert page.locator("a.first-page img").evaluate("(img) => img.complete && img.naturalHeight === 414")
            page.screenshot(path=str(chromium.ARTIFACTS / f"thumbnails-paper-{name}-{theme}.png"))
            assert serious_violations(page, site, axe) == [], (name, theme, "paper")
            page.close()
