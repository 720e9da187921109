"""`dailypapers index` (embed new/changed papers, update the vector index) and `dailypapers search QUERY`."""

from __future__ import annotations

import json
import re
import sys
from datetime import date

import typer

from dailypapers.cli.common import EXIT_INTERRUPTED, EXIT_USAGE, console, err_console, fail, load_config, opened_store


def index(
    workers: int = typer.Option(
        0,
        "--workers",
        help="Embed in N processes that claim batches from the store (several machines may share one PostgreSQL); "
        "0 embeds in this process.",
    ),
) -> None:
    """Embed new and changed papers, update the nearest-neighbour index, merge the full-text index (incremental)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from dailypapers.services.indexing import index_papers

    if not 0 <= workers <= 64:
        fail(f"--workers must be between 0 and 64, not {workers}", EXIT_USAGE)
    config = load_config()
    with opened_store(config) as store:
        try:
            if sys.stderr.isatty():
                columns = [
                    TextColumn("[bold]embedding"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TimeElapsedColumn(),
                    TimeRemainingColumn(),
                ]
                with Progress(*columns, console=err_console) as bar:
                    task = bar.add_task("embedding", total=None)
                    summary = index_papers(
                        store,
                        config,
                        lambda done, total: bar.update(task, completed=done, total=total),
                        workers=workers or None,
                    )
            else:
                summary = index_papers(store, config, workers=workers or None)
        except KeyboardInterrupt:
            err_console.print("interrupted: finished batches are stored; run `dailypapers index` again to continue")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except (ValueError, OSError) as exc:
            fail(str(exc))
    console.print(summary.line(), highlight=False)


def _day(value: str | None, option: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option} must be a date like 2026-01-31, not {value[:40]!r}", EXIT_USAGE)


def search(
    query: str = typer.Argument(..., help='Words, "a phrase", author:NAME, cat:cs.CL, or an arXiv id/URL.'),
    limit: int = typer.Option(10, "--limit", "-n", help="How many results (1-100)."),
    category: str | None = typer.Option(None, "--category", "-c", help="Only this arXiv category (e.g. cs.CL)."),
    author: str | None = typer.Option(None, "--author", "-a", help="Only papers with this author."),
    date_from: str | None = typer.Option(None, "--from", help="Published on or after this day (YYYY-MM-DD)."),
    date_to: str | None = typer.Option(None, "--to", help="Published on or before this day (YYYY-MM-DD)."),
    sort: str = typer.Option("relevance", "--sort", help="relevance, newest or upvotes."),
    mode: str = typer.Option("hybrid", "--mode", help="hybrid, text or semantic."),
    has_code: bool = typer.Option(False, "--has-code", help="Only papers with a code repository (or has:code)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """Search papers from the command line with the same ranking as the site."""
    from dailypapers.search.service import SearchError, SearchRequest, search_papers

    request = SearchRequest(
        q=query,
        limit=limit,
        date_from=_day(date_from, "--from"),
        date_to=_day(date_to, "--to"),
        category=category,
        author=author,
        sort=sort,
        mode=mode,
        has_code=has_code,
    )
    config = load_config()
    with opened_store(config) as store:
        try:
            results = search_papers(store, config, request)
        except SearchError as exc:
            fail(str(exc), EXIT_USAGE)
    if as_json:
        rows = [
            {
                "id": hit.paper.id,
                "title": hit.paper.title,
                "authors": hit.paper.authors,
                "published_at": hit.paper.published_at.isoformat() if hit.paper.published_at else None,
                "categories": hit.paper.categories,
                "upvotes": hit.paper.upvotes,
                "score": round(hit.score, 6),
                "snippet": hit.snippet,
                "url": hit.paper.abs_url,
                "code_url": hit.paper.code_url,
                "project_url": hit.paper.project_url,
                "tldr": hit.paper.glance.summary if hit.paper.glance else None,
                "keywords": hit.paper.glance.keywords if hit.paper.glance else [],
            }
            for hit in results.hits
        ]
        print(json.dumps({"exact_match": results.exact_match, "semantic": results.semantic, "results": rows}))
        return
    if not results.hits:
        console.print("no results", highlight=False)
        return
    for rank, hit in enumerate(results.hits, 1):
        paper = hit.paper
        day = paper.published_at.date().isoformat() if paper.published_at else "?"
        authors = ", ".join(paper.authors[:3]) + (" et al." if len(paper.authors) > 3 else "")
        console.print(f"[bold]{rank:>2}. {_escape(paper.title)}[/]", highlight=False)
        console.print(f"    {paper.id} · {day} · {_escape(authors)} · ▲ {paper.upvotes}", highlight=False)
        text = re.sub(r"<mark>(.*?)</mark>", r"[reverse]\1[/reverse]", _escape(_unescape(hit.snippet)))
        console.print(f"    {text}", highlight=False)


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
