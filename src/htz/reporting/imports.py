"""Importing a file of enterprises' statistical reports: CSV or XLSX → Arrow table + issues.

A file is wide, one report per row::

    统一社会信用代码,报告期,营业收入（万元）,期末从业人员,说明
    914403001922038216,2023-M09,"1,234.5",88,

Headers name the columns: ``uscc`` (or 统一社会信用代码), ``period`` (or 报告期, 期别),
each indicator by code or zh/en name with an optional unit (``营业收入（万元）``,
``operating_revenue (10k yuan)``), an optional ``comment`` (说明) explaining warnings and an
optional enterprise ``name`` (企业名称, for people; not read).
Money columns without a unit are in ``unit`` (the ``--unit`` option) or else in yuan;
values are stored in the indicator's base unit (yuan, person …).

:func:`read_upload` returns an :class:`Upload`: the valid rows as an Arrow table and
every problem as an :class:`~htz.errors.Issue`. The issue codes:

=====================  =================================================================
unknown-column         a header that names nothing htz knows (a typo would lose data)
missing-column         no ``uscc`` or no ``period`` column
duplicate-column       two columns name the same thing
indicator-not-in-form  an indicator this form does not ask for
invalid-unit           a header unit that is unknown or measures something else
not-a-number           text in a number column
below-minimum          a value below the indicator's minimum (a negative revenue)
invalid-uscc           a USCC that is malformed or fails its check character
invalid-period         a period that is not ``2023``, ``2023-Q3`` or ``2023-M09``
period-not-in-form     a period of another frequency (``2023-Q3`` on the monthly form)
duplicate-report       the same USCC and period as an earlier row (which it names)
=====================  =================================================================

Every issue is an error; a row with one is left out of the table. Reading is vectorised
(see :mod:`htz.reporting.imports_read` and :mod:`htz.reporting.imports_values`): a
million-row file takes seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from htz.catalog import Catalog, Form, load_catalog
from htz.catalog.units import name_key
from htz.errors import InputError, Issue
from htz.reporting import imports_values as cells
from htz.reporting.imports_read import RawTable, in_parallel, read_raw

KEY_HEADERS = {
    "uscc": ("uscc", "统一社会信用代码", "社会信用代码", "unified social credit code"),
    "period": ("period", "报告期", "期别", "reporting period"),
    "comment": ("comment", "comments", "说明", "备注"),
    "name": ("name", "enterprise", "enterprise name", "企业名称", "单位名称", "单位详细名称"),
}
_ROLES = {name_key(text): role for role, texts in KEY_HEADERS.items() for text in texts}
MONEY_UNITS = ("yuan", "usd")


@dataclass
class Upload:
    """An imported file: the valid reports and every problem found."""

    source: str
    form: str
    table: pa.Table  # row, uscc, period, one float64 per indicator found, [comment]
    issues: list[Issue] = field(default_factory=list)
    rows_read: int = 0
    encoding: str | None = None
    columns: dict[str, str] = field(default_factory=dict)  # indicator → header as written
    factors: dict[str, float] = field(default_factory=dict)  # indicator → factor applied

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]


@dataclass
class _Layout:
    """Which column (by position) holds what."""

    keys: dict[str, int] = field(default_factory=dict)  # uscc, period, comment, name → position
    indicators: dict[str, int] = field(default_factory=dict)  # code → position, form order
    factors: dict[str, float] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)


def read_upload(
    path: Path, form: str, catalog: Catalog | None = None, unit: str | None = None
) -> Upload:
    """Read a CSV or XLSX file of reports on ``form``; InputError if the file is unreadable.

    ``unit`` (the ``--unit`` option, e.g. 万元) applies to money columns whose header has no
    unit; a unit in the header wins.
    """
    catalog = catalog or load_catalog()
    spec = catalog.form(form)
    raw = read_raw(Path(path))
    layout = _layout(raw, spec, catalog, unit)
    return _Reader(raw, spec, catalog, layout).upload()


def _layout(raw: RawTable, form: Form, catalog: Catalog, unit: str | None) -> _Layout:
    layout = _Layout()
    seen: dict[str, int] = {}  # what a column holds → its position
    for position, header in enumerate(raw.header):
        if not header and not pc.any(pc.not_equal(raw.columns[position], "")).as_py():
            continue  # an empty column without a header
        what, factor, problem = _column(header, form, catalog)
        if what in seen:
            other = raw.header[seen[what]]
            problem = ("duplicate-column", f"holds {what}, as column {other!r} does; keep one")
        if problem:
            layout.issues.append(Issue(problem[0], problem[1], column=header))
            continue
        seen[what] = position
        if what in KEY_HEADERS:
            layout.keys[what] = position  # the enterprise's name is for people: not read
        elif factor is not None:
            layout.factors[what] = factor
        elif unit and catalog.indicator(what).unit in MONEY_UNITS:
            layout.factors[what] = catalog.unit_factor(unit, what)
        else:
            layout.factors[what] = 1.0
    for role, example in (("uscc", "统一社会信用代码"), ("period", "报告期")):
        if role not in layout.keys:
            message = f"the file has no {role} column; add one headed {role} (or {example})"
            layout.issues.append(Issue("missing-column", message))
    layout.indicators = {c: seen[c] for c in form.indicators if c in seen}
    return layout


def _column(
    header: str, form: Form, catalog: Catalog
) -> tuple[str | None, float | None, tuple[str, str] | None]:
    """What a column holds (a key column or an indicator), its unit's factor, or a problem."""
    role = _ROLES.get(name_key(header)) if header else None
    if role:
        return role, None, None
    try:
        match = catalog.resolve_header(header)
    except InputError as error:
        return None, None, ("invalid-unit", error.message.removeprefix(f"column {header!r}: "))
    if match is None:
        what = "a column without a header has values" if not header else "unknown header"
        return None, None, ("unknown-column", (
            f"{what}: write uscc, period, name, comment or an indicator's code or name, "
            "optionally with its unit (operating_revenue, 营业收入（万元）), or remove the column"
        ))  # fmt: skip
    if match.indicator not in form.indicators:
        return None, None, ("indicator-not-in-form", (
            f"{match.indicator} is not on the {form.code} form (which asks for "
            f"{', '.join(form.indicators)}); remove the column or import it with a form "
            "that asks for it"
        ))  # fmt: skip
    return match.indicator, match.factor, None


class _Reader:
    """Checks the cells of one file; every check marks its bad rows and records issues."""

    def __init__(self, raw: RawTable, form: Form, catalog: Catalog, layout: _Layout):
        self.raw, self.form, self.catalog, self.layout = raw, form, catalog, layout
        self.bad = np.zeros(len(raw.rows), dtype=bool)  # rows with an error
        self.bad_uscc = self.bad.copy()
        self.found: list[tuple[int, int, Issue]] = []  # (row, column position, issue)

    def flag(self, code: str, where: np.ndarray, position: int, message, texts=None) -> None:
        """Record ``code`` for each row in ``where``; ``message(i)`` words the issue of row i."""
        if not where.any():
            return
        self.bad |= where
        column = self.raw.header[position]
        texts = self.raw.columns[position] if texts is None else texts
        for i in np.flatnonzero(where):
            row, value = int(self.raw.rows[i]), texts[i].as_py()
            issue = Issue(code, message(i, value), row=row, column=column, value=value)
            self.found.append((row, position, issue))

    def upload(self) -> Upload:
        raw, layout = self.raw, self.layout
        keys = layout.keys
        keyed = "uscc" in keys and "period" in keys
        # the columns are read side by side (Arrow and numpy release the GIL); the issues
        # are then recorded in the same order as ever
        calls = {
            code: (
                _number_cells,
                raw.columns[position],
                layout.factors[code],
                self.catalog.indicator(code).min,
            )
            for code, position in layout.indicators.items()
        }
        if keyed:
            calls["uscc"] = (partial(cells.uscc_codes, ids=True), raw.columns[keys["uscc"]])
            calls["period"] = (
                partial(cells.periods, ids=True),
                raw.columns[keys["period"]],
                self.form.frequency,
                self.form.code,
            )
        read = in_parallel(calls)
        values = {code: self.number_column(code, read[code]) for code in layout.indicators}
        if keyed:
            uscc, period = self.uscc_column(read["uscc"]), self.period_column(read["period"])
            self.duplicates(uscc, period, read["uscc"][2], read["period"][3])
            valid = pa.array(~self.bad)
        else:
            uscc = period = pa.nulls(len(raw.rows), pa.string())
            valid = pa.array(np.zeros(len(raw.rows), dtype=bool))
        columns = {"row": pa.array(raw.rows, pa.int32()), "uscc": uscc, "period": period}
        columns.update(values)
        if "comment" in keys:
            comment = raw.columns[keys["comment"]]
            columns["comment"] = pc.if_else(pc.equal(comment, ""), None, comment)
        table = pa.table(columns).filter(valid)
        self.found.sort(key=lambda found: found[:2])
        return Upload(
            source=raw.source,
            form=self.form.code,
            table=table,
            issues=layout.issues + [issue for *_, issue in self.found],
            rows_read=len(raw.rows),
            encoding=raw.encoding,
            columns={code: raw.header[p] for code, p in layout.indicators.items()},
            factors={code: layout.factors[code] for code in layout.indicators},
        )

    def number_column(self, code: str, read: tuple) -> pa.Array:
        position = self.layout.indicators[code]
        values, bad, low = read  # _number_cells of the column
        self.flag(
            "not-a-number",
            bad,
            position,
            lambda i, v: (
                f"{v!r} is not a number; write digits with an optional decimal point and "
                "thousands separators (1,234.5), or leave the cell empty if not known"
            ),
        )
        minimum = self.catalog.indicator(code).min
        if minimum is not None:
            unit = self.catalog.indicator(code).unit
            self.flag(
                "below-minimum",
                low,
                position,
                lambda i, v: (
                    f"{v} is below the minimum of {code} ({minimum:g} {unit}); "
                    "check the sign and the unit"
                ),
            )
        return values

    def uscc_column(self, read: tuple) -> pa.Array:
        position = self.layout.keys["uscc"]
        codes, bad, _ = read  # cells.uscc_codes of the column
        self.bad_uscc = bad
        self.flag("invalid-uscc", bad, position, lambda i, v: cells.uscc_problem(codes[i].as_py()))
        return codes

    def period_column(self, read: tuple) -> pa.Array:
        position = self.layout.keys["period"]
        codes, problems, messages, _ = read  # cells.periods of the column
        for problem in ("invalid-period", "period-not-in-form"):
            where = pc.fill_null(pc.equal(problems, problem), False).to_numpy(zero_copy_only=False)
            self.flag(problem, where, position, lambda i, v: messages[i].as_py())
        return codes

    def duplicates(
        self, uscc: pa.Array, period: pa.Array, uscc_ids: cells.Ids, period_ids: cells.Ids
    ) -> None:
        keyed = pc.is_valid(period).to_numpy(zero_copy_only=False) & ~self.bad_uscc
        first = cells.first_occurrence([uscc_ids, period_ids], keyed)
        later = first != np.arange(len(first))
        rows = self.raw.rows
        self.flag(
            "duplicate-report",
            later,
            self.layout.keys["uscc"],
            lambda i, v: (
                f"the report of {v} for {period[i].as_py()} is also in row {rows[first[i]]}; "
                "keep one of the two rows"
            ),
            texts=uscc,
        )


def _number_cells(texts: pa.Array, factor: float, minimum: float | None) -> tuple:
    """The numbers of a column, where they are not numbers and where below ``minimum``."""
    values, bad = cells.numbers(texts, factor)
    low = None
    if minimum is not None:
        low = pc.fill_null(pc.less(values, minimum), False).to_numpy(zero_copy_only=False)
    return values, bad, low
