"""BM25 on both engines: FTS5's bm25() on SQLite, the same formula in SQL over the tsvector on PostgreSQL.

The fixed corpus below has plain words only (no punctuation), so both engines count the same tokens and the same
document lengths, and their scores must agree to float precision, not just their order.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from dailypapers.config import Config
from dailypapers.domain import PaperRecord
from dailypapers.search.backend import search_backend
from dailypapers.search.fuse import DEFAULT_FUSION
from dailypapers.search.query import parse_query
from dailypapers.search.service import SearchRequest, every_word_papers, search_papers
from dailypapers.services.imports import import_papers
from dailypapers.storage import Store, open_store
from dailypapers.storage.fulltext import SearchFilters
from dailypapers.storage.term_stats import clear_cache
from dailypapers.testing.stores import PostgresFactory, SQLiteFactory

ENGINES = os.environ.get("DAILYPAPERS_TEST_ENGINES", "sqlite,postgresql")

CORPUS = [
    ("2501.00001", "Attention attention attention everywhere", "Attention layers in deep networks", ["Ann Lee"]),
    ("2501.00002", "Graph networks", "A hypernetwork generates the weights of a graph network", ["Bo Chen"]),
    ("2501.00003", "Sparse attention for long documents", "Sparse attention kernels read long documents fast", []),
    ("2501.00004", "Attention in vision", "Vision transformers use attention over image patches of any size", []),
    ("2501.00005", "Long context attention", "Attention over long context with memory", ["Ann Lee", "Cy Dunn"]),
    ("2501.00006", "Speech attention", "Attention for speech recognition and long audio streams today", []),
    ("2501.00007", "Sparse kernels", "Sparse matrix kernels on graphics processors for attention", ["Bo Chen"]),
    ("2501.00008", "Attention is cheap", "Linear attention in recurrent form with sparse updates", []),
    ("2501.00011", "Protein folding", "Folding proteins with diffusion models", ["Di Fox"]),
    ("2501.00012", "Robot grasping", "Grasping unknown objects from depth images", []),
    ("2501.00013", "Weather forecasts", "Global weather forecasts from a graph model", ["Ann Lee"]),
    ("2501.00014", "Code generation", "Large models write code and tests for it", []),
    ("2501.00015", "Music transcription", "Transcribing piano recordings into scores", []),
    ("2501.00016", "Tabular data", "Gradient boosted trees still win on tables", ["Eve Gray"]),
    ("2501.00017", "Speech synthesis", "Natural voices from short recordings", []),
    ("2501.00018", "Chess engines", "Search and learned evaluation for chess", []),
]
QUERIES = [
    "attention",
    "attention hypernetwork",
    "sparse attention",
    "long documents",
    "graph network",
    '"sparse attention" kernels',
    "lee attention",
    "sparse attention kernels long documents",  # pairs: "sparse attention", "attention kernels", …
]


def load(store: Store) -> None:
    import_papers(store, [PaperRecord(id=i, title=t, abstract=a, authors=au) for i, t, a, au in CORPUS])


def text_candidates(store: Store, q: str, k: int = 5) -> list[tuple[str, float]]:
    parsed = parse_query(q)
    with store.read() as conn:
        return store.text_index.candidates(conn, parsed.words, parsed.phrases, SearchFilters(), k, pairs=parsed.pairs)


@pytest.fixture
def both_engines(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    """A SQLite and a PostgreSQL store holding the fixed corpus."""
    if "postgresql" not in ENGINES or "sqlite" not in ENGINES:
        pytest.skip("compares the two engines")
    factory: PostgresFactory = request.getfixturevalue("postgres_factory")
    sqlite: SQLiteFactory = request.getfixturevalue("sqlite_factory")
    pg_config = factory.config(tmp_path / "pg")
    stores = (open_store(sqlite.config(tmp_path / "sqlite")), open_store(pg_config))
    for store in stores:
        load(store)
    clear_cache()
    yield stores
    for store in stores:
        store.dispose()
    factory.drop(pg_config)


def test_a_rare_query_word_outweighs_many_occurrences_of_a_common_one(store: Store) -> None:
    load(store)
    clear_cache()
    ranked = [key for key, _ in text_candidates(store, "attention hypernetwork")]
    # 2501.00001 says "attention" four times, but seven of 16 papers have it; only 2501.00002 has "hypernetwork".
    assert ranked[0] == "2501.00002"
    assert ranked[1] == "2501.00001"


def test_words_inside_dotted_and_hyphenated_tokens_are_found_on_both_engines(store: Store, config: Config) -> None:
    abstract = "We scale Qwen2.5-VL with state-of-the-art data; code at github.com/example/repo"
    import_papers(store, [PaperRecord(id="2501.00009", title="Scaling", abstract=abstract, authors=[])])
    for q in ("qwen2", "state art", "github", "repo"):
        found = search_papers(store, config, SearchRequest(q=q, mode="text")).hits
        assert [hit.paper.id for hit in found] == ["2501.00009"], q


def test_both_engines_give_the_same_ranking_and_bm25_scores_on_a_fixed_corpus(
    both_engines: tuple[Store, Store],
) -> None:
    sqlite, postgres = both_engines
    for q in QUERIES:
        a, b = text_candidates(sqlite, q, 8), text_candidates(postgres, q, 8)
        assert [key for key, _ in a] == [key for key, _ in b], q
        assert [score for _, score in b] == pytest.approx([score for _, score in a], rel=1e-5), q


def test_bm25_lengths_count_tokens_so_dotted_and_hyphenated_words_score_the_same_on_both_engines(
    both_engines: tuple[Store, Store],
) -> None:
    """FTS5's document length counts tokens ("Qwen2.5-VL" is three); PostgreSQL's search_length does too (0026)."""
    papers = [
        ("2501.00021", "Qwen2.5-VL at scale", "State-of-the-art video models, code at github.com/a/b", ["Jo-Ann Li"]),
        ("2501.00022", "Video models at scale", "Long video models and their training data", ["Al Bo"]),
    ]
    for store in both_engines:
        import_papers(store, [PaperRecord(id=i, title=t, abstract=a, authors=au) for i, t, a, au in papers])
    clear_cache()
    sqlite, postgres = both_engines
    for q in ("video models", "scale", "models at scale"):
        a, b = text_candidates(sqlite, q, 20), text_candidates(postgres, q, 20)
        assert [key for key, _ in a] == [key for key, _ in b], q
        assert [score for _, score in b] == pytest.approx([score for _, score in a], rel=1e-5), q


def test_the_every_word_tier_holds_exactly_the_papers_with_every_word_on_both_engines(
    both_engines: tuple[Store, Store], tmp_path: Path
) -> None:
    found = []
    for store in both_engines:
        config = Config.from_env({}, DAILYPAPERS_HOME=str(tmp_path / "home"), DATABASE_URL="")
        backend = search_backend(store, config)
        with store.read() as conn:
            tier = every_word_papers(
                backend, conn, parse_query("sparse attention"), SearchFilters(), 100, DEFAULT_FUSION
            )
        found.append(set(tier))
    assert found[0] == found[1] == {"2501.00003", "2501.00007", "2501.00008"}


@pytest.mark.skipif("postgresql" not in ENGINES, reason="migration 0017 changes PostgreSQL only")
def test_migration_0017_rebuilds_the_postgresql_index_and_its_downgrade_restores_the_old_one(
    postgres_store: Store,
) -> None:
    from sqlalchemy import text

    from dailypapers.storage.migrate import current_revision, upgrade
    from helpers.migrations import downgrade

    downgrade(postgres_store, "0016")
    assert current_revision(postgres_store) == "0016"
    abstract = "We scale Qwen2.5-VL to long videos"
    import_papers(postgres_store, [PaperRecord(id="2501.00010", title="Video", abstract=abstract, authors=[])])
    lexemes = "SELECT tsvector_to_array(search_vector) FROM papers"
    columns = "SELECT column_name FROM information_schema.columns WHERE table_name = 'papers'"
    with postgres_store.read() as conn:
        assert "qwen2" not in conn.execute(text(lexemes)).scalar_one()  # the English parser's one "file" token
        assert "search_length" not in set(conn.execute(text(columns)).scalars())
    upgrade(postgres_store, "0024")
    with postgres_store.read() as conn:
        words = set(conn.execute(text(lexemes)).scalar_one())
        length = conn.execute(text("SELECT search_length FROM papers")).scalar_one()
    assert {"qwen2", "5", "vl", "we", "to"} <= words  # FTS5's tokens, stop words kept
    assert length == 1 + 6  # "Video" and the abstract's six words
    upgrade(postgres_store)  # 0026: the length counts tokens, as FTS5 does
    with postgres_store.read() as conn:
        assert conn.execute(text("SELECT search_length FROM papers")).scalar_one() == 1 + 8  # "Qwen2.5-VL": 3
    clear_cache()
    assert [key for key, _ in text_candidates(postgres_store, "qwen2 videos")] == ["2501.00010"]


def test_word_counts_are_exact_below_the_cap_and_equal_on_both_engines(both_engines: tuple[Store, Store]) -> None:
    found = []
    for store in both_engines:
        with store.read() as conn:
            found.append(store.text_index.terms.document_frequencies(conn, ["attention", "sparse", "long context"]))
    assert found[0] == found[1] == {"attention": 7, "sparse": 3, "long context": 1}


@pytest.mark.skipif("postgresql" not in ENGINES, reason="PostgreSQL's ranking query")
def test_postgresql_runs_the_same_ranking_query_once_per_search_and_again_in_the_next(postgres_store: Store) -> None:
    from sqlalchemy import event

    load(postgres_store)
    clear_cache()
    ranked: list[str] = []
    event.listen(postgres_store.engine, "before_cursor_execute", lambda *args: ranked.append(args[2]))
    every = [["sparse"], ["attention"]]
    with postgres_store.read() as conn:  # a hybrid search: the text query's all-words pass, then the every-word tier
        first = postgres_store.text_index.candidates(conn, [], every, SearchFilters(), 100)
        again = postgres_store.text_index.candidates(conn, [], every, SearchFilters(), 100)
    with postgres_store.read() as conn:  # the next search reads the postgres_store again
        later = postgres_store.text_index.candidates(conn, [], every, SearchFilters(), 100)
    assert first == again == later and {key for key, _ in first} == {"2501.00003", "2501.00007", "2501.00008"}
    assert len([sql for sql in ranked if "ts_rank_cd" in sql]) == 2
