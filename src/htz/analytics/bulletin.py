"""The national bulletin's figures, computed from one snapshot (docs/bulletin-json.md).

``compute`` runs a handful of Ibis queries (one per kind of table, all levels and
indicators together) and returns the bulletin as plain data: the documented JSON
contract. Public cells pass disclosure control; a withheld cell carries no value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date

import ibis

from htz.analytics import metrics as m
from htz.analytics import protection
from htz.analytics.frame import Frame
from htz.catalog import load_catalog
from htz.periods import Period, parse

LEVELS = ("national", "region", "province", "zone")
LQ_INDICATORS = ("operating_revenue", "employees")  # location quotients on these
UNITS = {m.ZONE_GDP: "yuan"}


def _unit(indicator: str) -> str:
    return UNITS.get(indicator) or load_catalog().indicator(indicator).unit


def form_periods(period: Period) -> dict[str, Period | None]:
    """The monthly and quarterly periods whose year-to-date values a bulletin reports."""
    month = Period.for_month(period.year, period.last_month)
    quarter = Period.for_quarter(period.year, (period.last_month - 1) // 3 + 1)
    return {"monthly": month, "quarterly": quarter if period.last_month % 3 == 0 else None}


def _clean(value):
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


def enterprise_values(frame: Frame, period: Period) -> ibis.Table | None:
    """Each enterprise's year-to-date value of every headline indicator, this year and last.

    ``metrics.ytd_pairs`` of each form's headline indicators (one scan of its partitions),
    materialised once (``Table.cache``): the totals of every level and the location
    quotients all read it. None when the snapshot has no data for the period.
    """
    parts = []
    for form, p in form_periods(period).items():
        indicators = [i for i, f in m.headline_indicators() if f == form]
        if p is None or not frame.has(form, p.code):
            continue
        ly = p.last_year().code if frame.has(form, p.last_year().code) else None
        periods = [p.code] + ([ly] if ly else [])
        parts.append(m.ytd_pairs(frame.observations(form, periods), p.code, ly, indicators))
    if not parts:
        return None
    return (ibis.union(*parts) if len(parts) > 1 else parts[0]).cache()


def aggregates(frame: Frame, period: Period, values: ibis.Table | None = None) -> ibis.Table:
    """Every headline indicator at every level, before disclosure control, as one expression."""
    day, ly_day = period.end_date, period.last_year().end_date
    ents, zones = frame.registry("enterprises"), frame.registry("zones")
    attrs_now, attrs_ly = m.attributes(ents, zones, day), m.attributes(ents, zones, ly_day)
    values = enterprise_values(frame, period) if values is None else values
    if values is None:
        raise ValueError(f"the snapshot has no data for {period.code}")
    # summed by zone and materialised; every level above the zone is a sum of zone sums
    by = ("indicator",)
    sums = tuple(t.cache() for t in m.zone_sums(values, attrs_now, attrs_ly, by))
    parts = []
    for level in LEVELS:
        agg = m.rollup(sums, zones, level, by)
        parts.append(
            agg.mutate(level=ibis.literal(level), table=ibis.literal(f"{level}:") + agg.indicator)
        )
    return ibis.union(*parts) if len(parts) > 1 else parts[0]


def earlier_periods(period: Period) -> list[Period]:
    """The quarters of the year that end before ``period`` does: their bulletins came
    first, and the linked indicators' tables are protected together with theirs."""
    return [Period.for_quarter(period.year, q) for q in range(1, 5) if 3 * q < period.last_month]


def disclosure_pattern(frame: Frame, period: Period, values: ibis.Table | None) -> tuple:
    """The withheld cells of this year's tables and of last year's (whose values this
    year's growth rates would give away), each protected as its own bulletin is: with the
    bulletins of the year's earlier quarters (``protection.linked``)."""
    if values is None:
        return protection.Pattern(), protection.Pattern()
    ents, zones = frame.registry("enterprises"), frame.registry("zones")
    linked = [i for i, _ in m.headline_indicators() if protection.linked(i)]
    before = []
    for q in earlier_periods(period):
        v = enterprise_values(frame, q)
        if v is not None:
            before.append((q, v.filter(v.indicator.isin(linked))))
    out = []
    for year in ("now", "ly"):

        def day(p: Period, year: str = year) -> date:
            return p.end_date if year == "now" else p.last_year().end_date

        earlier = [
            frame.rows(protection.leaf_cells(v, m.attributes(ents, zones, day(q)), year))
            for q, v in before
        ]
        attrs = m.attributes(ents, zones, day(period))
        leaves = frame.rows(protection.leaf_cells(values, attrs, year))
        live = frame.rows(m.zones_on(zones, day(period)))
        out.append(protection.protect_all(leaves, live, LQ_INDICATORS, earlier=earlier))
    return out[0], out[1]


def compute(frame: Frame, period_code: str, meta: Mapping[str, str] | None = None) -> dict:
    """The bulletin of ``period_code`` (a month, quarter or year) as the JSON contract."""
    period = parse(period_code)
    day = period.end_date
    fp = form_periods(period)
    monthly = fp["monthly"]
    ents, zones = frame.registry("enterprises"), frame.registry("zones")
    attrs_now = m.attributes(ents, zones, day)

    order = {code: i for i, (code, _) in enumerate(m.headline_indicators())}
    values = enterprise_values(frame, period)
    rows = sorted(  # engines return rows in any order; the JSON is the same every time
        frame.rows(aggregates(frame, period, values)) if values is not None else [],
        key=lambda r: (r["level"], str(r["key"]), order.get(r["indicator"], 99), r["indicator"]),
    )
    pattern, pattern_ly = disclosure_pattern(frame, period, values)
    by_level: dict[str, dict[str, dict]] = {level: {} for level in LEVELS}
    for r in rows:
        reason = pattern.withheld(r["indicator"], r["level"], r["key"])
        # a growth rate and this year's value give last year's: withheld with either
        hide_growth = reason or pattern_ly.withheld(r["indicator"], r["level"], r["key"])
        cell = {
            "value": None if reason else _clean(r["value"]),
            "unit": _unit(r["indicator"]),
            "growth_comparable": None if hide_growth else _clean(r["growth_comparable"]),
            "growth_current": None if hide_growth else _clean(r["growth_current"]),
            "n_enterprises": r["n_enterprises"],
            "confidential": bool(reason),
        }
        if reason:
            cell["reason"] = reason.split("+")[0]  # the first rule that holds (rules order)
        else:
            cell["imputed_share"] = _clean(r["imputed_value"] / r["value"]) if r["value"] else 0.0
        by_level[r["level"]].setdefault(r["key"], {})[r["indicator"]] = cell
    national = by_level["national"].get("CN", {})
    headline = {i: national[i] for i, _ in m.headline_indicators() if i in national}

    zone_rows = frame.rows(m.zones_on(zones, day))
    names = {z["code"]: z for z in frame.rows(frame.registry("zones"))}
    provinces = {p["code"]: p for p in frame.rows(frame.registry("provinces"))}

    quality: dict = {"reporting_rate": None, "imputed_share": {}}
    enterprises = None
    for form, p in fp.items():
        if p is None or not frame.has(form, p.code):
            continue
        rep = frame.rows(m.reporting(frame.observations(form, [p.code]), attrs_now, p.code, day))[0]
        quality[f"reporting_rate_{form}"] = _clean(rep["reporting_rate"])
        quality[f"expected_{form}"] = rep["expected"]
        quality[f"respondents_{form}"] = rep["respondents"]
        if form == "monthly":
            quality["reporting_rate"] = _clean(rep["reporting_rate"])
            enterprises = rep["expected"]
    for indicator, cell in headline.items():
        quality["imputed_share"][indicator] = cell.get("imputed_share")

    platform_rows = frame.rows(m.platform_shares(frame.registry("platforms"), zones, day))

    extra: dict = {}
    if monthly is not None and frame.has("monthly", monthly.code):
        # both indicators in one query; each zone's row of sections is a table of its own
        mine = values.filter(values.has_now & values.indicator.isin(LQ_INDICATORS))
        lq = m.location_quotients(
            mine.select("uscc", "indicator", "value"), attrs_now, by=("indicator",)
        )
        specialisation: dict[str, list] = {i: [] for i in LQ_INDICATORS}
        for r in frame.rows(lq.order_by(["indicator", "zone_code", "section"])):
            hidden = pattern.quotient_withheld(r["indicator"], r["zone_code"], r["section"])
            specialisation[r["indicator"]].append(
                {"zone": r["zone_code"], "section": r["section"],
                 "lq": None if hidden else _clean(r["lq"]), "confidential": hidden}
            )  # fmt: skip
        extra["specialisation"] = specialisation
    if m.ZONE_GDP in headline:
        gdp_by_zone = {k: v[m.ZONE_GDP] for k, v in by_level["zone"].items()}
        ranked = sorted((c["value"] or 0.0 for c in gdp_by_zone.values()), reverse=True)
        total = headline[m.ZONE_GDP]["value"]
        # withheld zones count towards the total but are never named: the share is
        # computed over the published values of the ten largest
        extra["concentration"] = {
            "indicator": m.ZONE_GDP,
            "top10_share": _clean(sum(ranked[:10]) / total) if total else None,
        }

    def level_list(level: str, label) -> list[dict]:
        return [{**label(key), **cells} for key, cells in sorted(by_level[level].items())]

    return {
        "period": period.code,
        "snapshot": frame.snapshot.id,
        "snapshot_created_at": frame.snapshot.created_at,
        "synthetic": bool(meta and meta.get("synthetic")),
        "periods": {form: (p.code if p else None) for form, p in fp.items()},
        "zones": len(zone_rows),
        "enterprises": enterprises,
        "headline": headline,
        "by_region": level_list("region", lambda k: {"code": k}),
        "by_province": level_list("province", lambda k: {
            "code": k, "name_zh": provinces.get(k, {}).get("name_zh"),
            "name_en": provinces.get(k, {}).get("name_en"),
            "name_vi": provinces.get(k, {}).get("name_vi")}),
        "by_zone": level_list("zone", lambda k: {
            "code": k, "name_zh": names[k]["name_zh"], "name_en": names[k]["name_en"],
            "province_code": names[k]["province_code"]}),
        "platform_shares": {r["type"]: _clean(r["share"]) for r in platform_rows},
        "platforms": platform_rows,
        "quality": quality,
        **extra,
        "disclosure": {**protection.describe(), "audit": pattern.audit},
    }  # fmt: skip
