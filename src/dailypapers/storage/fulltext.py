"""The full-text index of papers as one interface, `TextIndex`, with an implementation per engine.

`storage.fts5.Fts5Index` (SQLite, FTS5's bm25) and `storage.tsvector.TsvectorIndex` (PostgreSQL, the same BM25
written in SQL) each hold their engine's SQL and query planning; `Store.text_index` is the one chosen when the store
opens. The filters both search paths share (dates, categories, authors) and the filtered listings are written once
here: the engines differ only in how an author name is matched (`author_condition`) and whether `search_docs` is
joined (`docs_join`).

Callers hand in plain words (letters and digits only, see search.query); the implementations alone write them into
FTS5 or tsquery syntax, always quoted, so user input can never change a query's structure.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, text

from dailypapers.storage.schema import UTCDateTime
from dailypapers.storage.term_stats import TermCounts

_WORD = re.compile(r"\w+", re.UNICODE)

# When at least this many papers contain every query word, rank only those (see TextIndex.candidates).
ENOUGH_ALL_WORDS = 20
# About how many rows an any-word query may score (see storage.term_stats); ~10 ms of BM25 on SQLite.
ROW_BUDGET = 4000
# BM25 on both engines. Column weights (title, abstract, authors): a title hit counts most, an author-name hit least.
BM25_WEIGHTS = (2.0, 1.0, 0.5)
BM25_K1, BM25_B = 1.2, 0.75  # FTS5's built-in constants, which PostgreSQL's ranking (storage/tsvector.py) copies
# Adjacent query words found as a phrase ("insulin resistance") add BM25 as one more term at half a word's weight, as
# a sequential dependence model's bigrams do (SciFact nDCG@10 +0.007 hybrid, docs/benchmarks.md). So with pairs every
# word and phrase counts this many times and each pair once, on both engines, and their scores stay equal (FTS5's
# bm25() takes no per-term weights: storage.fts5.Ranking scales the words' BM25 and adds the pairs' from a match
# of their own).
PAIR_REPEAT = 2


@dataclass
class SearchFilters:
    date_from: date | None = None
    date_to: date | None = None
    categories: list[str] = field(default_factory=list)  # any of; "cs" means every cs.* category
    authors: list[str] = field(default_factory=list)  # every one of; each a name or part of one
    has_code: bool = False  # only papers with a code repository link

    @property
    def active(self) -> bool:
        return bool(self.date_from or self.date_to or self.categories or self.authors or self.has_code)


SORTS = {
    "newest": "p.published_at DESC, p.id DESC",
    "relevance": "p.published_at DESC, p.id DESC",
    "upvotes": "(p.imported_upvotes + COALESCE(v.n, 0)) DESC, p.published_at DESC, p.id DESC",
}


def run(conn: Connection, sql: str, params: dict[str, Any]) -> list[Any]:
    """Execute search SQL, binding the date filters as UTC timestamps."""
    stmt = text(sql)
    for name in ("date_from", "date_to"):
        if name in params:
            stmt = stmt.bindparams(bindparam(name, type_=UTCDateTime()))
    return list(conn.execute(stmt, params))


_RANKINGS = "dailypapers.rankings"  # conn.info key: (transaction, {(sql, params): rows})


def run_ranking(conn: Connection, sql: str, params: dict[str, Any]) -> list[Any]:
    """`run` for a BM25 ranking, kept until this transaction ends: one search asks for its all-words ranking twice
    (the candidates' first tier, then the fusion's every-word tier), and it is read once.

    Kept in the pooled connection's `info` (one thread at a time uses it) beside the transaction it belongs to, so
    a later transaction, which may see other rows, never reuses it; at most one search's few rankings are held."""
    transaction = conn.get_transaction()
    if transaction is None:
        return run(conn, sql, params)
    owner, kept = conn.info.get(_RANKINGS, (None, {}))
    if owner is not transaction:
        kept = {}
        conn.info[_RANKINGS] = (transaction, kept)
    key = (sql, repr(sorted(params.items(), key=lambda item: item[0])))
    if key not in kept:
        kept[key] = run(conn, sql, params)
    return kept[key]


def ranked_pairs(pairs: Sequence[Sequence[str]], words: Sequence[str], selective: Sequence[str]) -> list[list[str]]:
    """The pairs that rank: both words ranked (one left out as too common leaves its pairs out), and one of them
    selecting papers, so that a paper holding the pair is a match anyway and pairs never change what matches."""
    kept, selecting = set(words), set(selective)
    return [list(p) for p in pairs if len(p) == 2 and {*p} <= kept and {*p} & selecting]


def author_words(authors: Sequence[str]) -> list[list[str]]:
    return [w for w in ([x.lower() for x in _WORD.findall(a)] for a in authors) if w]


class TextIndex(ABC):
    """Full-text candidates and filtered listings of papers on one engine."""

    docs_join = ""  # SQL joining `search_docs d` to `papers p` when author_condition needs it
    terms: TermCounts

    @abstractmethod
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
        """Best `k` papers for the words (any) and phrases (all), as (paper id, score), best first; higher is better.

        Papers with every word come first when there are enough of them; otherwise any word matches, but only the
        rarest words that fit `row_budget` rows select papers (see storage.term_stats) and every word ranks them.
        `pairs` (two words each, see PAIR_REPEAT) only rank: they never change which papers match."""

    @abstractmethod
    def author_condition(self, i: int, words: Sequence[str], params: dict[str, Any]) -> str:
        """SQL condition that the paper `p` has an author with these name words in this order."""

    @contextmanager
    def indexing_in_bulk(self, conn: Connection, paper_ids: Sequence[str]) -> Iterator[None]:
        """Papers `paper_ids` inserted in the block are indexed by the time it ends, in the same transaction.

        The default lets the engine index each row as it is written (PostgreSQL's generated tsvector)."""
        yield

    def merge_step(self, conn: Connection) -> bool:
        """Merge the index a step further; False when there is nothing to merge (the default: the engine does it)."""
        return False

    def filter_sql(self, filters: SearchFilters, params: dict[str, Any]) -> str:
        """SQL conditions on `p` (papers) and, where joined, `d` (search_docs); values go into `params`."""
        sql = []
        if filters.date_from:
            params["date_from"] = datetime.combine(filters.date_from, time(), UTC)
            sql.append("p.published_at >= :date_from")
        if filters.date_to:
            params["date_to"] = datetime.combine(filters.date_to + timedelta(days=1), time(), UTC)
            sql.append("p.published_at < :date_to")
        if filters.categories:
            ors = []
            for i, cat in enumerate(filters.categories):
                params[f"cat{i}"] = cat
                params[f"catp{i}"] = cat + ".%"
                ors.append(f"c.category = :cat{i} OR c.category LIKE :catp{i}")
            sql.append(f"EXISTS (SELECT 1 FROM paper_categories c WHERE c.paper_id = p.id AND ({' OR '.join(ors)}))")
        if filters.has_code:
            sql.append("p.code_url IS NOT NULL")
        for i, words in enumerate(author_words(filters.authors)):
            sql.append(self.author_condition(i, words, params))
        return "".join(f" AND ({s})" for s in sql)

    def ids_matching_filters(self, conn: Connection, ids: Sequence[str], filters: SearchFilters) -> set[str]:
        """Which of these papers pass the filters (used to filter semantic neighbours)."""
        if not ids:
            return set()
        if not filters.active:
            return set(ids)
        params: dict[str, Any] = {f"id{i}": pid for i, pid in enumerate(ids)}
        where = self.filter_sql(filters, params)
        id_list = ", ".join(f":id{i}" for i in range(len(ids)))
        sql = f"SELECT p.id FROM papers p{self.docs_join} WHERE p.id IN ({id_list}){where}"
        return {row[0] for row in run(conn, sql, params)}

    def browse(self, conn: Connection, filters: SearchFilters, sort: str, limit: int, offset: int) -> list[str]:
        """Paper ids passing the filters, in the given order: search with filters but no words."""
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        where = self.filter_sql(filters, params)
        votes = (
            " LEFT JOIN (SELECT paper_id, COUNT(*) AS n FROM votes GROUP BY paper_id) v ON v.paper_id = p.id"
            if sort == "upvotes"
            else ""
        )
        sql = (
            f"SELECT p.id FROM papers p{self.docs_join}{votes} WHERE 1=1{where} "
            f"ORDER BY {SORTS[sort]} LIMIT :limit OFFSET :offset"
        )
        return [row[0] for row in run(conn, sql, params)]

    def count_filtered(self, conn: Connection, filters: SearchFilters, cap: int) -> int:
        """How many papers pass the filters, counting no further than `cap` (enough to tell narrow from broad)."""
        params: dict[str, Any] = {"cap": cap}
        where = self.filter_sql(filters, params)
        sql = f"SELECT count(*) FROM (SELECT 1 FROM papers p{self.docs_join} WHERE 1=1{where} LIMIT :cap) narrow"
        return int(run(conn, sql, params)[0][0])

    def filtered_ids(self, conn: Connection, filters: SearchFilters, cap: int) -> list[str]:
        """Up to `cap` paper ids passing the filters (exact vector search over a narrow filter)."""
        return self.browse(conn, filters, "newest", cap, 0)
