"""Full-text search through the search service on both engines, before any embeddings exist (no model loaded)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import delete

from dailypapers.config import Config
from dailypapers.domain import PaperRecord
from dailypapers.ingest.files import LineSource
from dailypapers.ingest.kaggle import read_kaggle
from dailypapers.search.service import SearchError, SearchRequest, search_papers, similar_papers
from dailypapers.services.imports import import_items, import_papers
from dailypapers.storage import Store
from dailypapers.storage.schema import papers


@pytest.fixture
def sample(store: Store, shared: Path) -> Store:
    """The 200 real papers of the Kaggle snapshot sample."""
    import_items(store, read_kaggle(LineSource(shared / "fixtures" / "kaggle-arxiv-metadata-snapshot.sample.jsonl")))
    return store


def ids(store: Store, config: Config, q: str, **kwargs: object) -> list[str]:
    return [hit.paper.id for hit in search_papers(store, config, SearchRequest(q=q, **kwargs)).hits]  # type: ignore[arg-type]


def test_the_paper_whose_title_has_the_words_ranks_first(sample: Store, config: Config) -> None:
    assert ids(sample, config, "prompt diphoton production")[0] == "0704.0001"


def test_results_carry_an_escaped_snippet_with_the_matched_words_marked(sample: Store, config: Config) -> None:
    hit = search_papers(sample, config, SearchRequest(q="diphoton")).hits[0]
    assert "<mark>diphoton</mark>" in hit.snippet.lower()
    assert "<" not in hit.snippet.replace("<mark>", "").replace("</mark>", "")


def test_an_arxiv_id_or_url_goes_straight_to_that_paper(sample: Store, config: Config) -> None:
    for q in ("0704.0001", "arXiv:0704.0001v2", "https://arxiv.org/abs/0704.0001", "https://arxiv.org/pdf/0704.0001v1"):
        results = search_papers(sample, config, SearchRequest(q=q))
        assert results.exact_match and [h.paper.id for h in results.hits] == ["0704.0001"]
    assert not search_papers(sample, config, SearchRequest(q="2401.99999")).exact_match


def test_a_quoted_phrase_must_appear_as_a_phrase(sample: Store, config: Config) -> None:
    loose = ids(sample, config, "production cross")
    phrase = ids(sample, config, '"cross sections"')
    assert "0704.0001" in phrase and set(phrase) <= set(loose) | set(ids(sample, config, "cross sections"))
    assert ids(sample, config, '"sections cross"') == [] or "0704.0001" not in ids(sample, config, '"sections cross"')


def test_author_and_cat_terms_filter_the_results(sample: Store, config: Config) -> None:
    by_author = search_papers(sample, config, SearchRequest(q="author:Nadolsky")).hits
    assert by_author and all(any("Nadolsky" in a for a in h.paper.authors) for h in by_author)
    in_cat = search_papers(sample, config, SearchRequest(q="quantum cat:hep-ph")).hits
    assert in_cat and all("hep-ph" in h.paper.categories for h in in_cat)
    assert ids(sample, config, "quantum", category="hep-ph") == [h.paper.id for h in in_cat]
    archive = search_papers(sample, config, SearchRequest(q="quantum cat:math")).hits
    assert all(any(c.startswith("math") for c in h.paper.categories) for h in archive)


def test_date_filters_keep_only_papers_published_in_the_range(sample: Store, config: Config) -> None:
    everything = search_papers(sample, config, SearchRequest(q="quantum", limit=100)).hits
    day = everything[-1].paper.published_at.date()  # type: ignore[union-attr]
    hits = search_papers(sample, config, SearchRequest(q="quantum", limit=100, date_from=day, date_to=day)).hits
    assert everything[-1].paper.id in [h.paper.id for h in hits]
    assert all(h.paper.published_at and h.paper.published_at.date() == day for h in hits)
    assert len(hits) < len(everything)


def test_sorting_by_newest_orders_the_matches_by_publication_date(sample: Store, config: Config) -> None:
    hits = search_papers(sample, config, SearchRequest(q="field theory", sort="newest", limit=50)).hits
    days = [h.paper.published_at for h in hits]
    assert len(days) > 2 and days == sorted(days, reverse=True)  # type: ignore[type-var]


@pytest.mark.parametrize(
    "q",
    [
        '"',
        '"unbalanced quote',
        "NEAR(a b) AND OR NOT *",
        "title:foo ^bar {abstract}: -x +y",
        "'); DROP TABLE papers; --",
        "a:b:c \\ / % _ $ #",
        "\x00\x01binary\xff\ufffd",
        "to be or not",
        "ñandú Ω∑ 数学",
    ],
)
def test_query_syntax_characters_never_break_a_search(sample: Store, config: Config, q: str) -> None:
    try:
        results = search_papers(sample, config, SearchRequest(q=q))
    except SearchError as exc:  # nothing searchable left: a clear message, not a crash
        assert "nothing to search for" in str(exc)
    else:
        assert all(hit.paper.id for hit in results.hits)
    assert ids(sample, config, "diphoton")  # and the store is intact


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (SearchRequest(q=""), "nothing to search for"),
        (SearchRequest(q="   \x00 "), "nothing to search for"),
        (SearchRequest(q="x" * 10_000), "too long"),
        (SearchRequest(q="x", sort="hottest"), "unknown sort"),
        (SearchRequest(q="x", mode="magic"), "unknown mode"),
        (SearchRequest(q="x", limit=0), "limit"),
        (SearchRequest(q="x", limit=10_000), "limit"),
        (SearchRequest(q="x", offset=-1), "offset"),
        (SearchRequest(q="x", category="cs.CL'; --"), "category"),
        (SearchRequest(q="x cat:%%"), "category"),
        (SearchRequest(q="x", date_from=date(2026, 2, 1), date_to=date(2026, 1, 1)), "after the end"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(
    sample: Store, config: Config, request_: SearchRequest, message: str
) -> None:
    with pytest.raises(SearchError, match=message):
        search_papers(sample, config, request_)


def test_filters_without_words_list_the_matching_papers_newest_first(sample: Store, config: Config) -> None:
    hits = search_papers(sample, config, SearchRequest(q="cat:hep-th", limit=5)).hits
    assert len(hits) == 5 and all("hep-th" in h.paper.categories for h in hits)


def test_the_index_follows_every_change_to_a_paper(store: Store, config: Config) -> None:
    import_papers(
        store, [PaperRecord(id="2401.00001", title="Quokka routing networks", abstract="A b c.", authors=["Ann Lee"])]
    )
    assert ids(store, config, "quokka") == ["2401.00001"]
    import_papers(
        store,
        [
            PaperRecord(
                id="2401.00001", title="Wombat routing networks", abstract="A b c.", authors=["Ann Lee"], version=2
            )
        ],
    )
    assert ids(store, config, "quokka") == []
    assert ids(store, config, "wombat") == ["2401.00001"]
    with store.write() as conn:
        conn.execute(delete(papers).where(papers.c.id == "2401.00001"))
    assert ids(store, config, "wombat") == []


def test_similar_papers_fall_back_to_title_words_without_embeddings(sample: Store, config: Config) -> None:
    similar = similar_papers(sample, config, "0704.0001", limit=3)
    assert similar and all(hit.paper.id != "0704.0001" for hit in similar)
    assert similar_papers(sample, config, "9999.99999") == []


def test_a_common_word_query_matches_on_its_rarest_words_and_keeps_the_full_scores(sample: Store) -> None:
    from dailypapers.storage.fulltext import SearchFilters

    words = ["results", "model", "diphoton"]
    index = sample.text_index
    with sample.read() as conn:
        counts = index.terms.document_frequencies(conn, words)
        assert counts["diphoton"] == 1 < counts["model"] < counts["results"]
        full = dict(index.candidates(conn, words, [], SearchFilters(), 100, row_budget=1_000_000))
        budget = counts["diphoton"]  # room for the rare word's matches only
        pruned = dict(index.candidates(conn, words, [], SearchFilters(), 100, row_budget=budget))
    # Only papers with the rare word are selected, and each keeps the score it has under the plain any-word query.
    assert list(pruned) == ["0704.0001"] and len(full) > counts["results"]
    assert abs(pruned["0704.0001"] - full["0704.0001"]) < 1e-6


def test_a_snippet_marks_other_forms_of_a_query_word_and_only_whole_words() -> None:
    from dailypapers.search.snippet import snippet

    marked = snippet("We model graphs. Models of modelling <b>x</b> remodel nothing.", ["models"])
    assert "<mark>model</mark> graphs. <mark>Models</mark> of modelling" in marked and "remodel nothing" in marked
    assert "&lt;b&gt;" in marked and snippet("", ["models"]) == ""


def test_papers_with_every_word_are_ranked_alone_only_when_there_are_enough_of_them(store: Store) -> None:
    from dailypapers.storage.fulltext import ENOUGH_ALL_WORDS, SearchFilters

    def paper(n: int, title: str) -> PaperRecord:
        return PaperRecord(id=f"2401.{n:05d}", title=title, abstract="An abstract.", authors=["Ann Lee"], version=1)

    both = [paper(n, f"Wombat routing study {n}") for n in range(1, ENOUGH_ALL_WORDS + 6)]
    import_papers(store, [*both, paper(90, "Wombat habits"), paper(91, "Routing tables"), paper(92, "Quokka wombat")])
    with store.read() as conn:
        common = dict(store.text_index.candidates(conn, ["wombat", "routing"], [], SearchFilters(), 100))
        rare = dict(store.text_index.candidates(conn, ["quokka", "wombat"], [], SearchFilters(), 100))
    assert set(common) == {p.id for p in both}
    # One paper has "quokka": too few hold both words, so any word matches and that paper ranks first.
    assert next(iter(rare)) == "2401.00092" and len(rare) == len(both) + 2


def test_word_counts_stop_at_the_cap_and_words_that_common_are_left_out(
    sample: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dailypapers.storage import term_stats
    from dailypapers.storage.fulltext import SearchFilters

    monkeypatch.setattr(term_stats, "COUNT_CAP", 5)
    term_stats.clear_cache()
    index = sample.text_index
    try:
        with sample.read() as conn:
            assert index.terms.document_frequencies(conn, ["results", "diphoton"]) == {"results": 5, "diphoton": 1}
            assert index.terms.selective_words(conn, ["results", "diphoton"], 1) == (["diphoton"], 1)
            # A word at the cap is left out like a stop word, unless every word of the query is that common.
            both = dict(index.candidates(conn, ["results", "diphoton"], [], SearchFilters(), 100))
            alone = dict(index.candidates(conn, ["results"], [], SearchFilters(), 100))
        assert len(alone) > 1
        assert list(both) == ["0704.0001"]
    finally:
        term_stats.clear_cache()  # the capped counts must not outlive the patch


def test_merging_the_full_text_index_keeps_every_result_and_then_stops(
    store: Store, config: Config, shared: Path
) -> None:
    """FTS5's segments on SQLite; on PostgreSQL, the rows each batch appended to the word counts (migration 0027)."""
    from dailypapers.services.indexing import merge_fulltext_index

    sample = shared / "fixtures" / "kaggle-arxiv-metadata-snapshot.sample.jsonl"
    import_items(store, read_kaggle(LineSource(sample)), batch_size=20)  # one index segment per batch
    queries = ["quantum field theory", "diphoton production", "author:Nadolsky", "graph"]
    before = {q: search_papers(store, config, SearchRequest(q=q, mode="text")).hits for q in queries}
    assert merge_fulltext_index(store) >= 1
    assert merge_fulltext_index(store) == 0  # one segment (one row a word) left: nothing more to do
    for q in queries:
        after = search_papers(store, config, SearchRequest(q=q, mode="text")).hits
        assert [(h.paper.id, round(h.score, 9)) for h in after] == [(h.paper.id, round(h.score, 9)) for h in before[q]]
