"""Vectorised reading of an upload's cells: numbers, USCCs, periods, duplicate reports.

Every function takes Arrow string arrays (trimmed, ``""`` when empty) and works on whole
columns with pyarrow.compute and numpy; Python runs only once per distinct unusual value
(full-width digits, exponents, a bad period) and never once per row.

Numbers are scaled to the base unit without binary rounding error: for a factor of
``10**k`` the decimal point is moved ``k`` places in the text before the text is parsed,
so ``12.34`` 万元 becomes the text ``123400.`` and the float ``123400.0``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from htz.errors import PeriodError
from htz.periods import parse as parse_period
from htz.registry import uscc as usccs

_PLAIN = r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)$"
_GROUPED = r"^[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?$"
_PLAIN_RE, _GROUPED_RE = re.compile(_PLAIN), re.compile(_GROUPED)
_EXPONENT_RE = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][+-]?[0-9]+")
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", "\ufe63": "-"})
_USCC = "^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"
_USCC_VALUES = np.zeros(256, dtype=np.uint8)
_USCC_VALUES[np.frombuffer(usccs.ALPHABET.encode(), dtype=np.uint8)] = range(31)
_USCC_CHECKS = np.frombuffer(usccs.ALPHABET.encode(), dtype=np.uint8)


def _mask(array: pa.Array) -> np.ndarray:
    """A boolean Arrow array as numpy, null counting as False."""
    return pc.fill_null(array, False).to_numpy(zero_copy_only=False)


def _mapped(texts: pa.Array, where: np.ndarray, convert) -> pa.Array:
    """``convert(text)`` (text or None) for each distinct text where ``where``; null elsewhere."""
    distinct = pc.unique(texts.filter(pa.array(where)))
    converted = pa.array([convert(t) for t in distinct.to_pylist()], pa.string())
    return converted.take(pc.index_in(texts, value_set=distinct))


# -- numbers --------------------------------------------------------------------------------


def plain_decimal(text: str) -> str | None:
    """``text`` as a plain decimal (``-1234.5``), or None if it is not a finite number.

    Accepts thousands separators (``1,234.5``), full-width digits and punctuation
    (``１，２３４．５``), a minus sign (``−``) and exponents (``1.5E+3``, as Excel writes large
    numbers).
    """
    folded = unicodedata.normalize("NFKC", text).translate(_MINUS).strip()
    if _GROUPED_RE.fullmatch(folded):
        folded = folded.replace(",", "")
    if _PLAIN_RE.fullmatch(folded):
        return folded
    if not _EXPONENT_RE.fullmatch(folded):
        return None
    try:
        number = Decimal(folded)
    except InvalidOperation:  # pragma: no cover - the pattern only lets numbers through
        return None
    return format(number, "f") if number.is_finite() else None


def numbers(texts: pa.Array, factor: float) -> tuple[pa.Array, np.ndarray]:
    """The cells as float64 in the base unit (null when empty), and where they are not numbers."""
    empty = _mask(pc.equal(texts, ""))
    plain = _mask(pc.match_substring_regex(texts, _PLAIN))
    text = texts
    other = ~(empty | plain)
    if other.any():
        grouped = _mask(pc.match_substring_regex(texts, _GROUPED))
        if grouped.any():
            text = pc.if_else(pa.array(grouped), pc.replace_substring(texts, ",", ""), text)
        other &= ~grouped
    if other.any():
        text = pc.if_else(pa.array(other), _mapped(texts, other, plain_decimal), text)
    text = pc.if_else(pa.array(empty), pa.scalar(None, pa.string()), text)
    values = _scaled(text, factor)
    bad = ~empty & ~_mask(pc.is_finite(values))  # not a number, or beyond float's range
    if bad.any():
        values = pc.if_else(pa.array(bad), pa.scalar(None, pa.float64()), values)
    return values, bad


def _scaled(text: pa.Array, factor: float) -> pa.Array:
    """Plain decimals (or null) as float64 times ``factor``; exact for powers of ten.

    ``d.ddd × 10**k`` is computed as one correctly rounded operation on exact numbers: the
    digits as an integer (up to 15 digits, exact in a float) times or divided by a power of
    ten (exact up to 10**22). Longer numbers move the decimal point in the text instead.
    """
    k = round(math.log10(factor)) if factor > 0 else 0
    if factor == 1:
        return pc.cast(text, pa.float64())
    if k < 1 or 10.0**k != factor:
        return pc.multiply(pc.cast(text, pa.float64()), factor)
    digits = pc.replace_substring(pc.replace_substring(text, ".", ""), "+", "")
    long = _mask(pc.greater(pc.utf8_length(pc.replace_substring(digits, "-", "")), 15))
    if long.any():
        digits = pc.if_else(pa.array(long), pa.scalar(None, pa.string()), digits)
    mantissa = pc.cast(digits, pa.int64()).to_numpy(zero_copy_only=False).astype(np.float64)
    dot = pc.fill_null(pc.find_substring(text, "."), -1).to_numpy(zero_copy_only=False)
    length = pc.fill_null(pc.utf8_length(text), 0).to_numpy(zero_copy_only=False)
    shift = k - np.where(dot < 0, 0, length - dot - 1)  # 10-power to apply to the digits
    powers = 10.0 ** np.abs(shift)
    values = np.where(shift >= 0, mantissa * powers, mantissa / powers)
    result = pa.array(values, pa.float64(), mask=np.isnan(mantissa))
    if long.any():  # over 15 digits: move the point in the text, then parse
        dotted = pc.binary_join_element_wise(
            text, pc.if_else(pc.match_substring(text, "."), "", "."), "0" * k, ""
        )
        moved = pc.replace_substring_regex(dotted, rf"\.([0-9]{{{k}}})", r"\1.", max_replacements=1)
        result = pc.if_else(pa.array(long), pc.cast(moved, pa.float64()), result)
    return result


# -- USCC -----------------------------------------------------------------------------------


def uscc_codes(texts: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """The codes normalised (upper case, full-width folded), and which fail their check."""
    codes = pc.ascii_upper(texts)
    wide = ~_mask(pc.string_is_ascii(codes))
    if wide.any():
        codes = pc.if_else(pa.array(wide), _mapped(codes, wide, usccs.normalise), codes)
    shaped = _mask(pc.match_substring_regex(codes, _USCC))
    valid = shaped.copy()
    if shaped.any():
        fixed = pc.cast(pc.cast(codes.filter(pa.array(shaped)), pa.binary()), pa.binary(18))
        raw = np.frombuffer(fixed.buffers()[1], dtype=np.uint8)
        chars = raw[fixed.offset * 18 : (fixed.offset + len(fixed)) * 18].reshape(-1, 18)
        values = _USCC_VALUES[chars]
        total = np.zeros(len(chars), dtype=np.int32)
        for position, weight in enumerate(usccs.WEIGHTS):
            total += values[:, position] * np.int32(weight)
        valid[shaped] = _USCC_CHECKS[(31 - total % 31) % 31] == chars[:, 17]
    return codes, ~valid


def uscc_problem(code: str) -> str:
    """What is wrong with a code :func:`uscc_codes` rejected."""
    if not code:
        return "the USCC is empty; write the enterprise's 18-character Unified Social Credit Code"
    return usccs.problem(code) or f"USCC {code!r} is not valid"


# -- periods --------------------------------------------------------------------------------

_EXAMPLE = {"M": "2023-M09", "Q": "2023-Q3", "A": "2023"}
_WORD = {"M": "month", "Q": "quarter", "A": "year"}


def periods(texts: pa.Array, freq: str, form: str) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Canonical period codes (null if bad), and per row the issue code and message if bad.

    Each distinct text is parsed once with :func:`htz.periods.parse`.
    """
    encoded = pc.dictionary_encode(texts)
    codes, problems, messages = [], [], []
    for text in encoded.dictionary.to_pylist():
        code = problem = message = None
        if not text:
            problem = "invalid-period"
            message = f"the period is empty; write it as {_EXAMPLE[freq]}"
        else:
            try:
                period = parse_period(text)
            except PeriodError as error:
                problem, message = "invalid-period", error.message
            else:
                if period.freq == freq:
                    code = period.code
                else:
                    problem = "period-not-in-form"
                    message = (
                        f"{period.code} is a {_WORD[period.freq]}, but the {form} form is "
                        f"filed for each {_WORD[freq]} ({_EXAMPLE[freq]}); import this row "
                        "with the form of its frequency"
                    )
        codes.append(code)
        problems.append(problem)
        messages.append(message)
    indices = encoded.indices
    return tuple(pa.array(v, pa.string()).take(indices) for v in (codes, problems, messages))


# -- duplicates -----------------------------------------------------------------------------


def first_occurrence(keys: list[pa.Array], valid: np.ndarray) -> np.ndarray:
    """For each row, the position of the first row with the same keys (itself if first).

    Rows that are not ``valid`` are their own first occurrence.
    """
    key = pc.binary_join_element_wise(*keys, "\x1f")
    key = pc.if_else(pa.array(valid), key, pa.scalar(None, pa.string()))
    codes = pc.fill_null(pc.dictionary_encode(key).indices, -1).to_numpy()
    distinct, first = np.unique(codes, return_index=True)
    return np.where(valid, first[np.searchsorted(distinct, codes)], np.arange(len(valid)))
