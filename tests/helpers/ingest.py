"""Shared set-up of the ingest tests: a replay server of the recorded replies and quick-retry settings."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dailypapers.config import Config
from dailypapers.testing.replay import ReplayServer

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"
# Retries without waiting (backoff 10 ms) and no pacing: the behaviour under test, not arXiv's 3 s.
QUICK = {
    "DAILYPAPERS_HTTP_DELAY": "0",
    "DAILYPAPERS_HTTP_BACKOFF": "0.01",
    "DAILYPAPERS_HTTP_RETRIES": "3",
    "DAILYPAPERS_HTTP_TIMEOUT": "10",
}


def quick(config: Config, **overrides: str) -> Config:
    return Config({**config.values, **QUICK, **{k.upper(): str(v) for k, v in overrides.items()}})


def kaggle_rows() -> list[dict[str, Any]]:
    with open(FIXTURES / "kaggle-arxiv-metadata-snapshot.sample.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.fixture
def replay(shared: Path) -> Iterator[ReplayServer]:
    """A loopback server with every recorded arXiv API reply (2026 and 2016 recordings)."""
    with ReplayServer() as server:
        server.load_arxiv_api(shared / "fixtures" / "arxiv-api")
        server.load_arxiv_api_2016(shared / "fixtures" / "arxiv-api-2016")
        yield server


@pytest.fixture
def fast(config: Config) -> Config:
    return quick(config)


FEW_PAPERS = 12  # the first rows of the real Kaggle sample in ../shared/fixtures
