"""Taking a test's store back to an earlier schema revision, to test what a migration does to existing data."""

from __future__ import annotations

from alembic import command

from dailypapers.storage import Store
from dailypapers.storage.migrate import _alembic_config


def downgrade(store: Store, revision: str) -> None:
    """Run the migrations' downgrades from the store's revision to `revision`, committed."""
    cfg = _alembic_config(store)
    with store.engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
        conn.commit()
