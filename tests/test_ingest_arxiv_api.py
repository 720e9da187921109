"""Papers by id and by search from the arXiv API, replayed from recorded replies, into a real store."""

# ruff: noqa: F811  (pytest fixtures imported from helpers.ingest are parameters here)

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

import pytest

from dailypapers.config import Config
from dailypapers.domain import IngestError, InvalidArxivId, PaperNotFound
from dailypapers.ingest import arxiv_api
from dailypapers.ingest.http import PoliteClient
from dailypapers.services.imports import import_papers
from dailypapers.services.ingest import fetch_papers_by_id, ingest_arxiv_search
from dailypapers.storage import Store
from dailypapers.storage import papers as paper_store
from dailypapers.testing.replay import Fault, ReplayServer
from helpers.ingest import fast, replay  # noqa: F401  (fixtures)

API = "/api/query"


def _paper(store: Store, paper_id: str) -> paper_store.StoredPaper:
    with store.read() as conn:
        paper = paper_store.paper_by_id(conn, paper_id)
    assert paper is not None, f"{paper_id} was not stored"
    return paper


def test_a_paper_fetched_by_versioned_id_is_stored_with_every_field(
    store: Store, fast: Config, replay: ReplayServer
) -> None:
    ids = fetch_papers_by_id(store, fast, ["2104.12255v1"], base_url=replay.url + API)
    assert ids == ["2104.12255"]
    paper = _paper(store, "2104.12255")
    assert (paper.title, paper.version, paper.categories) == ("0", 1, ["cs.CR"])
    assert paper.authors == ["Quan Thoi Minh Nguyen"]
    assert paper.published_at == datetime(2021, 4, 20, 16, 7, 14, tzinfo=UTC)
    assert paper.abstract.startswith("What is the funniest number in cryptography? 0.")


def test_an_old_style_id_is_fetched_with_journal_ref_and_comment(
    store: Store, fast: Config, replay: ReplayServer
) -> None:
    fetch_papers_by_id(store, fast, ["https://arxiv.org/abs/astro-ph/0601001"], base_url=replay.url + API)
    paper = _paper(store, "astro-ph/0601001")
    assert paper.journal_ref == "ActaAstron.56:1-50,2006"
    assert paper.comments.startswith("62 pages including 16 figures")
    assert paper.authors == ["Andrew Gould", "Susan Dorsher", "B. Scott Gaudi", "Andrzej Udalski"]
    assert "(1/310)(1^{+1.39}_{-0.59})" in paper.abstract  # LaTeX kept exactly


def test_text_that_is_not_an_arxiv_id_is_refused_before_any_request(
    store: Store, fast: Config, replay: ReplayServer
) -> None:
    with pytest.raises(InvalidArxivId, match="not an arXiv id"):
        fetch_papers_by_id(store, fast, ["abc"], base_url=replay.url + API)
    assert replay.requests == []


def test_arxivs_recorded_invalid_id_reply_becomes_a_clear_error(fast: Config, replay: ReplayServer) -> None:
    with PoliteClient(fast) as client, pytest.raises(arxiv_api.ArxivApiError) as failure:
        arxiv_api.fetch_by_ids(client, replay.url + API, ["abc"])
    assert str(failure.value) == "arXiv refused the request: incorrect id format for abc"


def test_an_id_arxiv_does_not_know_is_not_found_and_the_known_ones_are_still_stored(
    store: Store, fast: Config, replay: ReplayServer
) -> None:
    with pytest.raises(PaperNotFound) as failure:
        fetch_papers_by_id(store, fast, ["0808.05394", "1707.08567"], base_url=replay.url + API)
    assert failure.value.ids == ["0808.05394"]
    assert str(failure.value) == "arXiv has no paper 0808.05394"
    assert "Dirk Wübben" in _paper(store, "1707.08567").authors


def test_a_newer_version_from_the_api_updates_the_paper_and_keeps_its_history(
    store: Store, fast: Config, replay: ReplayServer
) -> None:
    entry = replay.entries["1111.2011"][0][1]  # the recorded v2 entry, read back as v1 of the same paper
    wrapped = ET.fromstring(
        f'<feed xmlns="http://www.w3.org/2005/Atom">{entry.replace("1111.2011v2", "1111.2011v1")}</feed>'
    )
    v1 = arxiv_api.record_from_entry(wrapped[0])
    v1.updated_at, v1.versions, v1.title = v1.published_at, [(1, v1.published_at)], "An earlier title"
    import_papers(store, [v1])

    fetch_papers_by_id(store, fast, ["1111.2011"], base_url=replay.url + API)
    paper = _paper(store, "1111.2011")
    assert paper.version == 2
    assert paper.title == "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit"
    with store.read() as conn:
        history = paper_store.paper_versions_of(conn, "1111.2011")
        assert paper_store.count_papers(conn) == 1
    assert [(v, t.date().isoformat() if t else None) for v, t in history] == [(1, "2011-11-08"), (2, "2012-04-02")]


def test_a_paged_search_stores_every_page_keeping_unicode_and_latex_exactly(
    store: Store, fast: Config, replay: ReplayServer
) -> None:
    report = ingest_arxiv_search(store, fast, "testing", limit=60, page_size=10, base_url=replay.url + API)
    assert (report.pages, report.summary.new, report.requests) == (6, 60, 6)
    assert [r.params["start"] for r in replay.requests_to(API)] == ["0", "10", "20", "30", "40", "50"]
    assert _paper(store, "2405.13786").authors[0] == "Aurora Ramírez"
    assert _paper(store, "2306.03845").title == "$ω$Test: WebView-Oriented Testing for Android Applications"

    again = ingest_arxiv_search(store, fast, "testing", limit=60, page_size=10, base_url=replay.url + API)
    assert (again.summary.unchanged, again.summary.new, again.changed) == (60, 0, False)


def test_a_page_failing_mid_search_leaves_the_earlier_pages_stored(
    store: Store, fast: Config, replay: ReplayServer
) -> None:
    replay.fault(API, Fault.status(500), Fault.status(500), Fault.status(500), when={"start": "20"})
    with pytest.raises(IngestError, match=r"gave up .* after 3 tries: HTTP 500"):
        ingest_arxiv_search(store, fast, "testing", limit=60, page_size=10, base_url=replay.url + API)
    with store.read() as conn:
        assert paper_store.count_papers(conn) == 20


def test_a_lookup_for_a_waiting_member_gives_up_after_two_tries(
    store: Store, fast: Config, replay: ReplayServer
) -> None:
    replay.fault(API, Fault.status(502), Fault.status(502), Fault.status(502))
    with pytest.raises(IngestError, match="after 2 tries: HTTP 502"):
        fetch_papers_by_id(store, fast, ["2104.12255v1"], base_url=replay.url + API)
    assert len(replay.requests_to(API)) == 2  # DAILYPAPERS_HTTP_RETRIES is 3 here; a web page does not wait that long
