"""The web site on a private copy of the tiny demo: in-process (TestClient) and served by
uvicorn on a free port (for Chromium)."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
import uvicorn
from fastapi.testclient import TestClient

from htz import app as application
from htz.config import Settings
from htz.demo.accounts import PASSWORDS
from htz.store.schema import users
from htz.web.app import create_app
from tests.conftest import copy_demo

pytestmark = pytest.mark.integration


@dataclass
class Site:
    url: str
    settings: Settings
    accounts: dict[str, str]  # role -> user name (passwords: htz.demo.accounts.PASSWORDS)

    def password(self, role: str) -> str:
        return PASSWORDS[role]


def demo_accounts(settings: Settings) -> dict[str, str]:
    app = application.build(settings)
    try:
        with app.connect() as conn:
            rows = conn.execute(sa.select(users.c.role, users.c.username)).all()
    finally:
        app.close()
    return {role: name for role, name in rows}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(settings: Settings):
    """Start the site in a thread; returns (url, stop)."""
    port = _free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="error")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start in 30 s")
        time.sleep(0.05)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)

    return f"http://127.0.0.1:{port}", stop


@pytest.fixture(scope="module")
def site(tiny_demo, tmp_path_factory):
    """The demo site served over HTTP on its own copy of the data (module scope)."""
    settings = copy_demo(tiny_demo, tmp_path_factory.mktemp("site"))
    url, stop = serve(settings)
    yield Site(url, settings, demo_accounts(settings))
    stop()


@pytest.fixture
def client(tiny_demo, tmp_path):
    """A TestClient on a fresh copy of the demo (each test may change data)."""
    settings = copy_demo(tiny_demo, tmp_path / "data")
    with TestClient(create_app(settings)) as c:
        c.accounts = demo_accounts(settings)
        c.settings = settings
        yield c


def login(client: TestClient, role: str, lang: str = "en", password: str | None = None):
    """Sign a TestClient in as the demo account of ``role``; returns the response."""
    page = client.get(f"/{lang}/login")
    token = csrf_of(page.text)
    return client.post(
        f"/{lang}/login",
        data={
            "username": client.accounts[role],
            "password": password or PASSWORDS[role],
            "csrf_token": token,
        },
        follow_redirects=False,
    )


@contextmanager
def database(client):
    """A transaction on the database of a TestClient's copy of the demo."""
    engine = sa.create_engine(client.settings.database_url)
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()


def scope_of(client, role: str) -> str:
    """The scope (USCC, zone, province) of the demo account of ``role``."""
    with database(client) as conn:
        return conn.execute(
            sa.select(users.c.scope).where(users.c.username == client.accounts[role])
        ).scalar_one()


def csrf_of(html: str) -> str:
    marker = 'name="htz-csrf" content="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


__all__ = ["Path", "Site", "csrf_of", "database", "login", "scope_of", "serve"]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """When a browser test fails, keep a screenshot of each page it opened (the test lists
    them in ``item.htz_pages``) in $HTZ_TEST_ARTIFACTS/screenshots (test-artifacts/)."""
    report = yield
    pages = getattr(item, "htz_pages", None)
    if report.failed and report.when == "call" and pages:
        import os
        import re

        folder = Path(os.environ.get("HTZ_TEST_ARTIFACTS", "test-artifacts")) / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", item.name)
        for i, page in enumerate(pages):
            try:
                page.screenshot(path=str(folder / f"failed-{name}-{i}.png"), full_page=True)
            except Exception as exc:  # a closed page or a dead browser: say so, go on
                report.sections.append(("screenshot", f"page {i}: no screenshot ({exc})"))
    return report
