"""search: full-text index (FTS5 / tsvector) and paper embeddings

Revision ID: 0002
Revises: 0001

SQLite: `search_docs` gives every paper a stable integer doc id (papers has a text key, and its implicit rowid may
change on VACUUM); `papers_fts` is a contentless FTS5 table (the text stays in papers only; authors flattened from
JSON), kept in sync by triggers on papers, so no import path can forget it. PostgreSQL: a generated, weighted
tsvector column with a GIN index. Both: `paper_embeddings` (BLOB on SQLite, pgvector with an HNSW index on PostgreSQL).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

AUTHORS_NEW = "(SELECT group_concat(value, ', ') FROM json_each(new.authors))"
AUTHORS_OLD = "(SELECT group_concat(value, ', ') FROM json_each(old.authors))"
DOC_NEW = "(SELECT doc_id FROM search_docs WHERE paper_id = new.id)"
DOC_OLD = "(SELECT doc_id FROM search_docs WHERE paper_id = old.id)"

SQLITE_UP = [
    "CREATE TABLE search_docs (doc_id INTEGER PRIMARY KEY AUTOINCREMENT, paper_id VARCHAR(64) NOT NULL UNIQUE)",
    "INSERT INTO search_docs (paper_id) SELECT id FROM papers ORDER BY published_at, id",
    """CREATE VIRTUAL TABLE papers_fts USING fts5(
         title, abstract, authors, content='', tokenize='porter unicode61 remove_diacritics 2')""",
    """INSERT INTO papers_fts (rowid, title, abstract, authors)
       SELECT d.doc_id, p.title, p.abstract, (SELECT group_concat(value, ', ') FROM json_each(p.authors))
       FROM search_docs d JOIN papers p ON p.id = d.paper_id""",
    f"""CREATE TRIGGER papers_search_insert AFTER INSERT ON papers BEGIN
         INSERT INTO search_docs (paper_id) VALUES (new.id);
         INSERT INTO papers_fts (rowid, title, abstract, authors)
           VALUES ({DOC_NEW}, new.title, new.abstract, {AUTHORS_NEW});
       END""",
    f"""CREATE TRIGGER papers_search_update AFTER UPDATE OF title, abstract, authors ON papers
       WHEN old.title IS NOT new.title OR old.abstract IS NOT new.abstract OR old.authors IS NOT new.authors BEGIN
         INSERT INTO papers_fts (papers_fts, rowid, title, abstract, authors)
           VALUES ('delete', {DOC_OLD}, old.title, old.abstract, {AUTHORS_OLD});
         INSERT INTO papers_fts (rowid, title, abstract, authors)
           VALUES ({DOC_NEW}, new.title, new.abstract, {AUTHORS_NEW});
       END""",
    f"""CREATE TRIGGER papers_search_delete AFTER DELETE ON papers BEGIN
         INSERT INTO papers_fts (papers_fts, rowid, title, abstract, authors)
           VALUES ('delete', {DOC_OLD}, old.title, old.abstract, {AUTHORS_OLD});
         DELETE FROM search_docs WHERE paper_id = old.id;
       END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS papers_search_insert",
    "DROP TRIGGER IF EXISTS papers_search_update",
    "DROP TRIGGER IF EXISTS papers_search_delete",
    "DROP TABLE IF EXISTS papers_fts",
    "DROP TABLE IF EXISTS search_docs",
]

POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS vector",
    """ALTER TABLE papers ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
         setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
         setweight(to_tsvector('english', coalesce(abstract, '')), 'B') ||
         setweight(to_tsvector('simple', coalesce(authors, '[]'::json)), 'C')) STORED""",
    "CREATE INDEX ix_papers_search_vector ON papers USING gin (search_vector)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS ix_papers_search_vector",
    "ALTER TABLE papers DROP COLUMN IF EXISTS search_vector",
]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_UP if sqlite else POSTGRES_UP:
        op.execute(statement)
    if sqlite:
        vector_type: sa.types.TypeEngine = sa.LargeBinary()
    else:
        from pgvector.sqlalchemy import Vector

        vector_type = Vector(384)
    op.create_table(
        "paper_embeddings",
        sa.Column("paper_id", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("text_hash", sa.String(length=32), nullable=False),
        sa.Column("content_hash", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("vector", vector_type, nullable=False),
        sa.ForeignKeyConstraint(
            ["paper_id"], ["papers.id"], name=op.f("fk_paper_embeddings_paper_id_papers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("paper_id", name=op.f("pk_paper_embeddings")),
    )
    op.create_index("ix_paper_embeddings_seq", "paper_embeddings", ["seq"])
    if not sqlite:
        op.execute("CREATE INDEX ix_paper_embeddings_hnsw ON paper_embeddings USING hnsw (vector vector_cosine_ops)")


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.drop_table("paper_embeddings")
    for statement in SQLITE_DOWN if sqlite else POSTGRES_DOWN:
        op.execute(statement)
