"""Abstractive TL;DRs through a real OpenAI-compatible chat server on loopback; failures keep the extractive one."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dailypapers.cli.main import app
from dailypapers.config import Config
from dailypapers.ingest.files import LineSource
from dailypapers.ingest.kaggle import read_kaggle
from dailypapers.ingest.llm import chat_url, checked_summary
from dailypapers.services.daily import run_daily
from dailypapers.services.glance import summarise_papers
from dailypapers.services.imports import import_items
from dailypapers.services.indexing import index_papers
from dailypapers.storage import Store
from dailypapers.storage.glance import PaperGlance
from dailypapers.storage.papers import papers_by_ids
from dailypapers.testing.chat import ChatServer, Scripted

IDS = ["0704.0001", "0704.0002", "0704.0003"]


def _title_answer(body: dict[str, Any]) -> str:
    title = body["messages"][1]["content"].split("\n")[0].removeprefix("Title: ")
    return f"TL;DR: The paper studies {' '.join(w for w in title.split() if not any(c.isdigit() for c in w))}."


@pytest.fixture
def chat() -> Iterator[ChatServer]:
    with ChatServer(answer=_title_answer) as server:
        yield server


@pytest.fixture
def indexed(store: Store, config: Config, shared: Path, chat: ChatServer) -> Store:
    config.values.update(
        {
            "DAILYPAPERS_EMBEDDING_BACKEND": "torch",
            "DAILYPAPERS_LLM_URL": chat.url,
            "DAILYPAPERS_LLM_MODEL": "tiny-llm",
            "DAILYPAPERS_LLM_API_KEY": "sk-test",
            "DAILYPAPERS_LLM_DELAY": "0",
            "DAILYPAPERS_HTTP_RETRIES": "1",
            "DAILYPAPERS_HTTP_TIMEOUT": "0.5",
        }
    )
    items = read_kaggle(LineSource(shared / "fixtures" / "kaggle-arxiv-metadata-snapshot.sample.jsonl"))
    import_items(store, itertools.islice(items, len(IDS)))
    index_papers(store, config)
    return store


def _glances(store: Store) -> dict[str, PaperGlance]:
    with store.read() as conn:
        found = papers_by_ids(conn, IDS)
    return {i: p.glance for i, p in found.items() if p.glance}


def test_summarise_keeps_the_models_grounded_sentence_once_per_text(
    indexed: Store, config: Config, chat: ChatServer
) -> None:
    result = summarise_papers(indexed, config)
    assert (result.asked, result.summarised, result.failed) == (3, 3, 0)
    request = chat.seen[0]
    assert request.authorization == "Bearer sk-test" and request.body["model"] == "tiny-llm"
    assert request.body["messages"][0]["role"] == "system" and "Abstract: " in request.body["messages"][1]["content"]
    for glance in _glances(indexed).values():
        assert glance.ai_summary and glance.ai_summary.startswith("The paper studies ")
        assert glance.summary == glance.ai_summary != glance.tldr
    assert summarise_papers(indexed, config).asked == 0, "cached per paper and text hash"


@pytest.mark.parametrize(
    "answer",
    [
        "The paper computes diphoton cross sections. It also studies the LHC.",  # two sentences
        "The method improves accuracy by 37 percent.",  # a number the abstract does not have
        "   ",  # empty
    ],
)
def test_an_answer_failing_the_checks_keeps_the_extractive_tldr(
    indexed: Store, config: Config, chat: ChatServer, answer: str
) -> None:
    chat.answer = lambda body: answer
    result = summarise_papers(indexed, config)
    assert (result.summarised, result.rejected) == (0, 3)
    assert all(g.summary == g.tldr and g.tldr for g in _glances(indexed).values())
    assert summarise_papers(indexed, config).asked == 0, "a rejected answer is not asked again for the same text"


def test_a_failing_or_stalled_endpoint_leaves_the_extractive_tldr_and_is_asked_again_later(
    indexed: Store, config: Config, chat: ChatServer
) -> None:
    chat.script = [Scripted(status=500), Scripted(stall=2.0, content="Too late."), Scripted(raw=b"not json")]
    result = summarise_papers(indexed, config)
    assert (result.asked, result.failed, result.summarised) == (3, 3, 0)
    assert result.errors and "gave up" in result.errors[-1]
    assert all(g.summary == g.tldr for g in _glances(indexed).values())
    again = summarise_papers(indexed, config)
    assert (again.asked, again.summarised) == (3, 3)


def test_the_daily_job_indexes_new_papers_even_when_the_llm_is_down(
    store: Store, config: Config, shared: Path, chat: ChatServer
) -> None:
    config.values.update(
        {
            "DAILYPAPERS_EMBEDDING_BACKEND": "torch",
            "DAILYPAPERS_DAILY_SOURCES": "",
            "DAILYPAPERS_LLM_URL": chat.url,
            "DAILYPAPERS_LLM_MODEL": "tiny-llm",
            "DAILYPAPERS_LLM_DELAY": "0",
            "DAILYPAPERS_HTTP_RETRIES": "1",
        }
    )
    items = read_kaggle(LineSource(shared / "fixtures" / "kaggle-arxiv-metadata-snapshot.sample.jsonl"))
    import_items(store, itertools.islice(items, 2))
    chat.script = [Scripted(status=503), Scripted(status=503), Scripted(status=503)]
    report = run_daily(store, config, today=date(2007, 4, 2))  # both papers came out in the three days before
    steps = {step.name: step for step in report.steps}
    assert steps["index"].error is None and "keywords and TL;DR for 2 papers" in steps["index"].line
    assert steps["summarise"].error is None and "failed 2" in steps["summarise"].line
    assert steps["digests"].error is None
    with store.read() as conn:
        assert all(p.glance and p.glance.summary == p.glance.tldr for p in papers_by_ids(conn, IDS[:2]).values())


def test_summarise_without_an_endpoint_is_a_usage_error(cli_env: Config) -> None:
    result = CliRunner().invoke(app, ["summarise", "--days", "3"])
    assert result.exit_code == 2
    assert "DAILYPAPERS_LLM_URL" in result.output and len(result.output.strip().splitlines()) == 1


def test_the_endpoint_is_found_under_any_base_url_form() -> None:
    for base in ("http://127.0.0.1:11434", "http://127.0.0.1:11434/", "http://127.0.0.1:11434/v1"):
        assert chat_url(base) == "http://127.0.0.1:11434/v1/chat/completions"
    assert chat_url("http://h/v1/chat/completions") == "http://h/v1/chat/completions"


def test_the_check_accepts_numbers_from_the_abstract_and_strips_a_preamble() -> None:
    abstract = "We train on 1.5 million images and reach 90.2 accuracy."
    assert checked_summary('"TL;DR: Training on 1.5 million images reaches 90.2 accuracy"', "T", abstract) == (
        "Training on 1.5 million images reaches 90.2 accuracy."
    )
    assert checked_summary("Training on 2 million images works.", "T", abstract) is None
