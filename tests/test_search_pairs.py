"""Adjacent query words ("insulin resistance") rank a paper holding them side by side above one holding them apart,
on both engines, without changing which papers match (storage.fulltext.PAIR_REPEAT)."""

from __future__ import annotations

import os

import pytest

from dailypapers.domain import PaperRecord
from dailypapers.search.query import parse_query
from dailypapers.services.imports import import_papers
from dailypapers.storage import Store
from dailypapers.storage.fulltext import PAIR_REPEAT, SearchFilters
from dailypapers.storage.term_stats import clear_cache

FILLER = [
    ("2502.00101", "Protein folding", "Folding proteins with diffusion models"),
    ("2502.00102", "Robot grasping", "Grasping unknown objects from depth images"),
    ("2502.00103", "Weather forecasts", "Global weather forecasts from a graph model"),
    ("2502.00104", "Code generation", "Large models write code and tests for it"),
    ("2502.00105", "Music transcription", "Transcribing piano recordings into scores"),
    ("2502.00106", "Tabular data", "Gradient boosted trees still win on tables"),
]
# Same words, same lengths: only the order differs, so without pairs BM25 cannot tell them apart.
APART = ("2502.00001", "Liver study", "resistance to drugs and insulin levels in the liver")
TOGETHER = ("2502.00002", "Liver study", "insulin resistance to drugs and levels in the liver")
ONE_WORD = ("2502.00003", "Drug trial", "insulin doses for patients in a small trial today")
# Words apart in a short abstract beat the pair in a longer one on the words alone: only the pair can reorder them.
SHORT_APART = ("2502.00004", "Liver study", "resistance to insulin in the liver")
LONG_TOGETHER = ("2502.00005", "Liver study", "insulin resistance in the liver of older patients on many drugs")


def load(store: Store, papers: list[tuple[str, str, str]]) -> None:
    records = [
        PaperRecord(id=i, title=t, abstract=a, authors=[], categories=["q-bio.QM"]) for i, t, a in [*papers, *FILLER]
    ]
    import_papers(store, records)
    clear_cache()


def candidates(
    store: Store, q: str, with_pairs: bool = True, row_budget: int = 4000, filters: SearchFilters | None = None
) -> list[tuple[str, float]]:
    parsed = parse_query(q)
    pairs = parsed.pairs if with_pairs else []
    with store.read() as conn:
        return store.text_index.candidates(
            conn, parsed.words, parsed.phrases, filters or SearchFilters(), 20, row_budget, pairs
        )


def test_query_pairs_are_adjacent_content_words_without_stopwords_or_numbers() -> None:
    assert parse_query("insulin resistance in the liver").pairs == [["insulin", "resistance"]]
    assert parse_query("type 2 diabetes risk").pairs == [["diabetes", "risk"]]
    assert parse_query("graph networks graph networks").pairs == [["graph", "networks"], ["networks", "graph"]]
    assert parse_query("attention").pairs == []


def test_a_paper_with_the_query_words_side_by_side_ranks_above_one_with_them_apart(store: Store) -> None:
    load(store, [APART, TOGETHER, ONE_WORD])
    without = dict(candidates(store, "insulin resistance", with_pairs=False))
    assert without[APART[0]] == pytest.approx(without[TOGETHER[0]])
    ranked = [key for key, _ in candidates(store, "insulin resistance")]
    assert ranked[:2] == [TOGETHER[0], APART[0]]


def test_pairs_never_change_which_papers_match_even_when_only_the_rarest_words_select(store: Store) -> None:
    load(store, [APART, TOGETHER, ONE_WORD])
    q = "insulin resistance drugs liver trial"
    for budget in (4000, 2):  # 2 rows: only the rarest words select papers, the others only rank
        assert {key for key, _ in candidates(store, q, True, budget)} == {
            key for key, _ in candidates(store, q, False, budget)
        }, budget


def test_a_score_with_pairs_is_the_same_whichever_words_select_the_papers(store: Store) -> None:
    """FTS5 ranks words that do not select inside NOT branches (and would miscount a pair there, which is one reason
    the pairs are scored in a query of their own): each score must stay the plain sum of BM25 over the words
    (twice) and the pairs (once), however the query was planned."""
    load(store, [APART, TOGETHER, ONE_WORD])
    q = "insulin resistance liver trial"
    full = dict(candidates(store, q, True, 4000))  # every word selects
    pruned = dict(candidates(store, q, True, 5))  # "trial", "liver", "resistance" select; "insulin" only ranks
    assert set(pruned) == set(full) and full[TOGETHER[0]] > full[APART[0]]
    for key, score in pruned.items():
        assert score == pytest.approx(full[key], rel=1e-9), key


def test_a_score_with_pairs_is_the_same_when_the_budget_ranks_only_the_newest_matches(store: Store) -> None:
    """With even the rarest word in more papers than the row budget, only the newest matches are ranked; each must
    score as when every match is (a pair's count, its idf, is over every paper, not over the rows ranked)."""
    load(store, [APART, TOGETHER, ONE_WORD, SHORT_APART, LONG_TOGETHER])
    full = dict(candidates(store, "insulin resistance", True, 4000))
    newest = dict(candidates(store, "insulin resistance", True, 2))  # "resistance" selects: in 4 papers, over 2
    assert newest and set(newest) < set(full)
    for key, score in newest.items():
        assert score == pytest.approx(full[key], rel=1e-9), key


def test_a_pair_puts_a_paper_above_one_that_matches_the_words_alone_better(store: Store) -> None:
    load(store, [SHORT_APART, LONG_TOGETHER, ONE_WORD])
    without = [key for key, _ in candidates(store, "insulin resistance", with_pairs=False)]
    assert without[:2] == [SHORT_APART[0], LONG_TOGETHER[0]]
    for filters in (None, SearchFilters(categories=["q-bio"])):  # ranked inside the index, and joined to filters
        ranked = [key for key, _ in candidates(store, "insulin resistance", filters=filters)]
        assert ranked[:2] == [LONG_TOGETHER[0], SHORT_APART[0]], filters


def test_a_score_with_pairs_is_the_words_bm25_counted_pair_repeat_times_plus_the_pairs_bm25(store: Store) -> None:
    """The pairs are scored apart from the words on SQLite (storage.fts5.Ranking): the sum must be what one BM25
    over the words PAIR_REPEAT times and the pairs once gives, the contract of PAIR_REPEAT on both engines."""
    load(store, [APART, TOGETHER, ONE_WORD, SHORT_APART, LONG_TOGETHER])
    none = SearchFilters()
    for q in ("insulin resistance", "insulin resistance drugs liver"):
        for filters in (None, SearchFilters(categories=["q-bio"])):
            words = dict(candidates(store, q, with_pairs=False, filters=filters))
            with store.read() as conn:  # the pair alone, as a phrase every paper must hold
                pair = dict(store.text_index.candidates(conn, [], [["insulin", "resistance"]], filters or none, 20))
            both = dict(candidates(store, q, filters=filters))
            assert set(both) == set(words) and set(pair) < set(words)
            for key, score in both.items():
                assert score == pytest.approx(PAIR_REPEAT * words[key] + pair.get(key, 0.0), rel=1e-9), (q, key)


# The title ends with "insulin" and the abstract starts with "resistance": side by side in the text, not in one field.
ACROSS = ("2502.00004", "Liver insulin", "resistance to drugs and levels in the liver")
NEITHER = ("2502.00005", "Liver insulin", "to drugs resistance and levels in the liver")


def test_a_pair_split_between_title_and_abstract_is_not_side_by_side_on_either_engine(store: Store) -> None:
    """FTS5 keeps columns apart; PostgreSQL's tsvector leaves a position between its fields (migration 0026)."""
    load(store, [ACROSS, NEITHER, TOGETHER])
    scores = dict(candidates(store, "insulin resistance"))
    assert scores[ACROSS[0]] == pytest.approx(scores[NEITHER[0]], rel=1e-9)
    assert scores[TOGETHER[0]] > scores[ACROSS[0]]


def test_a_quoted_phrase_never_matches_across_title_abstract_or_authors(store: Store) -> None:
    papers = [PaperRecord(id=i, title=t, abstract=a, authors=["Resistance Smith"]) for i, t, a in (ACROSS, TOGETHER)]
    papers.append(PaperRecord(id="2502.00006", title="Liver", abstract="levels of insulin", authors=["Resistance Li"]))
    import_papers(store, papers)
    clear_cache()
    with store.read() as conn:
        found = store.text_index.candidates(conn, [], [["insulin", "resistance"]], SearchFilters(), 20)
        by_author = store.text_index.candidates(conn, [], [["liver", "resistance"]], SearchFilters(), 20)
    assert [key for key, _ in found] == [TOGETHER[0]]
    assert by_author == []  # "…in the liver" then the author "Resistance Smith": two fields


@pytest.mark.skipif(
    "postgresql" not in os.environ.get("DAILYPAPERS_TEST_ENGINES", "sqlite,postgresql"), reason="PostgreSQL's tsvector"
)
def test_migration_0026_rebuilds_stored_vectors_so_a_phrase_no_longer_spans_title_and_abstract(
    postgres_store: Store,
) -> None:
    from sqlalchemy import text

    from dailypapers.storage.migrate import current_revision, head_revision, upgrade
    from helpers.migrations import downgrade

    def spans() -> bool:
        with postgres_store.read() as conn:
            sql = "SELECT search_vector @@ phraseto_tsquery('dailypapers', 'insulin resistance') FROM papers"
            return bool(conn.execute(text(sql)).scalar_one())

    import_papers(postgres_store, [PaperRecord(id=ACROSS[0], title=ACROSS[1], abstract=ACROSS[2], authors=[])])
    downgrade(postgres_store, "0024")
    assert spans()  # 0017's vector: the abstract's first word right after the title's last
    upgrade(postgres_store)
    assert current_revision(postgres_store) == head_revision() and not spans()
