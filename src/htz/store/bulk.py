"""Fast bulk inserts: COPY on PostgreSQL, executemany on SQLite, inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection


def bulk_insert(
    conn: Connection, table: sa.Table, columns: Sequence[str], rows: Iterable[Sequence]
) -> int:
    """Insert plain tuples (in ``columns`` order) into ``table``; returns the row count.

    Goes below SQLAlchemy's per-row processing, so values must already be of the column's
    Python type (str, int, float, None; dates as ISO strings on SQLite).
    """
    dbapi = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        names = ", ".join(f'"{c}"' for c in columns)
        count = 0
        with (
            dbapi.cursor() as cursor,
            cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy,
        ):
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    rows = rows if isinstance(rows, list) else list(rows)
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    cursor = dbapi.cursor()
    try:
        cursor.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', rows)
    finally:
        cursor.close()
    return len(rows)
