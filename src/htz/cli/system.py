"""`htz config` and `htz init`."""

from __future__ import annotations

import typer

from htz import app as application
from htz.cli.output import Format, console, emit_json, emit_rows


def register(app: typer.Typer, state) -> None:
    @app.command("config")
    def config_(
        format: Format = typer.Option(Format.table, "--format", help="table, json or csv"),
    ) -> None:
        """Print the effective settings and where each came from."""
        columns = ["setting", "env", "value", "origin"]
        if format is not Format.table:
            columns.append("help")
        emit_rows(state.settings.rows(), format, columns, title="htz settings")

    @app.command("init")
    def init(
        format: Format = typer.Option(Format.table, "--format", help="table or json"),
    ) -> None:
        """Create or upgrade the database and load the reference data (safe to run again)."""
        report = application.init(state.app)
        rows = [
            {
                "table": r.table,
                "inserted": r.inserted,
                "updated": r.updated,
                "unchanged": r.unchanged,
            }
            for r in report.loaded
        ]
        if format is Format.json:
            emit_json(
                {
                    "database": state.app.engine.url.render_as_string(hide_password=True),
                    "schema_before": report.revision_before,
                    "schema": report.revision_after,
                    "changed": report.changed,
                    "reference": rows,
                }
            )
            return
        url = state.app.engine.url.render_as_string(hide_password=True)
        if report.revision_before == report.revision_after:
            console.print(f"Schema {report.revision_after} is current in {url}.")
        else:
            before = report.revision_before or "empty"
            console.print(f"Schema upgraded {before} → {report.revision_after} in {url}.")
        emit_rows(rows, format, title="Reference data")
        if not report.changed:
            console.print("Nothing changed: the database was already up to date.")
