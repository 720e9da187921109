"""The For-you model's co-author evidence: a shared co-author lifts a candidate above papers of the same field, the
more so the larger the share of its authors the member's papers had, and every part is z-normalised over the
window (a constant part adds nothing) — through the services on both engines, and on the model directly."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from dailypapers.config import Config
from dailypapers.queries.recommendations import recommend
from dailypapers.recommend.model import Profile, normalised, score
from dailypapers.recommend.window import Window, tokens
from dailypapers.services.votes import toggle_vote
from dailypapers.storage import Store
from dailypapers.storage.papers import papers_by_ids, replace_authors
from helpers.recommend import FROM, TO, load_fields, member

START, END = date.fromisoformat(FROM), date.fromisoformat(TO)
COAUTHOR = "Ada Q. Coauthorson"


def _window(authors: list[list[str]]) -> Window:
    n = len(authors)
    texts = ["spectral graphs on lattices"] * n  # the same words: only the authors tell the papers apart
    return Window(
        ids=[f"p{i}" for i in range(n)],
        titles=texts,
        authors=authors,
        categories=[["math.CO"] for _ in texts],
        tokens=[tokens(t) for t in texts],
        published=[0.0] * n,
        matrix=np.zeros((n, 0), dtype=np.float32),
        has_vector=np.zeros(n, dtype=bool),
    )


def test_a_coauthor_who_is_most_of_a_papers_authors_counts_more_than_one_among_many() -> None:
    window = _window([["Ada", "Bo", "Cy", "Di", "Ed"], ["Ada"], ["Fay"], ["Gus", "Hal"]])
    profile = Profile(positives=4, authors={"Ada": 2.0}, categories={"math.CO": 1.0})
    result = score(profile, [], window)
    share = result.parts["author_share"]
    assert share[1] > share[0] > share[2] == share[3], share
    assert result.values[1] > result.values[0] > result.values[2] == pytest.approx(result.values[3])


def test_each_part_is_z_normalised_over_the_window_and_a_constant_part_is_zero() -> None:
    z = normalised(np.array([1.0, 2.0, 3.0, 6.0]))
    assert z.mean() == pytest.approx(0.0) and z.std() == pytest.approx(1.0)
    assert list(np.argsort(z)) == [0, 1, 2, 3]
    assert not normalised(np.full(5, 0.7)).any()
    result = score(Profile(positives=3, categories={"math.CO": 1.0}), [], _window([["A"], ["B"], ["C"]]))
    assert not result.parts["category"].any(), "every candidate shares the category: it tells them nothing apart"


def test_a_member_whose_upvoted_papers_share_a_coauthor_gets_that_coauthors_new_paper_first(
    store: Store, config: Config, shared: Path
) -> None:
    astro = load_fields(store, config, shared, embed=False)["astro-ph"]
    target = astro[-1]
    with store.read() as conn:
        found = papers_by_ids(conn, [astro[0], astro[1], target])
    with store.write() as conn:
        replace_authors(conn, {pid: [*p.authors, COAUTHOR] for pid, p in found.items()})
    ann, bob = member(store, "ann"), member(store, "bob")
    for paper_id in astro[:4]:  # two of them with the co-author
        toggle_vote(store, ann, paper_id, True)
    for paper_id in astro[4:8]:  # the same field, never the co-author
        toggle_vote(store, bob, paper_id, True)
    top = recommend(store, config, ann.id, START, END, limit=5, dial=0.0).items
    assert top[0].paper.id == target, [i.paper.id for i in top]
    assert f"by {COAUTHOR}, an author of 2 papers you liked" in top[0].reasons, top[0].reasons
    others = recommend(store, config, bob.id, START, END, limit=5, dial=0.0).items
    assert others[0].paper.id != target, "without the co-author the same field does not put it first"
