"""The zone registry: which national zones exist on a date, and counts by province, region, year.

A zone exists from its ``approved`` or ``upgraded`` event until a ``merged`` or
``revoked`` event. Event dates may be partial (``1991``, ``2022-12``,
``2023-06-12``), as the sources give them; a partial date counts from its first
day, so a zone approved "in 2015" is counted on 2015-01-01 and after.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from htz.errors import InputError, NotFoundError
from htz.store.schema import provinces, zone_events, zones

START_EVENTS = ("approved", "upgraded")
END_EVENTS = ("merged", "revoked")
_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def partial_date(text: str) -> dt.date:
    """The first day of ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""
    m = _PARTIAL.match(text.strip())
    if not m:
        raise InputError(f"{text!r} is not a date; write YYYY-MM-DD (or YYYY-MM, or YYYY).")
    year, month, day = int(m[1]), int(m[2] or 1), int(m[3] or 1)
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise InputError(f"{text!r} is not a date ({exc}); write YYYY-MM-DD.") from exc


def _existing_on(as_of: dt.date):
    started = (
        sa.select(zone_events.c.zone_code)
        .where(zone_events.c.event.in_(START_EVENTS), zone_events.c.effective <= as_of)
        .scalar_subquery()
    )
    ended = (
        sa.select(zone_events.c.zone_code)
        .where(zone_events.c.event.in_(END_EVENTS), zone_events.c.effective <= as_of)
        .scalar_subquery()
    )
    return sa.and_(zones.c.code.in_(started), zones.c.code.not_in(ended))


ZONE_COLUMNS = (
    "code",
    "name_zh",
    "name_en",
    "province_code",
    "city_zh",
    "city_en",
    "approved",
    "level",
    "lat",
    "lon",
    "coord_precision",
)


def list_zones(
    conn: Connection,
    as_of: dt.date | None = None,
    province: str | None = None,
    level: str = "national",
) -> list[dict]:
    """Zones existing on ``as_of`` (default today), optionally in one province."""
    as_of = as_of or dt.date.today()
    query = (
        sa.select(*[zones.c[c] for c in ZONE_COLUMNS], provinces.c.region)
        .select_from(zones.outerjoin(provinces))
        .where(_existing_on(as_of), zones.c.level == level)
        .order_by(zones.c.province_code, zones.c.approved, zones.c.code)
    )
    if province is not None:
        if (
            conn.execute(sa.select(provinces.c.code).where(provinces.c.code == province)).first()
            is None
        ):
            raise InputError(
                f"province {province!r} is not a GB/T 2260 provincial code; "
                "use two digits such as 11 (Beijing) or 44 (Guangdong)."
            )
        query = query.where(zones.c.province_code == province)
    return [dict(r) for r in conn.execute(query).mappings()]


def get_zone(conn: Connection, code: str) -> dict:
    """One zone with its province and its events, by code or exact Chinese name."""
    zone_code = resolve_zone(conn, code)
    row = (
        conn.execute(
            sa.select(
                zones,
                provinces.c.name_zh.label("province_zh"),
                provinces.c.name_en.label("province_en"),
                provinces.c.name_vi.label("province_vi"),
                provinces.c.region,
            )
            .select_from(zones.outerjoin(provinces))
            .where(zones.c.code == zone_code)
        )
        .mappings()
        .one()
    )
    events = conn.execute(
        sa.select(
            zone_events.c.event, zone_events.c.date, zone_events.c.detail, zone_events.c.source
        )
        .where(zone_events.c.zone_code == zone_code)
        .order_by(zone_events.c.effective)
    ).mappings()
    return {**dict(row), "events": [dict(e) for e in events]}


def zone_lookup(conn: Connection) -> dict[str, str]:
    """Map every zone code and exact Chinese name to its code."""
    lookup: dict[str, str] = {}
    for code, name_zh in conn.execute(sa.select(zones.c.code, zones.c.name_zh)):
        lookup[code] = code
        lookup[name_zh] = code
    return lookup


def resolve_zone(conn: Connection, text: str) -> str:
    code = zone_lookup(conn).get(text.strip())
    if code is None:
        raise NotFoundError(
            f"no zone {text!r}; give a zone code (see `htz zones list`) or its exact Chinese name."
        )
    return code


def province_names(conn: Connection, lang: str = "en") -> dict[str, str]:
    """GB/T 2260 code → province name in ``lang`` (zh, en or vi)."""
    column = provinces.c[f"name_{lang}"]
    return {code: name for code, name in conn.execute(sa.select(provinces.c.code, column))}


def zone_stats(conn: Connection, as_of: dt.date | None = None) -> dict:
    """How many national zones existed on ``as_of``, by province, region and approval year."""
    rows = list_zones(conn, as_of=as_of)
    by_province = Counter(r["province_code"] for r in rows if r["province_code"])
    by_region = Counter(r["region"] for r in rows if r["region"])
    by_year = Counter(int(r["approved"][:4]) for r in rows)
    return {
        "as_of": (as_of or dt.date.today()).isoformat(),
        "total": len(rows),
        "by_province": dict(sorted(by_province.items())),
        "by_region": dict(sorted(by_region.items())),
        "by_approval_year": {str(y): n for y, n in sorted(by_year.items())},
        "without_province": sum(1 for r in rows if not r["province_code"]),
    }
