"""PostgreSQL: title, abstract and authors kept apart in `search_vector`, stored in the row; tokens as BM25's length

Revision ID: 0026
Revises: 0025

`tsvector || tsvector` numbers the right side's positions on from the left's last one, so 0017's vector put the
abstract's first word right after the title's last: a quoted phrase or a word pair ("nets insulin") matched across
the boundary, where SQLite's FTS5 keeps its columns apart.
Here a placeholder word takes one position between the fields and is deleted again: the fields' positions are two
apart, so no phrase spans them, and every word's count and weight are unchanged.

`toast_tuple_target = 8160` keeps a paper's row (tsvector ~2 kB, abstract ~1.2 kB) in the table's own page instead of
moving the tsvector to the TOAST table: ranking reads the tsvector of up to ROW_BUDGET rows, and each out-of-line
read was an index probe into the TOAST table (75 of 160 ms of one 3,581-row ranking at 80k papers with the default
128 MB of shared_buffers). The price: the table has 2.5x the pages, and counting a common word from the GIN index
visits more of them (about 1.5x slower; storage/tsvector.py counts each word once an hour).

`search_length`, BM25's document length, counted the spaces between words; FTS5 counts tokens, and a hyphen, a slash
or a dot in "Qwen2.5-VL" splits one (5-20% more on arXiv abstracts). It now counts the runs of non-space left once
ASCII punctuation is a space, as the tokenizer splits: FTS5's count for ASCII text (and names). This, not the gaps,
closed most of the paraphrase set's text-side gap to SQLite (MRR@10 −0.0108 → −0.0033). SQLite is unchanged.
"""

from __future__ import annotations

from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

_PUNCT = r"'[!-/:-@\[-`{-~]+'"  # as in 0017: unicode61 separates on ASCII punctuation
GAP = "dp_gap"  # a lexeme no text makes: "_" splits words (the punctuation above, and the parser for authors)


def _words(column: str) -> str:
    return f"to_tsvector('dailypapers', regexp_replace(coalesce({column}, ''), {_PUNCT}, ' ', 'g'))"


def _tokens(text: str) -> str:
    return f"regexp_count(regexp_replace(coalesce({text}, ''), {_PUNCT}, ' ', 'g'), '\\S+')"


def _spaces(column: str) -> str:  # 0017's count
    return f"length(coalesce({column}, '')) - length(replace(coalesce({column}, ''), ' ', ''))"


_AUTHORS = "replace(authors::text, '\", \"', '\",\"')"  # 0017's: the JSON list without the spaces between names


def _length(tokens: bool) -> str:
    if tokens:
        return " + ".join(_tokens(column) for column in ("title", "abstract", "authors::text"))
    parts = " + ".join(_spaces(column) for column in ("title", "abstract", _AUTHORS))
    return f"2 + {parts} + json_array_length(coalesce(authors, '[]'::json))"


def _vector(gap: bool) -> str:
    join = f" || '{GAP}:1'::tsvector || " if gap else " || "
    fields = join.join(
        (
            f"setweight({_words('title')}, 'A')",
            f"setweight({_words('abstract')}, 'B')",
            "setweight(to_tsvector('dailypapers', coalesce(authors, '[]'::json)), 'C')",
        )
    )
    return f"ts_delete({fields}, '{GAP}')" if gap else fields


def _rebuild(gap: bool) -> None:
    op.execute("DROP INDEX IF EXISTS ix_papers_search_vector")
    op.execute("ALTER TABLE papers DROP COLUMN IF EXISTS search_vector")
    op.execute("ALTER TABLE papers DROP COLUMN IF EXISTS search_length")
    op.execute(f"ALTER TABLE papers {'SET (toast_tuple_target = 8160)' if gap else 'RESET (toast_tuple_target)'}")
    op.execute(f"ALTER TABLE papers ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({_vector(gap)}) STORED")
    op.execute(f"ALTER TABLE papers ADD COLUMN search_length integer GENERATED ALWAYS AS ({_length(gap)}) STORED")
    op.execute("CREATE INDEX ix_papers_search_vector ON papers USING gin (search_vector)")
    op.execute("ANALYZE papers")  # the planner's word frequencies (storage/tsvector.py reads them)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    _rebuild(gap=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    _rebuild(gap=False)
