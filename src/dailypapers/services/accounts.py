"""Accounts: sign-up, password checks, roles and API tokens — the only code that changes them.

Passwords are stored as argon2id hashes; API tokens only as SHA-256 digests, so a leaked database leaks neither.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError

from dailypapers.domain import ROLES
from dailypapers.storage import Store
from dailypapers.storage import accounts as account_store
from dailypapers.storage import sessions as session_store
from dailypapers.storage.accounts import StoredAccount, StoredToken

CURATOR_ROLES = frozenset({"curator", "admin"})
MIN_PASSWORD = 8
MAX_PASSWORD = 1024
TOKEN_PREFIX = "dp_"
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,38}$")
# Names that would shadow pages or confuse readers of a profile URL.
_RESERVED = frozenset({"admin", "api", "papers", "settings", "signin", "signout", "signup", "static", "u", "me"})

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the username is unknown, so a failed sign-in takes as long either way. Made on the
    first sign-in, not at import: hashing costs each web worker 0.25 s of CPU as it starts."""
    return _hasher.hash("not-a-real-password")


class AccountError(ValueError):
    """A sign-up or account change that can't be done; the message is fit to show the user."""


def is_curator(account: StoredAccount | None) -> bool:
    return account is not None and account.role in CURATOR_ROLES


def create_account(
    store: Store,
    username: str,
    password: str,
    *,
    fullname: str = "",
    email: str | None = None,
    role: str = "member",
) -> StoredAccount:
    username = (username or "").strip()
    if not _USERNAME.match(username):
        raise AccountError("A username must be 2–39 letters, digits, '-' or '_', and start with a letter or digit.")
    if username.lower() in _RESERVED:
        raise AccountError(f"The username {username} is reserved: please choose another.")
    _check_password(password)
    _check_role(role)
    fullname = " ".join((fullname or "").split())[:200]
    email = (email or "").strip() or None
    if email is not None and ("@" not in email or len(email) > 320):
        raise AccountError("That email address does not look right: check it for typos.")
    password_hash = _hasher.hash(password)
    try:
        with store.write() as conn:
            if account_store.account_by_username(conn, username) is not None:
                raise AccountError(f"The username {username} is taken: please choose another.")
            if account_store.imported_submitter_named(conn, username) is not None:
                # Imported daily lists name this submitter: an account of that name would look like it owns
                # their history, so the name stays theirs.
                raise AccountError(
                    f"The username {username} belongs to a submitter of the imported daily lists: choose another."
                )
            account_store.insert_account(
                conn,
                username=username,
                fullname=fullname,
                email=email,
                password_hash=password_hash,
                role=role,
                created_at=datetime.now(UTC),
            )
    except IntegrityError as exc:  # two sign-ups racing for one name
        raise AccountError(f"The username {username} is taken: please choose another.") from exc
    with store.read() as conn:
        account = account_store.account_by_username(conn, username)
    assert account is not None
    return account


def authenticate(store: Store, username: str, password: str) -> StoredAccount | None:
    """The account if the password matches, else None (same work done for unknown names)."""
    dummy = _dummy_hash()  # before the look-up: a process's first sign-in pays for it whoever signs in
    with store.read() as conn:
        account = account_store.account_by_username(conn, (username or "").strip())
    if password is None or len(password) > MAX_PASSWORD:
        return None
    stored_hash = account.password_hash if account and account.password_hash else dummy
    try:
        _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if account is None or not account.password_hash:
        return None
    if _hasher.check_needs_rehash(stored_hash):
        with store.write() as conn:
            account_store.update_password_hash(conn, account.id, _hasher.hash(password))
    return account


def set_role(store: Store, username: str, role: str) -> StoredAccount:
    _check_role(role)
    with store.write() as conn:
        account = account_store.account_by_username(conn, username)
        if account is None:
            raise AccountError(f"no account named {username!r}")
        account_store.update_account_role(conn, account.id, role)
    account.role = role
    return account


def set_password(store: Store, username: str, password: str, *, keep_session: str | None = None) -> int:
    """Give the account a new password and end all its sign-in sessions but `keep_session` (a session hash: the
    member's own, when they change it themselves); returns how many sessions ended. API tokens stay."""
    _check_password(password)
    password_hash = _hasher.hash(password)
    with store.write() as conn:
        account = account_store.account_by_username(conn, username)
        if account is None:
            raise AccountError(f"no account named {username!r}")
        account_store.update_password_hash(conn, account.id, password_hash)
        return session_store.delete_sessions_of_account(conn, account.id, keep=keep_session)


def change_password(store: Store, account: StoredAccount, current: str, new: str, *, keep_session: str) -> int:
    """A member changing their own password: the current one must match; their other sessions end."""
    if authenticate(store, account.username, current) is None:
        raise AccountError("Your current password is wrong: please try again.")
    return set_password(store, account.username, new, keep_session=keep_session)


def create_api_token(store: Store, account: StoredAccount, name: str = "") -> str:
    """A new token for the API's write endpoints; the plain text is returned once and never stored."""
    name = " ".join((name or "").split())[:100] or "token"
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with store.write() as conn:
        account_store.insert_api_token(conn, account.id, name, _digest(token), datetime.now(UTC))
    return token


def is_site_token(token: str) -> bool:
    """Whether a bearer token was made by this site (valid or not), as opposed to another service's."""
    return (token or "").strip().startswith(TOKEN_PREFIX)


def account_for_api_token(store: Store, token: str) -> StoredAccount | None:
    token = (token or "").strip()
    if token.lower().startswith("bearer "):
        token = token[7:].strip()
    if not is_site_token(token):
        return None
    with store.read() as conn:
        return account_store.account_by_token_hash(conn, _digest(token))


def tokens_of(store: Store, account: StoredAccount) -> list[StoredToken]:
    with store.read() as conn:
        return account_store.api_tokens_of(conn, account.id)


def revoke_api_token(store: Store, account: StoredAccount, token_id: int) -> bool:
    with store.write() as conn:
        return account_store.delete_api_token(conn, account.id, token_id)


def account_named(store: Store, username: str) -> StoredAccount | None:
    with store.read() as conn:
        return account_store.account_by_username(conn, username)


def account_with_id(store: Store, account_id: int) -> StoredAccount | None:
    with store.read() as conn:
        return account_store.account_by_id(conn, account_id)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_password(password: str) -> None:
    if not password or len(password) < MIN_PASSWORD:
        raise AccountError(f"Your password must have at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"Your password must have at most {MAX_PASSWORD} characters.")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
