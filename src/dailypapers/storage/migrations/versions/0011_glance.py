"""glance: project pages, and each paper's keywords, TL;DR and AI summary

Revision ID: 0011
Revises: 0009

`papers.project_url` holds a project page named by the source (HF's projectPage) or the text; `paper_glance` the
keywords and summaries `dailypapers index` / `summarise` derive from title + abstract. Links already stored are
re-read once with the new rules (links.py: normalised, project pages too) from the papers that mention a URL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import dailypapers.storage.schema
from dailypapers.links import paper_links

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("papers", sa.Column("project_url", sa.Text(), nullable=True))
    op.create_table(
        "paper_glance",
        sa.Column("paper_id", sa.String(64), nullable=False),
        sa.Column("text_hash", sa.String(32), nullable=False),
        sa.Column("content_hash", sa.String(32), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("tldr", sa.Text(), nullable=True),
        sa.Column("ai_summary", sa.Text(), nullable=True),
        sa.Column("ai_summary_hash", sa.String(32), nullable=True),
        sa.Column("ai_model", sa.String(200), nullable=True),
        sa.Column("updated_at", dailypapers.storage.schema.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["paper_id"], ["papers.id"], name="fk_paper_glance_paper_id_papers", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("paper_id", name="pk_paper_glance"),
    )
    _reread_links()


def _reread_links() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT id, abstract, comments, code_url FROM papers WHERE code_url IS NOT NULL "
            "OR abstract LIKE '%http%' OR abstract LIKE '%github%' OR comments LIKE '%http%' "
            "OR comments LIKE '%github%'"
        )
    ).all()
    changes = []
    for row in rows:
        links = paper_links(row.abstract, row.comments, row.code_url)
        if links.code != row.code_url or links.project:
            changes.append({"id": row.id, "code": links.code, "project": links.project})
    if changes:
        conn.execute(sa.text("UPDATE papers SET code_url = :code, project_url = :project WHERE id = :id"), changes)


def downgrade() -> None:
    op.drop_table("paper_glance")
    op.drop_column("papers", "project_url")
