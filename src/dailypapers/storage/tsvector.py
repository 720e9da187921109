"""PostgreSQL's text index: the generated `papers.search_vector` tsvector column with a GIN index (ts_rank).

Planning for PostgreSQL: its planner already starts an all-words match from the rarest word, so the all-words pass
runs whenever the cached counts allow it; an any-word match selects on the rarest words that fit the row budget,
ranks with every word, and ranks at most `row_budget` of the newest matches (ts_rank reads each row's tsvector).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, text

from dailypapers.storage.fulltext import ENOUGH_ALL_WORDS, ROW_BUDGET, SearchFilters, TextIndex, run
from dailypapers.storage.term_stats import TermCounts


def _count(conn: Connection, word: str, cap: int) -> int:
    sql = (
        "SELECT count(*) FROM (SELECT 1 FROM papers WHERE search_vector @@ plainto_tsquery('english', :q) LIMIT :cap) m"
    )
    return int(conn.execute(text(sql), {"q": word, "cap": cap}).scalar_one())


class TsvectorIndex(TextIndex):
    def __init__(self) -> None:
        self.terms = TermCounts(_count)

    def author_condition(self, i: int, words: Sequence[str], params: dict[str, Any]) -> str:
        params[f"author{i}"] = " <-> ".join(f"{w}:C" for w in words)
        return f"p.search_vector @@ to_tsquery('simple', :author{i})"

    def candidates(
        self,
        conn: Connection,
        words: Sequence[str],
        phrases: Sequence[Sequence[str]],
        filters: SearchFilters,
        k: int,
        row_budget: int = ROW_BUDGET,
    ) -> list[tuple[str, float]]:
        if not words and not phrases:
            return []
        params: dict[str, Any] = {"k": k}
        where = self.filter_sql(filters, params)
        if len(words) > 1 and min(self.terms.document_frequencies(conn, words).values()) >= ENOUGH_ALL_WORDS:
            every = [*phrases, *([w] for w in words)]
            both = self._ranked(conn, [], every, [], where, dict(params), row_budget)
            if len(both) >= ENOUGH_ALL_WORDS:
                return both
        selective, _ = self.terms.selective_words(conn, words, row_budget) if words else ([], 0)
        return self._ranked(conn, selective, phrases, words, where, params, row_budget)

    @staticmethod
    def _ranked(
        conn: Connection,
        any_words: Sequence[str],
        phrases: Sequence[Sequence[str]],
        rank_words: Sequence[str],
        where: str,
        params: dict[str, Any],
        row_budget: int,
    ) -> list[tuple[str, float]]:
        """Papers with any of `any_words` and every phrase, ranked by `rank_words` and the phrases.

        At most `row_budget` matches (the newest) are ranked: ts_rank reads each row's whole tsvector."""

        def tsquery(words: Sequence[str], prefix: str) -> str:
            parts = []
            if words:
                params[f"{prefix}words"] = " or ".join(words)
                parts.append(f"websearch_to_tsquery('english', :{prefix}words)")
            for i, phrase in enumerate(phrases):
                params[f"phrase{i}"] = " ".join(phrase)
                parts.append(f"phraseto_tsquery('english', :phrase{i})")
            return " && ".join(parts)

        params["budget"] = row_budget
        match = tsquery(any_words, "m")
        rank = tsquery(rank_words or any_words, "r")
        sql = (
            f"SELECT p.id, ts_rank(p.search_vector, {rank}, 1) AS score FROM papers p WHERE p.id IN "
            f"(SELECT p.id FROM papers p WHERE p.search_vector @@ ({match}){where} "
            "ORDER BY p.published_at DESC NULLS LAST, p.id LIMIT :budget) ORDER BY score DESC, p.id LIMIT :k"
        )
        return [(row[0], float(row[1])) for row in run(conn, sql, params)]
