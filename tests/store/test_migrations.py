"""The migrations build exactly the schema in store/schema.py, on every backend."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from htz import app as application
from htz.errors import StoreError
from htz.store import current_revision, head_revision, open_engine
from htz.store.schema import metadata

pytestmark = pytest.mark.integration


def test_migrations_match_schema(htz_app):
    with htz_app.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
    assert current_revision(htz_app.engine) == head_revision()


def test_init_twice_changes_nothing(htz_app):
    report = application.init(htz_app)
    assert not report.changed
    assert {r.table: r.unchanged for r in report.loaded}["zones"] == 178


def test_using_an_empty_database_asks_for_init(settings):
    app = application.build(settings)
    try:
        with pytest.raises(StoreError, match="run `htz init`"), app.connect():
            pass
    finally:
        app.close()


def test_sqlite_has_wal_and_foreign_keys(tmp_path):
    engine = open_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_unsupported_database_is_refused():
    from htz.errors import ConfigError

    with pytest.raises(ConfigError, match="SQLite or PostgreSQL"):
        open_engine("mysql://u@h/db")


@pytest.mark.integration
def test_a_reader_does_not_wait_for_a_writer(htz_app):
    """Public pages read with App.read: no write lock on SQLite, READ ONLY on PostgreSQL."""
    import threading
    import time

    from htz.store.schema import zones

    locked, release = threading.Event(), threading.Event()

    def writer():
        with htz_app.connect() as conn:  # holds SQLite's write lock (BEGIN IMMEDIATE)
            conn.execute(sa.update(zones).where(zones.c.code == "shenzhen").values(notes="x"))
            locked.set()
            release.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert locked.wait(10)
        started = time.monotonic()
        with htz_app.read() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(zones)).scalar() >= 178
        assert time.monotonic() - started < 2  # did not wait for the busy timeout (5 s)
    finally:
        release.set()
        thread.join()
    # and a reader cannot write (SQLite: query_only; PostgreSQL: READ ONLY transaction)
    with pytest.raises((StoreError, sa.exc.InternalError)), htz_app.read() as conn:
        conn.execute(sa.update(zones).values(notes="y"))
    with htz_app.connect() as conn:  # the connection it used writes again afterwards
        conn.execute(sa.update(zones).where(zones.c.code == "shenzhen").values(notes="z"))


def test_sqlite_observations_move_to_a_without_rowid_table(tmp_path):
    """Migration 0005 rebuilds observations WITHOUT ROWID on SQLite and keeps every row."""
    import sqlite3

    from alembic import command

    from htz.store import migrate

    engine = open_engine(f"sqlite:///{tmp_path / 'old.db'}")

    def table_sql() -> str:
        with engine.connect() as conn:
            return conn.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'observations'"
            ).scalar()

    try:
        migrate.upgrade(engine, "0004")
        assert "WITHOUT ROWID" not in table_sql()
        rows = [(1, "employees", 12.0, "reported"), (1, "exports", None, "imputed"),
                (2, "employees", -0.0, "corrected")]  # fmt: skip
        with sqlite3.connect(tmp_path / "old.db") as raw:  # foreign keys off: no enterprises
            raw.executemany(
                "INSERT INTO reports (id, enterprise_id, form, period, status, version, source,"
                " updated_at, updated_by) VALUES (?, ?, 'monthly', '2023-M01', 'submitted', 1,"
                " 'import', '2023-02-01 00:00:00', 'test')",
                [(1, 1), (2, 2)],
            )
            raw.executemany("INSERT INTO observations VALUES (?, ?, ?, ?)", rows[::-1])
        raw.close()
        migrate.upgrade(engine)
        assert table_sql().rstrip().endswith("WITHOUT ROWID")
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT * FROM observations").all() == rows
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
        assert diff == []
        config = migrate._config()
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0004")
        assert "WITHOUT ROWID" not in table_sql()
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT * FROM observations").all() == rows
    finally:
        engine.dispose()
