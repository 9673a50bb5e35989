"""The bulletin's tables, built from the JSON contract (docs/bulletin-json.md) in a language.

``full=True`` gives the workbook's wide form (every indicator, both growth rates); the
page and Markdown use the compact form.
"""

from __future__ import annotations

from htz.publish import i18n
from htz.publish.model import Cell, Column, Table, from_json, published

HEADLINE = ("zone_gdp", "operating_revenue", "industrial_output", "exports", "net_profit",
            "taxes_paid", "rd_expenditure", "employees")  # fmt: skip
COMPACT = ("zone_gdp", "operating_revenue", "exports", "employees")
LEVELS = {"by_region": "col_region", "by_province": "col_province", "by_zone": "col_zone"}
KEYS = {"by_region": "regions", "by_province": "provinces", "by_zone": "zones"}


def indicators(data: dict) -> list[str]:
    """The headline indicators in the data, in the bulletin's order."""
    head = data.get("headline") or {}
    return [i for i in HEADLINE if i in head] + [i for i in head if i not in HEADLINE]


def main_indicator(data: dict) -> str | None:
    """The indicator that leads the bulletin and ranks zones: zone GDP when there is one."""
    found = indicators(data)
    money = [i for i in found if (data["headline"][i].get("unit") == "yuan")]
    return "zone_gdp" if "zone_gdp" in found else (money or found or [None])[0]


def unit_of(data: dict, indicator: str) -> str:
    return (data.get("headline", {}).get(indicator) or {}).get("unit") or "yuan"


def province_names(data: dict, lang: str) -> dict[str, str]:
    from htz.reference import rows

    found = {r["code"]: r.get(f"name_{lang}") or r["code"] for r in rows("provinces")}
    for r in data.get("by_province") or []:
        found[r["code"]] = r.get(f"name_{lang}") or found.get(r["code"], r["code"])
    return found


def zone_name(row: dict, lang: str) -> str:
    """Chinese readers get the Chinese name; English and Vietnamese readers the English."""
    return row.get("name_zh" if lang == "zh" else "name_en") or row.get("code", "")


def row_name(level: str, row: dict, lang: str, provinces: dict[str, str]) -> str:
    if level == "by_region":
        return i18n.region_name(row["code"], lang)
    if level == "by_province":
        return provinces.get(row["code"], row["code"])
    return zone_name(row, lang)


def headline(data: dict, lang: str, full: bool = False) -> Table:
    cols = [Column(i18n.t("col_indicator", lang)), Column(i18n.t("col_value", lang), "amount"),
            Column(i18n.t("col_growth_comparable", lang), "growth"),
            Column(i18n.t("col_growth_current", lang), "growth")]  # fmt: skip
    if full:
        cols += [Column(i18n.t("col_unit", lang)),
                 Column(i18n.t("col_imputed_share", lang), "share"),
                 Column(i18n.t("col_enterprises", lang), "count")]  # fmt: skip
    rows = []
    for code in indicators(data):
        cell = data["headline"][code]
        row = [Cell(i18n.capitalise(i18n.indicator_name(code, lang))),
               from_json(cell, "value", "amount"),
               from_json(cell, "growth_comparable", "growth"),
               from_json(cell, "growth_current", "growth")]  # fmt: skip
        if full:
            unit = cell.get("unit") or ""
            unit_text = i18n.t(f"unit_{unit}", lang) if unit in ("yuan", "person") else unit
            row += [Cell(unit_text), from_json(cell, "imputed_share", "share"),
                    Cell(cell.get("n_enterprises"), "count")]  # fmt: skip
        rows.append(row)
    return Table("headline", cols, rows)


def level(data: dict, key: str, lang: str, full: bool = False) -> Table:
    """One row per region, province or zone (``key`` by_region, by_province, by_zone)."""
    rows_in = data.get(key) or []
    chosen = [i for i in (indicators(data) if full else COMPACT)
              if i in indicators(data) and any(i in r for r in rows_in)]  # fmt: skip
    cols = [Column(i18n.t(LEVELS[key], lang))]
    if full:
        cols.insert(0, Column(i18n.t("col_code", lang)))
        if key == "by_zone":
            cols.append(Column(i18n.t("col_province", lang)))
    for code in chosen:
        name = i18n.short_name(code, lang)
        cols.append(Column(name, "amount", unit_of(data, code)))
        if full:
            for basis in ("comparable", "current"):
                growth = i18n.t(f"col_growth_{basis}", lang)
                label = i18n.t("col_growth_full", lang, indicator=name, basis=growth)
                cols.append(Column(label, "growth"))
        else:
            cols.append(Column(i18n.t("col_growth_short", lang, indicator=name), "growth"))
    provinces = province_names(data, lang)
    rows = []
    for r in rows_in:
        row = [Cell(row_name(key, r, lang, provinces))]
        if full:
            row.insert(0, Cell(r["code"]))
            if key == "by_zone":
                row.append(Cell(provinces.get(r.get("province_code") or "", i18n.DASH)))
        for code in chosen:
            row.append(from_json(r.get(code), "value", "amount", unit_of(data, code)))
            row.append(from_json(r.get(code), "growth_comparable", "growth"))
            if full:
                row.append(from_json(r.get(code), "growth_current", "growth"))
        rows.append(row)
    return Table(KEYS[key], cols, rows)


def ranked_zones(data: dict, indicator: str, n: int = 20) -> list[dict]:
    """The ``n`` zones with the largest published value of ``indicator`` (withheld: unranked)."""
    shown = [z for z in data.get("by_zone") or [] if published(z.get(indicator))]
    shown = [z for z in shown if z[indicator].get("value") is not None]
    return sorted(shown, key=lambda z: -z[indicator]["value"])[:n]


def top_zones(data: dict, lang: str, n: int = 20) -> Table:
    main = main_indicator(data)
    second = "operating_revenue" if main != "operating_revenue" else None
    provinces = province_names(data, lang)
    cols = [Column(i18n.t("col_rank", lang), "count"), Column(i18n.t("col_zone", lang)),
            Column(i18n.t("col_province", lang))]  # fmt: skip
    chosen = [c for c in (main, second) if c and c in indicators(data)]
    for code in chosen:
        name = i18n.short_name(code, lang)
        cols += [Column(name, "amount", unit_of(data, code)),
                 Column(i18n.t("col_growth_short", lang, indicator=name), "growth")]  # fmt: skip
    rows = []
    for rank, z in enumerate(ranked_zones(data, main, n) if main else [], start=1):
        row = [Cell(rank, "count"), Cell(zone_name(z, lang)),
               Cell(provinces.get(z.get("province_code") or "", i18n.DASH))]  # fmt: skip
        for code in chosen:
            row += [from_json(z.get(code), "value", "amount", unit_of(data, code)),
                    from_json(z.get(code), "growth_comparable", "growth")]  # fmt: skip
        rows.append(row)
    note = i18n.t("unranked", lang, indicator=i18n.short_name(main, lang)) if main else None
    return Table("zones", cols, rows, [note] if note else [])


def platforms(data: dict, lang: str) -> Table:
    cols = [Column(i18n.t(k, lang), kind) for k, kind in (
        ("col_platform", "text"), ("col_total", "count"), ("col_in_zone", "count"),
        ("col_outside", "count"), ("col_unknown", "count"), ("col_share", "share"))]  # fmt: skip
    rows = [
        [Cell(i18n.capitalise(i18n.platform_name(p["type"], lang)))]
        + [Cell(p.get(k), "count") for k in ("total", "in_zone", "outside", "unknown")]
        + [Cell(p.get("share"), "share")]
        for p in data.get("platforms") or []
    ]
    return Table("platforms", cols, rows)


def reporting(data: dict, lang: str) -> Table:
    q = data.get("quality") or {}
    cols = [Column(i18n.t(k, lang), kind) for k, kind in (
        ("col_form", "text"), ("col_period", "text"), ("col_expected", "count"),
        ("col_respondents", "count"), ("col_reporting_rate", "share"))]  # fmt: skip
    rows = []
    for form, p in (data.get("periods") or {}).items():
        if p is None or f"expected_{form}" not in q:
            continue
        period = i18n.capitalise(i18n.period_name(p, lang))
        rows.append([Cell(i18n.t(f"form_{form}", lang)), Cell(period),
                     Cell(q.get(f"expected_{form}"), "count"),
                     Cell(q.get(f"respondents_{form}"), "count"),
                     Cell(q.get(f"reporting_rate_{form}"), "share")])  # fmt: skip
    return Table("reporting", cols, rows)


def imputed(data: dict, lang: str) -> Table:
    shares = (data.get("quality") or {}).get("imputed_share") or {}
    cols = [Column(i18n.t("col_indicator", lang)),
            Column(i18n.t("col_imputed_share", lang), "share")]  # fmt: skip
    order = [i for i in HEADLINE if i in shares] + [i for i in shares if i not in HEADLINE]
    head = data.get("headline") or {}
    rows = [[Cell(i18n.capitalise(i18n.indicator_name(i, lang))),
             Cell(None, "share", withheld=True) if not published(head.get(i)) and i in head
             else Cell(shares[i], "share")] for i in order]  # fmt: skip
    return Table("imputed", cols, rows)


def specialisation(data: dict, lang: str, top: int | None = 10) -> Table:
    """Zone × section cells by location quotient, highest first (published cells only)."""
    spec = data.get("specialisation") or {}
    chosen = [i for i in ("operating_revenue", "employees") if i in spec] + [
        i for i in spec if i not in ("operating_revenue", "employees")]  # fmt: skip
    zones = {z["code"]: z for z in data.get("by_zone") or []}
    cols = [Column(i18n.t("col_zone", lang)), Column(i18n.t("col_section", lang))] + [
        Column(i18n.t("col_lq", lang, indicator=i18n.short_name(i, lang)), "ratio")
        for i in chosen]  # fmt: skip
    if not chosen:
        return Table("specialisation", cols, [])
    cells = {i: {(r["zone"], r["section"]): r for r in spec[i]} for i in chosen}
    first = cells[chosen[0]]
    keys = [k for k, r in first.items() if not r.get("confidential") and r.get("lq") is not None]
    keys.sort(key=lambda k: -first[k]["lq"])
    rows = []
    for zone, section in keys[:top] if top else keys:
        row = [Cell(zone_name(zones.get(zone, {"code": zone}), lang)),
               Cell(i18n.section_name(section, lang))]  # fmt: skip
        for i in chosen:
            r = cells[i].get((zone, section))
            row.append(from_json(r, "lq", "ratio") if r else Cell(None, "ratio"))
        rows.append(row)
    return Table("specialisation", cols, rows)
