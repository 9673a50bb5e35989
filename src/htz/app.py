"""Composition root: settings in, a wired application out. No connections at import time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.engine import Connection, Engine

from htz.config import Settings
from htz.errors import StoreError
from htz.registry.reference import load_reference
from htz.store import current_revision, head_revision, open_engine, translate_errors, upgrade
from htz.store.sync import SyncResult


@dataclass
class App:
    settings: Settings
    engine: Engine

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A transaction on a database at the current schema version; commits on success."""
        current = current_revision(self.engine)
        if current != head_revision():
            state = "has no htz schema" if current is None else f"is at schema {current}"
            raise StoreError(
                f"the database {self.engine.url.render_as_string(hide_password=True)} {state}; "
                "run `htz init` to create or upgrade it."
            )
        with translate_errors("using the database"), self.engine.begin() as conn:
            yield conn


@dataclass(frozen=True)
class InitReport:
    revision_before: str | None
    revision_after: str
    loaded: list[SyncResult]

    @property
    def changed(self) -> bool:
        return self.revision_before != self.revision_after or any(r.changed for r in self.loaded)


def build(settings: Settings) -> App:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return App(settings, open_engine(settings.database_url))


def init(app: App) -> InitReport:
    """Create or upgrade the schema and load the reference data; safe to run again."""
    before, after = upgrade(app.engine)
    with app.connect() as conn:
        loaded = load_reference(conn)
    return InitReport(before, after, loaded)
