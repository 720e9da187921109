"""`dailypapers index --workers N`: N processes that loop claim → embed → store over planned batches.

Batches and their leases are rows (storage.index_batches), so workers on several machines pointed at one
PostgreSQL cooperate the same way as the processes of one machine: whoever starts first plans the batches, every
worker claims the next open one, and a batch whose worker died is claimed again once its lease runs out. A worker
stores a batch only if it still holds it, in the transaction that marks it done, so no paper is stored twice. The
steps that follow embedding (keywords, the vector index, the full-text merge) run once, in services.indexing.

Processes are started with `spawn` (a fork would copy the parent's connections and threads), each pinned to its
share of this machine's CPUs so that N workers do not each run a thread per core.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing as mp
import os
import queue as queues
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dailypapers.config import Config
from dailypapers.search.backend import search_backend
from dailypapers.search.embed import Embedder, index_embedder, model_name
from dailypapers.services.indexing import _embed_batch
from dailypapers.storage import Store, open_store
from dailypapers.storage.embeddings import count_papers_to_embed, papers_to_embed
from dailypapers.storage.index_batches import (
    Batch,
    batch_claims,
    batch_finished,
    batch_released,
    count_open_batches,
    planned_batches,
)

Progress = Callable[[int, int], None]  # (papers done, papers to do)


@dataclass
class WorkerTally:
    checked: int = 0  # papers looked at
    embedded: int = 0  # vectors stored
    batches: int = 0  # batches stored
    lost: int = 0  # batches whose lease ran out and were taken over before they were stored
    dimensions: int = 0  # of the model, once loaded

    def add(self, other: WorkerTally) -> None:
        self.checked += other.checked
        self.embedded += other.embedded
        self.batches += other.batches
        self.lost += other.lost
        self.dimensions = self.dimensions or other.dimensions


def plan(store: Store, model: str, size: int) -> int:
    """Plan batches of the papers still to embed (none while another run's batches are open); how many."""
    with store.write() as conn:
        return planned_batches(conn, batch_claims(store.dialect), model, size)


def work(
    store: Store,
    config: Config,
    holder: str,
    size: int,
    done: Callable[[int], None] | None = None,
    embedder: Embedder | None = None,
) -> WorkerTally:
    """Claim, embed and store batches until none is open; `done(papers)` after each stored batch.

    While the only open batches are held by others it waits: one of them may die, and its batch is then taken
    here when the lease runs out (DAILYPAPERS_INDEX_LEASE)."""
    name = embedder.name if embedder else model_name(config)
    claims = batch_claims(store.dialect)
    lease = config.number("DAILYPAPERS_INDEX_LEASE")
    tally = WorkerTally(dimensions=embedder.dimensions if embedder else 0)
    loaded: list[Embedder] = [embedder] if embedder else []

    def load() -> Embedder:
        """The model, loaded the first time a claimed paper's text needs embedding."""
        if not loaded:
            loaded.append(index_embedder(config))
            search_backend(store, config, name).vectors.check_dimensions(loaded[0].dimensions)
            tally.dimensions = loaded[0].dimensions
        return loaded[0]

    while True:
        with store.write() as conn:
            batch = claims.claim(conn, name, holder, lease)
            open_batches = 0 if batch else count_open_batches(conn, name)
        if batch is None:
            if not open_batches:
                return tally
            time.sleep(min(1.0, lease / 4))
            continue
        rows = _papers_of(store, name, batch, size)
        if rows:
            held = functools.partial(batch_finished, claims=claims, batch_id=batch.id, holder=holder)
            try:
                stored = _embed_batch(store, name, load, rows, held)
            except BaseException:  # a failure here (no model, no device, Ctrl-C): others need not wait the lease
                with contextlib.suppress(Exception), store.write() as conn:
                    batch_released(conn, batch.id, holder)
                raise
        else:  # its papers were embedded meanwhile (by a run without workers)
            with store.write() as conn:
                stored = batch_finished(conn, claims, batch.id, holder)
        if not stored:
            tally.lost += 1
            continue
        tally.batches += 1
        tally.checked += len(rows)
        tally.embedded += sum(1 for r in rows if r["_embed"])
        if done:
            done(len(rows))


def _papers_of(store: Store, model: str, batch: Batch, size: int) -> list[dict[str, Any]]:
    """The batch's papers still to embed, read in pages of `size` (a range may have grown since it was planned)."""
    rows: list[dict[str, Any]] = []
    after = batch.after_id
    while True:
        with store.read() as conn:
            page = papers_to_embed(conn, model, after, size, until_id=batch.last_id)
        rows += page
        if len(page) < size:
            return rows
        after = page[-1]["id"]


def run_workers(store: Store, config: Config, workers: int, size: int, progress: Progress | None = None) -> WorkerTally:
    """Plan, then run `workers` processes (spawned) until every open batch is stored; their summed tallies.

    ValueError (one line) when workers failed and left batches open: run `dailypapers index` again to finish."""
    name = model_name(config)
    with store.read() as conn:
        total = count_papers_to_embed(conn, name)
    plan(store, name, size)
    ctx = mp.get_context("spawn")
    messages: Any = ctx.Queue()
    procs = [
        ctx.Process(target=_worker_main, args=(dict(config.values), i, workers, size, messages), daemon=True)
        for i in range(workers)
    ]
    for proc in procs:
        proc.start()
    tally, errors, finished, done = WorkerTally(), [], 0, 0
    try:
        while finished < workers:
            try:
                kind, value = messages.get(timeout=0.5)
            except queues.Empty:
                if all(proc.exitcode is not None for proc in procs) and messages.empty():
                    break  # a worker died without a word (killed): the others have finished
                continue
            if kind == "progress":
                done += value
                if progress:
                    progress(done, total)
            else:
                finished += 1
                if kind == "tally":
                    tally.add(value)
                else:
                    errors.append(value)
    finally:
        for proc in procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
    with store.read() as conn:
        left = count_open_batches(conn, name)
    if left:
        reason = errors[0] if errors else "a worker process died"
        raise ValueError(f"{left} index batches left unfinished ({reason}); run `dailypapers index` again")
    return tally


def _worker_main(values: dict[str, str], index: int, count: int, size: int, messages: Any) -> None:
    """One worker process: its share of the CPUs, its own store connection, then `work` until nothing is open."""
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if cpus:
        share = [cpu for j, cpu in enumerate(cpus) if j % count == index % count] or [cpus[index % len(cpus)]]
        os.sched_setaffinity(0, share)
    config = Config(values)
    store = open_store(config)
    holder = f"{socket.gethostname()[:60]}:{os.getpid()}"
    try:
        tally = work(store, config, holder, size, lambda n: messages.put(("progress", n)))
    except Exception as exc:  # reported to the parent, which names it in its one-line error
        messages.put(("error", str(exc).splitlines()[0] if str(exc) else type(exc).__name__))
    else:
        messages.put(("tally", tally))
    finally:
        store.dispose()
