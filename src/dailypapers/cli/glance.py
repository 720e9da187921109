"""`dailypapers summarise`: one-sentence AI summaries from the configured OpenAI-compatible endpoint."""

from __future__ import annotations

import typer

from dailypapers.cli.common import EXIT_INTERRUPTED, EXIT_USAGE, console, err_console, fail, load_config, store_for


def summarise(
    days: int | None = typer.Option(
        None, "--days", min=1, max=36500, help="Only papers published in the last N days (default: every paper)."
    ),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Ask about at most this many papers."),
) -> None:
    """Ask DAILYPAPERS_LLM_URL for the TL;DR of indexed papers that have none for their current text.

    A failed or rejected answer keeps the extractive TL;DR; exit 1 when requests failed (they are retried next run).
    """
    from dailypapers.services.glance import LlmNotConfigured, summarise_papers

    config = load_config()
    store = store_for(config)
    try:
        summary = summarise_papers(store, config, days, limit=limit)
    except LlmNotConfigured as exc:
        fail(str(exc), EXIT_USAGE)
    except KeyboardInterrupt:
        err_console.print("interrupted: summaries made so far are stored; run `dailypapers summarise` again")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    finally:
        store.dispose()
    console.print(summary.line(), highlight=False)
    if summary.failed:
        raise typer.Exit(1)
