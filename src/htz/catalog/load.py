"""Reading and checking the catalogue files (``indicators.yaml``, ``forms.yaml``).

Every problem raises ConfigError naming the file, the entry and what to write instead, so a
broken catalogue stops htz at start-up rather than producing wrong figures later.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from htz.catalog import formula as formulas
from htz.catalog.model import LANGS, Catalog, Derived, Form, Indicator, Names
from htz.catalog.units import DERIVED_UNITS, KINDS, UNITS
from htz.errors import ConfigError

INDICATORS_FILE = "indicators.yaml"
FORMS_FILE = "forms.yaml"
FREQUENCIES = ("M", "Q", "A")
_CODE = re.compile(r"[a-z][a-z0-9_]*")


def read_catalog(indicators: str | Path | None = None, forms: str | Path | None = None) -> Catalog:
    """Read and check a catalogue; ConfigError says what is wrong and where.

    Each argument is a file (``Path``), YAML text (``str``), or None for the file shipped
    with htz.
    """
    ind_doc, ind_src = _document(indicators, INDICATORS_FILE)
    form_doc, form_src = _document(forms, FORMS_FILE)
    _keys(ind_doc, ind_src, "the file", required={"indicators"}, optional={"derived"})
    _keys(form_doc, form_src, "the file", required={"forms"})
    found = _indicators(ind_doc["indicators"], ind_src)
    derived = _derived(ind_doc.get("derived") or [], ind_src, found)
    forms_ = _forms(form_doc["forms"], form_src, found, taken=set(found) | set(derived))
    try:
        return Catalog(found, derived, forms_)
    except ConfigError as error:
        raise ConfigError(f"{ind_src}: {error.message}") from None


def _document(source: str | Path | None, default: str) -> tuple[dict, str]:
    if source is None:
        text, name = resources.files(__package__).joinpath(default).read_text("utf-8"), default
    elif isinstance(source, Path):
        try:
            text, name = source.read_text("utf-8"), str(source)
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"{source}: cannot read the catalogue file ({error})") from None
    else:
        text, name = source, f"{default} (text)"
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigError(f"{name}: not valid YAML: {error}".replace("\n", " ")) from None
    if not isinstance(doc, dict):
        raise ConfigError(f"{name}: expected a mapping at the top of the file")
    return doc, name


def _fail(src: str, where: str, why: str) -> ConfigError:
    return ConfigError(f"{src}: {where}: {why}")


def _keys(
    entry: Any, src: str, where: str, *, required: set[str], optional: set[str] | None = None
) -> None:
    optional = optional or set()
    if not isinstance(entry, dict):
        raise _fail(src, where, f"expected a mapping with keys {', '.join(sorted(required))}")
    missing = sorted(required - entry.keys())
    if missing:
        raise _fail(src, where, f"missing {', '.join(missing)}")
    unknown = sorted(map(str, entry.keys() - required - optional))
    if unknown:
        allowed = ", ".join(sorted(required | optional))
        raise _fail(src, where, f"unknown key {', '.join(unknown)}; the keys are {allowed}")


def _entries(value: Any, src: str, key: str) -> list:
    if not isinstance(value, list):
        raise _fail(src, key, "expected a list of entries")
    return value


def _text(value: Any, src: str, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(src, where, f"expected non-empty text, found {value!r}")
    return value.strip()


def _code(entry: dict, src: str, where: str, taken: set[str]) -> str:
    code = entry.get("code")
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise _fail(src, where, f"code {code!r} must be snake_case, e.g. operating_revenue")
    if code in taken:
        raise _fail(src, where, f"code {code!r} is used twice; codes must be unique")
    taken.add(code)
    return code


def _names(value: Any, src: str, where: str) -> Names:
    _keys(value, src, f"{where} name", required=set(LANGS))
    return Names(**{lang: _text(value[lang], src, f"{where} name.{lang}") for lang in LANGS})


def _choice(value: Any, allowed: tuple[str, ...], src: str, where: str, what: str) -> str:
    if value not in allowed:
        raise _fail(src, where, f"{what} {value!r} is not one of {', '.join(allowed)}")
    return value


def _number(value: Any, src: str, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(src, where, f"expected a number, found {value!r}")
    return float(value)


def _indicators(entries: Any, src: str) -> dict[str, Indicator]:
    found: dict[str, Indicator] = {}
    taken: set[str] = set()
    optional = {"aliases", "min", "max", "decimals", "note"}
    for i, entry in enumerate(_entries(entries, src, "indicators")):
        where = f"indicators[{i}]"
        _keys(entry, src, where, required={"code", "name", "unit", "kind"}, optional=optional)
        code = _code(entry, src, where, taken)
        where = f"indicator {code!r}"
        unit = _choice(entry["unit"], UNITS, src, where, "unit")
        kind = _choice(entry["kind"], KINDS, src, where, "kind")
        if kind == "count" and unit != "count":
            raise _fail(src, where, f"kind 'count' needs unit 'count', not {unit!r}")
        aliases = entry.get("aliases") or []
        if not isinstance(aliases, list):
            raise _fail(src, where, "aliases must be a list of texts")
        low = _number(entry.get("min"), src, f"{where} min")
        high = _number(entry.get("max"), src, f"{where} max")
        if low is not None and high is not None and low > high:
            raise _fail(src, where, f"min {low:g} is above max {high:g}")
        decimals = entry.get("decimals")
        if decimals is not None and (type(decimals) is not int or decimals < 0):
            raise _fail(src, where, f"decimals must be a whole number 0 or more, not {decimals!r}")
        note = entry.get("note")
        found[code] = Indicator(
            code=code,
            name=_names(entry["name"], src, where),
            unit=unit,
            kind=kind,
            aliases=tuple(_text(a, src, f"{where} aliases") for a in aliases),
            min=low,
            max=high,
            decimals=decimals,
            note=None if note is None else _text(note, src, f"{where} note"),
        )
    return found


def _derived(entries: Any, src: str, indicators: dict[str, Indicator]) -> dict[str, Derived]:
    parsed: dict[str, tuple[dict, formulas.Expr]] = {}
    taken = set(indicators)
    for i, entry in enumerate(_entries(entries, src, "derived")):
        where = f"derived[{i}]"
        required = {"code", "name", "unit", "formula"}
        _keys(entry, src, where, required=required, optional={"note"})
        code = _code(entry, src, where, taken)
        where = f"derived indicator {code!r}"
        try:
            parsed[code] = (entry, formulas.parse(_text(entry["formula"], src, where)))
        except ConfigError as error:
            raise _fail(src, where, error.message) from None
    expanded: dict[str, formulas.Expr] = {}

    def expand(code: str, path: tuple[str, ...]) -> formulas.Expr:
        if code in expanded:
            return expanded[code]
        if code in path:
            cycle = " → ".join((*path[path.index(code) :], code))
            raise _fail(src, f"derived indicator {code!r}", f"formula refers to itself: {cycle}")
        node = parsed[code][1]
        for ref in formulas.refs(node):
            if ref not in indicators and ref not in parsed:
                raise _fail(
                    src,
                    f"derived indicator {code!r}",
                    f"formula uses {ref!r}, which is not an indicator; use the code of one "
                    "of the indicators or derived indicators in this file",
                )
        inner = {ref: expand(ref, (*path, code)) for ref in formulas.refs(node) if ref in parsed}
        expanded[code] = formulas.substitute(node, inner)
        return expanded[code]

    result = {}
    for code, (entry, _) in parsed.items():
        where = f"derived indicator {code!r}"
        note = entry.get("note")
        result[code] = Derived(
            code=code,
            name=_names(entry["name"], src, where),
            unit=_choice(entry["unit"], DERIVED_UNITS, src, where, "unit"),
            formula=entry["formula"].strip(),
            expression=expand(code, ()),
            note=None if note is None else _text(note, src, f"{where} note"),
        )
    return result


def _forms(
    entries: Any, src: str, indicators: dict[str, Indicator], taken: set[str]
) -> dict[str, Form]:
    found: dict[str, Form] = {}
    taken = set(taken)
    for i, entry in enumerate(_entries(entries, src, "forms")):
        where = f"forms[{i}]"
        optional = {"includes", "indicators", "note"}
        _keys(entry, src, where, required={"code", "name", "frequency"}, optional=optional)
        code = _code(entry, src, where, taken)
        where = f"form {code!r}"
        frequency = _choice(entry["frequency"], FREQUENCIES, src, where, "frequency")
        codes: list[str] = []
        for included in entry.get("includes") or []:
            if included not in found:
                raise _fail(
                    src,
                    where,
                    f"includes {included!r}, which is not a form defined above it; "
                    f"the forms above are {', '.join(found) or 'none'}",
                )
            codes.extend(found[included].indicators)
        own = entry.get("indicators") or []
        if not isinstance(own, list):
            raise _fail(src, where, "indicators must be a list of indicator codes")
        codes.extend(own)
        if not codes:
            raise _fail(src, where, "lists no indicators; add indicators or includes")
        for ind in codes:
            if ind not in indicators:
                raise _fail(
                    src,
                    where,
                    f"{ind!r} is not an indicator; the indicators are {', '.join(indicators)}",
                )
            if codes.count(ind) > 1:
                raise _fail(src, where, f"{ind!r} is listed twice (directly or via includes)")
            if indicators[ind].kind == "count" and frequency != "A":
                raise _fail(
                    src, where, f"{ind!r} is a count for the year and belongs on annual forms only"
                )
        note = entry.get("note")
        found[code] = Form(
            code=code,
            frequency=frequency,
            name=_names(entry["name"], src, where),
            indicators=tuple(codes),
            note=None if note is None else _text(note, src, f"{where} note"),
        )
    return found
