"""Can the store take a write right now? A tiny probe for /healthz, on the engine in use and the data directory.

A store that answers reads may still refuse every write (a full disk, a read-only mount or database), which a
read-only health check cannot see. The probe writes a few pages' worth of bytes into `health_probe` and rolls the
transaction back, and writes and removes a small file in the data directory, so a full or read-only disk shows.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.exc import DBAPIError

from dailypapers.storage.db import _WRITE, Store, os_unwritable_reason, unwritable_reason
from dailypapers.storage.schema import health_probe

PROBE_BYTES = 16 * 1024  # more than a page: a store that cannot grow by a few pages fails the probe


def unwritable_store_reason(store: Store, data_dir: Path | None) -> str | None:
    """None when a write would succeed, else why not ("the database or disk is full", …)."""
    if data_dir is not None and data_dir.is_dir():
        try:
            fd, name = tempfile.mkstemp(prefix=".healthz-", dir=data_dir)
            try:
                os.write(fd, b"\0" * 4096)
                os.fsync(fd)
            finally:
                os.close(fd)
                os.unlink(name)
        except OSError as exc:
            return os_unwritable_reason(exc) or f"the data directory refused a write ({exc.strerror})"
    try:
        with store.engine.connect() as conn:
            conn = conn.execution_options(**{_WRITE: True})
            with conn.begin() as transaction:
                conn.execute(insert(health_probe).values(id=1, payload=os.urandom(PROBE_BYTES)))
                transaction.rollback()
    except DBAPIError as exc:
        return unwritable_reason(exc) or f"the store refused a write ({type(exc.orig).__name__})"
    return None
