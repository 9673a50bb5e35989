"""Lookups by integer keys give exactly what the SQL joins gave.

``join_by_sql`` and ``run_by_sql`` are the code ``join_lookups`` and ``run`` had before
lookups were made faster: the upload plus the history as a DuckDB table, one hash join
per lookup, every text column in every rule's branch. On random uploads and histories
(missing USCCs and periods, duplicates, stored reports replaced by uploaded ones) the
violations, the joined values and the refusals must be identical, with the dense key
index and with the sorted one.
"""

from __future__ import annotations

from unittest import mock

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from htz.errors import InputError
from htz.reporting import rules_run
from htz.reporting.rules import Rule, _chosen, default_rules
from htz.reporting.rules_lang import Lookup, Name, term_label
from htz.reporting.rules_run import (
    VIOLATION_SCHEMA,
    _ident,
    _lit,
    period_map,
    prepare,
    to_sql,
    values_sql,
)

# -- the reference: SQL joins -------------------------------------------------------------------


def join_by_sql(con, upload, history, needed, keep=()):
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


def run_by_sql(rules, upload, history, lang="en"):
    if not rules or upload.num_rows == 0:
        return VIOLATION_SCHEMA.empty_table()
    needed = [t for rule in rules for t in rule.terms(lang)]
    con = duckdb.connect()
    try:
        j = join_by_sql(con, prepare(upload, [t.name for t in needed], "upload"), history, needed)
        branches = [
            f"SELECT {k} AS k, {_lit(rule.code)} AS rule, {_lit(rule.severity)} AS severity, "
            f"{_lit(rule.indicator)} AS indicator, uscc, period, __row AS row, "
            f'{values_sql(rule.terms())} AS "values", '
            f"{rule.messages[lang].to_sql(lang)} AS message "
            f"FROM {j} WHERE ({to_sql(rule.tree)}) IS FALSE"
            for k, rule in enumerate(rules)
        ]
        query = (
            f'SELECT rule, severity, indicator, uscc, period, row, "values", message FROM '
            f"({' UNION ALL '.join(branches)}) ORDER BY row, k"
        )
        return con.sql(query).to_arrow_table().cast(VIOLATION_SCHEMA)
    finally:
        con.close()


def outcome(f, *args):
    """The result, or the message of the InputError raised."""
    try:
        return f(*args)
    except InputError as error:
        return error.message


# -- random reports ---------------------------------------------------------------------------

INDICATORS = ("operating_revenue", "exports", "employees")
PERIODS = ["2022-M01", "2022-M12", "2023-M01", "2023-M02", "2022-Q4", "2023-Q1", "2022", "2023"]
REPORT = st.fixed_dictionaries(
    {
        "uscc": st.one_of(st.sampled_from(["A", "B", "C"]), st.none()),
        "period": st.one_of(st.sampled_from(PERIODS), st.none()),
        **dict.fromkeys(
            INDICATORS,
            st.one_of(
                st.none(), st.sampled_from([0.0, -0.0, 1.0, 50.0, 100.0, 250.0, -3.0, 1e300])
            ),
        ),
    }
)
SCHEMA = pa.schema(
    [("uscc", pa.string()), ("period", pa.string())] + [(n, pa.float64()) for n in INDICATORS]
)
RULES = [
    *(r for r in default_rules() if {t.name for t in r.terms("en")} <= set(INDICATORS)),
    Rule.make("any-prev", "missing(prev(exports)) or prev(exports) >= 0", "{prev(exports)}"),
    Rule.make("december", "abs(exports - dec(exports)) <= 1", "{dec(exports)} {exports}"),
    Rule.make("no-lookup", "exports <= 1000", "{exports}"),
]
INDEXES = {
    "dense": {"DENSE_SLOTS_PER_ROW": 8, "DENSE_MIN_SLOTS": 4096},
    "sorted": {"DENSE_SLOTS_PER_ROW": 0, "DENSE_MIN_SLOTS": -1},
}


@pytest.mark.parametrize("index", sorted(INDEXES))
@settings(max_examples=80, deadline=None)
@given(st.lists(REPORT, min_size=1, max_size=12), st.lists(REPORT, max_size=16), st.booleans())
def test_violations_equal_those_of_sql_joins(index, upload, stored, with_history):
    table = pa.Table.from_pylist(upload, schema=SCHEMA)
    history = pa.Table.from_pylist(stored, schema=SCHEMA) if with_history else None
    with mock.patch.multiple(rules_run, **INDEXES[index]):
        got = outcome(rules_run.run, _chosen(RULES, None, "en"), table, history, "en")
    expected = outcome(run_by_sql, _chosen(RULES, None, "en"), table, history)
    if isinstance(expected, str):
        assert got == expected
    else:
        assert isinstance(got, pa.Table) and got.equals(expected)


@pytest.mark.parametrize("index", sorted(INDEXES))
@settings(max_examples=60, deadline=None)
@given(st.lists(REPORT, min_size=1, max_size=12), st.lists(REPORT, max_size=16))
def test_joined_values_equal_those_of_sql_joins(index, upload, stored):
    table = prepare(pa.Table.from_pylist(upload, schema=SCHEMA), INDICATORS, "upload")
    table = table.append_column("industry", pa.array(["x"] * table.num_rows))
    history = pa.Table.from_pylist(stored, schema=SCHEMA)
    needed = [Name("exports", 0), Name("employees", 0), Lookup("prev", "exports", 0)]
    needed += [Lookup("last_year", n, 0) for n in INDICATORS] + [Lookup("dec", "exports", 0)]

    def joined(join):
        with duckdb.connect() as con:
            j = join(con, table, history, needed, ("industry",))
            return con.execute(f"SELECT * FROM {j} ORDER BY __row").fetchall()

    with mock.patch.multiple(rules_run, **INDEXES[index]):
        got = outcome(joined, rules_run.join_lookups)
    assert got == outcome(joined, join_by_sql)


def test_duplicates_are_named_as_before():
    upload = pa.Table.from_pylist(
        [{"uscc": "A", "period": "2023-M02"}, {"uscc": "B", "period": None}], schema=SCHEMA
    )
    history = pa.Table.from_pylist(
        [
            {"uscc": "A", "period": "2023-M02"},  # replaced by the upload's: no problem
            {"uscc": "A", "period": "2023-M02"},
            {"uscc": "B", "period": None},  # a null period replaces nothing: twice
            {"uscc": "C", "period": "2023-M01"},
            {"uscc": "C", "period": "2023-M01"},
            {"uscc": None, "period": "2023-M01"},
            {"uscc": None, "period": "2023-M01"},
        ],
        schema=SCHEMA,
    )
    rules = _chosen(RULES, "monthly", "en")
    message = outcome(rules_run.run, rules, upload, history, "en")
    assert message == outcome(run_by_sql, rules, upload, history)
    assert "uscc B period None (2 times); uscc C period 2023-M01 (2 times);" in message
    assert outcome(rules_run.run, rules, upload, history.slice(0, 2), "en").num_rows == 0
