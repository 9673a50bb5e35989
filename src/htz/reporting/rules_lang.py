"""The rule language: a tokenizer and a recursive-descent parser into a typed syntax tree.

A rule is a condition over one report's indicators, e.g.
``if operating_revenue > 0 then employees > 0`` or ``exports <= operating_revenue``.
Nothing is ever passed to Python's ``eval``; the tree is compiled to SQL by
:mod:`htz.reporting.rules_sql`. The grammar, loosest binding first::

    expr       := "if" expr "then" expr | or
    or         := and ("or" and)*
    and        := not ("and" not)*
    not        := "not" not | comparison
    comparison := sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)?
    sum        := product (("+" | "-") product)*
    product    := unary (("*" | "/") unary)*
    unary      := "-" unary | primary
    primary    := NUMBER | NAME | NAME "(" expr ("," expr)* ")" | "(" expr ")"

Every node is typed ``num`` or ``bool``; a rule must be ``bool``. Errors raise
:class:`~htz.errors.InputError` naming the rule, the column and what was expected.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from htz.errors import InputError

Type = Literal["num", "bool"]

KEYWORDS = frozenset({"and", "or", "not", "if", "then"})
COMPARISONS = {"<", "<=", ">", ">=", "==", "!="}
LOOKUPS = ("prev", "last_year", "dec")  # functions of one indicator that read another report
FUNCTIONS = {  # name: (argument type, min args, max args or None, result type)
    "missing": ("num", 1, 1, "bool"),
    "between": ("num", 3, 3, "bool"),
    "abs": ("num", 1, 1, "num"),
    "sum": ("num", 1, None, "num"),
    "coalesce": ("num", 1, None, "num"),
}

_TOKEN = re.compile(
    r"\s*(?:"
    r"(?P<num>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op><=|>=|==|!=|[<>+\-*/(),])"
    r")"
)


# -- syntax tree -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Num:
    value: float
    pos: int


@dataclass(frozen=True)
class Name:
    """An indicator of the report being checked."""

    name: str
    pos: int


@dataclass(frozen=True)
class Lookup:
    """``prev(x)``, ``last_year(x)`` or ``dec(x)``: indicator ``x`` of another report."""

    fn: str
    name: str
    pos: int


@dataclass(frozen=True)
class Call:
    fn: str
    args: tuple[Node, ...]
    pos: int


@dataclass(frozen=True)
class Unary:
    op: str  # "-" or "not"
    operand: Node
    pos: int


@dataclass(frozen=True)
class Binary:
    op: str  # arithmetic, comparison, "and", "or"
    left: Node
    right: Node
    pos: int


@dataclass(frozen=True)
class If:
    cond: Node
    then: Node
    pos: int


Node = Num | Name | Lookup | Call | Unary | Binary | If


def term_label(node: Name | Lookup) -> str:
    """How a value is named in messages and in a violation's ``values``: ``prev(exports)``."""
    return node.name if isinstance(node, Name) else f"{node.fn}({node.name})"


def terms(node: Node) -> list[Name | Lookup]:
    """The indicator values a tree reads, in order of first appearance, without repeats."""
    found: dict[str, Name | Lookup] = {}

    def walk(n: Node) -> None:
        if isinstance(n, Name | Lookup):
            found.setdefault(term_label(n), n)
        elif isinstance(n, Call):
            for arg in n.args:
                walk(arg)
        elif isinstance(n, Unary):
            walk(n.operand)
        elif isinstance(n, Binary):
            walk(n.left)
            walk(n.right)
        elif isinstance(n, If):
            walk(n.cond)
            walk(n.then)

    walk(node)
    return list(found.values())


# -- tokenizer ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # "num", "name", "keyword", "op", "end"
    text: str
    pos: int


def tokenize(text: str, where: str) -> list[Token]:
    tokens, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match or match.lastgroup is None:
            start = len(text) - len(text[pos:].lstrip())
            char = text[start]
            hint = " (write == to compare)" if char == "=" else ""
            raise _error(where, text, start, f"unexpected character {char!r}{hint}")
        kind, value = match.lastgroup, match.group(match.lastgroup)
        start = match.start(kind)
        if kind == "name" and value in KEYWORDS:
            kind = "keyword"
        if kind == "num" and not math.isfinite(float(value)):
            raise _error(where, text, start, f"number {value} is too large")
        tokens.append(Token(kind, value, start))
        pos = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


# -- parser ------------------------------------------------------------------------------------


def _error(where: str, text: str, pos: int, what: str) -> InputError:
    return InputError(f"{where}: {what} at column {pos + 1} of {text!r}")


def _describe(token: Token) -> str:
    return "the end" if token.kind == "end" else repr(token.text)


class _Parser:
    def __init__(self, text: str, where: str):
        self.text, self.where = text, where
        self.tokens = tokenize(text, where)
        self.i = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.i]

    def error(self, what: str, token: Token | None = None) -> InputError:
        token = token or self.token
        return _error(self.where, self.text, token.pos, what)

    def expected(self, what: str) -> InputError:
        return self.error(f"expected {what} but found {_describe(self.token)}")

    def accept(self, *texts: str) -> Token | None:
        token = self.token
        if token.kind in ("op", "keyword") and token.text in texts:
            self.i += 1
            return token
        return None

    def expect(self, text: str, what: str | None = None) -> Token:
        token = self.accept(text)
        if token is None:
            raise self.expected(what or repr(text))
        return token

    # each level returns (node, type)

    def expr(self) -> tuple[Node, Type]:
        start = self.accept("if")
        if start is None:
            return self.or_()
        cond = self.need("bool", self.expr(), "a condition after 'if'")
        self.expect("then", "'then'")
        then = self.need("bool", self.expr(), "a condition after 'then'")
        return If(cond, then, start.pos), "bool"

    def logical(self, op: str, operand) -> tuple[Node, Type]:
        node, typ = operand()
        while token := self.accept(op):
            left = self.need("bool", (node, typ), f"a condition before {op!r}", token)
            right = self.need("bool", operand(), f"a condition after {op!r}", token)
            node, typ = Binary(op, left, right, token.pos), "bool"
        return node, typ

    def or_(self) -> tuple[Node, Type]:
        return self.logical("or", self.and_)

    def and_(self) -> tuple[Node, Type]:
        return self.logical("and", self.not_)

    def not_(self) -> tuple[Node, Type]:
        token = self.accept("not")
        if token is None:
            return self.comparison()
        return Unary(
            "not", self.need("bool", self.not_(), "a condition after 'not'"), token.pos
        ), "bool"

    def comparison(self) -> tuple[Node, Type]:
        left = self.arithmetic()
        token = self.accept(*COMPARISONS)
        if token is None:
            return left
        what = f"a number before {token.text!r}"
        node = Binary(
            token.text,
            self.need("num", left, what, token),
            self.need("num", self.arithmetic(), f"a number after {token.text!r}", token),
            token.pos,
        )
        if self.token.kind == "op" and self.token.text in COMPARISONS:
            raise self.error("comparisons cannot be chained; write a < b and b < c")
        return node, "bool"

    def arithmetic(self) -> tuple[Node, Type]:
        node, typ = self.product()
        while token := self.accept("+", "-"):
            left = self.need("num", (node, typ), f"a number before {token.text!r}", token)
            right = self.need("num", self.product(), f"a number after {token.text!r}", token)
            node, typ = Binary(token.text, left, right, token.pos), "num"
        return node, typ

    def product(self) -> tuple[Node, Type]:
        node, typ = self.unary()
        while token := self.accept("*", "/"):
            left = self.need("num", (node, typ), f"a number before {token.text!r}", token)
            right = self.need("num", self.unary(), f"a number after {token.text!r}", token)
            node, typ = Binary(token.text, left, right, token.pos), "num"
        return node, typ

    def unary(self) -> tuple[Node, Type]:
        token = self.accept("-")
        if token is None:
            return self.primary()
        return Unary("-", self.need("num", self.unary(), "a number after '-'"), token.pos), "num"

    def primary(self) -> tuple[Node, Type]:
        token = self.token
        if token.kind == "num":
            self.i += 1
            return Num(float(token.text), token.pos), "num"
        if self.accept("("):
            inner = self.expr()
            self.expect(")", "')'")
            return inner
        if token.kind != "name":
            raise self.expected("a number, an indicator, a function or '('")
        self.i += 1
        if not self.accept("("):
            if token.text in FUNCTIONS or token.text in LOOKUPS:
                raise self.error(f"{token.text}() is a function: write {token.text}(…)", token)
            if not re.fullmatch(r"[a-z][a-z0-9_]*", token.text):
                raise self.error(f"indicator {token.text!r} must be snake_case", token)
            return Name(token.text, token.pos), "num"
        return self.call(token)

    def call(self, fn: Token) -> tuple[Node, Type]:
        if fn.text in LOOKUPS:
            arg = self.token
            if arg.kind != "name" or not re.fullmatch(r"[a-z][a-z0-9_]*", arg.text):
                raise self.expected(f"an indicator name inside {fn.text}()")
            self.i += 1
            self.expect(")", f"')' ({fn.text}() takes one indicator name)")
            return Lookup(fn.text, arg.text, fn.pos), "num"
        if fn.text not in FUNCTIONS:
            known = ", ".join(f"{f}()" for f in (*LOOKUPS, *FUNCTIONS))
            raise self.error(f"unknown function {fn.text}(); use one of {known}", fn)
        want, least, most, result = FUNCTIONS[fn.text]
        args = [self.need(want, self.expr(), f"a number as argument of {fn.text}()")]
        while self.accept(","):
            args.append(self.need(want, self.expr(), f"a number as argument of {fn.text}()"))
        self.expect(")", "')' or ','")
        if len(args) < least or (most is not None and len(args) > most):
            count = str(least) if least == most else f"at least {least}"
            raise self.error(f"{fn.text}() takes {count} argument(s), got {len(args)}", fn)
        return Call(fn.text, tuple(args), fn.pos), result

    def need(self, want: Type, parsed: tuple[Node, Type], what: str, at: Token | None = None):
        node, typ = parsed
        if typ != want:
            found = "a condition" if typ == "bool" else "a number"
            pos = at.pos if at else node.pos
            raise _error(self.where, self.text, pos, f"expected {what} but found {found}")
        return node


def parse(text: str, *, where: str = "rule", want: Type = "bool") -> Node:
    """Parse ``text`` into a tree of type ``want``; ``where`` names the rule in errors."""
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"{where}: the expression is empty; write a condition such as x >= 0")
    parser = _Parser(text, where)
    node, typ = parser.expr()
    if parser.token.kind != "end":
        raise parser.expected("an operator or the end")
    if typ != want:
        kind = (
            "a condition (a comparison, missing(), between() …)" if want == "bool" else "a number"
        )
        raise _error(where, text, 0, f"expected {kind} but the expression is not one")
    return node
