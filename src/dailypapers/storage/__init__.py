"""All SQL lives in this package: one module per kind of record, functions named after what they return."""

from dailypapers.storage.db import Store, StoreUnwritable, make_engine, open_store

__all__ = ["Store", "StoreUnwritable", "make_engine", "open_store"]
