"""`dailypapers user create|set-role|set-password|token`: accounts from the command line (e.g. the first admin)."""

from __future__ import annotations

import typer

from dailypapers.cli.common import EXIT_USAGE, console, fail, load_config, opened_store
from dailypapers.domain import ROLES

app = typer.Typer(help="Manage member accounts.", no_args_is_help=True)


@app.command("create")
def create(
    username: str = typer.Argument(..., help="Login name (2–39 letters, digits, - or _)."),
    role: str = typer.Option("member", "--role", help=f"One of: {', '.join(ROLES)}."),
    fullname: str = typer.Option("", "--fullname", help="Name shown next to submissions."),
    email: str = typer.Option("", "--email", help="Email address (optional)."),
    password: str = typer.Option(
        ...,
        "--password",
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        help="Password (prompted when omitted).",
    ),
) -> None:
    """Create an account."""
    from dailypapers.services import accounts

    with opened_store(load_config()) as store:
        try:
            account = accounts.create_account(
                store, username, password, fullname=fullname, email=email or None, role=role
            )
        except accounts.AccountError as exc:
            fail(str(exc), EXIT_USAGE)
    console.print(f"created {account.role} {account.username}", highlight=False)


@app.command("set-role")
def set_role(
    username: str = typer.Argument(..., help="Existing account."),
    role: str = typer.Argument(..., help=f"One of: {', '.join(ROLES)}."),
) -> None:
    """Make a member a curator (may add to any day and hide items) or an admin, or back."""
    from dailypapers.services import accounts

    with opened_store(load_config()) as store:
        try:
            account = accounts.set_role(store, username, role)
        except accounts.AccountError as exc:
            fail(str(exc), EXIT_USAGE)
    console.print(f"{account.username} is now {account.role}", highlight=False)


@app.command("set-password")
def set_password(
    username: str = typer.Argument(..., help="Existing account."),
    password: str | None = typer.Option(None, "--password", help="The new password (prompted when omitted)."),
) -> None:
    """Give an account a new password, e.g. for a member who forgot theirs (all their sessions end; tokens stay)."""
    from dailypapers.services import accounts

    with opened_store(load_config()) as store:
        try:
            if accounts.account_named(store, username) is None:  # say so before asking for a password twice
                fail(f"no account named {username!r}", EXIT_USAGE)
            if password is None:
                password = str(typer.prompt("New password", hide_input=True, confirmation_prompt=True))
            ended = accounts.set_password(store, username, password)
        except accounts.AccountError as exc:
            fail(str(exc), EXIT_USAGE)
    console.print(f"new password set for {username}; {ended} sign-in session(s) ended", highlight=False)


@app.command("token")
def token(
    username: str = typer.Argument(..., help="Existing account."),
    label: str = typer.Option("", "--label", help="A name for the token, shown on the member's profile page."),
) -> None:
    """Print a new API token for the account (for scripts and admins); it is shown only this once."""
    from dailypapers.services import accounts

    with opened_store(load_config()) as store:
        account = accounts.account_named(store, username)
        if account is None:
            fail(f"no account named {username!r}", EXIT_USAGE)
        created = accounts.create_api_token(store, account, label or "cli")
    print(created)
