"""The migrations build exactly the schema in store/schema.py, on every backend."""

import pytest
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
