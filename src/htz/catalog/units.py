"""Units of measure, and reading the unit written in a column header.

Every indicator is stored in its base unit: ``yuan``, ``usd``, ``person``, ``count`` or ``tce``
(tonnes of standard coal equivalent). Forms and files write money in 千元 or 万元, so an
import multiplies each value by the factor of the unit written in the header
(``营业收入（万元）`` → 1e4) or given with ``--unit``. Matching ignores case, spaces and the
difference between full-width (GB-style) and ASCII parentheses.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from htz.errors import InputError

if TYPE_CHECKING:
    from htz.catalog.model import Indicator

UNITS = ("yuan", "usd", "person", "count", "tce")
KINDS = ("flow_ytd", "stock", "count")
# Derived indicators may also be ratios (0.05 = 5%) or intensities.
DERIVED_UNITS = (*UNITS, "ratio", "yuan_per_person", "count_per_10k_persons", "tce_per_10k_yuan")

# The units people write, per base unit, with the factor to the base unit.
# Spaces do not matter; "rmb" and "cny" read as "yuan", "us$" as "usd".
_FACTORS: dict[str, dict[str, float]] = {
    "yuan": {
        "元": 1, "人民币元": 1, "千元": 1e3, "万元": 1e4, "百万元": 1e6, "亿元": 1e8,
        "万亿元": 1e12,
        "yuan": 1, "thousand yuan": 1e3, "1000 yuan": 1e3, "10k yuan": 1e4,
        "10 thousand yuan": 1e4, "ten thousand yuan": 1e4, "10000 yuan": 1e4,
        "million yuan": 1e6, "mn yuan": 1e6, "100 million yuan": 1e8, "100m yuan": 1e8,
        "hundred million yuan": 1e8, "billion yuan": 1e9, "bn yuan": 1e9,
        "trillion yuan": 1e12,
    },
    "usd": {
        "美元": 1, "千美元": 1e3, "万美元": 1e4, "百万美元": 1e6, "亿美元": 1e8,
        "usd": 1, "thousand usd": 1e3, "10k usd": 1e4, "million usd": 1e6,
        "100 million usd": 1e8, "billion usd": 1e9, "bn usd": 1e9,
    },
    "person": {
        "人": 1, "万人": 1e4, "person": 1, "persons": 1, "people": 1,
        "10k persons": 1e4, "ten thousand persons": 1e4,
    },
    "count": {"个": 1, "件": 1, "项": 1, "count": 1, "number": 1},
    "tce": {
        "吨标准煤": 1, "吨标煤": 1, "万吨标准煤": 1e4, "万吨标煤": 1e4,
        "tce": 1, "10k tce": 1e4, "tonnes of standard coal equivalent": 1,
    },
}  # fmt: skip
# What an error message suggests, per base unit.
_SUGGESTED = {
    "yuan": "元, 千元, 万元, 亿元, yuan, thousand yuan, 10k yuan, 100 million yuan",
    "usd": "美元, 千美元, 万美元, usd, thousand usd, 10k usd",
    "person": "人, 万人, person, persons",
    "count": "个, 件, 项, count",
    "tce": "吨标准煤, 万吨标准煤, tce, 10k tce",
}
_WORDS = {
    "yuan": "money in yuan (RMB)",
    "usd": "money in US dollars",
    "person": "a number of persons",
    "count": "a count",
    "tce": "energy in tonnes of standard coal equivalent",
}

_SPACE = re.compile(r"\s+")
_PREFIX = re.compile(r"^(?:计量单位|单位|units?)\s*:?\s*")
_ALIAS = re.compile(r"\b(?:rmb|cny)\b")
_IGNORED_IN_KEYS = re.compile(r"[\s_\-'’]+")
# A trailing unit in () [] or 【】; the name before it may itself contain parentheses.
_TRAILING_UNIT = re.compile(r"^(?P<name>.*?)\s*[(\[【](?P<unit>[^()\[\]【】]*)[)\]】]\s*$")


def normalise(text: str) -> str:
    """NFKC (full-width ``（）`` become ``()``), case-folded, whitespace collapsed and trimmed."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def name_key(text: str) -> str:
    """A name as headers are matched: normalised, without spaces, ``_``, ``-`` or ``'``."""
    return _IGNORED_IN_KEYS.sub("", normalise(text))


def _unit_key(text: str) -> str:
    text = _PREFIX.sub("", normalise(text))
    text = _ALIAS.sub("yuan", text.replace("us$", "usd"))
    text = re.sub(r"(?<=[0-9]),(?=[0-9]{3})", "", text)
    return _IGNORED_IN_KEYS.sub("", text)


_LOOKUP: dict[str, tuple[str, float]] = {
    _unit_key(text): (base, float(factor))
    for base, table in _FACTORS.items()
    for text, factor in table.items()
}


def split_unit(header: str) -> tuple[str, str] | None:
    """``("营业收入", "万元")`` for ``营业收入（万元）``; None without a unit in brackets."""
    match = _TRAILING_UNIT.match(unicodedata.normalize("NFKC", header).strip())
    return (match["name"], match["unit"]) if match else None


def factor(unit_text: str, indicator: Indicator, *, header: str | None = None) -> float:
    """The factor from ``unit_text`` to the indicator's base unit (万元 → 1e4).

    InputError names the header (or the unit) and the units the indicator accepts when the
    unit is unknown or measures something else (万元 on employees).
    """
    where = f"column {header!r}" if header is not None else f"unit {unit_text!r}"
    label = indicator.code
    if name_key(indicator.name.en) != name_key(indicator.code):
        label = f"{indicator.name.en} ({indicator.code})"
    what = f"{label} is {_WORDS[indicator.unit]}"
    allowed = f"write one of {_SUGGESTED[indicator.unit]}"
    found = _LOOKUP.get(_unit_key(unit_text))
    if found is None:
        unknown = f"{unit_text.strip()!r} is not a unit htz knows"
        raise InputError(f"{where}: {unknown}; {what}: {allowed}")
    base, value = found
    if base != indicator.unit:
        hint = ""
        if base == "usd" and indicator.unit == "yuan":
            hint = " (Chinese forms record money in RMB: convert at the exchange rate first)"
        raise InputError(
            f"{where}: {unit_text.strip()!r} measures {_WORDS[base]}, but {what}; {allowed}{hint}"
        )
    return value
