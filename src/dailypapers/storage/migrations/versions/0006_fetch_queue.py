"""fetch queue: papers members asked for, shared request pacing, leases, the health write probe

Revision ID: 0006
Revises: 0005

Fetching a paper the store lacks is a job, not part of a request: `fetch_queue` holds one row per arXiv id with
its state, attempts and the member's pending submission; `pacing` keeps arXiv's one request per 3 s across every
worker process; `leases` lets one served worker at a time run the queue; `health_probe` is what /healthz writes
(and rolls back) to prove the store accepts writes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dailypapers.storage.schema import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fetch_queue",
        sa.Column("arxiv_id", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", UTCDateTime, nullable=False),
        sa.Column("claimed_until", UTCDateTime),
        sa.Column("last_error", sa.Text),
        sa.Column(
            "requested_by",
            sa.Integer,
            sa.ForeignKey("accounts.id", ondelete="SET NULL", name="fk_fetch_queue_requested_by_accounts"),
        ),
        sa.Column("requested_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column(
            "submit_account_id",
            sa.Integer,
            sa.ForeignKey("accounts.id", ondelete="SET NULL", name="fk_fetch_queue_submit_account_id_accounts"),
        ),
        sa.Column("submit_day", sa.Date),
        sa.Column("submit_comment", sa.Text),
        sa.PrimaryKeyConstraint("arxiv_id", name="pk_fetch_queue"),
    )
    op.create_index("ix_fetch_queue_state_next_attempt_at", "fetch_queue", ["state", "next_attempt_at"])
    op.create_table(
        "pacing",
        sa.Column("host", sa.String(200), nullable=False),
        sa.Column("next_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("host", name="pk_pacing"),
    )
    op.create_table(
        "leases",
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("holder", sa.String(100), nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_leases"),
    )
    op.create_table(
        "health_probe",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_health_probe"),
    )


def downgrade() -> None:
    op.drop_table("health_probe")
    op.drop_table("leases")
    op.drop_table("pacing")
    op.drop_index("ix_fetch_queue_state_next_attempt_at", table_name="fetch_queue")
    op.drop_table("fetch_queue")
