"""Alembic migrations of the store, applied by `dailypapers db upgrade` (`init` and `demo` too), one transaction each.

The chain is 0001 (initial schema) → 0002 (search: FTS5 / tsvector, embeddings) → 0004 (index on
`listings.submitted_at`). There is no 0003: that number was handed to a migration planned in parallel that was
never released, and 0004 was released as it was. Revision ids are what deployed stores hold in `alembic_version`,
so a released id is never renumbered: order comes from each file's `down_revision`, the numbers are only names,
and new migrations continue from the highest id (0005, …). tests/test_migrations.py checks that the chain builds
exactly the tables, columns and indexes of `storage/schema.py` on both engines.
"""
