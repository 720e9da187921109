"""Accounts: argon2-hashed passwords, roles, API tokens, and `dailypapers user create|set-role`."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from dailypapers.cli.main import app
from dailypapers.config import Config
from dailypapers.services import accounts
from dailypapers.storage import Store

runner = CliRunner()


def test_a_new_account_stores_an_argon2_hash_never_the_password(store: Store) -> None:
    account = accounts.create_account(store, "ada", "analytical engine", fullname="Ada  Lovelace")
    assert account.password_hash is not None and account.password_hash.startswith("$argon2id$")
    assert "analytical engine" not in account.password_hash
    assert account.fullname == "Ada Lovelace" and account.role == "member"


def test_authenticate_accepts_the_right_password_only(store: Store) -> None:
    accounts.create_account(store, "ada", "analytical engine")
    found = accounts.authenticate(store, "ADA", "analytical engine")
    assert found is not None and found.username == "ada"
    assert accounts.authenticate(store, "ada", "analytical engin") is None
    assert accounts.authenticate(store, "nobody", "analytical engine") is None


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("a", "long enough pw", "username must be"),
        ("bad name", "long enough pw", "username must be"),
        ("papers", "long enough pw", "reserved"),
        ("grace", "short", "at least 8"),
    ],
)
def test_bad_sign_ups_are_refused_with_a_reason(store: Store, username: str, password: str, message: str) -> None:
    with pytest.raises(accounts.AccountError, match=message):
        accounts.create_account(store, username, password)


def test_usernames_are_unique_whatever_their_case(store: Store) -> None:
    accounts.create_account(store, "ada", "analytical engine")
    with pytest.raises(accounts.AccountError, match="taken"):
        accounts.create_account(store, "Ada", "another password")


def test_set_role_accepts_known_roles_only(store: Store) -> None:
    accounts.create_account(store, "ada", "analytical engine")
    assert accounts.set_role(store, "ada", "curator").role == "curator"
    assert accounts.is_curator(accounts.account_named(store, "ada"))
    with pytest.raises(accounts.AccountError, match="role must be one of"):
        accounts.set_role(store, "ada", "overlord")
    with pytest.raises(accounts.AccountError, match="no account"):
        accounts.set_role(store, "ghost", "curator")


def test_api_tokens_identify_their_account_and_are_stored_only_as_digests(store: Store) -> None:
    ada = accounts.create_account(store, "ada", "analytical engine")
    token = accounts.create_api_token(store, ada, "script")
    assert token.startswith("dp_") and len(token) > 40
    found = accounts.account_for_api_token(store, f"Bearer {token}")
    assert found is not None and found.id == ada.id
    assert accounts.account_for_api_token(store, token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert accounts.account_for_api_token(store, "") is None
    listed = accounts.tokens_of(store, ada)
    assert [t.name for t in listed] == ["script"]
    assert token not in repr(listed)


def test_cli_creates_a_curator_and_changes_roles(cli_env: Config, store: Store) -> None:
    result = runner.invoke(
        app, ["user", "create", "grace", "--role", "curator", "--password", "compiler rules", "--fullname", "Grace H"]
    )
    assert result.exit_code == 0, result.stderr
    assert "created curator grace" in result.stdout
    assert accounts.authenticate(store, "grace", "compiler rules") is not None
    result = runner.invoke(app, ["user", "set-role", "grace", "member"])
    assert result.exit_code == 0 and "grace is now member" in result.stdout
    account = accounts.account_named(store, "grace")
    assert account is not None and account.role == "member"


def test_cli_set_password_asks_twice_and_only_the_new_password_signs_in(cli_env: Config, store: Store) -> None:
    accounts.create_account(store, "ada", "analytical engine")
    result = runner.invoke(app, ["user", "set-password", "ada"], input="difference engine\ndifference engine\n")
    assert result.exit_code == 0, result.stderr
    assert "new password set for ada" in result.stdout and "difference engine" not in result.stdout
    assert accounts.authenticate(store, "ada", "difference engine") is not None
    assert accounts.authenticate(store, "ada", "analytical engine") is None
    mismatch = runner.invoke(app, ["user", "set-password", "ada"], input="one password\nanother one\n" * 3)
    assert mismatch.exit_code != 0 and accounts.authenticate(store, "ada", "difference engine") is not None
    scripted = runner.invoke(app, ["user", "set-password", "ada", "--password", "jacquard loom"])
    assert scripted.exit_code == 0 and accounts.authenticate(store, "ada", "jacquard loom") is not None


def test_cli_set_password_for_an_unknown_or_with_a_short_password_is_one_line(cli_env: Config, store: Store) -> None:
    result = runner.invoke(app, ["user", "set-password", "ghost"], input="long enough pw\nlong enough pw\n")
    assert result.exit_code == 2 and result.stderr.strip() == "error: no account named 'ghost'"
    assert "password" not in result.stdout.lower()  # refused before asking
    accounts.create_account(store, "ada", "analytical engine")
    result = runner.invoke(app, ["user", "set-password", "ada", "--password", "short"])
    assert result.exit_code == 2 and "at least 8 characters" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_errors_are_one_line_with_a_usage_exit_code(cli_env: Config) -> None:
    result = runner.invoke(app, ["user", "set-role", "ghost", "curator"])
    assert result.exit_code == 2
    assert "no account named 'ghost'" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    result = runner.invoke(app, ["user", "create", "x y", "--password", "long enough pw"])
    assert result.exit_code == 2 and "username must be" in result.stderr
