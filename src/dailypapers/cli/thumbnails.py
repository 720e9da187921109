"""`dailypapers thumbnails`: first-page thumbnails of the papers on recent daily lists (services/thumbnails.py)."""

from __future__ import annotations

import typer

from dailypapers.cli.common import EXIT_INTERRUPTED, EXIT_USAGE, console, err_console, fail, load_config, store_for


def thumbnails(
    days: int = typer.Option(1, "--days", help="Papers on the lists of the last N days (1: today's list)."),
    limit: int | None = typer.Option(None, "--limit", help="Try at most this many papers."),
) -> None:
    """Fetch the PDFs of listed papers that have no thumbnail (and those queued by paper pages), draw their first
    pages and store them under $DAILYPAPERS_HOME/thumbnails.

    Requests are paced (DAILYPAPERS_HTTP_DELAY, shared with every process through the store). A paper whose PDF
    failed is tried again in a later run, not at once. Exit 1 when some fetch failed.
    """
    from dailypapers.queries.thumbnails import thumbnails_enabled
    from dailypapers.services.thumbnails import checked_days, make_thumbnails

    try:
        checked_days(days)
        if limit is not None and limit < 1:
            raise ValueError(f"--limit must be at least 1, not {limit}")
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)
    config = load_config()
    if not thumbnails_enabled(config):
        fail("thumbnails are off: DAILYPAPERS_ARXIV_PDF_URL is empty", EXIT_USAGE)
    store = store_for(config)
    try:
        run = make_thumbnails(store, config, days=days, limit=limit)
    except KeyboardInterrupt:
        err_console.print("interrupted: thumbnails made so far are kept; run `dailypapers thumbnails` again")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    finally:
        store.dispose()
    console.print(run.line(), highlight=False)
    if run.failed:
        raise typer.Exit(1)
