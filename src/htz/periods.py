"""Reporting periods as SDMX codes: ``2023`` (year), ``2023-Q3`` (quarter), ``2023-M09`` (month).

Monthly and quarterly statistical forms report flows as year-to-date (YTD) totals, so a
period knows which months its YTD value covers (``ytd_months``) and which period's YTD
value to subtract to get its own (``previous_ytd``); ``ytd_to_period`` does that for a series.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from htz.errors import PeriodError

Freq = Literal["A", "Q", "M"]

MIN_YEAR, MAX_YEAR = 1900, 2999
_PER_YEAR = {"A": 1, "Q": 4, "M": 12}  # periods per year
_SPAN = {"A": 12, "Q": 3, "M": 1}  # months per period
_USAGE = "use YYYY (2023), YYYY-Qn (2023-Q3) or YYYY-Mnn (2023-M09)"
_CODE = re.compile(r"([0-9]{4})(?:-([QM])([0-9]+))?")
_ISO_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


def _problem(year: object, freq: object, index: object) -> str | None:
    """Why (year, freq, index) is not a period, or None if it is one."""
    if freq not in _PER_YEAR:
        return "frequency must be 'A', 'Q' or 'M'"
    if type(year) is not int or type(index) is not int:
        return "year and index must be whole numbers"
    if not MIN_YEAR <= year <= MAX_YEAR:
        return f"year must be {MIN_YEAR} to {MAX_YEAR}"
    if freq == "A" and index != 0:
        return "a year has index 0"
    if freq == "Q" and not 1 <= index <= 4:
        return "quarter must be 1 to 4"
    if freq == "M" and not 1 <= index <= 12:
        return "month must be 01 to 12"
    return None


@dataclass(frozen=True, slots=True)
class Period:
    """A year (freq 'A', index 0), quarter ('Q', 1–4) or month ('M', 1–12)."""

    year: int
    freq: Freq
    index: int

    def __post_init__(self) -> None:
        why = _problem(self.year, self.freq, self.index)
        if why:
            raise PeriodError(
                f"Period(year={self.year!r}, freq={self.freq!r}, index={self.index!r}) is not "
                f"a period: {why}; use Period.for_year(2023), Period.for_quarter(2023, 3) "
                "or Period.for_month(2023, 9)"
            )

    # -- construction and formatting --------------------------------------------------------

    @classmethod
    def for_year(cls, year: int) -> Period:
        return cls(year, "A", 0)

    @classmethod
    def for_quarter(cls, year: int, quarter: int) -> Period:
        return cls(year, "Q", quarter)

    @classmethod
    def for_month(cls, year: int, month: int) -> Period:
        return cls(year, "M", month)

    @classmethod
    def parse(cls, text: str) -> Period:
        """Same as the module-level ``parse``."""
        return parse(text)

    @property
    def code(self) -> str:
        """The canonical SDMX code: ``2023``, ``2023-Q3`` or ``2023-M09``."""
        if self.freq == "A":
            return str(self.year)
        return (
            f"{self.year}-Q{self.index}" if self.freq == "Q" else f"{self.year}-M{self.index:02d}"
        )

    def __str__(self) -> str:
        return self.code

    # -- calendar ---------------------------------------------------------------------------

    @property
    def first_month(self) -> int:
        return 1 if self.freq == "A" else (self.index - 1) * _SPAN[self.freq] + 1

    @property
    def last_month(self) -> int:
        return self.first_month + _SPAN[self.freq] - 1

    @property
    def start_date(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end_date(self) -> date:
        last = self.last_month
        return date(self.year, last, calendar.monthrange(self.year, last)[1])

    def contains(self, day: date) -> bool:
        """Whether ``day`` (a date, or a datetime's date) falls within this period."""
        if isinstance(day, datetime):
            day = day.date()
        return self.start_date <= day <= self.end_date

    # -- moving in time ---------------------------------------------------------------------

    def _ordinal(self) -> int:
        return self.year * _PER_YEAR[self.freq] + max(self.index - 1, 0)

    def shift(self, n: int) -> Period:
        """The period ``n`` periods later (earlier if negative) in this frequency."""
        year, i = divmod(self._ordinal() + n, _PER_YEAR[self.freq])
        return Period(year, self.freq, 0 if self.freq == "A" else i + 1)

    def next(self) -> Period:
        return self.shift(1)

    def prev(self) -> Period:
        return self.shift(-1)

    def last_year(self) -> Period:
        """The same period a year earlier (同比)."""
        return Period(self.year - 1, self.freq, self.index)

    # -- months, quarters, years ------------------------------------------------------------

    def months(self) -> list[Period]:
        """The months this period spans (a month spans itself)."""
        return [Period(self.year, "M", m) for m in range(self.first_month, self.last_month + 1)]

    def ytd_months(self) -> list[Period]:
        """The months a year-to-date value for this period covers: January to its last month."""
        return [Period(self.year, "M", m) for m in range(1, self.last_month + 1)]

    def to_quarter(self) -> Period:
        """The quarter a month or quarter falls in; a year has no single quarter."""
        if self.freq == "A":
            raise PeriodError(
                f"{self.code!r} is a year, not within one quarter: "
                "use to_quarter() on a month (2023-M09) or a quarter (2023-Q3)"
            )
        return Period(self.year, "Q", (self.last_month - 1) // 3 + 1)

    def to_year(self) -> Period:
        return Period(self.year, "A", 0)

    def previous_ytd(self) -> Period | None:
        """The previous period of this frequency in the same year, or None for the first.

        A period's own value is ``ytd(self) - ytd(previous_ytd())``, or ``ytd(self)`` if None.
        """
        return None if self.index <= 1 else Period(self.year, self.freq, self.index - 1)

    # -- ordering: by end date, then shorter first (2023-M09 < 2023-Q3 < 2023-M10 < 2023) -----

    def sort_key(self) -> tuple[date, int]:
        return (self.end_date, _SPAN[self.freq])

    def __lt__(self, other: object) -> bool:
        return self.sort_key() < other.sort_key() if isinstance(other, Period) else NotImplemented

    def __le__(self, other: object) -> bool:
        return self.sort_key() <= other.sort_key() if isinstance(other, Period) else NotImplemented

    def __gt__(self, other: object) -> bool:
        return self.sort_key() > other.sort_key() if isinstance(other, Period) else NotImplemented

    def __ge__(self, other: object) -> bool:
        return self.sort_key() >= other.sort_key() if isinstance(other, Period) else NotImplemented


def parse(text: str) -> Period:
    """Read ``2023``, ``2023-Q3`` or ``2023-M09`` (any case, surrounding spaces ignored)."""

    def bad(why: str = "") -> PeriodError:
        return PeriodError(f"{text!r} is not a period: {why + '; ' if why else ''}{_USAGE}")

    if not isinstance(text, str):
        raise bad("expected text")
    cleaned = text.strip().upper()
    match = _CODE.fullmatch(cleaned)
    if not match:
        iso = _ISO_MONTH.fullmatch(cleaned)
        ok = iso is not None and 1 <= int(iso[2]) <= 12
        raise bad(f"for a month write {iso[1]}-M{iso[2]}" if ok else "")
    year, freq, digits = int(match[1]), match[2] or "A", match[3] or ""
    index = int(digits) if digits else 0
    if freq == "Q" and len(digits) != 1:
        raise bad("the quarter is one digit, 1 to 4")
    if freq == "M" and len(digits) != 2:
        hint = f", as in {year}-M{index:02d}" if 1 <= index <= 9 else ""
        raise bad(f"the month needs two digits{hint}")
    why = _problem(year, freq, index)
    if why:
        raise bad(why)
    return Period(year, freq, index)


def quarter_of(month: Period) -> Period:
    """The quarter a month falls in (same as ``month.to_quarter()``)."""
    return month.to_quarter()


def period_range(start: Period, end: Period) -> list[Period]:
    """Every period from ``start`` to ``end`` inclusive; empty if ``end`` comes before ``start``."""
    if start.freq != end.freq:
        raise PeriodError(
            f"cannot list periods from {start.code!r} to {end.code!r}: both ends need the same "
            "frequency, e.g. 2023-M01 to 2023-M12 or 2023-Q1 to 2024-Q4"
        )
    return [start.shift(i) for i in range(end._ordinal() - start._ordinal() + 1)]


def ytd_to_period(values: dict[Period, float | None]) -> dict[Period, float | None]:
    """Turn year-to-date values of one frequency into each period's own value.

    The first period of a year keeps its YTD value; later ones subtract the previous
    period's YTD. The result is None where the value or that predecessor is missing.
    """
    freqs = {p.freq for p in values}
    if len(freqs) > 1:
        examples = ", ".join(sorted({p.freq: p.code for p in values}.values()))
        raise PeriodError(
            f"a year-to-date series must have one frequency, got a mix ({examples}): "
            "pass only months (2023-M01, 2023-M02) or only quarters (2023-Q1, 2023-Q2)"
        )
    result: dict[Period, float | None] = {}
    for period in sorted(values):
        value, before = values[period], period.previous_ytd()
        if value is None or before is None:
            result[period] = value
        else:
            base = values.get(before)
            result[period] = None if base is None else value - base
    return result
