"""`htz evaluate`: build an index from any table and a framework file."""

from __future__ import annotations

import json
import math
from enum import StrEnum
from pathlib import Path

import typer
from rich.table import Table

from htz.cli.output import console, emit_json
from htz.errors import InputError
from htz.evaluation import build_index, load_framework, read_data, run_uncertainty
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
    return json.loads(json.dumps(out, default=str, allow_nan=False))


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


def _write_xlsx(path: Path, result, report: dict) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
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


def register(app: typer.Typer, state) -> None:
    @app.command("evaluate")
    def evaluate(
        data: Path = typer.Option(..., "--data", help="CSV or XLSX: one row per unit"),
        framework: str = typer.Option(
            "zones-2021", "--framework", help="framework YAML, or zones-2013|zones-2021|zones-2024"
        ),
        runs: int = typer.Option(
            0, "--runs", help="Monte Carlo builds for rank intervals (0: none)"
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
        """Build an index from a table and a framework; optionally rank intervals and lists."""
        if format is EvalFormat.xlsx and out is None:
            raise InputError("--format xlsx needs --out FILE.xlsx to write to.")
        if runs < 0:
            raise InputError(f"--runs {runs} is negative; give 0 (none) or a number of builds.")
        fw = load_framework(framework)
        table = read_data(data)
        result = build_index(table, fw, source=str(data))
        mc = None
        if runs:
            with console.status(f"{runs} Monte Carlo builds …"):
                mc = run_uncertainty(
                    table, fw, runs=runs, seed=seed, sensitivity=sensitivity, nominal=result
                )
        published = None
        if lists:
            published = {
                "top": top_list(result, top),
                "indicators": indicator_lists(result, top_indicator),
            }
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
            if out is not None:
                out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", "utf-8")
                console.print(f"wrote {out}")
            else:
                emit_json(report)
        else:
            _print_table(result, mc, published, assessment)
