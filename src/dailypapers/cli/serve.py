"""`dailypapers serve`: the site in production shape — uvicorn with N worker processes built by the app factory."""

from __future__ import annotations

import os

import typer

from dailypapers.cli.common import EXIT_USAGE, console, fail, load_config, opened_store


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on (0.0.0.0 for every interface)."),
    port: int = typer.Option(8000, "--port", help="TCP port."),
    workers: int = typer.Option(0, "--workers", help="Worker processes; 0 means one per CPU core."),
    access_log: bool = typer.Option(False, "--access-log/--no-access-log", help="Log every request."),
) -> None:
    """Serve the site and its API on HOST:PORT from the store DAILYPAPERS_HOME / DATABASE_URL point at."""
    import uvicorn

    if not 0 < port < 65536:
        fail(f"--port must be between 1 and 65535, not {port}", EXIT_USAGE)
    if workers < 0:
        fail(f"--workers must be 0 or more, not {workers}", EXIT_USAGE)
    config = load_config()
    with opened_store(config):  # refuses an outdated schema with the command that fixes it
        pass
    config.secret_key()  # generate the key once here, before workers race to create it
    count = workers or os.cpu_count() or 1
    console.print(f"serving http://{host}:{port} with {count} worker{'s' if count != 1 else ''}", highlight=False)
    uvicorn.run(
        "dailypapers.web.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=count,
        access_log=access_log,
        log_level=config.text("DAILYPAPERS_LOG_LEVEL").lower(),
        proxy_headers=True,
        server_header=False,
    )
