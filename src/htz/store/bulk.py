"""Fast bulk inserts: COPY on PostgreSQL, executemany on SQLite, inside the caller's transaction.

:func:`bulk_insert` takes rows as plain tuples. :func:`bulk_insert_long` takes a wide
layout (a key per row and one Arrow column per name) and inserts the long rows
``(key, name, value, *constants)`` of its non-null cells, as observations are stored,
without a Python tuple per long row: on PostgreSQL the long table is built with Arrow and
sent to COPY as CSV; on SQLite a prepared statement unpivots 32 wide rows at a time in SQL.
"""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import chain, islice

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
import sqlalchemy as sa
from sqlalchemy.engine import Connection

# SQLite's page cache during a bulk insert, in KiB. The default (2 MiB) is far smaller than
# the indexes a million-report upload touches, so pages are evicted to the WAL and read
# back mid-insert. Raised for the insert only (never lowered) and restored afterwards: it
# changes memory use, not durability (journal_mode and synchronous are left as they are).
SQLITE_BULK_CACHE_KIB = 256 * 1024
COPY_CHUNK_ROWS = 1_000_000  # rows per CSV chunk sent to COPY
_SQLITE_BATCH = 128  # rows per INSERT statement on SQLite (bounded by its variable limit)


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
    return _sqlite_insert(conn, table, columns, rows)


def bulk_insert_columns(
    conn: Connection,
    table: sa.Table,
    columns: Mapping[str, Sequence],
    constants: Mapping[str, object] | None = None,
) -> int:
    """Insert rows given as columns (lists of equal length) plus constants for every row.

    Values as for :func:`bulk_insert` (on SQLite, dates as ISO strings). On PostgreSQL the
    columns become an Arrow table sent to COPY as CSV (see :func:`copy_arrow`), which
    skips the driver's per-row formatting.
    """
    constants = dict(constants or {})
    lists = list(columns.values())
    if not lists:
        raise ValueError("give at least one column")
    n = len(lists[0])
    if any(len(values) != n for values in lists):
        raise ValueError("every column must have the same length")
    if conn.dialect.name == "postgresql":
        data = {name: pa.array(values) for name, values in columns.items()}
        for name, constant in constants.items():
            data[name] = pa.repeat(pa.scalar(constant), n)
        copy_arrow(conn, table, pa.table(data))
        return n
    rows = zip(*lists, strict=True)
    return _sqlite_insert(conn, table, list(columns), rows, constants, exact=True)


def _sqlite_insert(
    conn: Connection,
    table: sa.Table,
    columns: Sequence[str],
    rows: Iterable[Sequence],
    constants: Mapping[str, object] | None = None,
    *,
    exact: bool = False,
) -> int:
    """SQLite: multi-row ``INSERT``s of ``rows`` (values of ``columns``) plus ``constants``.

    The constants are written into the statement as literals, so only the columns are
    bound (binding eight constant strings per row cost more than the insert itself).
    """
    constants = constants or {}
    into = ", ".join(f'"{c}"' for c in [*columns, *constants])
    fixed = "".join(f", {_literal(v)}" for v in constants.values())
    marks = "(" + ", ".join("?" for _ in columns) + fixed + ")"
    head = f'INSERT INTO "{table.name}" ({into}) VALUES '
    return _sqlite_executemany(conn, head, lambda _: marks, "", rows, len(columns), exact=exact)


def bulk_insert_long(
    conn: Connection,
    table: sa.Table,
    key: str,
    name: str,
    value: str,
    keys: Sequence[int] | np.ndarray,
    columns: Mapping[str, pa.Array | pa.ChunkedArray],
    constants: Mapping[str, str | int | float | None] | None = None,
) -> int:
    """Insert one row ``(key, name, value, *constants)`` per non-null cell of ``columns``.

    ``keys[i]`` (an integer) is the key of row i of every column; ``columns`` maps each
    name to its values (an Arrow array of numbers, null where there is no value). Rows go
    in the order of ``keys``, then of ``columns``. Returns the number of rows inserted.
    """
    constants = dict(constants or {})
    names = list(columns)
    n = len(keys)
    if not names or not n:
        return 0
    if any(len(columns[c]) != n for c in names):
        raise ValueError("every column must have one value per key")
    target = [key, name, value, *constants]
    if conn.dialect.name == "postgresql":
        return _copy_long(conn, table, target, keys, columns, constants)
    # SQLite turns each wide row's cells into long rows (VALUES … WHERE value IS NOT NULL):
    # Python binds 1 + len(columns) values per wide row, not a 4-tuple per cell
    width = len(names) + 1

    def cells(r: int) -> str:  # wide row r of a statement: parameters r*width+1 …
        first = r * width + 1
        return ", ".join(
            f"({_literal(c)}, ?{first + 1 + i}, ?{first})" for i, c in enumerate(names)
        )

    fixed = "".join(f", {_literal(v)}" for v in constants.values())
    into = ", ".join(f'"{c}"' for c in target)
    head = (
        f'INSERT INTO "{table.name}" ({into}) SELECT column3, column1, column2{fixed} FROM (VALUES '
    )
    tail = ") WHERE column2 IS NOT NULL"
    keys = keys.tolist() if isinstance(keys, np.ndarray) else keys
    lists = [columns[c].to_pylist() for c in names]
    rows = zip(keys, *lists, strict=True)
    _sqlite_executemany(conn, head, cells, tail, rows, width, exact=True)
    return sum(len(columns[c]) - columns[c].null_count for c in names)


def _sqlite_executemany(
    conn: Connection,
    head: str,
    row_sql: Callable[[int], str],
    tail: str,
    rows: Iterable[Sequence],
    width: int,
    *,
    exact: bool = False,
) -> int:
    """Run ``head + row_sql(0) + … + tail`` for every row of ``rows`` (``width`` values each).

    Every row's length is checked (a short row would shift the next rows' values into the
    wrong columns) unless ``exact`` says the caller built the rows with ``zip(strict=True)``
    over ``width`` sequences, so each has ``width`` values by construction.

    Sends ``_SQLITE_BATCH`` rows per statement (``row_sql(r)`` is the SQL of row r of a
    statement, comma-separated), which cuts SQLite's and the driver's per-statement work,
    and the last few one row per statement. ``rows`` is consumed lazily (no list of a
    million tuples for the garbage collector to scan). Returns the number of rows.
    """
    dbapi = conn.connection.driver_connection
    limit = dbapi.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    batch = max(1, min(_SQLITE_BATCH, limit // max(width, 1)))
    source = iter(rows)
    rest: list[Sequence] = []
    count = 0

    def checked(chunk: list[Sequence]) -> list[Sequence]:
        nonlocal count
        if not exact and any(len(row) != width for row in chunk):
            raise ValueError(f"every row must have {width} values")
        count += len(chunk)
        return chunk

    def batches() -> Iterator[tuple]:
        while chunk := checked(list(islice(source, batch))):
            if len(chunk) < batch:
                rest.extend(chunk)
                return
            yield tuple(chain.from_iterable(chunk))

    def statement(n: int) -> str:
        return head + ", ".join(row_sql(r) for r in range(n)) + tail

    with sqlite_bulk_cache(conn):
        cursor = dbapi.cursor()
        try:
            cursor.executemany(statement(batch), batches())
            if rest:
                cursor.executemany(statement(1), rest)
        finally:
            cursor.close()
    return count


def long_table(
    keys: Sequence[int] | np.ndarray, columns: Mapping[str, pa.Array | pa.ChunkedArray]
) -> pa.Table:
    """``key``, ``name``, ``value``: one row per non-null cell, by key then name (vectorised)."""
    names = list(columns)
    k, n = len(names), len(keys)
    values = pa.concat_arrays([_array(columns[c]).cast(pa.float64()) for c in names])
    # the concatenation is column-major; this permutation makes it row-major
    order = (np.arange(k, dtype=np.int64)[None, :] * n + np.arange(n)[:, None]).ravel()
    values = values.take(pa.array(order))
    which = pa.array(np.tile(np.arange(k, dtype=np.int32), n))
    table = pa.table(
        {
            "key": pa.array(np.repeat(np.asarray(keys, dtype=np.int64), k)),
            "name": pa.DictionaryArray.from_arrays(which, pa.array(names, pa.string())),
            "value": values,
        }
    )
    return table.filter(values.is_valid())


def _array(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _copy_long(conn, table, target, keys, columns, constants) -> int:
    long = long_table(keys, columns)
    data = {
        target[0]: long.column("key"),
        target[1]: long.column("name").cast(pa.string()),
        target[2]: long.column("value"),
    }
    for column, constant in constants.items():
        data[column] = pa.repeat(pa.scalar(constant), long.num_rows)
    copy_arrow(conn, table, pa.table(data))
    return long.num_rows


def copy_arrow(conn: Connection, table: sa.Table, data: pa.Table) -> None:
    """PostgreSQL: COPY an Arrow table (columns named as ``table``'s) as CSV.

    Arrow writes the shortest text that reads back as the same float64 and PostgreSQL
    reads it correctly rounded, so numbers arrive bit for bit. Nulls are written as empty
    unquoted fields (NULL in COPY's CSV); strings are quoted, so an empty string stays one.
    """
    names = ", ".join(f'"{c}"' for c in data.column_names)
    options = pcsv.WriteOptions(include_header=False, quoting_style="needed")
    dbapi = conn.connection.driver_connection
    with (
        dbapi.cursor() as cursor,
        cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN (FORMAT csv)') as copy,
    ):
        for start in range(0, data.num_rows, COPY_CHUNK_ROWS):
            buffer = io.BytesIO()
            pcsv.write_csv(data.slice(start, COPY_CHUNK_ROWS), buffer, write_options=options)
            copy.write(buffer.getbuffer())


def _literal(value: str | int | float | None) -> str:
    """A constant as SQL text (names and constants that bulk inserts put in every row)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise TypeError(f"cannot write {value!r} as an SQL constant")
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value)


@contextmanager
def sqlite_bulk_cache(conn: Connection) -> Iterator[None]:
    """SQLite: a page cache of at least :data:`SQLITE_BULK_CACHE_KIB` while inside."""
    if conn.dialect.name != "sqlite":
        yield
        return
    dbapi = conn.connection.driver_connection
    before = dbapi.execute("PRAGMA cache_size").fetchone()[0]  # < 0: KiB, > 0: pages
    page = dbapi.execute("PRAGMA page_size").fetchone()[0]
    if (-before if before < 0 else before * page // 1024) >= SQLITE_BULK_CACHE_KIB:
        yield
        return
    dbapi.execute(f"PRAGMA cache_size = -{SQLITE_BULK_CACHE_KIB}")
    try:
        yield
    finally:
        dbapi.execute(f"PRAGMA cache_size = {int(before)}")


__all__ = [
    "bulk_insert",
    "bulk_insert_columns",
    "bulk_insert_long",
    "copy_arrow",
    "long_table",
    "sqlite_bulk_cache",
]
