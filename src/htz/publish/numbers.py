"""Numbers as each reader expects them (GLOSSARY.md, "Numbers as each reader expects them").

Amounts come in base units (yuan, person) and growth as fractions. Chinese scales amounts
by 万 (10⁴), 亿 (10⁸) and 万亿 (10¹²) and writes no thousands separator; English scales by
thousands (million, billion, trillion); Vietnamese too (triệu, tỷ, nghìn tỷ) and writes "."
for thousands and "," for decimals::

    money(1.233e13, "zh")  # '12.33万亿元'
    money(1.233e13, "en")  # '12.33 trillion yuan'
    money(1.233e13, "vi")  # '12,33 nghìn tỷ nhân dân tệ'
    percent(0.0711, "vi", signed=True)  # '+7,11%'
    growth(-0.032, "en")  # 'down 3.20% year on year'
"""

from __future__ import annotations

from dataclasses import dataclass

LANGS = ("zh", "en", "vi")
DASH = "—"  # a value that does not exist (not a withheld one)

# (threshold, divisor, word) from the largest; the word is glued to the number in zh
_MONEY = {
    "zh": ((1e12, 1e12, "万亿元"), (1e8, 1e8, "亿元"), (1e4, 1e4, "万元"), (0, 1, "元")),
    "en": ((1e12, 1e12, " trillion yuan"), (1e9, 1e9, " billion yuan"),
           (1e6, 1e6, " million yuan"), (0, 1, " yuan")),
    "vi": ((1e12, 1e12, " nghìn tỷ nhân dân tệ"), (1e9, 1e9, " tỷ nhân dân tệ"),
           (1e6, 1e6, " triệu nhân dân tệ"), (0, 1, " nhân dân tệ")),
}  # fmt: skip
_PERSONS = {
    "zh": ((1e8, 1e8, "亿人"), (1e4, 1e4, "万人"), (0, 1, "人")),
    "en": ((1e6, 1e6, " million people"), (0, 1, " people")),
    "vi": ((1e6, 1e6, " triệu người"), (0, 1, " người")),
}
# the unit of a table column: one step below the reading scale, so that the largest
# value reads in the hundreds or thousands (亿元 rather than 万亿元, as tables do)
_COLUMN = {
    "yuan": {
        "zh": ((1e8, 1e8, "亿元"), (1e4, 1e4, "万元"), (0, 1, "元")),
        "en": ((1e9, 1e9, "billion yuan"), (1e6, 1e6, "million yuan"), (0, 1, "yuan")),
        "vi": ((1e9, 1e9, "tỷ nhân dân tệ"), (1e6, 1e6, "triệu nhân dân tệ"),
               (0, 1, "nhân dân tệ")),
    },
    "person": {
        "zh": ((1e4, 1e4, "万人"), (0, 1, "人")),
        "en": ((1e4, 1e3, "thousand people"), (0, 1, "people")),
        "vi": ((1e4, 1e3, "nghìn người"), (0, 1, "người")),
    },
}  # fmt: skip
_GROWTH = {
    "zh": ("同比增长{}", "同比下降{}", "同比持平"),
    "en": ("up {} year on year", "down {} year on year", "unchanged year on year"),
    "vi": ("tăng {} so với cùng kỳ", "giảm {} so với cùng kỳ", "không đổi so với cùng kỳ"),
}
_BASIS = {
    "zh": {"comparable": "按可比口径{}", "current": "按现行口径{}"},
    "en": {"comparable": "{} on a comparable basis", "current": "{} on the current basis"},
    "vi": {"comparable": "{} theo cùng phạm vi so sánh", "current": "{} theo phạm vi hiện hành"},
}


def number(value: float, lang: str, decimals: int = 2) -> str:
    """``value`` with ``decimals`` places and the language's separators."""
    text = f"{value:,.{decimals}f}"
    if lang == "zh":
        return text.replace(",", "")
    if lang == "vi":
        return text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def integer(value: float, lang: str) -> str:
    return number(round(value), lang, 0)


def _scaled(value: float, lang: str, scales, whole: bool = False) -> str:
    size = abs(value)
    for threshold, divisor, word in scales:
        if size >= threshold:
            if divisor == 1 and (whole or float(value).is_integer()):
                return integer(value, lang) + word
            return number(value / divisor, lang) + word
    raise AssertionError("the last scale has threshold 0")  # pragma: no cover


def money(value_yuan: float, lang: str) -> str:
    """An amount of yuan on the reader's scale: '12.33万亿元', '12.33 trillion yuan'."""
    return _scaled(value_yuan, lang, _MONEY[lang])


def persons(value: float, lang: str) -> str:
    """A number of people: '2456.78万人', '24.57 million people', '24,57 triệu người';
    below the first scale a whole number ('949,679 people': imputed totals have fractions)."""
    return _scaled(value, lang, _PERSONS[lang], whole=True)  # no fractions of a person


def amount(value: float, unit: str, lang: str) -> str:
    """``money`` for yuan, ``persons`` for person, a plain number otherwise."""
    if unit == "yuan":
        return money(value, lang)
    if unit == "person":
        return persons(value, lang)
    return number(value, lang)


def percent(fraction: float, lang: str, signed: bool = False, decimals: int = 2) -> str:
    """A fraction as a percentage: 0.0711 → '7.11%' ('+7.11%' signed; vi '+7,11%')."""
    text = number(fraction * 100, lang, decimals)
    if text.lstrip("-").strip("0.,") == "":
        return number(0, lang, decimals) + "%"
    return ("+" if signed and fraction > 0 else "") + text + "%"


def growth(fraction: float, lang: str, basis: str | None = None) -> str:
    """Year-on-year growth in words: '同比增长7.11%', 'down 3.20% year on year'.

    ``basis`` ``comparable`` or ``current`` adds the basis ('按可比口径同比增长7.11%').
    """
    up, down, flat = _GROWTH[lang]
    size = percent(abs(fraction), lang)
    text = flat if size == percent(0, lang) else (up if fraction > 0 else down).format(size)
    return _BASIS[lang][basis].format(text) if basis else text


@dataclass(frozen=True)
class Scale:
    """The unit of a table column: values are divided by ``divisor``; ``label`` names it."""

    divisor: float
    label: str

    def format(self, value: float, lang: str) -> str:
        if self.divisor == 1 and float(value).is_integer():
            return integer(value, lang)
        return number(value / self.divisor, lang)


def column_scale(values, unit: str, lang: str) -> Scale:
    """The unit of a column of ``unit`` (yuan or person) values, from its largest value."""
    scales = _COLUMN.get(unit, {}).get(lang)
    if scales is None:
        return Scale(1, "")
    largest = max((abs(v) for v in values if v is not None), default=0.0)
    for threshold, divisor, label in scales:
        if largest >= threshold:
            return Scale(divisor, label)
    raise AssertionError("the last scale has threshold 0")  # pragma: no cover
