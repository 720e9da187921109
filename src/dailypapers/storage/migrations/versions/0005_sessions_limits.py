"""sessions and limits: server-side sessions, shared rate-limit counters, sign-in backoff, imported submitter names

Revision ID: 0005
Revises: 0004

Sessions move from a signed cookie into the store so sign-out, "sign out everywhere" and password changes can end
them; rate limits move from each worker's memory into the store so every worker counts against one limit; the
names imported daily lists carry are kept apart so sign-up can refuse them (filled here from existing listings).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dailypapers.storage.schema import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("last_seen_at", UTCDateTime, nullable=False),
        sa.Column("user_agent", sa.String(200), nullable=False, server_default=""),
    )
    op.create_index("ix_sessions_account_id", "sessions", ["account_id"])
    op.create_table(
        "rate_counters",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("key", sa.String(160), primary_key=True),
        sa.Column("window_start", sa.BigInteger, primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("expires_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_rate_counters_expires_at", "rate_counters", ["expires_at"])
    op.create_table(
        "sign_in_backoff",
        sa.Column("name_key", sa.String(100), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_failure_at", UTCDateTime, nullable=False),
        sa.Column("locked_until", UTCDateTime),
    )
    op.create_table(
        "imported_submitters",
        sa.Column("name_key", sa.String(100), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
    )
    op.execute(
        """INSERT INTO imported_submitters (name_key, name)
           SELECT lower(submitter_name), min(submitter_name) FROM listings
           WHERE account_id IS NULL AND submitter_name IS NOT NULL AND submitter_name <> ''
           GROUP BY lower(submitter_name)"""
    )


def downgrade() -> None:
    op.drop_table("imported_submitters")
    op.drop_table("sign_in_backoff")
    op.drop_table("rate_counters")
    op.drop_index("ix_sessions_account_id", table_name="sessions")
    op.drop_table("sessions")
