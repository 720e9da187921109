"""Excerpts of abstracts for cards, meta descriptions and digests: one paragraph, cut cleanly."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def excerpt(text: str, limit: int, *, sentences: bool = False) -> str:
    """At most `limit` characters of `text` on one line; longer text is cut at a word, with an ellipsis.

    With `sentences`, whole sentences are kept instead when they fill at least half the limit (digests)."""
    flat = " ".join((text or "").split())
    if len(flat) <= limit:
        return flat
    if sentences:
        kept = ""
        for sentence in _SENTENCE_END.split(flat):
            if len(kept) + len(sentence) + 1 > limit:
                break
            kept = f"{kept} {sentence}".strip()
        if len(kept) >= limit // 2:
            return kept
    return flat[:limit].rsplit(" ", 1)[0].rstrip(",.;:") + "…"
