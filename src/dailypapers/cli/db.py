"""`dailypapers init` and `dailypapers db …`: create and migrate the store."""

from __future__ import annotations

import typer

from dailypapers.cli.common import EXIT_USAGE, console, fail, load_config, opened_store

app = typer.Typer(help="Create and migrate the database.", no_args_is_help=True)


def upgrade_store() -> None:
    from dailypapers.storage import migrate

    config = load_config()
    with opened_store(config, check=False) as store:
        try:
            before, after = migrate.upgrade(store)
        except migrate.MissingExtension as exc:
            fail(f"cannot migrate: {exc}", EXIT_USAGE)
        except Exception as exc:
            fail(f"migration failed, nothing was changed by the failing step: {exc}")
    if before == after:
        console.print(f"schema already at {after}: nothing to do")
    else:
        console.print(f"schema migrated {before or 'empty'} → {after}")


@app.command("upgrade")
def db_upgrade() -> None:
    """Apply pending schema migrations (each in its own transaction)."""
    upgrade_store()


@app.command("status")
def db_status() -> None:
    """Show the store's schema revision and the newest this version knows."""
    from dailypapers.storage import migrate

    config = load_config()
    with opened_store(config, check=False) as store:
        current, head = migrate.current_revision(store), migrate.head_revision()
    state = "up to date" if current == head else "outdated: run `dailypapers db upgrade`"
    console.print(f"schema {current or 'empty'} (newest {head}): {state}")
    if current != head:
        raise typer.Exit(1)


def init() -> None:
    """Create the data directory, the signing secret and the database schema."""
    config = load_config()
    config.home.mkdir(parents=True, exist_ok=True)
    config.secret_key()
    upgrade_store()
    console.print(f"data directory ready at {config.home.resolve()}")
