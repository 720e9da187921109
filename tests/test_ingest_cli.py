"""`dailypapers ingest …` and `dailypapers daily`: one summary line on success, one error line and an exit code."""

# ruff: noqa: F811  (pytest fixtures imported from helpers.ingest are parameters here)

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dailypapers.cli.main import app
from dailypapers.config import Config
from dailypapers.testing.arxiv_replies import listing_feed, serve_oai_chain
from dailypapers.testing.replay import Fault, ReplayServer
from helpers.ingest import QUICK, kaggle_rows, replay  # noqa: F401  (fixtures)

runner = CliRunner()


@pytest.fixture
def env(cli_env: Config, monkeypatch: pytest.MonkeyPatch) -> Config:
    for name, value in QUICK.items():
        monkeypatch.setenv(name, value)
    return cli_env


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_ingest_arxiv_stores_papers_by_id_and_says_what_changed(env: Config, replay: ReplayServer) -> None:
    code, out, _ = run("ingest", "arxiv", "2104.12255v1", "quant-ph/0201082v1", "--base-url", replay.url + "/api/query")
    assert code == 0
    assert out.startswith("arxiv: read 2, new 2, updated 0, unchanged 0, rejected 0")


def test_ingest_arxiv_with_a_malformed_id_is_one_line_and_exit_2(env: Config, replay: ReplayServer) -> None:
    code, _, err = run("ingest", "arxiv", "abc", "--base-url", replay.url + "/api/query")
    assert code == 2 and "“abc” is not an arXiv id or link" in err and len(err.strip().splitlines()) == 1
    assert replay.requests == []


def test_ingest_arxiv_for_a_paper_arxiv_lacks_exits_1(env: Config, replay: ReplayServer) -> None:
    code, _, err = run("ingest", "arxiv", "0808.05394", "--base-url", replay.url + "/api/query")
    assert code == 1 and "arXiv has no paper 0808.05394" in err


def test_an_interrupted_oai_harvest_exits_1_and_the_rerun_finishes_it(env: Config) -> None:
    with ReplayServer() as server:
        first = {"verb": "ListRecords", "metadataPrefix": "arXivRaw", "set": "cs", "from": "2007-01-01"}
        tokens = serve_oai_chain(server, kaggle_rows()[:60], per_page=20, first_query=first)
        server.fault("/oai2", *[Fault.status(503, retry_after="0")] * 3, when={"resumptionToken": tokens[0]})
        args = ("ingest", "oai", "--set", "cs", "--base-url", server.url + "/oai2")
        code, _, err = run(*args, "--from", "2007-01-01")
        assert code == 1
        assert "after 3 tries: HTTP 503" in err and "run the command again to continue" in err
        code, out, _ = run(*args)
        assert code == 0 and "read 40, new 40" in out and "resumed from checkpoint" in out


def test_a_base_url_that_is_not_http_fails_at_once(env: Config) -> None:
    code, _, err = run("ingest", "hf", "2024-05-27", "--base-url", "ftp.example.org")
    assert code == 1 and "cannot request ftp.example.org/api/daily_papers" in err


def test_a_bad_date_is_refused_before_anything_runs(env: Config) -> None:
    code, _, err = run("ingest", "oai", "--from", "yesterday", "--base-url", "http://127.0.0.1:9/oai2")
    assert code == 2 and "--from must be a date like 2026-11-26" in err


def test_daily_exits_0_when_something_changed_then_3_when_nothing_did(
    env: Config, replay: ReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = datetime.now(UTC).date()
    replay.add("/atom/cs.LG", listing_feed([("2104.12255v1", "new"), ("1605.08386v1", "cross")], today))
    monkeypatch.setenv("DAILYPAPERS_DAILY_SOURCES", "listing")
    monkeypatch.setenv("DAILYPAPERS_CATEGORIES", "cs.LG")
    monkeypatch.setenv("DAILYPAPERS_ARXIV_LISTING_URL", replay.url + "/atom")
    monkeypatch.setenv("DAILYPAPERS_ARXIV_API_URL", replay.url + "/api/query")
    code, out, _ = run("daily")
    assert code == 0 and "listing:cs.LG: read 2, new 2" in out
    code, out, _ = run("daily")
    assert code == 3 and "already ingested" in out


def test_daily_exits_1_when_a_source_fails(env: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAILYPAPERS_DAILY_SOURCES", "hf")
    monkeypatch.setenv("DAILYPAPERS_HF_ENDPOINT", "http://127.0.0.1:9")
    code, _, err = run("daily")
    assert code == 1 and "hf " in err and "connection failed" in err


def test_daily_exits_1_when_indexing_fails_and_still_runs_the_digest_step(
    env: Config, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, shared: Path
) -> None:
    sample = str(shared / "fixtures" / "kaggle-arxiv-metadata-snapshot.sample.jsonl")
    assert run("import", "kaggle", sample)[0] == 0  # papers to embed, so the model must load
    monkeypatch.setenv("DAILYPAPERS_DAILY_SOURCES", "")
    monkeypatch.setenv("DAILYPAPERS_EMBEDDING_MODEL", str(tmp_path / "no-such-model"))
    code, out, err = run("daily")
    assert code == 1 and "index failed:" in err
    assert [line for line in err.splitlines() if "index failed:" in line and "daily step" not in line]
    assert [line for line in out.splitlines() if line.startswith("due ")]  # the digest step's line


def test_daily_drains_the_fetch_queue(
    env: Config, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, replay: ReplayServer
) -> None:
    from dailypapers.services.fetches import request_fetch
    from dailypapers.storage import open_store

    store = open_store(env)
    try:
        request_fetch(store, "1605.08386", None)
    finally:
        store.dispose()
    monkeypatch.setenv("DAILYPAPERS_DAILY_SOURCES", "")
    monkeypatch.setenv("DAILYPAPERS_ARXIV_API_URL", replay.url + "/api/query")
    monkeypatch.setenv("DAILYPAPERS_EMBEDDING_MODEL", str(tmp_path / "no-such-model"))  # index fails fast
    code, out, _ = run("daily")
    assert code == 1  # the index step failed, the fetch step did its work before it
    assert "fetches: 1 done, 0 not found, 0 retrying, 0 failed (1 request)" in out
    assert run("fetches", "list")[1].count("done") == 1


def test_daily_with_an_unknown_source_says_which(env: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAILYPAPERS_DAILY_SOURCES", "listing,rss")
    code, _, err = run("daily")
    assert code == 2 and "unknown source rss" in err


def test_every_ingest_command_and_setting_is_documented() -> None:
    from pathlib import Path

    from dailypapers.cli import ingest

    doc = (Path(__file__).resolve().parents[1] / "docs" / "ingest.md").read_text()
    for command in ingest.app.registered_commands:
        assert f"`dailypapers ingest {command.name}" in doc, command.name
    assert "`dailypapers daily`" in doc
    for setting in ("HTTP_BACKOFF", "HTTP_MAX_WAIT", "OAI_FORMAT", "DAILY_SOURCES"):
        assert f"DAILYPAPERS_{setting}" in doc


def test_a_harvest_whose_every_record_is_rejected_exits_1_and_says_why(env: Config) -> None:
    with ReplayServer() as server:
        first = {"verb": "ListRecords", "metadataPrefix": "arXivRaw", "set": "cs", "from": "2007-01-01"}
        broken = [{**row, "id": f"not an id {n}"} for n, row in enumerate(kaggle_rows()[:3])]
        serve_oai_chain(server, broken, per_page=10, first_query=first)
        code, _, err = run("ingest", "oai", "--set", "cs", "--from", "2007-01-01", "--base-url", server.url + "/oai2")
    assert code == 1 and "all 3 records in the answer were rejected, nothing was stored" in err
    assert err.strip().splitlines()[-1].startswith("error: ") and "not an id 0" in err


def test_a_hugging_face_day_whose_every_item_is_rejected_exits_1(env: Config) -> None:
    with ReplayServer() as server:
        server.hf_days["2024-06-03"] = json.dumps(
            [{"paper": {"id": "javascript:alert(1)", "title": "x"}}, {"paper": {"title": "no id"}}]
        ).encode()
        code, _, err = run("ingest", "hf", "2024-06-03", "--base-url", server.url)
    assert code == 1 and "all 2 records in the answer were rejected" in err


def test_an_arxiv_search_whose_every_entry_is_unreadable_exits_1(env: Config) -> None:
    entries = "".join(
        f"<entry><id>http://arxiv.org/abs/2104.1225{n}v1</id><summary>no title</summary></entry>" for n in range(2)
    )
    feed = (
        '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">'
        f"<opensearch:totalResults>2</opensearch:totalResults><opensearch:startIndex>0</opensearch:startIndex>{entries}"
        "</feed>"
    )
    with ReplayServer() as server:
        server.add("/api/query", feed, query={"search_query": "all:nothing", "start": "0", "max_results": "100"})
        code, _, err = run("ingest", "arxiv", "--query", "all:nothing", "--base-url", server.url + "/api/query")
    assert code == 1 and "all 2 records in the answer were rejected" in err and "entry has no title" in err
