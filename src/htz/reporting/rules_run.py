"""Run compiled rules over an Arrow table of reports in one DuckDB query; violations as data.

The steps, all inside an in-memory DuckDB connection:

1. ``upload`` (the reports to check) and ``history`` (reports already stored) are
   registered as Arrow tables, reduced to ``uscc``, ``period`` and the indicators read.
2. A small table maps each distinct period of the upload to the periods its lookups
   read (``prev``, ``last_year``, ``dec``), computed with :mod:`htz.periods`.
3. The reports lookups may read are the upload plus the history (an upload's report
   replaces a stored one with the same ``uscc`` and ``period``). Each lookup is one
   hash join on ``(uscc, looked-up period)``.
4. Every rule is one ``WHERE (condition) IS FALSE`` branch of a ``UNION ALL`` over
   that joined table; values and messages are built in SQL for failing rows only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from htz.errors import InputError, Issue
from htz.periods import Period, parse
from htz.reporting.rules_lang import Lookup, Name, term_label
from htz.reporting.rules_sql import column, to_sql

if TYPE_CHECKING:
    from htz.reporting.rules import Rule

VIOLATION_SCHEMA = pa.schema(
    [
        ("rule", pa.string()),
        ("severity", pa.string()),
        ("indicator", pa.string()),
        ("uscc", pa.string()),
        ("period", pa.string()),
        ("row", pa.int64()),
        ("values", pa.string()),  # JSON object: value name → number or null
        ("message", pa.string()),
    ]
)


def _dec(p: Period) -> Period | None:
    return Period.for_month(p.year, 12) if p.freq == "A" else None


LOOKUP_PERIOD = {
    "prev": Period.previous_ytd,  # same year, previous period; None for the first of the year
    "last_year": Period.last_year,
    "dec": _dec,  # December's year-to-date report of an annual period's year
}


@dataclass(frozen=True)
class Violation:
    """A report that fails a rule, as data (``row`` is the 0-based row of the checked table)."""

    rule: str
    severity: str
    uscc: str | None
    period: str | None
    values: dict[str, float | None]
    message: str
    indicator: str | None = None
    row: int | None = None

    def as_issue(self, first_row: int = 2) -> Issue:
        """The problem as an :class:`~htz.errors.Issue`; ``row + first_row`` is its file row."""
        value = self.values.get(self.indicator) if self.indicator else None
        return Issue(
            code=self.rule,
            message=self.message,
            row=None if self.row is None else self.row + first_row,
            column=self.indicator,
            value=None if value is None else repr(value),
            severity=self.severity,
        )


def to_violations(table: pa.Table) -> list[Violation]:
    """Rows of a violations table (rules or outliers) as :class:`Violation` objects."""
    return [
        Violation(
            rule=r["rule"],
            severity=r["severity"],
            uscc=r["uscc"],
            period=r["period"],
            values=json.loads(r["values"]),
            message=r["message"],
            indicator=r["indicator"],
            row=r["row"],
        )
        for r in table.to_pylist()
    ]


# -- preparing tables --------------------------------------------------------------------------


def prepare(table: pa.Table, names: Iterable[str], what: str, extra: Sequence[str] = ()):
    """``uscc``, ``period``, ``extra`` columns as text and ``names`` as float64 (absent → null).

    NaN counts as missing. A ``__row`` column numbers the rows from 0.
    """
    if not isinstance(table, pa.Table):
        raise InputError(f"{what}: expected a pyarrow Table, got {type(table).__name__}")
    for key in ("uscc", "period"):
        if key not in table.column_names:
            raise InputError(f"{what}: no {key!r} column; every report needs uscc and period")
    n = table.num_rows
    columns = {"__row": pa.array(np.arange(n, dtype=np.int64))}
    for key in ("uscc", "period", *extra):
        if key in table.column_names:
            columns[key] = _cast(table[key], pa.string(), what, key)
        else:
            columns[key] = pa.nulls(n, pa.string())
    for name in dict.fromkeys(names):
        if name not in table.column_names:
            columns[name] = pa.nulls(n, pa.float64())
            continue
        values = _cast(table[name], pa.float64(), what, name)
        if pc.any(pc.is_nan(values)).as_py():
            values = pc.if_else(pc.is_nan(values), pa.scalar(None, pa.float64()), values)
        columns[name] = values
    return pa.table(columns)


def _cast(values, to: pa.DataType, what: str, name: str):
    try:
        return pc.cast(values, to)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        kind = "numbers" if to == pa.float64() else "text"
        raise InputError(f"{what}: column {name!r} must hold {kind}") from None


def period_map(codes: Iterable[str | None], lookups: Iterable[str]) -> pa.Table:
    """For each period code, the code each lookup reads (null where there is none)."""
    codes = sorted({c for c in codes if c is not None})
    lookups = list(lookups)
    columns: dict[str, list[str | None]] = {"period": codes, **{fn: [] for fn in lookups}}
    for code in codes:
        period = parse(code)
        if period.code != code:
            raise InputError(f"period {code!r} is not written canonically; write {period.code}")
        for fn in lookups:
            target = LOOKUP_PERIOD[fn](period)
            columns[fn].append(None if target is None else target.code)
    return pa.table({k: pa.array(v, pa.string()) for k, v in columns.items()})


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str | None) -> str:
    return "NULL" if text is None else "'" + text.replace("'", "''") + "'"


def join_lookups(
    con: duckdb.DuckDBPyConnection,
    upload: pa.Table,
    history: pa.Table | None,
    needed: Iterable[Name | Lookup],
    keep: Sequence[str] = (),
) -> str:
    """Create temp table ``j``: the upload's rows with one column per needed term; returns "j"."""
    needed = list({term_label(t): t for t in needed}.values())
    current = [t.name for t in needed if isinstance(t, Name)]
    lookups: dict[str, list[str]] = {}
    for t in needed:
        if isinstance(t, Lookup):
            lookups.setdefault(t.fn, []).append(t.name)
    read = list(dict.fromkeys(n for names in lookups.values() for n in names))

    con.register("upload", upload)
    select = ["u.__row", "u.uscc", "u.period", *(f"u.{_ident(k)}" for k in keep)]
    select += [f"u.{_ident(n)}" for n in dict.fromkeys(current)]
    joins = []
    if lookups:
        periods = upload["period"].unique().to_pylist()
        con.register("period_map", period_map(periods, lookups))
        cols = ", ".join(_ident(n) for n in read)
        source = f"SELECT uscc, period, {cols} FROM upload"
        if history is not None and history.num_rows:
            con.register("history", prepare(history, read, "history"))
            source += (
                f" UNION ALL SELECT h.uscc, h.period, {cols} FROM history h"
                " ANTI JOIN upload u ON h.uscc = u.uscc AND h.period = u.period"
            )
        con.execute(f"CREATE TEMP TABLE lk AS {source}")
        _refuse_duplicates(con)
        joins.append("LEFT JOIN period_map m ON m.period = u.period")
        for i, (fn, names) in enumerate(lookups.items()):
            alias = f"l{i}"
            joins.append(
                f"LEFT JOIN lk {alias} ON {alias}.uscc = u.uscc AND {alias}.period = m.{fn}"
            )
            select += [f"{alias}.{_ident(n)} AS {_ident(f'{fn}({n})')}" for n in names]
    con.execute(
        f"CREATE TEMP TABLE j AS SELECT {', '.join(select)} FROM upload u {' '.join(joins)}"
    )
    return "j"


def _refuse_duplicates(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        "SELECT uscc, period, count(*) AS n FROM lk WHERE uscc IS NOT NULL "
        "GROUP BY uscc, period HAVING count(*) > 1 ORDER BY uscc, period LIMIT 3"
    ).fetchall()
    if rows:
        listed = "; ".join(f"uscc {u} period {p} ({n} times)" for u, p, n in rows)
        raise InputError(
            f"more than one report for the same enterprise and period: {listed}; "
            "keep one report per enterprise and period"
        )


def values_sql(names: Sequence[Name | Lookup]) -> str:
    """SQL for the JSON object of a violation's values."""
    if not names:
        return "'{}'"
    pairs = ", ".join(f"{_lit(term_label(t))}, {column(t)}" for t in names)
    return f"CAST(json_object({pairs}) AS VARCHAR)"


def run(rules: Sequence[Rule], upload: pa.Table, history: pa.Table | None, lang: str) -> pa.Table:
    """Every rule over every row of ``upload``; the violations, ordered by row then rule."""
    if not rules or upload.num_rows == 0:
        return VIOLATION_SCHEMA.empty_table()
    needed = [t for rule in rules for t in rule.terms(lang)]
    names = [t.name for t in needed]
    con = duckdb.connect()
    try:
        j = join_lookups(con, prepare(upload, names, "upload"), history, needed)
        branches = []
        for k, rule in enumerate(rules):
            branches.append(
                f"SELECT {k} AS k, {_lit(rule.code)} AS rule, {_lit(rule.severity)} AS severity, "
                f"{_lit(rule.indicator)} AS indicator, uscc, period, __row AS row, "
                f'{values_sql(rule.terms())} AS "values", '
                f"{rule.messages[lang].to_sql(lang)} AS message "
                f"FROM {j} WHERE ({to_sql(rule.tree)}) IS FALSE"
            )
        query = (
            f'SELECT rule, severity, indicator, uscc, period, row, "values", message FROM '
            f"({' UNION ALL '.join(branches)}) ORDER BY row, k"
        )
        return con.sql(query).to_arrow_table().cast(VIOLATION_SCHEMA)
    finally:
        con.close()
