"""Excerpts of abstracts for cards, meta descriptions and digests: one paragraph, cut cleanly (never in a formula)."""

from __future__ import annotations

import re

from dailypapers.latex import math_spans

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
    for a, b in math_spans(flat):
        if a < limit < b:  # never cut a LaTeX formula in two: the cards render whole ones
            limit = a
    return flat[:limit].rsplit(" ", 1)[0].rstrip(",.;:") + "…"
