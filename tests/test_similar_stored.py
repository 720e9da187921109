"""Similar papers stored at index time (services/similar.py): computed by `dailypapers index`, read by the paper
page, refreshed when papers are added, re-embedded or deleted. Real model, real papers, both engines."""

from __future__ import annotations

import itertools
from pathlib import Path

from sqlalchemy import delete, update

from dailypapers.config import Config
from dailypapers.domain import PaperRecord
from dailypapers.ingest.files import LineSource
from dailypapers.ingest.kaggle import read_kaggle
from dailypapers.search.backend import search_backend
from dailypapers.search.semantic import similar_by_vector
from dailypapers.search.service import similar_papers
from dailypapers.services.imports import import_items, import_papers
from dailypapers.services.indexing import index_papers
from dailypapers.services.similar import STORED
from dailypapers.storage import Store
from dailypapers.storage.papers import paper_by_id
from dailypapers.storage.schema import paper_embeddings, papers
from dailypapers.storage.similar import replace_similar, stored_lists
from helpers.site import client_for, soup

MODEL = "all-MiniLM-L6-v2"


def _kaggle(shared: Path, start: int, stop: int) -> list[object]:
    items = read_kaggle(LineSource(shared / "fixtures" / "kaggle-arxiv-metadata-snapshot.sample.jsonl"))
    return list(itertools.islice(items, start, stop))


def _lists(store: Store) -> dict[str, list[tuple[str, float]]]:
    with store.read() as conn:
        ids = [row for row in conn.execute(papers.select().with_only_columns(papers.c.id)).scalars()]
        return stored_lists(conn, MODEL, ids)


def test_indexing_stores_each_papers_nearest_papers_and_the_page_shows_the_stored_list(
    few: Store, config: Config
) -> None:
    summary = index_papers(few, config)
    lists = _lists(few)
    assert summary.similar == 12 and len(lists) == 12
    backend = search_backend(few, config)
    for paper_id, stored in lists.items():
        assert len(stored) == STORED and paper_id not in [other for other, _ in stored]
        assert [score for _, score in stored] == sorted((score for _, score in stored), reverse=True)
        with few.read() as conn:
            paper = paper_by_id(conn, paper_id)
            assert paper is not None
            live = similar_by_vector(backend.vectors, conn, paper, 7)
        assert live is not None
        nearest_now = [other for other, _ in live if other != paper_id][:5]
        assert {other for other, _ in stored[:5]} == set(nearest_now)

    # The page reads the stored list: a list rewritten in the store is what the page shows.
    chosen = lists["0704.0001"][-6:]  # the six least similar of the ten
    with few.write() as conn:
        replace_similar(conn, MODEL, {"0704.0001": [(other, 0.9 - i / 100) for i, (other, _) in enumerate(chosen)]})
    assert [hit.paper.id for hit in similar_papers(few, config, "0704.0001")] == [other for other, _ in chosen]
    page = client_for(config, few).get("/papers/0704.0001")
    section = soup(page.text).select_one("#similar-h").find_parent("section")
    shown = [a["href"].rsplit("/", 1)[1] for a in section.select("h3 a")]
    assert page.status_code == 200 and shown == [other for other, _ in chosen]


def test_papers_indexed_later_get_lists_and_join_the_lists_of_older_papers_they_are_close_to(
    store: Store, config: Config, shared: Path
) -> None:
    config.values["DAILYPAPERS_EMBEDDING_BACKEND"] = "torch"
    import_items(store, _kaggle(shared, 0, 8))  # type: ignore[arg-type]
    assert index_papers(store, config).similar == 8
    before = _lists(store)
    assert all(len(found) == 7 for found in before.values())  # every other paper: lists are short
    import_items(store, _kaggle(shared, 8, 12))  # type: ignore[arg-type]
    assert index_papers(store, config).similar == 4  # only the new papers are searched again
    after = _lists(store)
    new = set(after) - set(before)
    assert len(new) == 4
    offered = 0
    for paper_id in new:
        for other, score in after[paper_id]:
            if other in new:
                continue
            offered += 1
            held = dict(after[other])
            # the rule: a new paper joins each older neighbour's list, unless that list is full of closer papers
            assert paper_id in held or (len(held) == STORED and min(held.values()) >= score - 1e-6)
    assert offered
    for old in before:
        assert len(after[old]) == min(STORED, 7 + sum(1 for p in new if old in dict(after[p])))
    assert any(set(dict(after[old])) & new for old in before)

    # A re-embedded paper (new text) is searched again; a deleted paper leaves every list.
    with store.read() as conn:
        paper = paper_by_id(conn, "0704.0003")
    assert paper is not None
    record = PaperRecord(
        id=paper.id,
        title="Superconducting pair correlations in a cold atomic gas",
        abstract=paper.abstract,
        authors=paper.authors,
        categories=paper.categories,
        version=paper.version + 1,
        published_at=paper.published_at,
    )
    import_papers(store, [record])
    assert index_papers(store, config).similar == 1
    with store.write() as conn:
        conn.execute(delete(papers).where(papers.c.id == "0704.0005"))
    index_papers(store, config)
    lists = _lists(store)
    assert "0704.0005" not in lists and all("0704.0005" not in dict(found) for found in lists.values())


def test_a_store_embedded_before_lists_existed_gets_them_from_the_next_index_run_without_embedding(
    few: Store, config: Config
) -> None:
    index_papers(few, config)
    with few.write() as conn:  # the state migration 0018 leaves an embedded store in
        conn.execute(update(paper_embeddings).values(similar_seq=None))
        replace_similar(conn, MODEL, {paper_id: [] for paper_id in _lists(few)})
    assert _lists(few) == {}
    assert [hit.paper.id for hit in similar_papers(few, config, "0704.0001")]  # computed live meanwhile
    again = index_papers(few, config)
    assert (again.embedded, again.similar) == (0, 12) and len(_lists(few)) == 12
    assert index_papers(few, config).similar == 0  # nothing changed: nothing searched again
