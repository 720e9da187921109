"""The polite HTTP client against a real loopback server: retries, Retry-After, pacing, clear final errors."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import httpx
import pytest

from dailypapers.config import Config
from dailypapers.domain import IngestError
from dailypapers.ingest.http import PoliteClient, UnreadableReply
from dailypapers.ingest.oai import OaiPage, parse_page
from dailypapers.testing.replay import Fault, ReplayServer
from helpers.ingest import FIXTURES, quick

RECORDED_PAGE = FIXTURES / "oai-pmh" / "listrecords--should-list-identifiers-from-arxiv_1.xml"
RECORDED_QUERY = {"verb": "ListRecords", "metadataPrefix": "arXiv", "from": "2015-01-01", "until": "2015-01-03"}


def _config(tmp_path: Path, **overrides: str) -> Config:
    return quick(Config.from_env({}, DAILYPAPERS_HOME=str(tmp_path)), **overrides)


def _parse(reply: httpx.Response) -> OaiPage:
    return parse_page(reply.content, "arXiv")


@pytest.fixture
def server() -> ReplayServer:
    with ReplayServer() as replay:
        replay.add("/oai2", RECORDED_PAGE.read_bytes(), query=RECORDED_QUERY)
        yield replay


def _get(server: ReplayServer, config: Config) -> OaiPage:
    with PoliteClient(config) as client:
        return client.get(f"{server.url}/oai2", RECORDED_QUERY, parse=_parse)


def test_the_recorded_503_retry_after_is_honoured_before_asking_again(
    server: ReplayServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server.fault("/oai2", Fault.recorded_503(retry_after="1"))
    with caplog.at_level(logging.WARNING, "dailypapers.ingest"):
        page = _get(server, _config(tmp_path))
    assert [i.paper.id for i in page.items if i.paper] == ["1412.8544", "hep-th/9504118"]
    first, second = server.requests_to("/oai2")
    assert second.at - first.at >= 0.99  # waited the full Retry-After, not the 10 ms backoff
    assert "Retry-After 1 s" in caplog.text


def test_a_retry_after_longer_than_the_allowed_wait_ends_the_run_at_once(server: ReplayServer, tmp_path: Path) -> None:
    server.fault("/oai2", Fault.recorded_503())  # exactly as recorded: Retry-After 10
    with pytest.raises(IngestError, match=r"retry .* after 10 s, longer than DAILYPAPERS_HTTP_MAX_WAIT \(5 s\)"):
        _get(server, _config(tmp_path, DAILYPAPERS_HTTP_MAX_WAIT="5"))
    assert len(server.requests_to("/oai2")) == 1


@pytest.mark.parametrize(
    "fault",
    [Fault.status(500), Fault.reset(), Fault.truncate(), Fault.cut_body(), Fault.stall(3)],
    ids=["http-500", "connection-reset", "body-short-of-content-length", "xml-cut-in-half", "timeout"],
)
def test_a_network_fault_is_retried_and_the_page_still_arrives(
    server: ReplayServer, tmp_path: Path, fault: Fault
) -> None:
    server.fault("/oai2", fault)
    timeout = "1" if fault.kind == "stall" else "10"  # only the stall case needs a short timeout
    page = _get(server, _config(tmp_path, DAILYPAPERS_HTTP_TIMEOUT=timeout))
    assert len(page.items) == 2
    assert len(server.requests_to("/oai2")) == 2


def test_after_the_last_try_the_error_says_what_failed_and_how_often(server: ReplayServer, tmp_path: Path) -> None:
    server.fault("/oai2", Fault.status(502), Fault.reset(), Fault.status(500))
    with pytest.raises(IngestError) as failure:
        _get(server, _config(tmp_path))
    message = str(failure.value)
    assert message.startswith(f"gave up on {server.url}/oai2?verb=ListRecords")
    assert "after 3 tries: HTTP 500" in message
    assert len(server.requests_to("/oai2")) == 3


def test_a_client_error_is_not_retried(server: ReplayServer, tmp_path: Path) -> None:
    with PoliteClient(_config(tmp_path)) as client, pytest.raises(IngestError, match="answered HTTP 404"):
        client.get(f"{server.url}/nowhere", parse=_parse)
    assert len(server.requests_to("/nowhere")) == 1


def test_requests_to_one_host_are_spaced_by_the_configured_delay(server: ReplayServer, tmp_path: Path) -> None:
    sent: list[float] = []
    with PoliteClient(_config(tmp_path, DAILYPAPERS_HTTP_DELAY="0.4")) as client:
        client._http.event_hooks["request"].append(lambda _request: sent.append(time.monotonic()))
        began = time.monotonic()
        for _ in range(3):
            client.get(f"{server.url}/oai2", RECORDED_QUERY, parse=_parse)
    # The n-th request cannot leave before n delays have passed (a lower bound: scheduling only adds to it).
    assert [later - began >= 0.4 * n - 0.001 for n, later in enumerate(sent)] == [True, True, True]


def test_a_parser_can_reject_a_damaged_reply_which_is_then_retried(server: ReplayServer, tmp_path: Path) -> None:
    calls: list[int] = []

    def picky(reply: httpx.Response) -> int:
        calls.append(reply.status_code)
        if len(calls) == 1:
            raise UnreadableReply("first reply looked damaged")
        return len(reply.content)

    with PoliteClient(_config(tmp_path)) as client:
        size = client.get(f"{server.url}/oai2", RECORDED_QUERY, parse=picky)
    assert size == len(RECORDED_PAGE.read_bytes()) and calls == [200, 200]
