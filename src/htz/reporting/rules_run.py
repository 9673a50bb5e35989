"""Run compiled rules over an Arrow table of reports in one DuckDB query; violations as data.

The steps:

1. ``upload`` (the reports to check) and ``history`` (reports already stored) are
   reduced to ``uscc``, ``period`` and the indicators read (:func:`prepare`).
2. A small table maps each distinct period of the upload to the periods its lookups
   read (``prev``, ``last_year``, ``dec``), computed with :mod:`htz.periods`.
3. The reports lookups may read are the upload plus the history (an upload's report
   replaces a stored one with the same ``uscc`` and ``period``). Each report gets one
   integer key from its dictionary-encoded ``uscc`` and ``period``; an array indexed by
   key (or the sorted keys) finds the report each lookup reads, and numpy gathers its
   values: the table ``j`` of every value a rule reads, one row per upload row, as Arrow.
4. Every rule is one ``WHERE (condition) IS FALSE`` branch of a ``UNION ALL`` over ``j``
   in DuckDB; values and messages are built in SQL for failing rows only.
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
from htz.reporting.imports_read import in_parallel
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
    """Register ``j``: the upload's rows with one column per needed term; returns "j".

    ``upload`` (and ``history``) are tables from :func:`prepare`. A lookup reads the
    report with the row's ``uscc`` and the looked-up period among the upload and the
    history (an upload's report replaces a stored one with the same ``uscc`` and
    ``period``), as a left join would; the reports are found by integer keys
    (:class:`_Reports`) and their values gathered in numpy, side by side. InputError if
    two of those reports share a ``uscc`` and a ``period``.
    """
    needed = list({term_label(t): t for t in needed}.values())
    current = [t.name for t in needed if isinstance(t, Name)]
    lookups: dict[str, list[str]] = {}
    for t in needed:
        if isinstance(t, Lookup):
            lookups.setdefault(t.fn, []).append(t.name)
    read = list(dict.fromkeys(n for names in lookups.values() for n in names))

    columns = {k: upload[k] for k in ("__row", "uscc", "period", *keep)}
    columns.update((n, upload[n]) for n in dict.fromkeys(current))
    if lookups:
        periods = upload["period"].unique().to_pylist()
        targets = period_map(periods, lookups)
        past = None
        if history is not None and history.num_rows:
            past = prepare(history, read, "history")
        reports = _Reports(upload, past)
        if reports.duplicated:
            _refuse_duplicates(con, upload, past, read)
        tables = [upload] if past is None else [upload, past]
        rows = {fn: reports.find(targets, fn) for fn in lookups}  # -1: none (the last NaN)
        wanted = {n: [fn for fn, names in lookups.items() if n in names] for n in read}
        found = in_parallel(
            {
                n: (_gather, [t[n] for t in tables], [rows[fn] for fn in fns])
                for n, fns in wanted.items()
            }
        )
        for fn, names in lookups.items():  # the columns in the order of the terms
            for n in names:
                columns[f"{fn}({n})"] = found[n][wanted[n].index(fn)]
    con.register("j", pa.table(columns))
    return "j"


# Keys with up to this many possible values per report (or up to DENSE_MIN_SLOTS) are
# indexed densely, by an array indexed by key; sparser keys (many distinct periods) are
# sorted and searched instead.
DENSE_SLOTS_PER_ROW = 8
DENSE_MIN_SLOTS = 4096


class _Index:
    """Positions of integer keys in ``[0, space)``: a dense table, or sorted keys."""

    def __init__(self, space: int, rows: int):
        self.space, self.added = space, 0
        self.dense = space <= DENSE_SLOTS_PER_ROW * rows + DENSE_MIN_SLOTS
        if self.dense:  # one slot more, never filled, for the queries that ask nothing
            self.slots = np.full(space + 1, -1, dtype=np.int32 if rows < 2**31 else np.int64)
        else:
            self.keys = self.positions = np.zeros(0, dtype=np.int64)

    def add(self, keys: np.ndarray, positions: np.ndarray) -> None:
        self.added += len(keys)
        if self.dense:
            self.slots[keys] = positions
            return
        keys = np.concatenate([self.keys, keys])
        positions = np.concatenate([self.positions, positions])
        order = np.argsort(keys, kind="stable")
        self.keys, self.positions = keys[order], positions[order]

    def duplicated(self) -> bool:
        """Whether a key was added twice."""
        if self.dense:
            return bool(np.count_nonzero(self.slots >= 0) < self.added)
        return bool((self.keys[1:] == self.keys[:-1]).any())

    def find(self, queries: np.ndarray) -> np.ndarray:
        """The position of each query key; -1 where absent and for negative queries."""
        if self.dense:
            return self.slots[np.where(queries >= 0, queries, self.space)]
        found = np.full(len(queries), -1, dtype=np.int64)
        if len(self.keys):
            at = np.minimum(np.searchsorted(self.keys, queries), len(self.keys) - 1)
            hit = (queries >= 0) & (self.keys[at] == queries)
            found[hit] = self.positions[at[hit]]
        return found


def _gather(columns: list[pa.ChunkedArray], positions: list[np.ndarray]) -> list[pa.Array]:
    """The values of ``columns`` (end to end) at each array of ``positions``; -1 gives null.

    In numpy, with NaN for null (:func:`prepare` left no NaN that is not null).
    """
    chunks = [c for part in columns for c in part.chunks]
    if all(c.null_count == len(c) for c in chunks):  # an indicator no report has
        return [pa.nulls(len(at), pa.float64()) for at in positions]
    values = np.empty(sum(len(c) for c in chunks) + 1, dtype=np.float64)
    start = 0
    for c in chunks:
        values[start : start + len(c)] = c.to_numpy(zero_copy_only=False)
        start += len(c)
    values[start] = np.nan
    found = [values[at] for at in positions]
    return [pa.array(v, pa.float64(), mask=np.isnan(v)) for v in found]


def _encode(
    groups: dict[str, tuple[list[pa.ChunkedArray], str]],
) -> dict[str, tuple[np.ndarray, pa.Array]]:
    """For each group of columns (and null encoding: mask or encode), integer codes of their
    values end to end (-1 for a null not encoded) and the values the codes stand for.

    Every column is encoded on its own, all side by side; then the codes of the later
    columns of a group are mapped onto the first's.
    """
    encoded = in_parallel(
        {
            (name, i): (pc.dictionary_encode, column, nulls)
            for name, (columns, nulls) in groups.items()
            for i, column in enumerate(columns)
            if column.num_chunks
        }
    )
    found = {}
    for name, (columns, _) in groups.items():
        dictionary = pa.array([], pa.string())
        codes = []
        for i in range(len(columns)):
            if (name, i) not in encoded:
                continue
            chunks = encoded[name, i].chunks
            values = chunks[-1].dictionary  # the same, unified, for every chunk
            indices = np.concatenate([_indices(c.indices) for c in chunks])
            if len(dictionary):
                at = pc.index_in(values, value_set=dictionary)  # null matches null
                new = pc.is_null(at).to_numpy(zero_copy_only=False)
                mapped = pc.fill_null(at, -1).to_numpy(zero_copy_only=False).astype(indices.dtype)
                mapped[new] = len(dictionary) + np.arange(np.count_nonzero(new))
                dictionary = pa.concat_arrays([dictionary, values.filter(pa.array(new))])
                indices = np.append(mapped, mapped.dtype.type(-1))[indices]
            else:
                dictionary = values
            codes.append(indices)
        found[name] = (np.concatenate(codes) if codes else np.zeros(0, np.int32)), dictionary
    return found


def _indices(indices: pa.Array) -> np.ndarray:
    """Dictionary indices as numpy, -1 for null (as they are, int32, when none is null)."""
    if indices.null_count:
        indices = pc.fill_null(indices, pa.scalar(-1, indices.type))
    return indices.to_numpy(zero_copy_only=False)


class _Reports:
    """The reports lookups read: the upload's, then the history's the upload does not replace.

    Each report is keyed by one integer made of its ``uscc`` and ``period`` (both
    dictionary-encoded over the upload and the history); ``duplicated`` tells whether two
    of them share a ``uscc`` (not null) and a ``period`` (null included), as SQL's GROUP
    BY would.
    """

    def __init__(self, upload: pa.Table, past: pa.Table | None):
        tables = [upload] if past is None else [upload, past]
        n = upload.num_rows
        encoded = _encode(
            {
                "uscc": ([t["uscc"] for t in tables], "mask"),
                "period": ([t["period"] for t in tables], "encode"),  # null: a period of its own
            }
        )
        (uscc, _), (period, dictionary) = encoded["uscc"], encoded["period"]
        codes = dictionary.to_pylist()
        self.periods = {code: i for i, code in enumerate(codes) if code is not None}
        self.width = width = max(len(codes), 1)
        undated = codes.index(None) if None in codes else -1
        space = (int(uscc.max(initial=-1)) + 1) * width
        kind = np.int32 if space < 2**31 else np.int64
        # the key of each report: negative where the uscc is null (-width + period)
        key = uscc.astype(kind) * kind(width) + period.astype(kind)
        self.base, self.period = key[:n] - period[:n], period[:n]  # uscc × width
        index = _Index(space, len(key))
        mine = np.flatnonzero(key[:n] >= 0)
        index.add(key[mine], mine)
        # an upload's report replaces the stored one with its uscc and period (SQL
        # equality: a null period replaces nothing); the others are added
        stored = key[n:]
        dated = (stored >= 0) & (period[n:] != undated)
        replaced = dated & (index.find(np.where(dated, stored, -1)) >= 0)
        kept = np.flatnonzero((stored >= 0) & ~replaced)
        index.add(stored[kept], n + kept)
        self.index = index
        self.duplicated = index.duplicated()

    def find(self, targets: pa.Table, fn: str) -> np.ndarray:
        """For each upload row, the position of the report ``fn`` reads (-1 if none)."""
        to = np.full(self.width, -1, dtype=self.base.dtype)
        for period, target in zip(
            targets["period"].to_pylist(), targets[fn].to_pylist(), strict=True
        ):
            if period in self.periods:
                to[self.periods[period]] = self.periods.get(target, -1)
        wanted = to[self.period]
        return self.index.find(np.where((self.base >= 0) & (wanted >= 0), self.base + wanted, -1))


def _refuse_duplicates(
    con: duckdb.DuckDBPyConnection, upload: pa.Table, past: pa.Table | None, read: list[str]
) -> None:
    """InputError naming (up to) three reports that share a uscc and a period."""
    con.register("upload", upload)
    cols = ", ".join(_ident(n) for n in read)
    source = f"SELECT uscc, period, {cols} FROM upload"
    if past is not None:
        con.register("history", past)
        source += (
            f" UNION ALL SELECT h.uscc, h.period, {cols} FROM history h"
            " ANTI JOIN upload u ON h.uscc = u.uscc AND h.period = u.period"
        )
    rows = con.execute(
        f"SELECT uscc, period, count(*) AS n FROM ({source}) WHERE uscc IS NOT NULL "
        "GROUP BY uscc, period HAVING count(*) > 1 ORDER BY uscc, period LIMIT 3"
    ).fetchall()
    if rows:
        listed = "; ".join(f"uscc {u} period {p} ({n} times)" for u, p, n in rows)
        raise InputError(
            f"more than one report for the same enterprise and period: {listed}; "
            "keep one report per enterprise and period"
        )
    raise AssertionError("duplicate reports found by keys but not by SQL")  # pragma: no cover


def values_sql(names: Sequence[Name | Lookup]) -> str:
    """SQL for the JSON object of a violation's values."""
    if not names:
        return "'{}'"
    pairs = ", ".join(f"{_lit(term_label(t))}, {column(t)}" for t in names)
    return f"CAST(json_object({pairs}) AS VARCHAR)"


def run(rules: Sequence[Rule], upload: pa.Table, history: pa.Table | None, lang: str) -> pa.Table:
    """Every rule over every row of ``upload``; the violations, ordered by row then rule.

    The query reads only the numbers: each failing (row, rule) gets its values and
    message in SQL, and its rule's code, severity and indicator and the row's ``uscc`` and
    ``period`` are added afterwards, by position (scanning the text columns once per rule
    would double the time).
    """
    if not rules or upload.num_rows == 0:
        return VIOLATION_SCHEMA.empty_table()
    needed = [t for rule in rules for t in rule.terms(lang)]
    names = [t.name for t in needed]
    con = duckdb.connect()
    try:
        prepared = prepare(upload, names, "upload")
        j = join_lookups(con, prepared, history, needed)
        branches = [
            f'SELECT {k} AS k, __row AS row, {values_sql(rule.terms())} AS "values", '
            f"{rule.messages[lang].to_sql(lang)} AS message "
            f"FROM {j} WHERE ({to_sql(rule.tree)}) IS FALSE"
            for k, rule in enumerate(rules)
        ]
        union = " UNION ALL ".join(branches)
        query = f'SELECT k, row, "values", message FROM ({union}) ORDER BY row, k'
        found = con.sql(query).to_arrow_table()
    finally:
        con.close()
    which, rows = found["k"], found["row"]
    return pa.table(
        {
            "rule": pa.array([r.code for r in rules], pa.string()).take(which),
            "severity": pa.array([r.severity for r in rules], pa.string()).take(which),
            "indicator": pa.array([r.indicator for r in rules], pa.string()).take(which),
            "uscc": prepared["uscc"].take(rows),
            "period": prepared["period"].take(rows),
            "row": rows,
            "values": found["values"],
            "message": found["message"],
        }
    ).cast(VIOLATION_SCHEMA)
