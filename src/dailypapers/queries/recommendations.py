"""Reads behind "For you" (page, API, Atom feed, digest): a member's ranked papers with reasons, their settings and
signals for the settings page, and the JSON export. Everything is keyed by the member's own account id.

Ranking (docs/recommendations.md): the candidates are the papers first published in the window, minus the member's
positives and not-interested papers. With at least COLD_START positives each is scored by the member's model
(recommend/model.py) and the score, scaled to 0–1 over the window, is blended with community trending (also 0–1):
`(1 − dial) · personal + dial · trending`. With fewer, the list is trending in the member's chosen categories.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from dailypapers.config import Config
from dailypapers.queries.feed import rank_trending
from dailypapers.recommend.model import (
    DEFAULT_DIAL,
    DEFAULT_WEIGHTS,
    Candidate,
    Profile,
    Weights,
    build_profile,
    score,
    tokens,
)
from dailypapers.recommend.signals import load_signals
from dailypapers.storage import Store
from dailypapers.storage import feed as feed_store
from dailypapers.storage import papers as paper_store
from dailypapers.storage import recommendations as rec_store
from dailypapers.storage.papers import StoredPaper
from dailypapers.storage.recommendations import PaperForModel, StoredProfile
from dailypapers.storage.schema import not_interested, seed_papers

COLD_START = 3  # fewer positives than this: trending in the member's categories
RANGES = {"day": 1, "week": 7, "month": 30}
_TOKENS: dict[tuple[str, str], frozenset[str]] = {}  # (paper id, content hash) → words; tokenised once per process
_TOKENS_MAX = 200_000


@dataclass
class Recommendation:
    paper: StoredPaper
    score: float
    reasons: list[str]


@dataclass
class Recommendations:
    items: list[Recommendation]
    start: date
    end: date  # inclusive
    cold_start: bool
    positives: int
    dial: float
    categories: list[str] = field(default_factory=list)


def window(store: Store, span: str) -> tuple[date, date]:
    """The last day, 7 or 30 days up to the newest paper's publication day (an archive keeps a meaningful window)."""
    with store.read() as conn:
        newest = paper_store.published_range(conn)[1]
    last = (newest or datetime.now(UTC)).astimezone(UTC).date()
    return last - timedelta(days=RANGES[span] - 1), last


def settings_of(store: Store, account_id: int) -> StoredProfile | None:
    with store.read() as conn:
        return rec_store.profile_of(conn, account_id)


def _tokens(paper: PaperForModel) -> frozenset[str]:
    key = (paper.id, paper.content_hash)
    found = _TOKENS.get(key)
    if found is None:
        if len(_TOKENS) >= _TOKENS_MAX:
            _TOKENS.clear()
        found = _TOKENS[key] = tokens(f"{paper.title}\n{paper.abstract}")
    return found


def recommend(
    store: Store,
    config: Config,
    account_id: int,
    start: date,
    end: date,
    *,
    limit: int = 50,
    dial: float | None = None,
    weights: Weights = DEFAULT_WEIGHTS,
    now: datetime | None = None,
) -> Recommendations:
    """The member's best papers first published from `start` to `end` (inclusive), with reasons. Read-only."""
    begin = datetime.combine(start, time.min, UTC)
    stop = datetime.combine(end + timedelta(days=1), time.min, UTC)
    with store.read() as conn:
        stored = rec_store.profile_of(conn, account_id)
        positives, negatives = load_signals(conn, account_id)
        excluded = {p.paper_id for p in positives} | {p.paper_id for p in negatives}
        excluded |= rec_store.not_interested_ids(conn, account_id)
        papers = [p for p in rec_store.window_papers(conn, begin, stop) if p.id not in excluded]
        trending = feed_store.trending_candidates(conn, start=start, end=end)
    chosen = dial if dial is not None else (stored.dial if stored else DEFAULT_DIAL)
    categories = stored.categories if stored else []
    if stored is not None and stored.model is not None:
        profile = Profile.from_row(stored.model, stored.centroid, stored.negative)
    else:  # signals from before this member's first action: computed here, stored at their next one
        profile = build_profile(positives, negatives)
    anchor = min(now or datetime.now(UTC), stop)
    hot = _trending_scores(trending, anchor, float(config.get("DAILYPAPERS_TRENDING_GRAVITY")))
    cold = len(positives) < COLD_START
    if cold:
        ranked = _cold_start(papers, hot, categories)
    else:
        ranked = _personal(profile, positives, papers, hot, chosen, weights)
    top = ranked[: max(limit, 0)]
    with store.read() as conn:
        stored_papers = paper_store.papers_by_ids(conn, [paper_id for paper_id, _, _ in top])
    items = [Recommendation(stored_papers[pid], s, r) for pid, s, r in top if pid in stored_papers]
    return Recommendations(items, start, end, cold, len(positives), chosen, categories)


def _trending_scores(
    candidates: list[feed_store.Candidate], anchor: datetime, gravity: float
) -> dict[str, tuple[float, int]]:
    """{paper id: (trending score scaled to 0–1, upvotes)} of the window's listed papers."""
    ranked = rank_trending(candidates, anchor, gravity)
    best = max((s for _, s in ranked), default=0.0) or 1.0
    scores: dict[str, tuple[float, int]] = {}
    for cand, value in ranked:
        scores.setdefault(cand.paper_id, (value / best, cand.upvotes))
    return scores


def _personal(
    profile: Profile,
    positives: list[Any],
    papers: list[PaperForModel],
    hot: dict[str, tuple[float, int]],
    dial: float,
    weights: Weights,
) -> list[tuple[str, float, list[str]]]:
    candidates = [Candidate(p.id, p.title, p.authors, p.categories, _tokens(p), p.vector) for p in papers]
    scored = score(profile, positives, candidates, weights)
    if not scored:
        return []
    low, high = min(s.score for s in scored), max(s.score for s in scored)
    span = (high - low) or 1.0
    ranked = []
    for item in scored:
        trend, upvotes = hot.get(item.paper_id, (0.0, 0))
        value = (1 - dial) * (item.score - low) / span + dial * trend
        reasons = list(item.reasons)
        if dial > 0 and trend >= 0.25:
            reasons.append(f"trending on the site ({upvotes} upvote{'s' if upvotes != 1 else ''})")
        ranked.append((item.paper_id, round(value, 6), reasons))
    ranked.sort(key=lambda r: (-r[1], r[0]))
    return ranked


def _cold_start(
    papers: list[PaperForModel], hot: dict[str, tuple[float, int]], categories: list[str]
) -> list[tuple[str, float, list[str]]]:
    """Trending (then newest) among the window's papers in the member's categories (all papers if none chosen)."""
    wanted = set(categories)
    ranked = []
    for p in papers:
        shared = [c for c in p.categories if c in wanted]
        if wanted and not shared:
            continue
        trend, upvotes = hot.get(p.id, (0.0, 0))
        where = f"in {shared[0]}, a category you chose" if shared else "on the site"
        reason = f"trending {where} ({upvotes} upvote{'s' if upvotes != 1 else ''})" if trend else f"new {where}"
        published = p.published_at.timestamp() if p.published_at else 0.0
        ranked.append((p.id, round(trend, 6), [reason], published))
    ranked.sort(key=lambda r: (-r[1], -r[3], r[0]))
    return [(pid, s, reasons) for pid, s, reasons, _ in ranked]


def hidden_ids(store: Store, account_id: int | None, paper_ids: list[str]) -> set[str]:
    """Which of these papers the member marked not interested (hidden from their feed and search pages)."""
    if account_id is None or not paper_ids:
        return set()
    with store.read() as conn:
        return rec_store.not_interested_ids(conn, account_id, paper_ids)


@dataclass
class Signals:
    """What the settings page shows a member about their own model."""

    profile: Profile
    seeds: list[tuple[StoredPaper, datetime]]
    not_interested: list[tuple[StoredPaper, datetime]]
    positives: list[tuple[str, str, datetime]]
    settings: StoredProfile | None


def signals_of(store: Store, account_id: int) -> Signals:
    with store.read() as conn:
        positives, negatives = load_signals(conn, account_id)
        seeds = rec_store.marks_of(conn, seed_papers, account_id)
        marks = rec_store.marks_of(conn, not_interested, account_id)
        found = paper_store.papers_by_ids(conn, [pid for pid, _ in seeds + marks])
        raw = rec_store.positive_signals(conn, account_id)
        settings = rec_store.profile_of(conn, account_id)
    return Signals(
        build_profile(positives, negatives),
        [(found[pid], at) for pid, at in seeds if pid in found],
        [(found[pid], at) for pid, at in marks if pid in found],
        raw,
        settings,
    )


def export_of(store: Store, account_id: int) -> dict[str, Any]:
    """Everything the personal feed keeps about the member, as JSON-ready data (the settings page's download)."""
    data = signals_of(store, account_id)
    settings = data.settings
    return {
        "settings": {
            "dial": settings.dial if settings else DEFAULT_DIAL,
            "categories": settings.categories if settings else [],
            "private_feed": bool(settings and settings.has_feed),
        },
        "positives": [{"paper": pid, "kind": kind, "at": at.isoformat()} for pid, kind, at in data.positives],
        "seeds": [{"paper": p.id, "title": p.title, "at": at.isoformat()} for p, at in data.seeds],
        "not_interested": [{"paper": p.id, "title": p.title, "at": at.isoformat()} for p, at in data.not_interested],
        "model": data.profile.to_json(),
    }


def account_id_for_feed_token(store: Store, token: str) -> int | None:
    with store.read() as conn:
        return rec_store.account_id_of_feed_token(conn, rec_store.token_digest(token))
