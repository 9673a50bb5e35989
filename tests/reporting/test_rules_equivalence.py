"""Two properties on random data with missing values.

1. The SQL a rule compiles to means what docs/rules.md says: it agrees with a small
   reference evaluator written here from the documented semantics.
2. ``check_report`` on one report gives exactly the violations ``check_upload`` gives
   that report within a whole upload (with history, and an upload replacing history).
"""

from __future__ import annotations

import dataclasses

import duckdb
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from htz.reporting.rules import check_report, check_upload, default_rules, to_violations
from htz.reporting.rules_lang import Binary, Call, If, Lookup, Name, Num, Unary, parse, terms
from htz.reporting.rules_lang import term_label as label
from htz.reporting.rules_sql import to_sql

# -- 1. a reference evaluator: None is missing; and/or/not are three-valued ------------------


def evaluate(node, row):
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Name | Lookup):
        return row[label(node)]
    if isinstance(node, Unary):
        x = evaluate(node.operand, row)
        return None if x is None else (not x if node.op == "not" else -x)
    if isinstance(node, If):  # if A then B  ==  not A or B
        return evaluate(Binary("or", Unary("not", node.cond, 0), node.then, 0), row)
    if isinstance(node, Binary):
        return _binary(node.op, evaluate(node.left, row), evaluate(node.right, row))
    assert isinstance(node, Call)
    args = [evaluate(a, row) for a in node.args]
    present = [a for a in args if a is not None]
    if node.fn == "missing":
        return args[0] is None
    if node.fn == "between":
        x, low, high = args
        return _binary("and", _binary("<=", low, x), _binary("<=", x, high))
    if node.fn == "abs":
        return None if args[0] is None else abs(args[0])
    if node.fn == "sum":
        return sum(present) if present else None
    return present[0] if present else None  # coalesce


def _binary(op, a, b):
    if op == "and":
        return False if False in (a, b) else (None if None in (a, b) else True)
    if op == "or":
        return True if True in (a, b) else (None if None in (a, b) else False)
    if a is None or b is None or (op == "/" and b == 0):
        return None
    return {
        "+": lambda: a + b,
        "-": lambda: a - b,
        "*": lambda: a * b,
        "/": lambda: a / b,
        "<": lambda: a < b,
        "<=": lambda: a <= b,
        ">": lambda: a > b,
        ">=": lambda: a >= b,
        "==": lambda: a == b,
        "!=": lambda: a != b,
    }[op]()


EXPRESSIONS = [
    "x / y > 1 or not missing(prev(x)) and x - prev(x) * 2 <= -y",
    "if x > 0 then y > 0 and last_year(x) != x",
    "between(sum(x, y, prev(x)) / coalesce(y, last_year(x), 2), -1, 1.5)",
    "abs(x - y) <= 0.01 * abs(y) or missing(y) and not x == y",
]
TREES = [parse(e) for e in EXPRESSIONS] + [r.tree for r in default_rules()]
LABELS = sorted({label(t) for tree in TREES for t in terms(tree)})
VALUE = st.one_of(
    st.none(),
    st.sampled_from([0.0, 1.0, -1.0, 2.0, 0.5, 100.0, 101.0, 99.0]),
    st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False),
)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.fixed_dictionaries(dict.fromkeys(LABELS, VALUE)), min_size=1, max_size=20))
def test_sql_agrees_with_the_documented_semantics(rows):
    table = pa.table({n: pa.array([r[n] for r in rows], pa.float64()) for n in LABELS})
    with duckdb.connect() as con:
        con.register("t", table.append_column("i", pa.array(range(len(rows)))))
        for tree in TREES:
            got = [v for (v,) in con.execute(f"SELECT {to_sql(tree)} FROM t ORDER BY i").fetchall()]
            assert got == [evaluate(tree, row) for row in rows], tree


# -- 2. one report at a time == the whole upload -----------------------------------------------

INDICATORS = ("operating_revenue", "exports", "employees")
RULES = [r for r in default_rules() if {t.name for t in r.terms("en")} <= set(INDICATORS)]
PERIODS = ["2022", "2022-M09", "2023-M01", "2023-M08", "2023-M09", "2023-M12", "2023"]
AMOUNT = st.one_of(st.none(), st.sampled_from([0.0, 1.0, 50.0, 99.5, 100.0, 250.0, -3.0]))
REPORT = st.fixed_dictionaries(
    {
        "uscc": st.sampled_from(["A", "B"]),
        "period": st.sampled_from(PERIODS),
        **dict.fromkeys(INDICATORS, AMOUNT),
    }
)


def unique(reports):
    return list({(r["uscc"], r["period"]): r for r in reports}.values())


@settings(max_examples=20, deadline=None)
@given(
    st.lists(REPORT, min_size=1, max_size=5).map(unique), st.lists(REPORT, max_size=8).map(unique)
)
def test_single_report_path_equals_upload_path(upload, stored):
    history = pa.Table.from_pylist(stored, schema=_SCHEMA) if stored else None
    whole = to_violations(
        check_upload(RULES, pa.Table.from_pylist(upload, schema=_SCHEMA), history, form=None)
    )
    uploaded = {(r["uscc"], r["period"]) for r in upload}
    for i, report in enumerate(upload):
        past = [r for r in upload if r is not report and r["uscc"] == report["uscc"]]
        past += [
            r
            for r in stored
            if r["uscc"] == report["uscc"] and (r["uscc"], r["period"]) not in uploaded
        ]
        one = check_report(RULES, report, past, form=None)
        assert one == [dataclasses.replace(v, row=0) for v in whole if v.row == i]


_SCHEMA = pa.schema(
    [("uscc", pa.string()), ("period", pa.string())] + [(n, pa.float64()) for n in INDICATORS]
)
