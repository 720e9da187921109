"""similar papers stored at index time: `similar_papers` and `paper_embeddings.similar_seq`

Revision ID: 0018
Revises: 0017

`dailypapers index` stores each embedded paper's nearest papers (services/similar.py), so a paper page reads a
short list instead of searching the vector index per request. `similar_seq` records the embedding batch a paper's
list was computed from: a paper embedded again (new `seq`, or a new row with NULL) gets its list recomputed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("paper_embeddings", sa.Column("similar_seq", sa.BigInteger, nullable=True))
    op.create_table(
        "similar_papers",
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("paper_id", sa.String(64), nullable=False),
        sa.Column("neighbour_id", sa.String(64), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.ForeignKeyConstraint(
            ["paper_id"], ["papers.id"], name="fk_similar_papers_paper_id_papers", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["neighbour_id"], ["papers.id"], name="fk_similar_papers_neighbour_id_papers", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("model", "paper_id", "neighbour_id", name="pk_similar_papers"),
    )
    op.create_index("ix_similar_papers_neighbour_id", "similar_papers", ["neighbour_id"])


def downgrade() -> None:
    op.drop_index("ix_similar_papers_neighbour_id", table_name="similar_papers")
    op.drop_table("similar_papers")
    with op.batch_alter_table("paper_embeddings") as batch:
        batch.drop_column("similar_seq")
