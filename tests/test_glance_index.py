"""Keywords and the extractive TL;DR, made by `index` with the real model on a dozen real papers, both engines."""

from __future__ import annotations

from dailypapers.config import Config
from dailypapers.domain import PaperRecord
from dailypapers.search.tldr import extractive_tldr, sentences
from dailypapers.services.imports import import_papers
from dailypapers.services.indexing import index_papers
from dailypapers.storage import Store
from dailypapers.storage.glance import glances_of
from dailypapers.storage.papers import paper_by_id, papers_by_ids
from helpers.ingest import FEW_PAPERS

PAPERS = FEW_PAPERS


def test_indexing_gives_each_paper_three_to_six_keywords_from_its_text_and_a_tldr_sentence(
    few: Store, config: Config
) -> None:
    summary = index_papers(few, config, batch=5)
    assert summary.glanced == PAPERS and "keywords and TL;DR for 12 papers" in summary.line()
    with few.read() as conn:
        found = papers_by_ids(conn, [f"0704.{n:04d}" for n in range(1, PAPERS + 1)])
    assert len(found) == PAPERS
    for paper in found.values():
        assert paper.glance is not None
        assert 3 <= len(paper.glance.keywords) <= 6, (paper.id, paper.glance.keywords)
        text = f"{paper.title} {paper.abstract}".lower().replace("-", " ")
        for keyword in paper.glance.keywords:
            assert all(word in text for word in keyword.lower().replace("-", " ").split()), keyword
        assert len({k.lower() for k in paper.glance.keywords}) == len(paper.glance.keywords)
        assert paper.glance.tldr in sentences(paper.abstract)
        assert paper.glance.summary == paper.glance.tldr  # no LLM configured


def test_keywords_are_redone_only_when_the_title_or_abstract_changes(few: Store, config: Config) -> None:
    index_papers(few, config)
    assert index_papers(few, config).glanced == 0
    with few.read() as conn:
        paper = paper_by_id(conn, "0704.0001")
        before = glances_of(conn, ["0704.0001", "0704.0002"])
    assert paper is not None and paper.glance is not None
    record = PaperRecord(
        id=paper.id,
        title=paper.title,
        abstract=paper.abstract,
        authors=paper.authors,
        categories=paper.categories,
        version=paper.version,
        published_at=paper.published_at,
        upvotes=9,
    )
    import_papers(few, [record])  # the paper changed, its text did not
    assert index_papers(few, config).glanced == 0
    record.version += 1
    record.abstract = (
        "We introduce a sparse mixture of experts for protein folding. Our router picks two experts per residue "
        "and the model predicts contact maps."
    )
    import_papers(few, [record])
    assert index_papers(few, config).glanced == 1
    with few.read() as conn:
        after = glances_of(conn, ["0704.0001", "0704.0002"])
    assert after["0704.0002"] == before["0704.0002"]
    assert after["0704.0001"] != before["0704.0001"]
    assert after["0704.0001"].tldr == "We introduce a sparse mixture of experts for protein folding."
    assert any("expert" in k.lower() or "protein" in k.lower() for k in after["0704.0001"].keywords)


def test_the_extractive_tldr_is_the_sentence_that_states_the_contribution() -> None:
    abstract = (
        "Large language models are increasingly used as agents. However, they often fail at long-horizon planning, "
        "e.g. in household tasks. In this paper, we propose PlanSketch, a method that drafts an abstract plan "
        "before acting. Experiments on 3 benchmarks show gains of 12.5 points. Code will be released."
    )
    tldr = extractive_tldr("PlanSketch: Drafting Plans for Long-Horizon Agents", abstract)
    assert tldr == "In this paper, we propose PlanSketch, a method that drafts an abstract plan before acting."


def test_without_a_contribution_cue_the_tldr_is_the_sentence_closest_to_the_title() -> None:
    abstract = (
        "Graph colouring is a classic problem. A greedy colouring of random regular graphs uses few colours. "
        "This holds with high probability."
    )
    tldr = extractive_tldr("Greedy colouring of random regular graphs", abstract)
    assert tldr == "A greedy colouring of random regular graphs uses few colours."
    assert extractive_tldr("Empty", "") is None
