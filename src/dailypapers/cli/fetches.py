"""`dailypapers fetches run|list`: the queue of papers members asked to fetch from arXiv (services/fetches.py)."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from dailypapers.cli.common import EXIT_INTERRUPTED, console, err_console, fail, load_config, opened_store

app = typer.Typer(help="The queue of papers members asked to fetch from arXiv.", no_args_is_help=True)


@app.command("run")
def run(
    once: bool = typer.Option(False, "--once", help="Fetch what is due now, then exit (for cron)."),
) -> None:
    """Work the queue: with --once, fetch everything due and exit; else keep running while holding its lease.

    Requests are paced through the store, so this and any served app together keep arXiv's one request per
    DAILYPAPERS_HTTP_DELAY. Exit status with --once: 0 papers arrived, 3 nothing due, 1 some fetch failed.
    """
    from dailypapers.services.fetches import FetchWorker, drain_fetches

    config = load_config()
    with opened_store(config) as store:
        if once:
            report = drain_fetches(store, config)
            console.print(report.line(), highlight=False)
            if report.failed:
                raise typer.Exit(1)
            if not report.claimed:
                raise typer.Exit(3)
            return
        worker = FetchWorker(store, config)
        err_console.print("working the fetch queue; Ctrl-C stops", highlight=False)
        try:
            worker.run()
        except KeyboardInterrupt:
            raise typer.Exit(EXIT_INTERRUPTED) from None


@app.command("list")
def list_(
    state: list[str] = typer.Option(None, "--state", help="Only these states (queued, running, done, …)."),
    limit: int = typer.Option(100, "--limit", min=1, max=10_000, help="At most this many, newest change first."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """The queue's entries: id, state, attempts, next attempt, last error, who asked."""
    from dailypapers.queries.fetches import queued_fetches
    from dailypapers.storage.fetches import STATES

    unknown = [s for s in state or [] if s not in STATES]
    if unknown:
        fail(f"unknown state {', '.join(unknown)} (use {', '.join(STATES)})", 2)
    with opened_store(load_config()) as store:
        entries = queued_fetches(store, state or None, limit)
    if as_json:
        rows = [
            {
                "id": e.arxiv_id,
                "state": e.state,
                "attempts": e.attempts,
                "next_attempt_at": e.next_attempt_at.isoformat(),
                "last_error": e.last_error,
                "requested_by": e.requested_by,
                "requested_at": e.requested_at.isoformat(),
                "submission_day": e.submit_day.isoformat() if e.submit_day else None,
            }
            for e in entries
        ]
        print(json.dumps(rows))
        return
    if not entries:
        console.print("the fetch queue is empty")
        return
    table = Table("id", "state", "attempts", "next attempt", "last error", box=None)
    for e in entries:
        due = e.next_attempt_at.strftime("%Y-%m-%d %H:%M:%S") if e.state == "queued" else ""
        table.add_row(e.arxiv_id, e.state, str(e.attempts), due, (e.last_error or "")[:80])
    console.print(table)
