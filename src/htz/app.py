"""Composition root: settings in, a wired application out. No connections at import time."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from htz.analytics import snapshot
from htz.analytics.snapshot import BuildResult
from htz.config import Settings
from htz.errors import ConfigError, NotFoundError, StoreError
from htz.registry.reference import load_reference
from htz.reporting import export
from htz.store import current_revision, head_revision, open_engine, translate_errors, upgrade
from htz.store.schema import enterprises as enterprises_table
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


def build_snapshot(
    app: App,
    periods: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> BuildResult:
    """Write the changed periods' accepted, approved and imputed data to a new snapshot."""
    with app.connect() as conn:
        fps = export.fingerprints(conn)
        previous = _latest(conn, app)
        registry = export.registry(conn)
        head = export.audit_head(conn)
        result = snapshot.build(
            app.settings.data_dir,
            fps,
            lambda form, period: export.observations_of(conn, form, period),
            registry,
            head,
            periods=periods,
            previous=previous,
            progress=progress,
        )
        manifest = f"{snapshot.MANIFESTS}/{result.snapshot.id}.json"
        export.record_snapshot(
            conn,
            app.settings.user,
            result.snapshot.id,
            manifest,
            len(result.snapshot.partitions),
            len(result.rewritten),
            head,
        )
    return result


def _latest(conn: Connection, app: App) -> snapshot.Snapshot | None:
    rows = export.list_snapshots(conn)
    return snapshot.load(app.settings.data_dir, rows[0]["id"]) if rows else None


def latest_snapshot(app: App, snapshot_id: str | None = None) -> snapshot.Snapshot:
    """The named snapshot, or the newest one."""
    if snapshot_id:
        return snapshot.load(app.settings.data_dir, snapshot_id)
    with app.connect() as conn:
        found = _latest(conn, app)
    if found is None:
        raise NotFoundError("there is no snapshot yet; run `htz build` first.")
    return found


def meta(app: App) -> dict[str, str]:
    with app.connect() as conn:
        return export.meta(conn)


def prepare_demo(settings: Settings) -> None:
    """Give the demo an empty database: wipe an earlier demo, refuse to touch real data."""
    app = build(settings)
    try:
        if current_revision(app.engine) is not None:
            with app.connect() as conn:
                held = export.meta(conn).get("synthetic")
                count = conn.execute(
                    sa.select(sa.func.count()).select_from(enterprises_table)
                ).scalar()
            if count and not held:
                raise ConfigError(
                    f"{app.engine.url.render_as_string(hide_password=True)} holds real "
                    f"enterprises ({count}); the demo needs its own data directory: set "
                    "HTZ_DATA_DIR (and HTZ_DATABASE_URL) to an empty place and run it again."
                )
            if count and app.engine.dialect.name != "sqlite":
                raise ConfigError(
                    "this PostgreSQL database holds an earlier demo; drop and recreate it "
                    "(or point HTZ_DATABASE_URL at an empty one) and run the demo again."
                )
    finally:
        app.close()
    if app.engine.dialect.name == "sqlite":
        database = sa.engine.make_url(settings.database_url).database
        for path in Path(database).parent.glob(Path(database).name + "*"):
            path.unlink()
    for sub in ("warehouse", "snapshots", "demo"):
        shutil.rmtree(settings.data_dir / sub, ignore_errors=True)
