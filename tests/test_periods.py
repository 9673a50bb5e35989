"""Tests for htz.periods: worked examples first, then properties."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import accumulate

import pytest
from hypothesis import given
from hypothesis import strategies as st

from htz.errors import InputError, PeriodError
from htz.periods import (
    MAX_YEAR,
    MIN_YEAR,
    Period,
    parse,
    period_range,
    quarter_of,
    ytd_to_period,
)

P = parse

# -- worked examples ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023", Period(2023, "A", 0)),
        ("2023-Q3", Period(2023, "Q", 3)),
        ("2023-M09", Period(2023, "M", 9)),
        ("2023-M12", Period(2023, "M", 12)),
        ("  2023-q3\n", Period(2023, "Q", 3)),
        ("2023-m09", Period(2023, "M", 9)),
        ("1900", Period(1900, "A", 0)),
        ("2999-M12", Period(2999, "M", 12)),
    ],
)
def test_parse_accepts(text, expected):
    assert parse(text) == expected
    assert Period.parse(text) == expected


def test_constructors_and_codes():
    assert Period.for_year(2023).code == "2023"
    assert str(Period.for_quarter(2023, 3)) == "2023-Q3"
    assert str(Period.for_month(2023, 9)) == "2023-M09"
    assert Period.for_month(2023, 9) == Period(2023, "M", 9)
    assert len({Period.for_month(2023, 9), P("2023-M09")}) == 1


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("2023-13", "use YYYY (2023), YYYY-Qn (2023-Q3) or YYYY-Mnn (2023-M09)"),
        ("2023-09", "for a month write 2023-M09"),
        ("2023-M9", "two digits, as in 2023-M09"),
        ("2023-M13", "month must be 01 to 12"),
        ("2023-M00", "month must be 01 to 12"),
        ("2023-Q5", "quarter must be 1 to 4"),
        ("2023-Q0", "quarter must be 1 to 4"),
        ("2023-Q03", "one digit"),
        ("1899", "year must be 1900 to 2999"),
        ("3000-Q1", "year must be 1900 to 2999"),
        ("", "use YYYY"),
        ("23-Q3", "use YYYY"),
        ("2023Q3", "use YYYY"),
        ("2023-A1", "use YYYY"),
        ("２０２３", "use YYYY"),  # full-width digits
        ("٢٠٢٣", "use YYYY"),  # Arabic-Indic digits
    ],
)
def test_parse_rejects_with_helpful_message(text, hint):
    with pytest.raises(PeriodError) as caught:
        parse(text)
    message = str(caught.value)
    assert message.startswith(f"{text!r} is not a period")
    assert hint in message
    assert "(2023-Q3)" in message  # every message shows an example
    assert isinstance(caught.value, InputError)
    assert "write 2023-M13" not in message  # never suggests an invalid code


def test_parse_rejects_non_text():
    with pytest.raises(PeriodError, match="2023 is not a period: expected text"):
        parse(2023)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "args",
    [
        (2023, "Q", 5),
        (2023, "M", 0),
        (2023, "A", 1),
        (1899, "A", 0),
        (2023, "W", 1),
        (2023, "M", True),
    ],
)
def test_constructor_validates(args):
    with pytest.raises(PeriodError, match=r"is not a period: .*Period\.for_quarter\(2023, 3\)"):
        Period(*args)


def test_dates():
    assert P("2023-Q3").start_date == date(2023, 7, 1)
    assert P("2023-Q3").end_date == date(2023, 9, 30)
    assert P("2024-M02").end_date == date(2024, 2, 29)
    assert P("2023-M02").end_date == date(2023, 2, 28)
    assert P("2023").start_date == date(2023, 1, 1)
    assert P("2023").end_date == date(2023, 12, 31)
    assert P("2023-Q3").contains(date(2023, 9, 30))
    assert not P("2023-Q3").contains(date(2023, 10, 1))
    assert P("2023-M09").contains(datetime(2023, 9, 15, 12, 0))


def test_shift_across_year_boundaries():
    assert P("2023-M12").next() == P("2024-M01")
    assert P("2024-M01").prev() == P("2023-M12")
    assert P("2023-Q4").shift(1) == P("2024-Q1")
    assert P("2023-Q1").shift(-5) == P("2021-Q4")
    assert P("2023-M09").shift(-21) == P("2021-M12")
    assert P("2023-M09").shift(0) == P("2023-M09")
    assert P("2023").shift(-3) == P("2020")
    with pytest.raises(PeriodError, match="year must be 1900 to 2999"):
        P("2999-M12").next()


def test_last_year():
    assert P("2023-Q3").last_year() == P("2022-Q3")
    assert P("2024-M02").last_year() == P("2023-M02")
    assert P("2023").last_year() == P("2022")


def test_months_and_ytd_months():
    assert [str(m) for m in P("2023-Q3").months()] == ["2023-M07", "2023-M08", "2023-M09"]
    assert [str(m) for m in P("2023-Q3").ytd_months()] == [f"2023-M{m:02d}" for m in range(1, 10)]
    assert (
        P("2023").months() == P("2023").ytd_months() == period_range(P("2023-M01"), P("2023-M12"))
    )
    assert P("2023-M09").months() == [P("2023-M09")]
    assert len(P("2023-M09").ytd_months()) == 9


def test_quarter_and_year_of():
    assert P("2023-M09").to_quarter() == quarter_of(P("2023-M09")) == P("2023-Q3")
    assert P("2023-M10").to_quarter() == P("2023-Q4")
    assert P("2023-M01").to_quarter() == P("2023-Q1")
    assert P("2023-Q2").to_quarter() == P("2023-Q2")
    assert P("2023-M09").to_year() == P("2023-Q3").to_year() == P("2023")
    with pytest.raises(PeriodError, match="'2023' is a year"):
        P("2023").to_quarter()


def test_previous_ytd():
    assert P("2023-M09").previous_ytd() == P("2023-M08")
    assert P("2023-M01").previous_ytd() is None
    assert P("2023-Q3").previous_ytd() == P("2023-Q2")
    assert P("2023-Q1").previous_ytd() is None
    assert P("2023").previous_ytd() is None


def test_ordering_of_mixed_list():
    codes = [
        "2023",
        "2023-M10",
        "2023-Q3",
        "2022-Q4",
        "2023-M09",
        "2023-Q4",
        "2023-M12",
        "2023-M01",
    ]
    ordered = [str(p) for p in sorted(map(parse, codes))]
    assert ordered == [
        "2022-Q4",
        "2023-M01",
        "2023-M09",
        "2023-Q3",
        "2023-M10",
        "2023-M12",
        "2023-Q4",
        "2023",
    ]
    assert P("2023-M09") < P("2023-Q3") < P("2023")
    assert P("2023-M09") <= P("2023-M09") >= P("2023-M09")
    assert P("2024-M01") > P("2023")
    assert max(P("2022"), P("2023-M01")) == P("2023-M01")


def test_ordering_with_other_types_is_a_type_error():
    with pytest.raises(TypeError):
        _ = P("2023") < "2024"  # type: ignore[operator]


def test_period_range():
    assert len(period_range(P("2023-M01"), P("2023-M12"))) == 12
    assert len(period_range(P("2022-M11"), P("2023-M02"))) == 4
    assert len(period_range(P("2021-Q2"), P("2023-Q1"))) == 8
    assert period_range(P("2020"), P("2022")) == [P("2020"), P("2021"), P("2022")]
    assert period_range(P("2023-Q3"), P("2023-Q3")) == [P("2023-Q3")]
    assert period_range(P("2023-Q3"), P("2023-Q2")) == []
    with pytest.raises(PeriodError, match=r"'2023-M01' to '2023-Q4'.*same frequency"):
        period_range(P("2023-M01"), P("2023-Q4"))


def test_ytd_to_period_examples():
    ytd = {P("2023-M01"): 10.0, P("2023-M02"): 25.0, P("2023-M03"): 45.0, P("2024-M01"): 7.0}
    assert ytd_to_period(ytd) == {
        P("2023-M01"): 10.0,
        P("2023-M02"): 15.0,
        P("2023-M03"): 20.0,
        P("2024-M01"): 7.0,
    }
    gappy = {P("2023-Q1"): 5.0, P("2023-Q2"): None, P("2023-Q3"): 12.0, P("2023-Q4"): 20.0}
    assert ytd_to_period(gappy) == {
        P("2023-Q1"): 5.0,
        P("2023-Q2"): None,
        P("2023-Q3"): None,  # predecessor missing
        P("2023-Q4"): 8.0,
    }
    assert ytd_to_period({P("2023-M05"): 9.0}) == {P("2023-M05"): None}  # M04 absent
    assert ytd_to_period({P("2022"): 3.0, P("2023"): 4.0}) == {P("2022"): 3.0, P("2023"): 4.0}
    assert ytd_to_period({}) == {}


def test_ytd_to_period_rejects_mixed_frequencies():
    with pytest.raises(PeriodError, match=r"one frequency.*2023-M01.*2023-Q1"):
        ytd_to_period({P("2023-M01"): 1.0, P("2023-Q1"): 2.0})


# -- properties ---------------------------------------------------------------------------

years = st.integers(MIN_YEAR, MAX_YEAR)
periods = st.one_of(
    st.builds(Period.for_year, years),
    st.builds(Period.for_quarter, years, st.integers(1, 4)),
    st.builds(Period.for_month, years, st.integers(1, 12)),
)
# wide enough that some shifts leave MIN_YEAR..MAX_YEAR (and must raise PeriodError)
shifts = st.integers(-1200, 1200)


def _in_range(p: Period, n: int) -> bool:
    """Whether p.shift(n) lands in a valid year, worked out independently of shift()."""
    per_year = {"A": 1, "Q": 4, "M": 12}[p.freq]
    target = p.year + (max(p.index, 1) - 1 + n) // per_year
    return MIN_YEAR <= target <= MAX_YEAR


def _days(p: Period) -> int:
    return (p.end_date - p.start_date).days + 1


@given(periods)
def test_parse_inverts_str(p):
    assert parse(str(p)) == p
    assert parse(f" {str(p).lower()} ") == p


@given(periods, shifts)
def test_shift_round_trips(p, n):
    if _in_range(p, n):
        assert p.shift(n).shift(-n) == p
        assert (p.shift(n) > p) == (n > 0)
    else:
        with pytest.raises(PeriodError):
            p.shift(n)


@given(periods.filter(lambda p: p.year > MIN_YEAR))
def test_last_year_keeps_freq_and_index(p):
    q = p.last_year()
    assert (q.year, q.freq, q.index) == (p.year - 1, p.freq, p.index)


@given(periods.filter(lambda p: p.end_date < date(MAX_YEAR, 12, 1)))
def test_next_starts_the_day_after_end(p):
    assert p.next().start_date == p.end_date + timedelta(days=1)
    assert p.next().prev() == p


@given(periods)
def test_months_cover_the_period(p):
    months = p.months()
    assert sum(_days(m) for m in months) == _days(p)
    assert months[0].start_date == p.start_date
    assert months[-1].end_date == p.end_date
    assert all(p.contains(m.start_date) and m <= p for m in months)
    assert p.ytd_months()[-1] == months[-1]


@given(periods, periods)
def test_order_is_total_and_matches_equality(a, b):
    assert (a < b) + (a == b) + (a > b) == 1
    assert (a <= b) == (a < b or a == b)


amounts = st.integers(-(10**9), 10**9).map(float)  # whole numbers: float sums stay exact


@given(st.sampled_from(["Q", "M"]), st.lists(amounts, min_size=12, max_size=12), years)
def test_ytd_to_period_round_trip(freq, raw, year):
    periods_in_year = period_range(
        Period(year, freq, 1), Period(year, freq, 12 if freq == "M" else 4)
    )
    ytd = dict(zip(periods_in_year, raw, strict=False))
    per = ytd_to_period(ytd)
    assert list(per) == periods_in_year
    assert list(accumulate(per.values())) == list(ytd.values())


@given(st.lists(st.one_of(st.none(), amounts), min_size=12, max_size=12))
def test_ytd_to_period_missing_values(raw):
    ytd = {Period(2023, "M", i + 1): v for i, v in enumerate(raw)}
    per = ytd_to_period(ytd)
    for p, value in per.items():
        before = p.previous_ytd()
        base = 0.0 if before is None else ytd[before]
        if ytd[p] is None or base is None:
            assert value is None
        else:
            assert value == ytd[p] - base
