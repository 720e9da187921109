"""Reads behind "For you" (page, API, Atom feed, digest): a member's ranked papers with reasons, their settings and
signals for the settings page, and the JSON export. Everything is keyed by the member's own account id.

Ranking (docs/recommendations.md): the candidates are the papers first published in the window, minus the member's
positives and not-interested papers. With at least COLD_START positives each is scored by the member's model
(recommend/model.py) and the score, scaled to 0–1 over the window, is blended with community trending (also 0–1):
`(1 − dial) · personal + dial · trending`. With fewer, the list is trending in the member's chosen categories.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from time import monotonic
from typing import Any

import numpy as np
from sqlalchemy import Connection

from dailypapers.config import Config
from dailypapers.queries.feed import rank_trending
from dailypapers.recommend.model import (
    DEFAULT_DIAL,
    DEFAULT_WEIGHTS,
    Profile,
    SignalPaper,
    Weights,
    build_profile,
    explain,
    score,
)
from dailypapers.recommend.signals import load_signals
from dailypapers.recommend.window import Window, tokens
from dailypapers.storage import Store
from dailypapers.storage import feed as feed_store
from dailypapers.storage import papers as paper_store
from dailypapers.storage import recommendations as rec_store
from dailypapers.storage.papers import StoredPaper
from dailypapers.storage.recommendations import StoredProfile
from dailypapers.storage.schema import not_interested, seed_papers

COLD_START = 3  # fewer positives than this: trending in the member's categories
RANGES = {"day": 1, "week": 7, "month": 30}
WINDOWS_KEPT = 8  # prepared candidate windows kept per process (a month of papers: ~10 MB)
RECHECK_SECONDS = 30.0  # a new or re-embedded paper joins the prepared window within this long
_WINDOWS: dict[tuple[str, datetime, datetime], tuple[tuple[Any, ...], Window, float]] = {}
_LOCK = threading.Lock()


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


def _window(conn: Connection, begin: datetime, stop: datetime) -> Window:
    """The window's candidates, prepared once per process and reused until a paper or embedding in it changes."""
    key = (str(conn.engine.url), begin, stop)
    cached = _WINDOWS.get(key)
    if cached is not None and monotonic() - cached[2] < RECHECK_SECONDS:
        return cached[1]
    version = rec_store.window_version(conn, begin, stop)
    if cached is not None and cached[0] == version:
        _WINDOWS[key] = (version, cached[1], monotonic())
        return cached[1]
    papers = rec_store.window_papers(conn, begin, stop)
    dim = next((p.vector.shape[0] for p in papers if p.vector is not None), 0)
    matrix = np.zeros((len(papers), dim), dtype=np.float32)
    for row, paper in enumerate(papers):
        if paper.vector is not None:
            matrix[row] = paper.vector
    window = Window(
        ids=[p.id for p in papers],
        titles=[p.title for p in papers],
        authors=[list(p.authors) for p in papers],
        categories=[list(p.categories) for p in papers],
        tokens=[tokens(f"{p.title}\n{p.abstract}") for p in papers],
        published=[p.published_at.timestamp() if p.published_at else 0.0 for p in papers],
        matrix=matrix,
        has_vector=np.array([p.vector is not None for p in papers], dtype=bool),
    )
    with _LOCK:
        _WINDOWS[key] = (version, window, monotonic())
        while len(_WINDOWS) > WINDOWS_KEPT:
            _WINDOWS.pop(next(iter(_WINDOWS)))
    return window


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
    stop = datetime.combine(end + timedelta(days=1), time.min, UTC)
    with store.read() as conn:
        stored, positives, negatives, window, upvoted = _member_inputs(conn, account_id, start, end)
        trending = feed_store.trending_candidates(conn, start=start, end=end)
    chosen = dial if dial is not None else (stored.dial if stored else DEFAULT_DIAL)
    categories = stored.categories if stored else []
    profile = _profile(stored, positives, negatives)
    anchor = min(now or datetime.now(UTC), stop)
    hot, upvotes = _trending(window, trending, anchor, float(config.get("DAILYPAPERS_TRENDING_GRAVITY")))
    keep = _rankable(window, positives, negatives, upvoted)
    cold = len(positives) < COLD_START
    if cold:
        top = _cold_start(window, keep, hot, upvotes, categories, limit)
    else:
        top = _personal(profile, positives, window, keep, hot, upvotes, chosen, weights, limit)
    with store.read() as conn:
        stored_papers = paper_store.papers_by_ids(conn, [paper_id for paper_id, _, _ in top])
    items = [Recommendation(stored_papers[pid], s, r) for pid, s, r in top if pid in stored_papers]
    return Recommendations(items, start, end, cold, len(positives), chosen, categories)


def _profile(stored: StoredProfile | None, positives: list[SignalPaper], negatives: list[SignalPaper]) -> Profile:
    if stored is not None and stored.model is not None:
        return Profile.from_row(stored.model, stored.centroid, stored.negative)
    return build_profile(positives, negatives)  # signals from before the member's first action: stored at the next


def _rankable(
    window: Window, positives: list[SignalPaper], negatives: list[SignalPaper], upvoted: set[str]
) -> np.ndarray:
    """False for the member's positives, not-interested and upvoted papers: never recommended back."""
    keep = np.ones(len(window.ids), dtype=bool)
    for paper_id in {p.paper_id for p in positives} | {p.paper_id for p in negatives} | upvoted:
        if paper_id in window.row_of:
            keep[window.row_of[paper_id]] = False
    return keep


def personal_parts(
    store: Store, account_id: int, start: date, end: date
) -> tuple[list[str], np.ndarray, dict[str, np.ndarray]]:
    """(candidate ids, which may be ranked, each normalised, unweighted part of the personal score): what
    bench/recommend.py tunes the weights on, the same computation `recommend` weighs. Read-only."""
    with store.read() as conn:
        stored, positives, negatives, window, upvoted = _member_inputs(conn, account_id, start, end)
    profile = _profile(stored, positives, negatives)
    keep = _rankable(window, positives, negatives, upvoted)
    return window.ids, keep, score(profile, positives, window).parts


def _member_inputs(conn: Connection, account_id: int, start: date, end: date) -> tuple[Any, Any, Any, Window, Any]:
    """What both the ranking and the bench's score parts read: profile row, signals, the period's window, upvotes."""
    begin = datetime.combine(start, time.min, UTC)
    stop = datetime.combine(end + timedelta(days=1), time.min, UTC)
    stored = rec_store.profile_of(conn, account_id)
    positives, negatives = load_signals(conn, account_id)
    window = _window(conn, begin, stop)
    return stored, positives, negatives, window, rec_store.upvoted_ids_published_between(conn, account_id, begin, stop)


def _trending(
    window: Window, candidates: list[feed_store.Candidate], anchor: datetime, gravity: float
) -> tuple[np.ndarray, np.ndarray]:
    """(trending score scaled to 0–1, upvotes) per window row; 0 for papers not listed in the period."""
    hot, upvotes = np.zeros(len(window.ids)), np.zeros(len(window.ids), dtype=int)
    ranked = rank_trending(candidates, anchor, gravity)
    best = max((s for _, s in ranked), default=0.0) or 1.0
    for cand, value in reversed(ranked):  # a paper listed twice keeps its best
        row = window.row_of.get(cand.paper_id)
        if row is not None:
            hot[row], upvotes[row] = value / best, cand.upvotes
    return hot, upvotes


def _votes(n: int) -> str:
    return f"{n} upvote{'s' if n != 1 else ''}"


def _personal(
    profile: Profile,
    positives: list[SignalPaper],
    window: Window,
    keep: np.ndarray,
    hot: np.ndarray,
    upvotes: np.ndarray,
    dial: float,
    weights: Weights,
    limit: int,
) -> list[tuple[str, float, list[str]]]:
    if not keep.any():
        return []
    scores = score(profile, positives, window, weights)
    values = scores.values
    low, high = float(values[keep].min()), float(values[keep].max())
    final = (1 - dial) * (values - low) / ((high - low) or 1.0) + dial * hot
    final = np.where(keep, final, -np.inf)
    order = np.lexsort((np.arange(len(final)), -final))[: min(max(limit, 0), int(keep.sum()))]
    top = []
    for row in order.tolist():
        reasons = explain(profile, positives, window, scores, row)
        if dial > 0 and hot[row] >= 0.25:
            reasons.append(f"trending on the site ({_votes(int(upvotes[row]))})")
        top.append((window.ids[row], round(float(final[row]), 6), reasons))
    return top


def _cold_start(
    window: Window, keep: np.ndarray, hot: np.ndarray, upvotes: np.ndarray, categories: list[str], limit: int
) -> list[tuple[str, float, list[str]]]:
    """Trending (then newest) among the window's papers in the member's categories (all papers if none chosen)."""
    wanted = set(categories)
    ranked = []
    for row in np.flatnonzero(keep).tolist():
        shared = [c for c in window.categories[row] if c in wanted]
        if wanted and not shared:
            continue
        where = f"in {shared[0]}, a category you chose" if shared else "on the site"
        ranked.append((-hot[row], -window.published[row], window.ids[row], row, where))
    ranked.sort()
    top = []
    for _, _, paper_id, row, where in ranked[: max(limit, 0)]:
        reason = f"trending {where} ({_votes(int(upvotes[row]))})" if hot[row] else f"new {where}"
        top.append((paper_id, round(float(hot[row]), 6), [reason]))
    return top


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
