"""All SQL lives in this package: one module per kind of record, functions named after what they return."""

from dailypapers.storage.db import Store, make_engine, open_store

__all__ = ["Store", "make_engine", "open_store"]
