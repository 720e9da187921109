"""`dailypapers digest send`: compose and send the digests due today (or on --date), exactly once each."""

from __future__ import annotations

import json

import typer

from dailypapers.cli.common import console, day_or_today, err_console, fail, load_config, opened_store

app = typer.Typer(help="Email digests.", no_args_is_help=True)


@app.command("send")
def send(
    dry_run: bool = typer.Option(False, "--dry-run", help="Compose and list what would be sent; send nothing."),
    to: str | None = typer.Option(None, "--to", help="Only the digest of this subscriber's address."),
    day: str | None = typer.Option(None, "--date", help="Send date YYYY-MM-DD (default: today, UTC)."),
    resend_uncertain: bool = typer.Option(
        False,
        "--resend-uncertain",
        help="Also resend digests whose earlier send was cut off after the server may have accepted them.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Send every digest due on the date that has not been delivered yet. Safe to re-run at any time."""
    from dailypapers.queries.subscriptions import subscriber_by_email
    from dailypapers.services.digests import send_due_digests

    when = day_or_today(day)
    config = load_config()
    with opened_store(config) as store:
        try:
            if to is not None:
                sub = subscriber_by_email(store, to)
                if sub is None or sub.status != "active":
                    fail(f"no active subscription for {to}")
            report = send_due_digests(store, config, when, dry_run=dry_run, to=to, resend_uncertain=resend_uncertain)
        except ValueError as exc:  # a malformed DAILYPAPERS_SMTP_URL or mail setting
            fail(str(exc))
    if as_json:
        print(json.dumps(report.as_dict()))
    else:
        for planned in report.planned:
            console.print(f"would send {planned.email} {planned.period}: {planned.papers} papers", highlight=False)
        console.print(f"{when}: {report.line()}", highlight=False)
    if report.aborted:
        err_console.print("run again to send the rest (nothing delivered is sent twice)", highlight=False)
        raise typer.Exit(1)
    if report.failed:
        raise typer.Exit(1)
