"""The bulletin's words in zh, en and vi: labels, names, periods, dates and numbers.

``t(key, lang, **fields)`` fills a text of ``texts.TEXTS``; the name functions fall back
to the code for something no text names (an unknown platform type, say). Number
formatting lives in ``numbers`` and is re-exported here.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from htz.catalog import load_catalog
from htz.errors import InputError, NotFoundError
from htz.periods import parse
from htz.publish import texts
from htz.publish.numbers import (
    DASH,
    LANGS,
    amount,
    column_scale,
    growth,
    integer,
    money,
    number,
    percent,
    persons,
)

__all__ = [
    "DASH", "LANGS", "amount", "capitalise", "column_scale", "created", "growth", "html_lang",
    "indicator_name", "integer", "money", "number", "percent", "period_name", "persons",
    "pick", "platform_name", "region_name", "section_name", "short_name", "t",
]  # fmt: skip

_INDEX = {lang: i for i, lang in enumerate(LANGS)}
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")  # fmt: skip
_QUARTERS = {
    "zh": ("一", "二", "三", "四"),
    "en": ("first", "second", "third", "fourth"),
    "vi": ("I", "II", "III", "IV"),
}
# year to date at the end of quarter n (the bulletin's usual periods)
_YTD_QUARTER = {
    "zh": ("{y}年一季度", "{y}年上半年", "{y}年前三季度", "{y}年全年"),
    "en": ("the first quarter of {y}", "the first half of {y}",
           "the first three quarters of {y}", "the whole of {y}"),
    "vi": ("quý I năm {y}", "6 tháng đầu năm {y}", "ba quý đầu năm {y}", "cả năm {y}"),
}  # fmt: skip


def pick(entry: tuple[str, str, str], lang: str) -> str:
    if lang not in _INDEX:
        raise InputError(f"language {lang!r}: use zh, en or vi")
    return entry[_INDEX[lang]]


def t(key: str, lang: str, **fields) -> str:
    """The text ``key`` in ``lang``, its ``{fields}`` filled."""
    text = pick(texts.TEXTS[key], lang)
    return text.format(**fields) if fields else text


def html_lang(lang: str) -> str:
    return {"zh": "zh-CN", "en": "en", "vi": "vi"}[lang]


@cache
def indicator_name(code: str, lang: str) -> str:
    """An indicator's name from the catalogue (zone GDP from the glossary)."""
    if code in texts.INDICATORS:
        return pick(texts.INDICATORS[code], lang)
    try:
        return load_catalog().name(code, lang) or code
    except NotFoundError:
        return code


def short_name(code: str, lang: str) -> str:
    """A shorter name for table headers and charts where one exists (GDP khu)."""
    return pick(texts.SHORT[code], lang) if code in texts.SHORT else indicator_name(code, lang)


def region_name(code: str, lang: str) -> str:
    return pick(texts.REGIONS[code], lang) if code in texts.REGIONS else code


def platform_name(code: str, lang: str) -> str:
    return pick(texts.PLATFORMS[code], lang) if code in texts.PLATFORMS else code


@cache
def _sections() -> dict[str, dict[str, str]]:
    from htz.reference import rows

    found = {}
    for row in rows("industries"):
        if row["level"] == "section":
            code = row["code"]
            found[code] = {"zh": row["name_zh"], "en": row["name_en"],
                           "vi": texts.SECTIONS_VI.get(code, code)}  # fmt: skip
    return found


def section_name(code: str, lang: str) -> str:
    """A GB/T 4754 section's name ('C' → 制造业, Manufacturing, Công nghiệp chế biến, chế tạo)."""
    return _sections().get(code, {}).get(lang) or code


def period_name(code: str, lang: str, ytd: bool = True) -> str:
    """A period in words; ``ytd`` reads a quarter or month as the year to its end.

    2023-Q3: 2023年前三季度 / the first three quarters of 2023 / ba quý đầu năm 2023;
    2023-M09: 2023年1—9月 / January–September 2023 / 9 tháng đầu năm 2023;
    with ``ytd=False``: 2023年第三季度 / the third quarter of 2023 / quý III năm 2023.
    """
    p = parse(code)
    y = p.year
    if p.freq == "A":
        return {"zh": f"{y}年", "en": str(y), "vi": f"năm {y}"}[lang]
    if p.freq == "Q":
        if ytd:
            return _YTD_QUARTER[lang][p.index - 1].format(y=y)
        q = _QUARTERS[lang][p.index - 1]
        return {"zh": f"{y}年第{q}季度", "en": f"the {q} quarter of {y}",
                "vi": f"quý {q} năm {y}"}[lang]  # fmt: skip
    m = p.index
    if ytd and m > 1:
        return {"zh": f"{y}年1—{m}月", "en": f"January–{_MONTHS_EN[m - 1]} {y}",
                "vi": f"{m} tháng đầu năm {y}"}[lang]  # fmt: skip
    return {"zh": f"{y}年{m}月", "en": f"{_MONTHS_EN[m - 1]} {y}",
            "vi": f"tháng {m} năm {y}"}[lang]  # fmt: skip


def created(stamp: str | None, lang: str) -> str:
    """A snapshot's creation time (ISO 8601) for readers, in UTC."""
    if not stamp:
        return DASH
    try:
        when = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC)
    hm = f"{when:%H:%M} UTC"
    if lang == "zh":
        return f"{when.year}年{when.month}月{when.day}日 {hm}"
    if lang == "vi":
        return f"{hm} ngày {when.day}/{when.month}/{when.year}"
    return f"{when.day} {_MONTHS_EN[when.month - 1]} {when.year}, {hm}"


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]
