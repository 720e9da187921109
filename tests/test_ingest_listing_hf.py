"""Daily announcement feeds, Hugging Face daily lists, and the morning job that runs them."""

# ruff: noqa: F811  (pytest fixtures imported from helpers.ingest are parameters here)

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dailypapers.config import Config
from dailypapers.domain import IngestError
from dailypapers.services.daily import run_daily
from dailypapers.services.ingest import fetch_papers_by_id, ingest_hf_day, ingest_listings
from dailypapers.services.subscriptions import subscribe
from dailypapers.storage import Store
from dailypapers.storage import listings as listing_store
from dailypapers.storage import papers as paper_store
from dailypapers.testing.arxiv_replies import listing_feed
from dailypapers.testing.replay import ReplayServer
from dailypapers.testing.smtp import smtp_server
from helpers.digest import TUESDAY_16, load_week, mail_config
from helpers.ingest import quick, replay  # noqa: F401  (fixtures)

DAY = date(2026, 11, 26)
HF_DAY = date(2024, 5, 27)  # 13 curated papers in the shared archive


@pytest.fixture
def wired(config: Config, replay: ReplayServer, shared: Path) -> Config:
    """Every endpoint pointed at the replay server."""
    replay.load_hf_daily(shared / "data" / "hf-daily-papers-2024-2026.jsonl.gz", days={"2024-05-27", "2024-05-28"})
    return quick(
        config,
        DAILYPAPERS_ARXIV_LISTING_URL=replay.url + "/atom",
        DAILYPAPERS_ARXIV_API_URL=replay.url + "/api/query",
        DAILYPAPERS_HF_ENDPOINT=replay.url,
        DAILYPAPERS_CATEGORIES="cs.LG,cs.CL",
    )


def _feed(replay: ReplayServer, day: date = DAY) -> None:
    announced = [
        ("2104.12255v1", "new"),
        ("1605.08386v1", "cross"),
        ("1707.08567v2", "replace"),  # not stored here: a new version of someone else's paper, skipped
        ("astro-ph/0601001v1", "replace-cross"),  # stored: its new version is fetched
    ]
    replay.add("/atom/cs.LG+cs.CL", listing_feed(announced, day, "cs.LG+cs.CL"))


def _ids(store: Store, *ids: str) -> set[str]:
    with store.read() as conn:
        return set(paper_store.papers_by_ids(conn, ids))


def test_todays_new_papers_and_cross_lists_are_stored_with_api_metadata(
    store: Store, wired: Config, replay: ReplayServer
) -> None:
    fetch_papers_by_id(store, wired, ["astro-ph/0601001"])
    _feed(replay)
    report = ingest_listings(store, wired)
    assert "announced 2026-11-26" in report.notes
    assert (report.summary.new, report.summary.unchanged) == (2, 1)
    assert _ids(store, "2104.12255", "1605.08386", "1707.08567", "astro-ph/0601001") == {
        "2104.12255",
        "1605.08386",
        "astro-ph/0601001",
    }
    lookup = replay.requests_to("/api/query")[-1].params["id_list"].split(",")
    assert lookup == ["2104.12255", "1605.08386", "astro-ph/0601001"]


def test_the_same_announcement_day_is_not_fetched_twice(store: Store, wired: Config, replay: ReplayServer) -> None:
    _feed(replay)
    ingest_listings(store, wired)
    lookups = len(replay.requests_to("/api/query"))
    again = ingest_listings(store, wired)
    assert "already ingested" in again.notes and not again.changed
    assert len(replay.requests_to("/api/query")) == lookups
    forced = ingest_listings(store, wired, force=True)
    assert forced.summary.unchanged == 2 and len(replay.requests_to("/api/query")) == lookups + 1


def test_a_day_with_ids_the_api_lacks_stays_open_for_the_next_run(
    store: Store, wired: Config, replay: ReplayServer
) -> None:
    replay.add(
        "/atom/cs.LG+cs.CL", listing_feed([("2104.12255v1", "new"), ("0808.05394v1", "new")], DAY, "cs.LG+cs.CL")
    )
    first = ingest_listings(store, wired)
    assert first.summary.new == 1 and "1 announced ids not in the API yet, the next run asks again" in first.notes
    second = ingest_listings(store, wired)
    assert "already ingested" not in second.notes and second.summary.unchanged == 1


def test_an_empty_feed_on_a_weekend_changes_nothing(store: Store, wired: Config, replay: ReplayServer) -> None:
    replay.add("/atom/cs.LG+cs.CL", listing_feed([], DAY, "cs.LG+cs.CL"))
    report = ingest_listings(store, wired)
    assert not report.changed and replay.requests_to("/api/query") == []


def test_a_hugging_face_day_brings_papers_listings_and_upvotes(
    store: Store, wired: Config, replay: ReplayServer
) -> None:
    report = ingest_hf_day(store, wired, HF_DAY)
    assert (report.summary.new, report.summary.listings_new) == (13, 13)
    with store.read() as conn:
        paper = paper_store.paper_by_id(conn, "2405.15738")
        assert paper is not None and paper.title.startswith("ConvLLaVA: Hierarchical Backbones")
        assert paper.imported_upvotes > 0
        assert listing_store.listing_for(conn, HF_DAY, "2405.15738") is not None
    again = ingest_hf_day(store, wired, HF_DAY)
    assert not again.changed and again.summary.unchanged == 13


def test_an_unreachable_papers_api_is_a_clear_error(store: Store, wired: Config) -> None:
    with pytest.raises(IngestError, match=r"gave up on http://127\.0\.0\.1:9/api/daily_papers.*connection failed"):
        ingest_hf_day(store, wired, HF_DAY, endpoint="http://127.0.0.1:9")


def test_the_daily_job_reports_a_change_then_nothing_new(store: Store, wired: Config, replay: ReplayServer) -> None:
    _feed(replay)
    config = Config({**wired.values, "DAILYPAPERS_DAILY_SOURCES": "listing,hf"})
    first = run_daily(store, config, today=date(2024, 5, 28))
    assert [s.name for s in first.steps[:3]] == ["listing", "hf 2024-05-27", "hf 2024-05-28"]
    assert first.changed and not first.failed
    assert all(s.changed for s in first.steps[:3])
    second = run_daily(store, config, today=date(2024, 5, 28))
    assert not any(s.changed for s in second.steps[:3]) and not second.failed


def test_a_failing_source_is_reported_and_the_other_steps_still_run(
    store: Store, wired: Config, replay: ReplayServer
) -> None:
    config = Config({**wired.values, "DAILYPAPERS_DAILY_SOURCES": "listing,hf"})  # no feed served: 404
    report = run_daily(store, config, today=date(2024, 5, 28))
    assert report.failed and report.changed
    listing, *later = report.steps
    assert listing.error is not None and "answered HTTP 404" in listing.error
    assert [s.name for s in later[:2]] == ["hf 2024-05-27", "hf 2024-05-28"]
    assert all(step.error is None for step in later)


def test_an_index_step_that_cannot_load_its_model_is_reported_and_the_digests_still_go_out(
    store: Store, config: Config, tmp_path: Path
) -> None:
    load_week(store)  # papers not embedded yet: the index step must load the model
    with smtp_server() as (handler, url):
        mail = mail_config(
            config, url, DAILYPAPERS_DAILY_SOURCES="", DAILYPAPERS_EMBEDDING_MODEL=str(tmp_path / "no-such-model")
        )
        subscribe(store, mail, "reader@example.org", confirmed=True)
        report = run_daily(store, mail, today=TUESDAY_16)
    fetches, index, digests, notifications = report.steps
    assert notifications.name == "notifications" and notifications.error is None
    assert fetches.name == "fetches" and fetches.error is None  # an empty fetch queue: nothing to do
    assert report.failed and index.name == "index" and index.error and "\n" not in index.error
    assert digests.name == "digests" and digests.error is None and "sent 1" in digests.line
    assert [r.message["To"] for r in handler.received] == ["reader@example.org"]
