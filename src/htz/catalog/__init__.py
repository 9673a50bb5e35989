"""Forms and indicators of enterprises' statistical reports (火炬统计), and derived indicators.

The catalogue lives in two YAML files shipped with htz: ``indicators.yaml`` (what can be
reported, in which base unit, and the derived indicators computed from it) and
``forms.yaml`` (which indicators each form asks for). ``load_catalog()`` reads and checks
them once; ``read_catalog()`` checks other files or texts (tests, a national variant).

::

    cat = load_catalog()
    cat.indicator("operating_revenue").unit          # 'yuan'
    cat.form("monthly").indicators                   # ('operating_revenue', …, 'employees')
    cat.resolve_header("营业收入（万元）")            # HeaderMatch('operating_revenue', 10000.0)
    cat.derived["value_added"].evaluate({...})       # wages + depreciation + … or None
    cat.derived["value_added"].sql()                 # '((("wages" + "depreciation") + …)'
"""

from __future__ import annotations

from functools import cache

from htz.catalog.load import read_catalog
from htz.catalog.model import LANGS, Catalog, Derived, Form, HeaderMatch, Indicator, Names
from htz.catalog.units import DERIVED_UNITS, KINDS, UNITS, factor

__all__ = [
    "DERIVED_UNITS",
    "KINDS",
    "LANGS",
    "UNITS",
    "Catalog",
    "Derived",
    "Form",
    "HeaderMatch",
    "Indicator",
    "Names",
    "load_catalog",
    "read_catalog",
    "unit_factor",
]


@cache
def load_catalog() -> Catalog:
    """The catalogue shipped with htz, read and checked on first use."""
    return read_catalog()


def unit_factor(unit_text: str, indicator: Indicator | str) -> float:
    """The factor from ``unit_text`` (万元, thousand yuan, 人 …) to the indicator's base unit.

    For a ``--unit`` option: ``unit_factor("万元", "operating_revenue") == 1e4``. InputError
    if the unit is unknown or measures something else.
    """
    if isinstance(indicator, str):
        return load_catalog().unit_factor(unit_text, indicator)
    return factor(unit_text, indicator)
