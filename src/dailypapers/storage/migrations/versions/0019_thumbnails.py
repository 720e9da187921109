"""thumbnails: what became of each paper's first-page thumbnail (the image itself is a file in the data directory)

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import dailypapers.storage.schema

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "paper_thumbnails",
        sa.Column("paper_id", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", dailypapers.storage.schema.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", dailypapers.storage.schema.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["paper_id"], ["papers.id"], name="fk_paper_thumbnails_paper_id_papers", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("paper_id", name="pk_paper_thumbnails"),
    )
    op.create_index("ix_paper_thumbnails_state_next_attempt_at", "paper_thumbnails", ["state", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_paper_thumbnails_state_next_attempt_at", table_name="paper_thumbnails")
    op.drop_table("paper_thumbnails")
