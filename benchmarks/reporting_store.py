"""Storing a checked upload: observations per second into SQLite and PostgreSQL.

Each run starts from a fresh database (SQLite: a new file under ``--data``; PostgreSQL: a
new schema in ``--postgres``), initialised like ``htz init`` and with the upload's
enterprises registered (not timed). The timed part is what ``htz import`` does after the
checks: ``store_upload(conn, …)`` for every row of the upload, and the commit.

The upload is the benchmark's monthly file (``generate.py``) read by ``read_upload``; rows
with parse errors are left out, as ``htz import --keep-valid`` would. Target: at least
500,000 observations per second on SQLite.

    python benchmarks/reporting_store.py                          # 1,000,000 rows, 3 runs
    python benchmarks/reporting_store.py --rows 100000 --runs 1   # a quick run
    python benchmarks/reporting_store.py --postgres ''            # SQLite only
    python benchmarks/reporting_store.py --baseline 4688fb1       # also time an older store

``--baseline REV`` also times ``store_upload`` as it was at git revision ``REV`` (its
``reporting/reports.py`` and ``store/bulk.py``, read with ``git show``; the rest of htz as
checked out), interleaved with the current one, on the same fresh databases.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate
from reporting_validate import load_average, machine

from htz import app as application
from htz import config
from htz.catalog import load_catalog
from htz.reporting.imports import read_upload
from htz.reporting.reports import enterprise_index, store_upload
from htz.store.bulk import bulk_insert
from htz.store.schema import enterprises, industries, zones

FORM = "monthly"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1/htz_bench"
TARGET = 500_000


def register_enterprises(conn, usccs: list[str]) -> None:
    """One enterprise per USCC, in real zones and industries (setup, not timed)."""
    zone_codes = sorted(conn.execute(sa.select(zones.c.code)).scalars())
    industry_codes = sorted(conn.execute(sa.select(industries.c.code)).scalars())
    entered = dt.date(2015, 1, 1)
    entered = entered.isoformat() if conn.dialect.name == "sqlite" else entered
    rows = [
        (
            code,
            f"benchmark enterprise {i}",
            zone_codes[i % len(zone_codes)],
            industry_codes[i % len(industry_codes)],
            entered,
            False,
            False,
            False,
        )
        for i, code in enumerate(usccs)
    ]
    columns = ["uscc", "name", "zone_code", "industry_code", "entered",
               "high_tech_certified", "little_giant", "listed"]  # fmt: skip
    bulk_insert(conn, enterprises, columns, rows)


def fresh_database(backend: str, args, run: int, usccs: list[str]):
    """An initialised htz app on an empty database, and how to drop it afterwards."""
    if backend == "sqlite":
        path = args.data / "store" / f"htz-{run}.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url, drop = f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)
    else:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(args.postgres)
        with admin.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
        base = sa.engine.make_url(args.postgres)
        url = base.update_query_dict({"options": f"-csearch_path={schema}"})
        url = url.render_as_string(hide_password=False)

        def drop():
            with admin.begin() as conn:
                conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()

    settings = config.load(environ={}, cwd=args.data, database_url=url)
    app = application.build(settings)
    application.init(app)
    with app.connect() as conn:
        register_enterprises(conn, usccs)
    if backend == "postgresql":
        with app.connect() as conn:
            conn.execute(sa.text("ANALYZE"))
    return app, drop


def ensure_postgres_database(url: str) -> None:
    parsed = sa.engine.make_url(url)
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}
        ).first()
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def baseline_store(rev: str):
    """``store_upload`` as of git revision ``rev`` (its reports.py and bulk.py)."""
    repo = Path(__file__).resolve().parents[1]
    where = Path(tempfile.mkdtemp(prefix="htz-baseline-"))
    modules = {}
    for name, path in (("baseline_bulk", "src/htz/store/bulk.py"),
                       ("baseline_reports", "src/htz/reporting/reports.py")):  # fmt: skip
        text = subprocess.run(
            ["git", "show", f"{rev}:{path}"], cwd=repo, check=True, capture_output=True, text=True
        ).stdout
        text = text.replace("from htz.store.bulk import", "from baseline_bulk import")
        file = where / f"{name}.py"
        file.write_text(text)
        spec = importlib.util.spec_from_file_location(name, file)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        modules[name] = module
    return modules["baseline_reports"].store_upload


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=generate.DEFAULT_ROWS)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data", type=Path, default=generate.DEFAULT_OUT)
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    parser.add_argument(
        "--postgres", default=DEFAULT_POSTGRES, help="PostgreSQL URL ('' to skip PostgreSQL)"
    )
    parser.add_argument("--baseline", metavar="REV", help="also time store_upload as of REV")
    parser.add_argument("--json", type=Path, help="raw timings (default: next to the data)")
    args = parser.parse_args()

    versions = {"current": store_upload}
    if args.baseline:
        versions[f"baseline {args.baseline}"] = baseline_store(args.baseline)
    files = generate.ensure(args.data, args.rows, args.seed)
    catalog = load_catalog()
    indicators = list(catalog.form(FORM).indicators)
    upload = read_upload(files["upload"], FORM, catalog)
    table = upload.table
    usccs = sorted(set(table.column("uscc").to_pylist()))
    cells = sum(table.num_rows - table.column(c).null_count for c in indicators)
    print(f"upload: {table.num_rows:,} reports, {cells:,} values, {len(usccs):,} enterprises; "
          f"{args.runs} runs per backend")  # fmt: skip
    backends = ["sqlite"]
    if args.postgres:
        ensure_postgres_database(args.postgres)
        backends.append("postgresql")

    runs = [(b, v) for b in backends for v in versions]
    timings: dict[str, list[float]] = {f"{b} {v}": [] for b, v in runs}
    stored: dict[str, int] = {}
    for run in range(args.runs):
        for backend, version in runs:
            app, drop = fresh_database(backend, args, run, usccs)
            try:
                with app.connect() as conn:
                    ents = enterprise_index(conn)
                gc.collect()
                started = time.perf_counter()
                with app.connect() as conn:
                    result = versions[version](conn, "benchmark", FORM, table, indicators, ents)
                seconds = time.perf_counter() - started
                with app.connect() as conn:
                    count = conn.execute(sa.text("SELECT count(*) FROM observations")).scalar()
                assert count == result.observations == cells, (count, result.observations, cells)
            finally:
                app.close()
                drop()
            key = f"{backend} {version}"
            timings[key].append(seconds)
            stored[key] = result.observations
            print(f"  run {run + 1} {key:<28} {seconds:7.2f} s  "
                  f"{result.observations / seconds:>12,.0f} obs/s  "
                  f"({result.inserted:,} reports)", flush=True)  # fmt: skip

    medians = {k: statistics.median(v) for k, v in timings.items()}
    rates = {k: stored[k] / medians[k] for k in timings}
    print(f"\nmedians of {args.runs} runs: {cells:,} observations ({table.num_rows:,} reports)")
    for k in timings:
        print(f"  {k:<28} {medians[k]:7.2f} s  {rates[k]:>12,.0f} obs/s")
    for b, v in runs:
        if v != "current":
            ratio = medians[f"{b} {v}"] / medians[f"{b} current"]
            print(f"  {b}: current is {ratio:.2f}× as fast as {v}")
    met = rates["sqlite current"] >= TARGET
    print(f"  target >= {TARGET:,} obs/s on SQLite: {'met' if met else 'NOT met'}")
    out = args.json or files["dir"] / "store-results.json"
    out.write_text(
        json.dumps(
            {
                "command": " ".join([Path(sys.executable).name, *sys.argv]),
                "machine": machine(),
                "data": json.loads(files["manifest"].read_text()),
                "reports": table.num_rows,
                "observations": cells,
                "runs": args.runs,
                "timings": timings,
                "medians": medians,
                "observations_per_second": rates,
                "target_met": met,
                "load_average_at_end": load_average(),
            },
            indent=2,
        )
        + "\n"
    )
    print(f"raw timings: {out}")


if __name__ == "__main__":
    main()
