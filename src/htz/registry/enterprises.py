"""Enterprises in the zones: checking an import file, storing it, listing.

An import is all or nothing: a file with any error stores nothing, unless the
caller asks to keep the valid rows. Importing the same file twice stores
nothing new (rows are matched by USCC and only changed rows are updated).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from htz import audit
from htz.errors import ImportProblemsError, Issue
from htz.periods import Period
from htz.registry import uscc
from htz.registry.zones import zone_lookup
from htz.store.schema import enterprises, industries, tech_fields
from htz.store.sync import SyncResult, parse_bool, sync
from htz.tabular import Table

REQUIRED = ("uscc", "name", "zone", "industry", "entered")
OPTIONAL = (
    "left",
    "tech_field",
    "high_tech_certified",
    "high_tech_cert_expiry",
    "little_giant",
    "listed",
)
ALIASES = {
    "统一社会信用代码": "uscc",
    "企业名称": "name",
    "园区": "zone",
    "所在园区": "zone",
    "行业代码": "industry",
    "行业": "industry",
    "入区日期": "entered",
    "退出日期": "left",
    "技术领域": "tech_field",
    "高新技术企业": "high_tech_certified",
    "高企证书有效期": "high_tech_cert_expiry",
    "专精特新小巨人": "little_giant",
    "上市": "listed",
}


@dataclass
class Checked:
    """An import file after checking: the rows that passed and every issue found."""

    source: str
    records: list[dict] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    rows_read: int = 0

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]


def _columns(table: Table, issues: list[Issue]) -> dict[str, str]:
    """Map canonical column → header as written; report unknown and missing columns."""
    mapping: dict[str, str] = {}
    for header in table.header:
        canonical = ALIASES.get(header, header.lower().strip())
        if canonical in REQUIRED or canonical in OPTIONAL:
            mapping[canonical] = header
        elif header:
            issues.append(
                Issue(
                    "unknown-column",
                    f"unknown column {header!r}; known columns are "
                    f"{', '.join(REQUIRED + OPTIONAL)}",
                    row=1,
                    column=header,
                )
            )
    for name in REQUIRED:
        if name not in mapping:
            issues.append(
                Issue("missing-column", f"required column {name!r} is missing; add it", row=1)
            )
    return mapping


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text[:10].replace("/", "-"))


@dataclass
class _Row:
    """One data row being checked: read a column, record a problem, parse a value."""

    number: int
    raw: dict[str, str]
    columns: dict[str, str]
    issues: list[Issue] = field(default_factory=list)

    def value(self, name: str) -> str:
        return self.raw.get(self.columns.get(name, ""), "").strip()

    def problem(self, name: str, code: str, message: str) -> None:
        column = self.columns.get(name, name)
        self.issues.append(Issue(code, message, self.number, column, self.value(name)))

    def parsed(self, name: str, parse: Callable[[str], object], code: str, hint: str) -> object:
        text = self.value(name)
        if not text:
            return None
        try:
            return parse(text)
        except ValueError:
            self.problem(name, code, f"{text!r} {hint}")
            return None


def check(conn: Connection, table: Table) -> Checked:
    """Check every row of an enterprise file against identifiers and the registry."""
    result = Checked(table.source, rows_read=len(table.rows))
    columns = _columns(table, result.issues)
    if any(i.code == "missing-column" for i in result.issues):
        return result
    zones = zone_lookup(conn)
    divisions = set(
        conn.execute(sa.select(industries.c.code).where(industries.c.level == "division")).scalars()
    )
    fields = {
        key: code
        for code, name_zh, name_en in conn.execute(
            sa.select(tech_fields.c.code, tech_fields.c.name_zh, tech_fields.c.name_en)
        )
        for key in (code, name_zh, name_en.lower())
    }
    seen: dict[str, int] = {}
    for number, raw in table.rows:
        row = _Row(number, raw, columns)
        value, problem, parsed = row.value, row.problem, row.parsed
        record: dict[str, object] = {}
        for name in REQUIRED:
            if not value(name):
                problem(name, "missing-value", f"{name} is required")
        code = uscc.normalise(value("uscc"))
        if code:
            why = uscc.problem(code)
            if why:
                problem("uscc", "invalid-uscc", why)
            elif code in seen:
                problem("uscc", "duplicate-uscc", f"USCC {code} is already on row {seen[code]}")
            else:
                seen[code] = number
        record["uscc"] = code
        record["name"] = value("name")
        zone = value("zone")
        record["zone_code"] = zones.get(zone)
        if zone and record["zone_code"] is None:
            problem(
                "zone", "unknown-zone", f"no zone {zone!r}; use a zone code or exact Chinese name"
            )
        industry = value("industry")
        record["industry_code"] = industry if industry in divisions else None
        if industry and industry not in divisions:
            problem(
                "industry",
                "unknown-industry",
                f"{industry!r} is not a GB/T 4754-2017 division; use its 2-digit code (e.g. 39)",
            )
        date_hint = "is not a date; write YYYY-MM-DD"
        record["entered"] = parsed("entered", _date, "invalid-date", date_hint)
        record["left"] = parsed("left", _date, "invalid-date", date_hint)
        if record["entered"] and record["left"] and record["left"] < record["entered"]:
            problem("left", "left-before-entered", "the enterprise left before it entered")
        field_text = value("tech_field")
        record["tech_field"] = fields.get(field_text) or fields.get(field_text.lower())
        if field_text and record["tech_field"] is None:
            problem(
                "tech_field",
                "unknown-tech-field",
                f"{field_text!r} is not a key-supported high-tech field; use one of "
                f"{', '.join(sorted({v for v in fields.values()}))}",
            )
        bool_hint = "is not yes/no; use true/false, 1/0, yes/no or 是/否"
        for flag in ("high_tech_certified", "little_giant", "listed"):
            record[flag] = bool(parsed(flag, parse_bool, "invalid-flag", bool_hint))
        record["high_tech_cert_expiry"] = parsed(
            "high_tech_cert_expiry", _date, "invalid-date", date_hint
        )
        result.issues.extend(row.issues)
        if not any(i.severity == "error" for i in row.issues):
            result.records.append(record)
    return result


@dataclass(frozen=True)
class ImportResult:
    sync: SyncResult
    rows_read: int
    rows_skipped: int
    issues: list[Issue]


def import_enterprises(
    conn: Connection, checked: Checked, keep_valid: bool = False, actor: str = "system"
) -> ImportResult:
    """Store checked enterprises; refuses the whole file on any error unless ``keep_valid``.

    Every inserted or changed enterprise is written to the audit log.
    """
    if checked.errors and not keep_valid:
        raise ImportProblemsError(checked.source, checked.errors)
    result = sync(conn, enterprises, ("uscc",), checked.records)
    audit.append_many(
        conn,
        actor,
        [
            ("create" if before is None else "update", "enterprise", after["uscc"], before, after)
            for before, after in result.changes
        ],
    )
    return ImportResult(
        result, checked.rows_read, checked.rows_read - len(checked.records), checked.issues
    )


LIST_COLUMNS = (
    "uscc",
    "name",
    "zone_code",
    "industry_code",
    "tech_field",
    "entered",
    "left",
    "high_tech_certified",
    "little_giant",
    "listed",
)


def list_enterprises(conn: Connection, zone_code: str | None = None) -> list[dict]:
    query = sa.select(*[enterprises.c[c] for c in LIST_COLUMNS]).order_by(
        enterprises.c.zone_code, enterprises.c.uscc
    )
    if zone_code:
        query = query.where(enterprises.c.zone_code == zone_code)
    return [dict(r) for r in conn.execute(query).mappings()]


def expected_to_report(record: dict, period: Period) -> bool:
    """Whether an enterprise owes a report for ``period``.

    A report describes the enterprise at the end of its period, so it is owed by
    an enterprise that is in its zone on the period's last day: one that entered
    on or before it and has not left before it. One that has left is never
    expected, and so never imputed, for later periods.
    """
    day = period.end_date
    return record["entered"] <= day and (record["left"] is None or record["left"] >= day)
