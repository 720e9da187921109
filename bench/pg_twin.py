"""A PostgreSQL twin of a SQLite benchmark store: the same papers through the import service, the same vectors copied.

Benchmarks that compare the engines (search_quality.py --engines, search_latency.py --postgres) run PostgreSQL 16
from the pgserver package, as the tests do, in a directory of their own. The vectors are copied from the SQLite
store rather than embedded again (an hour for 80k papers on this machine): both engines then rank the same vectors.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

from dailypapers.config import Config
from dailypapers.search.embed import model_name
from dailypapers.storage import Store, open_store
from dailypapers.storage.embeddings import next_seq, papers_to_embed, save_embeddings, vectors_of
from dailypapers.testing.stores import PostgresFactory

BATCH = 2000


def postgres_factory(workdir: Path) -> PostgresFactory:
    """pgserver's PostgreSQL in `workdir` (started if it is not running), with a migrated template database."""
    workdir.mkdir(parents=True, exist_ok=True)
    return PostgresFactory(workdir)


def twin_config(factory: PostgresFactory, source: Config, home: Path) -> Config:
    """A fresh PostgreSQL store's settings, with the source home's embedding settings and cached model files."""
    config = factory.config(home)
    for name, value in source.values.items():
        if name.startswith("DAILYPAPERS_EMBEDDING"):
            config.values[name] = value
    models = source.home / "models"
    if models.is_dir() and not (home / "models").exists():
        shutil.copytree(models, home / "models")
    return config


def copy_vectors(source: Store, target: Store, model: str) -> int:
    """Give every paper of `target` the vector `source` holds for it (same id, same model); returns how many."""
    after, copied = "", 0
    while True:
        with target.read() as conn:
            rows = papers_to_embed(conn, model, after, BATCH)
        if not rows:
            return copied
        after = rows[-1]["id"]
        with source.read() as conn:
            found = vectors_of(conn, [r["id"] for r in rows], model)
        with target.write() as conn:
            seq = next_seq(conn)
            save_embeddings(
                conn,
                [
                    {
                        "paper_id": r["id"],
                        "model": model,
                        "text_hash": "copied",
                        "content_hash": r["content_hash"],
                        "seq": seq,
                        "vector": found[r["id"]],
                    }
                    for r in rows
                    if r["id"] in found
                ],
            )
        copied += sum(1 for r in rows if r["id"] in found)


def build_twin(
    factory: PostgresFactory, source: Config, home: Path, fill: Callable[[Store], object]
) -> tuple[Config, float]:
    """A PostgreSQL store filled by `fill(store)` (the same import the SQLite store had), with the source's vectors.

    Returns its settings and the seconds the import and the copy took."""
    config = twin_config(factory, source, home)
    started = time.perf_counter()
    target, origin = open_store(config), open_store(source)
    try:
        fill(target)
        copied = copy_vectors(origin, target, model_name(source))
    finally:
        target.dispose()
        origin.dispose()
    print(f"PostgreSQL twin of {source.home}: {copied} vectors copied", flush=True)
    return config, time.perf_counter() - started
