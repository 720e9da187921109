"""Harvest checkpoints (`harvest_state`): where an unfinished run resumes and what the last run reached."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from dailypapers.storage.schema import harvest_state


@dataclass
class HarvestState:
    source: str
    cursor: dict[str, Any] = field(default_factory=dict)  # resume point of an unfinished run; empty when done
    last_datestamp: str | None = None
    updated_at: datetime | None = None


def harvest_state_of(conn: Connection, source: str) -> HarvestState:
    row = conn.execute(select(harvest_state).where(harvest_state.c.source == source)).mappings().first()
    if row is None:
        return HarvestState(source)
    return HarvestState(source, _decode(row["cursor"]), row["last_datestamp"], row["updated_at"])


def all_harvest_states(conn: Connection) -> list[HarvestState]:
    rows = conn.execute(select(harvest_state).order_by(harvest_state.c.source)).mappings()
    return [HarvestState(r["source"], _decode(r["cursor"]), r["last_datestamp"], r["updated_at"]) for r in rows]


def save_harvest_state(conn: Connection, state: HarvestState) -> None:
    """Insert or replace the row of `state.source`."""
    values = {
        "source": state.source,
        "cursor": json.dumps(state.cursor, sort_keys=True) if state.cursor else None,
        "last_datestamp": state.last_datestamp,
        "updated_at": datetime.now(UTC),
    }
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(harvest_state).values(values)
    changed = {k: v for k, v in values.items() if k != "source"}
    conn.execute(stmt.on_conflict_do_update(index_elements=["source"], set_=changed))


def clear_cursor(conn: Connection, source: str) -> None:
    conn.execute(
        update(harvest_state).where(harvest_state.c.source == source).values(cursor=None, updated_at=datetime.now(UTC))
    )


def delete_harvest_state(conn: Connection, source: str) -> None:
    conn.execute(delete(harvest_state).where(harvest_state.c.source == source))


def _decode(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {"token": text}  # a bare token written by hand
    return value if isinstance(value, dict) else {}
