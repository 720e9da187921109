"""Thumbnails: PDFs made here (Pillow draws a page, saves it as PDF) are served by a real HTTP server on loopback,
fetched through the polite client, drawn by PDFium, stored as WebP files, served at /thumbnails/<id>.webp and shown
on cards (a placeholder when there is none); on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from typer.testing import CliRunner

from dailypapers.cli.main import app
from dailypapers.config import Config
from dailypapers.queries.thumbnails import thumbnail_path, thumbnail_state
from dailypapers.services.thumbnails import make_thumbnails, request_thumbnail, run_queued_thumbnails
from dailypapers.storage import Store
from dailypapers.testing.replay import Fault, ReplayServer
from helpers.ingest import quick
from helpers.site import client_for, soup
from helpers.thumbnails import DAY, list_papers, serve_pdf, store_papers

A, B, C = "2611.00001", "2611.00002", "2611.00003"
OLD = "hep-th/9901001"


@pytest.fixture
def arxiv() -> Iterator[ReplayServer]:
    with ReplayServer() as server:
        yield server


@pytest.fixture
def cfg(config: Config, arxiv: ReplayServer) -> Config:
    return quick(config, DAILYPAPERS_ARXIV_PDF_URL=arxiv.url + "/pdf")


def test_a_listed_paper_gets_its_first_page_drawn_as_a_webp_and_one_without_a_pdf_is_not_asked_again(
    cfg: Config, store: Store, arxiv: ReplayServer
) -> None:
    list_papers(store, DAY, A, B)
    serve_pdf(arxiv, A)  # B: the server answers 404
    run = make_thumbnails(store, cfg, days=1, today=DAY)
    assert (run.made, run.none, run.failed) == ([A], [B], [])
    with Image.open(thumbnail_path(cfg, A)) as image:
        assert image.format == "WEBP" and image.size == (320, 414)
        gray = image.convert("L")
        assert gray.getpixel((160, 40)) < 60 and gray.getpixel((160, 300)) > 200  # the page, not a blank
    assert not list(thumbnail_path(cfg, A).parent.glob("*.tmp"))
    state = thumbnail_state(store, B)
    assert state is not None and state.state == "none" and "HTTP 404" in (state.last_error or "")
    assert state.next_attempt_at is not None and state.next_attempt_at > datetime.now(UTC) + timedelta(days=6)
    again = make_thumbnails(store, cfg, days=1, today=DAY)
    assert again.tried == 0 and len(arxiv.requests_to(f"/pdf/{B}")) == 1


def test_a_reply_that_is_not_a_pdf_means_no_thumbnail_without_retrying_it(
    cfg: Config, store: Store, arxiv: ReplayServer
) -> None:
    list_papers(store, DAY, A, B)
    arxiv.add(f"/pdf/{A}", "<html><body>PDF being generated</body></html>", content_type="text/html")
    arxiv.add(f"/pdf/{B}", b"%PDF-1.7 not really a PDF", content_type="application/pdf")
    run = make_thumbnails(store, cfg, days=1, today=DAY)
    assert run.none == [A, B] and not run.made
    assert len(arxiv.requests_to(f"/pdf/{A}")) == 1  # a non-PDF is an answer, not a damaged reply to retry
    state_a, state_b = thumbnail_state(store, A), thumbnail_state(store, B)
    assert state_a is not None and "not a PDF (text/html" in (state_a.last_error or "")
    assert state_b is not None and "PDFium cannot open" in (state_b.last_error or "")
    assert not thumbnail_path(cfg, A).exists()


def test_a_failing_server_leaves_a_failed_row_retried_later_and_the_other_papers_still_get_theirs(
    cfg: Config, store: Store, arxiv: ReplayServer
) -> None:
    list_papers(store, DAY, A, B)
    arxiv.fault(f"/pdf/{A}", *[Fault.status(503)] * 3)  # every try of the polite client (3 in quick settings)
    serve_pdf(arxiv, A)
    serve_pdf(arxiv, B)
    run = make_thumbnails(store, cfg, days=1, today=DAY)
    assert (run.made, run.failed) == ([B], [A])
    state = thumbnail_state(store, A)
    assert state is not None and state.state == "failed" and state.attempts == 1 and "HTTP 503" in state.last_error
    assert state.next_attempt_at is not None and state.next_attempt_at > datetime.now(UTC) + timedelta(minutes=50)
    assert make_thumbnails(store, cfg, days=1, today=DAY).tried == 0  # not refetched on every run


def test_only_the_lists_of_the_days_asked_for_are_looked_at(cfg: Config, store: Store, arxiv: ReplayServer) -> None:
    list_papers(store, DAY - timedelta(days=3), A)
    serve_pdf(arxiv, A)
    assert make_thumbnails(store, cfg, days=3, today=DAY).tried == 0
    assert make_thumbnails(store, cfg, days=4, today=DAY).made == [A]
    with pytest.raises(ValueError, match="--days"):
        make_thumbnails(store, cfg, days=0, today=DAY)


def test_thumbnails_are_off_without_a_pdf_url(config: Config, store: Store) -> None:
    list_papers(store, DAY, A)
    assert config.text("DAILYPAPERS_ARXIV_PDF_URL") == ""
    assert make_thumbnails(store, config, days=1, today=DAY).tried == 0
    assert not request_thumbnail(store, config, A)


@pytest.fixture
def site(cfg: Config, store: Store, arxiv: ReplayServer) -> Iterator[TestClient]:
    list_papers(store, DAY, A, B, OLD)
    serve_pdf(arxiv, A)
    serve_pdf(arxiv, OLD)
    serve_pdf(arxiv, C)
    store_papers(store, C)
    assert make_thumbnails(store, cfg, days=1, today=DAY).made == [A, OLD]
    with client_for(cfg, store) as client:
        yield client


def test_the_thumbnail_address_is_stable_cached_for_a_week_with_an_etag_and_refuses_anything_else(
    site: TestClient,
) -> None:
    reply = site.get(f"/thumbnails/{A}.webp")
    assert reply.status_code == 200 and reply.headers["content-type"] == "image/webp"
    assert reply.content[:4] == b"RIFF" and reply.content[8:12] == b"WEBP"
    assert "max-age=604800" in reply.headers["cache-control"]
    etag = reply.headers["etag"]
    assert site.get(f"/thumbnails/{A}.webp", headers={"If-None-Match": etag}).status_code == 304
    assert site.get(f"/thumbnails/{OLD}.webp").status_code == 200
    for path in (
        f"/thumbnails/{B}.webp",  # listed, but its PDF was not there
        f"/thumbnails/{A}v1.webp",
        "/thumbnails/..%2Fdailypapers.db.webp",
        "/thumbnails/../../secret.key.webp",
        "/thumbnails/%2e%2e/%2e%2e/etc/passwd.webp",
        "/thumbnails/nonsense.webp",
    ):
        answer = site.get(path)
        assert answer.status_code == 404, path
        assert b"SQLite" not in answer.content


def test_cards_show_the_thumbnail_lazily_with_its_size_and_a_placeholder_when_there_is_none(site: TestClient) -> None:
    page = soup(site.get(f"/papers/date/{DAY.isoformat()}").text)
    image = page.select_one(f'li[id="paper-{A}"] > img')
    assert image is not None
    assert (image["src"], image["loading"], image["width"], image["height"], image["alt"]) == (
        f"/thumbnails/{A}.webp",
        "lazy",
        "96",
        "124",
        "",
    )
    assert page.select_one(f'li[id="paper-{B}"] img[src^="/thumbnails/"]') is None, "only its avatar is an image"
    assert page.select_one(f'li[id="paper-{B}"] span.thumb') is not None


def test_the_paper_page_shows_the_first_page_and_one_without_queues_it_for_the_worker(
    site: TestClient, cfg: Config, store: Store
) -> None:
    big = soup(site.get(f"/papers/{A}").text).select_one("a.first-page img")
    assert big is not None and big["src"] == f"/thumbnails/{A}.webp" and big["alt"]
    assert soup(site.get(f"/papers/{C}").text).select_one("a.first-page") is None  # the page does not wait
    state = thumbnail_state(store, C)
    assert state is not None and state.state == "queued"
    assert run_queued_thumbnails(store, cfg) == 1
    assert soup(site.get(f"/papers/{C}").text).select_one("a.first-page img") is not None
    assert not request_thumbnail(store, cfg, B)  # tried already: waits for its retry time


runner = CliRunner()


def test_the_command_makes_todays_thumbnails_and_refuses_a_bad_number_of_days(
    cfg: Config, store: Store, arxiv: ReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in cfg.values.items():
        monkeypatch.setenv(name, value)
    list_papers(store, datetime.now(UTC).date(), A)
    serve_pdf(arxiv, A)
    for bad in ("0", "-2"):
        result = runner.invoke(app, ["thumbnails", "--days", bad])
        assert result.exit_code == 2 and "--days must be between 1 and" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert not arxiv.requests_to(f"/pdf/{A}")
    result = runner.invoke(app, ["thumbnails"])
    assert result.exit_code == 0, result.stderr
    assert "thumbnails: 1 made, 0 without a PDF, 0 failed (1 request)" in result.stdout
    assert thumbnail_path(cfg, A).is_file()
    monkeypatch.setenv("DAILYPAPERS_ARXIV_PDF_URL", "")
    result = runner.invoke(app, ["thumbnails"])
    assert result.exit_code == 2 and "DAILYPAPERS_ARXIV_PDF_URL is empty" in result.stderr


def test_paper_page_views_queue_thumbnails_only_within_the_site_wide_limit(
    cfg: Config, store: Store, arxiv: ReplayServer
) -> None:
    store_papers(store, A, B, C)
    limited = quick(cfg, DAILYPAPERS_THUMBNAIL_RATE="2/3600")
    with client_for(limited, store) as client:
        for paper_id in (A, A, B, C):  # a second view of A finds it queued: not counted
            assert client.get(f"/papers/{paper_id}").status_code == 200
    states = {i: thumbnail_state(store, i) for i in (A, B, C)}
    assert [s.state if s else None for s in states.values()] == ["queued", "queued", None]
    assert not arxiv.requests  # queued only: the page asked nothing of arXiv


def test_a_data_directory_that_refuses_the_file_is_a_failed_try_not_a_crash(
    cfg: Config, store: Store, arxiv: ReplayServer
) -> None:
    list_papers(store, DAY, A)
    serve_pdf(arxiv, A)
    thumbnail_path(cfg, A).parent.parent.mkdir(parents=True, exist_ok=True)
    thumbnail_path(cfg, A).parent.write_text("a file where the thumbnail directory should be")
    run = make_thumbnails(store, cfg, days=1, today=DAY)
    assert run.failed == [A]
    state = thumbnail_state(store, A)
    assert state is not None and state.state == "failed" and state.next_attempt_at is not None


def test_the_daily_job_makes_thumbnails_of_yesterdays_and_todays_lists_last_and_a_failed_pdf_fails_no_step(
    cfg: Config, store: Store, arxiv: ReplayServer
) -> None:
    from dailypapers.services.daily import run_daily

    cfg.values.update({"DAILYPAPERS_EMBEDDING_BACKEND": "torch", "DAILYPAPERS_DAILY_SOURCES": ""})
    list_papers(store, DAY - timedelta(days=1), A)
    list_papers(store, DAY, B)
    list_papers(store, DAY - timedelta(days=2), C)  # too old for the daily job
    serve_pdf(arxiv, A)
    arxiv.fault(f"/pdf/{B}", *[Fault.status(503)] * 3)
    report = run_daily(store, cfg, today=DAY)
    assert report.steps[-1].name == "thumbnails" and not report.failed
    assert report.steps[-1].line == "thumbnails: 1 made, 0 without a PDF, 1 failed (4 requests)"
    assert thumbnail_path(cfg, A).is_file() and not arxiv.requests_to(f"/pdf/{C}")
