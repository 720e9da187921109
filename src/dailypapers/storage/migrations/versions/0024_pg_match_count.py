"""PostgreSQL: count a word's papers from the GIN index, not by reading every row's tsvector

Revision ID: 0024
Revises: 0023

The planner costs `search_vector @@ query` as nearly free, so for a word in a fifth of the papers it counts them
with a sequential scan that reads (and decompresses) every paper's out-of-line tsvector: 5 s for 35,000 of 180,000
papers here, where the bitmap from the GIN index takes 0.1 s — and with `count(*)` and no LIMIT (no column read),
PostgreSQL skips the heap for pages the visibility map marks all-visible. The function's own settings hold only
while it runs, so the rest of a search keeps the planner's choices. SQLite is unchanged (FTS5 keeps the counts).
"""

from __future__ import annotations

from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute(
        "CREATE OR REPLACE FUNCTION dailypapers_match_count(query tsquery) RETURNS bigint "
        "LANGUAGE sql STABLE SET enable_seqscan = off SET work_mem = '64MB' "
        "AS $$ SELECT count(*) FROM papers WHERE search_vector @@ query $$"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute("DROP FUNCTION IF EXISTS dailypapers_match_count(tsquery)")
