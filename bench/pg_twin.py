"""A PostgreSQL twin of a SQLite benchmark store: the same papers through the import service, the same vectors copied.

    python bench/pg_twin.py --source /tmp/80k-copy --workdir /tmp/pgscale-80k   # the real corpus, both files

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
from dailypapers.storage.embeddings import next_seq, papers_to_embed, vectors_of
from dailypapers.storage.pg_bulk import build_vector_index, copy_embeddings, drop_vector_index, vacuum_analyze
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


def copy_vectors(source: Store, target: Store, model: str, maintenance_work_mem: str = "2GB") -> int:
    """Give every paper of `target` the vector `source` holds for it (same id, same model); returns how many.

    The vectors are COPYed with the HNSW index dropped, and the index is built once at the end (its build time
    printed): inserting 80k vectors into a live HNSW graph took over half an hour on this machine."""
    after, copied = "", 0
    with target.write() as conn:
        drop_vector_index(conn)
    while True:
        with target.read() as conn:
            rows = papers_to_embed(conn, model, after, BATCH)
        if not rows:
            break
        after = rows[-1]["id"]
        with source.read() as conn:
            found = vectors_of(conn, [r["id"] for r in rows], model)
        with target.write() as conn:
            seq = next_seq(conn)
            batch = [
                (r["id"], model, "copied", r["content_hash"], seq, found[r["id"]]) for r in rows if r["id"] in found
            ]
            copied += copy_embeddings(conn, batch)
    started = time.perf_counter()
    with target.write() as conn:
        build_vector_index(conn, maintenance_work_mem, 2)
    print(f"HNSW index over {copied} vectors built in {time.perf_counter() - started:.0f} s", flush=True)
    return copied


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


def server_url(workdir: Path, database: str) -> str:
    """The URL of `database` (created if missing) on the pgserver PostgreSQL in WORKDIR/pg, started if needed and
    left running, so later runs and benches reuse it (`pg_ctl -D WORKDIR/pg stop`, as the pgserver user, ends it)."""
    import pgserver
    from sqlalchemy import text

    from dailypapers.storage import make_engine

    server = pgserver.get_server(workdir / "pg", cleanup_mode=None)
    prefix, _, query = server.get_uri().partition("?")
    root = prefix.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    admin = make_engine(f"{root}/postgres?{query}", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": database}).first():
            conn.execute(text(f"CREATE DATABASE {database}"))
    admin.dispose()
    return f"{root}/{database}?{query}"


def main() -> None:
    """The twin of a store built as the 80k bench store is (both shared files imported), in database `dp_twin`."""
    import argparse

    from dailypapers.ingest.files import LineSource
    from dailypapers.ingest.hf_daily import read_hf_daily
    from dailypapers.ingest.kaggle import read_kaggle
    from dailypapers.services.imports import import_items
    from dailypapers.storage.migrate import upgrade

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", type=Path, required=True, help="the SQLite store's DAILYPAPERS_HOME")
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--maintenance-work-mem", default="2GB")
    args = parser.parse_args()
    data = Path(__file__).resolve().parents[2] / "shared" / "data"
    source = Config.from_env({}, DAILYPAPERS_HOME=str(args.source))
    config = Config.from_env(
        {}, DAILYPAPERS_HOME=str(args.workdir / "home"), DATABASE_URL=server_url(args.workdir, "dp_twin")
    )
    (args.workdir / "home").mkdir(parents=True, exist_ok=True)
    if not (args.workdir / "home" / "models").exists() and (args.source / "models").is_dir():
        shutil.copytree(args.source / "models", args.workdir / "home" / "models")
    print(f"DATABASE_URL={config.database_url}", flush=True)
    target, origin = open_store(config), open_store(source)
    upgrade(target)
    for name, reader in (
        ("arxiv-cs-2025-2026.kaggle.jsonl.gz", read_kaggle),
        ("hf-daily-papers-2024-2026.jsonl.gz", read_hf_daily),
    ):
        started = time.perf_counter()
        summary = import_items(target, reader(LineSource(data / name)))
        print(
            f"{name}: {summary.new} new, {summary.updated} updated in {time.perf_counter() - started:.0f} s", flush=True
        )
    print(f"{copy_vectors(origin, target, model_name(source), args.maintenance_work_mem)} vectors copied", flush=True)
    started = time.perf_counter()
    vacuum_analyze(target)
    print(f"VACUUM (ANALYZE) in {time.perf_counter() - started:.0f} s", flush=True)
    target.dispose()
    origin.dispose()


if __name__ == "__main__":
    main()
