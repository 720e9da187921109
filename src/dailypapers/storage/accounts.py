"""Accounts (members, curators, admins) and their API tokens."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, select, update

from dailypapers.storage.schema import accounts, api_tokens, imported_submitters


@dataclass
class StoredAccount:
    id: int
    username: str
    fullname: str
    email: str | None
    password_hash: str | None
    role: str
    created_at: datetime


def insert_account(
    conn: Connection,
    *,
    username: str,
    fullname: str,
    email: str | None,
    password_hash: str | None,
    role: str,
    created_at: datetime,
) -> int:
    result = conn.execute(
        insert(accounts).values(
            username=username,
            fullname=fullname,
            email=email,
            password_hash=password_hash,
            role=role,
            created_at=created_at,
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def account_by_username(conn: Connection, username: str) -> StoredAccount | None:
    row = conn.execute(select(accounts).where(func.lower(accounts.c.username) == username.lower())).first()
    return StoredAccount(**row._mapping) if row else None


def account_by_id(conn: Connection, account_id: int) -> StoredAccount | None:
    row = conn.execute(select(accounts).where(accounts.c.id == account_id)).first()
    return StoredAccount(**row._mapping) if row else None


def update_account_role(conn: Connection, account_id: int, role: str) -> None:
    conn.execute(update(accounts).where(accounts.c.id == account_id).values(role=role))


def update_password_hash(conn: Connection, account_id: int, password_hash: str) -> None:
    conn.execute(update(accounts).where(accounts.c.id == account_id).values(password_hash=password_hash))


def count_accounts(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(accounts)).scalar_one())


def insert_api_token(conn: Connection, account_id: int, name: str, token_hash: str, created_at: datetime) -> int:
    result = conn.execute(
        insert(api_tokens).values(account_id=account_id, name=name, token_hash=token_hash, created_at=created_at)
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def account_by_token_hash(conn: Connection, token_hash: str) -> StoredAccount | None:
    row = conn.execute(
        select(accounts)
        .join(api_tokens, api_tokens.c.account_id == accounts.c.id)
        .where(api_tokens.c.token_hash == token_hash)
    ).first()
    return StoredAccount(**row._mapping) if row else None


@dataclass
class StoredToken:
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None


def api_tokens_of(conn: Connection, account_id: int) -> list[StoredToken]:
    query = (
        select(api_tokens.c.id, api_tokens.c.name, api_tokens.c.created_at, api_tokens.c.last_used_at)
        .where(api_tokens.c.account_id == account_id)
        .order_by(api_tokens.c.created_at.desc(), api_tokens.c.id.desc())
    )
    return [StoredToken(**row._mapping) for row in conn.execute(query)]


def delete_api_token(conn: Connection, account_id: int, token_id: int) -> bool:
    result = conn.execute(delete(api_tokens).where(api_tokens.c.id == token_id, api_tokens.c.account_id == account_id))
    return bool(result.rowcount)


def imported_submitter_named(conn: Connection, name: str) -> str | None:
    """The imported submitter's name as imported, if a daily list named one like this (case-insensitive)."""
    row = conn.execute(select(imported_submitters.c.name).where(imported_submitters.c.name_key == name.lower())).first()
    return str(row[0]) if row else None


def insert_imported_submitters(conn: Connection, names: Sequence[str]) -> None:
    """Remember the names imported listings carry (already known names are left as they are)."""
    rows = list({name.lower(): {"name_key": name.lower(), "name": name} for name in names if name}.values())
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert  # type: ignore[assignment]
    conn.execute(dialect_insert(imported_submitters).on_conflict_do_nothing(index_elements=["name_key"]), rows)
