"""A member's profile, built from their signals, and the score of a candidate paper against it.

Positives (upvotes, submissions, seed papers; collections at merge) and negatives ("not interested") become:

- `centroid`: the unit mean of the positives' embeddings, and `negative`, the same for the negatives;
- `authors`: how many positives each author wrote (negatives count against, at half weight);
- `categories`: the share of positives in each arXiv category;
- `terms`: the share of positives whose title or abstract holds each informative word (top TERMS).

A candidate scores `w.centroid·cos(centroid) + w.nearest·max cos(any positive) − w.negative·cos(negative)
+ w.author·log(1 + shared-author weight) + w.category·category share + w.term·idf-weighted term overlap`; the
idf comes from the candidate window itself. The profile is small (a few KB) and rebuilt at every signal change, so
a request only reads it and the window's stored vectors. Weights were tuned on bench/recommend.py's tuning split.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dailypapers.search.query import STOPWORDS

TERMS = 60
NEAR = 0.3  # cosine from which the nearest positive is named even when other reasons exist
DEFAULT_DIAL = 0.2  # a new member's blend: mostly their model, a little community trending
_WORD = re.compile(r"[a-z][a-z0-9]+(?:-[a-z0-9]+)*")
# Words nearly every abstract uses: never a reason to recommend a paper.
_GENERIC_WORDS = """
paper propose proposed proposes method methods approach approaches result results show shows based using use used
model models new task tasks performance data framework existing achieve achieves achieving also demonstrate
demonstrates work works study novel however experiments experimental extensive while via which these their such than
more our this that with from into over both each first well large different across present presents introduce
introduces problem problems high including has have been its it we they them significant significantly effective
efficient improve improves improved improvement state-of-the-art outperforms further various key can not only then
thus between through within without most many other code available https github com two three one learning
training trained
"""
GENERIC = frozenset(_GENERIC_WORDS.split())
VERBS = {"upvote": "upvoted", "submission": "submitted", "seed": "added as a paper you like", "collection": "saved"}


@dataclass(frozen=True)
class Weights:
    centroid: float = 1.0
    nearest: float = 1.0
    negative: float = 0.6
    author: float = 0.25
    category: float = 0.1
    term: float = 0.3


DEFAULT_WEIGHTS = Weights()


@dataclass
class SignalPaper:
    """A paper a member acted on, as the model needs it."""

    paper_id: str
    kind: str  # upvote | submission | seed | collection | not_interested
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
class Candidate:
    paper_id: str
    title: str
    authors: list[str]
    categories: list[str]
    tokens: frozenset[str]
    vector: np.ndarray | None


@dataclass
class Scored:
    paper_id: str
    score: float
    reasons: list[str]


def tokens(text: str) -> frozenset[str]:
    """The informative words of a text (lower case, no stop words or generic paper words)."""
    return frozenset(w for w in _WORD.findall(text.lower()) if w not in STOPWORDS and w not in GENERIC)


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
    least = 2 if len(positives) >= 4 else 1
    top_terms = [(t, n) for t, n in terms.most_common(TERMS * 2) if n >= least][:TERMS]
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


def score(
    profile: Profile,
    positives: list[SignalPaper],
    candidates: list[Candidate],
    weights: Weights = DEFAULT_WEIGHTS,
) -> list[Scored]:
    """Every candidate's personal score with the reasons behind it, in candidate order."""
    if not candidates:
        return []
    dim = next((c.vector.shape[0] for c in candidates if c.vector is not None), 0)
    matrix = np.zeros((len(candidates), dim), dtype=np.float32)
    for row, cand in enumerate(candidates):
        if cand.vector is not None:
            matrix[row] = cand.vector
    zeros = np.zeros(len(candidates), dtype=np.float32)
    semantic = matrix @ profile.centroid if profile.centroid is not None and dim else zeros
    negative = matrix @ profile.negative if profile.negative is not None and dim else zeros
    with_vectors = [p for p in positives if p.vector is not None]
    if with_vectors and dim:
        sims = matrix @ np.stack([p.vector for p in with_vectors]).astype(np.float32).T  # type: ignore[misc]
        nearest_index, nearest = sims.argmax(axis=1), sims.max(axis=1)
    else:
        nearest_index, nearest = np.zeros(len(candidates), dtype=int), zeros
    idf = _window_idf(profile.terms, candidates)
    term_total = sum(profile.terms[t] * idf[t] for t in profile.terms) or 1.0
    scored = []
    for row, cand in enumerate(candidates):
        shared_authors = sorted(
            (a for a in set(cand.authors) if profile.authors.get(a, 0) > 0), key=_author_rank(profile)
        )
        author_weight = sum(profile.authors.get(a, 0.0) for a in set(cand.authors))
        author_part = math.copysign(math.log1p(abs(author_weight)), author_weight)
        category_share = max((profile.categories.get(c, 0.0) for c in cand.categories), default=0.0)
        shared_terms = sorted((t for t in cand.tokens if t in profile.terms), key=lambda t: -profile.terms[t] * idf[t])
        term_part = sum(profile.terms[t] * idf[t] for t in shared_terms) / term_total
        value = (
            weights.centroid * float(semantic[row])
            + weights.nearest * float(nearest[row])
            - weights.negative * float(negative[row])
            + weights.author * author_part
            + weights.category * category_share
            + weights.term * term_part
        )
        reasons = _reasons(
            with_vectors[int(nearest_index[row])] if with_vectors and cand.vector is not None else None,
            float(nearest[row]),
            shared_authors,
            profile,
            shared_terms,
            cand.categories,
        )
        scored.append(Scored(cand.paper_id, value, reasons))
    return scored


def _author_rank(profile: Profile) -> Any:
    return lambda name: (-profile.authors.get(name, 0.0), name)


def _window_idf(terms: dict[str, float], candidates: list[Candidate]) -> dict[str, float]:
    df: Counter[str] = Counter()
    for cand in candidates:
        df.update(t for t in cand.tokens if t in terms)
    n = len(candidates)
    return {t: math.log((n + 1) / (df[t] + 1)) + 1.0 for t in terms}


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
        title = " ".join(nearest.title.split())
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
