"""SQLite's text index: the contentless FTS5 table `papers_fts` (BM25), keyed by `search_docs.doc_id`.

Planning for FTS5: BM25 reads the whole posting list of every word it ranks by, so words held by COUNT_CAP papers
or more are left out like stop words (unless every word is that common); an all-words pass runs only when a cheap
bounded count says it can succeed; and when even the rarest word is common, only its newest matches are ranked.
Word pairs are scored in a match of their own and added to the words' BM25 (see Ranking).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from dailypapers.storage.fulltext import (
    BM25_WEIGHTS,
    ENOUGH_ALL_WORDS,
    PAIR_REPEAT,
    ROW_BUDGET,
    SearchFilters,
    TextIndex,
    ranked_pairs,
    run_ranking,
)
from dailypapers.storage.term_stats import TermCounts, word_by_word

# Pages written per step when merging the FTS5 index (see merge_step): under half a second each.
MERGE_PAGES = 1000


_INDEX_IDS = """INSERT INTO papers_fts (rowid, title, abstract, authors)
  SELECT d.doc_id, p.title, p.abstract, (SELECT group_concat(value, ', ') FROM json_each(p.authors))
  FROM json_each(:ids) j JOIN search_docs d ON d.paper_id = j.value JOIN papers p ON p.id = d.paper_id
  ORDER BY d.doc_id"""


@dataclass(frozen=True)
class Ranking:
    """What one BM25 query ranks: the papers `match` selects, by its BM25 times `scale`, plus the BM25 of `pairs`
    (pair phrases OR-ed, see PAIR_REPEAT) in each of them: BM25 is a sum over terms, so the two add up to ranking
    both in one match, while FTS5 reads the words' posting lists once and scores the pairs apart."""

    match: str
    scale: int = 1
    pairs: str = ""


def _quoted(words: Sequence[str]) -> str:
    return '"' + " ".join(w.replace('"', "") for w in words) + '"'


def fts5_match(words: Sequence[str], phrases: Sequence[Sequence[str]]) -> str:
    """`("w1" OR "w2") AND "p1 p2"`: any word ranks a paper, every quoted phrase is required."""
    parts = []
    if words:
        parts.append("(" + " OR ".join(_quoted([w]) for w in words) + ")")
    parts.extend(_quoted(p) for p in phrases)
    return " AND ".join(parts)


def _count(conn: Connection, word: str, cap: int) -> int:
    sql = "SELECT count(*) FROM (SELECT 1 FROM papers_fts WHERE papers_fts MATCH :q LIMIT :cap)"
    return int(conn.execute(text(sql), {"q": _quoted([word]), "cap": cap}).scalar_one())


class Fts5Index(TextIndex):
    docs_join = " JOIN search_docs d ON d.paper_id = p.id"

    def __init__(self) -> None:
        self.terms = TermCounts(word_by_word(_count))

    def author_condition(self, i: int, words: Sequence[str], params: dict[str, Any]) -> str:
        params[f"author{i}"] = "authors : " + _quoted(words)
        return f"d.doc_id IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH :author{i})"

    def candidates(
        self,
        conn: Connection,
        words: Sequence[str],
        phrases: Sequence[Sequence[str]],
        filters: SearchFilters,
        k: int,
        row_budget: int = ROW_BUDGET,
        pairs: Sequence[Sequence[str]] = (),
    ) -> list[tuple[str, float]]:
        if not words and not phrases:
            return []
        params: dict[str, Any] = {"k": k}
        where = self.filter_sql(filters, params)
        if words:
            # FTS5's BM25 reads the whole posting list of every word it ranks by: see term_stats.COUNT_CAP.
            words = self.terms.uncommon_words(conn, words)
        if len(words) > 1 and self._enough_with_every_word(conn, words, phrases):
            # Every paper here holds every word: pairs would only reorder them, and are left out (as on PostgreSQL).
            every = Ranking(fts5_match([], [*phrases, *([w] for w in words)]))
            both = self._bm25(conn, every, where, dict(params), None)
            if len(both) >= ENOUGH_ALL_WORDS:
                return both
        selective, rows = self.terms.selective_words(conn, words, row_budget) if words else ([], 0)
        match = selecting = fts5_match(selective, phrases)
        others = [w for w in words if w not in selective]
        if others:
            # Matches exactly the papers with a selective word, and BM25 still sees every word: FTS5 counts a phrase
            # only in the branch that matched, so each word is counted once and the scores equal the plain OR's.
            rest = "(" + " OR ".join(_quoted([w]) for w in others) + ")"
            match = f"(({match}) NOT {rest}) OR (({match}) AND {rest})"
        newest = None
        if rows > row_budget:  # even the rarest word is common: rank its most recently indexed matches only
            newest = self._newest_rowid_cut(conn, selecting, row_budget)
        pair_match = " OR ".join(_quoted(p) for p in ranked_pairs(pairs, words, selective))
        # See PAIR_REPEAT: with pairs, words and phrases count PAIR_REPEAT times and each pair once.
        ranking = Ranking(match, PAIR_REPEAT if pairs else 1, pair_match)
        return self._bm25(conn, ranking, where, params, newest)

    def _enough_with_every_word(self, conn: Connection, words: Sequence[str], phrases: Sequence[Sequence[str]]) -> bool:
        """Whether ENOUGH_ALL_WORDS papers may hold every word, checked before paying for BM25 over them.

        BM25 first counts every paper holding each word, so ranking an all-words match costs milliseconds even when
        it finds nothing. The rarest word's count bounds the answer for free (cached); a count that stops at
        ENOUGH_ALL_WORDS settles the rest."""
        if min(self.terms.document_frequencies(conn, words).values()) < ENOUGH_ALL_WORDS:
            return False
        sql = "SELECT count(*) FROM (SELECT rowid FROM papers_fts WHERE papers_fts MATCH :match LIMIT :enough)"
        match = fts5_match([], [*phrases, *([w] for w in words)])
        found = conn.execute(text(sql), {"match": match, "enough": ENOUGH_ALL_WORDS}).scalar_one()
        return int(found) >= ENOUGH_ALL_WORDS

    @staticmethod
    def _newest_rowid_cut(conn: Connection, match: str, row_budget: int) -> int | None:
        sql = "SELECT rowid FROM papers_fts WHERE papers_fts MATCH :match ORDER BY rowid DESC LIMIT 1 OFFSET :n"
        return conn.execute(text(sql), {"match": match, "n": row_budget}).scalar()

    @staticmethod
    def _bm25(
        conn: Connection, ranking: Ranking, where: str, params: dict[str, Any], newest: int | None
    ) -> list[tuple[str, float]]:
        params["match"] = ranking.match
        cut = ""
        if newest is not None:
            params["newest"] = newest
            cut = " AND papers_fts.rowid >= :newest"
        bm25 = "bm25(papers_fts, {}, {}, {})".format(*BM25_WEIGHTS)
        rank, pairs, pair_join = (f"{ranking.scale} * {bm25}" if ranking.scale != 1 else bm25), "", ""
        if ranking.pairs:
            # Materialized: scored once, then looked up for each matched paper (read again per paper otherwise).
            params["pairs"] = ranking.pairs
            pairs = (
                f"WITH pair AS MATERIALIZED (SELECT rowid AS id, {bm25} AS rank FROM papers_fts "
                f"WHERE papers_fts MATCH :pairs{cut}) "
            )
            rank, pair_join = f"{rank} + coalesce(pair.rank, 0)", " LEFT JOIN pair ON pair.id = papers_fts.rowid"
        if where:  # ordered by the alias: the sorter would compute bm25() again for an expression
            sql = (
                f"{pairs}SELECT d.paper_id, {rank} AS rank FROM papers_fts "
                f"JOIN search_docs d ON d.doc_id = papers_fts.rowid JOIN papers p ON p.id = d.paper_id{pair_join} "
                f"WHERE papers_fts MATCH :match{cut}{where} ORDER BY rank LIMIT :k"
            )
        else:  # rank inside the FTS index first; join only the top k (not every match) to the tables
            sql = (
                f"{pairs}SELECT d.paper_id, top.rank FROM (SELECT papers_fts.rowid AS id, {rank} AS rank "
                f"FROM papers_fts{pair_join} WHERE papers_fts MATCH :match{cut} ORDER BY rank LIMIT :k) top "
                "JOIN search_docs d ON d.doc_id = top.id ORDER BY top.rank"
            )
        return [(row[0], -float(row[1])) for row in run_ranking(conn, sql, params)]  # bm25(): lower is better

    @contextmanager
    def indexing_in_bulk(self, conn: Connection, paper_ids: Sequence[str]) -> Iterator[None]:
        """Pause the per-row insert trigger (migration 0016) and index the block's new papers in two statements.

        About 2.5x cheaper than the trigger's row-by-row inserts. All inside the caller's write transaction: SQLite
        has one writer at a time and readers see committed data only, so nobody sees the pause, and a rollback
        undoes the pause, the papers and their index entries together."""
        if not paper_ids:
            yield
            return
        conn.execute(text("INSERT INTO papers_fts_bulk (paused) VALUES (1)"))
        yield
        ids = {"ids": json.dumps(list(paper_ids))}
        conn.execute(text("INSERT INTO search_docs (paper_id) SELECT value FROM json_each(:ids)"), ids)
        conn.execute(text(_INDEX_IDS), ids)
        conn.execute(text("DELETE FROM papers_fts_bulk"))

    def merge_step(self, conn: Connection, pages: int = MERGE_PAGES) -> bool:
        """Merge the FTS5 index a step further towards one segment (about `pages` pages); False when it is one.

        Imports write the index in many small segments, and every query reads each word's postings from all of them:
        merged, counting and ranking read one run instead (text-side p95 38 ms → 29 ms on 80k papers). Done in steps,
        each its own short write transaction, so voters and imports never wait long."""
        before = conn.execute(text("SELECT total_changes()")).scalar_one()
        conn.execute(text("INSERT INTO papers_fts(papers_fts, rank) VALUES ('merge', :pages)"), {"pages": -abs(pages)})
        return int(conn.execute(text("SELECT total_changes()")).scalar_one()) - int(before) >= 2
