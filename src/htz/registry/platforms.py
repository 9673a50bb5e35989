"""Innovation platforms: national key laboratories, manufacturing innovation centres,
engineering research centres, incubators and industrialisation bases; and the share
of each type that lies in national zones.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from htz.errors import ImportProblemsError, InputError, Issue
from htz.registry.zones import partial_date, zone_lookup
from htz.store.schema import platforms, provinces
from htz.store.sync import SyncResult, sync
from htz.tabular import Table

TYPES = {
    "national_key_laboratory": ("全国重点实验室", "National key laboratory"),
    "national_manufacturing_innovation_centre": (
        "国家制造业创新中心",
        "National manufacturing innovation centre",
    ),
    "national_engineering_research_centre": (
        "国家工程研究中心",
        "National engineering research centre",
    ),
    "incubator": ("国家级科技企业孵化器", "National incubator"),
    "industrialisation_base": ("科技成果产业化基地", "Industrialisation base"),
}
COLUMNS = (
    "type",
    "name_zh",
    "name_en",
    "field",
    "host",
    "city_zh",
    "province_code",
    "zone",
    "approved",
)


@dataclass
class CheckedPlatforms:
    source: str
    records: list[dict] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


def check(conn: Connection, table: Table) -> CheckedPlatforms:
    """Check a platform file: columns ``type, name_zh`` required; ``zone`` is a code or name."""
    result = CheckedPlatforms(table.source)
    for header in table.header:
        if header not in COLUMNS:
            result.issues.append(
                Issue(
                    "unknown-column",
                    f"unknown column {header!r}; known: {', '.join(COLUMNS)}",
                    1,
                    header,
                )
            )
    for name in ("type", "name_zh"):
        if name not in table.header:
            result.issues.append(Issue("missing-column", f"required column {name!r} is missing", 1))
    if result.issues:
        return result
    zones = zone_lookup(conn)
    province_codes = set(conn.execute(sa.select(provinces.c.code)).scalars())
    seen: dict[tuple[str, str], int] = {}
    for number, raw in table.rows:
        issues = []
        kind, name = raw.get("type", ""), raw.get("name_zh", "")
        if kind not in TYPES:
            issues.append(
                Issue(
                    "unknown-type",
                    f"{kind!r} is not a platform type; use one of {', '.join(TYPES)}",
                    number,
                    "type",
                    kind,
                )
            )
        if not name:
            issues.append(Issue("missing-value", "name_zh is required", number, "name_zh"))
        elif (kind, name) in seen:
            issues.append(
                Issue(
                    "duplicate-platform",
                    f"{name!r} is already on row {seen[kind, name]}",
                    number,
                    "name_zh",
                    name,
                )
            )
        seen.setdefault((kind, name), number)
        zone_text = raw.get("zone", "")
        zone_code = zones.get(zone_text) if zone_text else None
        if zone_text and zone_code is None:
            issues.append(
                Issue(
                    "unknown-zone",
                    f"no zone {zone_text!r}; use a zone code or exact Chinese name",
                    number,
                    "zone",
                    zone_text,
                )
            )
        province = raw.get("province_code") or None
        if province and province not in province_codes:
            issues.append(
                Issue(
                    "unknown-province",
                    f"{province!r} is not a GB/T 2260 provincial code",
                    number,
                    "province_code",
                    province,
                )
            )
        approved = raw.get("approved") or None
        if approved:
            try:
                partial_date(approved)
            except InputError as exc:
                issues.append(Issue("invalid-date", exc.message, number, "approved", approved))
        result.issues.extend(issues)
        if not issues:
            result.records.append(
                {
                    "type": kind,
                    "name_zh": name,
                    "name_en": raw.get("name_en") or None,
                    "field": raw.get("field") or None,
                    "host": raw.get("host") or None,
                    "city_zh": raw.get("city_zh") or None,
                    "province_code": province,
                    "zone_code": zone_code,
                    "zone_status": "confirmed" if zone_code else "none",
                    "approved": approved,
                }
            )
    return result


def import_platforms(
    conn: Connection, checked: CheckedPlatforms, keep_valid: bool = False
) -> SyncResult:
    if checked.issues and not keep_valid:
        raise ImportProblemsError(checked.source, checked.issues)
    return sync(conn, platforms, ("type", "name_zh"), checked.records)


def share_in_zones(conn: Connection, as_of_year: int | None = None) -> list[dict]:
    """For each platform type: how many, how many in a national zone, and the share.

    ``in_zone`` counts platforms whose zone is confirmed or likely; platforms whose
    location is unknown are left out of the share's denominator and counted apart,
    so the share is over platforms whose location is known.
    """
    query = sa.select(
        platforms.c.type, platforms.c.zone_code, platforms.c.zone_status, platforms.c.approved
    )
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for kind, zone_code, status, approved in conn.execute(query):
        if as_of_year and approved and int(approved[:4]) > as_of_year:
            continue
        c = counts[kind]
        c["total"] += 1
        if status == "unknown":
            c["unknown"] += 1
        elif zone_code:
            c["in_zone"] += 1
        else:
            c["outside"] += 1
    rows = []
    for kind, (name_zh, name_en) in TYPES.items():
        c = counts.get(kind, {})
        known = c.get("in_zone", 0) + c.get("outside", 0)
        rows.append(
            {
                "type": kind,
                "name_zh": name_zh,
                "name_en": name_en,
                "total": c.get("total", 0),
                "in_zone": c.get("in_zone", 0),
                "outside": c.get("outside", 0),
                "unknown": c.get("unknown", 0),
                "share_in_zone": round(c["in_zone"] / known, 4) if known else None,
            }
        )
    return rows
