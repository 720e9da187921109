"""The For-you model through its services and reads, on both engines, with real papers and the real embedding model:
it learns a member's topic, "not interested" hides and demotes, every reason names the member's own signal."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dailypapers.config import Config
from dailypapers.latex import plain
from dailypapers.queries.recommendations import recommend
from dailypapers.services.collections import set_saved
from dailypapers.services.recommendations import add_seed, set_not_interested
from dailypapers.services.votes import UnknownPaper, toggle_vote
from dailypapers.storage import Store
from dailypapers.storage.papers import papers_by_ids
from helpers.recommend import FROM, TO, field_of, load_fields, member

START, END = date.fromisoformat(FROM), date.fromisoformat(TO)


@pytest.fixture
def fields(store: Store, config: Config, shared: Path) -> dict[str, list[str]]:
    return load_fields(store, config, shared)


def test_a_member_who_upvotes_one_field_gets_that_field_first(
    store: Store, config: Config, fields: dict[str, list[str]]
) -> None:
    ann, bob = member(store, "ann"), member(store, "bob")
    for paper_id in fields["astro-ph"][:4]:
        toggle_vote(store, ann, paper_id, True)
    for paper_id in fields["math"][:4]:
        toggle_vote(store, bob, paper_id, True)
    for account, field in ((ann, "astro-ph"), (bob, "math")):
        result = recommend(store, config, account.id, START, END, limit=10)
        assert not result.cold_start
        top = [field_of(store, item.paper.id) for item in result.items[:5]]
        assert top == [field] * 5, (account.username, top)


def test_upvoted_papers_never_come_back_and_the_order_is_best_first(
    store: Store, config: Config, fields: dict[str, list[str]]
) -> None:
    ann = member(store, "ann")
    liked = fields["cond-mat"][:3]
    for paper_id in liked:
        toggle_vote(store, ann, paper_id, True)
    result = recommend(store, config, ann.id, START, END, limit=500)
    ids = [item.paper.id for item in result.items]
    assert not set(ids) & set(liked)
    assert len(ids) == sum(len(v) for v in fields.values()) - len(liked)
    scores = [item.score for item in result.items]
    assert scores == sorted(scores, reverse=True)


def test_not_interested_hides_the_paper_and_demotes_similar_ones(
    store: Store, config: Config, fields: dict[str, list[str]]
) -> None:
    ann = member(store, "ann")
    for paper_id in fields["astro-ph"][:3] + fields["math"][:3]:
        toggle_vote(store, ann, paper_id, True)
    before = recommend(store, config, ann.id, START, END, limit=500)
    marked = [i.paper.id for i in before.items if field_of(store, i.paper.id) == "math"][:3]
    for paper_id in marked:
        set_not_interested(store, ann, paper_id)
    after = recommend(store, config, ann.id, START, END, limit=500)
    ids = [i.paper.id for i in after.items]
    assert not set(marked) & set(ids), "a paper marked not interested is hidden"
    kept = [i.paper.id for i in before.items if i.paper.id not in marked]
    assert _mean_rank(ids, "math", store) > _mean_rank(kept, "math", store), "the field's other papers moved down"
    set_not_interested(store, ann, marked[0], False)
    assert marked[0] in [i.paper.id for i in recommend(store, config, ann.id, START, END, limit=500).items]


def _mean_rank(ids: list[str], field: str, store: Store) -> float:
    ranks = [n for n, paper_id in enumerate(ids) if field_of(store, paper_id) == field]
    return sum(ranks) / len(ranks)


def test_every_reason_names_a_real_signal_of_that_member(
    store: Store, config: Config, fields: dict[str, list[str]]
) -> None:
    ann = member(store, "ann")
    voted, seeded = fields["astro-ph"][:3], fields["astro-ph"][3]
    for paper_id in voted:
        toggle_vote(store, ann, paper_id, True)
    add_seed(store, ann, seeded)
    with store.read() as conn:
        liked = papers_by_ids(conn, [*voted, seeded])
    titles = {plain(p.title) for p in liked.values()}  # reasons name titles as plain text
    authors = {a for p in liked.values() for a in p.authors}
    words = " ".join(f"{p.title} {p.abstract}" for p in liked.values()).lower()
    categories = {c for p in liked.values() for c in p.categories}
    result = recommend(store, config, ann.id, START, END, limit=20)
    seen = 0
    for item in result.items:
        assert item.reasons, item.paper.id
        for reason in item.reasons:
            seen += 1
            if reason.startswith("because you "):
                assert any(f"“{t[:80]}" in reason for t in titles), reason
                assert reason.startswith(("because you upvoted", "because you added as a paper you like")), reason
            elif reason.startswith("by "):
                name = reason[3:].split(", an author of")[0]
                assert name in authors and name in item.paper.authors, reason
            elif reason.startswith("shares terms with papers you liked: "):
                for term in reason.split(": ", 1)[1].split(", "):
                    assert term in words and term in f"{item.paper.title} {item.paper.abstract}".lower(), term
            elif reason.startswith("in "):
                assert reason[3:].split(",")[0] in categories, reason
            else:
                pytest.fail(f"a reason that names no signal: {reason!r}")
    assert seen >= len(result.items)
    assert any(r.startswith("because you upvoted") for i in result.items for r in i.reasons)


def test_fewer_than_three_positives_is_trending_in_the_chosen_categories(
    store: Store, config: Config, shared: Path
) -> None:
    from dailypapers.services.recommendations import parse_categories, save_settings

    fields = load_fields(store, config, shared, embed=False)
    ann = member(store, "ann")
    toggle_vote(store, ann, fields["math"][0], True)
    save_settings(store, ann, categories=parse_categories("astro-ph"))
    result = recommend(store, config, ann.id, START, END, limit=50)
    assert result.cold_start and result.positives == 1
    assert {field_of(store, i.paper.id) for i in result.items} == {"astro-ph"}
    assert all("astro-ph, a category you chose" in i.reasons[0] for i in result.items)


def test_members_never_share_a_model(store: Store, config: Config, fields: dict[str, list[str]]) -> None:
    ann, bob = member(store, "ann"), member(store, "bob")
    for paper_id in fields["astro-ph"][:4]:
        toggle_vote(store, ann, paper_id, True)
    set_not_interested(store, ann, fields["math"][0])
    result = recommend(store, config, bob.id, START, END, limit=500)
    assert result.cold_start and result.positives == 0
    assert fields["math"][0] in [i.paper.id for i in result.items], "ann's mark does not hide it from bob"
    assert not any("upvoted" in r for i in result.items for r in i.reasons)


def test_marking_an_unknown_paper_is_refused(store: Store, config: Config) -> None:
    ann = member(store, "ann")
    with pytest.raises(UnknownPaper):
        set_not_interested(store, ann, "2401.99999")
    with pytest.raises(UnknownPaper):
        add_seed(store, ann, "2401.99999")


def test_papers_saved_to_a_collection_teach_the_model_like_upvotes(
    store: Store, config: Config, fields: dict[str, list[str]]
) -> None:
    ann = member(store, "ann")
    for paper_id in fields["astro-ph"][:4]:
        set_saved(store, ann, paper_id, True)
    result = recommend(store, config, ann.id, START, END, limit=10)
    assert not result.cold_start
    assert [field_of(store, item.paper.id) for item in result.items[:5]] == ["astro-ph"] * 5
    assert any("saved" in reason for item in result.items[:5] for reason in item.reasons)
    for paper_id in fields["astro-ph"][:4]:
        set_saved(store, ann, paper_id, False)
    assert recommend(store, config, ann.id, START, END, limit=10).cold_start, "removing them forgets them"
