"""`dailypapers export {bibtex|ris|csv|jsonl}`: the whole store, a collection or a search, streamed.

With `-o FILE` the export is written to `FILE.part` and renamed when complete, so an interrupted export never
leaves a truncated file under the real name.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from dailypapers.cli.common import EXIT_INTERRUPTED, EXIT_USAGE, err_console, fail, load_config, opened_store

if TYPE_CHECKING:
    from dailypapers.queries.export import ExportRecord


class ExportFormat(StrEnum):
    bibtex = "bibtex"
    ris = "ris"
    csv = "csv"
    jsonl = "jsonl"


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        fail(f"--since {text!r} is not a date: use YYYY-MM-DD", EXIT_USAGE)


def export(
    fmt: ExportFormat = typer.Argument(..., help="bibtex, ris, csv or jsonl (the Kaggle snapshot format)."),
    collection: str | None = typer.Option(None, "--collection", help="Only this collection (its slug), in its order."),
    query: str | None = typer.Option(None, "--query", help="Only the matches of this search, best first."),
    since: str | None = typer.Option(None, "--since", help="Only papers first published on or after YYYY-MM-DD."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write to FILE instead of standard output."),
) -> None:
    """Export papers: every paper by id, a collection (`--collection`) or a search (`--query`); streamed."""
    from dailypapers.exports.formats import render
    from dailypapers.queries.export import collection_export, search_export, store_export
    from dailypapers.search.service import SearchError

    if collection and query:
        fail("give at most one of --collection and --query", EXIT_USAGE)
    day = _day(since)
    config = load_config()
    with opened_store(config) as store:
        try:
            records: Iterator[ExportRecord] | None
            if collection:
                records = collection_export(store, collection.strip(), None, day, operator=True)
                if records is None:
                    fail(f"there is no collection {collection!r}")
            elif query:
                try:
                    records = search_export(store, config, query, day)
                except SearchError as exc:
                    fail(str(exc), EXIT_USAGE)
            else:
                records = store_export(store, day)
            count = _write(render(fmt.value, records), output) - (1 if fmt is ExportFormat.csv else 0)
        except KeyboardInterrupt:
            err_console.print("interrupted: nothing was written under the output name")
            raise typer.Exit(EXIT_INTERRUPTED) from None
    err_console.print(f"exported {count} papers" + (f" to {output}" if output else ""), highlight=False)


def _write(chunks: Iterator[str], output: Path | None) -> int:
    """Write the chunks; returns how many were written (one per paper, plus CSV's header row)."""
    count = 0
    if output is None:
        for chunk in chunks:
            sys.stdout.write(chunk)
            count += 1
        sys.stdout.flush()
        return count
    partial = output.with_name(output.name + ".part")
    try:
        with partial.open("w", encoding="utf-8", newline="") as fh:
            for chunk in chunks:
                fh.write(chunk)
                count += 1
        os.replace(partial, output)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        fail(f"cannot write {output}: {exc}")
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return count
