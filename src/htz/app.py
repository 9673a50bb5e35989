"""Composition root: settings in, a wired application out. No connections at import time."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
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
    _schema_checked: bool = field(default=False, repr=False)

    def close(self) -> None:
        self.engine.dispose()

    def _check_schema(self) -> None:
        """Refuse a database that is not at this htz's schema (checked once per App)."""
        if self._schema_checked:
            return
        current = current_revision(self.engine)
        if current != head_revision():
            state = "has no htz schema" if current is None else f"is at schema {current}"
            raise StoreError(
                f"the database {self.engine.url.render_as_string(hide_password=True)} {state}; "
                "run `htz init` to create or upgrade it."
            )
        self._schema_checked = True

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A transaction on a database at the current schema version; commits on success."""
        self._check_schema()
        with translate_errors("using the database"), self.engine.begin() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only transaction: on SQLite it takes no write lock, on PostgreSQL it is
        READ ONLY. For pages and queries that change nothing."""
        self._check_schema()
        with translate_errors("reading the database"), self.engine.connect() as conn:
            conn = conn.execution_options(htz_read_only=True)
            sqlite = conn.dialect.name == "sqlite"
            if sqlite:  # on the driver's connection, outside any transaction
                conn.connection.driver_connection.execute("PRAGMA query_only = ON")
            try:
                with conn.begin():
                    if not sqlite:
                        conn.exec_driver_sql("SET TRANSACTION READ ONLY")
                    yield conn
            finally:
                if sqlite:
                    conn.connection.driver_connection.execute("PRAGMA query_only = OFF")


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


@dataclass(frozen=True)
class PublishResult:
    snapshot: str
    periods: list[str]
    computed: list[str]  # periods whose inputs changed since an earlier publication
    reused: list[str]


def publish(
    app: App,
    periods: list[str] | None = None,
    snapshot_id: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> PublishResult:
    """Compute and publish the bulletins of a snapshot (default: the newest, every period).

    Each bulletin is written once to ``published/<snapshot>/<period>.json``; a period whose
    inputs equal those of an earlier publication reuses its figures.
    """
    from htz.analytics import bulletin
    from htz.analytics.frame import open_frame
    from htz.publish import release

    snap = latest_snapshot(app, snapshot_id)
    info = meta(app)
    wanted = periods or release.periods_of(snap)
    if not wanted:
        raise NotFoundError(
            f"snapshot {snap.id} has no complete quarter of monthly data to publish."
        )
    frame = None
    computed, reused = [], []
    folder = app.settings.data_dir / release.PUBLISHED / snap.id
    folder.mkdir(parents=True, exist_ok=True)
    for n, period in enumerate(wanted):
        if progress:
            progress(period, n, len(wanted))
        key = release.inputs(snap, period, info)
        earlier = _published_with_inputs(app, period, key)
        if earlier is not None:
            data = release.restamp(earlier, snap, key)
            reused.append(period)
        else:
            frame = frame or open_frame(snap)
            data = release.restamp(bulletin.compute(frame, period, info), snap, key)
            computed.append(period)
        body = release.encode(data)
        path = folder / f"{period}.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(body)
        tmp.replace(path)
        with app.connect() as conn:
            export.record_publication(
                conn,
                app.settings.user,
                snap.id,
                period,
                str(path.relative_to(app.settings.data_dir)),
                hashlib.sha256(body).hexdigest(),
            )
    if progress:
        progress("", len(wanted), len(wanted))
    return PublishResult(snap.id, list(wanted), computed, reused)


def figures(app: App, period: str, snapshot_id: str | None = None, engine: str = "duckdb") -> dict:
    """The bulletin of ``period`` from a snapshot (default: the newest): the published
    figures when a publication has the same inputs (they are what the snapshot gives, bit
    for bit), else computed on ``engine`` (``spark`` always computes)."""
    from htz.analytics import bulletin
    from htz.analytics.frame import open_frame
    from htz.publish import release

    snap = latest_snapshot(app, snapshot_id)
    info = meta(app)
    key = release.inputs(snap, period, info)
    earlier = _published_with_inputs(app, period, key) if engine == "duckdb" else None
    if earlier is not None:
        return release.restamp(earlier, snap, key)
    data = bulletin.compute(open_frame(snap, engine), period, info)
    if not data["headline"]:
        months = sorted(snap.periods("monthly"))
        covers = f"it covers {months[0]} to {months[-1]}" if months else "it has no monthly data"
        raise NotFoundError(
            f"snapshot {snap.id} has no data for {period}; {covers}. Import and close that "
            "period, then `htz build`, or ask for a period it covers."
        )
    return release.restamp(data, snap, key)


def set_headline(app: App, period: str) -> None:
    """Choose the published period that the public dashboard opens on."""
    from htz import audit

    with app.connect() as conn:
        if not export.publications(conn, period=period):
            raise NotFoundError(
                f"{period!r} is not published; publish it first (`htz publish`), then make "
                "it the headline."
            )
        before = export.meta(conn).get("headline_period")
        export.set_meta(conn, "headline_period", period)
        audit.append(
            conn, app.settings.user, "headline", "bulletin", period,
            {"period": before}, {"period": period},
        )  # fmt: skip


def _published_with_inputs(app: App, period: str, key: str) -> dict | None:
    with app.connect() as conn:
        rows = export.publications(conn, period=period)
    for row in rows:
        path = app.settings.data_dir / row["path"]
        if path.is_file():
            data = json.loads(path.read_bytes())
            if data.get("inputs") == key:
                return data
    return None


def meta(app: App) -> dict[str, str]:
    with app.connect() as conn:
        return export.meta(conn)


def prepare_demo(settings: Settings) -> None:
    """Give the demo an empty database: wipe an earlier demo, refuse to touch real data."""
    app = build(settings)
    try:
        if current_revision(app.engine) is not None:
            upgrade(app.engine)  # an earlier demo may be at an older schema
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
    for sub in ("warehouse", "snapshots", "demo", "published"):
        shutil.rmtree(settings.data_dir / sub, ignore_errors=True)
