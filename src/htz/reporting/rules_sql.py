"""Compile rule trees and message templates to DuckDB SQL.

The SQL runs over one wide row per report that already holds every value a rule
reads: indicator ``x`` is column ``"x"``, ``prev(x)`` is column ``"prev(x)"`` and so on
(see :func:`column`). Three-valued logic is SQL's own: a missing value (NULL)
propagates through arithmetic and comparisons; ``and``/``or``/``not`` are Kleene's.
Division by zero gives a missing value, as does ``sum()`` of only missing values.
"""

from __future__ import annotations

import re

from htz.errors import InputError
from htz.reporting.rules_lang import (
    Binary,
    Call,
    If,
    Lookup,
    Name,
    Node,
    Num,
    Unary,
    parse,
    term_label,
    terms,
)

_SQL_OPS = {"==": "=", "!=": "<>", "and": "AND", "or": "OR"}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
MISSING_TEXT = "—"


def column(node: Name | Lookup) -> str:
    """The quoted column holding a term's value: ``"exports"``, ``"prev(exports)"``."""
    return '"' + term_label(node) + '"'


def to_sql(node: Node) -> str:
    """One SQL expression with the same value as ``node`` (NULL where missing)."""
    if isinstance(node, Num):
        return f"CAST({node.value!r} AS DOUBLE)"
    if isinstance(node, Name | Lookup):
        return column(node)
    if isinstance(node, Unary):
        return f"(NOT {to_sql(node.operand)})" if node.op == "not" else f"(-{to_sql(node.operand)})"
    if isinstance(node, If):
        return f"((NOT {to_sql(node.cond)}) OR {to_sql(node.then)})"
    if isinstance(node, Binary):
        left, right = to_sql(node.left), to_sql(node.right)
        if node.op == "/":
            return f"({left} / NULLIF({right}, 0))"
        return f"({left} {_SQL_OPS.get(node.op, node.op)} {right})"
    if isinstance(node, Call):
        args = [to_sql(a) for a in node.args]
        if node.fn == "missing":
            return f"({args[0]} IS NULL)"
        if node.fn == "between":
            x, low, high = args
            return f"(({low} <= {x}) AND ({x} <= {high}))"
        if node.fn == "abs":
            return f"abs({args[0]})"
        if node.fn == "coalesce":
            return f"coalesce({', '.join(args)})"
        if node.fn == "sum":
            all_missing = " AND ".join(f"{a} IS NULL" for a in args)
            total = " + ".join(f"coalesce({a}, 0)" for a in args)
            return f"(CASE WHEN {all_missing} THEN NULL ELSE {total} END)"
    raise TypeError(f"cannot compile {node!r}")  # pragma: no cover - parser makes only the above


def format_number(sql: str, lang: str) -> str:
    """SQL text for a number in a message: ``1,234,567.5`` (``1.234.567,5`` in Vietnamese).

    At most two decimals, trailing zeros dropped; a missing value shows as ``—``.
    """
    rounded = f"(round({sql}, 2) + 0.0)"
    text = (
        f"CASE WHEN {rounded} = round({rounded}) THEN format('{{:,.0f}}', {rounded}) "
        f"ELSE rtrim(format('{{:,.2f}}', {rounded}), '0') END"
    )
    if lang == "vi":
        text = f"translate({text}, ',.', '.,')"
    return f"coalesce({text}, '{MISSING_TEXT}')"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class Template:
    """A message with ``{expression}`` placeholders, each a number the rule language computes."""

    def __init__(self, text: str, where: str):
        if not isinstance(text, str):
            raise InputError(f"{where}: the message must be text, got {text!r}")
        self.text = text
        self.parts: list[str | Node] = []
        pos = 0
        for match in _PLACEHOLDER.finditer(text):
            self.parts.append(text[pos : match.start()])
            self.parts.append(parse(match[1], where=f"{where}, placeholder {match[0]}", want="num"))
            pos = match.end()
        self.parts.append(text[pos:])
        if any(isinstance(p, str) and ("{" in p or "}" in p) for p in self.parts):
            raise InputError(f"{where}: unbalanced brace in message {text!r}")

    def terms(self) -> list[Name | Lookup]:
        return [t for p in self.parts if not isinstance(p, str) for t in terms(p)]

    def to_sql(self, lang: str) -> str:
        pieces = [
            _quote(p) if isinstance(p, str) else format_number(to_sql(p), lang)
            for p in self.parts
            if p != ""
        ]
        return f"concat({', '.join(pieces)})" if pieces else "''"
