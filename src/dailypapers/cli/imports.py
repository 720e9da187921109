"""`dailypapers import kaggle|hf-daily FILE`: idempotent, streaming bulk imports."""

from __future__ import annotations

from collections.abc import Callable
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
from dailypapers.domain import ImportSummary

if TYPE_CHECKING:
    from dailypapers.ingest.files import LineSource
    from dailypapers.storage import Store

OnBatch = Callable[[ImportSummary], None]

app = typer.Typer(help="Bulk-import papers and daily listings from files.", no_args_is_help=True)

MAX_REPORTED = 20
FileArg = typer.Argument(..., help="A .jsonl or .jsonl.gz file.", show_default=False)


ReparseOption = typer.Option(
    False, "--reparse", help="Parse every line, even those this store has imported before (they are skipped)."
)


def run_import(path: Path, label: str, import_from: Callable[[Store, LineSource, OnBatch], ImportSummary]) -> None:
    """Import one file with a progress bar; report rejected lines; exit 130 with a note if interrupted."""
    from dailypapers.ingest.files import LineSource

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

                summary = import_from(store, source, on_batch)
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


@app.command("kaggle")
def import_kaggle(path: Path = FileArg, reparse: bool = ReparseOption) -> None:
    """Import the Kaggle arXiv metadata snapshot (arxiv-metadata-oai-snapshot.json format)."""
    from dailypapers.ingest.kaggle import LINE_FORMAT, items_from_line
    from dailypapers.services.import_lines import import_lines

    def import_from(store: Store, source: LineSource, on_batch: OnBatch) -> ImportSummary:
        return import_lines(store, source, items_from_line, LINE_FORMAT, reparse=reparse, on_batch=on_batch)

    run_import(path, "kaggle", import_from)


@app.command("hf-daily")
def import_hf_daily(path: Path = FileArg, reparse: bool = ReparseOption) -> None:
    """Import Hugging Face Daily Papers responses: papers, daily listings and their upvotes."""
    from dailypapers.ingest.hf_daily import LINE_FORMAT, is_json_array, items_from_line, read_hf_daily
    from dailypapers.services.import_lines import import_lines
    from dailypapers.services.imports import import_items

    def import_from(store: Store, source: LineSource, on_batch: OnBatch) -> ImportSummary:
        if is_json_array(source):  # one response, not one day per line: nothing to skip by line
            return import_items(store, read_hf_daily(source), on_batch=on_batch)
        return import_lines(store, source, items_from_line, LINE_FORMAT, reparse=reparse, on_batch=on_batch)

    run_import(path, "hf-daily", import_from)
