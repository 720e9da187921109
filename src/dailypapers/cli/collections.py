"""`dailypapers collections import FILE --user NAME --collection SLUG [--fetch]`: a BibTeX file into a collection."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from dailypapers.cli.common import console, err_console, fail, load_config, opened_store

if TYPE_CHECKING:
    from dailypapers.services.bibtex_import import BibImportReport

app = typer.Typer(help="Members' collections.", no_args_is_help=True)
MAX_REPORTED = 50


@app.command("import")
def import_file(
    path: Path = typer.Argument(..., help="A BibTeX file (a Zotero or Google Scholar export).", show_default=False),
    user: str = typer.Option(..., "--user", help="The member who owns the collection."),
    collection: str = typer.Option(..., "--collection", help="The collection's slug."),
    fetch: bool = typer.Option(False, "--fetch", help="Fetch arXiv papers the store lacks from the arXiv API."),
) -> None:
    """Match each entry to a paper (arXiv id, DOI, then exact title), add the matches, report the rest."""
    from dailypapers.services import accounts
    from dailypapers.services.bibtex_import import decode_upload, import_bibtex
    from dailypapers.services.collections import CollectionError, UnknownCollection

    try:
        data = path.read_bytes()
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror or exc}")
    config = load_config()
    with opened_store(config) as store:
        try:
            owner = accounts.account_named(store, user)
            if owner is None:
                fail(f"there is no member named {user!r}")
            report = import_bibtex(store, config, owner, collection.strip(), decode_upload(data), fetch=fetch)
        except UnknownCollection:
            fail(f"{user} has no collection {collection!r}")
        except CollectionError as exc:
            fail(str(exc))
    _print(report)


def _print(report: BibImportReport) -> None:
    problems = [f"line {line}: broken entry ({what})" for line, what in report.broken]
    problems += [f"line {n}: {key}: arXiv {arxiv} is not in the store yet" for n, key, arxiv in report.not_in_store]
    problems += [f"line {line}: {key}: no paper matches {title!r}" for line, key, title in report.unmatched]
    for message in problems[:MAX_REPORTED]:
        err_console.print(message, highlight=False, soft_wrap=True)
    if len(problems) > MAX_REPORTED:
        err_console.print(f"… and {len(problems) - MAX_REPORTED} more")
    if report.fetch_error:
        err_console.print(report.fetch_error, highlight=False)
    if report.not_in_store and not report.fetched:
        err_console.print("run again with --fetch to fetch the missing arXiv papers", highlight=False)
    console.print(report.line(), highlight=False)
