"""collections waiting for a queued paper: a BibTeX import's unknown arXiv ids join the collection on arrival

Revision ID: 0023
Revises: 0019
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dailypapers.storage.schema import UTCDateTime

revision = "0023"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fetch_collection_waits",
        sa.Column("arxiv_id", sa.String(64), nullable=False),
        sa.Column(
            "collection_id",
            sa.Integer,
            sa.ForeignKey(
                "collections.id", ondelete="CASCADE", name="fk_fetch_collection_waits_collection_id_collections"
            ),
            nullable=False,
        ),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("arxiv_id", "collection_id", name="pk_fetch_collection_waits"),
    )


def downgrade() -> None:
    op.drop_table("fetch_collection_waits")
