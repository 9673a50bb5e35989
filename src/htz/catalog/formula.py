"""Formulas of derived indicators, such as ``wages + depreciation + operating_surplus``.

A formula is numbers, indicator codes, ``+ - * /``, unary minus and parentheses. A small
recursive-descent parser (never ``eval``) reads it into a tree that evaluates in Python
(``evaluate``) or renders as a SQL expression (``to_sql``), so that analytics can compute the
same thing over whole columns. Division by zero gives None in Python and NULL in SQL
(``NULLIF``), so both agree on every engine.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from htz.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Number:
    value: float


@dataclass(frozen=True, slots=True)
class Ref:
    code: str


@dataclass(frozen=True, slots=True)
class Negate:
    operand: Expr


@dataclass(frozen=True, slots=True)
class BinOp:
    op: str  # "+", "-", "*" or "/"
    left: Expr
    right: Expr


Expr = Number | Ref | Negate | BinOp

_TOKEN = re.compile(
    r"\s*(?:(?P<number>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>[-+*/()]))"
)
_USAGE = "write indicator codes and numbers joined by + - * / with parentheses"


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = self._tokenise()
        self.i = 0

    def error(self, position: int, why: str) -> ConfigError:
        return ConfigError(
            f"formula {self.text!r}: {why} at character {position + 1}; {_USAGE}, "
            "e.g. 'wages + depreciation'"
        )

    def _tokenise(self) -> list[tuple[str, str, int]]:
        tokens, pos = [], 0
        while True:
            match = _TOKEN.match(self.text, pos)
            if not match:
                rest = self.text[pos:].lstrip()
                if rest:
                    raise self.error(len(self.text) - len(rest), f"{rest[0]!r} is not allowed")
                break
            kind = match.lastgroup or ""
            tokens.append((kind, match[kind], match.start(kind)))
            pos = match.end()
        tokens.append(("end", "", len(self.text)))
        return tokens

    def peek_op(self, *ops: str) -> bool:
        kind, value, _ = self.tokens[self.i]
        return kind == "op" and value in ops

    def take(self) -> tuple[str, str, int]:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def expression(self) -> Expr:
        node = self.term()
        while self.peek_op("+", "-"):
            node = BinOp(self.take()[1], node, self.term())
        return node

    def term(self) -> Expr:
        node = self.unary()
        while self.peek_op("*", "/"):
            node = BinOp(self.take()[1], node, self.unary())
        return node

    def unary(self) -> Expr:
        if self.peek_op("-"):
            self.take()
            return Negate(self.unary())
        if self.peek_op("+"):
            self.take()
            return self.unary()
        return self.atom()

    def atom(self) -> Expr:
        kind, value, pos = self.take()
        if kind == "number":
            return Number(float(value))
        if kind == "name":
            return Ref(value)
        if kind == "op" and value == "(":
            node = self.expression()
            kind, value, pos = self.take()
            if not (kind == "op" and value == ")"):
                raise self.error(pos, "expected ')'" + (f", found {value!r}" if value else ""))
            return node
        found = "the formula ends" if kind == "end" else f"found {value!r}"
        raise self.error(pos, f"expected a number, an indicator code or '(' but {found}")


def parse(text: str) -> Expr:
    """The tree of a formula; ConfigError says where a malformed one goes wrong."""
    if not isinstance(text, str) or not text.strip():
        raise ConfigError(f"formula {text!r} is empty; {_USAGE}, e.g. 'wages + depreciation'")
    parser = _Parser(text)
    node = parser.expression()
    kind, value, pos = parser.take()
    if kind != "end":
        raise parser.error(pos, f"unexpected {value!r}")
    return node


def refs(node: Expr) -> tuple[str, ...]:
    """The indicator codes a formula uses, in order of first appearance."""
    found: dict[str, None] = {}

    def walk(n: Expr) -> None:
        if isinstance(n, Ref):
            found.setdefault(n.code)
        elif isinstance(n, Negate):
            walk(n.operand)
        elif isinstance(n, BinOp):
            walk(n.left)
            walk(n.right)

    walk(node)
    return tuple(found)


def substitute(node: Expr, by: Mapping[str, Expr]) -> Expr:
    """The formula with each code in ``by`` replaced by its expression."""
    if isinstance(node, Ref):
        return by.get(node.code, node)
    if isinstance(node, Negate):
        return Negate(substitute(node.operand, by))
    if isinstance(node, BinOp):
        return BinOp(node.op, substitute(node.left, by), substitute(node.right, by))
    return node


def evaluate(node: Expr, values: Mapping[str, float | None]) -> float | None:
    """The value of a formula; None if an input is missing (None, NaN, absent) or a divisor is 0."""
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Ref):
        value = values.get(node.code)
        if value is None:
            return None
        value = float(value)
        return None if math.isnan(value) else value
    if isinstance(node, Negate):
        operand = evaluate(node.operand, values)
        return None if operand is None else -operand
    left, right = evaluate(node.left, values), evaluate(node.right, values)
    if left is None or right is None:
        return None
    if node.op == "+":
        return left + right
    if node.op == "-":
        return left - right
    if node.op == "*":
        return left * right
    return None if right == 0 else left / right


def quote(name: str) -> str:
    """A SQL identifier in double quotes."""
    return '"' + name.replace('"', '""') + '"'


def to_sql(node: Expr, column: Callable[[str], str] = quote) -> str:
    """The formula as a SQL expression; ``column`` renders an indicator code as a column."""
    if isinstance(node, Number):
        value = node.value
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(node, Ref):
        return column(node.code)
    if isinstance(node, Negate):
        return f"(-{to_sql(node.operand, column)})"
    left, right = to_sql(node.left, column), to_sql(node.right, column)
    if node.op == "/" and not (isinstance(node.right, Number) and node.right.value != 0):
        return f"({left} / NULLIF({right}, 0))"
    return f"({left} {node.op} {right})"
