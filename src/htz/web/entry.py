"""The report form of the web: fields from the form catalogue, values typed in the units
people report in (万元 for amounts), the rules run live, problems placed beside fields."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from htz.catalog import load_catalog
from htz.errors import InputError
from htz.reporting.rules import Violation

# what an amount field is typed in: 万元 (10,000 yuan), as Chinese statistical forms ask
ENTRY_UNITS = {"yuan": (1e4, {"zh": "万元", "en": "10k yuan", "vi": "vạn NDT"})}


@dataclass(frozen=True)
class Field:
    code: str
    name: str
    unit: str  # the base unit stored
    label: str  # the unit typed in
    factor: float  # typed × factor = stored


def fields(form: str, lang: str) -> list[Field]:
    catalog = load_catalog()
    out = []
    for code in catalog.form(form).indicators:
        ind = catalog.indicators[code]
        factor, labels = ENTRY_UNITS.get(ind.unit, (1.0, None))
        label = labels[lang] if labels else _unit_label(ind.unit, lang)
        out.append(Field(code, ind.name.get(lang), ind.unit, label, factor))
    return out


_UNITS = {
    "person": {"zh": "人", "en": "persons", "vi": "người"},
    "count": {"zh": "个", "en": "count", "vi": "số"},
    "tce": {"zh": "吨标准煤", "en": "t of coal equivalent", "vi": "tấn than quy đổi"},
    "usd": {"zh": "美元", "en": "US dollars", "vi": "đô la Mỹ"},
}


def _unit_label(unit: str, lang: str) -> str:
    return _UNITS.get(unit, {}).get(lang, unit)


def parse_values(form_fields: Sequence[Field], raw: Mapping[str, str]) -> dict[str, float | None]:
    """Typed values → base units; empty is missing (not zero). Bad numbers raise InputError
    naming the field."""
    out: dict[str, float | None] = {}
    for f in form_fields:
        text = (raw.get(f.code) or "").strip().replace(",", "").replace(" ", "")
        if not text:
            out[f.code] = None
            continue
        try:
            value = float(text)
        except ValueError:
            raise InputError(
                f"{f.name}: {text!r} is not a number; type digits such as 1234.5"
            ) from None
        if value != value or value in (float("inf"), float("-inf")):
            raise InputError(f"{f.name}: {text!r} is not a finite number.")
        out[f.code] = round(value * f.factor, 6)
    return out


def shown(form_fields: Sequence[Field], values: Mapping[str, float | None]) -> dict[str, str]:
    """Stored values as typed in the form (in 万元 for amounts)."""
    out = {}
    for f in form_fields:
        v = values.get(f.code)
        if v is None:
            out[f.code] = ""
        else:
            x = v / f.factor
            out[f.code] = f"{x:.4f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))
    return out


def by_field(
    violations: Sequence[Violation], form_fields: Sequence[Field]
) -> tuple[dict[str, list[Violation]], list[Violation]]:
    """Violations placed beside the fields they involve; the rest for the form as a whole."""
    codes = {f.code for f in form_fields}
    placed: dict[str, list[Violation]] = {}
    general = []
    for v in violations:
        targets = [v.indicator] if v.indicator in codes else [k for k in v.values if k in codes]
        if not targets:
            general.append(v)
        for t in targets:
            placed.setdefault(t, []).append(v)
    return placed, general
