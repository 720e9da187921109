"""A paper at a glance: keywords and the extractive TL;DR (made by `dailypapers index`), and the optional
abstractive summary (`dailypapers summarise`, through an OpenAI-compatible endpoint).

Both are derived from title + abstract and stored with that text's hash, so only new or changed papers are redone.
The LLM step never holds anything back: a failing or slow endpoint, or an answer that fails the checks in
ingest/llm.py, leaves the extractive TL;DR in place and the paper is tried again on a later run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from dailypapers.config import Config
from dailypapers.domain import IngestError
from dailypapers.ingest.llm import ask_summary, checked_summary, llm_client, llm_configured
from dailypapers.search.embed import Embedder, paper_text, text_hash
from dailypapers.search.keywords import keywords_for
from dailypapers.search.tldr import extractive_tldr
from dailypapers.storage import Store
from dailypapers.storage.glance import (
    count_papers_to_glance,
    mark_glance_checked,
    papers_to_glance,
    papers_to_summarise,
    save_ai_summary,
    save_glances,
)

log = logging.getLogger("dailypapers.glance")
Progress = Callable[[int, int], None]
BATCH = 256
GIVE_UP_AFTER = 3  # consecutive failed requests: the endpoint is down, stop instead of timing out on every paper


def glance_papers(
    store: Store, model: str, load: Callable[[], Embedder], batch: int = BATCH, progress: Progress | None = None
) -> int:
    """Keywords and TL;DR for every paper embedded with `model` whose text is new or changed; how many were made.

    Runs after embedding (it reuses each paper's stored vector); each batch commits on its own. `load` gives the
    model, called only when a paper's text changed (keywords embed candidate phrases), not for metadata changes."""
    with store.read() as conn:
        total = count_papers_to_glance(conn, model)
    made = checked = 0
    after = ""
    while True:
        with store.read() as conn:
            rows = papers_to_glance(conn, model, after, batch)
        if not rows:
            return made
        after = rows[-1]["id"]
        made += _glance_batch(store, load, rows)
        checked += len(rows)
        if progress:
            progress(checked, total)


def _glance_batch(store: Store, load: Callable[[], Embedder], rows: list[dict[str, Any]]) -> int:
    for row in rows:
        row["_hash"] = text_hash(paper_text(row["title"], row["abstract"]))
    todo = [r for r in rows if r["text_hash"] != r["_hash"]]
    papers = [(r["title"], r["abstract"], r["vector"]) for r in todo]
    keywords = keywords_for(load(), papers) if todo else []
    with store.write() as conn:
        save_glances(conn, [glance_row(r, r["_hash"], words) for r, words in zip(todo, keywords, strict=True)])
        unchanged = [r for r in rows if r["text_hash"] == r["_hash"]]
        mark_glance_checked(conn, [{"paper_id": r["id"], "content_hash": r["content_hash"]} for r in unchanged])
    return len(todo)


def glance_row(paper: dict[str, Any], text_hash: str, keywords: list[str]) -> dict[str, Any]:
    """The glance of a paper (id, title, abstract, content_hash) made from the text with `text_hash`."""
    return {
        "paper_id": paper["id"],
        "text_hash": text_hash,
        "content_hash": paper["content_hash"],
        "keywords": keywords,
        "tldr": extractive_tldr(paper["title"], paper["abstract"]),
    }


@dataclass
class SummariseSummary:
    asked: int = 0
    summarised: int = 0
    rejected: int = 0  # answers that failed the checks: the extractive TL;DR stays
    failed: int = 0  # requests that failed: tried again next run
    errors: list[str] | None = None

    @property
    def changed(self) -> bool:
        return bool(self.summarised)

    def line(self) -> str:
        text = f"asked {self.asked}, summarised {self.summarised}, rejected {self.rejected}, failed {self.failed}"
        return text + (f" (last error: {self.errors[-1]})" if self.errors else "")


class LlmNotConfigured(ValueError):
    """`summarise` needs DAILYPAPERS_LLM_URL and DAILYPAPERS_LLM_MODEL."""


def summarise_papers(
    store: Store, config: Config, days: int | None = None, *, limit: int | None = None, now: datetime | None = None
) -> SummariseSummary:
    """Ask the configured LLM for the summary of each paper (published in the last `days` days) that has none for
    its current text. Papers must have been indexed first (the glance row holds the text hash)."""
    if not llm_configured(config):
        raise LlmNotConfigured("set DAILYPAPERS_LLM_URL and DAILYPAPERS_LLM_MODEL to summarise with an LLM")
    model = config.text("DAILYPAPERS_LLM_MODEL").strip()
    since = (now or datetime.now(UTC)) - timedelta(days=days) if days is not None else None
    summary = SummariseSummary(errors=[])
    after = ""
    failing = 0
    with llm_client(config) as client:
        while (limit is None or summary.asked < limit) and failing < GIVE_UP_AFTER:
            with store.read() as conn:
                rows = papers_to_summarise(conn, model, since, after, 64)
            if not rows:
                break
            after = rows[-1]["id"]
            for row in rows[: None if limit is None else limit - summary.asked]:
                if failing >= GIVE_UP_AFTER:
                    break
                summary.asked += 1
                try:
                    answer = ask_summary(client, config, row["title"], row["abstract"])
                except IngestError as exc:
                    summary.failed += 1
                    failing += 1
                    summary.errors = [*(summary.errors or []), str(exc)][-3:]
                    log.warning("summary of %s failed: %s", row["id"], exc)
                    continue
                failing = 0
                kept = checked_summary(answer, row["title"], row["abstract"])
                with store.write() as conn:
                    save_ai_summary(conn, row["id"], row["text_hash"], kept, model)
                summary.summarised += kept is not None
                summary.rejected += kept is None
    return summary
