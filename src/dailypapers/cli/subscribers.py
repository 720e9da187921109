"""`dailypapers subscribers add|list|remove`: admins manage digest subscriptions (e.g. import a mailing list)."""

from __future__ import annotations

import json

import typer

from dailypapers.cli.common import EXIT_USAGE, console, fail, load_config, opened_store

app = typer.Typer(help="Manage email digest subscribers.", no_args_is_help=True)


@app.command("add")
def add(
    email: str = typer.Argument(..., help="Email address to subscribe.", show_default=False),
    frequency: str = typer.Option("daily", "--frequency", help="daily (Monday to Friday) or weekly (Mondays)."),
    confirmed: bool = typer.Option(
        False, "--confirmed", help="Activate at once, without a confirmation email (for importing an opted-in list)."
    ),
) -> None:
    """Subscribe an address. Without --confirmed it gets only a confirmation email until the link is followed."""
    from dailypapers.queries.subscriptions import subscriber_by_email
    from dailypapers.services.subscriptions import Preferences, SubscriptionError, subscribe

    if frequency not in ("daily", "weekly"):
        fail("--frequency must be daily or weekly", EXIT_USAGE)
    config = load_config()
    with opened_store(config) as store:
        try:
            result = subscribe(store, config, email, preferences=Preferences(frequency=frequency), confirmed=confirmed)
            # Read again: sending the confirmation can change the status (a 550 marks the address bounced).
            sub = subscriber_by_email(store, result.subscription.email) or result.subscription
        except SubscriptionError as exc:
            fail(str(exc), EXIT_USAGE)
        except ValueError as exc:  # a malformed DAILYPAPERS_SMTP_URL
            fail(str(exc))
    note = {
        "sent": "confirmation email sent",
        "failed": "confirmation email NOT sent (SMTP failed); `dailypapers digest send` retries it",
        "bounced": f"confirmation email bounced: {sub.bounce_reason}",
        "sending": "the connection was lost while sending the confirmation email; it may not have arrived",
        "already-sent-today": "a confirmation email was already sent today",
        "not-needed": "active",
    }.get(result.confirmation, result.confirmation)
    console.print(f"{sub.email}: {sub.status} ({sub.frequency}) — {note}", highlight=False)
    if result.confirmation in ("failed", "bounced"):
        raise typer.Exit(1)


@app.command("list")
def list_cmd(as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts.")) -> None:
    """Every subscription with its status, frequency and content choices."""
    from rich.table import Table

    from dailypapers.queries.subscriptions import subscriber_list

    with opened_store(load_config()) as store:
        subs = subscriber_list(store)
    rows = [
        {
            "email": s.email,
            "status": s.status,
            "frequency": s.frequency,
            "weekday": s.weekday,
            "top_n": s.top_n,
            "categories": s.categories,
            "min_upvotes": s.min_upvotes,
            "searches": s.searches,
            "member": s.account_id is not None,
            "created_at": s.created_at.isoformat(),
            "confirmed_at": s.confirmed_at.isoformat() if s.confirmed_at else None,
            "bounce_reason": s.bounce_reason,
        }
        for s in subs
    ]
    if as_json:
        print(json.dumps(rows))
        return
    if not rows:
        console.print("no subscribers")
        return
    table = Table("email", "status", "frequency", "categories", "min upvotes", "searches")
    for sub in subs:
        categories = ", ".join(sub.categories) or "all"
        table.add_row(sub.email, sub.status, sub.frequency, categories, str(sub.min_upvotes), str(len(sub.searches)))
    console.print(table)


@app.command("remove")
def remove(email: str = typer.Argument(..., help="Email address to remove.", show_default=False)) -> None:
    """Delete a subscription with its saved searches and delivery history."""
    from dailypapers.services.subscriptions import SubscriptionError, remove_subscriber

    with opened_store(load_config()) as store:
        try:
            removed = remove_subscriber(store, email)
        except SubscriptionError as exc:
            fail(str(exc), EXIT_USAGE)
    if not removed:
        fail(f"no subscription for {email}")
    console.print(f"removed {email}", highlight=False)
