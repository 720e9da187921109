"""bulk full-text indexing: SQLite imports index a batch's new papers in one statement, not row by row

Revision ID: 0016
Revises: 0011

The insert trigger of 0002 keeps `search_docs` and `papers_fts` in step with `papers` one row at a time, which
costs more than the whole rest of an import's writes. A row in `papers_fts_bulk` pauses it: the import service
(through `Fts5Index.indexing_in_bulk`) adds that row, inserts a batch of papers, indexes them with two
INSERT … SELECT statements and removes the row, all in the batch's own transaction. SQLite runs one writer at a
time and readers see only committed data, so no other connection ever sees the trigger paused or a paper
unindexed, and a crash rolls all of it back together. PostgreSQL's generated tsvector needs nothing.
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0013"
branch_labels = None
depends_on = None

_INDEX_NEW = """INSERT INTO search_docs (paper_id) VALUES (new.id);
         INSERT INTO papers_fts (rowid, title, abstract, authors)
           VALUES ((SELECT doc_id FROM search_docs WHERE paper_id = new.id), new.title, new.abstract,
                   (SELECT group_concat(value, ', ') FROM json_each(new.authors)));"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("CREATE TABLE papers_fts_bulk (paused INTEGER PRIMARY KEY)")
    op.execute("DROP TRIGGER papers_search_insert")
    op.execute(
        "CREATE TRIGGER papers_search_insert AFTER INSERT ON papers "
        f"WHEN NOT EXISTS (SELECT 1 FROM papers_fts_bulk) BEGIN\n         {_INDEX_NEW}\n       END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER papers_search_insert")
    op.execute(f"CREATE TRIGGER papers_search_insert AFTER INSERT ON papers BEGIN\n         {_INDEX_NEW}\n       END")
    op.execute("DROP TABLE papers_fts_bulk")
