"""What the bulletin says, in one language: ``document(data, lang)`` → ``model.Document``.

Sentences follow the ministry's bulletins ("2023年前三季度，178家国家高新区实现园区生产总值
12.33万亿元，按可比口径同比增长7.11%"); tables come from ``tables``; charts are bar charts
of the same published cells.
"""

from __future__ import annotations

from htz.publish import i18n, tables
from htz.publish.model import Chart, Document, Section, Series, published


def document(data: dict, lang: str) -> Document:
    i18n.t("withheld", lang)  # an unknown language stops here
    rules = {"min_enterprises": 3, "dominance": 0.85, "p": 0.10} | (data.get("disclosure") or {})
    n, d = rules["min_enterprises"], i18n.percent(rules["dominance"], lang, decimals=0)
    p = i18n.percent(rules["p"] or 0.0, lang, decimals=0)
    period = i18n.period_name(data["period"], lang)
    main = tables.main_indicator(data)
    sections = [
        _headline(data, lang, period, main),
        Section("regions", i18n.t("sec_regions", lang), [i18n.t("regions_of", lang)],
                [tables.level(data, "by_region", lang)],
                _level_chart(data, "by_region", lang, main)),
        Section("provinces", i18n.t("sec_provinces", lang), [],
                [tables.level(data, "by_province", lang)],
                _level_chart(data, "by_province", lang, main)),
        _zones(data, lang, main),
        _platforms(data, lang),
        _structure(data, lang),
        Section("quality", i18n.t("sec_quality", lang),
                tables=[tables.reporting(data, lang), tables.imputed(data, lang)]),
        Section("notes", i18n.t("sec_notes", lang),
                items=[i18n.pick(note, lang).format(n=n, d=d, p=p) for note in _notes()]
                + [i18n.t("col_units_note", lang)]),
    ]  # fmt: skip
    source = i18n.t("source", lang, snapshot=data.get("snapshot") or i18n.DASH,
                    created=i18n.created(data.get("snapshot_created_at"), lang))  # fmt: skip
    return Document(
        lang=lang,
        title=i18n.t("title", lang, period=period.removeprefix("the ")),
        synthetic=bool(data.get("synthetic")),
        source=source,
        withheld_note=i18n.t("withheld_note", lang, n=n, d=d, p=p),
        sections=sections,
    )


def _notes():
    from htz.publish.texts import NOTES

    return NOTES


def _growth_phrase(cell: dict | None, lang: str, basis: str | None) -> str:
    g = cell.get("growth_comparable") if published(cell) else None
    if g is None:
        return ""
    return i18n.t("comma", lang) + i18n.growth(g, lang, basis)


def _value(cell: dict | None, lang: str) -> str:
    if not cell:
        return i18n.DASH
    if not published(cell):
        return i18n.t("withheld", lang)
    v = cell.get("value")
    return i18n.DASH if v is None else i18n.amount(v, cell.get("unit") or "", lang)


def lead(data: dict, lang: str) -> str:
    """The bulletin's first sentence: the leading indicator, its growth on both bases."""
    main = tables.main_indicator(data)
    if main is None:
        return ""
    cell = data["headline"][main]
    text = i18n.t("lead", lang, period=i18n.period_name(data["period"], lang),
                  zones=i18n.integer(data.get("zones") or 0, lang),
                  indicator=i18n.indicator_name(main, lang), value=_value(cell, lang),
                  growth=_growth_phrase(cell, lang, "comparable"))  # fmt: skip
    current = cell.get("growth_current") if published(cell) else None
    if current is not None:
        extra = i18n.t("lead_current", lang, growth=i18n.growth(current, lang))
        text = text[:-1] + extra + text[-1]  # inside the full stop
    return text


def _headline(data: dict, lang: str, period: str, main: str | None) -> Section:
    paragraphs = [lead(data, lang)] if main else []
    items = []
    for code in tables.indicators(data):
        if code == main:
            continue
        cell = data["headline"][code]
        items.append(
            i18n.t(
                "other_item",
                lang,
                indicator=i18n.indicator_name(code, lang),
                value=_value(cell, lang),
                growth=_growth_phrase(cell, lang, None),
            )
        )
    if items:
        paragraphs.append(i18n.t("others", lang, items=i18n.t("others_sep", lang).join(items)))
    rate = (data.get("quality") or {}).get("reporting_rate")
    if data.get("enterprises") and rate is not None:
        paragraphs.append(i18n.t("coverage", lang, n=i18n.integer(data["enterprises"], lang),
                                 rate=i18n.percent(rate, lang)))  # fmt: skip
    section = Section("headline", i18n.t("sec_headline", lang), paragraphs,
                      [tables.headline(data, lang)])  # fmt: skip
    growth = _growth_chart(data, lang)
    if growth:
        section.charts.append(growth)
    return section


def _growth_chart(data: dict, lang: str) -> Chart | None:
    cells = [(c, data["headline"][c]) for c in tables.indicators(data)]
    cells = [(c, cell) for c, cell in cells if published(cell)]
    if not cells:
        return None
    series = []
    for basis in ("comparable", "current"):
        values = [cell.get(f"growth_{basis}") for _, cell in cells]
        labels = [i18n.DASH if v is None else i18n.percent(v, lang, signed=True) for v in values]
        series.append(Series(i18n.t(f"col_growth_{basis}", lang), values, labels))
    categories = [i18n.capitalise(i18n.short_name(c, lang)) for c, _ in cells]
    return Chart(i18n.t("chart_growth", lang), categories, series)


def _bars(title_code: str, unit: str, rows: list[tuple[str, dict | None]], lang: str) -> Chart:
    values = [cell.get("value") if published(cell) else None for _, cell in rows]
    scale = i18n.column_scale(values, unit, lang)
    labels = [i18n.t("withheld", lang) if cell and not published(cell)
              else (i18n.DASH if v is None else scale.format(v, lang))
              for (_, cell), v in zip(rows, values, strict=True)]  # fmt: skip
    name = i18n.capitalise(i18n.short_name(title_code, lang))
    title = i18n.t("chart_by", lang, indicator=name, unit=scale.label)
    note = i18n.t("chart_withheld", lang) if any(c and not published(c) for _, c in rows) else None
    return Chart(title, [name for name, _ in rows], [Series(title, values, labels)], note)


def _level_chart(data: dict, key: str, lang: str, main: str | None) -> list[Chart]:
    if main is None or not data.get(key):
        return []
    provinces = tables.province_names(data, lang)
    rows = [(tables.row_name(key, r, lang, provinces), r.get(main)) for r in data[key]]
    if key != "by_region":  # largest first, withheld last
        rows.sort(key=lambda nc: -(nc[1]["value"] if published(nc[1]) else float("-inf")))
    return [_bars(main, tables.unit_of(data, main), rows, lang)]


def _zones(data: dict, lang: str, main: str | None) -> Section:
    n = 20
    name = i18n.short_name(main, lang) if main else ""
    section = Section("zones", i18n.t("sec_zones", lang, n=n, indicator=name),
                      tables=[tables.top_zones(data, lang, n)])  # fmt: skip
    ranked = tables.ranked_zones(data, main, n) if main else []
    if ranked:
        rows = [(tables.zone_name(z, lang), z[main]) for z in ranked]
        section.charts.append(_bars(main, tables.unit_of(data, main), rows, lang))
    return section


def _approx(share: float, lang: str) -> tuple[str, str]:
    """'nearly 80%' for 78%, 'more than 70%' for 72%, as bulletins round platform shares."""
    if share < 0.1:
        return "", i18n.percent(share, lang, decimals=1)
    rounded = round(share * 20) / 20
    if abs(share - rounded) < 0.005:
        return "", i18n.percent(rounded, lang, decimals=0)
    word = "approx_nearly" if share < rounded else "approx_over"
    return i18n.t(word, lang), i18n.percent(rounded, lang, decimals=0)


def _platforms(data: dict, lang: str) -> Section:
    paragraphs = []
    for p in data.get("platforms") or []:
        if p.get("share") is None:
            continue
        approx, share = _approx(p["share"], lang)
        text = i18n.t("platform", lang, approx=approx, share=share,
                      platform=i18n.platform_name(p["type"], lang))  # fmt: skip
        known = (p.get("in_zone") or 0) + (p.get("outside") or 0)
        fields = {"known": i18n.integer(known, lang), "in_zone": i18n.integer(p["in_zone"], lang),
                  "unknown": i18n.integer(p.get("unknown") or 0, lang)}  # fmt: skip
        text += i18n.t("platform_known" if p.get("unknown") else "platform_known_all", lang,
                       **fields)  # fmt: skip
        paragraphs.append(i18n.capitalise(text) + ("。" if lang == "zh" else "."))
    return Section("platforms", i18n.t("sec_platforms", lang), paragraphs,
                   [tables.platforms(data, lang)])  # fmt: skip


def _structure(data: dict, lang: str) -> Section:
    paragraphs = []
    conc = data.get("concentration") or {}
    if conc.get("top10_share") is not None:
        paragraphs.append(i18n.t("concentration", lang,
                                 indicator=i18n.short_name(conc["indicator"], lang),
                                 share=i18n.percent(conc["top10_share"], lang)))  # fmt: skip
    for code, cells in (data.get("specialisation") or {}).items():
        shown = [c for c in cells if not c.get("confidential") and c.get("lq") is not None]
        withheld = sum(bool(c.get("confidential")) for c in cells)
        paragraphs.append(
            i18n.t(
                "specialisation",
                lang,
                indicator=i18n.short_name(code, lang),
                total=i18n.integer(len(cells), lang),
                over=i18n.integer(sum(c["lq"] > 1 for c in shown), lang),
                withheld=i18n.integer(withheld, lang),
            )
        )
    section = Section("structure", i18n.t("sec_structure", lang), paragraphs)
    spec = tables.specialisation(data, lang)
    if spec.rows:
        spec.caption = i18n.t("specialisation_top", lang)
        section.tables.append(spec)
    return section
