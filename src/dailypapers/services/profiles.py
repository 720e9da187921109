"""`refresh_profile`: rebuild a member's model inside the transaction of the signal that changed it (an upvote, a
submission, a seed, a not-interested mark), so a request only ever reads a ready profile. Called by services/votes.py,
services/submissions.py and services/recommendations.py; bench/recommend.py measures its cost per upvote.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection

from dailypapers.recommend.model import DEFAULT_DIAL, build_profile
from dailypapers.recommend.signals import load_signals
from dailypapers.storage import recommendations as rec_store


def refresh_profile(conn: Connection, account_id: int) -> None:
    """Rebuild the member's model from their signals (in the caller's write transaction): three reads, two writes."""
    profile = build_profile(*load_signals(conn, account_id))
    now = datetime.now(UTC)
    rec_store.ensure_profile(conn, account_id, now, DEFAULT_DIAL)
    rec_store.update_profile(
        conn,
        account_id,
        model=profile.to_json(),
        centroid=None if profile.centroid is None else profile.centroid.tobytes(),
        negative=None if profile.negative is None else profile.negative.tobytes(),
        updated_at=now,
    )
