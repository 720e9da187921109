"""PostgreSQL: each word's paper count and the corpus size kept in tables by the writes, not counted by each search

Revision ID: 0027
Revises: 0026

BM25 needs a word's document frequency and the number and average length of the papers. Counting a word from the
GIN index reads its whole posting list (14 ms for a word in 15,000 of 80,000 papers; ~10 ms of every search with
words not yet cached), and the corpus statistics were a full scan (100 ms an hour). FTS5 keeps both; here the
writes keep them:

- `search_terms (lexeme, papers)`: per statement that inserts or deletes papers, one row per lexeme with the number
  of papers it added or removed (statement triggers with transition tables; an update that changes a paper's
  tsvector adds its difference, from a row trigger that fires only then). The count is the sum of a lexeme's rows.
  Rows are only ever appended, so two imports writing batches at once never wait on each other's locks (an upsert
  of "model" would serialise them); `TsvectorIndex.merge_step` (run by `dailypapers index`) sums them back into
  one row a lexeme.
- `search_corpus (papers, tokens)`: the same for the number of papers and the sum of their `search_length`.

The sums are read in the search's own snapshot, so they are exactly what the GIN index holds for it. SQLite is
unchanged (FTS5's index keeps these itself).
"""

from __future__ import annotations

from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

_LEXEMES = "unnest(tsvector_to_array({rows}.search_vector))"

# One function for the four triggers: TG_OP says which transition table (or row) holds the change.
_FUNCTION = f"""
CREATE FUNCTION dailypapers_count_terms() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO search_terms (lexeme, papers)
      SELECT l, count(*) FROM added, {_LEXEMES.format(rows="added")} AS l GROUP BY l;
    INSERT INTO search_corpus (papers, tokens)
      SELECT count(*), sum(search_length) FROM added HAVING count(*) > 0;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO search_terms (lexeme, papers)
      SELECT l, -count(*) FROM removed, {_LEXEMES.format(rows="removed")} AS l GROUP BY l;
    INSERT INTO search_corpus (papers, tokens)
      SELECT -count(*), -sum(search_length) FROM removed HAVING count(*) > 0;
  ELSIF TG_OP = 'TRUNCATE' THEN
    DELETE FROM search_terms;
    DELETE FROM search_corpus;
  ELSE
    INSERT INTO search_terms (lexeme, papers)
      SELECT l, sum(d) FROM (
        SELECT {_LEXEMES.format(rows="NEW")}, 1 UNION ALL SELECT {_LEXEMES.format(rows="OLD")}, -1
      ) AS change(l, d) GROUP BY l HAVING sum(d) <> 0;
    IF NEW.search_length <> OLD.search_length THEN
      INSERT INTO search_corpus (papers, tokens) VALUES (0, NEW.search_length - OLD.search_length);
    END IF;
  END IF;
  RETURN NULL;
END $$"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute("CREATE TABLE search_terms (lexeme text NOT NULL, papers bigint NOT NULL)")
    op.execute("CREATE INDEX ix_search_terms_lexeme ON search_terms (lexeme)")
    op.execute("CREATE TABLE search_corpus (papers bigint NOT NULL, tokens bigint NOT NULL)")
    op.execute(_FUNCTION)
    op.execute(
        "CREATE TRIGGER papers_terms_added AFTER INSERT ON papers REFERENCING NEW TABLE AS added "
        "FOR EACH STATEMENT EXECUTE FUNCTION dailypapers_count_terms()"
    )
    op.execute(
        "CREATE TRIGGER papers_terms_removed AFTER DELETE ON papers REFERENCING OLD TABLE AS removed "
        "FOR EACH STATEMENT EXECUTE FUNCTION dailypapers_count_terms()"
    )
    op.execute(
        "CREATE TRIGGER papers_terms_changed AFTER UPDATE ON papers FOR EACH ROW "
        "WHEN (OLD.search_vector IS DISTINCT FROM NEW.search_vector OR OLD.search_length <> NEW.search_length) "
        "EXECUTE FUNCTION dailypapers_count_terms()"
    )
    op.execute(
        "CREATE TRIGGER papers_terms_truncated AFTER TRUNCATE ON papers FOR EACH STATEMENT "
        "EXECUTE FUNCTION dailypapers_count_terms()"
    )
    # The papers stored before: counted once, in the same transaction as the triggers, so none is missed or twice.
    op.execute(
        f"INSERT INTO search_terms (lexeme, papers) SELECT l, count(*) FROM papers p, {_LEXEMES.format(rows='p')} AS l "
        "GROUP BY l"
    )
    op.execute(
        "INSERT INTO search_corpus (papers, tokens) SELECT count(*), coalesce(sum(search_length), 0) FROM papers"
    )
    op.execute("ANALYZE search_terms")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for trigger in ("papers_terms_added", "papers_terms_removed", "papers_terms_changed", "papers_terms_truncated"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON papers")
    op.execute("DROP FUNCTION IF EXISTS dailypapers_count_terms()")
    op.execute("DROP TABLE IF EXISTS search_terms")
    op.execute("DROP TABLE IF EXISTS search_corpus")
