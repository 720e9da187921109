"""Killing or interrupting a real `dailypapers import` process leaves a consistent store; re-running finishes."""

from __future__ import annotations

import gzip
import itertools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dailypapers.config import Config
from dailypapers.queries.stats import store_stats
from dailypapers.storage import open_store

LINES = 8_000


@pytest.fixture(scope="module")
def big_file(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "part.jsonl"
    with gzip.open(shared / "data" / "arxiv-cs-2025-2026.kaggle.jsonl.gz", "rt", encoding="utf-8") as fh:
        path.write_text("".join(itertools.islice(fh, LINES)))
    return path


def start_import(config: Config, path: Path) -> subprocess.Popen[str]:
    env = {**os.environ, **config.values}
    return subprocess.Popen(
        [sys.executable, "-m", "dailypapers.cli", "import", "kaggle", str(path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_some_papers(config: Config, proc: subprocess.Popen[str]) -> None:
    store = open_store(config)
    try:
        for _ in range(600):
            if proc.poll() is not None or store_stats(store).papers > 0:
                return
            time.sleep(0.05)
    finally:
        store.dispose()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill-9"])
def test_an_interrupted_import_leaves_whole_batches_and_a_rerun_finishes(
    config: Config, big_file: Path, sig: signal.Signals
) -> None:
    proc = start_import(config, big_file)
    wait_for_some_papers(config, proc)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    store = open_store(config)
    try:
        partial = store_stats(store).papers
        if proc.returncode in (0,):
            pytest.skip("the import finished before the signal arrived")
        assert partial % 2000 == 0 and 0 < partial < LINES
        if sig == signal.SIGINT:
            assert proc.returncode == 130 and "run the same command again to finish" in err
        rerun = start_import(config, big_file)
        out, _ = rerun.communicate(timeout=120)
        assert rerun.returncode == 0
        assert f"new {LINES - partial}" in out and f"unchanged {partial}" in out
        assert store_stats(store).papers == LINES
    finally:
        store.dispose()
