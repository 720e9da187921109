"""index batches: ranges of papers that `dailypapers index --workers` processes lease, one worker at a time

Revision ID: 0013
Revises: 0011

`index_batches` holds one row per planned batch of papers to embed (a range of paper ids) with its lease holder and
expiry, so several worker processes, on one machine or several sharing a PostgreSQL, embed each paper once and a
killed worker's batch is taken by another when its lease runs out.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dailypapers.storage.schema import UTCDateTime

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "index_batches",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("after_id", sa.String(64), nullable=False),
        sa.Column("last_id", sa.String(64), nullable=False),
        sa.Column("holder", sa.String(100), nullable=True),
        sa.Column("expires_at", UTCDateTime, nullable=True),
        sa.Column("claims", sa.Integer, nullable=False, server_default="0"),
        sa.Column("done_at", UTCDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_index_batches"),
    )
    op.create_index("ix_index_batches_model_done_at", "index_batches", ["model", "done_at"])


def downgrade() -> None:
    op.drop_index("ix_index_batches_model_done_at", table_name="index_batches")
    op.drop_table("index_batches")
