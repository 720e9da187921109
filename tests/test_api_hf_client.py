"""The real `huggingface_hub` client against our server (uvicorn on loopback): it must parse what we serve."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from huggingface_hub import HfApi
from huggingface_hub.errors import BadRequestError, HfHubHTTPError

from dailypapers.config import Config
from dailypapers.queries.feed import parse_week
from dailypapers.storage import Store
from dailypapers.web.app import create_app
from helpers.site import hf_days, load_days

DAYS, SKIP = 7, 13  # 2024-06-13 … of the real HF archive: the first days whose items name their submitters


@pytest.fixture
def days(store: Store, shared: Path) -> list[dict[str, Any]]:
    loaded = hf_days(shared, DAYS, skip=SKIP)
    load_days(store, loaded)
    return loaded


@pytest.fixture
def endpoint(config: Config, store: Store, days: list[dict[str, Any]]) -> Iterator[str]:
    """Serve the app with uvicorn on a free loopback port, in a thread, for the duration of a test."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(config, store), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


def test_list_daily_papers_parses_a_recorded_day(endpoint: str, days: list[dict[str, Any]]) -> None:
    day = days[0]
    papers = list(HfApi(endpoint=endpoint).list_daily_papers(date=day["date"], token=False))
    recorded = {item["paper"]["id"]: item for item in day["papers"]}
    assert {p.id for p in papers} == set(recorded)
    for info in papers:
        source = recorded[info.id]
        assert info.title == " ".join(source["paper"]["title"].split())
        assert (info.upvotes or 0) == source["paper"].get("upvotes", 0)
        assert info.comments == source.get("numComments", 0)
        assert info.published_at is not None and info.published_at.tzinfo is not None
        assert info.submitted_at is not None and info.submitted_at.date() <= date.fromisoformat(day["date"])
        assert info.authors and info.authors[0].name == source["paper"]["authors"][0]["name"]
        assert info.summary and info.summary.split()[:5] == source["paper"]["summary"].split()[:5]


def test_list_daily_papers_by_week_month_submitter_and_pages(endpoint: str, days: list[dict[str, Any]]) -> None:
    api = HfApi(endpoint=endpoint)
    first_day = date.fromisoformat(days[0]["date"])
    week = parse_week(f"{first_day.isocalendar()[0]}-W{first_day.isocalendar()[1]:02d}")
    in_week = {
        item["paper"]["id"]
        for d in days
        if week.start <= date.fromisoformat(d["date"]) <= week.end
        for item in d["papers"]
    }
    got = {p.id for p in api.list_daily_papers(week=week.label, limit=100, token=False)}
    assert got == in_week
    month_pages = [
        [p.id for p in api.list_daily_papers(month=first_day.strftime("%Y-%m"), p=n, limit=100, token=False)]
        for n in range(2)
    ]
    everything = {item["paper"]["id"] for d in days for item in d["papers"]}
    assert len(month_pages[0]) == 100 and set(month_pages[0]) | set(month_pages[1]) == everything
    pages = [[p.id for p in api.list_daily_papers(p=n, limit=4, token=False)] for n in range(2)]
    assert len(pages[0]) == len(pages[1]) == 4 and not set(pages[0]) & set(pages[1])
    submitter = next(item["submittedBy"]["user"] for d in days for item in d["papers"] if item.get("submittedBy"))
    theirs = list(api.list_daily_papers(submitter=submitter, limit=100, token=False))
    assert theirs and all(p.submitted_by is not None and p.submitted_by.username == submitter for p in theirs)
    assert all(p.submitted_by.fullname for p in theirs if p.submitted_by)


def test_trending_sort_puts_a_fresh_popular_paper_above_an_old_one(endpoint: str, days: list[dict[str, Any]]) -> None:
    trending = list(HfApi(endpoint=endpoint).list_daily_papers(sort="trending", limit=10, token=False))
    assert len(trending) == 10
    newest = max(p.submitted_at for p in trending if p.submitted_at)
    assert trending[0].submitted_at is not None and (newest - trending[0].submitted_at).days <= 3


def test_paper_info_and_read_paper(endpoint: str, days: list[dict[str, Any]]) -> None:
    api = HfApi(endpoint=endpoint)
    item = days[2]["papers"][0]
    info = api.paper_info(item["paper"]["id"])
    assert info.id == item["paper"]["id"] and info.title
    assert info.published_at is not None and info.published_at.tzinfo == UTC
    assert info.submitted_at is not None and info.submitted_at.date() <= date.fromisoformat(days[2]["date"])
    if item.get("submittedBy"):
        assert info.submitted_by is not None and info.submitted_by.username == item["submittedBy"]["user"]
    text = api.read_paper(item["paper"]["id"])
    assert text.startswith(f"# {info.title}") and info.id in text


def test_unknown_papers_raise_the_clients_404_with_our_message(endpoint: str, days: list[dict[str, Any]]) -> None:
    api = HfApi(endpoint=endpoint)
    with pytest.raises(HfHubHTTPError) as info:
        api.paper_info("2401.99999")
    assert info.value.response.status_code == 404 and "no paper 2401.99999 here" in str(info.value)
    with pytest.raises(HfHubHTTPError) as md:
        api.read_paper("2401.99999")
    assert md.value.response.status_code == 404
    with pytest.raises(HfHubHTTPError) as bad:
        list(api.list_daily_papers(date="2024-02-30", token=False))
    assert bad.value.response.status_code == 400 and "YYYY-MM-DD" in str(bad.value)


def test_list_papers_searches_the_store(endpoint: str, days: list[dict[str, Any]]) -> None:
    item = days[0]["papers"][0]["paper"]
    title_words = " ".join(item["title"].split()[:6])
    found = list(HfApi(endpoint=endpoint).list_papers(query=title_words, limit=5, token=False))
    assert 0 < len(found) <= 5 and found[0].id == item["id"]
    assert found[0].title and found[0].published_at is not None


def test_a_saved_hugging_face_token_is_ignored_on_reads(endpoint: str, days: list[dict[str, Any]]) -> None:
    """Logged-in huggingface_hub users send their hf_ token by default; reads answer as to anyone."""
    api = HfApi(endpoint=endpoint, token="hf_fake_user_token")
    day = days[0]
    listed = list(api.list_daily_papers(date=day["date"], token="hf_fake_user_token"))
    assert {p.id for p in listed} == {item["paper"]["id"] for item in day["papers"]}
    assert [p.id for p in api.list_daily_papers(date=day["date"])] == [p.id for p in listed]  # the instance token
    paper_id = day["papers"][0]["paper"]["id"]
    assert api.paper_info(paper_id).id == paper_id
    assert list(api.list_papers(query=paper_id, limit=1, token="hf_fake_user_token"))
    with pytest.raises(HfHubHTTPError) as ours:  # the header does go out: a bad token of ours is still refused
        list(api.list_daily_papers(date=day["date"], token="dp_revoked"))
    assert ours.value.response.status_code == 401


# --- huggingface_hub's own TestPaperApi (tests/test_hf_api.py), case by case, against our data ---
# Left out: test_get_paper_by_id_returns_linked_repos (models, datasets and Spaces exist only on Hugging Face).


def test_hf_list_papers_by_query_with_limit(endpoint: str, days: list[dict[str, Any]]) -> None:
    item = days[0]["papers"][0]["paper"]
    word = max(item["title"].split(), key=len)
    assert len(list(HfApi(endpoint=endpoint).list_papers(query=word, limit=2, token=False))) == 2


def test_hf_paper_info_of_an_id_not_held_is_a_404(endpoint: str, days: list[dict[str, Any]]) -> None:
    with pytest.raises(HfHubHTTPError) as context:
        HfApi(endpoint=endpoint).paper_info("1234.56789")
    assert context.value.response.status_code == 404


def test_hf_list_daily_papers_of_an_invalid_date_is_a_bad_request(endpoint: str, days: list[dict[str, Any]]) -> None:
    with pytest.raises(BadRequestError):
        list(HfApi(endpoint=endpoint).list_daily_papers(date="2025-13-40", token=False))


def test_hf_list_daily_papers_default_date(endpoint: str, days: list[dict[str, Any]]) -> None:
    papers = list(HfApi(endpoint=endpoint).list_daily_papers(token=False))
    assert papers and papers[0].id and papers[0].title


def test_hf_list_daily_papers_of_a_week_were_submitted_in_it(endpoint: str, days: list[dict[str, Any]]) -> None:
    year, week, _ = date.fromisoformat(days[-1]["date"]).isocalendar()
    papers = list(HfApi(endpoint=endpoint).list_daily_papers(week=f"{year}-W{week:02d}", token=False))
    assert papers
    start = datetime.fromisocalendar(year, week - 1, 5).replace(tzinfo=UTC)  # as the client's test: from Friday
    end = datetime.fromisocalendar(year, week, 7).replace(tzinfo=UTC) + timedelta(days=1)
    assert all(p.submitted_at is not None and start <= p.submitted_at <= end for p in (papers[0], papers[-1]))


def test_hf_list_daily_papers_of_a_month_were_submitted_in_it(endpoint: str, days: list[dict[str, Any]]) -> None:
    first = date.fromisoformat(days[0]["date"]).replace(day=1)
    papers = list(HfApi(endpoint=endpoint).list_daily_papers(month=first.strftime("%Y-%m"), token=False))
    assert papers
    start = datetime.combine(first, datetime.min.time(), UTC) - timedelta(days=1)
    end = datetime.combine((first + timedelta(days=32)).replace(day=1), datetime.min.time(), UTC)
    assert all(p.submitted_at is not None and start <= p.submitted_at <= end for p in (papers[0], papers[-1]))


def test_hf_daily_papers_of_a_submitter_carry_their_fullname(endpoint: str, days: list[dict[str, Any]]) -> None:
    by = next(item["submittedBy"] for d in days for item in d["papers"] if item.get("submittedBy"))
    papers = list(HfApi(endpoint=endpoint).list_daily_papers(submitter=by["user"], token=False))
    assert papers and papers[0].submitted_by is not None and papers[0].submitted_by.fullname == by["fullname"]


def test_hf_daily_papers_page_and_limit(endpoint: str, days: list[dict[str, Any]]) -> None:
    api = HfApi(endpoint=endpoint)
    day = next(d for d in days if len(d["papers"]) >= 10)
    assert list(api.list_daily_papers(date=day["date"], p=100, token=False)) == []
    assert len(list(api.list_daily_papers(date=day["date"], limit=10, token=False))) == 10
