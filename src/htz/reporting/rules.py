"""Validation rules as data: load them from YAML, run them over reports, get violations back.

A rule is a condition every report of some forms must meet, written in a small
language (:mod:`htz.reporting.rules_lang`, reference in ``docs/rules.md``)::

    - code: ytd-decreased
      severity: error
      forms: [monthly, quarterly]
      for_each: [operating_revenue, exports]
      expr: "{x} >= prev({x})"
      message:
        en: "{x} (year to date) fell from {prev({x})} to {{x}}"
        zh: …
        vi: …

``for_each`` repeats the rule once per indicator, replacing ``{x}`` by its code
everywhere, so ``{{x}}`` in a message becomes the placeholder ``{operating_revenue}``
(its value). A rule passes when its condition is true, fails when it is false and
is not evaluated when it is missing (a value it compares is missing).

:func:`check_upload` runs every rule of a form over a whole upload in one DuckDB
query (see :mod:`htz.reporting.rules_run`); :func:`check_report` runs the same SQL
on one report, so the web form and an upload always agree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

from htz.errors import InputError
from htz.reporting.rules_lang import Lookup, Name, Node, parse, terms
from htz.reporting.rules_run import VIOLATION_SCHEMA, Violation, run, to_violations
from htz.reporting.rules_sql import Template

FORMS = ("monthly", "quarterly", "annual_fast", "annual")
LANGS = ("en", "zh", "vi")
SEVERITIES = ("error", "warning")
_CODE = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_KEYS = {"code", "severity", "forms", "expr", "message", "for_each", "indicator", "description"}


@dataclass(frozen=True, eq=False)
class Rule:
    """One compiled rule. Build it with :meth:`Rule.make` or load it with :func:`load_rules`."""

    code: str
    severity: str
    forms: tuple[str, ...]
    expr: str
    tree: Node = field(repr=False)
    messages: Mapping[str, Template] = field(repr=False)
    indicator: str | None = None
    description: str = ""

    @classmethod
    def make(
        cls,
        code: str,
        expr: str,
        message: str | Mapping[str, str],
        *,
        severity: str = "error",
        forms: Iterable[str] = FORMS,
        indicator: str | None = None,
        description: str = "",
    ) -> Rule:
        """Check and parse a rule; ``message`` is one template for all languages or a mapping."""
        where = f"rule {code!r}"
        if not isinstance(code, str) or not _CODE.fullmatch(code):
            raise InputError(f"{where}: a rule code is kebab-case, e.g. ytd-decreased")
        if severity not in SEVERITIES:
            raise InputError(f"{where}: severity must be error or warning, not {severity!r}")
        forms = (forms,) if isinstance(forms, str) else tuple(forms)
        if not forms or any(f not in FORMS for f in forms):
            raise InputError(f"{where}: forms must be a list of {', '.join(FORMS)}; got {forms!r}")
        if isinstance(message, str):
            message = dict.fromkeys(LANGS, message)
        if not isinstance(message, Mapping) or sorted(message) != sorted(LANGS):
            got = sorted(message) if isinstance(message, Mapping) else message
            raise InputError(f"{where}: message needs exactly en, zh and vi texts; got {got!r}")
        tree = parse(expr, where=where)
        templates = {lang: Template(message[lang], f"{where}, message.{lang}") for lang in LANGS}
        if indicator is None:
            names = terms(tree)
            indicator = names[0].name if names else None
        return cls(code, severity, forms, expr, tree, templates, indicator, description)

    @property
    def key(self) -> str:
        """Unique within a rule set: ``ytd-decreased[exports]`` or just the code."""
        return f"{self.code}[{self.indicator}]" if self.indicator else self.code

    def terms(self, lang: str | None = None) -> list[Name | Lookup]:
        """Values the condition reads, then those the message in ``lang`` reads (if given)."""
        found = terms(self.tree)
        if lang:
            found += self.messages[lang].terms()
        return found


# -- loading -----------------------------------------------------------------------------------


def _indicator_name(x: str, lang: str) -> str:
    from htz.catalog import load_catalog

    ind = load_catalog().indicators.get(x)
    return ind.name.get(lang) if ind is not None and lang in LANGS else x


def _message(texts: dict, x: str) -> dict:
    """A for_each rule's messages: a bare ``{x}`` reads as the indicator's name in each
    language (营业收入, operating revenue), ``{{x}}`` is its value and ``{x}`` inside a
    placeholder (``{prev({x})}``) its code."""
    out = {}
    for lang, text in texts.items():
        if not isinstance(text, str):
            out[lang] = text
            continue
        name, parts, depth, i = _indicator_name(x, str(lang)), [], 0, 0
        while i < len(text):
            if depth == 0 and text.startswith("{{x}}", i):
                parts.append("{" + x + "}")
                i += 5
            elif depth == 0 and text.startswith("{x}", i):
                parts.append(name)
                i += 3
            elif text.startswith("{x}", i):
                parts.append(x)
                i += 3
            else:
                depth += {"{": 1, "}": -1}.get(text[i], 0)
                parts.append(text[i])
                i += 1
        out[lang] = "".join(parts)
    return out


def rules_from_data(data: Any, source: str = "rules", indicators: Iterable[str] | None = None):
    """Rules from parsed YAML: a list of mappings, ``for_each`` expanded."""
    if not isinstance(data, list):
        raise InputError(f"{source}: expected a list of rules, each with code, severity, expr…")
    rules: list[Rule] = []
    for n, item in enumerate(data, start=1):
        where = f"{source}, rule {n}"
        if not isinstance(item, dict):
            raise InputError(
                f"{where}: expected a mapping with code, severity, forms, expr, message"
            )
        where = f"{source}, rule {item.get('code', n)!r}"
        unknown = sorted(set(item) - _KEYS)
        missing = sorted({"code", "severity", "forms", "expr", "message"} - set(item))
        if unknown or missing:
            what = f"unknown key(s) {unknown}" if unknown else f"missing key(s) {missing}"
            raise InputError(f"{where}: {what}; a rule has {', '.join(sorted(_KEYS))}")
        each = item.get("for_each")
        if each is None:
            rules.append(_make(item, where))
            continue
        if not isinstance(each, list) or not all(isinstance(x, str) for x in each) or not each:
            raise InputError(f"{where}: for_each must be a list of indicator codes")
        for x in each:
            rules.append(_make(_substitute(item, x), f"{where} for {x}", default_indicator=x))
    _check_unique(rules, source)
    if indicators is not None:
        _check_known(rules, set(indicators), source)
    return rules


def _substitute(value: Any, x: str) -> Any:
    if isinstance(value, str):
        return value.replace("{x}", x)
    if isinstance(value, dict):
        return {
            k: _message(v, x) if k == "message" and isinstance(v, dict) else _substitute(v, x)
            for k, v in value.items()
            if k != "for_each"
        }
    if isinstance(value, list):
        return [_substitute(v, x) for v in value]
    return value


def _make(item: dict, where: str, default_indicator: str | None = None) -> Rule:
    if not isinstance(item["message"], dict):
        raise InputError(f"{where}: message needs en, zh and vi texts, one per line")
    try:
        return Rule.make(
            item["code"],
            item["expr"],
            item["message"],
            severity=item["severity"],
            forms=item["forms"],
            indicator=item.get("indicator", default_indicator),
            description=item.get("description", ""),
        )
    except InputError as exc:
        why = exc.message.removeprefix(f"rule {item['code']!r}: ")
        raise InputError(f"{where}: {why}") from None


def _check_unique(rules: list[Rule], source: str) -> None:
    seen: set[str] = set()
    for rule in rules:
        if rule.key in seen:
            raise InputError(f"{source}: rule {rule.key} is defined twice; give one a new code")
        seen.add(rule.key)


def _check_known(rules: list[Rule], known: set[str], source: str) -> None:
    for rule in rules:
        for lang in LANGS:
            for term in rule.terms(lang):
                if term.name not in known:
                    raise InputError(
                        f"{source}: rule {rule.key} reads {term.name!r}, which is not an indicator"
                    )


def load_rules(path: str | Path | None = None, *, indicators: Iterable[str] | None = None):
    """Rules from a YAML file, or the default rule set shipped with htz when ``path`` is None.

    ``indicators``, if given, lists the known indicator codes; a rule reading any other
    name is refused (this catches typos).
    """
    if path is None:
        source = "htz/catalog/rules/default.yaml"
        text = resources.files("htz").joinpath("catalog/rules/default.yaml").read_text("utf-8")
    else:
        source, path = str(path), Path(path)
        if not path.is_file():
            raise InputError(f"{path}: no such rules file; check the path")
        text = path.read_text("utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"{source}: not valid YAML ({exc}); fix the file") from None
    return rules_from_data(data, source, indicators)


@cache
def _default_rules() -> tuple[Rule, ...]:
    return tuple(load_rules())


def default_rules() -> list[Rule]:
    """The default rule set (loaded once)."""
    return list(_default_rules())


# -- checking ----------------------------------------------------------------------------------


def _chosen(rules: Iterable[Rule], form: str | None, lang: str) -> list[Rule]:
    if lang not in LANGS:
        raise InputError(f"language {lang!r} is not one of {', '.join(LANGS)}")
    if form is not None and form not in FORMS:
        raise InputError(f"form {form!r} is not one of {', '.join(FORMS)}")
    return [r for r in rules if form is None or form in r.forms]


def check_upload(
    rules: Iterable[Rule],
    table: pa.Table,
    history: pa.Table | None = None,
    *,
    form: str | None,
    lang: str = "en",
) -> pa.Table:
    """Violations of the ``form``'s rules (all rules if None) by every report in ``table``.

    ``table`` and ``history`` are wide: ``uscc``, ``period`` and one number column per
    indicator. ``prev``, ``last_year`` and ``dec`` read the upload itself and ``history``
    (reports already stored; a report in ``table`` replaces one in ``history``). An
    indicator column that is absent counts as missing. The result has the columns of
    :data:`VIOLATION_SCHEMA` (rule, severity, indicator, uscc, period, row, values as
    JSON, message in ``lang``), ordered by row and then by rule.
    """
    return run(_chosen(rules, form, lang), table, history, lang)


def check_report(
    rules: Iterable[Rule],
    report: Mapping[str, Any],
    history: Iterable[Mapping[str, Any]] | Mapping[str, Mapping[str, Any]] | None = None,
    *,
    form: str | None,
    lang: str = "en",
) -> list[Violation]:
    """Violations of one report (a mapping with ``period``, ``uscc`` and indicator values).

    ``history`` is a list of earlier reports (mappings like ``report``; ``uscc`` defaults
    to the report's) or a mapping of period code → indicator values. Runs the same SQL
    as :func:`check_upload`, so both always give the same answer.
    """
    report = dict(report)
    if "period" not in report:
        raise InputError("the report has no period; give one such as 2023-M09")
    report.setdefault("uscc", "")
    if isinstance(history, Mapping):
        history = [{**values, "period": period} for period, values in history.items()]
    rows = [{"uscc": report["uscc"], **dict(h)} for h in history or []]
    past = _rows_to_table(rows) if rows else None
    return to_violations(check_upload(rules, _rows_to_table([report]), past, form=form, lang=lang))


def _rows_to_table(rows: list[Mapping[str, Any]]) -> pa.Table:
    names = list(dict.fromkeys(k for row in rows for k in row))
    columns = {}
    for name in names:
        values = [row.get(name) for row in rows]
        if name in ("uscc", "period", "industry"):
            columns[name] = pa.array([None if v is None else str(v) for v in values], pa.string())
        else:
            try:
                columns[name] = pa.array(
                    [None if v is None else float(v) for v in values], pa.float64()
                )
            except (TypeError, ValueError):
                raise InputError(f"{name}: expected numbers, got {values!r}") from None
    return pa.table(columns)


def annual_vs_december(
    annual: pa.Table,
    december: pa.Table,
    *,
    rules: Iterable[Rule] | None = None,
    lang: str = "en",
) -> pa.Table:
    """Annual reports that disagree with December's year-to-date figures by more than 1%.

    A cross-form check: it runs the ``annual-vs-december`` rules (which read ``dec(x)``,
    the December report of the annual report's year) over ``annual`` with ``december``
    as history.
    """
    rules = default_rules() if rules is None else rules
    chosen = [r for r in rules if r.code == "annual-vs-december"]
    return check_upload(chosen, annual, december, form=None, lang=lang)


__all__ = [
    "FORMS",
    "LANGS",
    "VIOLATION_SCHEMA",
    "Rule",
    "Violation",
    "annual_vs_december",
    "check_report",
    "check_upload",
    "default_rules",
    "load_rules",
    "rules_from_data",
    "to_violations",
]
