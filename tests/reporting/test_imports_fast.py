"""The fast paths of reading an upload give exactly what the straightforward code gave.

Each reference below is the code these functions had before they were made faster
(a regular expression on every cell, trimming every column, comparing joined text keys);
random and tricky cells must give identical results.
"""

from __future__ import annotations

import math
from unittest import mock

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from htz.reporting import imports_read as read
from htz.reporting import imports_values as cells
from htz.reporting.imports_values import _GROUPED, _PLAIN, _mapped, _mask, _scaled, plain_decimal

# -- references ---------------------------------------------------------------------------------


def numbers_by_pattern(texts: pa.Array, factor: float) -> tuple[pa.Array, np.ndarray]:
    """cells.numbers as it was: the plain-decimal pattern on every cell."""
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
    bad = ~empty & ~_mask(pc.is_finite(values))
    if bad.any():
        values = pc.if_else(pa.array(bad), pa.scalar(None, pa.float64()), values)
    return values, bad


def trim_every_column(column: pa.Array) -> pa.Array:
    if pc.all(pc.string_is_ascii(column)).as_py() is not False:
        return pc.ascii_trim_whitespace(column)
    return pc.utf8_trim_whitespace(column)


def first_occurrence_of_joined_keys(keys: list[pa.Array], valid: np.ndarray) -> np.ndarray:
    key = pc.binary_join_element_wise(*keys, "\x1f")
    key = pc.if_else(pa.array(valid), key, pa.scalar(None, pa.string()))
    codes = pc.fill_null(pc.dictionary_encode(key).indices, -1).to_numpy()
    distinct, first = np.unique(codes, return_index=True)
    return np.where(valid, first[np.searchsorted(distinct, codes)], np.arange(len(valid)))


def exactly(values: pa.Array) -> list:
    """Values with the sign of zero (-0.0 and 0.0 differ)."""
    return [None if v is None else (v, math.copysign(1.0, v)) for v in values.to_pylist()]


# -- numbers ------------------------------------------------------------------------------------

TRICKY = [
    "", "0", "-0", "+0", "1", "12", "1.", ".5", "-.5", "+.5", "5.", ".", "+", "-", "+-1", "-+1",
    "--1", "1-2", "1+", "1.2.3", "..1", "1..", "1,234.5", "1,234,567", "12,34", ",123",
    "1,23.4", "１２３", "１，２３４．５", "−5", "–5", "﹣5", "1e3", "1E3", "1.5E+3", "-2e-2",
    "1e400", "1e-400", "NaN", "nan", "inf", "-inf", "Infinity", "—", "n/a", "未填", "12元",
    "约12", " 12 ", "12\n", "\t1", "0x10", "1_000", "٣", "1" * 400, "0." + "0" * 30 + "1",
    "9" * 15, "9" * 16, "-" + "9" * 20 + ".5", "12345678.91", "0.07", "00012.50",
]  # fmt: skip
CELL = st.one_of(
    st.sampled_from(TRICKY),
    st.text(alphabet="0123456789.,+-eE", max_size=10),
    st.text(alphabet="0123456789.", min_size=1, max_size=22),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(lambda d: format(d, "f")),
    st.floats(allow_nan=False).map(repr),
    st.text(max_size=6),
)
FACTORS = st.sampled_from([1.0, 1e3, 1e4, 1e8, 0.5, 6.9])


@pytest.mark.parametrize("factor", [1.0, 1e4])
def test_tricky_cells_read_as_before(factor):
    texts = pa.array(TRICKY)
    values, bad = cells.numbers(texts, factor)
    expected, expected_bad = numbers_by_pattern(texts, factor)
    assert exactly(values) == exactly(expected)
    assert bad.tolist() == expected_bad.tolist()


@settings(max_examples=300, deadline=None)
@given(st.lists(CELL, max_size=40), FACTORS, st.integers(0, 3), st.sampled_from([2, 3, 8192]))
def test_numbers_fast_equals_pattern_on_every_cell(texts, factor, skip, block):
    array = pa.array(["?"] * skip + texts, pa.string()).slice(skip)  # an offset, too
    with mock.patch.object(cells, "_BLOCK", block):  # small blocks: some cast, some fail
        values, bad = cells.numbers(array, factor)
        plain, parsed = cells._plain(array, _mask(pc.equal(array, "")))
    expected, expected_bad = numbers_by_pattern(array, factor)
    assert exactly(values) == exactly(expected)
    assert bad.tolist() == expected_bad.tolist()
    assert plain.tolist() == _mask(pc.match_substring_regex(array, _PLAIN)).tolist()
    assert parsed is not None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789.+-", min_size=1, max_size=12))
def test_arrow_casts_exactly_the_plain_decimals_among_digits_points_and_signs(text):
    """What _plain relies on: for these characters, the cast succeeds iff the pattern matches."""
    try:
        pc.cast(pa.array([text]), pa.float64())
        casts = True
    except pa.ArrowInvalid:
        casts = False
    assert casts == _mask(pc.match_substring_regex(pa.array([text]), _PLAIN))[0]


def test_numbers_with_nulls_use_the_pattern():
    texts = pa.array(["1", None, "2.5"])
    plain, parsed = cells._plain(texts, np.zeros(3, dtype=bool))
    assert parsed is None and plain.tolist() == [True, False, True]


# -- trimming -----------------------------------------------------------------------------------

SPACES = " \t\r\n\x0b\x0c\x1c\x1f\x7f\x85\xa0\u3000\u2003\u200b"
TEXT = st.text(alphabet=SPACES + "a1.-未元", max_size=6)


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXT, max_size=20), st.integers(0, 2))
def test_trim_equals_trimming_every_cell(texts, skip):
    array = pa.array(["x"] * skip + texts, pa.string()).slice(skip)
    assert read._trim(array).equals(trim_every_column(array))
    assert read._is_ascii(array) == (pc.all(pc.string_is_ascii(array)).as_py() is not False)
    if len(texts) > 1:  # as the CSV reader gives it: in chunks
        chunked = pa.chunked_array([array.slice(0, 1), array.slice(1)])
        assert read._trim(chunked).equals(trim_every_column(array))


def test_columns_without_spaces_are_not_copied():
    column = pa.array(["12", "未填", "", "1.5"])
    assert read._trim(column) is column
    assert read._trim(pa.array([" 12", "未填"])).to_pylist() == ["12", "未填"]
    assert read._trim(pa.array(["\u300012\u3000", "x"])).to_pylist() == ["12", "x"]


# -- USCCs, periods, duplicates -----------------------------------------------------------------

CODES = [
    "914403001922038216",
    "91330100716105852F",
    "91350100m000100y43",
    "９１１１００００８０２１００４３３Ｂ",
]
USCC = st.one_of(st.sampled_from([*CODES, "", "123", "914403001922038217"]), st.text(max_size=4))


@settings(max_examples=100, deadline=None)
@given(st.lists(USCC, max_size=30))
def test_uscc_codes_checked_once_per_text_as_cell_by_cell(texts):
    array = pa.array(texts, pa.string())
    codes, bad, (ids, size) = cells.uscc_codes(array, ids=True)
    expected_codes, expected_bad = cells._uscc_codes(array)
    assert codes.equals(expected_codes) and bad.tolist() == expected_bad.tolist()
    assert cells.uscc_codes(array)[0].equals(codes)
    normal = codes.to_pylist()
    assert all(0 <= i < size for i in ids)
    assert all((ids[a] == ids[b]) == (normal[a] == normal[b]) for a in range(len(texts))
               for b in range(len(texts)))  # fmt: skip


def test_periods_ids_follow_the_canonical_codes():
    texts = pa.array(["2023-M09", "2023-m09", "2023-M9", "2023-Q3", "", "2023-M10", "x"])
    codes, problems, messages, (ids, _) = cells.periods(texts, "M", "monthly", ids=True)
    assert cells.periods(texts, "M", "monthly") == (codes, problems, messages)
    normal = codes.to_pylist()
    assert normal[0] == normal[1] == "2023-M09" and normal[3] is None and normal[5] == "2023-M10"
    assert [i < 0 for i in ids] == [c is None for c in normal]
    assert all((ids[a] == ids[b]) == (normal[a] == normal[b]) for a in range(7) for b in range(7)
               if normal[a] is not None)  # fmt: skip


KEY = st.one_of(st.none(), st.sampled_from(["A", "B", "AB", "", "C"]))


@pytest.mark.parametrize("dense", [True, False])
@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(KEY, KEY, st.booleans()), max_size=40))
def test_first_occurrence_equals_joined_keys(dense, rows):
    uscc = pa.array([r[0] for r in rows], pa.string())
    period = pa.array([r[1] for r in rows], pa.string())
    valid = np.array([r[2] for r in rows], dtype=bool)
    expected = first_occurrence_of_joined_keys([uscc, period], valid)
    with mock.patch.multiple(
        cells, DENSE_SLOTS_PER_ROW=8 if dense else 0, DENSE_MIN_SLOTS=4096 if dense else -1
    ):
        assert cells.first_occurrence([uscc, period], valid).tolist() == expected.tolist()
        ids = [cells._ids(uscc, None), cells._ids(period, None)]
        assert cells.first_occurrence(ids, valid).tolist() == expected.tolist()


# -- side by side ---------------------------------------------------------------------------------


def test_in_parallel_returns_every_result_and_raises_the_first_error():
    assert read.in_parallel({k: (pow, k, 2) for k in range(5)}) == {k: k * k for k in range(5)}
    assert read.in_parallel({}) == {}
    with pytest.raises(ZeroDivisionError):
        read.in_parallel({"a": (divmod, 1, 0), "b": (divmod, 1, 1)})
