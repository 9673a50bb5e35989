"""The catalogue's values: indicators, derived indicators, forms, and the catalogue itself."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from htz.catalog import formula as formulas
from htz.catalog import units
from htz.errors import ConfigError, InputError, NotFoundError

LANGS = ("zh", "en", "vi")
Freq = Literal["A", "Q", "M"]


@dataclass(frozen=True, slots=True)
class Names:
    """One name in each language htz speaks."""

    zh: str
    en: str
    vi: str

    def get(self, lang: str) -> str:
        if lang not in LANGS:
            raise InputError(f"language {lang!r} is not available; use zh, en or vi")
        return getattr(self, lang)


@dataclass(frozen=True, slots=True)
class Indicator:
    """A value an enterprise reports, in its base ``unit``.

    ``kind`` is ``flow_ytd`` (a flow reported year to date: January to the period's end),
    ``stock`` (a level at the end of the period) or ``count`` (a count for the year, on
    annual forms only). ``min``/``max`` bound plausible values; None means unbounded.
    """

    code: str
    name: Names
    unit: str
    kind: str
    aliases: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    decimals: int | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Derived:
    """An indicator computed from others by ``formula``, e.g. value added from its four parts.

    ``expression`` is the parsed formula with any derived indicator it uses expanded, so it
    refers to reported indicators only (``inputs``).
    """

    code: str
    name: Names
    unit: str
    formula: str
    expression: formulas.Expr | None = field(default=None, repr=False, compare=False)
    note: str | None = None

    def __post_init__(self) -> None:
        if self.expression is None:
            object.__setattr__(self, "expression", formulas.parse(self.formula))

    @property
    def inputs(self) -> tuple[str, ...]:
        """The reported indicators the value depends on."""
        return formulas.refs(self.expression)

    def evaluate(self, values: Mapping[str, float | None]) -> float | None:
        """The value from reported values by code; None if an input is missing or a divisor 0."""
        return formulas.evaluate(self.expression, values)

    def sql(self, columns: Mapping[str, str] | None = None) -> str:
        """A SQL expression over quoted columns named by code (or by ``columns[code]``)."""
        names = columns or {}
        return formulas.to_sql(self.expression, lambda c: formulas.quote(names.get(c, c)))


@dataclass(frozen=True, slots=True)
class Form:
    """A statistical report form: what an enterprise files each period of ``frequency``."""

    code: str
    frequency: Freq
    name: Names
    indicators: tuple[str, ...]
    note: str | None = None


@dataclass(frozen=True, slots=True)
class HeaderMatch:
    """The indicator a column header names, and the factor to its base unit (None: no unit)."""

    indicator: str
    factor: float | None


def _listing(codes: Mapping[str, object] | tuple[str, ...]) -> str:
    return ", ".join(codes)


@dataclass(frozen=True, eq=False)
class Catalog:
    """Indicators, derived indicators and forms, each by code, in the order of the files."""

    indicators: Mapping[str, Indicator]
    derived: Mapping[str, Derived]
    forms: Mapping[str, Form]
    _headers: Mapping[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("indicators", "derived", "forms"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))
        headers: dict[str, str] = {}
        for ind in self.indicators.values():
            for text in (ind.code, ind.name.zh, ind.name.en, ind.name.vi, *ind.aliases):
                key = units.name_key(text)
                other = headers.setdefault(key, ind.code)
                if other != ind.code:
                    raise ConfigError(
                        f"the header {text!r} would name both {other!r} and {ind.code!r}; "
                        "remove it from the aliases of one of them"
                    )
        object.__setattr__(self, "_headers", MappingProxyType(headers))

    # -- lookup -----------------------------------------------------------------------------

    def indicator(self, code: str) -> Indicator:
        try:
            return self.indicators[code]
        except KeyError:
            raise NotFoundError(
                f"indicator {code!r} does not exist; the indicators are {_listing(self.indicators)}"
            ) from None

    def derived_indicator(self, code: str) -> Derived:
        try:
            return self.derived[code]
        except KeyError:
            raise NotFoundError(
                f"derived indicator {code!r} does not exist; "
                f"the derived indicators are {_listing(self.derived)}"
            ) from None

    def form(self, code: str) -> Form:
        try:
            return self.forms[code]
        except KeyError:
            raise NotFoundError(
                f"form {code!r} does not exist; the forms are {_listing(self.forms)}"
            ) from None

    def name(self, code: str, lang: str = "zh") -> str:
        """The name of an indicator, derived indicator or form in ``lang`` (zh, en or vi)."""
        for table in (self.indicators, self.derived, self.forms):
            if code in table:
                return table[code].name.get(lang)
        raise NotFoundError(
            f"{code!r} is not an indicator, derived indicator or form; the indicators are "
            f"{_listing(self.indicators)}; the derived indicators are {_listing(self.derived)}; "
            f"the forms are {_listing(self.forms)}"
        )

    # -- headers and units ------------------------------------------------------------------

    def resolve_header(self, text: object) -> HeaderMatch | None:
        """The indicator a column header names, with the factor of any unit written after it.

        Accepts the code, the zh/en/vi name or an alias, in any case, with or without spaces,
        followed by an optional unit in () （） [] or 【】: ``营业收入（万元）`` →
        ``HeaderMatch("operating_revenue", 1e4)``; ``employees`` → ``HeaderMatch("employees",
        None)``. None if the header names no indicator. InputError if it names one with a unit
        that is unknown or measures something else (``期末从业人员（万元）``).
        """
        if not isinstance(text, str):
            return None
        code = self._headers.get(units.name_key(text))
        if code is not None:
            return HeaderMatch(code, None)
        parts = units.split_unit(text)
        if parts is None:
            return None
        code = self._headers.get(units.name_key(parts[0]))
        if code is None:
            return None
        return HeaderMatch(code, units.factor(parts[1], self.indicators[code], header=text))

    def unit_factor(self, unit_text: str, code: str) -> float:
        """The factor from ``unit_text`` (万元, thousand yuan …) to the indicator's base unit."""
        return units.factor(unit_text, self.indicator(code))
