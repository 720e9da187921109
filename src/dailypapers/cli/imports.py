"""`dailypapers import kaggle|hf-daily FILE`: idempotent, streaming bulk imports."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from dailypapers.cli.common import (
    EXIT_INTERRUPTED,
    byte_progress,
    console,
    err_console,
    fail,
    load_config,
    opened_store,
)
from dailypapers.domain import ImportItem, ImportSummary

if TYPE_CHECKING:
    from dailypapers.ingest.files import LineSource

app = typer.Typer(help="Bulk-import papers and daily listings from files.", no_args_is_help=True)

MAX_REPORTED = 20
FileArg = typer.Argument(..., help="A .jsonl or .jsonl.gz file.", show_default=False)


def run_import(path: Path, reader: Callable[[LineSource], Iterator[ImportItem]], label: str) -> ImportSummary:
    """Import one file with a progress bar; report rejected lines; exit 130 with a note if interrupted."""
    from dailypapers.ingest.files import LineSource
    from dailypapers.services.imports import import_items

    try:
        source = LineSource(path)
    except FileNotFoundError as exc:
        fail(str(exc))
    summary = ImportSummary()
    with opened_store(load_config()) as store:
        try:
            with byte_progress(f"import {label}", source.total) as advance:

                def on_batch(current: ImportSummary) -> None:
                    advance(source.done)

                summary = import_items(store, reader(source), on_batch=on_batch)
        except KeyboardInterrupt:
            err_console.print("interrupted: every finished batch is stored; run the same command again to finish")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except UnicodeDecodeError as exc:
            fail(f"{path} is not UTF-8 text: {exc}")
    for message in summary.errors[:MAX_REPORTED]:
        err_console.print(f"rejected {message}", highlight=False, soft_wrap=True)
    if len(summary.errors) > MAX_REPORTED:
        err_console.print(f"… and {len(summary.errors) - MAX_REPORTED} more rejected lines")
    console.print(summary.line(), highlight=False)
    return summary


@app.command("kaggle")
def import_kaggle(path: Path = FileArg) -> None:
    """Import the Kaggle arXiv metadata snapshot (arxiv-metadata-oai-snapshot.json format)."""
    from dailypapers.ingest.kaggle import read_kaggle

    run_import(path, read_kaggle, "kaggle")


@app.command("hf-daily")
def import_hf_daily(path: Path = FileArg) -> None:
    """Import Hugging Face Daily Papers responses: papers, daily listings and their upvotes."""
    from dailypapers.ingest.hf_daily import read_hf_daily

    run_import(path, read_hf_daily, "hf-daily")
