"""`htz import`, `validate`, `review`, `period`, `reporting missing`, `impute` and `audit`."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import sqlalchemy as sa
import typer

from htz import audit
from htz.cli.output import Format, console, emit_json, emit_rows, err_console
from htz.errors import InputError
from htz.registry import zones as zn
from htz.reporting import service, workflow
from htz.store.schema import reports

FORMAT = typer.Option(Format.table, "--format", help="table, json or csv")
FORM = typer.Option("monthly", "--form", help="monthly, quarterly, annual_fast or annual")


def _short(text: str | None, width: int = 48) -> str:
    if not text:
        return ""
    return text if len(text) <= width else text[: width - 1] + "…"


def register(app: typer.Typer, state) -> None:
    review = typer.Typer(
        help="Review reports: list, submit, approve, return.", no_args_is_help=True
    )
    period = typer.Typer(help="Close and reopen reporting periods.", no_args_is_help=True)
    reporting = typer.Typer(help="Response and non-response.", no_args_is_help=True)
    audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
    app.add_typer(review, name="review")
    app.add_typer(period, name="period")
    app.add_typer(reporting, name="reporting")
    app.add_typer(audit_app, name="audit")

    def settings():
        return state.settings

    @app.command("import")
    def import_(
        file: Path = typer.Argument(..., help="CSV or XLSX: uscc, period, <indicator…>"),
        form: str = FORM,
        unit: str | None = typer.Option(
            None, help="unit of money columns whose header names none, e.g. 万元"
        ),
        keep_valid: bool = typer.Option(
            False, "--keep-valid", help="store the valid rows of a file with errors"
        ),
        format: Format = FORMAT,
    ) -> None:
        """Import enterprises' reports; a file with any error stores nothing."""
        with console.status(f"Reading and checking {file} …"), state.app.connect() as conn:
            summary = service.import_reports(
                conn,
                settings().user,
                file,
                form,
                unit=unit,
                keep_valid=keep_valid,
                lang=settings().lang,
            )
        data = asdict(summary)
        data["issues"] = [i.as_dict() for i in summary.issues]
        if format is Format.json:
            emit_json(data)
            return
        for issue in summary.issues[:50]:
            tag = "skipped" if issue.severity == "error" else "warning"
            err_console.print(f"  {tag}: {issue.render()} ({issue.code})", highlight=False)
        console.print(
            f"{file} ({summary.encoding or 'xlsx'}): {summary.rows} rows; "
            f"{summary.inserted} reports inserted, {summary.updated} updated, "
            f"{summary.unchanged} unchanged, {summary.replaced_imputed} replaced imputed "
            f"values; {summary.observations} observations stored; {summary.skipped} rows skipped."
        )
        if summary.drafts:
            console.print(
                f"{summary.drafts} reports have warnings and no explanation: kept as drafts "
                "(add a comment column, or `htz review submit ID --comment …`)."
            )

    @app.command("validate")
    def validate(
        form: str = FORM,
        period: str | None = typer.Option(None, help="period, e.g. 2023-M09 (default: all)"),
        zone: str | None = typer.Option(None, help="zone code or exact Chinese name"),
        format: Format = FORMAT,
    ) -> None:
        """Run the validation rules over stored reports."""
        with state.app.connect() as conn:
            zone_code = zn.resolve_zone(conn, zone) if zone else None
            if period:
                periods = [service.period_of(form, period)]
            else:
                periods = sorted(
                    conn.execute(
                        sa.select(reports.c.period).where(reports.c.form == form).distinct()
                    ).scalars()
                )
            violations = service.validate(conn, form, periods, zone_code, settings().lang)
        rows = [
            {
                "rule": v.rule,
                "severity": v.severity,
                "uscc": v.uscc,
                "period": v.period,
                "values": v.values,
                "message": v.message,
            }
            for v in violations
        ]
        emit_rows(
            rows,
            format,
            ["rule", "severity", "uscc", "period", "values", "message"],
            title=f"{len(rows)} rule violations",
        )

    @review.command("list")
    def review_list(
        form: str | None = typer.Option(None, "--form"),
        period: str | None = typer.Option(None),
        zone: str | None = typer.Option(None, help="zone code or exact Chinese name"),
        status: str | None = typer.Option(None, help="draft, submitted, approved, …"),
        limit: int = typer.Option(1000),
        format: Format = FORMAT,
    ) -> None:
        """List reports with their status, version and number of rule issues."""
        with state.app.connect() as conn:
            zone_code = zn.resolve_zone(conn, zone) if zone else None
            rows = workflow.review_list(conn, form, period, zone_code, status, limit)
        emit_rows(
            rows,
            format,
            [
                "id",
                "uscc",
                "name",
                "zone_code",
                "form",
                "period",
                "status",
                "level",
                "version",
                "issues",
                "comment",
            ],
            title=f"{len(rows)} reports",
        )

    def _version(conn, report_id: int, version: int | None) -> int:
        return version if version is not None else workflow.get_report(conn, report_id)["version"]

    VERSION = typer.Option(None, help="the version you reviewed (refused if it changed since)")

    @review.command("submit")
    def review_submit(
        report_id: int = typer.Argument(...),
        comment: str | None = typer.Option(None, help="explanation of the warnings"),
        version: int | None = VERSION,
    ) -> None:
        """Submit a draft or returned report (errors block; warnings need a comment)."""
        with state.app.connect() as conn:
            r = service.submit(
                conn,
                settings().user,
                report_id,
                _version(conn, report_id, version),
                comment,
                settings().lang,
            )
        console.print(f"report {report_id} is {r['status']} (version {r['version']}).")

    @review.command("approve")
    def review_approve(
        report_ids: list[int] = typer.Argument(None, help="report ids (or use --all)"),
        all_: bool = typer.Option(False, "--all", help="every submitted report that matches"),
        form: str | None = typer.Option(None, "--form"),
        period: str | None = typer.Option(None),
        zone: str | None = typer.Option(None),
        level: str | None = typer.Option(None, help="the level you approve at, e.g. zone"),
        version: int | None = VERSION,
    ) -> None:
        """Approve reports at the next level of the review chain; the last level accepts."""
        levels = settings().approval_levels
        with state.app.connect() as conn:
            if all_:
                if report_ids or not period:
                    raise InputError(
                        "--all approves a whole period: give --period (and "
                        "optionally --form, --zone, --level), and no ids."
                    )
                zone_code = zn.resolve_zone(conn, zone) if zone else None
                moved = workflow.approve_all(
                    conn,
                    settings().user,
                    levels,
                    form or "monthly",
                    service.period_of(form or "monthly", period),
                    zone_code,
                    level,
                )
                console.print(
                    ", ".join(
                        f"{n} {'accepted' if lvl == levels[-1] else 'approved at ' + lvl}"
                        for lvl, n in moved.items()
                    )
                    or "nothing awaited approval"
                )
                return
            if not report_ids:
                raise InputError("name the reports to approve, or use --all --period P.")
            statuses: dict[str, int] = {}
            for rid in report_ids:
                one = version if len(report_ids) == 1 else None
                r = workflow.approve(
                    conn, settings().user, rid, _version(conn, rid, one), levels, level
                )
                statuses[r["status"]] = statuses.get(r["status"], 0) + 1
        console.print(", ".join(f"{n} {s}" for s, n in sorted(statuses.items())))

    @review.command("return")
    def review_return(
        report_id: int = typer.Argument(...),
        comment: str = typer.Option(..., help="what the enterprise must correct"),
        version: int | None = VERSION,
    ) -> None:
        """Return a report to the enterprise with a comment."""
        with state.app.connect() as conn:
            r = workflow.return_report(
                conn, settings().user, report_id, _version(conn, report_id, version), comment
            )
        console.print(f"report {report_id} is {r['status']} (version {r['version']}).")

    @period.command("close")
    def period_close(
        code: str = typer.Argument(..., help="e.g. 2023-M09"), form: str = FORM
    ) -> None:
        """Close a period: its reports refuse every change until it is reopened."""
        with state.app.connect() as conn:
            changed = workflow.set_period_state(
                conn, settings().user, form, service.period_of(form, code), "closed"
            )
        console.print(f"{form} {code} {'closed' if changed else 'was already closed'}.")

    @period.command("reopen")
    def period_reopen(code: str = typer.Argument(...), form: str = FORM) -> None:
        """Reopen a closed period (national users)."""
        with state.app.connect() as conn:
            changed = workflow.set_period_state(
                conn, settings().user, form, service.period_of(form, code), "open"
            )
        console.print(f"{form} {code} {'reopened' if changed else 'was already open'}.")

    @reporting.command("missing")
    def reporting_missing(
        code: str = typer.Argument(..., help="period, e.g. 2023-M09"),
        form: str = FORM,
        zone: str | None = typer.Option(None, help="zone code or exact Chinese name"),
        format: Format = FORMAT,
    ) -> None:
        """Enterprises that owe a report for the period and have no accepted one."""
        with state.app.connect() as conn:
            zone_code = zn.resolve_zone(conn, zone) if zone else None
            rows = [asdict(m) for m in service.missing(conn, form, code, zone_code)]
        for r in rows:
            r["status"] = r["status"] or "no report"
        emit_rows(
            rows,
            format,
            ["uscc", "zone_code", "section", "status"],
            title=f"{len(rows)} enterprises without an accepted {form} report for {code}",
        )

    @app.command("impute")
    def impute(
        code: str = typer.Argument(..., help="period, e.g. 2023-M09"),
        form: str = FORM,
        format: Format = FORMAT,
    ) -> None:
        """Impute non-respondents by ratio imputation; prints the imputed shares."""
        with console.status(f"Imputing {form} {code} …"), state.app.connect() as conn:
            result = service.impute(conn, settings().user, form, code)
        shares = [{"indicator": k, **v} for k, v in result.shares.items()]
        if format is Format.json:
            data = asdict(result)
            data["details"] = [
                {"uscc": u, "indicator": x, "value": v, "base_period": b, "ratio": r, "level": lvl}
                for (u, x), (v, b, r, lvl) in result.details.items()
            ]
            emit_json(data)
            return
        console.print(
            f"{form} {result.period}: {result.expected} enterprises owe a report, "
            f"{result.respondents} accepted, {result.imputed_reports} imputed, "
            f"{result.pending} awaiting review, {len(result.not_imputable)} with no base value."
        )
        shown = [
            {
                "indicator": r["indicator"],
                "reported": f"{r['reported']:,.0f}",
                "imputed": f"{r['imputed']:,.0f}",
                "share": f"{r['share']:.2%}",
            }
            for r in shares
        ]
        emit_rows(
            shown,
            Format.table,
            ["indicator", "reported", "imputed", "share"],
            title="Imputed share of each total",
        )

    @audit_app.command("verify")
    def audit_verify() -> None:
        """Check the hash chain; exit 1 naming the first entry that was edited or removed."""
        with state.app.connect() as conn:
            result = audit.verify(conn)
        if not result.ok:
            err_console.print(
                f"[bold red]audit log broken:[/bold red] {result.reason}", highlight=False
            )
            raise typer.Exit(1)
        console.print(f"audit log intact: {result.entries} entries, chain verified.")

    @audit_app.command("log")
    def audit_log(
        entity: str | None = typer.Option(None, help="report, enterprise, period, …"),
        key: str | None = typer.Option(None, help="e.g. USCC/form/period"),
        limit: int = typer.Option(50),
        format: Format = FORMAT,
    ) -> None:
        """The latest audit entries."""
        with state.app.connect() as conn:
            rows = audit.history(conn, entity, key, limit)
        if format is Format.table:
            rows = [{**r, "at": r["at"][:19], "after": _short(r["after"])} for r in rows]
        emit_rows(rows, format, ["id", "at", "actor", "action", "entity", "entity_key", "after"])
