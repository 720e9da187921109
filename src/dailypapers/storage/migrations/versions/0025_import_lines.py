"""import_lines: digests of the bulk-file lines already imported, so a re-run skips them unparsed

Revision ID: 0025
Revises: 0024
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import dailypapers.storage.schema

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_lines",
        sa.Column("digest", sa.String(32), nullable=False),
        sa.Column("papers", sa.Integer(), nullable=False),
        sa.Column("imported_at", dailypapers.storage.schema.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("digest", name="pk_import_lines"),
    )


def downgrade() -> None:
    op.drop_table("import_lines")
