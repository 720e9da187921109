"""The morning job (`dailypapers daily`, run by cron): ingest what is new, then index, then send digests.

Steps are plain calls in order. A step that fails, for whatever reason (a flaky arXiv, a full disk, a model that
will not load), is recorded and the next steps still run: nothing must hold back the digests of what was already
stored. The report says what changed and what failed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from dailypapers.config import Config
from dailypapers.domain import IngestError
from dailypapers.ingest.llm import llm_configured
from dailypapers.queries.thumbnails import thumbnails_enabled
from dailypapers.services.digests import send_due_digests
from dailypapers.services.fetches import drain_fetches
from dailypapers.services.glance import summarise_papers
from dailypapers.services.indexing import index_papers
from dailypapers.services.ingest import harvest_oai, ingest_hf_day, ingest_listings
from dailypapers.services.notifications import send_due_notifications
from dailypapers.services.thumbnails import make_thumbnails
from dailypapers.storage import Store

log = logging.getLogger("dailypapers.daily")

SOURCES = ("listing", "oai", "hf")
SUMMARISE_DAYS = 3
THUMBNAIL_DAYS = 2


class StepOutcome(Protocol):
    @property
    def changed(self) -> bool: ...

    def line(self) -> str: ...


@dataclass
class StepResult:
    name: str
    changed: bool = False
    line: str = ""
    error: str | None = None


@dataclass
class DailyReport:
    day: date
    steps: list[StepResult] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(step.changed for step in self.steps)

    @property
    def failed(self) -> bool:
        return any(step.error for step in self.steps)

    def run(self, name: str, step: Callable[[], StepOutcome]) -> StepResult:
        """Run one step; any error is recorded as its failure (Ctrl-C and exits still stop the job)."""
        try:
            outcome = step()
        except Exception as exc:
            # An ingest error or a bad setting explains itself; anything else (a broken environment, a bug) is
            # named by its type, with the traceback at debug level. Always one line, whatever the message holds.
            expected = isinstance(exc, IngestError | ValueError)
            error = " ".join((str(exc) if expected else f"{type(exc).__name__}: {exc}").split())
            log.error("daily step %s failed: %s", name, error)
            log.debug("daily step %s traceback", name, exc_info=not expected)
            result = StepResult(name, error=error)
        else:
            result = StepResult(name, outcome.changed, outcome.line())
        self.steps.append(result)
        return result


def daily_sources(config: Config) -> list[str]:
    names = config.comma_list("DAILYPAPERS_DAILY_SOURCES")
    unknown = [n for n in names if n not in SOURCES]
    if unknown:
        raise ValueError(f"DAILYPAPERS_DAILY_SOURCES: unknown source {', '.join(unknown)} (use {', '.join(SOURCES)})")
    return names


def run_daily(store: Store, config: Config, *, today: date | None = None) -> DailyReport:
    report = DailyReport(today or datetime.now(UTC).date())
    sources = daily_sources(config)
    # 1. Ingest what is new.
    if "listing" in sources:
        report.run("listing", lambda: ingest_listings(store, config))
    if "oai" in sources:
        report.run("oai", lambda: harvest_oai(store, config, today=report.day))
    if "hf" in sources:
        for day in (report.day - timedelta(days=1), report.day):  # yesterday's list still gathers upvotes
            report.run(f"hf {day.isoformat()}", lambda day=day: ingest_hf_day(store, config, day))  # type: ignore[misc]
    # 1b. Fetch the papers members asked for (the served app's worker may have done so already).
    report.run("fetches", lambda: drain_fetches(store, config))
    # 2. Index new papers for search (search helper adds its step here).
    report.run("index", lambda: index_papers(store, config))
    # 2b. AI summaries of the last days' papers, when an LLM endpoint is set (failures only keep extractive TL;DRs).
    if llm_configured(config):
        end_of_day = datetime.combine(report.day + timedelta(days=1), time(), UTC)
        report.run("summarise", lambda: summarise_papers(store, config, SUMMARISE_DAYS, now=end_of_day))
    # 3. Send digests (digest helper adds its step here).
    report.run("digests", lambda: send_due_digests(store, config, report.day))
    # 4. Notification email due (each member's immediate ones and yesterday's daily batch).
    report.run("notifications", lambda: send_due_notifications(store, config, report.day))
    # 5. Thumbnails of yesterday's and today's lists, last: they take a paced request each and only dress the cards.
    if thumbnails_enabled(config):
        report.run("thumbnails", lambda: make_thumbnails(store, config, days=THUMBNAIL_DAYS, today=report.day))
    return report
