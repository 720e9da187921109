"""A member's profile, built from their signals, and the score of a candidate paper against it.

Positives (upvotes, submissions, seed papers, papers saved to collections, claimed papers) and negatives
("not interested") become:

- `centroid`: the unit mean of the positives' embeddings, and `negative`, the same for the negatives;
- `authors`: how many positives each author wrote (negatives count against, at half weight);
- `categories`: the share of positives in each arXiv category;
- `terms`: the share of positives whose title or abstract holds each informative word (top TERMS).

A candidate scores the weighted sum of its parts (`score`, docs/recommendations.md): cosine to the centroid and to
the nearest positive, minus cosine to the negatives, log(1 + shared-author weight), the share of its authors who
wrote a positive, category share, the tf-idf cosine with the profile's words and with the words of the nearest of
the 30 most recent positives; the idf comes from the candidate window itself (recommend/window.py). Each part is
z-normalised over the window first, so a weight means the same for a member whose parts spread wide or narrow.
The profile (a few KB) is rebuilt at every signal change, so a request only reads it and the prepared window.
Weights: tuned on bench/recommend.py's dev split.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dailypapers.latex import plain
from dailypapers.recommend.window import Window, tokens

TERM_NEIGHBOURS = 30  # the most recent positives whose own words are compared with each candidate
TERMS = 300  # words kept per profile (~6 KB of JSON); the window's idf weighs them at request time
NEAR = 0.3  # cosine from which the nearest positive is named even when other reasons exist
DEFAULT_DIAL = 0.2  # a new member's blend: mostly their model, a little community trending
VERBS = {
    "upvote": "upvoted",
    "submission": "submitted",
    "seed": "added as a paper you like",
    "collection": "saved",
    "claim": "wrote",
}


@dataclass(frozen=True)
class Weights:
    """Chosen by coordinate ascent on bench/recommend.py's dev split under the author-blind protocol (a reader
    is rarely the author of what they read; docs/benchmarks.md). Each weighs a z-normalised part (`normalised`).
    `negative` is not tuned (no simulated marks)."""

    centroid: float = 1.5
    nearest: float = 0.2
    negative: float = 0.6
    author: float = 1.0
    author_share: float = 0.2
    category: float = 3.0
    term: float = 0.2
    term_nearest: float = 0.3


DEFAULT_WEIGHTS = Weights()


@dataclass
class SignalPaper:
    """A paper a member acted on, as the model needs it."""

    paper_id: str
    kind: str  # upvote | submission | seed | collection | claim | not_interested
    title: str
    text: str  # title and abstract
    authors: list[str]
    categories: list[str]
    vector: np.ndarray | None


@dataclass
class Profile:
    positives: int = 0
    negatives: int = 0
    centroid: np.ndarray | None = None
    negative: np.ndarray | None = None
    authors: dict[str, float] = field(default_factory=dict)
    categories: dict[str, float] = field(default_factory=dict)
    terms: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "positives": self.positives,
            "negatives": self.negatives,
            "authors": self.authors,
            "categories": self.categories,
            "terms": self.terms,
        }

    @classmethod
    def from_row(cls, model: dict[str, Any] | None, centroid: bytes | None, negative: bytes | None) -> Profile:
        data = model or {}
        return cls(
            positives=int(data.get("positives", 0)),
            negatives=int(data.get("negatives", 0)),
            centroid=_vector(centroid),
            negative=_vector(negative),
            authors=dict(data.get("authors", {})),
            categories=dict(data.get("categories", {})),
            terms=dict(data.get("terms", {})),
        )


@dataclass
class Scores:
    values: np.ndarray  # the personal score of every row of the window
    nearest: np.ndarray  # cosine to the nearest positive with a vector
    nearest_index: np.ndarray  # which one (an index into the positives that have vectors)
    idf: dict[str, float]  # of the profile's terms, over the window
    parts: dict[str, np.ndarray] = field(default_factory=dict)  # each Weights field's unweighted part


def _vector(raw: bytes | None) -> np.ndarray | None:
    return None if raw is None else np.frombuffer(raw, dtype=np.float32)


def _unit_mean(vectors: list[np.ndarray]) -> np.ndarray | None:
    if not vectors:
        return None
    mean = np.mean(np.stack(vectors).astype(np.float32), axis=0)
    norm = float(np.linalg.norm(mean))
    return (mean / norm).astype(np.float32) if norm > 1e-9 else None


def build_profile(positives: list[SignalPaper], negatives: list[SignalPaper]) -> Profile:
    """The whole profile from the member's signals (a few ms for hundreds of signals)."""
    authors: dict[str, float] = {}
    for paper in positives:
        for name in set(paper.authors):
            authors[name] = authors.get(name, 0.0) + 1.0
    for paper in negatives:
        for name in set(paper.authors):
            authors[name] = authors.get(name, 0.0) - 0.5
    categories: Counter[str] = Counter()
    for paper in positives:
        categories.update(set(paper.categories))
    terms: Counter[str] = Counter()
    for paper in positives:
        terms.update(tokens(paper.text))
    top_terms = sorted(terms.items(), key=lambda item: (-item[1], item[0]))[:TERMS]
    n = max(len(positives), 1)
    return Profile(
        positives=len(positives),
        negatives=len(negatives),
        centroid=_unit_mean([p.vector for p in positives if p.vector is not None]),
        negative=_unit_mean([p.vector for p in negatives if p.vector is not None]),
        authors={a: c for a, c in authors.items() if c != 0},
        categories={c: k / n for c, k in categories.items()},
        terms={t: k / n for t, k in top_terms},
    )


def score(profile: Profile, positives: list[SignalPaper], window: Window, weights: Weights = DEFAULT_WEIGHTS) -> Scores:
    """Every window paper's personal score: dot products with the stored vectors plus author, category, term boosts."""
    n = len(window.ids)
    zeros = np.zeros(n, dtype=np.float32)
    matrix = window.matrix
    usable = matrix.shape[1] > 0
    semantic = matrix @ profile.centroid if profile.centroid is not None and usable else zeros
    negative = matrix @ profile.negative if profile.negative is not None and usable else zeros
    with_vectors = [p.vector for p in positives if p.vector is not None]
    if with_vectors and usable:
        sims = matrix @ np.stack(with_vectors).astype(np.float32).T
        nearest_index, nearest = sims.argmax(axis=1), sims.max(axis=1)
    else:
        nearest_index, nearest = np.zeros(n, dtype=int), zeros
    author_weight, known = np.zeros(n), np.zeros(n)
    for name, weight in profile.authors.items():
        if name in window.by_author:
            author_weight[window.by_author[name]] += weight
            known[window.by_author[name]] += weight > 0
    category_share = np.zeros(n)
    for category, share in profile.categories.items():
        rows = window.by_category.get(category)
        if rows:
            category_share[rows] = np.maximum(category_share[rows], share)
    idf = {t: window.idf_of(t) for t in profile.terms}
    term_part = window.cosines([profile.terms])[:, 0] if profile.terms else zeros
    recent = [tokens(p.text) for p in positives[:TERM_NEIGHBOURS]]
    term_near = window.cosines([dict.fromkeys(words, 1.0) for words in recent]).max(axis=1) if recent else zeros
    parts = {
        "centroid": semantic,
        "nearest": nearest,
        "negative": -negative,
        "author": np.sign(author_weight) * np.log1p(np.abs(author_weight)),
        "author_share": known / np.maximum(window.author_counts, 1),
        "category": category_share,
        "term": term_part,
        "term_nearest": term_near,
    }
    parts = {name: normalised(part) for name, part in parts.items()}
    return Scores(combine(parts, weights), nearest, nearest_index, idf, parts)


def normalised(part: np.ndarray) -> np.ndarray:
    """The part as z-scores over the window (a constant part becomes zeros): one member's centroid cosines spread
    over 0.1, another's over 0.4, and a fixed weight should mean the same for both (bench/recommend.py: +0.01–0.02)."""
    spread = float(part.std()) if part.size else 0.0
    return (part - part.mean()) / spread if spread > 1e-12 else np.zeros_like(part, dtype=np.float64)


def combine(parts: dict[str, np.ndarray], weights: Weights) -> np.ndarray:
    """The personal score: the weighted sum of the normalised parts (bench/recommend.py tunes the weights on these)."""
    return np.asarray(sum(getattr(weights, name) * part for name, part in parts.items()))


def explain(profile: Profile, positives: list[SignalPaper], window: Window, scores: Scores, row: int) -> list[str]:
    """Why this window paper was picked, each reason naming a real signal of the member (see _reasons)."""
    with_vectors = [p for p in positives if p.vector is not None]
    nearest = with_vectors[int(scores.nearest_index[row])] if with_vectors and window.has_vector[row] else None
    rank = lambda name: (-profile.authors.get(name, 0.0), name)  # noqa: E731
    shared_authors = sorted((a for a in set(window.authors[row]) if profile.authors.get(a, 0) > 0), key=rank)
    shared_terms = sorted(
        (t for t in window.tokens[row] if t in profile.terms), key=lambda t: (-profile.terms[t] * scores.idf[t], t)
    )
    return _reasons(nearest, float(scores.nearest[row]), shared_authors, profile, shared_terms, window.categories[row])


def _reasons(
    nearest: SignalPaper | None,
    similarity: float,
    shared_authors: list[str],
    profile: Profile,
    shared_terms: list[str],
    categories: list[str],
) -> list[str]:
    """Why, each naming a real signal of the member: their nearest positive, shared authors, terms, categories."""
    reasons = []
    because = None
    if nearest is not None:
        title = plain(nearest.title)
        title = title if len(title) <= 90 else title[:89].rstrip() + "…"
        because = f"because you {VERBS.get(nearest.kind, 'liked')} “{title}”"
        if similarity >= NEAR:
            reasons.append(because)
    for name in shared_authors[:2]:
        count = int(profile.authors[name])
        reasons.append(f"by {name}, an author of {count} paper{'s' if count != 1 else ''} you liked")
    if shared_terms:
        reasons.append("shares terms with papers you liked: " + ", ".join(shared_terms[:4]))
    if not reasons:
        shared = sorted(
            (c for c in categories if profile.categories.get(c, 0) > 0), key=lambda c: -profile.categories[c]
        )
        if shared:
            count = round(profile.categories[shared[0]] * profile.positives)
            reasons.append(f"in {shared[0]}, like {count} of the papers you liked")
    if not reasons and because:  # nothing in common but the nearest of the member's papers, however far
        reasons.append(because)
    return reasons
