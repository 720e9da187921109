"""Alembic environment: runs each migration in its own transaction on the connection we hand it."""

from __future__ import annotations

from alembic import context

from dailypapers.storage.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached when someone runs the alembic CLI by hand
    raise RuntimeError("run migrations with `dailypapers db upgrade`")

context.configure(
    connection=connection,
    target_metadata=metadata,
    transaction_per_migration=True,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
