"""The public site's figures: what every public page and its JSON twin show.

Public figures come only from published bulletins (``htz publish``): disclosure-checked,
reproducible from their snapshot. Withheld cells stay withheld here: ``value`` None and
``confidential`` true, never a number. The registry facts (names, approval, coordinates,
platforms) are public information and come from the store.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from threading import Lock
from typing import Any

import sqlalchemy as sa

from htz.app import App
from htz.catalog import load_catalog
from htz.errors import NotFoundError
from htz.periods import parse
from htz.publish import i18n as words
from htz.publish.tables import zone_name
from htz.registry.zones import get_zone
from htz.reporting import export
from htz.store.schema import platforms, provinces, zones

DASHBOARD_INDICATORS = ("zone_gdp", "operating_revenue", "exports", "employees")
_CACHE: OrderedDict[str, dict] = OrderedDict()
_LOCK = Lock()


def _load(path: Path, sha: str) -> dict:
    """A published bulletin (immutable once written), cached by content hash."""
    with _LOCK:
        if sha in _CACHE:
            _CACHE.move_to_end(sha)
            return _CACHE[sha]
    data = json.loads(path.read_bytes())
    with _LOCK:
        _CACHE[sha] = data
        while len(_CACHE) > 64:
            _CACHE.popitem(last=False)
    return data


def _sort_key(period: str):
    p = parse(period)
    return (p.year, 0 if p.freq == "Q" else 1, period)


MEMO_SECONDS = 60.0  # registry facts (names, platforms) may be a minute old on a page
_MEMO: OrderedDict[tuple, tuple[float, Any]] = OrderedDict()


def memo(key: tuple, compute: Callable[[], Any]) -> Any:
    """A value computed once per ``key`` (which names the publications it derives from),
    kept for ``MEMO_SECONDS`` at most, 1024 values at most."""
    now = time.monotonic()
    with _LOCK:
        hit = _MEMO.get(key)
        if hit is not None and now - hit[0] < MEMO_SECONDS:
            _MEMO.move_to_end(key)
            return hit[1]
    value = compute()
    with _LOCK:
        _MEMO[key] = (now, value)
        while len(_MEMO) > 1024:
            _MEMO.popitem(last=False)
    return value


def published(app: App) -> tuple[dict[str, dict], str | None]:
    """Period → its current publication (in period order), and the chosen headline period:
    one read of the database per request; everything public derives from it."""
    with app.read() as conn:
        current = export.current_publications(conn)
        chosen = export.meta(conn).get("headline_period")
    return {p: current[p] for p in sorted(current, key=_sort_key)}, chosen


def version(found: dict[str, dict], chosen: str | None) -> tuple:
    """What the public figures depend on: the publications' hashes and the headline."""
    return (chosen, *((p, r["sha256"]) for p, r in found.items()))


def releases(app: App) -> dict[str, dict]:
    """Period → its current publication, in period order."""
    return published(app)[0]


def headline_period(app: App, found: dict[str, dict], chosen: str | None = None) -> str:
    if chosen is None:
        chosen = published(app)[1]
    if chosen in found:
        return chosen
    quarters = [p for p in found if "-Q" in p]
    if not quarters and not found:
        raise NotFoundError(
            "nothing is published yet; a national statistician publishes "
            "figures with `htz publish` or on the national page."
        )
    return (quarters or list(found))[-1]


def bulletin(app: App, period: str | None = None, found: dict | None = None) -> dict:
    """The published bulletin of ``period`` (default: the headline period)."""
    found = releases(app) if found is None else found
    period = period or headline_period(app, found)
    if period not in found:
        known = ", ".join(found) or "none yet"
        raise NotFoundError(f"no published figures for {period!r}; published: {known}.")
    row = found[period]
    return _load(app.settings.data_dir / row["path"], row["sha256"])


CELL_KEYS = ("value", "unit", "growth_comparable", "growth_current", "confidential",
             "n_enterprises", "imputed_share", "reason")  # fmt: skip


def _cell(cell: dict | None) -> dict:
    """A published cell for a page, every key present: numbers only when not withheld."""
    if not cell:
        return dict.fromkeys(CELL_KEYS) | {"confidential": False}
    return {k: cell.get(k) for k in CELL_KEYS}


def zone_places(app: App) -> dict[str, dict]:
    """Zone code → name, province, coordinates (registry facts)."""
    return memo(("places", id(app)), lambda: _zone_places(app))


def _zone_places(app: App) -> dict[str, dict]:
    with app.read() as conn:
        rows = conn.execute(
            sa.select(
                zones.c.code,
                zones.c.name_zh,
                zones.c.name_en,
                zones.c.province_code,
                zones.c.lat,
                zones.c.lon,
                provinces.c.region,
            ).select_from(zones.outerjoin(provinces))
        ).mappings()
        return {r["code"]: dict(r) for r in rows}


def short_period(code: str, lang: str) -> str:
    """A period as a chart axis reads it: 2023 Q1–3 / 2023年1-3季度 / 2023 Q1–3."""
    p = parse(code)
    if p.freq == "Q":
        span = f"Q1–{p.index}" if p.index > 1 else "Q1"
        return (
            f"{p.year}年1-{p.index}季度"
            if lang == "zh" and p.index > 1
            else (f"{p.year}年1季度" if lang == "zh" else f"{p.year} {span}")
        )
    return code


def dashboard(
    app: App, period: str | None = None, lang: str = "en", state: tuple | None = None
) -> dict:
    """Headline tiles, the quarterly trend, the map and the zone ranking of a period
    (``state``: what ``published`` returned, when the caller has read it already)."""
    found, chosen = state or published(app)
    period = period or headline_period(app, found, chosen)
    key = ("dashboard", period, lang, version(found, chosen))
    return dict(memo(key, lambda: _dashboard(app, found, period, lang)))


def _dashboard(app: App, found: dict[str, dict], period: str, lang: str) -> dict:
    data = bulletin(app, period, found)
    head = data["headline"]
    tiles = {code: _cell(head.get(code)) for code in DASHBOARD_INDICATORS if code in head}
    trend = []
    for p, row in found.items():
        if "-Q" not in p:
            continue
        d = _load(app.settings.data_dir / row["path"], row["sha256"])
        gdp = d["headline"].get("zone_gdp") or {}
        rev = d["headline"].get("operating_revenue") or {}
        trend.append(
            {
                "period": p,
                "label": short_period(p, lang),
                "zone_gdp": gdp.get("value"),
                "growth_comparable": gdp.get("growth_comparable"),
                "operating_revenue": rev.get("value"),
            }
        )
    measure = "zone_gdp" if "zone_gdp" in head else "operating_revenue"
    places = zone_places(app)
    province_cells = [
        {
            "code": r["code"],
            "name": words.pick((r["name_zh"], r["name_en"], r["name_vi"]), lang),
            **_cell(r.get(measure)),
        }
        for r in data.get("by_province", [])
    ]
    zone_rows = []
    for z in data.get("by_zone", []):
        place = places.get(z["code"], {})
        zone_rows.append(
            {
                "code": z["code"],
                "name": zone_name(z, lang),
                "province_code": z.get("province_code"),
                "lat": place.get("lat"),
                "lon": place.get("lon"),
                **{code: _cell(z.get(code)) for code in DASHBOARD_INDICATORS if code in head},
            }
        )
    ranked = sorted(
        (z for z in zone_rows if z.get(measure, {}).get("value") is not None),
        key=lambda z: -z[measure]["value"],
    )
    withheld = [z for z in zone_rows if z.get(measure, {}).get("value") is None]
    return {
        "period": period,
        "period_name": words.period_name(period, lang),
        "periods": [p for p in found if "-Q" in p or p.isdigit()],
        "snapshot": data["snapshot"],
        "synthetic": data.get("synthetic", False),
        "zones": data["zones"],
        "enterprises": data.get("enterprises"),
        "tiles": tiles,
        "measure": measure,
        "trend": trend,
        "provinces": province_cells,
        "ranking": [{**z, "rank": i} for i, z in enumerate(ranked, start=1)],
        "unranked": withheld,
        "quality": data.get("quality", {}),
        "platform_shares": data.get("platform_shares", {}),
    }


def zone_list(app: App, lang: str = "en") -> list[dict]:
    """National zones in the registry with their province and approval (public facts)."""
    with app.read() as conn:
        rows = conn.execute(
            sa.select(
                zones.c.code,
                zones.c.name_zh,
                zones.c.name_en,
                zones.c.province_code,
                zones.c.city_zh,
                zones.c.city_en,
                zones.c.level,
                zones.c.approved,
                zones.c.lat,
                zones.c.lon,
            ).order_by(zones.c.province_code, zones.c.code)
        ).mappings()
        out = []
        for r in rows:
            item = dict(r)
            item["name"] = r["name_zh"] if lang == "zh" else r["name_en"]
            out.append(item)
        return out


def zone(app: App, code: str, period: str | None = None, lang: str = "en") -> dict:
    """A zone's profile, its published figures over time, peers in its region, its
    specialisation (location quotients) and data quality."""
    found, chosen = published(app)
    period = period or headline_period(app, found, chosen)
    key = ("zone", code, period, lang, version(found, chosen))
    return dict(memo(key, lambda: _zone(app, code, found, period, lang)))


def _zone(app: App, code: str, found: dict[str, dict], period: str, lang: str) -> dict:
    with app.read() as conn:
        row = get_zone(conn, code)  # the registry's zone, province and history
        code, events = row["code"], row.pop("events")
        plats = [
            dict(p)
            for p in conn.execute(
                sa.select(
                    platforms.c.type, platforms.c.name_zh, platforms.c.name_en, platforms.c.approved
                )
                .where(platforms.c.zone_code == code, platforms.c.zone_status == "confirmed")
                .order_by(platforms.c.type, platforms.c.name_zh)
            ).mappings()
        ]
    data = bulletin(app, period, found)
    places = zone_places(app)
    region = row["region"]
    mine = next((z for z in data.get("by_zone", []) if z["code"] == code), None)
    indicators = [i for i in data["headline"]]
    series = []
    for p, rel in found.items():
        if "-Q" not in p:
            continue
        d = _load(app.settings.data_dir / rel["path"], rel["sha256"])
        z = next((z for z in d.get("by_zone", []) if z["code"] == code), None)
        if z is not None:
            series.append(
                {
                    "period": p,
                    "label": short_period(p, lang),
                    **{i: _cell(z.get(i)) for i in indicators},
                }
            )
    measure = "zone_gdp" if "zone_gdp" in data["headline"] else "operating_revenue"
    peers = [
        {
            "code": z["code"],
            "name": zone_name(z, lang),
            "self": z["code"] == code,
            **_cell(z.get(measure)),
        }
        for z in data.get("by_zone", [])
        if places.get(z["code"], {}).get("region") == region and region is not None
    ]
    peers.sort(key=lambda z: (z["value"] is None, -(z["value"] or 0)))
    lq = {
        indicator: [
            {
                "section": c["section"],
                "name": words.section_name(c["section"], lang),
                "lq": c["lq"],
                "confidential": c["confidential"],
            }
            for c in cells
            if c["zone"] == code
        ]
        for indicator, cells in (data.get("specialisation") or {}).items()
    }
    profile = dict(row)
    profile["name"] = row["name_zh"] if lang == "zh" else row["name_en"]
    profile["province"] = (
        words.pick((row["province_zh"], row["province_en"], row["province_vi"]), lang)
        if row["province_zh"]
        else None
    )
    profile["city"] = row["city_zh"] if lang == "zh" else row["city_en"]
    for key in ("source", "notes"):
        profile.pop(key, None)
    return {
        "period": period,
        "period_name": words.period_name(period, lang),
        "periods": [p for p in found if "-Q" in p or p.isdigit()],
        "snapshot": data["snapshot"],
        "synthetic": data.get("synthetic", False),
        "profile": profile,
        "events": events,
        "platforms": plats,
        "published": mine is not None,
        "figures": {i: _cell((mine or {}).get(i)) for i in indicators},
        "series": series,
        "measure": measure,
        "region": region,
        "peers": peers,
        "specialisation": lq,
    }


AGGREGATE_COLUMNS = (
    "period",
    "level",
    "code",
    "name_zh",
    "name_en",
    "indicator",
    "unit",
    "value",
    "growth_comparable",
    "growth_current",
    "n_enterprises",
    "confidential",
    "reason",
    "imputed_share",
    "snapshot",
)


def aggregates(
    app: App,
    period: str | None = None,
    level: str | None = None,
    indicator: str | None = None,
) -> list[dict]:
    """Published cells as long rows (open data): withheld cells keep their flag and
    reason and have no numbers."""
    found, chosen = published(app)
    period = period or headline_period(app, found, chosen)
    key = ("aggregates", period, level, indicator, version(found, chosen))
    return memo(key, lambda: _aggregates(app, found, period, level, indicator))


def _aggregates(app: App, found: dict, period: str, level: str | None, indicator: str | None):
    data = bulletin(app, period, found)
    levels = {
        "national": [
            {
                "code": "CN",
                "name_zh": "全国国家高新区",
                "name_en": "all national high-tech zones",
                **data["headline"],
            }
        ],
        "region": data.get("by_region", []),
        "province": data.get("by_province", []),
        "zone": data.get("by_zone", []),
    }
    if level is not None and level not in levels:
        raise NotFoundError(f"level {level!r}: use national, region, province or zone.")
    codes = list(data["headline"])
    if indicator is not None and indicator not in codes:
        raise NotFoundError(
            f"indicator {indicator!r} is not published; use one of {', '.join(codes)}."
        )
    out = []
    for lv, rows in levels.items():
        if level is not None and lv != level:
            continue
        for r in rows:
            for code in codes:
                if indicator is not None and code != indicator:
                    continue
                cell = r.get(code)
                if cell is None:
                    continue
                name_zh = r.get("name_zh") or (
                    words.region_name(r["code"], "zh") if lv == "region" else None
                )
                name_en = r.get("name_en") or (
                    words.region_name(r["code"], "en") if lv == "region" else None
                )
                out.append(
                    {
                        "period": data["period"],
                        "level": lv,
                        "code": r["code"],
                        "name_zh": name_zh,
                        "name_en": name_en,
                        "indicator": code,
                        "unit": cell.get("unit"),
                        "value": None if cell.get("confidential") else cell.get("value"),
                        "growth_comparable": None
                        if cell.get("confidential")
                        else cell.get("growth_comparable"),
                        "growth_current": None
                        if cell.get("confidential")
                        else cell.get("growth_current"),
                        "n_enterprises": cell.get("n_enterprises"),
                        "confidential": bool(cell.get("confidential")),
                        "reason": cell.get("reason"),
                        "imputed_share": cell.get("imputed_share"),
                        "snapshot": data["snapshot"],
                    }
                )
    return out


def indicators(lang: str = "en") -> list[dict]:
    """The catalogue's indicators with names, unit and kind, and the forms that carry them."""
    catalog = load_catalog()
    forms: dict[str, list[str]] = {}
    for form in catalog.forms.values():
        for code in form.indicators:
            forms.setdefault(code, []).append(form.code)
    return [
        {
            "code": ind.code,
            "name": ind.name.get(lang),
            "name_zh": ind.name.zh,
            "name_en": ind.name.en,
            "name_vi": ind.name.vi,
            "unit": ind.unit,
            "kind": ind.kind,
            "forms": forms.get(ind.code, []),
        }
        for ind in catalog.indicators.values()
    ]
