"""PostgreSQL bulk loads (benches, a first import of a large corpus): vectors by COPY, the HNSW index built in one
pass, and VACUUM ANALYZE after.

Inserting into a live HNSW graph costs a graph search per row (10,000 rows took 5 minutes on this machine under
load); a million rows are loaded far faster with the index dropped, COPY (binary: no float formatting), and one
CREATE INDEX that has the memory to hold the graph (`maintenance_work_mem`; pgvector warns and slows down by
an order of magnitude when the graph outgrows it) and parallel workers. After a bulk load, VACUUM marks the pages
all-visible (counting a word's papers then skips the heap, migration 0024) and ANALYZE gives the planner the
words' frequencies (storage/tsvector.py); autovacuum would get there too, some minutes later.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from sqlalchemy import Connection, text

from dailypapers.storage.db import Store

INDEX = "ix_paper_embeddings_hnsw"  # migration 0002's name
_COLUMNS = ("paper_id", "model", "text_hash", "content_hash", "seq", "vector")


def drop_vector_index(conn: Connection) -> None:
    conn.execute(text(f"DROP INDEX IF EXISTS {INDEX}"))


def build_vector_index(conn: Connection, maintenance_work_mem: str, workers: int) -> None:
    """Migration 0002's HNSW index (cosine), built once over every stored vector."""
    conn.execute(text("SELECT set_config('maintenance_work_mem', :m, true)"), {"m": maintenance_work_mem})
    conn.execute(text("SELECT set_config('max_parallel_maintenance_workers', :w, true)"), {"w": str(workers)})
    conn.execute(text(f"CREATE INDEX IF NOT EXISTS {INDEX} ON paper_embeddings USING hnsw (vector vector_cosine_ops)"))


def copy_embeddings(conn: Connection, rows: Iterable[tuple[str, str, str, str, int, np.ndarray]]) -> int:
    """COPY rows of (paper_id, model, text_hash, content_hash, seq, float32 vector) into paper_embeddings."""
    from pgvector.psycopg import register_vector

    raw: Any = conn.connection.dbapi_connection
    register_vector(raw)
    written = 0
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY paper_embeddings ({', '.join(_COLUMNS)}) FROM STDIN WITH (FORMAT BINARY)") as copy,
    ):
        copy.set_types(["varchar", "varchar", "varchar", "varchar", "int8", "vector"])
        for row in rows:
            copy.write_row(row)
            written += 1
    return written


def vacuum_analyze(store: Store) -> None:
    """VACUUM (ANALYZE) every table, outside a transaction as VACUUM requires."""
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM (ANALYZE)"))
