"""recommendations: not-interested marks, seed papers and each member's stored model

Revision ID: 0009
Revises: 0008

The personal "For you" feed (docs/recommendations.md): what a member marked not interested, the papers they added
as "papers I like", and their profile (settings plus the model recomputed whenever they act).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dailypapers.storage.schema import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _marks(name: str) -> None:
    op.create_table(
        name,
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("paper_id", sa.String(64), sa.ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )


def upgrade() -> None:
    _marks("not_interested")
    _marks("seed_papers")
    op.create_table(
        "member_profiles",
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("dial", sa.Float, nullable=False),
        sa.Column("categories", sa.JSON, nullable=False),
        sa.Column("feed_token_hash", sa.String(64), unique=True),
        sa.Column("model", sa.JSON),
        sa.Column("centroid", sa.LargeBinary),
        sa.Column("negative", sa.LargeBinary),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("member_profiles")
    op.drop_table("seed_papers")
    op.drop_table("not_interested")
