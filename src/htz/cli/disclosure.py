"""`htz disclosure protect` and `htz disclosure audit`: disclosure control for any table."""

from __future__ import annotations

from pathlib import Path

import typer

from htz.cli.output import Format, console, emit_rows
from htz.disclosure import audit as audit_pattern
from htz.disclosure import protect as protect_cells
from htz.disclosure import spec as specs
from htz.disclosure.protect import Protection


def register(app: typer.Typer, state) -> None:
    group = typer.Typer(
        help="Disclosure control of any table: primary and secondary suppression, audit.",
        no_args_is_help=True,
    )
    app.add_typer(group, name="disclosure")

    @group.command("protect")
    def protect(
        spec: Path = typer.Argument(..., help="the YAML spec (docs/disclosure.md)"),
        out: Path = typer.Option(..., "--out", help="CSV to write: one row per cell"),
        method: str | None = typer.Option(None, help="optimal, heuristic or auto (spec's)"),
        format: Format = typer.Option(Format.table, "--format", help="what to print"),
    ) -> None:
        """Find the cells to withhold and write every cell with its status and interval."""
        s = specs.load(spec)
        if method is not None:
            s.method = specs.check_method(method, "--method")
        result = protect_cells(s.cells, s.rules, s.method, s.cost, s.forced,
                               time_limit=s.time_limit)  # fmt: skip
        specs.write_csv(result, out)
        _show(result, format, only_withheld=True)
        console.print(f"wrote {out}", highlight=False)

    @group.command("audit")
    def audit(
        spec: Path = typer.Argument(..., help="the YAML spec (docs/disclosure.md)"),
        cells: Path = typer.Option(..., "--cells", help="a pattern: dimension columns, status"),
        format: Format = typer.Option(Format.table, "--format", help="what to print"),
    ) -> None:
        """What an attacker can derive about each withheld cell; exit 1 if any sensitive
        cell's interval does not cover its required range."""
        s = specs.load(spec)
        result = audit_pattern(s.cells, s.rules, specs.pattern(s, cells), s.forced)
        _show(result, format, only_withheld=True)
        if not result.ok:
            raise typer.Exit(1)


def _short(v):
    if isinstance(v, float):
        return f"{v:,.2f}".rstrip("0").rstrip(".") if abs(v) != float("inf") else str(v)
    return v


def _show(result: Protection, fmt: Format, only_withheld: bool) -> None:
    rows = result.rows()
    if fmt is Format.table and only_withheld:
        rows = [r for r in rows if r["status"] in ("primary", "secondary")]
    if fmt is Format.table:  # a person reads two decimals; the CSV keeps every digit
        rows = [{k: _short(v) for k, v in r.items()} for r in rows]
    emit_rows(rows, fmt, specs.columns(result), title="cells" if fmt is Format.table else None)
    if fmt is not Format.table:
        return
    s = result.summary()
    verdict = "[green]protected[/green]" if result.ok else "[bold red]NOT protected[/bold red]"
    console.print(
        f"{s['cells']} cells: {s['primary']} primary, {s['secondary']} secondary "
        f"(value {s['secondary_value']:,.6g}); method {s['method']}"
        + (" (proven optimal)" if s["proven_optimal"] else "")
        + f"; {verdict}" + (f": {s['failed']} sensitive cells derivable too closely"
                            if s["failed"] else ""),
        highlight=False,
    )  # fmt: skip
