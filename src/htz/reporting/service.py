"""The reporting operations as one Python API: what `htz` commands and the web layer call.

Each function takes an open connection (one transaction) and plain values, and returns
values; none reads settings or prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from htz import audit
from htz.catalog import load_catalog
from htz.errors import ImportProblemsError, Issue, PeriodError
from htz.periods import parse
from htz.registry.enterprises import expected_to_report
from htz.reporting import imputation, workflow
from htz.reporting.imports import read_upload
from htz.reporting.reports import (
    check_known_enterprises,
    enterprise_index,
    load_long,
    store_upload,
    to_wide,
)
from htz.reporting.rules import Violation, check_report, check_upload, default_rules, to_violations
from htz.store.bulk import bulk_insert
from htz.store.schema import report_issues, reports

HISTORY_STATUSES = ("submitted", "approved", "accepted")


def history_periods(form: str, periods: Sequence[str]) -> dict[str, list[str]]:
    """Form → earlier periods the rules may look up for reports of ``periods``."""
    needed: dict[str, set[str]] = {form: set()}
    for code in periods:
        p = parse(code)
        needed[form].add(p.last_year().code)
        if p.previous_ytd():
            needed[form].add(p.previous_ytd().code)
        if p.freq == "A":
            needed.setdefault("monthly", set()).add(f"{p.year}-M12")
    return {f: sorted(ps - (set(periods) if f == form else set())) for f, ps in needed.items()}


def load_history(conn: Connection, form: str, periods: Sequence[str]) -> pa.Table | None:
    """Stored reports the rules compare with: earlier periods of the form (and December)."""
    catalog = load_catalog()
    tables = []
    for f, ps in history_periods(form, periods).items():
        if not ps:
            continue
        indicators = list(catalog.form(f).indicators)
        long = load_long(conn, f, ps, statuses=HISTORY_STATUSES)
        if long.num_rows:
            wide = to_wide(long, indicators)
            tables.append(wide.select(["uscc", "period", *indicators]))
    if not tables:
        return None
    return pa.concat_tables(tables, promote_options="default")


@dataclass
class ImportSummary:
    source: str
    form: str
    rows: int
    encoding: str | None
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    replaced_imputed: int = 0
    observations: int = 0
    drafts: int = 0  # reports with warnings and no explanation, kept as drafts
    skipped: int = 0
    issues: list[Issue] = field(default_factory=list)


def import_reports(
    conn: Connection,
    actor: str,
    path: Path,
    form: str,
    *,
    unit: str | None = None,
    keep_valid: bool = False,
    lang: str = "en",
) -> ImportSummary:
    """Parse, check against the registry and the rules, and store a report file.

    A file with any error stores nothing (``ImportProblemsError`` carries every problem)
    unless ``keep_valid``, which stores the rows without errors. Rows with warnings are
    submitted when the file explains them (a ``comment`` column), else kept as drafts.
    """
    catalog = load_catalog()
    indicators = list(catalog.form(form).indicators)
    upload = read_upload(path, form, catalog, unit=unit)
    ents = enterprise_index(conn)
    issues = list(upload.issues) + check_known_enterprises(upload.table, ents)
    table = upload.table
    known = pc.is_in(table.column("uscc"), value_set=pa.array(list(ents), pa.string()))
    table = table.filter(known)
    violations: list[Violation] = []
    if table.num_rows:
        periods = table.column("period").unique().to_pylist()
        history = load_history(conn, form, periods)
        present = [c for c in indicators if c in table.column_names]
        checked = table.select(["uscc", "period", *present])
        violations = to_violations(
            check_upload(default_rules(), checked, history, form=form, lang=lang)
        )
    rows = table.column("row").to_pylist()
    for v in violations:
        issue = v.as_issue()
        issues.append(
            Issue(issue.code, issue.message, rows[v.row], issue.column, issue.value, issue.severity)
        )
    errors = [i for i in issues if i.severity == "error"]
    summary = ImportSummary(str(path), form, upload.rows_read, upload.encoding, issues=issues)
    if errors and not keep_valid:
        raise ImportProblemsError(str(path), errors)
    bad_rows = {i.row for i in errors}
    keep = pa.array([r not in bad_rows for r in rows], pa.bool_())
    table = table.filter(keep)
    summary.skipped = upload.rows_read - table.num_rows
    if not table.num_rows:
        return summary
    warned: dict[tuple[str, str], list[Violation]] = {}
    for v in violations:
        if v.severity == "warning" and rows[v.row] not in bad_rows:
            warned.setdefault((v.uscc, v.period), []).append(v)
    comments = (
        table.column("comment").to_pylist()
        if "comment" in table.column_names
        else [None] * table.num_rows
    )
    statuses = []
    for code, period, comment in zip(
        table.column("uscc").to_pylist(), table.column("period").to_pylist(), comments, strict=True
    ):
        needs = (code, period) in warned and not (comment or "").strip()
        statuses.append("draft" if needs else "submitted")
    summary.drafts = statuses.count("draft")
    stored = store_upload(conn, actor, form, table, indicators, ents, statuses=statuses)
    summary.inserted, summary.updated = stored.inserted, stored.updated
    summary.unchanged, summary.replaced_imputed = stored.unchanged, stored.replaced_imputed
    summary.observations = stored.observations
    if warned:
        ids = [stored.report_ids[k] for k in warned if k in stored.report_ids]
        for start in range(0, len(ids), 5000):
            conn.execute(
                sa.delete(report_issues).where(
                    report_issues.c.report_id.in_(ids[start : start + 5000])
                )
            )
        bulk_insert(
            conn,
            report_issues,
            ["report_id", "rule", "severity", "message", "values"],
            [
                (
                    stored.report_ids[k],
                    v.rule,
                    v.severity,
                    v.message,
                    audit.canonical(v.values),
                )
                for k, vs in warned.items()
                if k in stored.report_ids
                for v in vs
            ],
        )
    return summary


def validate(
    conn: Connection,
    form: str,
    periods: Sequence[str],
    zone_code: str | None = None,
    lang: str = "en",
) -> list[Violation]:
    """Run the rules over stored reports (all statuses but imputed) of some periods."""
    catalog = load_catalog()
    indicators = list(catalog.form(form).indicators)
    long = load_long(
        conn,
        form,
        periods,
        zone_code=zone_code,
        statuses=("draft", "submitted", "returned", "approved", "accepted"),
    )
    if not long.num_rows:
        return []
    wide = to_wide(long, indicators).select(["uscc", "period", *indicators])
    history = load_history(conn, form, list(periods))
    return to_violations(check_upload(default_rules(), wide, history, form=form, lang=lang))


def check_one(conn: Connection, report: dict, lang: str = "en") -> list[Violation]:
    """The rules over one stored report, with its stored history (the web form's check)."""
    history = load_history(conn, report["form"], [report["period"]])
    past = []
    if history is not None:
        mine = history.filter(pc.equal(history.column("uscc"), report["uscc"]))
        past = mine.to_pylist()
    values = {"uscc": report["uscc"], "period": report["period"], **report["values"]}
    return check_report(default_rules(), values, past, form=report["form"], lang=lang)


def save(
    conn: Connection,
    actor: str,
    enterprise_id: int,
    uscc: str,
    form: str,
    period: str,
    values: dict,
    version: int | None,
    comment: str | None = None,
    source: str = "web",
    lang: str = "en",
) -> dict:
    """Store a report's values (web form, API). A change that leaves the report in review
    (submitted, or reviewed and so back to submitted) is checked like a submission:
    errors refuse it and store nothing, warnings need a comment."""
    report = workflow.save_values(
        conn, actor, enterprise_id, uscc, form, period, values, version, comment, source
    )
    if report["status"] == "submitted":
        violations = [asdict(v) for v in check_one(conn, report, lang)]
        workflow.require_clean(conn, report, violations, comment)
    return report


def submit(
    conn: Connection,
    actor: str,
    report_id: int,
    version: int,
    comment: str | None = None,
    lang: str = "en",
) -> dict:
    report = workflow.get_report(conn, report_id)
    violations = [asdict(v) for v in check_one(conn, report, lang)]
    return workflow.submit(conn, actor, report_id, version, violations, comment)


FREQUENCY_NAMES = {
    "A": "a year like 2023",
    "Q": "a quarter like 2023-Q3",
    "M": "a month like 2023-M09",
}


def period_of(form: str, period: str) -> str:
    """The canonical code of ``period``, checked against the form's frequency."""
    frequency = load_catalog().form(form).frequency
    p = parse(period)
    if p.freq != frequency:
        raise PeriodError(
            f"{period!r} does not fit the {form} form, which takes {FREQUENCY_NAMES[frequency]}."
        )
    return p.code


def missing(
    conn: Connection, form: str, period: str, zone_code: str | None = None
) -> list[imputation.Missing]:
    """Enterprises that owe a report for the period and have no accepted one."""
    period = period_of(form, period)
    return imputation.missing(conn, enterprise_index(conn, zone_code), form, period)


def impute(conn: Connection, actor: str, form: str, period: str) -> imputation.ImputeResult:
    """Impute the period's non-respondents (replacing earlier imputations)."""
    period = period_of(form, period)
    indicators = list(load_catalog().form(form).indicators)
    return imputation.impute(conn, actor, enterprise_index(conn), form, period, indicators)


def status_by_zone(
    conn: Connection, form: str, period: str, zone_codes: Sequence[str] | None = None
) -> list[dict]:
    """Per zone, the enterprises that owe the period's report and where their reports
    stand: accepted or approved (respondents), awaiting review, draft or returned, imputed,
    none; and the reporting rate (respondents / expected)."""
    period = period_of(form, period)
    p = parse(period)
    ents = enterprise_index(conn)
    query = sa.select(reports.c.enterprise_id, reports.c.status).where(
        reports.c.form == form, reports.c.period == period
    )
    statuses = {ent_id: status for ent_id, status in conn.execute(query)}
    wanted = set(zone_codes) if zone_codes is not None else None
    out: dict[str, dict] = {}
    for e in ents.values():
        if wanted is not None and e.zone_code not in wanted:
            continue
        if not expected_to_report(e.__dict__, p):
            continue
        row = out.setdefault(
            e.zone_code,
            {"zone_code": e.zone_code, "expected": 0, "respondents": 0, "awaiting": 0,
             "open": 0, "imputed": 0, "none": 0},
        )  # fmt: skip
        row["expected"] += 1
        status = statuses.get(e.id)
        key = {
            "accepted": "respondents",
            "approved": "respondents",
            "submitted": "awaiting",
            "draft": "open",
            "returned": "open",
            "imputed": "imputed",
        }.get(status, "none")
        row[key] += 1
    for row in out.values():
        row["reporting_rate"] = row["respondents"] / row["expected"] if row["expected"] else None
    return sorted(out.values(), key=lambda r: (r["reporting_rate"] or 0, r["zone_code"]))
