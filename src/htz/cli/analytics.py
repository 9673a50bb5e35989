"""`htz build`, `htz snapshots list` and `htz bulletin`."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.progress import Progress

from htz import app as application
from htz.cli.output import Format, console, emit_rows
from htz.errors import InputError
from htz.reporting import export

FORMATS = ("html", "md", "json", "xlsx")


def register(app: typer.Typer, state) -> None:
    snapshots = typer.Typer(help="Immutable analytics snapshots.", no_args_is_help=True)
    app.add_typer(snapshots, name="snapshots")

    @app.command("build")
    def build(
        period: list[str] = typer.Option(None, "--period", help="rebuild only these periods"),
    ) -> None:
        """Write changed periods' accepted, approved and imputed data to a new snapshot."""
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("Building snapshot", total=None)
            result = application.build_snapshot(
                state.app, period or None, lambda key: progress.update(task, description=key)
            )
        snap = result.snapshot
        verb = "written" if result.new else "unchanged (same content as before)"
        console.print(
            f"snapshot {snap.id} {verb}: {len(snap.partitions)} partitions, "
            f"{len(result.rewritten)} rewritten, {result.reused} reused."
        )

    @snapshots.command("list")
    def snapshots_list(format: Format = typer.Option(Format.table, "--format")) -> None:
        """Snapshots, newest first."""
        with state.app.connect() as conn:
            rows = export.list_snapshots(conn)
        emit_rows(
            rows,
            format,
            ["id", "created_at", "created_by", "partitions", "rewritten", "audit_head"],
        )

    @app.command("bulletin")
    def bulletin(
        period: str = typer.Argument(..., help="e.g. 2023-Q3 (first three quarters), 2023"),
        lang: str | None = typer.Option(None, help="zh, en or vi (default HTZ_LANG)"),
        format: str = typer.Option("html", "--format", help="html, md, json or xlsx"),
        engine: str = typer.Option("duckdb", help="duckdb or spark"),
        snapshot: str | None = typer.Option(None, help="snapshot id (default: the newest)"),
        out: Path | None = typer.Option(
            None, help="file to write (default: standard output; xlsx needs --out)"
        ),
    ) -> None:
        """The national bulletin of a period, from a snapshot (as published, when it is)."""
        if format not in FORMATS:
            raise InputError(f"--format {format!r}: use one of {', '.join(FORMATS)}.")
        lang = lang or state.settings.lang
        if lang not in ("zh", "en", "vi"):
            raise InputError(f"--lang {lang!r}: use zh, en or vi.")
        data = application.figures(state.app, period, snapshot, engine)
        if format == "json":
            text = json.dumps(data, ensure_ascii=False, indent=2)
            _write(text, out)
            return
        from htz.publish import render

        if format == "xlsx":
            if out is None:
                raise InputError("--format xlsx writes a file: add --out bulletin.xlsx.")
            render.xlsx(data, lang, out)
            console.print(f"wrote {out}")
            return
        text = render.html(data, lang) if format == "html" else render.markdown(data, lang)
        _write(text, out)


def _write(text: str, out: Path | None) -> None:
    if out is None:
        import sys

        sys.stdout.write(text + "\n")
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"wrote {out}")
