"""`htz demo`: generate, calibrate, then run the real pipeline on the synthetic reports.

The pipeline is the one users run: enterprise import, report files imported period by
period (with late reports arriving with the next period's batch, some reports never
arriving, a few refused by the validation rules), review approval at zone and national
level, imputation once a period's late reports are in, and a snapshot build.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import sqlalchemy as sa

from htz import app as application
from htz.demo.calibrate import Calibration, calibrate
from htz.demo.generator import DemoData, Reports, generate
from htz.registry import enterprises as registry_enterprises
from htz.registry import platforms as registry_platforms
from htz.reporting import export, service, workflow
from htz.store.schema import industries, platforms, provinces, zone_events, zones
from htz.tabular import read_table

ABSENT, ON_TIME, LATE, MISSING, ERROR, WARNING = range(6)
ACTOR = "demo"
Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class DemoResult:
    calibration: Calibration
    enterprises: int
    reports: int
    snapshot: str
    periods: int


def fates(
    rng: np.random.Generator,
    reports: Reports,
    late: float = 0.03,
    missing: float = 0.015,
    error: float = 0.002,
    warning: float = 0.0005,
) -> np.ndarray:
    """What happens to each owed report: on time, late, never, refused, or explained warning."""
    u = rng.random(reports.owed.shape)
    out = np.where(reports.owed, ON_TIME, ABSENT)
    bands = (
        (missing, MISSING),
        (missing + late, LATE),
        (missing + late + error, ERROR),
        (missing + late + error + warning, WARNING),
    )
    low = 0.0
    for high, fate in bands:
        out = np.where(reports.owed & (u >= low) & (u < high), fate, out)
        low = high
    first_of_year = np.array([p.previous_ytd() is None for p in reports.periods])
    # a refused report needs a previous month to contradict; warnings need exports
    out[:, first_of_year] = np.where(out[:, first_of_year] == ERROR, MISSING, out[:, first_of_year])
    return out


def arrives(fate: np.ndarray) -> np.ndarray:
    """Reports the pipeline ends up accepting (late ones of the last period never come)."""
    ok = np.isin(fate, (ON_TIME, LATE, WARNING))
    ok[:, -1] &= fate[:, -1] != LATE
    return ok


def _zones(conn) -> list[dict]:
    start = (
        sa.select(zone_events.c.zone_code, sa.func.min(zone_events.c.effective).label("start"))
        .where(zone_events.c.event.in_(("approved", "upgraded")))
        .group_by(zone_events.c.zone_code)
        .subquery()
    )
    rows = conn.execute(
        sa.select(zones.c.code, zones.c.province_code, provinces.c.region, start.c.start)
        .select_from(zones.outerjoin(provinces).join(start, start.c.zone_code == zones.c.code))
        .where(zones.c.level == "national")
        .order_by(zones.c.code)
    ).mappings()
    return [dict(r) for r in rows]


def _sections(conn) -> dict[str, str]:
    query = sa.select(industries.c.code, industries.c.section).where(
        industries.c.level == "division"
    )
    return {code: section for code, section in conn.execute(query)}


def _enterprise_file(data: DemoData, path: Path) -> None:
    e = data.enterprises
    left = [None if np.isnat(d) else str(d) for d in e.left]
    pacsv.write_csv(pa.table({
        "uscc": pa.array(e.uscc, pa.string()),
        "name": pa.array([f"合成企业{i:06d}" for i in range(len(e))]),
        "zone": pa.array(e.zone, pa.string()), "industry": pa.array(e.division, pa.string()),
        "entered": pa.array([str(d) for d in e.entered]), "left": pa.array(left, pa.string()),
        "tech_field": pa.array(e.tech_field, pa.string()),
        "high_tech_certified": pa.array(e.certified), "little_giant": pa.array(e.little_giant),
        "listed": pa.array(e.listed),
    }), path)  # fmt: skip


def _platform_file(rng: np.random.Generator, conn, data: DemoData, path: Path) -> None:
    """Synthetic national key laboratories (80% in zones) and locations for the reference
    manufacturing innovation centres whose location is unknown (70% in zones in all)."""
    codes = [z["code"] for z in data.zones if z["province_code"]]
    rows = []
    inside_labs = set(rng.choice(500, size=400, replace=False).tolist())  # 80% in zones
    for i in range(500):
        inside = i in inside_labs
        rows.append(
            {
                "type": "national_key_laboratory",
                "name_zh": f"合成全国重点实验室{i:03d}",
                "zone": str(rng.choice(codes)) if inside else "",
                "approved": "2022",
            }
        )
    centres = conn.execute(
        sa.select(platforms.c.name_zh, platforms.c.zone_code, platforms.c.approved).where(
            platforms.c.type == "national_manufacturing_innovation_centre"
        )
    ).all()
    known = [c for c in centres if not c.approved or c.approved[:4] <= "2023"]
    located = sum(1 for c in known if c.zone_code)
    want = round(0.7 * len(known)) - located
    for c in known:
        if c.zone_code:
            continue
        inside = want > 0
        want -= 1
        rows.append(
            {
                "type": "national_manufacturing_innovation_centre",
                "name_zh": c.name_zh,
                "zone": str(rng.choice(codes)) if inside else "",
                "approved": c.approved or "",
            }
        )
    pacsv.write_csv(pa.Table.from_pylist(rows), path)


def _batch(
    reports: Reports, fate: np.ndarray, j: int, data: DemoData, rng: np.random.Generator
) -> pa.Table:
    """The file of period j: its on-time, refused and explained reports, and j-1's late ones."""
    uscc = data.enterprises.uscc
    parts = []
    for col, wanted in ((j, (ON_TIME, ERROR, WARNING)), (j - 1, (LATE,))):
        if col < 0:
            continue
        rows = np.isin(fate[:, col], wanted)
        values = {k: v[rows, col].copy() for k, v in reports.values.items()}
        f = fate[rows, col]
        comment = np.full(rows.sum(), None, dtype=object)
        if "operating_revenue" in values:
            bad = f == ERROR  # year to date below last month's: refused by ytd-decreased
            prev = reports.values["operating_revenue"][rows, col - 1]
            values["operating_revenue"] = np.where(bad, prev * 0.5, values["operating_revenue"])
            warn = f == WARNING
            values["exports"] = np.where(
                warn, values["operating_revenue"] * 1.05, values["exports"]
            )
            comment[warn] = "转口贸易，数据属实"
        elif "wages" in values:
            prev = reports.values["wages"][rows, col - 1]
            values["wages"] = np.where(f == ERROR, prev * 0.5, values["wages"])
        parts.append(pa.table({
            "uscc": pa.array(uscc[rows], pa.string()),
            "period": pa.array([reports.periods[col].code] * int(rows.sum()), pa.string()),
            **{k: pa.array(v, pa.float64(), from_pandas=True) for k, v in values.items()},
            "comment": pa.array(comment, pa.string()),
        }))  # fmt: skip
    return pa.concat_tables(parts)


def _step(app, path: Path, table: pa.Table, form: str, periods: list[str]) -> int:
    pacsv.write_csv(table, path)
    levels = app.settings.approval_levels
    with app.connect() as conn:
        summary = service.import_reports(conn, ACTOR, path, form, keep_valid=True)
        for period in periods:
            for _ in levels:
                workflow.approve_all(conn, ACTOR, levels, form, period)
    return summary.inserted + summary.replaced_imputed


def _impute(app, form: str, period: str) -> None:
    with app.connect() as conn:
        service.impute(conn, ACTOR, form, period)


def run(
    app: application.App, scale: str = "small", seed: int = 2023, progress: Progress | None = None
) -> DemoResult:
    """Generate, calibrate and push the demo through the pipeline into a snapshot."""
    say = progress or (lambda *_: None)
    work = app.settings.data_dir / "demo"
    work.mkdir(parents=True, exist_ok=True)
    with app.connect() as conn:
        zone_list, sections = _zones(conn), _sections(conn)
    say("generate", 0, 1)
    data = generate(zone_list, scale, seed)
    rng = np.random.default_rng(seed + 1)
    fate_m = fates(rng, data.monthly)
    fate_q = fates(rng, data.quarterly)
    fate_a = fates(rng, data.annual, late=0.0, error=0.0, warning=0.0)
    say("generate", 1, 1)
    say("calibrate", 0, 1)
    calibration = calibrate(data, arrives(fate_q), sections)
    say("calibrate", 1, 1)

    with app.connect() as conn:
        export.set_meta(conn, "synthetic", f"htz demo, scale {scale}, seed {seed}")
        _enterprise_file(data, work / "enterprises.csv")
        table = read_table(work / "enterprises.csv")
        checked = registry_enterprises.check(conn, table)
        registry_enterprises.import_enterprises(conn, checked, actor=ACTOR)
        _platform_file(rng, conn, data, work / "platforms.csv")
        registry_platforms.import_platforms(
            conn, registry_platforms.check(conn, read_table(work / "platforms.csv"))
        )

    months, quarters = data.monthly.periods, data.quarterly.periods
    steps = len(months) + len(quarters) + len(data.annual.periods)
    done = stored = 0
    for j, month in enumerate(months):
        previous = [months[j - 1].code] if j else []
        stored += _step(
            app,
            work / f"monthly-{month.code}.csv",
            _batch(data.monthly, fate_m, j, data, rng),
            "monthly",
            [month.code, *previous],
        )
        if previous:
            _impute(app, "monthly", previous[0])
        done += 1
        say("pipeline", done, steps)
        if month.last_month % 3 == 0:
            q = quarters.index(month.to_quarter())
            earlier = [quarters[q - 1].code] if q else []
            stored += _step(
                app,
                work / f"quarterly-{quarters[q].code}.csv",
                _batch(data.quarterly, fate_q, q, data, rng),
                "quarterly",
                [quarters[q].code, *earlier],
            )
            if earlier:
                _impute(app, "quarterly", earlier[0])
            done += 1
            say("pipeline", done, steps)
        if month.last_month == 12:
            y = [p.year for p in data.annual.periods].index(month.year)
            annual = _batch(data.annual, fate_a, y, data, rng)
            stored += _step(
                app, work / f"annual-{month.year}.csv", annual, "annual", [str(month.year)]
            )
            _impute(app, "annual", str(month.year))
            done += 1
            say("pipeline", done, steps)
    _impute(app, "monthly", months[-1].code)
    _impute(app, "quarterly", quarters[-1].code)
    for path in work.glob("*.csv"):
        if path.name not in ("enterprises.csv", "platforms.csv", "monthly-2023-M09.csv"):
            path.unlink()
    say("snapshot", 0, 1)
    result = application.build_snapshot(app)
    say("snapshot", 1, 1)
    return DemoResult(calibration, len(data.enterprises), stored, result.snapshot.id, steps)
