"""The For-you model's words: a tf-idf cosine between the candidate and the member's profile (rare shared words
count most), each candidate's best match among the member's recent positives, and the author-blind rewrite that
bench/recommend.py uses — on both engines, with real papers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from dailypapers.config import Config
from dailypapers.queries.recommendations import recommend
from dailypapers.recommend.model import Weights
from dailypapers.recommend.window import Window, tokens
from dailypapers.search.service import SearchRequest, search_papers
from dailypapers.services.votes import toggle_vote
from dailypapers.storage import Store
from dailypapers.storage.papers import papers_by_ids, replace_authors
from helpers.recommend import FROM, TO, field_of, load_fields, member

START, END = date.fromisoformat(FROM), date.fromisoformat(TO)
ONLY_WORDS = Weights(centroid=0, nearest=0, negative=0, author=0, author_share=0, category=0, term=1)
ONLY_NEAREST_WORDS = Weights(
    centroid=0, nearest=0, negative=0, author=0, author_share=0, category=0, term=0, term_nearest=1
)


def _window(texts: list[str]) -> Window:
    n = len(texts)
    return Window(
        ids=[f"p{i}" for i in range(n)],
        titles=texts,
        authors=[[] for _ in texts],
        categories=[[] for _ in texts],
        tokens=[tokens(t) for t in texts],
        published=[0.0] * n,
        matrix=np.zeros((n, 0), dtype=np.float32),
        has_vector=np.zeros(n, dtype=bool),
    )


def test_a_paper_sharing_a_rare_word_scores_above_one_sharing_a_common_word() -> None:
    texts = ["graphs spectra", "graphs lattices", "graphs rivers", "graphs quasars", "bosons quasars"]
    window = _window(texts)
    cos = window.cosines([{"graphs": 1.0, "bosons": 1.0}])[:, 0]
    assert cos[4] > cos[0] > 0, cos  # "bosons" (one paper) outweighs "graphs" (four papers)
    assert window.cosines([dict.fromkeys(tokens(texts[1]), 1.0)])[1, 0] == pytest.approx(1.0)
    assert window.cosines([{"nowhere": 1.0}]).max() == 0.0


@pytest.mark.parametrize("weights", [ONLY_WORDS, ONLY_NEAREST_WORDS], ids=["profile words", "nearest positive"])
def test_a_member_who_upvotes_one_field_gets_mostly_that_field_first_from_words_alone(
    store: Store, config: Config, shared: Path, weights: Weights
) -> None:
    fields = load_fields(store, config, shared, embed=False)
    ann = member(store, "ann")
    for paper_id in fields["astro-ph"][:5]:
        toggle_vote(store, ann, paper_id, True)
    result = recommend(store, config, ann.id, START, END, limit=10, dial=0.0, weights=weights)
    top = [field_of(store, i.paper.id) for i in result.items[:5]]
    assert top[0] == "astro-ph" and top.count("astro-ph") >= 4, top


def test_replacing_author_lists_changes_what_the_model_and_search_see(
    store: Store, config: Config, shared: Path
) -> None:
    fields = load_fields(store, config, shared, embed=False)
    paper_id = fields["math"][0]
    with store.read() as conn:
        before = papers_by_ids(conn, [paper_id])[paper_id].authors
    gone, kept = before[0], before[1:]
    request = SearchRequest(q=f'author:"{gone}"', mode="text")
    assert paper_id in [h.paper.id for h in search_papers(store, config, request).hits]
    with store.write() as conn:
        replace_authors(conn, {paper_id: kept})
    with store.read() as conn:
        assert papers_by_ids(conn, [paper_id])[paper_id].authors == kept
    assert paper_id not in [h.paper.id for h in search_papers(store, config, request).hits]
