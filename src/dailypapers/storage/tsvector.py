"""PostgreSQL's text index: the generated `papers.search_vector` tsvector (GIN index), ranked by FTS5's BM25.

Migration 0017 tokenises and stems as SQLite's FTS5 does (`dailypapers` configuration), so both engines match the
same papers; this module ranks them with the same formula as FTS5's bm25(): per query word (or quoted phrase)
idf · f·(k1+1) / (f + k1·(1 − b + b·len/avglen)), summed. `ts_rank_cd` of one word alone is exactly its weighted
frequency f: every occurrence is a cover of its own and adds its weight (title 2, abstract 1, authors 0.5; halved,
as ts_rank_cd takes weights up to 1, and doubled back); a phrase's occurrences count the same way. The length is
`search_length`, and idf = ln((N − n + 0.5) / (n + 0.5)) (at least 1e-6) uses the document frequencies the
planning below already keeps (term_stats), with N and the average length cached beside them; the writes keep a
word's count and those two in tables (migration 0027), so none is counted by a search. ts_rank had no idf: a
common word weighed as much as a rare one, and the engines agreed on 2.5 of 5 top papers.

Planning, as on SQLite: words in COUNT_CAP papers or more are left out unless all are; the all-words pass runs when
the cached counts allow it (the planner starts an all-words match from the rarest word); an any-word match selects
on the rarest words that fit the row budget and ranks with every word, and ranks at most `row_budget` of the newest
matches (each ranked row's tsvector is read, from the row itself: migration 0026), found among the papers of a recent
window when the word is common enough (`_newest_cut`). One statement reads a query's uncached counts; one ranks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, text

from dailypapers.storage.fulltext import (
    BM25_B,
    BM25_K1,
    BM25_WEIGHTS,
    ENOUGH_ALL_WORDS,
    PAIR_REPEAT,
    ROW_BUDGET,
    SearchFilters,
    TextIndex,
    ranked_pairs,
    run_ranking,
)
from dailypapers.storage.term_stats import TermCounts, cached_value

CONFIG = "dailypapers"  # the text search configuration of migration 0017
_SCALE = max(BM25_WEIGHTS)
COMMON_MARGIN = 1.5  # the statistics' estimate is a sample's: counted exactly up to 1.5 × the cap
# ts_rank_cd's weights, in its order {D, C, B, A}: tsvector weights A, B, C are title, abstract, authors.
_WEIGHTS = "'{{{:g},{:g},{:g},{:g}}}'::real[]".format(0.1, *(w / _SCALE for w in reversed(BM25_WEIGHTS)))


# A word's papers: the sum of its lexeme's rows in `search_terms` (migration 0027: kept by the writes); a term the
# configuration does not make one lexeme of is left to the phrase count below.
_COUNT_WORDS = f"""
SELECT t.term, CASE WHEN cardinality(t.lexemes) = 1 THEN least(:cap, (
  SELECT coalesce(sum(s.papers), 0) FROM search_terms s WHERE s.lexeme = t.lexemes[1])) END
FROM (
  SELECT term, tsvector_to_array(to_tsvector('{CONFIG}', term)) AS lexemes FROM unnest(CAST(:terms AS text[])) AS term
) t"""

# A phrase's papers, counted from the GIN index (migration 0024's function) unless the planner's estimate already
# puts it at COMMON_MARGIN × the cap or more: the product of its lexemes' frequencies among ANALYZE's most common
# ones (a lexeme not among them: about none), times the table's rows.
_COUNT_PHRASES = f"""
WITH mce AS (
  SELECT e.lex, e.freq FROM pg_stats s,
    unnest(CAST(s.most_common_elems AS text) :: text[], s.most_common_elem_freqs) AS e(lex, freq)
  WHERE s.schemaname = current_schema() AND s.tablename = 'papers' AND s.attname = 'search_vector'
), t AS (
  SELECT t.term, (
    SELECT CASE WHEN count(*) > 0 AND bool_and(m.freq IS NOT NULL) THEN exp(sum(ln(m.freq))) ELSE 0 END
    FROM regexp_split_to_table(t.term, ' ') AS w(word),
      unnest(tsvector_to_array(to_tsvector('{CONFIG}', w.word))) AS l(lex) LEFT JOIN mce m ON m.lex = l.lex
  ) * (SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = to_regclass('papers')) AS estimate
  FROM unnest(CAST(:terms AS text[])) AS t(term)
)
SELECT term, CASE WHEN estimate >= :common THEN :cap
  ELSE least(:cap, dailypapers_match_count(phraseto_tsquery('{CONFIG}', term))) END FROM t"""


def _count_many(conn: Connection, terms: Sequence[str], cap: int) -> dict[str, int]:
    """Papers holding each word, or phrase (its words joined by spaces), at most `cap`.

    A word's count is read from the counts the writes keep (exact, in this transaction's snapshot; one statement
    for all, which never plans the statistics view). A phrase is counted from the GIN index, unless the planner's
    statistics (ANALYZE keeps the most common words' frequencies) already put it at COMMON_MARGIN × `cap` papers or
    more: reading its posting lists would cost the most for the one answer already known, "common"."""
    found: dict[str, int] = {}
    words = [term for term in terms if " " not in term]
    if words:
        rows = conn.execute(text(_COUNT_WORDS), {"terms": words, "cap": cap})
        found.update({term: int(count) for term, count in rows if count is not None})
    phrases = [term for term in terms if term not in found]
    if phrases:
        params = {"terms": phrases, "cap": cap, "common": COMMON_MARGIN * cap}
        found.update({term: int(count) for term, count in conn.execute(text(_COUNT_PHRASES), params)})
    return found


def _corpus(conn: Connection) -> tuple[int, float]:
    """The number of papers and their average `search_length`, from the sums the writes keep (migration 0027)."""
    row = conn.execute(text("SELECT coalesce(sum(papers), 0), coalesce(sum(tokens), 0) FROM search_corpus")).one()
    papers = int(row[0])
    return papers, float(row[1]) / papers if papers else 0.0


# Sums a step of lexemes that have more than one row (each write appends one) into one row each; a lexeme no paper
# holds any more loses its rows. Rows a write appends meanwhile are not in this statement's snapshot and stay.
_COMPACT_TERMS = """
WITH gone AS (
  DELETE FROM search_terms WHERE lexeme IN (
    SELECT lexeme FROM search_terms GROUP BY lexeme HAVING count(*) > 1 ORDER BY lexeme LIMIT :step)
  RETURNING lexeme, papers
), summed AS (
  INSERT INTO search_terms (lexeme, papers) SELECT lexeme, sum(papers) FROM gone GROUP BY lexeme HAVING sum(papers) <> 0
) SELECT count(DISTINCT lexeme) FROM gone"""
_COMPACT_CORPUS = """
WITH gone AS (DELETE FROM search_corpus WHERE (SELECT count(*) FROM search_corpus) > 1 RETURNING papers, tokens)
INSERT INTO search_corpus (papers, tokens) SELECT sum(papers), sum(tokens) FROM gone HAVING count(*) > 0"""
COMPACT_STEP = 50_000  # lexemes summed per step: an import of 75,000 papers leaves ~150,000, each in ~40 rows


# idf below, in SQL: for a count made in the ranking statement (`held`, bigint), in double precision as in Python.
_IDF = (
    "greatest(ln((CAST(:papers - {held} AS double precision) + 0.5) / (CAST({held} AS double precision) + 0.5)), 1e-6)"
)


def idf(papers: int, holding: int) -> float:
    """FTS5's idf: a word in half the papers or more still weighs a little (1e-6), never less than nothing."""
    holding = min(holding, papers)
    return max(math.log((papers - holding + 0.5) / (holding + 0.5)), 1e-6)


# The window of an any-word match too common for the budget: its newest matches are found among the papers since a
# cut date (see TsvectorIndex._newest_cut), not among all of them.
WINDOW_MARGIN = 1.5  # about this many times the budget, for a word whose papers spread over the dates as all do
WINDOW_WIDEST = 0.25  # of the corpus at most: past it the date index reads about as many entries as the heap saves
WINDOW_STEPS = tuple(WINDOW_WIDEST / 1.5**k for k in range(16))  # cut dates cached per step, from 25% down to 0.06%
_NEWEST_CUT = (
    "SELECT published_at FROM papers WHERE published_at IS NOT NULL ORDER BY published_at DESC OFFSET :rank LIMIT 1"
)


class TsvectorIndex(TextIndex):
    def __init__(self, widest_window: float = WINDOW_WIDEST) -> None:
        self.terms = TermCounts(_count_many)
        self.widest_window = widest_window

    def merge_step(self, conn: Connection, step: int = COMPACT_STEP) -> bool:
        """Sum a step of the word counts' rows (one per write and word) into one row a word; False when there was
        nothing left to sum (the corpus row is summed then).

        Reading a count sums its rows, about one per import batch that held the word; summed, it reads one."""
        if int(conn.execute(text(_COMPACT_TERMS), {"step": step}).scalar_one()):
            return True
        conn.execute(text(_COMPACT_CORPUS))
        return False

    def author_condition(self, i: int, words: Sequence[str], params: dict[str, Any]) -> str:
        params[f"author{i}"] = " <-> ".join(f"{w}:C" for w in words)
        return f"p.search_vector @@ to_tsquery('{CONFIG}', :author{i})"

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
        params: dict[str, Any] = {"k": k, "budget": row_budget}
        where = self.filter_sql(filters, params)
        if words:
            words = self.terms.uncommon_words(conn, words)
        every = [*phrases, *([w] for w in words)]
        if len(words) > 1 and min(self.terms.document_frequencies(conn, words).values()) >= ENOUGH_ALL_WORDS:
            # As on SQLite, pairs do not rank an all-words match (each paper holds every word already).
            both = self._bm25(conn, [], every, {" ".join(p): 1.0 for p in every}, where, dict(params))
            if len(both) >= ENOUGH_ALL_WORDS:
                return both
        selective, _ = self.terms.selective_words(conn, words, row_budget) if words else ([], 0)
        repeat = PAIR_REPEAT if pairs else 1  # as FTS5 ranks them (see PAIR_REPEAT)
        weights = {" ".join(p): float(repeat) for p in every}
        for pair in ranked_pairs(pairs, words, selective):
            weights[" ".join(pair)] = weights.get(" ".join(pair), 0.0) + 1.0
        return self._bm25(conn, selective, phrases, weights, where, params)

    def _bm25(
        self,
        conn: Connection,
        any_words: Sequence[str],
        phrases: Sequence[Sequence[str]],
        ranked_by: dict[str, float],
        where: str,
        params: dict[str, Any],
    ) -> list[tuple[str, float]]:
        """Papers with any of `any_words` and every phrase, best first by BM25 over `ranked_by` ({word or phrase, its
        words joined by spaces: its weight}), in one statement.

        At most `budget` matches (the newest) are ranked. When the cached counts show that the matches fit the budget
        (most queries), they are ranked as the index finds them; otherwise the newest are chosen first by row address
        (ctid, a narrow sort; from a window of recent papers when there is one) and read again by it. The tsvector
        is in the row itself (migration 0026), not in TOAST.

        A word pair holds one of `any_words` (storage.fulltext.ranked_pairs), so with no filter and no required
        phrase every paper holding it is a match, and its document frequency is counted over the matches in the same
        statement (over the rows ranked when all are, else in the narrow pass that chooses the newest), where
        counting it from the GIN index re-read each paper with both words (250 ms for "large language" at 80k)."""
        papers, average = cached_value(conn, "corpus", _corpus)
        if papers == 0:
            return []
        counts = self.terms.document_frequencies(conn, [*any_words, *(" ".join(p) for p in phrases)])
        bound = [sum(counts[w] for w in any_words)] if any_words else []
        fits = min(bound + [counts[" ".join(p)] for p in phrases], default=0) <= params["budget"]
        complete = not where and not phrases  # the matches are every paper holding a selecting word
        terms = list(ranked_by)
        scanned = [t for t in terms if complete and " " in t and set(t.split()) & set(any_words)]
        counts.update(self.terms.document_frequencies(conn, [t for t in terms if t not in scanned]))
        required = {" ".join(p) for p in phrases}
        row = "p" if fits else "r"  # the rows ranked: the matches themselves, or the newest `budget` of them
        columns, windows, held_in, score = [], [], [], []
        for i, term in enumerate(terms):
            params[f"r{i}"] = term
            query = f"phraseto_tsquery('{CONFIG}', :r{i})"
            f = f"{_SCALE:g} * ts_rank_cd({_WEIGHTS}, {row}.search_vector, {query}, 0)"
            if term in required:  # every row ranked holds it
                columns.append(f"{f} AS f{i}")
            else:  # a term absent from the paper adds nothing (f = 0); @@ says so for a third of ts_rank_cd's cost
                columns.append(f"CASE WHEN {row}.search_vector @@ {query} THEN {f} ELSE 0 END AS f{i}")
            if term in scanned:
                if fits:  # f > 0 exactly where the guard matched: a held term's weights are all > 0
                    windows.append(f"count(*) FILTER (WHERE t.f{i} > 0) OVER () AS n{i}")
                else:  # counted in the narrow pass below
                    held_in.append(i)
                params[f"w{i}"] = ranked_by[term]
                held = f"least(s.n{i}, :papers)"
                weight = f":w{i} * {_IDF.format(held=held)} * :k1p1"
            else:
                params[f"c{i}"] = ranked_by[term] * idf(papers, counts[term]) * (BM25_K1 + 1)
                weight = f":c{i}"
            score.append(f"{weight} * (1 - s.norm / (s.f{i} + s.norm))")
        params.update(k1=BM25_K1, b=BM25_B, average=max(average, 1.0), papers=papers, k1p1=BM25_K1 + 1)
        norm = f"(SELECT :k1 * (1 - :b + :b * CAST({row}.search_length AS double precision) / :average) AS norm) m"
        matching = f"p.search_vector @@ ({self._match(any_words, phrases, params)}){where}"
        ctes, counted = [], ""
        if not fits:
            # The narrow pass reads every match once (for its date); a scanned pair's count is made in it too. With a
            # window (see _newest_cut) it reads the matches since the cut, and the older ones only when those are
            # fewer than the budget: the newest `budget` are the same either way.
            flags = "".join(f", p.search_vector @@ phraseto_tsquery('{CONFIG}', :r{i}) AS h{i}" for i in held_in)
            select = f"SELECT p.ctid, p.published_at, p.id{flags} FROM papers p WHERE {matching}"
            cut = self._newest_cut(conn, papers, counts[any_words[0]], params["budget"]) if complete else None
            hits, scale = f"({select})", ""
            if cut is not None:
                params.update(cut=cut, total=counts[any_words[0]])
                ctes.append(f"win AS MATERIALIZED ({select} AND p.published_at >= :cut)")
                older = "(p.published_at < :cut OR p.published_at IS NULL) AND (SELECT count(*) FROM win) < :budget"
                hits = f"(SELECT * FROM win UNION ALL {select} AND {older})"
                # A pair's papers among the window's matches, scaled to all matches (exact when the older were read).
                scale = " * CAST(:total AS double precision) / greatest(count(*), 1)"
            if held_in:  # the pass is kept (MATERIALIZED) for both the counts and the newest cut
                sums = ", ".join(f"count(*) FILTER (WHERE h{i}){scale} AS n{i}" for i in held_in)
                ctes += [f"hits AS MATERIALIZED {hits}", f"held AS (SELECT {sums} FROM hits)"]
                hits, counted = "hits", " CROSS JOIN held"
            source = "hits" if hits == "hits" else f"{hits} hits"
            matching = (
                f"r.ctid = ANY(ARRAY(SELECT hits.ctid FROM {source} "
                "ORDER BY hits.published_at DESC NULLS LAST, hits.id LIMIT :budget))"
            )
        held_columns = "".join(f", held.n{i}" for i in held_in)
        scored = f"SELECT {row}.id, m.norm, {', '.join(columns)}{held_columns} FROM papers {row} "
        scored += f"CROSS JOIN LATERAL {norm}{counted} WHERE {matching}"
        if windows:
            # OFFSET 0 keeps the scoring below the window: the window then buffers narrow rows, not every row's
            # tsvector (~2 kB each, 8 MB for 4,000 rows: past work_mem, written to disk and read back).
            scored = f"SELECT t.*, {', '.join(windows)} FROM ({scored} OFFSET 0) t"
        prefix = f"WITH {', '.join(ctes)} " if ctes else ""
        sql = f"{prefix}SELECT s.id, {' + '.join(score)} AS score FROM ({scored}) s ORDER BY score DESC, s.id LIMIT :k"
        return [(found[0], float(found[1])) for found in run_ranking(conn, sql, params)]

    def _newest_cut(self, conn: Connection, papers: int, matches: int, budget: int) -> datetime | None:
        """The date since which the corpus's newest papers are about WINDOW_MARGIN × budget / matches of it (the
        next larger of WINDOW_STEPS), where a word's `matches` spread over the dates as the corpus does would number
        WINDOW_MARGIN × budget; None when that is more than `widest_window` of the corpus.

        The window's papers come from the date index (BitmapAnd with the word's): at 1M papers a word in 100,000
        read 100,000 rows for the newest 4,000, where the window reads ~6,000."""
        wanted = WINDOW_MARGIN * budget / max(matches, 1)
        step = next((s for s in reversed(WINDOW_STEPS) if s >= wanted), None)
        if step is None or step > self.widest_window:
            return None
        rank = math.ceil(step * papers)
        found = cached_value(conn, f"newest:{step}", lambda c: c.execute(text(_NEWEST_CUT), {"rank": rank}).scalar())
        return cast(datetime | None, found)

    @staticmethod
    def _match(any_words: Sequence[str], phrases: Sequence[Sequence[str]], params: dict[str, Any]) -> str:
        """The tsquery of a match: any of the words, and every phrase."""
        parts = []
        for i, word in enumerate(any_words):
            params[f"m{i}"] = word
            parts.append(f"phraseto_tsquery('{CONFIG}', :m{i})")
        match = [f"({' || '.join(parts)})"] if parts else []
        for i, phrase in enumerate(phrases):
            params[f"p{i}"] = " ".join(phrase)
            match.append(f"phraseto_tsquery('{CONFIG}', :p{i})")
        return " && ".join(match)
