"""The migrations build exactly what storage/schema.py declares, on both engines.

Compared by Alembic's own autogenerate diff (the tool that would write the missing migration): tables, columns and
their types, nullability, indexes and unique constraints. Any table, column or index added to schema.py without a
migration (or the other way round) fails here, naming the difference.
"""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, UniqueConstraint, inspect

from dailypapers.storage import Store
from dailypapers.storage.schema import metadata

# Objects the migrations create that are the engine's full-text / vector machinery, kept out of schema.py on purpose
# (raw SQL in migrations 0002 and 0017): SQLite's FTS5 table and its shadow tables; PostgreSQL's generated tsvector
# and length columns, their GIN index and the pgvector HNSW index.
ENGINE_OBJECTS = {
    "sqlite": {"tables": ("papers_fts",), "columns": (), "indexes": ()},
    "postgresql": {
        "tables": (),
        "columns": ("papers.search_vector", "papers.search_length"),
        "indexes": ("ix_papers_search_vector", "ix_paper_embeddings_hnsw"),
    },
}


def _differences(store: Store) -> list[Any]:
    engine = store.dialect
    known = ENGINE_OBJECTS[engine]

    def include(obj: Any, name: str | None, kind: str, reflected: bool, _compare_to: Any) -> bool:
        if kind == "table":
            if name == "alembic_version" or any((name or "").startswith(t) for t in known["tables"]):
                return False
            dialects = obj.info.get("dialects") if not reflected else None
            return dialects is None or engine in dialects
        if kind == "column":
            return f"{obj.table.name}.{name}" not in known["columns"]
        if kind == "index":
            return name not in known["indexes"]
        return True

    with store.read() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include})
        found = []
        for diff in compare_metadata(context, metadata):
            if isinstance(diff, list):  # a column's changes come as a list
                diff = [change for change in diff if not _sqlite_reflection_gap(conn, change)]
                if not diff:
                    continue
            elif _sqlite_reflection_gap(conn, diff):
                continue
            found.append(diff)
        return found


def _sqlite_reflection_gap(conn: Connection, diff: Any) -> bool:
    """Differences SQLite's reflection invents: an INTEGER PRIMARY KEY (the rowid, never NULL) reads as nullable,
    and an inline column `UNIQUE` reads as no constraint, only as the unique index SQLite made for it."""
    if conn.dialect.name != "sqlite":
        return False
    if diff[0] == "modify_nullable":
        table, column = metadata.tables[diff[2]], diff[3]
        return bool(table.c[column].primary_key) and diff[5] is True and diff[6] is False
    if diff[0] == "add_constraint" and isinstance(diff[1], UniqueConstraint):
        wanted = [c.name for c in diff[1].columns]
        indexes = inspect(conn).get_indexes(diff[1].table.name, include_auto_indexes=True)
        return any(ix["unique"] and ix["column_names"] == wanted for ix in indexes)
    return False


def test_the_migrations_build_exactly_the_tables_columns_and_indexes_of_the_schema(store: Store) -> None:
    assert _differences(store) == []


def test_a_schema_change_without_a_migration_is_caught(store: Store) -> None:
    from sqlalchemy import Column, Integer, Table

    extra = Table("forgotten", metadata, Column("id", Integer, primary_key=True))
    try:
        assert [diff[0] for diff in _differences(store)] == ["add_table"]
    finally:
        metadata.remove(extra)
