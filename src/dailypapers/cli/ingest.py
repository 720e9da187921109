"""`dailypapers ingest oai|arxiv|listing|hf` and `dailypapers daily`: live sources, thin over services.ingest."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import typer

from dailypapers.cli.common import EXIT_INTERRUPTED, console, err_console, fail, load_config, opened_store
from dailypapers.config import Config
from dailypapers.domain import IngestError, InvalidArxivId, NothingStored, PaperNotFound

if TYPE_CHECKING:
    from dailypapers.services import ingest as service
    from dailypapers.storage import Store

app = typer.Typer(help="Fetch papers from live sources: arXiv OAI-PMH, API, daily listings, HF daily papers.")

EXIT_NOTHING_CHANGED = 3
MAX_REPORTED = 20

BaseUrl = typer.Option(None, "--base-url", help="Endpoint to use instead of the configured one (mirrors, tests).")


@contextmanager
def _session() -> Iterator[tuple[Store, Config]]:
    """The store, with every ingest failure turned into one line and a non-zero exit."""
    config = load_config()
    with opened_store(config) as store:
        try:
            yield store, config
        except (PaperNotFound, NothingStored) as exc:
            fail(str(exc))
        except IngestError as exc:
            fail(f"{exc}; everything fetched before this was stored, run the command again to continue")
        except (InvalidArxivId, ValueError) as exc:
            fail(str(exc), 2)
        except KeyboardInterrupt:
            err_console.print("interrupted: every finished page is stored; run the same command again to continue")
            raise typer.Exit(EXIT_INTERRUPTED) from None


def _print(report: service.IngestReport) -> None:
    for message in report.summary.errors[:MAX_REPORTED]:
        err_console.print(f"rejected {message}", highlight=False, soft_wrap=True)
    console.print(report.line(), highlight=False)


@app.command("oai")
def ingest_oai(
    set_spec: str = typer.Option(None, "--set", help="OAI-PMH set, e.g. cs (default: DAILYPAPERS_OAI_SET)."),
    from_: str = typer.Option(None, "--from", help="First datestamp, YYYY-MM-DD (default: the last harvested one)."),
    until: str = typer.Option(None, "--until", help="Last datestamp (YYYY-MM-DD)."),
    fmt: str = typer.Option(None, "--format", help="arXivRaw or arXiv (default: DAILYPAPERS_OAI_FORMAT)."),
    restart: bool = typer.Option(False, "--restart", help="Ignore the checkpoint of an unfinished harvest."),
    base_url: str = BaseUrl,
) -> None:
    """Harvest arXiv over OAI-PMH; resumes an interrupted harvest, then continues from the last datestamp."""
    from dailypapers.services import ingest as service

    for value, name in ((from_, "--from"), (until, "--until")):
        if value:
            _check_day(value, name)

    def progress(report: service.IngestReport) -> None:
        err_console.print(f"page {report.pages}: {report.summary.line()}", highlight=False)

    with _session() as (store, config):
        report = service.harvest_oai(
            store,
            config,
            set_spec=set_spec,
            prefix=fmt,
            from_=from_,
            until=until,
            restart=restart,
            base_url=base_url,
            on_page=progress,
        )
    _print(report)


@app.command("arxiv")
def ingest_arxiv(
    ids: list[str] = typer.Argument(None, help="arXiv ids or URLs (2401.00001, 2401.00001v2, hep-th/9901001)."),
    query: str = typer.Option(None, "--query", help="An arXiv API search query instead of ids (e.g. cat:cs.LG)."),
    limit: int = typer.Option(100, "--limit", min=1, help="With --query: how many results to store."),
    base_url: str = BaseUrl,
) -> None:
    """Fetch papers from the arXiv API by id (or by search query) and store them."""
    from dailypapers.services import ingest as service

    if bool(ids) == bool(query):
        fail("give arXiv ids or --query (one of them)", 2)
    with _session() as (store, config):
        if query:
            report = service.ingest_arxiv_search(store, config, query, limit=limit, base_url=base_url)
        else:
            report = service.ingest_arxiv_ids(store, config, ids, base_url=base_url)
    _print(report)


@app.command("listing")
def ingest_listing(
    categories: list[str] = typer.Argument(
        None, help="Categories, e.g. cs.LG cs.CL (default: DAILYPAPERS_CATEGORIES)."
    ),
    force: bool = typer.Option(False, "--force", help="Fetch again even if this announcement day is done."),
    base_url: str = BaseUrl,
    api_url: str = typer.Option(None, "--api-url", help="arXiv API endpoint for the metadata lookups."),
) -> None:
    """Store today's announced papers (new and cross-lists, new versions of stored ones) of some categories."""
    from dailypapers.services import ingest as service

    with _session() as (store, config):
        report = service.ingest_listings(
            store, config, categories=categories or None, force=force, base_url=base_url, api_url=api_url
        )
    _print(report)


@app.command("hf")
def ingest_hf(
    days: list[str] = typer.Argument(None, help="Days, YYYY-MM-DD (default: today, UTC)."),
    base_url: str = BaseUrl,
) -> None:
    """Import days of a Hugging Face-compatible daily papers API: papers, listings and upvotes."""
    from dailypapers.services import ingest as service

    wanted = [_check_day(d, "day") for d in days] if days else [datetime.now(UTC).date()]
    with _session() as (store, config):
        for day in wanted:
            _print(service.ingest_hf_day(store, config, day, endpoint=base_url))


def daily() -> None:
    """The morning job for cron: ingest what is new (DAILYPAPERS_DAILY_SOURCES), index, send digests.

    Exit status: 0 something changed, 3 nothing changed, 1 a step failed (the others still ran).
    """
    from dailypapers.services.daily import run_daily

    with _session() as (store, config):
        report = run_daily(store, config)
    for step in report.steps:
        if step.error:
            err_console.print(f"[bold red]{step.name} failed:[/] {step.error}", highlight=False, soft_wrap=True)
        else:
            console.print(step.line, highlight=False)
    if report.failed:
        raise typer.Exit(1)
    if not report.changed:
        console.print("nothing changed")
        raise typer.Exit(EXIT_NOTHING_CHANGED)


def _check_day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{name} must be a date like 2026-11-26, not {text!r}", 2)
