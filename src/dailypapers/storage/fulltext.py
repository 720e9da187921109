"""Full-text SQL: FTS5 (BM25) on SQLite, tsvector + GIN on PostgreSQL, and the filters both search paths share.

Callers hand in plain words (letters and digits only, see search.query); this module alone writes them into FTS5
or tsquery syntax, always quoted, so user input can never change a query's structure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, text

from dailypapers.storage.schema import UTCDateTime
from dailypapers.storage.term_stats import document_frequencies, selective_words, uncommon_words

_WORD = re.compile(r"\w+", re.UNICODE)

# BM25 column weights (title, abstract, authors): a title hit counts most, an author-name hit least.
BM25_WEIGHTS = (2.0, 1.0, 0.5)
# When at least this many papers contain every query word, rank only those (see text_candidates).
ENOUGH_ALL_WORDS = 20
# About how many rows an any-word query may score (see storage.term_stats); ~10 ms of BM25 on SQLite.
ROW_BUDGET = 4000
# Pages written per step when merging the FTS5 index (see merge_fulltext_step): under half a second each.
MERGE_PAGES = 1000


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


def _quoted(words: Sequence[str]) -> str:
    return '"' + " ".join(w.replace('"', "") for w in words) + '"'


def fts5_match(words: Sequence[str], phrases: Sequence[Sequence[str]]) -> str:
    """`("w1" OR "w2") AND "p1 p2"`: any word ranks a paper, every quoted phrase is required."""
    parts = []
    if words:
        parts.append("(" + " OR ".join(_quoted([w]) for w in words) + ")")
    parts.extend(_quoted(p) for p in phrases)
    return " AND ".join(parts)


def _filter_sql(conn: Connection, filters: SearchFilters, params: dict[str, Any]) -> str:
    """SQL conditions on `p` (papers) and, on SQLite, `d` (search_docs); values go into `params`."""
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
    for i, words in enumerate(_author_words(filters.authors)):
        if conn.dialect.name == "sqlite":
            params[f"author{i}"] = "authors : " + _quoted(words)
            sql.append(f"d.doc_id IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH :author{i})")
        else:
            params[f"author{i}"] = " <-> ".join(f"{w}:C" for w in words)
            sql.append(f"p.search_vector @@ to_tsquery('simple', :author{i})")
    return "".join(f" AND ({s})" for s in sql)


def _author_words(authors: Sequence[str]) -> list[list[str]]:
    return [w for w in ([x.lower() for x in _WORD.findall(a)] for a in authors) if w]


def _run(conn: Connection, sql: str, params: dict[str, Any]) -> list[Any]:
    stmt = text(sql)
    for name in ("date_from", "date_to"):
        if name in params:
            stmt = stmt.bindparams(bindparam(name, type_=UTCDateTime()))
    return list(conn.execute(stmt, params))


def text_candidates(
    conn: Connection,
    words: Sequence[str],
    phrases: Sequence[Sequence[str]],
    filters: SearchFilters,
    k: int,
    row_budget: int = ROW_BUDGET,
) -> list[tuple[str, float]]:
    """Best `k` papers for the words (any) and phrases (all), as (paper id, score), best first; higher is better.

    Papers with every word come first when there are enough of them; otherwise any word matches, but only the
    rarest words that fit `row_budget` rows select papers (see storage.term_stats) and every word ranks them.
    On SQLite, words in COUNT_CAP papers or more are left out, as stop words are, unless every word is that common."""
    if not words and not phrases:
        return []
    params: dict[str, Any] = {"k": k}
    where = _filter_sql(conn, filters, params)
    sqlite = conn.dialect.name == "sqlite"
    if sqlite and words:
        # FTS5's BM25 reads the whole posting list of every word it ranks by: see term_stats.COUNT_CAP.
        words = uncommon_words(conn, words)
    if len(words) > 1 and _enough_with_every_word(conn, words, phrases):
        every = [*phrases, *([w] for w in words)]
        if sqlite:
            both = _fts5(conn, fts5_match([], every), where, dict(params), None)
        else:
            both = _tsquery(conn, [], every, [], where, dict(params), row_budget)
        if len(both) >= ENOUGH_ALL_WORDS:
            return both
    selective, rows = selective_words(conn, words, row_budget) if words else ([], 0)
    if not sqlite:
        return _tsquery(conn, selective, phrases, words, where, params, row_budget)
    match = fts5_match(selective, phrases)
    others = [w for w in words if w not in selective]
    if others:
        # Matches exactly the papers with a selective word, and BM25 still sees every word: FTS5 counts a phrase only
        # in the branch that matched, so each word is counted once and the scores equal those of the plain OR.
        rest = fts5_match(others, [])
        match = f"(({match}) NOT {rest}) OR (({match}) AND {rest})"
    newest = None
    if rows > row_budget:  # even the rarest word is common: rank its most recently indexed matches only
        newest = _newest_rowid_cut(conn, fts5_match(selective, phrases), row_budget)
    return _fts5(conn, match, where, params, newest)


def _enough_with_every_word(conn: Connection, words: Sequence[str], phrases: Sequence[Sequence[str]]) -> bool:
    """Whether ENOUGH_ALL_WORDS papers may hold every word, checked before paying for BM25 over them.

    BM25 first counts every paper holding each word, so ranking an all-words match costs milliseconds even when
    it finds nothing. The rarest word's count bounds the answer for free (cached); on SQLite a count that stops at
    ENOUGH_ALL_WORDS settles the rest (PostgreSQL's planner already starts from the rarest word)."""
    if min(document_frequencies(conn, words).values()) < ENOUGH_ALL_WORDS:
        return False
    if conn.dialect.name != "sqlite":
        return True
    sql = "SELECT count(*) FROM (SELECT rowid FROM papers_fts WHERE papers_fts MATCH :match LIMIT :enough)"
    match = fts5_match([], [*phrases, *([w] for w in words)])
    return int(conn.execute(text(sql), {"match": match, "enough": ENOUGH_ALL_WORDS}).scalar_one()) >= ENOUGH_ALL_WORDS


def _newest_rowid_cut(conn: Connection, match: str, row_budget: int) -> int | None:
    sql = "SELECT rowid FROM papers_fts WHERE papers_fts MATCH :match ORDER BY rowid DESC LIMIT 1 OFFSET :n"
    return conn.execute(text(sql), {"match": match, "n": row_budget}).scalar()


def _tsquery(
    conn: Connection,
    any_words: Sequence[str],
    phrases: Sequence[Sequence[str]],
    rank_words: Sequence[str],
    where: str,
    params: dict[str, Any],
    row_budget: int,
) -> list[tuple[str, float]]:
    """PostgreSQL: papers with any of `any_words` and every phrase, ranked by `rank_words` and the phrases.

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
    return [(row[0], float(row[1])) for row in _run(conn, sql, params)]


def _fts5(
    conn: Connection, match: str, where: str, params: dict[str, Any], newest: int | None
) -> list[tuple[str, float]]:
    params["match"] = match
    cut = ""
    if newest is not None:
        params["newest"] = newest
        cut = " AND papers_fts.rowid >= :newest"
    bm25 = "bm25(papers_fts, {}, {}, {})".format(*BM25_WEIGHTS)
    if where:
        sql = (
            f"SELECT d.paper_id, -{bm25} AS score FROM papers_fts "
            "JOIN search_docs d ON d.doc_id = papers_fts.rowid JOIN papers p ON p.id = d.paper_id "
            f"WHERE papers_fts MATCH :match{cut}{where} ORDER BY {bm25} LIMIT :k"
        )
    else:  # rank inside the FTS index first; join only the top k (not every match) to the tables
        sql = (
            f"SELECT d.paper_id, -top.rank AS score FROM (SELECT rowid, {bm25} AS rank FROM papers_fts "
            f"WHERE papers_fts MATCH :match{cut} ORDER BY rank LIMIT :k) top "
            "JOIN search_docs d ON d.doc_id = top.rowid ORDER BY top.rank"
        )
    return [(row[0], float(row[1])) for row in _run(conn, sql, params)]


def ids_matching_filters(conn: Connection, ids: Sequence[str], filters: SearchFilters) -> set[str]:
    """Which of these papers pass the filters (used to filter semantic neighbours)."""
    if not ids:
        return set()
    if not filters.active:
        return set(ids)
    params: dict[str, Any] = {f"id{i}": pid for i, pid in enumerate(ids)}
    where = _filter_sql(conn, filters, params)
    id_list = ", ".join(f":id{i}" for i in range(len(ids)))
    join = " JOIN search_docs d ON d.paper_id = p.id" if conn.dialect.name == "sqlite" else ""
    sql = f"SELECT p.id FROM papers p{join} WHERE p.id IN ({id_list}){where}"
    return {row[0] for row in _run(conn, sql, params)}


SORTS = {
    "newest": "p.published_at DESC, p.id DESC",
    "relevance": "p.published_at DESC, p.id DESC",
    "upvotes": "(p.imported_upvotes + COALESCE(v.n, 0)) DESC, p.published_at DESC, p.id DESC",
}


def browse(conn: Connection, filters: SearchFilters, sort: str, limit: int, offset: int) -> list[str]:
    """Paper ids passing the filters, in the given order: search with filters but no words."""
    params: dict[str, Any] = {"limit": limit, "offset": offset}
    where = _filter_sql(conn, filters, params)
    join = " JOIN search_docs d ON d.paper_id = p.id" if conn.dialect.name == "sqlite" else ""
    votes = (
        " LEFT JOIN (SELECT paper_id, COUNT(*) AS n FROM votes GROUP BY paper_id) v ON v.paper_id = p.id"
        if sort == "upvotes"
        else ""
    )
    sql = f"SELECT p.id FROM papers p{join}{votes} WHERE 1=1{where} ORDER BY {SORTS[sort]} LIMIT :limit OFFSET :offset"
    return [row[0] for row in _run(conn, sql, params)]


def count_filtered(conn: Connection, filters: SearchFilters, cap: int) -> int:
    """How many papers pass the filters, counting no further than `cap` (enough to tell narrow from broad)."""
    params: dict[str, Any] = {"cap": cap}
    where = _filter_sql(conn, filters, params)
    join = " JOIN search_docs d ON d.paper_id = p.id" if conn.dialect.name == "sqlite" else ""
    sql = f"SELECT count(*) FROM (SELECT 1 FROM papers p{join} WHERE 1=1{where} LIMIT :cap) narrow"
    return int(_run(conn, sql, params)[0][0])


def filtered_ids(conn: Connection, filters: SearchFilters, cap: int) -> list[str]:
    """Up to `cap` paper ids passing the filters (exact vector search over a narrow filter)."""
    return browse(conn, filters, "newest", cap, 0)


def merge_fulltext_step(conn: Connection, pages: int = MERGE_PAGES) -> bool:
    """SQLite: merge the FTS5 index a step further towards one segment (about `pages` pages); False when it is one.

    Imports write the index in many small segments, and every query reads each word's postings from all of them:
    merged, counting and ranking read one run instead (text-side p95 38 ms → 29 ms on 80k papers). Done in steps,
    each its own short write transaction, so voters and imports never wait long."""
    before = conn.execute(text("SELECT total_changes()")).scalar_one()
    conn.execute(text("INSERT INTO papers_fts(papers_fts, rank) VALUES ('merge', :pages)"), {"pages": -abs(pages)})
    return int(conn.execute(text("SELECT total_changes()")).scalar_one()) - int(before) >= 2
