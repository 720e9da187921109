"""Fusion of the lexical and semantic rankings: the every-word tier, the semantic floor and the weights."""

from __future__ import annotations

from dailypapers.search.fuse import Fusion, above_floor, fuse

TEXT = {"a": 9.0, "b": 6.0, "c": 3.0}  # BM25-like: "a" best
SEMANTIC = {"a": 0.40, "b": 0.45, "c": 0.80, "s": 0.70, "far": 0.10}  # cosines


def order(ranked: list[tuple[str, float]]) -> list[str]:
    return [key for key, _ in ranked]


def test_papers_holding_every_word_rank_above_every_other_paper() -> None:
    text = {**TEXT, "c": 1.0}  # "c" a far weaker lexical match than "a"
    ranked = order(fuse(text, SEMANTIC, strength=1.0, every_word={"c"}))
    assert ranked[0] == "c"
    without = order(fuse(text, SEMANTIC, strength=1.0))
    assert without[0] == "a"  # the tier, not the scores, put it first


def test_within_the_every_word_tier_the_lexical_side_leads() -> None:
    # The semantic side prefers "b" over "a" and is capped at semantic_cap: "a" (BM25 best) stays first.
    assert order(fuse(TEXT, SEMANTIC, strength=0.0, every_word={"a", "b"}))[:2] == ["a", "b"]
    # Without the tier, a weak lexical match hands the semantic side most of the weight and "c" wins.
    assert order(fuse(TEXT, SEMANTIC, strength=0.0))[0] == "c"


def test_semantic_candidates_below_the_floor_are_not_results() -> None:
    ranked = order(fuse(TEXT, SEMANTIC, strength=1.0))
    assert "s" in ranked and "far" not in ranked
    assert set(above_floor(SEMANTIC)) == {"a", "b", "c", "s"}


def test_lexical_candidates_stay_results_however_dissimilar() -> None:
    ranked = order(fuse({"x": 1.0}, {"x": 0.01, "y": 0.02}, strength=0.0))
    assert ranked == ["x"]


def test_nothing_above_the_floor_and_no_lexical_match_is_no_result() -> None:
    assert fuse({}, {"p": 0.30, "q": 0.20}, strength=0.0) == []
    assert fuse({}, {"p": 0.30, "q": 0.20}, strength=0.0, fusion=Fusion(method="rrf")) == []


def test_a_floor_below_every_similarity_keeps_the_old_fusion() -> None:
    old = Fusion(every_word_first=False, semantic_floor=-1.0)
    assert set(order(fuse(TEXT, SEMANTIC, strength=0.5, fusion=old))) == {*TEXT, *SEMANTIC}
