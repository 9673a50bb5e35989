"""Metrics as Ibis expressions: tables in, tables out, the same on DuckDB and Spark.

Conventions (docs/methodology.md says why):

- ``obs`` is a snapshot's long observation table (uscc, period, indicator, value, flag, …).
- Flows are year to date; a single month's or quarter's value is the difference of two
  year-to-date values of the same enterprise, never a sum of year-to-date values.
- ``zone_gdp`` is value added by the income approach: the sum of an enterprise's reported
  components (wages, depreciation, production taxes, operating surplus).
- Growth on the *comparable* basis runs over the enterprises with a value in both periods;
  on the *current* basis it compares this period's total with last year's total.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from htz.periods import Period

ZONE_GDP = "zone_gdp"
GDP_COMPONENTS = ("wages", "depreciation", "production_taxes", "operating_surplus")
STOCKS = frozenset({"employees", "rd_personnel", "total_assets", "valid_invention_patents",
                    "employees_with_bachelor_or_above", "returned_overseas_employees",
                    "foreign_resident_employees"})  # fmt: skip
# Sums are exact: values are rounded to 10⁻⁶ and added as decimals, so the order in
# which a parallel engine adds them cannot change the last digits, and the same snapshot
# always gives the same figures, bit for bit (docs/methodology.md, "Totals").
EXACT = ibis.expr.datatypes.Decimal(38, 6)


def total(values: ir.NumericColumn, where: ir.BooleanValue | None = None) -> ir.FloatingScalar:
    """The exact sum of a float column (as float64), of the rows ``where`` holds if given."""
    return values.cast(EXACT).sum(where=where).cast("float64")


LEVELS = {
    "national": "nation",
    "region": "region",
    "province": "province_code",
    "zone": "zone_code",
    "section": "section",
    "tech_field": "tech_field",
}


def zones_on(zones: ir.Table, day: dt.date) -> ir.Table:
    """National zones that exist on ``day`` (code, province_code, region)."""
    d = ibis.literal(day)
    live = (zones.level == "national") & (zones.start <= d) & (zones.end.isnull() | (zones.end > d))
    return zones.filter(live).select("code", "province_code", "region")


def attributes(enterprises: ir.Table, zones: ir.Table, day: dt.date) -> ir.Table:
    """Enterprises in a national zone that exists on ``day``, with their grouping keys."""
    z = zones_on(zones, day).rename(zone_code="code")
    e = enterprises.select("uscc", "zone_code", "section", "tech_field", "entered", "left")
    return e.join(z, "zone_code").mutate(nation=ibis.literal("CN"))


def expected(attrs: ir.Table, day: dt.date) -> ir.Table:
    """Enterprises that owe a report for a period ending on ``day``."""
    d = ibis.literal(day)
    return attrs.filter((attrs.entered <= d) & (attrs.left.isnull() | (attrs.left >= d)))


def ytd_values(obs: ir.Table, period: str, indicator: str) -> ir.Table:
    """(uscc, value, imputed_value) of one indicator at one period, as stored (year to date)."""
    names = GDP_COMPONENTS if indicator == ZONE_GDP else (indicator,)
    t = obs.filter((obs.period == period) & obs.indicator.isin(names))
    imputed = ibis.cases((t.flag == "imputed", t.value), else_=0.0)
    return t.group_by("uscc").aggregate(value=total(t.value), imputed_value=total(imputed))


def ytd_pairs(
    obs: ir.Table, period: str, last_year: str | None, indicators: Sequence[str]
) -> ir.Table:
    """Each enterprise's ``ytd_values`` at ``period`` and ``last_year``, side by side.

    (uscc, indicator, value, imputed_value, has_now, value_ly, has_ly): one row per
    enterprise and indicator with a value in either period, from one pass over ``obs``;
    ``value`` / ``value_ly`` are what ``ytd_values`` gives for each period alone (null
    where the enterprise has none, ``has_now`` / ``has_ly`` false). ``zone_gdp`` is the
    sum of its components; it cannot be asked for together with one of them.
    """
    gdp = ZONE_GDP in indicators
    plain = [i for i in indicators if i != ZONE_GDP]
    if gdp and set(plain) & set(GDP_COMPONENTS):
        raise ValueError("ask for zone_gdp or its components, not both")
    names = [*plain, *(GDP_COMPONENTS if gdp else ())]
    periods = [period] + ([last_year] if last_year else [])
    t = obs.filter(obs.period.isin(periods), obs.indicator.isin(names))
    if gdp:
        t = t.mutate(
            indicator=ibis.cases((t.indicator.isin(GDP_COMPONENTS), ZONE_GDP), else_=t.indicator)
        )
    now, then = t.period == period, t.period != period
    imputed = ibis.cases((t.flag == "imputed", t.value), else_=0.0)
    return t.group_by(["uscc", "indicator"]).aggregate(
        value=total(t.value, where=now),
        imputed_value=total(imputed, where=now),
        has_now=now.any(),
        value_ly=total(t.value, where=then),
        has_ly=then.any(),
    )


def period_values(obs: ir.Table, period: Period, indicator: str, basis: str) -> ir.Table:
    """Values for ``basis`` ``ytd`` (as stored) or ``period`` (this month/quarter/year alone).

    ``period`` basis subtracts the enterprise's year-to-date value at the end of the
    previous period of the same frequency (none for the first of the year); stocks are
    end-of-period values either way.
    """
    current = ytd_values(obs, period.code, indicator)
    previous = period.previous_ytd()
    if basis == "ytd" or indicator in STOCKS or previous is None:
        return current
    before = ytd_values(obs, previous.code, indicator).rename(
        value_before="value", imputed_before="imputed_value"
    )
    j = current.join(before, "uscc")
    return j.select(
        "uscc",
        value=j.value - j.value_before,
        imputed_value=j.imputed_value - j.imputed_before,
    )


def aggregate(
    current: ir.Table,
    last_year: ir.Table,
    attrs_now: ir.Table,
    attrs_ly: ir.Table,
    level: str,
    by: tuple[str, ...] = (),
) -> ir.Table:
    """Totals and both growth rates by ``level`` (and by the columns ``by``, e.g. indicator).

    Columns: *by, key, value, imputed_value, n_enterprises, top_share, value_ly,
    growth_current, value_cmp, value_ly_cmp, growth_comparable.
    """
    key = LEVELS[level]
    groups = [*by, "key"]

    def keyed(attrs: ir.Table) -> ir.Table:
        # enterprises of a zone the sources have not placed in a province: "unassigned"
        return attrs.select("uscc", key=ibis.coalesce(attrs[key], ibis.literal("unassigned")))

    now = current.join(keyed(attrs_now), "uscc")
    cur = now.group_by(groups).aggregate(
        value=total(now.value),
        imputed_value=total(now.imputed_value),
        n_enterprises=now.uscc.count(),
        abs_max=now.value.abs().max(),
        abs_sum=total(now.value.abs()),
    )
    then = last_year.join(keyed(attrs_ly), "uscc")
    ly = then.group_by(groups).aggregate(value_ly=total(then.value))
    pairs = current.join(last_year.select("uscc", *by, ly_value="value"), ["uscc", *by]).join(
        keyed(attrs_now), "uscc"
    )
    cmp = pairs.group_by(groups).aggregate(
        value_cmp=total(pairs.value), value_ly_cmp=total(pairs.ly_value)
    )
    return _finish(cur, ly, cmp, groups).order_by(groups)


def _finish(cur: ir.Table, ly: ir.Table, cmp: ir.Table, groups: list[str]) -> ir.Table:
    """Join this year's sums with last year's and the comparable pairs'; derive the rates."""
    out = cur.left_join(ly, groups).select(cur, ly.value_ly)
    out = out.left_join(cmp, groups).select(out, cmp.value_cmp, cmp.value_ly_cmp)
    return _rates(out, groups)


def _rates(out: ir.Table, groups: list[str]) -> ir.Table:
    """The published columns of the sums in ``out``: top share and both growth rates."""
    return out.select(
        *groups,
        "value",
        "imputed_value",
        "n_enterprises",
        top_share=ibis.ifelse(out.abs_sum > 0, out.abs_max / out.abs_sum, ibis.null("float64")),
        value_ly=out.value_ly,
        growth_current=_growth(out.value, out.value_ly),
        value_cmp=out.value_cmp,
        value_ly_cmp=out.value_ly_cmp,
        growth_comparable=_growth(out.value_cmp, out.value_ly_cmp),
    )


def _growth(now: ir.FloatingValue, before: ir.FloatingValue) -> ir.FloatingValue:
    return ibis.ifelse(before.notnull() & (before != 0), now / before - 1.0, ibis.null("float64"))


def reporting(obs: ir.Table, attrs: ir.Table, period: str, day: dt.date) -> ir.Table:
    """Expected enterprises, respondents and the reporting rate of one form and period."""
    owe = expected(attrs, day)
    at = obs.filter(obs.period == period)
    own = at.filter(at.status.isin(("accepted", "approved"))).select("uscc").distinct()
    joined = owe.left_join(own.mutate(responded=ibis.literal(1)), "uscc")
    agg = joined.aggregate(expected=joined.uscc.count(), respondents=joined.responded.count())
    return agg.mutate(
        reporting_rate=ibis.ifelse(
            agg.expected > 0, agg.respondents / agg.expected, ibis.null("float64")
        )
    )


def zone_count(zones: ir.Table, day: dt.date) -> ir.Table:
    return zones_on(zones, day).aggregate(zones=lambda t: t.code.count())


def concentration(by_zone: ir.Table, top: int = 10) -> ir.Table:
    """Share of the total held by the ``top`` zones (input: an ``aggregate`` by zone)."""
    ranked = by_zone.mutate(rank=ibis.row_number().over(order_by=ibis.desc(by_zone.value)))
    return ranked.aggregate(  # row_number counts from 0
        top_value=total(ibis.cases((ranked["rank"] < top, ranked.value), else_=0.0)),
        total=total(ranked.value),
    ).mutate(top_share=lambda t: t.top_value / t.total.nullif(0))


def location_quotients(values: ir.Table, attrs: ir.Table, by: tuple[str, ...] = ()) -> ir.Table:
    """Location quotient of each zone × industry section: (x_zs / x_z) / (x_s / x).

    ``values`` has ``uscc`` and ``value`` (and the columns ``by``, e.g. the indicator:
    then each of their values has its own quotients).
    """
    t = values.join(attrs.select("uscc", "zone_code", "section"), "uscc")
    zs = t.group_by([*by, "zone_code", "section"]).aggregate(
        x_zs=total(t.value),
        n_enterprises=t.uscc.count(),
        abs_max=t.value.abs().max(),
        abs_sum=total(t.value.abs()),
    )
    z = t.group_by([*by, "zone_code"]).aggregate(x_z=total(t.value))
    s = t.group_by([*by, "section"]).aggregate(x_s=total(t.value))
    if by:
        everything = t.group_by(list(by)).aggregate(x=total(t.value))
        j = zs.join(z, [*by, "zone_code"]).join(s, [*by, "section"]).join(everything, list(by))
    else:
        everything = t.aggregate(x=total(t.value)).mutate(one=ibis.literal(1))
        j = zs.join(z, "zone_code").join(s, "section")
        j = j.mutate(one=ibis.literal(1)).join(everything, "one")
    return j.select(
        *by,
        "zone_code",
        "section",
        "n_enterprises",
        value="x_zs",
        top_share=ibis.ifelse(j.abs_sum > 0, j.abs_max / j.abs_sum, ibis.null("float64")),
        lq=ibis.ifelse(
            (j.x_z > 0) & (j.x_s > 0), (j.x_zs / j.x_z) / (j.x_s / j.x), ibis.null("float64")
        ),
    ).order_by([*by, "zone_code", "section"])


def platform_shares(platforms: ir.Table, zones: ir.Table, day: dt.date) -> ir.Table:
    """Per platform type: in a national zone existing on ``day``, outside, unknown, share."""
    live = zones_on(zones, day).select(zone_code="code", live=ibis.literal(1))
    year = ibis.literal(day.year)
    p = platforms.filter(
        platforms.approved.isnull() | (platforms.approved.substr(0, 4).cast("int32") <= year)
    )
    p = p.left_join(live, "zone_code")
    p = p.mutate(
        place=ibis.cases(
            (p.live.notnull(), "in_zone"),
            (p.zone_status == "unknown", "unknown"),
            else_="outside",
        )
    )
    agg = p.group_by("type").aggregate(
        total=p.type.count(),
        in_zone=(p.place == "in_zone").sum(),
        outside=(p.place == "outside").sum(),
        unknown=(p.place == "unknown").sum(),
    )
    known = agg.in_zone + agg.outside
    return agg.mutate(
        share=ibis.ifelse(known > 0, agg.in_zone.cast("float64") / known, ibis.null("float64"))
    ).order_by("type")


def headline_indicators() -> Sequence[tuple[str, str]]:
    """(indicator, form) of the bulletin's headline, in order."""
    return (
        (ZONE_GDP, "quarterly"),
        ("operating_revenue", "monthly"),
        ("industrial_output", "monthly"),
        ("exports", "monthly"),
        ("net_profit", "monthly"),
        ("taxes_paid", "monthly"),
        ("rd_expenditure", "monthly"),
        ("employees", "monthly"),
    )


def zone_sums(
    pairs: ir.Table, attrs_now: ir.Table, attrs_ly: ir.Table, by: tuple[str, ...] = ()
) -> tuple[ir.Table, ir.Table]:
    """The additive parts of ``aggregate`` by zone, from ``ytd_pairs`` (grouped by ``by``).

    Returns (this year, last year): this year's sums over the enterprises with a value now
    in a zone existing at the end of the period, with the comparable pairs' sums
    (``value_cmp``, ``value_ly_cmp``: those that also have last year's value); last year's
    over those with a value then, in a zone existing at the end of last year's period.
    Every level above the zone (province, region, nation) is a sum of these, so the
    enterprise-level joins run once however many levels are published.
    """
    groups = [*by, "zone_code"]
    now = pairs.filter(pairs.has_now).join(attrs_now.select("uscc", "zone_code"), "uscc")
    cur = now.group_by(groups).aggregate(
        value=total(now.value),
        imputed_value=total(now.imputed_value),
        n_enterprises=now.uscc.count(),
        abs_max=now.value.abs().max(),
        abs_sum=total(now.value.abs()),
        value_cmp=total(now.value, where=now.has_ly),
        value_ly_cmp=total(now.value_ly, where=now.has_ly),
    )
    then = pairs.filter(pairs.has_ly).join(attrs_ly.select("uscc", "zone_code"), "uscc")
    ly = then.group_by(groups).aggregate(value_ly=total(then.value_ly))
    return cur, ly


def rollup(
    sums: tuple[ir.Table, ir.Table],
    zones: ir.Table,
    level: str,
    by: tuple[str, ...] = (),
) -> ir.Table:
    """``aggregate``'s result at ``level`` (zone, province, region, national) from zone sums."""
    key = {"zone": "code", "province": "province_code", "region": "region"}.get(level)
    keys = zones.select(
        zone_code="code",
        key=ibis.literal("CN") if key is None else ibis.coalesce(zones[key], "unassigned"),
    )
    cur_z, ly_z = (t.join(keys, "zone_code") for t in sums)
    groups = [*by, "key"]
    cur = cur_z.group_by(groups).aggregate(
        value=total(cur_z.value),
        imputed_value=total(cur_z.imputed_value),
        n_enterprises=cur_z.n_enterprises.sum(),
        abs_max=cur_z.abs_max.max(),
        abs_sum=total(cur_z.abs_sum),
        value_cmp=total(cur_z.value_cmp),
        value_ly_cmp=total(cur_z.value_ly_cmp),
    )
    ly = ly_z.group_by(groups).aggregate(value_ly=total(ly_z.value_ly))
    out = cur.left_join(ly, groups).select(cur, ly.value_ly)
    return _rates(out, groups)
