"""Fast reads: run a Core query on the raw driver cursor and return columns or an Arrow table.

SQLAlchemy's Row objects cost more than the query for the large reads of imports,
imputation and snapshots; these helpers skip them. Values come back as the driver
gives them (SQLite: dates as ISO text), so callers declare Arrow types.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import Connection


def fetch_rows(conn: Connection, query: sa.Select) -> list[tuple]:
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    if compiled.positiontup is not None:
        params = tuple(params[name] for name in compiled.positiontup)
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.execute(str(compiled), params)
        return cursor.fetchall()
    finally:
        cursor.close()


def fetch_arrow(conn: Connection, query: sa.Select, schema: pa.Schema) -> pa.Table:
    """The query's rows as an Arrow table of ``schema`` (one field per selected column)."""
    rows = fetch_rows(conn, query)
    columns: Sequence = list(zip(*rows, strict=True)) if rows else [[] for _ in schema]
    arrays = []
    for values, f in zip(columns, schema, strict=True):
        if pa.types.is_boolean(f.type):  # SQLite stores booleans as 0/1
            values = [None if v is None else bool(v) for v in values]
        if pa.types.is_date(f.type) and any(isinstance(v, str) for v in values):
            arrays.append(pa.array(values, pa.string()).cast(f.type))  # SQLite: ISO text
            continue
        arrays.append(pa.array(values, f.type))
    return pa.table(arrays, schema=schema)
