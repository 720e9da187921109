"""OAI-PMH harvests: the recorded page, resumption token chains, checkpoints, resuming, incremental runs."""

# ruff: noqa: F811  (pytest fixtures imported from helpers.ingest are parameters here)

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from dailypapers.config import Config
from dailypapers.domain import IngestError
from dailypapers.ingest.kaggle import parse_rfc2822
from dailypapers.services.ingest import harvest_oai, oai_source
from dailypapers.storage import Store
from dailypapers.storage import papers as paper_store
from dailypapers.storage.harvest import HarvestState, harvest_state_of, save_harvest_state
from dailypapers.testing.arxiv_replies import serve_oai_chain
from dailypapers.testing.replay import Fault, ReplayServer
from helpers.ingest import FIXTURES, fast, kaggle_rows  # noqa: F401  (fixtures)

RECORDED_PAGE = FIXTURES / "oai-pmh" / "listrecords--should-list-identifiers-from-arxiv_1.xml"
FIRST = {"verb": "ListRecords", "metadataPrefix": "arXivRaw", "set": "cs", "from": "2007-01-01"}
SOURCE = oai_source("cs", "arXivRaw")


@pytest.fixture
def server() -> ReplayServer:
    with ReplayServer() as replay:
        yield replay


def _harvest(store: Store, config: Config, server: ReplayServer, **kwargs: Any) -> Any:
    kwargs.setdefault("set_spec", "cs")
    return harvest_oai(store, config, base_url=server.url + "/oai2", **kwargs)


def _state(store: Store) -> HarvestState:
    with store.read() as conn:
        return harvest_state_of(conn, SOURCE)


def _count(store: Store) -> int:
    with store.read() as conn:
        return paper_store.count_papers(conn)


def test_the_recorded_listrecords_page_is_stored_exactly_after_arxivs_503(
    store: Store, fast: Config, server: ReplayServer
) -> None:
    query = {"verb": "ListRecords", "metadataPrefix": "arXiv", "from": "2015-01-01", "until": "2015-01-03"}
    server.add("/oai2", RECORDED_PAGE.read_bytes(), query=query)
    server.fault("/oai2", Fault.recorded_503(retry_after="1"))
    report = _harvest(store, fast, server, set_spec="", prefix="arXiv", from_="2015-01-01", until="2015-01-03")
    assert (report.summary.new, report.requests) == (2, 2)
    with store.read() as conn:
        ks = paper_store.paper_by_id(conn, "1412.8544")
        planck = paper_store.paper_by_id(conn, "hep-th/9504118")
        assert harvest_state_of(conn, oai_source(None, "arXiv")).last_datestamp == "2015-01-03"
    assert ks is not None and planck is not None
    assert ks.title == "A Kochen-Specker system has at least 22 vectors (extended abstract)"
    assert ks.authors == ["Sander Uijlen", "Bas Westerbaan"]
    assert (ks.journal_ref, ks.doi) == ("EPTCS 172, 2014, pp. 154-164", "10.4204/EPTCS.172.11")
    assert ks.published_at == datetime(2014, 12, 29, tzinfo=UTC)
    assert planck.report_no == "GOET-TP 101/95"
    # arXiv wraps abstracts at 80 columns: whitespace is normalised, LaTeX and quotes kept as written.
    assert "in form of a '{\\it cellular network}' consisting of cells" in planck.abstract
    assert 'the "strength" of the bonds' in planck.abstract


def test_a_resumption_token_chain_is_followed_to_the_end(store: Store, fast: Config, server: ReplayServer) -> None:
    rows = kaggle_rows()
    tokens = serve_oai_chain(server, rows, per_page=50, first_query=FIRST)
    report = _harvest(store, fast, server, from_="2007-01-01")
    assert (report.pages, report.summary.new, report.summary.rejected) == (4, 200, 0)
    asked = [r.params.get("resumptionToken") for r in server.requests_to("/oai2")]
    assert asked == [None, *tokens]
    state = _state(store)
    assert state.cursor == {} and state.last_datestamp == max(r["update_date"] for r in rows)
    with store.read() as conn:
        history = paper_store.paper_versions_of(conn, "0704.0003")
    # arXivRaw's version history, exactly
    expected = [(int(v["version"][1:]), parse_rfc2822(v["created"])) for v in rows[2]["versions"]]
    assert rows[2]["id"] == "0704.0003" and history == expected


def test_a_broken_page_mid_harvest_fails_clearly_and_the_next_run_resumes_from_the_checkpoint(
    store: Store, fast: Config, server: ReplayServer
) -> None:
    rows = kaggle_rows()
    tokens = serve_oai_chain(server, rows, per_page=50, first_query=FIRST)
    server.fault("/oai2", Fault.status(500), Fault.reset(), Fault.truncate(), when={"resumptionToken": tokens[1]})
    with pytest.raises(IngestError, match="after 3 tries"):
        _harvest(store, fast, server, from_="2007-01-01")
    assert _count(store) == 100  # the two pages before the broken one stay stored
    assert _state(store).cursor["token"] == tokens[1]

    requests_before = len(server.requests)
    report = _harvest(store, fast, server)  # no --from: resume where it stopped
    resumed = server.requests[requests_before:]
    assert [r.params.get("resumptionToken") for r in resumed] == tokens[1:]
    assert "resumed from checkpoint" in report.notes
    assert (report.summary.new, _count(store)) == (100, 200)
    assert _state(store).cursor == {}


def test_the_next_run_asks_only_for_what_is_new_since_the_last_datestamp(
    store: Store, fast: Config, server: ReplayServer
) -> None:
    rows = kaggle_rows()
    serve_oai_chain(server, rows, per_page=100, first_query=FIRST)
    _harvest(store, fast, server, from_="2007-01-01")
    last = _state(store).last_datestamp
    later = {"verb": "ListRecords", "metadataPrefix": "arXivRaw", "set": "cs", "from": last}
    server.add(
        "/oai2",
        b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><error code="noRecordsMatch"/></OAI-PMH>',
        query=later,
    )
    report = _harvest(store, fast, server)
    assert server.requests[-1].params == later
    assert not report.changed and _state(store).last_datestamp == last


def test_a_changed_version_updates_the_paper_and_keeps_its_history(
    store: Store, fast: Config, server: ReplayServer
) -> None:
    rows = kaggle_rows()[:10]
    first = {**rows[2], "versions": rows[2]["versions"][:1]}  # 0704.0003 as it was at v1
    serve_oai_chain(server, [first], per_page=10, first_query=FIRST)
    _harvest(store, fast, server, from_="2007-01-01")
    changed = {**rows[2], "abstract": rows[2]["abstract"] + " Revised."}
    serve_oai_chain(server, [changed], per_page=10, first_query={**FIRST, "from": "2008-02-01"})
    report = _harvest(store, fast, server, from_="2008-02-01")
    assert (report.summary.updated, report.summary.new) == (1, 0)
    with store.read() as conn:
        paper = paper_store.paper_by_id(conn, "0704.0003")
        history = paper_store.paper_versions_of(conn, "0704.0003")
        assert paper_store.count_papers(conn) == 1
    assert paper is not None and paper.version == 3 and paper.abstract.endswith("Revised.")
    assert [v for v, _ in history] == [1, 2, 3]


def test_an_expired_resumption_token_restarts_the_harvest_from_its_from_date(
    store: Store, fast: Config, server: ReplayServer
) -> None:
    rows = kaggle_rows()[:30]
    serve_oai_chain(server, rows, per_page=30, first_query=FIRST)
    expired = (
        b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><error code="badResumptionToken">gone</error></OAI-PMH>'
    )
    server.add("/oai2", expired, query={"verb": "ListRecords", "resumptionToken": "stale"})
    with store.write() as conn:
        save_harvest_state(conn, HarvestState(SOURCE, {"token": "stale", "from": "2007-01-01"}, None))
    report = _harvest(store, fast, server)
    assert "token expired, restarted" in report.notes
    assert report.summary.new == 30 and server.requests[-1].params == FIRST


def test_an_oai_error_reply_ends_the_run_with_the_repositorys_message(
    store: Store, fast: Config, server: ReplayServer
) -> None:
    bad = (
        b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><error code="badArgument">Illegal set</error></OAI-PMH>'
    )
    server.add("/oai2", bad)
    with pytest.raises(IngestError, match="OAI-PMH error badArgument: Illegal set"):
        _harvest(store, fast, server, set_spec="nonsense", from_="2020-01-01")
