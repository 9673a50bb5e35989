"""The rule language: precedence, types, error messages, and what each construct means."""

from __future__ import annotations

import duckdb
import pytest

from htz.errors import InputError
from htz.reporting.rules_lang import Binary, Call, If, Lookup, Name, Num, Unary, parse, terms
from htz.reporting.rules_sql import Template, to_sql


def num(text: str):
    return parse(text, want="num")


def value(text: str, **values):
    """Evaluate ``text`` with DuckDB over one row holding ``values`` (None = missing)."""
    want = (
        "bool" if any(op in text for op in ("<", ">", "=", "missing", "between", "if")) else "num"
    )
    cols = ", ".join(
        f'CAST({v!r} AS DOUBLE) AS "{k}"' if v is not None else f'CAST(NULL AS DOUBLE) AS "{k}"'
        for k, v in values.items()
    )
    row = f"(SELECT {cols})" if cols else "(SELECT 1)"
    with duckdb.connect() as con:
        return con.execute(f"SELECT {to_sql(parse(text, want=want))} FROM {row}").fetchone()[0]


# -- precedence --------------------------------------------------------------------------------


def test_multiplication_binds_tighter_than_addition():
    tree = parse("1 + 2 * 3 == 7")
    assert tree == Binary(
        "==",
        Binary("+", Num(1.0, 0), Binary("*", Num(2.0, 4), Num(3.0, 8), 6), 2),
        Num(7.0, 13),
        10,
    )
    assert value("1 + 2 * 3 == 7") is True


def test_arithmetic_is_left_associative():
    assert value("10 - 4 - 3") == 3
    assert value("8 / 4 / 2") == 1
    assert value("(10 - 4) - 3 == 10 - (4 + 3)") is True


def test_unary_minus_binds_tightest():
    assert num("-x * 2") == Binary("*", Unary("-", Name("x", 1), 0), Num(2.0, 5), 3)
    assert value("- - 3") == 3
    assert value("2 - -3") == 5


def test_and_binds_tighter_than_or_and_not_tighter_than_and():
    a, b, c = (
        Binary(">", Name(n, p), Num(1.0, p + 4), p + 2) for n, p in (("a", 0), ("b", 9), ("c", 19))
    )
    assert parse("a > 1 or b > 1 and c > 1") == Binary("or", a, Binary("and", b, c, 15), 6)
    tree = parse("not a > 1 and b > 1")
    assert isinstance(tree, Binary) and tree.op == "and"
    assert isinstance(tree.left, Unary) and tree.left.op == "not"


def test_if_then_takes_everything_after_then():
    tree = parse("if a > 0 then b > 0 and c > 0")
    assert isinstance(tree, If) and isinstance(tree.then, Binary) and tree.then.op == "and"
    assert isinstance(parse("(if a > 0 then b > 0) and c > 0"), Binary)


def test_functions_and_lookups():
    tree = parse("between(x / last_year(x), 0.5, 2)")
    assert isinstance(tree, Call) and tree.fn == "between"
    assert terms(tree) == [Name("x", 8), Lookup("last_year", "x", 12)]
    assert terms(parse("sum(a, b, a) > prev(a)")) == [
        Name("a", 4),
        Name("b", 7),
        Lookup("prev", "a", 15),
    ]


def test_numbers():
    assert num("1.5e3") == Num(1500.0, 0)
    assert num(".5") == Num(0.5, 0)


# -- errors name the rule, the column and what was expected ------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x >", "expected a number, an indicator, a function or '(' but found the end at column 4"),
        ("x = 1", "unexpected character '=' (write == to compare) at column 3"),
        ("(x > 1", "expected ')' but found the end at column 7"),
        ("x > 1 > 2", "comparisons cannot be chained"),
        ("x > 1 y", "expected an operator or the end but found 'y' at column 7"),
        ("foo(x) > 1", "unknown function foo(); use one of prev(), last_year(), dec(), missing()"),
        ("prev(x + 1) > 1", "expected ')' (prev() takes one indicator name) but found '+'"),
        ("prev(2) > 1", "expected an indicator name inside prev() but found '2'"),
        ("prev > 1", "prev() is a function"),
        ("x + 1", "expected a condition"),
        ("x > 1 and 2", "expected a condition after 'and' but found a number at column 7"),
        ("not x", "expected a condition after 'not' but found a number"),
        ("missing(x > 1)", "expected a number as argument of missing() but found a condition"),
        ("between(x, 1) ", "between() takes 3 argument(s), got 2"),
        ("x > 1e999", "number 1e999 is too large"),
        ("x > 1 and y < 2 $", "unexpected character '$'"),
        ("Revenue > 1", "indicator 'Revenue' must be snake_case"),
        ("if x > 1 y > 2", "expected 'then' but found 'y'"),
        ("   ", "the expression is empty"),
    ],
)
def test_errors(text, expected):
    with pytest.raises(InputError) as caught:
        parse(text, where="rule 'my-rule'")
    assert caught.value.message.startswith("rule 'my-rule': ")
    assert expected in caught.value.message


def test_template_placeholders_are_numbers():
    assert [t.name for t in Template("fell from {prev(x)} to {x}", "m").terms()] == ["x", "x"]
    with pytest.raises(InputError, match=r"placeholder \{x > 1\}: expected a number"):
        Template("{x > 1}", "m")
    with pytest.raises(InputError, match="unbalanced brace"):
        Template("a } {x}", "m")


# -- meaning: missing values (three-valued logic) ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("x > 1", {"x": None}, None),  # a comparison with a missing side is not evaluated
        ("missing(x)", {"x": None}, True),
        ("missing(x)", {"x": 0.0}, False),
        ("not missing(x)", {"x": None}, False),
        ("x > 1 or y > 1", {"x": None, "y": 2.0}, True),  # true or missing = true
        ("x > 1 or y > 1", {"x": None, "y": 0.0}, None),
        ("x > 1 and y > 1", {"x": None, "y": 0.0}, False),  # false and missing = false
        ("x > 1 and y > 1", {"x": None, "y": 2.0}, None),
        ("if x > 0 then y > 0", {"x": 0.0, "y": None}, True),  # condition false: passes
        ("if x > 0 then y > 0", {"x": 1.0, "y": None}, None),
        ("if x > 0 then y > 0", {"x": None, "y": 1.0}, True),  # then-part holds anyway
        ("if x > 0 then y > 0", {"x": None, "y": 0.0}, None),
        ("x / y > 1", {"x": 5.0, "y": 0.0}, None),  # division by zero is missing
        ("x + y > 1", {"x": 5.0, "y": None}, None),
        ("sum(x, y) == 2", {"x": None, "y": 2.0}, True),  # sum of the present values
        ("missing(sum(x, y))", {"x": None, "y": None}, True),  # ... missing if all are
        ("coalesce(x, y, 7) == 7", {"x": None, "y": None}, True),
        ("abs(x) == 3", {"x": -3.0}, True),
        ("between(x, 1, 3)", {"x": 3.0}, True),  # bounds included
        ("between(x, 1, 3)", {"x": 3.5}, False),
        ("between(x, 1, 3)", {"x": None}, None),
        ("x != 1", {"x": 2.0}, True),
        ("x == 0.3", {"x": 0.1 + 0.2}, False),  # doubles, as in Python
    ],
)
def test_missing_semantics(text, values, expected):
    assert value(text, **values) is expected
