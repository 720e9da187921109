"""`dailypapers index --workers`: worker processes claim batches from the store, on SQLite and on PostgreSQL.

Real spawned worker processes with the real (torch) model; a worker killed mid-batch is a real subprocess that
claimed a batch through the same claim and was killed with SIGKILL before storing it.
"""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from dailypapers.cli.main import app
from dailypapers.config import Config
from dailypapers.search.embed import model_name
from dailypapers.services.index_workers import plan, work
from dailypapers.services.indexing import index_papers
from dailypapers.storage import Store
from dailypapers.storage.embeddings import count_embeddings, count_papers_to_embed
from dailypapers.storage.index_batches import batch_rows
from helpers.ingest import FEW_PAPERS

SRC = Path(__file__).resolve().parents[1] / "src"
CLAIM_AND_HANG = """
import sys, time
from dailypapers.config import Config
from dailypapers.storage import open_store
from dailypapers.storage.index_batches import batch_claims
config = Config.from_env()
store = open_store(config)
with store.write() as conn:
    batch = batch_claims(store.dialect).claim(conn, sys.argv[1], "doomed", config.number("DAILYPAPERS_INDEX_LEASE"))
print(batch.id if batch else "none", flush=True)
time.sleep(3600)  # mid-batch: claimed, never stored
"""


def test_two_worker_processes_embed_every_paper_exactly_once(few: Store, config: Config) -> None:
    summary = index_papers(few, config, batch=3, workers=2)
    name = model_name(config)
    with few.read() as conn:
        batches = batch_rows(conn, name)
        assert count_embeddings(conn, name) == FEW_PAPERS and count_papers_to_embed(conn, name) == 0
    assert summary.embedded == FEW_PAPERS  # vectors stored, summed over the workers: none stored twice
    assert len(batches) == 4 and all(b["done_at"] is not None and b["claims"] == 1 for b in batches)
    again = index_papers(few, config, batch=3, workers=2)
    assert again.embedded == 0 and again.checked == 0


def test_a_killed_workers_batch_is_taken_by_another_once_its_lease_runs_out(few: Store, config: Config) -> None:
    config.values["DAILYPAPERS_INDEX_LEASE"] = "1"
    name = model_name(config)
    assert plan(few, name, 3) == 4
    env = {**os.environ, **config.values, "PYTHONPATH": str(SRC)}
    doomed = subprocess.Popen([sys.executable, "-c", CLAIM_AND_HANG, name], env=env, stdout=subprocess.PIPE, text=True)
    assert doomed.stdout is not None
    claimed = int(doomed.stdout.readline())
    doomed.send_signal(signal.SIGKILL)
    doomed.wait()
    assert plan(few, name, 3) == 0  # its batch is still open: a new run joins the work instead of planning again
    tally = work(few, config, "survivor", 3)
    with few.read() as conn:
        batches = {b["id"]: b for b in batch_rows(conn, name)}
        assert count_embeddings(conn, name) == FEW_PAPERS
    assert tally.embedded == FEW_PAPERS and tally.batches == 4 and tally.lost == 0
    assert batches[claimed]["claims"] == 2 and batches[claimed]["holder"] == "survivor"
    assert all(b["done_at"] is not None for b in batches.values())
    assert all(b["claims"] == 1 for key, b in batches.items() if key != claimed)


def test_a_worker_whose_lease_was_taken_over_stores_nothing(few: Store, config: Config) -> None:
    from dailypapers.services.indexing import _embed_batch
    from dailypapers.storage.embeddings import papers_to_embed
    from dailypapers.storage.index_batches import batch_claims, batch_finished

    config.values["DAILYPAPERS_INDEX_LEASE"] = "0"  # expired as soon as taken
    name = model_name(config)
    plan(few, name, FEW_PAPERS)
    claims = batch_claims(few.dialect)
    with few.write() as conn:
        late = claims.claim(conn, name, "late", 0)
    with few.write() as conn:
        assert claims.claim(conn, name, "early", 0) == late  # the lease ran out: another takes the batch over
    with few.read() as conn:
        rows = papers_to_embed(conn, name, "", FEW_PAPERS)
    from dailypapers.search.embed import get_embedder

    assert late is not None
    held = functools.partial(batch_finished, claims=claims, batch_id=late.id, holder="late")
    stored = _embed_batch(few, name, lambda: get_embedder(config), rows, held)
    with few.read() as conn:
        assert stored is False and count_embeddings(conn, name) == 0


def test_index_workers_option_is_checked_with_one_line(store: Store, cli_env: Config) -> None:
    result = CliRunner().invoke(app, ["index", "--workers", "-1"])
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    nothing = CliRunner().invoke(app, ["index", "--workers", "2"])
    assert nothing.exit_code == 0, nothing.stderr
    assert "checked 0, embedded 0" in nothing.stdout
