"""Combining the lexical and the semantic ranking into one.

Plain reciprocal rank fusion ignores how strong each side's evidence is; a small sentence model is weak on short
keyword queries, so RRF often ranks below BM25 alone there. `weighted` combines normalised scores instead, and
`adaptive` (the default) additionally shifts weight to the lexical side when the best lexical hit contains every
query word, and to the semantic side when it does not (docs/search.md, docs/benchmarks.md).

A short query's words all found in one paper are the strongest evidence either side has: a few words describing an
idea ("sharing key value caches agents") are mostly in the abstract of the paper that has it, and a sentence model
this small is weak on such bags of words (it ranks below BM25 there, docs/benchmarks.md). So papers holding every
word of a short query come first (`every_word`, from the text index), and the semantic side's weight is capped
while there are such papers. The floor (`semantic_floor`) keeps nearest neighbours of a query that matches nothing
well out of the results, so nonsense gets an honest empty page instead of the least unrelated papers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fusion:
    method: str = "adaptive"  # adaptive | weighted | rrf
    # Weight of the lexical side (weighted), or its floor (adaptive), and what adaptive adds to it times the lexical
    # match strength: the best of bench/search_quality.py's grid on the SciFact dev half, the paraphrase dev half
    # tied, the title-word set not below (0.3 + 0.4 until 2026-12-04; docs/search.md).
    text_weight: float = 0.25
    strength_gain: float = 0.2
    rrf_k: int = 60
    every_word_first: bool = True  # short queries: papers holding every word rank first (see module docstring)
    every_word_max: int = 8  # "short": at most this many words (long claims rarely have all words in one paper)
    semantic_cap: float = 0.2  # the semantic side's weight at most, while some paper holds every word
    semantic_floor: float = 0.35  # all-MiniLM-L6-v2 cosine below which a paper is not a semantic match at all


DEFAULT_FUSION = Fusion()


def rrf(rankings: list[list[str]], k: int = 60) -> dict[str, float]:
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking):
            scores[key] = scores.get(key, 0.0) + 1.0 / (k + rank + 1)
    return scores


def normalised(scores: dict[str, float]) -> dict[str, float]:
    """Min-max to [0, 1] within this query's candidates (the top candidate is 1)."""
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    span = high - low
    if span <= 1e-12:
        return {key: 1.0 for key in scores}
    return {key: (value - low) / span for key, value in scores.items()}


def above_floor(semantic: dict[str, float], fusion: Fusion = DEFAULT_FUSION) -> dict[str, float]:
    """The semantic candidates similar enough to count as matches."""
    return {key: value for key, value in semantic.items() if value >= fusion.semantic_floor}


def fuse(
    text: dict[str, float],
    semantic: dict[str, float],
    strength: float,
    fusion: Fusion = DEFAULT_FUSION,
    every_word: set[str] | frozenset[str] = frozenset(),
) -> list[tuple[str, float]]:
    """(key, fused score), best first. `text`: BM25-like scores of lexical candidates; `semantic`: cosine
    similarities (for lexical candidates too, when known); `strength` in [0, 1]: how well the lexical side matched;
    `every_word`: papers holding every word of a short query, ranked first (empty: no such tier).

    Only lexical candidates and semantic ones above the floor are returned; the others' similarities only score."""
    matches = {*text, *above_floor(semantic, fusion)}
    if fusion.method == "rrf":
        text_rank = sorted(text, key=lambda key: -text[key])
        sem_rank = sorted(semantic, key=lambda key: -semantic[key])
        scores = rrf([text_rank, sem_rank], fusion.rrf_k)
    else:
        weight = fusion.text_weight
        if fusion.method == "adaptive":
            weight = min(1.0, fusion.text_weight + fusion.strength_gain * strength)
        if every_word:
            weight = max(weight, 1.0 - fusion.semantic_cap)
        # Papers missing from the lexical list scored below its last entry: count them as 0 after normalising.
        t = {key: value / max(text.values()) for key, value in text.items()} if text else {}
        s = normalised(semantic)
        scores = {key: weight * t.get(key, 0.0) + (1 - weight) * s.get(key, 0.0) for key in matches}
    if every_word:  # a tier above every other paper: fused scores are at most 1
        scores = {key: value + (1.0 if key in every_word else 0.0) for key, value in scores.items()}
    scores = {key: value for key, value in scores.items() if key in matches}
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))
