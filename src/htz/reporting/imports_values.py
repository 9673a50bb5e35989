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
    """The cells as float64 in the base unit (null when empty), and where they are not numbers.

    Plain decimals (almost every cell) are found and parsed in place (:func:`_plain`);
    only the other cells (thousands separators, full-width digits, exponents, text) are
    taken out and read as :func:`plain_decimal` says, then put back.
    """
    empty = _mask(pc.equal(texts, ""))
    plain, parsed = _plain(texts, empty)
    if factor == 1 and parsed is not None:
        values = parsed  # _scaled(…, 1) is the cast _plain made
    else:
        values = _scaled(_only(texts, plain), factor).to_numpy(zero_copy_only=False, writable=True)
    other = np.flatnonzero(~(empty | plain))
    if len(other):
        values[other] = _scaled(_unusual(texts.take(other)), factor).to_numpy(zero_copy_only=False)
    finite = np.isfinite(values)  # NaN where empty or not a number, inf beyond float's range
    return pa.array(values, pa.float64(), mask=~finite), ~empty & ~finite


_BLOCK = 8192  # rows cast at once when looking for plain decimals


def _plain(texts: pa.Array, empty: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Which cells match ``_PLAIN``, and all cells cast to float64 (NaN where not plain).

    The same answer as ``pc.match_substring_regex(texts, _PLAIN)`` without running the
    pattern on every cell. A cell can only match if every byte of it is a digit, ``.``,
    ``+`` or ``-`` (one look at the column's bytes). Among such cells, Arrow's cast to
    float64 accepts exactly the plain decimals: one sign, first; at most one point; at
    least one digit (an exponent, ``nan`` or ``inf`` needs a letter). So a block of rows
    whose candidate cells all cast holds only plain decimals there, and their values come
    with the answer; a block where a cell does not cast (``1.2.3``, ``-``) is matched
    with the pattern. (tests/reporting/test_imports_fast.py checks this against the
    pattern.) Falls back to the pattern for arrays with nulls or other layouts.
    """
    if texts.null_count or not pa.types.is_string(texts.type):
        return _mask(pc.match_substring_regex(texts, _PLAIN)), None
    n = len(texts)
    candidate = ~empty
    _, offsets, data = texts.buffers()
    if n and data is not None:
        bounds = np.frombuffer(offsets, dtype=np.int32)[texts.offset : texts.offset + n + 1]
        used = np.frombuffer(data, dtype=np.uint8)[bounds[0] : bounds[-1]]
        # bytes no plain decimal has: outside + , - . / 0-9 (0x2B-0x39), or a comma or slash
        strange = ((used - np.uint8(0x2B)) > 0x0E) | (used == 0x2C) | (used == 0x2F)
        strange = np.flatnonzero(strange) + bounds[0]
        if len(strange):
            candidate[np.searchsorted(bounds, strange, side="right") - 1] = False
    plain = candidate.copy()
    values = np.empty(n, dtype=np.float64)
    candidates = _only(texts, candidate)
    for start in range(0, n, _BLOCK):
        block = candidates.slice(start, _BLOCK)
        stop = start + len(block)
        try:
            cast = pc.cast(block, pa.float64())
        except pa.ArrowInvalid:
            plain[start:stop] = _mask(pc.match_substring_regex(texts.slice(start, _BLOCK), _PLAIN))
            cast = pc.cast(_only(texts.slice(start, _BLOCK), plain[start:stop]), pa.float64())
        values[start:stop] = cast.to_numpy(zero_copy_only=False)
    return plain, values


def _unusual(texts: pa.Array) -> pa.Array:
    """Cells that are not plain decimals as plain decimals (null if not a number)."""
    grouped = _mask(pc.match_substring_regex(texts, _GROUPED))
    text = texts
    if grouped.any():
        text = pc.if_else(pa.array(grouped), pc.replace_substring(texts, ",", ""), text)
    if not grouped.all():
        text = pc.if_else(pa.array(~grouped), _mapped(texts, ~grouped, plain_decimal), text)
    return text


def _only(texts: pa.Array, keep: np.ndarray) -> pa.Array:
    """``texts`` where ``keep``, null elsewhere: the same buffers under another validity bitmap."""
    if texts.null_count:
        keep = keep & _mask(pc.is_valid(texts))
    bits = np.concatenate([np.zeros(texts.offset, dtype=bool), keep])
    bitmap = pa.py_buffer(np.packbits(bits, bitorder="little"))
    buffers = [bitmap, *texts.buffers()[1:]]
    return pa.Array.from_buffers(texts.type, len(texts), buffers, offset=texts.offset)


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
    with np.errstate(over="ignore"):  # over 308 decimals: long, its result is replaced below
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


# (ids, bound): an integer per row below bound, the same for the same value; -1 for null
Ids = tuple[np.ndarray, int]


def uscc_codes(texts: pa.Array, *, ids: bool = False) -> tuple:
    """The codes normalised (upper case, full-width folded), and which fail their check.

    Each distinct text is checked once (an enterprise reports every month). With ``ids``,
    also the :data:`Ids` of the codes, for :func:`first_occurrence`.
    """
    if texts.null_count:
        codes, bad = _uscc_codes(texts)
        return (codes, bad, _ids(codes, None)) if ids else (codes, bad)
    encoded = pc.dictionary_encode(texts)
    distinct, bad = _uscc_codes(encoded.dictionary)
    indices = encoded.indices
    codes = distinct.take(indices)
    bad = bad[indices.to_numpy(zero_copy_only=False)]
    return (codes, bad, _ids(distinct, indices)) if ids else (codes, bad)


def _ids(values: pa.Array, indices: pa.Array | None) -> Ids:
    """:data:`Ids` of ``values.take(indices)`` (of ``values`` if None), encoding only ``values``."""
    encoded = pc.dictionary_encode(values)
    ids = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    if indices is not None:
        ids = np.append(ids, -1)[pc.fill_null(indices, -1).to_numpy(zero_copy_only=False)]
    return ids, len(encoded.dictionary)


def _uscc_codes(texts: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """:func:`uscc_codes` computed cell by cell."""
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


def periods(texts: pa.Array, freq: str, form: str, *, ids: bool = False) -> tuple:
    """Canonical period codes (null if bad), and per row the issue code and message if bad.

    Each distinct text is parsed once with :func:`htz.periods.parse`. With ``ids``, also
    the :data:`Ids` of the codes, for :func:`first_occurrence`.
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
    distinct = pa.array(codes, pa.string())
    found = tuple(pa.array(v, pa.string()).take(indices) for v in (distinct, problems, messages))
    return (*found, _ids(distinct, indices)) if ids else found


# -- duplicates -----------------------------------------------------------------------------


DENSE_SLOTS_PER_ROW, DENSE_MIN_SLOTS = 8, 4096  # beyond: sort the keys instead


def first_occurrence(keys: list[pa.Array | Ids], valid: np.ndarray) -> np.ndarray:
    """For each row, the position of the first row with the same keys (itself if first).

    Rows that are not ``valid`` are their own first occurrence. (A valid row with a null
    key shares its first occurrence with the rows that are not valid and the other valid
    rows with a null key.) A key is an array, or its :data:`Ids` when known. The keys make
    one integer per row, and only the rows of a key that occurs more than once are sorted.
    """
    n = len(valid)
    combined = np.zeros(n, dtype=np.int64)
    space = 1
    grouped = np.asarray(valid, dtype=bool).copy()  # valid, no key null
    for key in keys:
        codes, size = key if isinstance(key, tuple) else _ids(key, None)
        grouped &= codes >= 0
        size = max(size, 1)
        if space * size >= 2**62:  # pragma: no cover - beyond any file's number of rows
            _, combined = np.unique(combined, return_inverse=True)
            space = int(combined.max(initial=0)) + 1
        combined = combined * size + np.maximum(codes, 0)
        space *= size
    group = np.where(grouped, combined + 1, 0)  # 0: not valid or a key null, all alike
    first = np.arange(n)
    if space + 1 <= DENSE_SLOTS_PER_ROW * n + DENSE_MIN_SLOTS:  # count keys in an array
        repeated = np.bincount(group, minlength=space + 1)[group] > 1
    else:
        order = np.argsort(group, kind="stable")
        ordered = group[order]
        follows = ordered[1:] == ordered[:-1]  # the same key as the row before
        same = np.zeros(n, dtype=bool)
        same[1:] = follows
        same[:-1] |= follows
        repeated = np.zeros(n, dtype=bool)
        repeated[order] = same
    rows = np.flatnonzero(repeated)
    if len(rows):
        _, at, inverse = np.unique(group[rows], return_index=True, return_inverse=True)
        first[rows] = rows[at[inverse]]
    return np.where(valid, first, np.arange(n))
