"""`htz zones`, `htz enterprises` and `htz platforms`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.table import Table

from htz.cli.output import Format, console, emit_json, emit_rows, err_console
from htz.errors import InputError
from htz.registry import enterprises as ent
from htz.registry import platforms as plat
from htz.registry import zones as zn
from htz.tabular import read_table

FORMAT = typer.Option(Format.table, "--format", help="table, json or csv")


def _as_of(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise InputError(
            f"--as-of {text!r} is not a date; write YYYY-MM-DD, e.g. 2023-11-30."
        ) from exc


def _bars(label: str, counts: dict[str, int], total: int) -> None:
    """A count table with a bar per row, for reading distributions at a glance."""
    table = Table(box=None, pad_edge=False)
    table.add_column(label)
    table.add_column("zones", justify="right")
    table.add_column("share", justify="right")
    table.add_column("")
    top = max(counts.values(), default=1)
    for key, n in counts.items():
        table.add_row(str(key), str(n), f"{n / total:.1%}", "█" * max(1, round(24 * n / top)))
    console.print(table)
    console.print()


def register(app: typer.Typer, state) -> None:
    zones = typer.Typer(help="The registry of national high-tech zones.", no_args_is_help=True)
    enterprises = typer.Typer(help="Enterprises in the zones.", no_args_is_help=True)
    platforms = typer.Typer(help="Innovation platforms and their location.", no_args_is_help=True)
    app.add_typer(zones, name="zones")
    app.add_typer(enterprises, name="enterprises")
    app.add_typer(platforms, name="platforms")

    @zones.command("list")
    def zones_list(
        province: str | None = typer.Option(None, help="GB/T 2260 province code, e.g. 44"),
        as_of: str | None = typer.Option(None, "--as-of", help="date YYYY-MM-DD (default today)"),
        format: Format = FORMAT,
    ) -> None:
        """List the national zones that existed on a date."""
        with state.app.connect() as conn:
            rows = zn.list_zones(conn, as_of=_as_of(as_of), province=province)
        city = "city_zh" if state.settings.lang == "zh" else "city_en"
        rows = [{**r, "city": r[city]} for r in rows]
        columns = ["code", "name_zh", "name_en", "province_code", "city", "approved", "level"]
        if format is not Format.table:
            columns += ["city_zh", "city_en", "region", "lat", "lon", "coord_precision"]
        emit_rows(rows, format, columns, title=f"{len(rows)} national zones")

    @zones.command("show")
    def zones_show(
        code: str = typer.Argument(..., help="zone code or exact Chinese name"),
        format: Format = FORMAT,
    ) -> None:
        """Show one zone and its history."""
        with state.app.connect() as conn:
            zone = zn.get_zone(conn, code)
        if format is not Format.table:
            emit_json(zone)
            return
        table = Table(show_header=False, title=f"{zone['name_zh']} — {zone['name_en']}")
        for key, value in zone.items():
            if key != "events" and value is not None:
                table.add_row(key, str(value))
        console.print(table)
        emit_rows(zone["events"], Format.table, ["date", "event", "detail"], title="Events")

    @zones.command("stats")
    def zones_stats(
        as_of: str | None = typer.Option(None, "--as-of", help="date YYYY-MM-DD (default today)"),
        format: Format = FORMAT,
    ) -> None:
        """Count the national zones on a date, by province, region and approval year."""
        with state.app.connect() as conn:
            stats = zn.zone_stats(conn, as_of=_as_of(as_of))
            names = zn.province_names(conn, state.settings.lang)
        if format is Format.json:
            emit_json(stats)
            return
        if format is Format.csv:
            rows = [
                {"dimension": dim, "key": key, "zones": n}
                for dim in ("by_province", "by_region", "by_approval_year")
                for key, n in stats[dim].items()
            ]
            emit_rows([{"dimension": "total", "key": "", "zones": stats["total"]}, *rows], format)
            return
        console.print(f"[bold]{stats['total']}[/bold] national zones on {stats['as_of']}")
        if stats["without_province"]:
            console.print(
                f"[dim]{stats['without_province']} not yet identified (no province)[/dim]"
            )
        _bars("region", stats["by_region"], stats["total"])
        _bars(
            "province",
            {f"{k} {names.get(k, '')}": v for k, v in stats["by_province"].items()},
            stats["total"],
        )
        _bars("approved", stats["by_approval_year"], stats["total"])

    @enterprises.command("import")
    def enterprises_import(
        file: Path = typer.Argument(
            ..., help="CSV or XLSX: uscc, name, zone, industry, entered, …"
        ),
        keep_valid: bool = typer.Option(
            False, "--keep-valid", help="store the valid rows of a file with errors"
        ),
        format: Format = FORMAT,
    ) -> None:
        """Import enterprises; a file with any error stores nothing (unless --keep-valid)."""
        table = read_table(file)
        with state.app.connect() as conn:
            checked = ent.check(conn, table)
            result = ent.import_enterprises(
                conn, checked, keep_valid=keep_valid, actor=state.settings.user
            )
        summary = {
            "file": str(file),
            "rows": result.rows_read,
            "inserted": result.sync.inserted,
            "updated": result.sync.updated,
            "unchanged": result.sync.unchanged,
            "skipped": result.rows_skipped,
            "issues": [i.as_dict() for i in result.issues],
        }
        if format is Format.json:
            emit_json(summary)
            return
        for issue in result.issues:
            err_console.print(f"  skipped {issue.render()} ({issue.code})", highlight=False)
        console.print(
            f"{file}: {result.rows_read} rows; {result.sync.inserted} inserted, "
            f"{result.sync.updated} updated, {result.sync.unchanged} unchanged, "
            f"{result.rows_skipped} skipped."
        )

    @enterprises.command("list")
    def enterprises_list(
        zone: str | None = typer.Option(None, help="zone code or exact Chinese name"),
        format: Format = FORMAT,
    ) -> None:
        """List enterprises, optionally of one zone."""
        with state.app.connect() as conn:
            code = zn.resolve_zone(conn, zone) if zone else None
            rows = ent.list_enterprises(conn, code)
        emit_rows(rows, format, list(ent.LIST_COLUMNS), title=f"{len(rows)} enterprises")

    @platforms.command("import")
    def platforms_import(
        file: Path = typer.Argument(
            ...,
            help="CSV or XLSX: type, name_zh and optional "
            "name_en, host, city_zh, province_code, zone, approved",
        ),
        keep_valid: bool = typer.Option(
            False, "--keep-valid", help="store the valid rows of a file with errors"
        ),
    ) -> None:
        """Import innovation platforms; a file with any error stores nothing."""
        table = read_table(file)
        with state.app.connect() as conn:
            checked = plat.check(conn, table)
            result = plat.import_platforms(conn, checked, keep_valid=keep_valid)
        console.print(
            f"{file}: {len(table.rows)} rows; {result.inserted} inserted, "
            f"{result.updated} updated, {result.unchanged} unchanged, "
            f"{len(table.rows) - len(checked.records)} skipped."
        )

    @platforms.command("share")
    def platforms_share(
        year: int | None = typer.Option(None, help="count platforms approved up to this year"),
        format: Format = FORMAT,
    ) -> None:
        """For each platform type: how many exist and what share lies in national zones."""
        with state.app.connect() as conn:
            rows = plat.share_in_zones(conn, as_of_year=year)
        emit_rows(
            rows,
            format,
            ["type", "name_en", "total", "in_zone", "outside", "unknown", "share_in_zone"],
        )
        if format is Format.table:
            console.print(
                "[dim]share_in_zone is over platforms whose location is known; "
                "'unknown' are left out of it.[/dim]"
            )
