"""The indicators of the zone evaluation, computed from a snapshot's annual reports.

``zone_indicators(frame, year)`` returns one row per national zone existing on 31 December
of ``year`` (:func:`htz.analytics.metrics.zones_on`): ``zone``, ``region`` and one column
per indicator the packaged zone frameworks name (zones-2013, zones-2021, zones-2024). It
is the table ``htz evaluate YEAR`` gives the evaluation engine.

- Inputs: the ``annual`` form of ``year`` (and of ``year - 1`` for growth), the
  enterprise registry (zone, industry, high-tech certification, entry and exit) and the
  innovation platforms. Enterprises count in the zone the registry places them in, if
  that zone exists at the end of the year.
- A ratio is a ratio of zone totals, Σ numerator / Σ denominator over the zone's
  enterprises that report both (not a mean of enterprise ratios); a zero denominator gives
  no value (``x / y.nullif(0)``: Spark in ANSI mode raises on division by zero).
- Value added is by the income approach (wages + depreciation + production taxes +
  operating surplus); energy per 10,000 yuan of value added; counts per 10,000 employees.
- Growth is on the comparable basis of :func:`htz.analytics.metrics.aggregate`.
- Indicators htz cannot compute (:data:`UNAVAILABLE`) are null; the engine's screening and
  imputation deal with them. The result's schema metadata names them.

Every formula is in docs/methodology.md ("Zone indicators for the evaluation").
"""

from __future__ import annotations

import datetime as dt
import json

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from htz.analytics import metrics as m
from htz.analytics.frame import Frame

FORM = "annual"

# code → (numerator, denominator, scale): Σ numerator × scale / Σ denominator
RATIOS: dict[str, tuple[str, str, float]] = {
    "rd_intensity": ("rd_expenditure", "operating_revenue", 1.0),
    "rd_personnel_share": ("rd_personnel", "employees", 1.0),
    "valid_invention_patents_per_10k_employees": ("valid_invention_patents", "employees", 1e4),
    "pct_applications_per_10k_employees": ("pct_applications", "employees", 1e4),
    "high_tech_product_revenue_share": ("high_tech_product_revenue", "operating_revenue", 1.0),
    "technology_income_share": ("technology_income", "operating_revenue", 1.0),
    "new_product_revenue_share": ("new_product_revenue", "operating_revenue", 1.0),
    "labour_productivity": ("value_added", "employees", 1.0),
    "energy_intensity": ("energy_consumption", "value_added", 1e4),
    "bachelor_share": ("employees_with_bachelor_or_above", "employees", 1.0),
    "export_share": ("exports", "operating_revenue", 1.0),
    "technical_service_export_share": ("technical_service_exports", "exports", 1.0),
    "overseas_talent_share": ("overseas_employees", "employees", 1.0),
    "profit_margin": ("profit_total", "operating_revenue", 1.0),
}
# code → (indicator as metrics.ytd_values knows it): comparable-basis growth
GROWTH = {
    "operating_revenue_growth": "operating_revenue",
    "employment_growth": "employees",
    "value_added_growth": m.ZONE_GDP,
}
# Innovation platforms counted as R&D institutions (the rest are incubators and
# industrialisation bases); htz's registry holds national platforms only.
RD_INSTITUTIONS = (
    "national_key_laboratory",
    "national_engineering_research_centre",
    "national_manufacturing_innovation_centre",
)
# GB/T 4754-2017 divisions of producer services (after NBS 生产性服务业统计分类(2019), at
# division level): wholesale; transport, storage and post; information transmission,
# software and IT; finance; leasing and business services; research and technical services.
PRODUCER_SERVICE_DIVISIONS = (
    "51", "53", "54", "55", "56", "57", "58", "59", "60", "63", "64", "65",
    "66", "67", "68", "69", "71", "72", "73", "74", "75",
)  # fmt: skip
MANUFACTURING = "C"
UNAVAILABLE = {
    "zone_gdp_share_of_city": "host-city GDP is not in htz (no city statistics are loaded)",
}
INDICATORS = (
    *RATIOS,
    *GROWTH,
    "high_tech_enterprise_share",
    "manufacturing_producer_service_revenue_share",
    "manufacturing_value_added_rate",
    "net_new_operating_revenue",
    "rd_institutions",
    "national_platforms",
    *UNAVAILABLE,
)
COUNTS = ("rd_institutions", "national_platforms")
REPORTED = (
    "operating_revenue", "industrial_output", "exports", "rd_expenditure", "employees",
    *m.GDP_COMPONENTS, "profit_total", "technology_income", "high_tech_product_revenue",
    "new_product_revenue", "technical_service_exports", "energy_consumption", "rd_personnel",
    "employees_with_bachelor_or_above", "returned_overseas_employees",
    "foreign_resident_employees", "valid_invention_patents", "pct_applications",
)  # fmt: skip


def zone_indicators(frame: Frame, year: int) -> pa.Table:
    """One row per national zone at the end of ``year``: zone, region and every indicator.

    Raises :class:`htz.errors.NotFoundError` when the snapshot has no annual data of
    ``year``. Growth indicators are null when it has none of ``year - 1``. The schema
    metadata carries ``htz.year``, ``htz.snapshot`` and ``htz.unavailable`` (JSON: the
    indicators left null because htz cannot compute them, with the reason).
    """
    table = frame.arrow(expression(frame, year))
    meta = {
        "htz.year": str(year),
        "htz.snapshot": frame.snapshot.id,
        "htz.unavailable": json.dumps(UNAVAILABLE, ensure_ascii=False),
    }
    return table.replace_schema_metadata(meta)


def expression(frame: Frame, year: int) -> ir.Table:
    """The Ibis expression behind :func:`zone_indicators` (runs on DuckDB and Spark)."""
    day, ly_day = dt.date(year, 12, 31), dt.date(year - 1, 12, 31)
    period, ly = str(year), str(year - 1)
    ents, zones = frame.registry("enterprises"), frame.registry("zones")
    has_ly = frame.has(FORM, ly)
    obs = frame.observations(FORM, [period, ly] if has_ly else [period])
    attrs = m.attributes(ents, zones, day)
    base = m.zones_on(zones, day).select(zone="code", region="region")

    out = _attach(base, _ratios(obs, period, attrs, ents))
    out = _attach(out, _high_tech_share(ents, attrs, day))
    out = _attach(out, _platforms(frame.registry("platforms"), base, year))
    if has_ly:
        for piece in _growth(obs, period, ly, attrs, m.attributes(ents, zones, ly_day)):
            out = _attach(out, piece)
    else:
        nulls = {c: ibis.null("float64") for c in (*GROWTH, "net_new_operating_revenue")}
        out = out.mutate(**nulls)
    out = out.mutate(**{c: ibis.null("float64") for c in UNAVAILABLE})
    counts = {c: out[c].fill_null(0).cast("int64") for c in COUNTS}
    floats = {c: out[c].cast("float64") for c in INDICATORS if c not in COUNTS}
    cols = {**counts, **floats}
    return out.select("zone", "region", **{c: cols[c] for c in INDICATORS}).order_by("zone")


def _attach(base: ir.Table, piece: ir.Table) -> ir.Table:
    j = base.left_join(piece, "zone")
    return j.select(base, *[piece[c] for c in piece.columns if c != "zone"])


def _wide(obs: ir.Table, period: str) -> ir.Table:
    """One row per enterprise with the period's reported values (null: not reported)."""
    t = obs.filter((obs.period == period) & obs.indicator.isin(REPORTED))
    w = t.group_by("uscc").aggregate(
        **{name: t.value.sum(where=t.indicator == name) for name in REPORTED}
    )
    return w.mutate(
        value_added=sum((w[c] for c in m.GDP_COMPONENTS[1:]), w[m.GDP_COMPONENTS[0]]),
        overseas_employees=w.returned_overseas_employees + w.foreign_resident_employees,
    )


def _ratio(num: ir.Value, den: ir.Value, where: ir.BooleanValue, scale: float) -> ir.Value:
    ok = where & num.notnull() & den.notnull()
    return num.sum(where=ok) * scale / den.sum(where=ok).nullif(0)


def _ratios(obs: ir.Table, period: str, attrs: ir.Table, ents: ir.Table) -> ir.Table:
    kinds = ents.select("uscc", division=ents.industry_code.substr(0, 2))
    w = _wide(obs, period).join(attrs.select("uscc", zone="zone_code", section="section"), "uscc")
    w = w.join(kinds, "uscc")
    every = ibis.literal(True)
    manufacturing = w.section.fill_null("") == MANUFACTURING
    targeted = manufacturing | w.division.isin(PRODUCER_SERVICE_DIVISIONS)
    return w.group_by("zone").aggregate(
        **{code: _ratio(w[n], w[d], every, s) for code, (n, d, s) in RATIOS.items()},
        manufacturing_producer_service_revenue_share=_ratio(
            ibis.ifelse(targeted, w.operating_revenue, 0.0), w.operating_revenue, every, 1.0
        ),
        manufacturing_value_added_rate=_ratio(
            w.value_added, w.industrial_output, manufacturing, 1.0
        ),
    )


def _high_tech_share(ents: ir.Table, attrs: ir.Table, day: dt.date) -> ir.Table:
    """Certified high-tech enterprises / enterprises in the zone at the end of the year."""
    e = m.expected(attrs, day).select("uscc", zone="zone_code")
    e = e.join(ents.select("uscc", certified=ents.high_tech_certified.fill_null(False)), "uscc")
    return e.group_by("zone").aggregate(
        high_tech_enterprise_share=e.uscc.count(where=e.certified).cast("float64")
        / e.uscc.count().nullif(0)
    )


def _platforms(platforms: ir.Table, base: ir.Table, year: int) -> ir.Table:
    """National platforms, and those that are R&D institutions, located in each zone."""
    p = platforms.filter(
        platforms.zone_code.notnull()
        & (platforms.approved.isnull() | (platforms.approved.substr(0, 4).cast("int32") <= year))
    )
    p = p.join(base.select("zone"), p.zone_code == base.zone)
    return p.group_by("zone").aggregate(
        national_platforms=p.type.count(),
        rd_institutions=p.type.count(where=p.type.isin(RD_INSTITUTIONS)),
    )


def _growth(
    obs: ir.Table, period: str, ly: str, attrs: ir.Table, attrs_ly: ir.Table
) -> list[ir.Table]:
    """Comparable-basis growth by zone (and net new revenue, current basis), as in a bulletin."""
    pieces = []
    for code, indicator in GROWTH.items():
        cur, last = m.ytd_values(obs, period, indicator), m.ytd_values(obs, ly, indicator)
        agg = m.aggregate(cur, last, attrs, attrs_ly, "zone")
        cols = {code: agg.growth_comparable}
        if indicator == "operating_revenue":
            cols["net_new_operating_revenue"] = agg.value - agg.value_ly
        pieces.append(agg.select(zone="key", **cols))
    return pieces
