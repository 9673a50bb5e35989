"""Shared fixtures: a fresh htz database on SQLite, and on PostgreSQL when configured.

Set ``HTZ_TEST_POSTGRES_URL`` (e.g. ``postgresql+psycopg://postgres@127.0.0.1/htz_test``)
to run every ``store`` test on PostgreSQL too. Each PostgreSQL test gets its own schema,
dropped afterwards, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from htz import app as application
from htz import config
from htz.cli import main

FIXTURES = Path(__file__).with_name("fixtures")
POSTGRES_URL = os.environ.get("HTZ_TEST_POSTGRES_URL")

BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not POSTGRES_URL, reason="HTZ_TEST_POSTGRES_URL is not set"),
        ],
    ),
]


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    """A URL to an empty database of each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'htz.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    url = sa.engine.make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with admin.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def settings(tmp_path, database_url):
    return config.load(environ={}, cwd=tmp_path, database_url=database_url)


@pytest.fixture
def htz_app(settings):
    """An initialised htz application (schema at head, reference data loaded)."""
    app = application.build(settings)
    application.init(app)
    yield app
    app.close()


@pytest.fixture
def conn(htz_app):
    with htz_app.connect() as connection:
        yield connection


@pytest.fixture
def htz(monkeypatch, tmp_path, database_url, capsys):
    """Run the `htz` command on an initialised database: htz("zones", "list") → (code, out, err)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HTZ_DATABASE_URL", database_url)
    monkeypatch.delenv("HTZ_LANG", raising=False)

    def run(*argv):
        capsys.readouterr()
        try:
            main(list(argv))
            code = 0
        except SystemExit as exc:
            code = exc.code or 0
        out, err = capsys.readouterr()
        return code, out, err

    code, _, err = run("init")
    assert code == 0, err
    return run


@pytest.fixture(scope="session")
def tiny_demo(tmp_path_factory):
    """A data directory holding `htz demo --scale tiny --no-serve` (built once per run).

    Tests that change data work on a copy (``copy_demo``)."""
    root = tmp_path_factory.mktemp("tiny-demo")
    mp = pytest.MonkeyPatch()
    mp.chdir(root)
    for name in ("HTZ_DATABASE_URL", "HTZ_DATA_DIR", "HTZ_LANG", "HTZ_SECRET_KEY"):
        mp.delenv(name, raising=False)
    try:
        main(["demo", "--scale", "tiny", "--no-serve"])
    except SystemExit as exc:
        assert not exc.code
    finally:
        mp.undo()
    return root


def copy_demo(tiny_demo: Path, target: Path) -> config.Settings:
    """A private copy of the tiny demo's data directory, and settings that use it."""
    import shutil

    shutil.copytree(tiny_demo / "htz-data", target, dirs_exist_ok=True)
    return config.load(environ={}, cwd=target, data_dir=str(target))
