"""A member's signals as the model reads them: positives (newest first) and negatives, with text and vectors."""

from __future__ import annotations

from sqlalchemy import Connection

from dailypapers.recommend.model import SignalPaper
from dailypapers.storage import recommendations as rec_store


def load_signals(conn: Connection, account_id: int) -> tuple[list[SignalPaper], list[SignalPaper]]:
    """(positives, negatives) of the member, in two reads; a paper marked not interested is never a positive."""
    signals = rec_store.positive_signals(conn, account_id)
    negative_ids = sorted(rec_store.not_interested_ids(conn, account_id))
    found = rec_store.papers_for_model(conn, [s[0] for s in signals] + negative_ids)

    def signal(paper_id: str, kind: str) -> SignalPaper:
        p = found[paper_id]
        return SignalPaper(paper_id, kind, p.title, f"{p.title}\n{p.abstract}", p.authors, p.categories, p.vector)

    negatives = [signal(pid, "not_interested") for pid in negative_ids if pid in found]
    excluded = set(negative_ids)
    positives = [signal(pid, kind) for pid, kind, _ in signals if pid in found and pid not in excluded]
    return positives, negatives
