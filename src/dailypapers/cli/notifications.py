"""`dailypapers notifications send`: mail the notifications due (immediate ones, and the daily batches of --date).

Run it from cron every few minutes for "immediately" to mean minutes; `dailypapers daily` runs it too. Safe to
re-run: the delivery ledger never sends a message twice.
"""

from __future__ import annotations

import typer

from dailypapers.cli.common import console, day_or_today, err_console, fail, load_config, opened_store

app = typer.Typer(help="Notification email (mentions, replies, comments on submitted papers).", no_args_is_help=True)


@app.command("send")
def send(
    day: str | None = typer.Option(None, "--date", help="Day YYYY-MM-DD whose daily batches (of the day before) go."),
) -> None:
    """Send every notification email due that has not been delivered yet."""
    from dailypapers.services.notifications import send_due_notifications

    when = day_or_today(day)
    config = load_config()
    with opened_store(config) as store:
        try:
            report = send_due_notifications(store, config, when)
        except ValueError as exc:  # a malformed DAILYPAPERS_SMTP_URL or mail setting
            fail(str(exc))
    console.print(f"{when}: {report.line()}", highlight=False)
    if report.aborted:
        err_console.print("run again to send the rest (nothing delivered is sent twice)", highlight=False)
        raise typer.Exit(1)
    if report.failed:
        raise typer.Exit(1)
