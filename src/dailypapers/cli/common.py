"""What every command shares: the store, one-line errors with exit codes, progress bars."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.console import Console

from dailypapers.config import Config, SettingError

if TYPE_CHECKING:
    from dailypapers.storage import Store

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

EXIT_USAGE = 2
EXIT_FAILURE = 1
EXIT_INTERRUPTED = 130


def fail(message: str, code: int = EXIT_FAILURE) -> NoReturn:
    """Print one line saying what was wrong and exit with `code`."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def day_or_today(day: str | None) -> date:
    """A `--date YYYY-MM-DD` option's day, or today (UTC); a malformed one stops the command (exit 2)."""
    try:
        return date.fromisoformat(day) if day else datetime.now(UTC).date()
    except ValueError:
        fail(f"--date must be YYYY-MM-DD, got {day!r}", EXIT_USAGE)


def load_config() -> Config:
    """The settings from the environment; a bad value stops the command with one line (exit 2)."""
    try:
        return Config.from_env()
    except SettingError as exc:
        fail(str(exc), EXIT_USAGE)


def store_for(config: Config, *, check: bool = True) -> Store:
    """The store the settings point at, refusing (one line, exit 1) one that is unreachable or behind."""
    # Imported here: `--help` and `config` need neither SQLAlchemy nor Alembic (start-up under 0.3 s).
    from dailypapers.storage import open_store
    from dailypapers.storage.migrate import SchemaOutdated, check_schema

    try:
        store = open_store(config)
    except Exception as exc:  # a bad DATABASE_URL or unreachable server
        fail(f"cannot open the store ({config.database_url.split('://')[0]}): {exc}")
    if check:
        try:
            check_schema(store)
        except SchemaOutdated as exc:
            fail(str(exc))
        except Exception as exc:
            fail(f"cannot reach the store: {exc}")
    return store


@contextmanager
def opened_store(config: Config, *, check: bool = True) -> Iterator[Store]:
    """The store for one command (see `store_for`), disposed of when the block ends, however it ends."""
    store = store_for(config, check=check)
    try:
        yield store
    finally:
        store.dispose()


@contextmanager
def byte_progress(description: str, total: int) -> Iterator[Callable[[int], None]]:
    """A rich progress bar over bytes when stderr is a terminal; silent otherwise (cron, CI, pipes)."""
    if not sys.stderr.isatty():
        yield lambda _done: None
        return
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns: list[Any] = [
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, console=err_console, transient=False) as progress:
        task = progress.add_task(description, total=total)
        yield lambda done: progress.update(task, completed=done)
