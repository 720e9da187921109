"""PostgreSQL full text ranked like SQLite's: FTS5's tokens and stems, and a length column for BM25

Revision ID: 0017
Revises: 0016

SQLite's `papers_fts` splits text on everything that is not a letter or digit and stems each token with the
Porter algorithm (`porter unicode61`), keeping stop words. 0002's tsvector used Snowball English (Porter2, stop
words dropped) on PostgreSQL's parser, which keeps "Qwen2.5-VL" or "github.com/x" as one token: the engines then
matched and counted different words. Here `search_vector` is rebuilt with the `dailypapers` configuration: ASCII
punctuation becomes a space first (as unicode61 splits), and every word goes through Snowball's original Porter
stemmer with no stop words; authors (a JSON list) are tokenised name by name, hyphenated parts only. New column
`search_length`: the words of title + abstract + authors, BM25's document length (storage/tsvector.py).
SQLite is unchanged.
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# unicode61 separates on ASCII punctuation; the regexp turns each run of it into one space.
_PUNCT = r"'[!-/:-@\[-`{-~]+'"


_AUTHORS = "replace(authors::text, '\", \"', '\",\"')"  # the JSON list without the spaces between names


def _words(column: str) -> str:
    return f"regexp_replace(coalesce({column}, ''), {_PUNCT}, ' ', 'g')"


def _spaces(column: str) -> str:
    return f"length(coalesce({column}, '')) - length(replace(coalesce({column}, ''), ' ', ''))"


UP = [
    "CREATE TEXT SEARCH DICTIONARY dailypapers_porter (TEMPLATE = snowball, Language = porter)",
    "CREATE TEXT SEARCH CONFIGURATION dailypapers (COPY = simple)",
    # Hyphenated compounds ("state-of-the-art") are left out: only their parts are words, as in FTS5.
    "ALTER TEXT SEARCH CONFIGURATION dailypapers DROP MAPPING FOR asciihword, hword, numhword",
    "ALTER TEXT SEARCH CONFIGURATION dailypapers ALTER MAPPING FOR asciiword, word, numword, hword_asciipart, "
    "hword_part, hword_numpart WITH dailypapers_porter",
    "DROP INDEX IF EXISTS ix_papers_search_vector",
    "ALTER TABLE papers DROP COLUMN IF EXISTS search_vector",
    f"""ALTER TABLE papers ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
         setweight(to_tsvector('dailypapers', {_words("title")}), 'A') ||
         setweight(to_tsvector('dailypapers', {_words("abstract")}), 'B') ||
         setweight(to_tsvector('dailypapers', coalesce(authors, '[]'::json)), 'C')) STORED""",
    # Words counted as the spaces between them (imports normalise white space), names one by one: about FTS5's
    # token count at a fraction of a tokenizer's cost, and all BM25's length normalisation needs.
    f"""ALTER TABLE papers ADD COLUMN search_length integer GENERATED ALWAYS AS (
         2 + {_spaces("title")} + {_spaces("abstract")} + {_spaces(_AUTHORS)}
         + json_array_length(coalesce(authors, '[]'::json))) STORED""",
    "CREATE INDEX ix_papers_search_vector ON papers USING gin (search_vector)",
]
DOWN = [
    "DROP INDEX IF EXISTS ix_papers_search_vector",
    "ALTER TABLE papers DROP COLUMN IF EXISTS search_length",
    "ALTER TABLE papers DROP COLUMN IF EXISTS search_vector",
    """ALTER TABLE papers ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
         setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
         setweight(to_tsvector('english', coalesce(abstract, '')), 'B') ||
         setweight(to_tsvector('simple', coalesce(authors, '[]'::json)), 'C')) STORED""",
    "CREATE INDEX ix_papers_search_vector ON papers USING gin (search_vector)",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS dailypapers",
    "DROP TEXT SEARCH DICTIONARY IF EXISTS dailypapers_porter",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for statement in UP:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for statement in DOWN:
        op.execute(statement)
