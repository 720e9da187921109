"""The one search entry point: pages, the HF-compatible API, RSS and the CLI all call `search_papers`.

Flow: parse the query (arXiv id → that paper), gather lexical candidates (FTS5 / tsvector) and semantic candidates
(usearch / pgvector), fuse them (search.fuse), order, page, and cut snippets. Without embeddings it is text-only.

One search holds ONE connection from start to end: every read below goes through it (none opens another), and
the work beside the text query (embedding the query) needs none. So N concurrent searches need N connections,
which the server's pool provides (storage/db.py pool_options), instead of two or three each.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Connection

from dailypapers.config import Config
from dailypapers.domain import InvalidDay, checked_day
from dailypapers.search.backend import SearchBackend, search_backend
from dailypapers.search.fuse import DEFAULT_FUSION, Fusion, above_floor, fuse
from dailypapers.search.query import ParsedQuery, QueryError, parse_query
from dailypapers.search.semantic import query_vector, similar_by_vector
from dailypapers.search.snippet import match_strength, snippet
from dailypapers.storage import Store
from dailypapers.storage.fulltext import SearchFilters
from dailypapers.storage.papers import StoredPaper, paper_by_id, papers_by_ids, searchable_text
from dailypapers.storage.similar import stored_similar

SORTS = ("relevance", "newest", "upvotes")
MODES = ("hybrid", "text", "semantic")
MAX_LIMIT = 100
MAX_OFFSET = 1000
POOL = 100  # candidates taken from each side before fusing
_SIDES = ThreadPoolExecutor(max_workers=4, thread_name_prefix="search-semantic")
_CATEGORY = re.compile(r"^[a-z][a-z\-]*(?:\.[A-Za-z][A-Za-z\-]*)?$")


@dataclass
class SearchRequest:
    q: str
    limit: int = 20
    offset: int = 0
    date_from: date | None = None
    date_to: date | None = None
    category: str | None = None
    author: str | None = None
    sort: str = "relevance"  # relevance | newest | upvotes
    mode: str = "hybrid"  # hybrid | text | semantic
    has_code: bool = False  # only papers with a code repository (also `has:code` in the query)
    snippets: bool = True  # false: hits carry no snippet (the JSON API shows none, so none is cut)


@dataclass
class SearchHit:
    paper: StoredPaper
    score: float
    snippet: str  # HTML-escaped excerpt with matched terms wrapped in <mark>…</mark> ("" when not asked for)


@dataclass
class SearchResults:
    hits: list[SearchHit]
    request: SearchRequest
    exact_match: bool = False  # the query was an arXiv id / URL that resolved to a paper
    semantic: bool = False  # the semantic side took part (false until `dailypapers index` has run)
    words: list[str] = field(default_factory=list)  # the query words used for highlighting
    total: int = 0  # papers that passed the relevance floor, across pages (at most the candidate pool)


class SearchError(ValueError):
    """Bad input; the message is safe to show users (HTTP 400 / CLI exit 2)."""


def _filters(request: SearchRequest, parsed: ParsedQuery) -> SearchFilters:
    if request.sort not in SORTS:
        raise SearchError(f"unknown sort {request.sort!r}: use one of {', '.join(SORTS)}")
    if request.mode not in MODES:
        raise SearchError(f"unknown mode {request.mode!r}: use one of {', '.join(MODES)}")
    if not 1 <= request.limit <= MAX_LIMIT:
        raise SearchError(f"limit must be between 1 and {MAX_LIMIT}")
    if not 0 <= request.offset <= MAX_OFFSET:
        raise SearchError(f"offset must be between 0 and {MAX_OFFSET}")
    for day in (request.date_from, request.date_to):
        if day is not None:
            try:
                checked_day(day)
            except InvalidDay as exc:
                raise SearchError(str(exc)) from None
    if request.date_from and request.date_to and request.date_from > request.date_to:
        raise SearchError("The start date is after the end date: swap them.")
    categories = list(parsed.categories)
    for cat in (request.category or "").split(","):
        if cat.strip():
            if not _CATEGORY.match(cat.strip()):
                raise SearchError(f"“{cat.strip()[:40]}” is not an arXiv category: use one like cs.CL.")
            categories.append(cat.strip())
    authors = [*parsed.authors, *([request.author.strip()] if request.author and request.author.strip() else [])]
    if any(len(a) > 200 for a in authors):
        raise SearchError("That author name is too long: please shorten it.")
    return SearchFilters(
        request.date_from, request.date_to, categories, authors, has_code=request.has_code or parsed.has_code
    )


def search_papers(
    store: Store, config: Config, request: SearchRequest, fusion: Fusion = DEFAULT_FUSION
) -> SearchResults:
    try:
        parsed = parse_query(request.q or "")
    except QueryError as exc:
        raise SearchError(str(exc)) from exc
    filters = _filters(request, parsed)
    if not parsed.arxiv_id and not parsed.has_text and not filters.active:
        raise SearchError("There is nothing to search for: type some words, an arXiv id, author:NAME or cat:CATEGORY.")
    backend = search_backend(store, config)
    with store.read() as conn:  # the one connection of this search
        return _search(backend, conn, config, request, parsed, filters, fusion)


def _search(
    backend: SearchBackend,
    conn: Connection,
    config: Config,
    request: SearchRequest,
    parsed: ParsedQuery,
    filters: SearchFilters,
    fusion: Fusion,
) -> SearchResults:
    if parsed.arxiv_id:
        paper = paper_by_id(conn, parsed.arxiv_id)
        excerpt = snippet(paper.abstract, []) if paper and request.snippets else ""
        hits = [SearchHit(paper, 1.0, excerpt)] if paper and request.offset == 0 else []
        return SearchResults(hits, request, exact_match=paper is not None, total=1 if paper else 0)
    if not parsed.has_text:
        ids = backend.text.browse(conn, filters, request.sort, request.limit, request.offset)
        results = _hits(conn, ids, {}, request, parsed, semantic=False)
        results.total = request.offset + len(results.hits)  # a listing: not counted beyond this page
        return results

    pool = max(POOL, request.offset + request.limit)
    semantic_on = request.mode != "text" and bool(parsed.text.strip()) and backend.vectors.available(conn)
    # Embedding the query runs beside the full-text query (both release the GIL) and needs no connection.
    pending = _SIDES.submit(query_vector, config, parsed.text) if semantic_on else None
    text = dict(backend.text.candidates(conn, parsed.words, parsed.phrases, filters, pool, pairs=parsed.pairs))
    vector = pending.result() if pending is not None else None
    if vector is None:  # text mode, or no embeddings yet: text only
        ranked = sorted(text.items(), key=lambda item: (-item[1], item[0]))
        return _ordered(conn, ranked, request, parsed, semantic=False)
    semantic = backend.vectors.nearest(conn, vector, filters, pool)
    if request.mode == "semantic":
        ranked = sorted(above_floor(semantic, fusion).items(), key=lambda item: (-item[1], item[0]))
        return _ordered(conn, ranked, request, parsed, semantic=True)
    if parsed.phrases:
        semantic = {}  # a quoted phrase is a requirement: only lexical matches qualify
    every = every_word_papers(backend, conn, parsed, filters, pool, fusion) if text else {}
    for key, score in every.items():
        text.setdefault(key, score)
    missing = [key for key in text if key not in semantic]
    semantic.update(backend.vectors.scores(conn, vector, missing))
    strength = 0.0
    if text:
        best = searchable_text(conn, max(text, key=lambda key: text[key]))
        strength = match_strength(parsed.words, best) if best else 0.0
    return _ordered(conn, fuse(text, semantic, strength, fusion, set(every)), request, parsed, semantic=True)


def every_word_papers(
    backend: SearchBackend, conn: Connection, parsed: ParsedQuery, filters: SearchFilters, pool: int, fusion: Fusion
) -> dict[str, float]:
    """Papers holding every word of a short query (the fusion's first tier), from a second, all-words text query.

    Words the text index leaves out as too common do not count; a word no paper holds (its count is cached) makes
    the tier empty without a query."""
    if not fusion.every_word_first or not 2 <= len(parsed.words) <= fusion.every_word_max:
        return {}
    words = backend.text.terms.uncommon_words(conn, parsed.words)
    if len(words) < 2 or min(backend.text.terms.document_frequencies(conn, words).values()) == 0:
        return {}
    required = [*parsed.phrases, *([word] for word in words)]
    return dict(backend.text.candidates(conn, [], required, filters, pool))


def _ordered(
    conn: Connection, ranked: list[tuple[str, float]], request: SearchRequest, parsed: ParsedQuery, semantic: bool
) -> SearchResults:
    scores = dict(ranked)
    ids = [key for key, _ in ranked]
    if request.sort != "relevance":
        # Re-order the most relevant candidates (the pool), not every paper containing one of the words.
        papers = papers_by_ids(conn, ids)
        ids = [key for key in ids if key in papers]

        def order(key: str) -> tuple[float, float]:
            paper = papers[key]
            if request.sort == "newest":
                return (paper.published_at.timestamp() if paper.published_at else 0.0, scores[key])
            return (float(paper.upvotes), scores[key])

        ids.sort(key=order, reverse=True)
    results = _hits(conn, ids[request.offset : request.offset + request.limit], scores, request, parsed, semantic)
    results.total = len(ids)
    return results


def _hits(
    conn: Connection,
    ids: list[str],
    scores: dict[str, float],
    request: SearchRequest,
    parsed: ParsedQuery,
    semantic: bool,
) -> SearchResults:
    papers = papers_by_ids(conn, ids)
    words = parsed.highlight_words()
    hits = [
        SearchHit(papers[key], scores.get(key, 0.0), snippet(papers[key].abstract, words) if request.snippets else "")
        for key in ids
        if key in papers
    ]
    return SearchResults(hits, request, semantic=semantic, words=words)


def similar_papers(store: Store, config: Config, paper_id: str, limit: int = 6) -> list[SearchHit]:
    """Nearest neighbours of a paper (never itself): the list `dailypapers index` stored (services.similar), else
    computed now from its vector, else by title words when there are no embeddings yet."""
    backend = search_backend(store, config)
    with store.read() as conn:
        ranked = stored_similar(conn, backend.vectors.model, paper_id, limit)
        if len(ranked) < limit:  # none stored (not indexed since), or cut short by deleted papers
            paper = paper_by_id(conn, paper_id)
            if paper is None:
                return []
            live = similar_by_vector(backend.vectors, conn, paper, limit + 1)
            if live is None:
                parsed = parse_query(re.sub(r"[\"']", " ", paper.title)[:400])
                live = backend.text.candidates(conn, parsed.words, [], SearchFilters(), limit + 1)
            ranked = live
        ids = [key for key, _ in ranked if key != paper_id][:limit]
        papers = papers_by_ids(conn, ids)
    scores = dict(ranked)
    return [SearchHit(papers[key], scores[key], snippet(papers[key].abstract, [])) for key in ids if key in papers]
