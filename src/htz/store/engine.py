"""Opening the system of record, and translating driver errors at its boundary."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from htz.errors import ConfigError, StoreError


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # let SQLAlchemy, not the driver, decide when transactions begin (see _begin_immediate)
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _begin_immediate(conn) -> None:
    """Take SQLite's write lock at the start of each transaction.

    Writers then queue (up to the busy timeout) instead of two transactions reading the
    same state and the second failing when it tries to write; a writer always reads
    what the previous one committed, which is what optimistic version checks rely on.
    Readers are not blocked (WAL). A read-only transaction (``App.read``) takes no lock:
    the public site's readers never queue behind each other or behind an import.
    """
    if conn.get_execution_options().get("htz_read_only"):
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def open_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and its directory created."""
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise ConfigError(
            f"database_url {url!r} is not a database URL; use e.g. sqlite:///htz.db or "
            "postgresql+psycopg://user@localhost/htz."
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(parsed)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _begin_immediate)
        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return sa.create_engine(parsed, pool_pre_ping=True)
    raise ConfigError(
        f"database_url {url!r}: htz stores its data in SQLite or PostgreSQL, "
        f"not {parsed.get_backend_name()}."
    )


@contextmanager
def translate_errors(what: str) -> Iterator[None]:
    """Turn a driver error into a StoreError that says what htz was doing."""
    try:
        yield
    except sa.exc.OperationalError as exc:
        raise StoreError(
            f"{what}: the database could not be reached or refused the operation "
            f"({exc.orig}); check HTZ_DATABASE_URL and that the server is running."
        ) from exc
    except sa.exc.IntegrityError as exc:
        raise StoreError(f"{what}: the database refused inconsistent data ({exc.orig}).") from exc
