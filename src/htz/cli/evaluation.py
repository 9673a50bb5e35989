"""`htz evaluate`: rank the national zones of a year from the snapshot, or any table.

``htz evaluate YEAR`` computes the zone indicators of YEAR from the latest snapshot
(:func:`htz.analytics.zone_indicators.zone_indicators`) and builds the framework's index
with Monte Carlo rank intervals; ``htz evaluate --data FILE`` builds it from a table.
"""

from __future__ import annotations

import json
import math
from enum import StrEnum
from pathlib import Path

import pyarrow as pa
import typer
from rich.table import Table

from htz.cli.output import console, emit_json
from htz.errors import InputError
from htz.evaluation import Framework, build_index, load_framework, read_data, run_uncertainty
from htz.evaluation.eligibility import assess_upgrade, load_criteria
from htz.evaluation.publish import indicator_lists, top_list


class EvalFormat(StrEnum):
    table = "table"
    json = "json"
    xlsx = "xlsx"


def _fmt(v: object, digits: int = 2) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float):
        return f"{v:.{digits}f}" if not v.is_integer() or digits == 2 else f"{v:.0f}"
    return str(v)


def _rank(v: float | None) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:g}"


def _report(result, mc, lists, eligibility) -> dict:
    fw = result.framework
    out = {
        "framework": {"name": fw.name, "version": fw.version, "source": fw.source, "path": fw.path},
        "index": fw.root.code,
        "units": len(result.units),
        "removed": result.removed,
        "imputed_cells": result.imputed,
        "notes": result.notes,
        "effective_weights": result.effective_weights,
        "results": [
            {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}
            for r in result.rows()
        ],
        "treatment": [t.as_dict() for t in result.treatments if t.winsorised or t.transform],
    }
    if mc is not None:
        out["uncertainty"] = {
            "runs": mc.runs,
            "seed": mc.seed,
            "factors": mc.factors,
            "units": mc.rows(),
            "sensitivity": mc.sensitivity,
        }
    if lists is not None:
        out["lists"] = lists
    if eligibility is not None:
        out["eligibility"] = {
            "criteria": [c.__dict__ for c in eligibility.criteria],
            "candidates": eligibility.rows,
        }
    return json.loads(json.dumps(_finite(out), default=str, allow_nan=False))


def _finite(value):
    """NaN and infinities (e.g. the skew of a constant indicator) as null, at any depth."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _print_table(result, mc, lists, eligibility) -> None:
    fw = result.framework
    title = f"{fw.name} — {len(result.units)} units"
    table = Table(title=title)
    for col in ("rank", "unit", "name", "score"):
        if col == "name" and result.names is None:
            continue
        table.add_column(col, justify="right" if col in ("rank", "score") else "left")
    if mc is not None:
        table.add_column("median rank", justify="right")
        table.add_column("5–95%", justify="right")
    by_unit = {r["unit"]: r for r in mc.rows()} if mc is not None else {}
    for row in result.rows():
        unit = row[fw.unit_id]
        cells = [_rank(row["rank"]), unit]
        if result.names is not None:
            cells.append(row.get("name") or "")
        cells.append(_fmt(row[fw.root.code]))
        if mc is not None:
            u = by_unit[unit]
            cells += [_rank(u["median_rank"]), f"{_rank(u['rank_q05'])}–{_rank(u['rank_q95'])}"]
        table.add_row(*cells)
    console.print(table)
    _print_extras(result, mc, lists, eligibility)


def _print_extras(result, mc, lists, eligibility) -> None:
    if result.removed:
        console.print(f"[dim]screened out: {', '.join(result.removed)}[/dim]")
    for note in result.notes:
        console.print(f"[yellow]note:[/yellow] {note}")
    if mc is not None and mc.sensitivity:
        st = Table(title=f"Sensitivity of rank shifts ({mc.runs} builds)")
        st.add_column("assumption")
        st.add_column("first order", justify="right")
        st.add_column("total", justify="right")
        for name, s in mc.sensitivity.items():
            st.add_row(name, f"{s['first']:.3f}", f"{s['total']:.3f}")
        console.print(st)
    if lists is not None:
        units = ", ".join(r["unit"] for r in lists["top"])
        console.print(f"[bold]Top {len(lists['top'])} (in no order):[/bold] {units}")
        for code, rows in lists["indicators"].items():
            console.print(f"[bold]{code}[/bold]: {', '.join(r['unit'] for r in rows)}")
    if eligibility is not None:
        et = Table(title="Upgrade eligibility")
        et.add_column("unit")
        et.add_column("rank", justify="right")
        for c in eligibility.criteria:
            et.add_column(c.code, justify="center")
        et.add_column("eligible", justify="center")
        for r in eligibility.rows:
            marks = [
                {True: "✓", False: "✗", None: "missing"}[r["criteria"][c.code]["passed"]]
                for c in eligibility.criteria
            ]
            et.add_row(r["unit"], _rank(r["rank"]), *marks, "yes" if r["eligible"] else "no")
        console.print(et)


def _write_xlsx(path: Path, result, report: dict, front: dict[str, list] | None = None) -> None:
    """Results, every stage, weights and uncertainty; ``front``: sheets (name → rows) first."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for name, sheet_rows in (front or {}).items():
        ws.title = name
        for r in sheet_rows:
            ws.append(r)
        ws = wb.create_sheet()
    ws.title = "results"
    rows = report["results"]
    if rows:
        ws.append(list(rows[0]))
        for r in rows:
            ws.append(list(r.values()))
    for name in result.stages:
        sheet = wb.create_sheet(name)
        t = result.stage(name)
        sheet.append(t.column_names)
        for r in t.to_pylist():
            sheet.append(
                [None if isinstance(v, float) and math.isnan(v) else v for v in r.values()]
            )
    w = wb.create_sheet("weights")
    w.append(["code", "level", "weight", "effective_weight"])
    fw = result.framework
    for code, node in fw.nodes.items():
        w.append([code, fw.levels[code], node.weight, result.effective_weights.get(code)])
    if "uncertainty" in report:
        u = wb.create_sheet("uncertainty")
        units = report["uncertainty"]["units"]
        u.append(list(units[0]))
        for r in units:
            u.append(list(r.values()))
        if report["uncertainty"]["sensitivity"]:
            s = wb.create_sheet("sensitivity")
            s.append(["assumption", "first_order", "total"])
            for k, v in report["uncertainty"]["sensitivity"].items():
                s.append([k, v["first"], v["total"]])
    wb.save(path)


DEFAULT_RUNS = 1000  # Monte Carlo builds of `htz evaluate YEAR`


def _zone_table(indicators: pa.Table, fw: Framework, names: dict[str, str]) -> pa.Table:
    """The engine's input: unit id, name, region and the framework's indicators."""
    missing = [i.code for i in fw.indicators if i.code not in indicators.column_names]
    if missing:
        raise InputError(
            f"the framework {fw.name!r} needs indicator(s) {', '.join(missing)} that htz does "
            'not compute from a snapshot (see docs/methodology.md, "Zone indicators for the '
            'evaluation"); add them to a table and use --data FILE.'
        )
    zones = indicators.column("zone").to_pylist()
    cols = {fw.unit_id: indicators.column("zone")}
    if fw.unit_name:
        cols[fw.unit_name] = pa.array([names.get(z) or z for z in zones], pa.string())
    cols["region"] = indicators.column("region")
    for i in fw.indicators:
        cols[i.code] = indicators.column(i.code)
    return pa.table(cols)


def _zone_rows(result, mc, table: pa.Table, names: dict[str, str]) -> list[dict]:
    """Every zone of the year: rank, score, rank interval, pillar scores; screened-out last."""
    fw = result.framework
    pillars = [n.code for n in fw.aggregates if n.code != fw.root.code]
    by_unit = {r["unit"]: r for r in mc.rows()} if mc is not None else {}
    regions = dict(zip(table.column(fw.unit_id).to_pylist(),
                       table.column("region").to_pylist(), strict=True))  # fmt: skip
    out = []
    for row in result.rows():
        unit = row[fw.unit_id]
        u = by_unit.get(unit, {})
        out.append(
            {
                "zone": unit,
                "name": names.get(unit) or unit,
                "region": regions.get(unit),
                "rank": _finite(row["rank"]),
                "score": _finite(row[fw.root.code]),
                "median_rank": u.get("median_rank"),
                "rank_q05": u.get("rank_q05"),
                "rank_q95": u.get("rank_q95"),
                "pillars": {p: _finite(row[p]) for p in pillars},
                "screened_out": False,
            }
        )
    for unit in result.removed:
        out.append(
            {"zone": unit, "name": names.get(unit) or unit, "region": regions.get(unit),
             "rank": None, "score": None, "median_rank": None, "rank_q05": None,
             "rank_q95": None, "pillars": dict.fromkeys(pillars), "screened_out": True}
        )  # fmt: skip
    return out


def _print_zones(report: dict, result, mc, lists, lang: str) -> None:
    """Rank, zone, name, score, median rank, 5–95% interval and, if they fit, pillar scores."""
    fw = result.framework
    pillars = [n for n in fw.aggregates if n.code != fw.root.code]
    zones = report["zones"]
    title = f"{fw.name} — {report['year']}: {len(zones)} zones, snapshot {report['snapshot']}"
    if report["synthetic"]:
        title = f"SYNTHETIC DATA ({report['synthetic']}) — {title}"
    rows = []
    for z in zones:
        cells = [_rank(z["rank"]), z["zone"], z["name"] or "", _fmt(z["score"])]
        if mc is not None:
            q05, q95 = z["rank_q05"], z["rank_q95"]
            interval = "" if q05 is None else f"{q05:.0f}–{q95:.0f}"
            cells += [_rank(z["median_rank"]), interval]
        rows.append((cells, [_fmt(z["pillars"][p.code]) for p in pillars]))
    heads = ["rank", "zone", "name", "score"] + (["median", "5–95%"] if mc is not None else [])
    widths = [max([len(h)] + [len(c[k]) for c, _ in rows]) for k, h in enumerate(heads)]
    fixed = sum(w + 3 for k, w in enumerate(widths) if heads[k] != "name") + 6
    shown = pillars if console.width - fixed - 9 * len(pillars) >= 16 else []
    name_width = max(12, console.width - fixed - 9 * len(shown))
    short = console.width - fixed - name_width  # < 0: narrow terminal, shorten zone codes
    widths[1] = max(10, widths[1] + min(short, 0))
    table = Table(title=title, show_edge=False)
    for k, h in enumerate(heads):
        table.add_column(
            h,
            justify="left" if h in ("zone", "name") else "right",
            no_wrap=True,
            overflow="ellipsis",
            min_width=None if h == "name" else widths[k],
            max_width=name_width if h == "name" else widths[k],
        )
    for k in range(len(shown)):
        table.add_column(f"P{k + 1}", justify="right", no_wrap=True)
    for cells, scores in rows:
        table.add_row(*cells, *scores[: len(shown)])
    console.print(table)
    if shown:
        legend = "; ".join(f"P{k + 1} {p.label(lang)}" for k, p in enumerate(shown))
        console.print(f"[dim]{legend}[/dim]")
    elif pillars:
        console.print("[dim]pillar scores: --format json or xlsx, or a wider terminal[/dim]")
    for code, why in report["unavailable"].items():
        console.print(f"[yellow]not computed:[/yellow] {code} ({why})")
    _print_extras(result, mc, lists, None)


def _flat(zones: list[dict]) -> list[list]:
    if not zones:
        return []
    pillars = list(zones[0]["pillars"])
    head = [k for k in zones[0] if k != "pillars"]
    rows: list[list] = [head + pillars]
    for z in zones:
        rows.append([z[k] for k in head] + [z["pillars"][p] for p in pillars])
    return rows


def _evaluate_year(
    state, year: int, fw: Framework, snapshot: str | None, engine: str, runs: int, seed,
    sensitivity: bool, lists: bool, top: int, top_indicator: int,
):  # fmt: skip
    """Zone indicators of ``year`` from the snapshot, the index and its rank intervals."""
    from htz import app as application
    from htz.analytics.frame import open_frame
    from htz.analytics.zone_indicators import UNAVAILABLE, zone_indicators

    snap = application.latest_snapshot(state.app, snapshot)
    meta = application.meta(state.app)
    frame = open_frame(snap, engine)
    lang = state.settings.lang
    names = {
        z["code"]: z["name_zh"] if lang == "zh" else (z["name_en"] or z["name_zh"])
        for z in frame.rows(frame.registry("zones"))
    }
    with console.status(f"computing the zone indicators of {year} …"):
        indicators = zone_indicators(frame, year)
    if indicators.num_rows == 0:
        raise InputError(f"no national zone existed at the end of {year}; pick another year.")
    table = _zone_table(indicators, fw, names)
    result, mc, published = _evaluate(
        table,
        fw,
        f"snapshot {snap.id}, annual {year}",
        runs,
        seed,
        sensitivity,
        top if lists else None,
        top_indicator,
    )
    report = {
        "year": year,
        "snapshot": snap.id,
        "synthetic": meta.get("synthetic"),
        "unavailable": {
            i.code: UNAVAILABLE[i.code] for i in fw.indicators if i.code in UNAVAILABLE
        },
        "zones": _zone_rows(result, mc, table, names),
        **_report(result, mc, published, None),
    }
    report = json.loads(json.dumps(report, default=str, allow_nan=False))
    return result, mc, published, report


def register(app: typer.Typer, state) -> None:
    @app.command("evaluate")
    def evaluate(
        year: int | None = typer.Argument(
            None, help="rank the national zones of this year from the snapshot's annual reports"
        ),
        data: Path | None = typer.Option(
            None, "--data", help="CSV or XLSX: one row per unit (instead of YEAR)"
        ),
        framework: str = typer.Option(
            "zones-2021", "--framework", help="framework YAML, or zones-2013|zones-2021|zones-2024"
        ),
        snapshot: str | None = typer.Option(
            None, "--snapshot", help="with YEAR: snapshot id (default: the newest)"
        ),
        engine: str = typer.Option("duckdb", "--engine", help="with YEAR: duckdb or spark"),
        runs: int | None = typer.Option(
            None,
            "--runs",
            help=f"Monte Carlo builds for rank intervals (0: none; default {DEFAULT_RUNS} with "
            "YEAR, 0 with --data)",
        ),
        seed: int | None = typer.Option(None, "--seed", help="random seed, for reproducible runs"),
        sensitivity: bool = typer.Option(
            False, "--sensitivity", help="also Saltelli sensitivity indices (runs × (d+2) builds)"
        ),
        lists: bool = typer.Option(
            False,
            "--lists",
            help="publish as since 2024: unordered top list + top lists per indicator",
        ),
        top: int = typer.Option(50, "--top", help="size of the unordered top list"),
        top_indicator: int = typer.Option(
            20, "--top-indicator", help="size of each indicator list"
        ),
        eligibility: str | None = typer.Option(
            None, "--eligibility", help="upgrade criteria YAML, or 'default'"
        ),
        candidates: str | None = typer.Option(
            None,
            "--candidates",
            help="COLUMN=VALUE picking upgrade candidates, e.g. level=provincial",
        ),
        format: EvalFormat = typer.Option(EvalFormat.table, "--format", help="table, json or xlsx"),
        out: Path | None = typer.Option(
            None, "--out", help="write to this file instead of the screen"
        ),
    ) -> None:
        """Rank the zones of YEAR from the snapshot, or build an index from a --data table.

        Both give scores, ranks, Monte Carlo rank intervals and, on request, the
        unordered lists published since 2024.
        """
        if (year is None) == (data is None):
            raise InputError(
                "give a YEAR (rank the national zones from the snapshot, e.g. `htz evaluate "
                "2023`) or --data FILE (any table), not both."
                if year is not None
                else "give a YEAR (e.g. `htz evaluate 2023`) or --data FILE to evaluate."
            )
        if format is EvalFormat.xlsx and out is None:
            raise InputError("--format xlsx needs --out FILE.xlsx to write to.")
        if runs is None:
            runs = DEFAULT_RUNS if year is not None else 0
        if runs < 0:
            raise InputError(f"--runs {runs} is negative; give 0 (none) or a number of builds.")
        if year is not None:
            if eligibility or candidates:
                raise InputError(
                    "--eligibility assesses upgrade candidates, which are not national zones: "
                    "use it with --data FILE."
                )
            fw = load_framework(framework)
            result, mc, published, report = _evaluate_year(
                state, year, fw, snapshot, engine, runs, seed, sensitivity, lists, top,
                top_indicator,
            )  # fmt: skip
            if format is EvalFormat.xlsx:
                assert out is not None
                about = [["key", "value"]] + [
                    [k, report[k]] for k in ("year", "snapshot", "synthetic", "index", "units")
                ]
                about += [["framework", report["framework"]["name"]]]
                about += [[f"not computed: {k}", v] for k, v in report["unavailable"].items()]
                _write_xlsx(out, result, report, {"about": about, "zones": _flat(report["zones"])})
                console.print(f"wrote {out}")
            elif format is EvalFormat.json:
                _emit(report, out)
            else:
                _print_zones(report, result, mc, published, state.settings.lang)
            return
        if snapshot is not None:
            raise InputError("--snapshot goes with YEAR; --data FILE reads the file only.")
        assert data is not None
        fw = load_framework(framework)
        table = read_data(data)
        result, mc, published = _evaluate(
            table, fw, str(data), runs, seed, sensitivity, top if lists else None, top_indicator
        )
        assessment = None
        if eligibility:
            column, value = None, "provincial"
            if candidates:
                if "=" not in candidates:
                    raise InputError("--candidates takes COLUMN=VALUE, e.g. level=provincial.")
                column, value = candidates.split("=", 1)
            assessment = assess_upgrade(
                table,
                fw,
                load_criteria(eligibility),
                candidate_column=column,
                candidate_value=value,
                result=result,
                source=str(data),
            )
        report = _report(result, mc, published, assessment)
        if format is EvalFormat.xlsx:
            assert out is not None
            _write_xlsx(out, result, report)
            console.print(f"wrote {out}")
        elif format is EvalFormat.json:
            _emit(report, out)
        else:
            _print_table(result, mc, published, assessment)


def _emit(report: dict, out: Path | None) -> None:
    if out is not None:
        out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", "utf-8")
        console.print(f"wrote {out}")
    else:
        emit_json(report)


def _evaluate(
    table,
    fw,
    source: str,
    runs: int,
    seed: int,
    sensitivity: bool,
    top: int | None,
    top_indicator: int,
):
    """The index, its Monte Carlo uncertainty (with ``runs``) and the published lists."""
    result = build_index(table, fw, source=source)
    mc = None
    if runs:
        with console.status(f"{runs} Monte Carlo builds …"):
            mc = run_uncertainty(
                table, fw, runs=runs, seed=seed, sensitivity=sensitivity, nominal=result
            )
    published = None
    if top is not None:
        published = {
            "top": top_list(result, top),
            "indicators": indicator_lists(result, top_indicator),
        }
    return result, mc, published
