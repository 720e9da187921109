"""Collections in a real browser (Debian's Chromium via Playwright) against the real server: save from a card, add
from a paper page, reorder, annotate and remove without reloads, then export and read the download with bibtexparser."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import bibtexparser
import pytest
from playwright.sync_api import Page, expect

from dailypapers.config import Config
from dailypapers.storage import Store
from dailypapers.testing.server import served_app
from helpers import chromium
from helpers.chromium import ARTIFACTS, need_chromium
from helpers.site import hf_days, load_days

pytestmark = pytest.mark.browser
browser = chromium.browser  # the shared Chromium fixture


@pytest.fixture
def site(config: Config, store: Store, shared: Path) -> Iterator[str]:
    need_chromium()
    load_days(store, hf_days(shared, 2))
    with served_app(config, store) as url:
        yield url


@pytest.fixture
def page(site: str, browser: Any) -> Page:
    page: Page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page.goto(site + "/signup")
    page.fill("input[name=username]", "cleo")
    page.fill("input[name=password]", "correct horse battery")
    page.click("button:has-text('Sign up')")
    return page


def order_on(page: Page) -> list[str]:
    ids = page.eval_on_selector_all("ol.collection-items > li", "els => els.map(e => e.id)")
    return [i.removeprefix("paper-") for i in ids]


def test_save_reorder_annotate_remove_and_export_a_collection(site: str, page: Page, tmp_path: Path) -> None:
    p = page
    p.goto(site + "/papers")
    p.evaluate("window.__still_here = true")
    cards = p.locator("ol.cards > li")
    saved = [str(cards.nth(i).get_attribute("id")).removeprefix("paper-") for i in range(3)]
    for paper_id in saved:
        button = p.locator(f'li[id="paper-{paper_id}"] form.save button')
        assert button.inner_text() == "☆ Save"
        button.click()
        expect(button).to_have_attribute("aria-pressed", "true")  # a locator wait: the CSP forbids eval
        assert button.inner_text() == "★ Saved"
    assert p.evaluate("window.__still_here") is True, "saving did not reload the page"

    # A named collection, and adding to it from a paper page without a reload.
    p.goto(site + "/collections")
    p.fill("input[name=title]", "Reading group")
    p.click("button:has-text('Create collection')")
    assert p.url.endswith("/collections/cleo-reading-group")
    p.goto(f"{site}/papers/{saved[1]}")
    p.evaluate("window.__still_here = true")
    toggle = p.locator("form.collection-toggle[data-title='Reading group'] button")
    toggle.click()
    expect(p.locator("form.collection-toggle[data-title='Reading group']")).to_have_attribute("data-in", "1")
    assert toggle.inner_text().startswith("✓") and p.evaluate("window.__still_here") is True
    p.goto(site + "/collections/cleo-reading-group")
    assert order_on(p) == [saved[1]]

    # Reorder, annotate and remove in the reading list, each in place; a reload shows they were stored.
    p.goto(site + "/collections/cleo-reading-list")
    assert order_on(p) == saved
    p.evaluate("window.__still_here = true")
    p.locator(f'li[id="paper-{saved[0]}"] button[value=down]').click()
    items = p.locator("ol.collection-items > li")
    expect(items.first).to_have_id(f"paper-{saved[1]}")
    p.locator(f'li[id="paper-{saved[2]}"] button[value=up]').click()
    expect(items.nth(1)).to_have_id(f"paper-{saved[2]}")
    note = p.locator(f'li[id="paper-{saved[2]}"] textarea[name=note]')
    note.fill("discuss on Friday")
    p.locator(f'li[id="paper-{saved[2]}"] button:has-text("Save note")').click()
    p.wait_for_selector(f'li[id="paper-{saved[2]}"] button:has-text("Note saved")')
    assert p.evaluate("window.__still_here") is True
    p.reload()
    expected = [saved[1], saved[2], saved[0]]
    assert order_on(p) == expected
    assert p.locator(f'li[id="paper-{saved[2]}"] textarea[name=note]').input_value() == "discuss on Friday"
    ARTIFACTS.mkdir(exist_ok=True)
    p.screenshot(path=str(ARTIFACTS / "collection.png"), full_page=True)

    # Export: the BibTeX download parses, in the collection's order, with the note.
    with p.expect_download() as download_info:
        p.click("nav[aria-label=Export] a:has-text('BibTeX')")
    target = tmp_path / "reading-list.bib"
    download_info.value.save_as(str(target))
    library = bibtexparser.parse_string(target.read_text(encoding="utf-8"))
    assert library.failed_blocks == []
    assert [e.fields_dict["eprint"].value for e in library.entries] == expected
    assert library.entries[1].fields_dict["annote"].value == "discuss on Friday"
    assert all(e.fields_dict["archivePrefix"].value == "arXiv" for e in library.entries)

    p.locator(f'li[id="paper-{saved[0]}"] form.item-remove button').click()
    expect(p.locator("ol.collection-items > li")).to_have_count(2)
    p.reload()
    assert order_on(p) == expected[:2]
