"""The `dailypapers` command line. Each sub-app lives in its own module; this file only assembles them."""

from __future__ import annotations

import json

import typer

from dailypapers.cli import (
    collections,
    db,
    digest,
    export,
    fetches,
    glance,
    imports,
    ingest,
    notifications,
    search,
    serve,
    subscribers,
    thumbnails,
    users,
)
from dailypapers.cli.common import console, load_config, opened_store
from dailypapers.config import settings_markdown

app = typer.Typer(
    help="dailypapers: a self-hosted daily arXiv paper feed with upvotes, hybrid search and email digests.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(db.app, name="db")
app.add_typer(imports.app, name="import")
app.add_typer(ingest.app, name="ingest")
app.add_typer(fetches.app, name="fetches")
app.command("daily")(ingest.daily)
app.command("init")(db.init)
app.command("serve")(serve.serve)
app.add_typer(users.app, name="user")
app.add_typer(subscribers.app, name="subscribers")
app.add_typer(digest.app, name="digest")
app.add_typer(collections.app, name="collections")
app.add_typer(notifications.app, name="notifications")
app.command("index")(search.index)
app.command("search")(search.search)
app.command("export")(export.export)
app.command("summarise")(glance.summarise)
app.command("thumbnails")(thumbnails.thumbnails)


@app.command("stats")
def stats(as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts.")) -> None:
    """Counts of papers, days, listings, votes and accounts, and the date range covered."""
    from rich.table import Table

    from dailypapers.queries.stats import store_stats

    with opened_store(load_config()) as store:
        result = store_stats(store)
    if as_json:
        print(json.dumps(result.as_dict()))
        return
    table = Table(show_header=False, box=None)
    for key, value in result.as_dict().items():
        table.add_row(key.replace("_", " "), "—" if value is None else str(value))
    console.print(table)


@app.command("config")
def config_cmd(
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
    markdown: bool = typer.Option(False, "--markdown", help="Print the settings table of docs/configuration.md."),
) -> None:
    """Print every setting with its current value (secrets redacted) and what it does."""
    if markdown:
        print(settings_markdown(), end="")
        return
    rows = load_config().redacted()
    if as_json:
        print(json.dumps({name: value for name, value, _ in rows}))
        return
    for name, value, help_text in rows:
        print(f"# {help_text}\n{name}={value}")


@app.command("demo")
def demo() -> None:
    """Create the store if needed and load the bundled demo sample (four weeks of real daily papers)."""
    from dailypapers.demo import load_demo, load_demo_vectors

    db.upgrade_store()
    config = load_config()
    with opened_store(config) as store:
        papers, daily = load_demo(store)
        vectors = load_demo_vectors(store, config)
    console.print(f"demo arXiv papers: {papers.line()}", highlight=False)
    console.print(f"demo daily lists: {daily.line()}", highlight=False)
    console.print(f"demo {vectors.line()}", highlight=False)


def main() -> None:
    app()
