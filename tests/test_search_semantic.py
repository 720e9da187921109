"""Embeddings, the vector index and hybrid ranking on both engines, with the real model on a dozen real papers.

The model loads once per test process (search.embed caches it); each test embeds only a few papers.
"""

from __future__ import annotations

import pytest
from sqlalchemy import delete

from dailypapers.config import Config
from dailypapers.domain import PaperRecord
from dailypapers.search.backend import search_backend
from dailypapers.search.fuse import DEFAULT_FUSION
from dailypapers.search.query import parse_query
from dailypapers.search.service import SearchRequest, every_word_papers, search_papers, similar_papers
from dailypapers.search.vectors import vector_file
from dailypapers.services.imports import import_papers
from dailypapers.services.indexing import index_papers
from dailypapers.storage import Store
from dailypapers.storage.fulltext import SearchFilters
from dailypapers.storage.papers import paper_by_id
from dailypapers.storage.schema import papers
from helpers.ingest import FEW_PAPERS
from helpers.site import client_for

PAPERS = FEW_PAPERS


def test_indexing_embeds_only_new_or_changed_text_and_search_then_goes_hybrid(few: Store, config: Config) -> None:
    assert search_papers(few, config, SearchRequest(q="photon pairs")).semantic is False
    first = index_papers(few, config, batch=5)
    assert (first.checked, first.embedded) == (PAPERS, PAPERS)
    assert index_papers(few, config).checked == 0
    with few.read() as conn:
        paper = paper_by_id(conn, "0704.0001")
    assert paper is not None
    record = PaperRecord(
        id=paper.id,
        title=paper.title,
        abstract=paper.abstract,
        authors=paper.authors,
        categories=paper.categories,
        version=paper.version,
        published_at=paper.published_at,
        upvotes=7,
    )
    import_papers(few, [record])  # metadata changed, text did not: checked, not embedded again
    again = index_papers(few, config)
    assert (again.checked, again.embedded) == (1, 0)
    record.title = "Photon pair production at hadron colliders"
    record.version += 1  # a new version replaces the text
    import_papers(few, [record])
    assert index_papers(few, config).embedded == 1
    if few.is_sqlite:
        assert vector_file(config, "all-MiniLM-L6-v2").exists()

    results = search_papers(few, config, SearchRequest(q="two photons produced together in proton collisions"))
    assert results.semantic and results.hits[0].paper.id == "0704.0001"
    semantic = search_papers(few, config, SearchRequest(q="collisions making pairs of light quanta", mode="semantic"))
    assert "0704.0001" in [h.paper.id for h in semantic.hits[:3]]
    category = paper.categories[0]
    filtered = search_papers(few, config, SearchRequest(q="diphoton production at colliders", category=category))
    assert filtered.hits and all(category in h.paper.categories for h in filtered.hits)


def test_similar_papers_are_nearest_neighbours_other_than_the_paper(few: Store, config: Config) -> None:
    index_papers(few, config)
    similar = similar_papers(few, config, "0704.0001", limit=4)
    assert len(similar) == 4 and "0704.0001" not in [h.paper.id for h in similar]
    assert [h.score for h in similar] == sorted((h.score for h in similar), reverse=True)


def test_an_interrupted_index_run_resumes_and_deleted_papers_leave_the_index(few: Store, config: Config) -> None:
    calls = []

    def stop_after_first_batch(done: int, total: int) -> None:
        calls.append(done)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        index_papers(few, config, progress=stop_after_first_batch, batch=4)
    rest = index_papers(few, config, batch=4)
    assert (calls, rest.embedded) == ([4], PAPERS - 4)
    with few.write() as conn:
        conn.execute(delete(papers).where(papers.c.id == "0704.0002"))
    after = index_papers(few, config)
    if few.is_sqlite:
        assert (after.vectors_removed, after.index_size) == (1, PAPERS - 1)
    hits = search_papers(few, config, SearchRequest(q="sparsity certifying graph decompositions", limit=50)).hits
    assert "0704.0002" not in [h.paper.id for h in hits]


def test_a_filter_the_global_neighbours_miss_is_searched_exactly_when_narrow_and_wider_when_broad(
    few: Store, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dailypapers.search import vector_index
    from dailypapers.search.backend import search_backend
    from dailypapers.search.embed import get_embedder
    from dailypapers.storage.fulltext import SearchFilters

    index_papers(few, config)
    vector = get_embedder(config).encode(["random graphs and their colourings"])[0]
    filters = SearchFilters(categories=["math"])  # fewer papers pass than the 10 asked for: a fallback runs
    backend = search_backend(few, config)
    with few.read() as conn:
        exact = backend.vectors.nearest(conn, vector, filters, 10)
        monkeypatch.setattr(vector_index, "EXACT_CAP", 0)  # every filter now counts as broad
        wider = backend.vectors.nearest(conn, vector, filters, 10)
        passing = backend.text.ids_matching_filters(conn, list(exact), filters)
    assert exact and set(exact) == passing == set(wider)
    assert exact == pytest.approx(wider, abs=5e-3)  # the usearch file holds float16 vectors (PostgreSQL: float32)


def test_a_nonsense_query_finds_nothing_while_real_queries_still_do(few: Store, config: Config) -> None:
    index_papers(few, config)
    for mode in ("hybrid", "semantic", "text"):
        nothing = search_papers(few, config, SearchRequest(q="zzqxvbnm flurbo", mode=mode))
        assert (nothing.hits, nothing.total) == ([], 0), mode
    found = search_papers(few, config, SearchRequest(q="two photons produced together in proton collisions", limit=2))
    assert found.semantic and found.hits[0].paper.id == "0704.0001"
    assert found.total >= len(found.hits) == 2
    client = client_for(config, few)
    assert client.get("/api/papers/search", params={"q": "zzqxvbnm flurbo"}).json() == []
    page = client.get("/papers", params={"q": "zzqxvbnm flurbo"})
    assert page.status_code == 200 and "well enough to show" in page.text
    feed = client.get("/papers.rss", params={"q": "zzqxvbnm flurbo"})
    assert feed.status_code == 200 and "<item>" not in feed.text


def test_the_every_word_tier_holds_exactly_the_papers_with_every_word(few: Store, config: Config) -> None:
    backend = search_backend(few, config)
    with few.read() as conn:

        def every(q: str) -> set[str]:
            return set(every_word_papers(backend, conn, parse_query(q), SearchFilters(), 100, DEFAULT_FUSION))

        assert every("pairs wave function") == {"0704.0006"}  # Cooper pairs; 0704.0001 has photon pairs only
        assert every("photon pairs") == {"0704.0001"}
        assert every("pairs zzqxvbnm") == set()  # a word no paper holds
        assert every("pairs") == set()  # one word: no tier
    index_papers(few, config)
    assert search_papers(few, config, SearchRequest(q="pairs wave function")).hits[0].paper.id == "0704.0006"
