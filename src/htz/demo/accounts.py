"""The demo's accounts: one per role, with passwords printed for people to try the site.

The enterprise account belongs to an enterprise that did not file its 2023-M09 monthly
report (it was imputed), so it has a report to enter; the zone account reviews its zone.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from htz.accounts import users
from htz.store.schema import enterprises, reports, zones

ACTOR = "demo"
PREFERRED_ZONE = "zhongguancun"
FORM, PERIOD = "monthly", "2023-M09"
PASSWORDS = {
    "national": "demo-national-2023",
    "zone": "demo-zone-2023",
    "province": "demo-province-2023",
    "enterprise": "demo-enterprise-2023",
}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    scope: str | None
    note: str


def _enterprise(conn: Connection) -> tuple[str, str] | None:
    """(USCC, zone) of an enterprise whose 2023-M09 report was imputed, preferably in
    the preferred zone."""
    query = (
        sa.select(enterprises.c.uscc, enterprises.c.zone_code)
        .select_from(reports.join(enterprises))
        .where(reports.c.form == FORM, reports.c.period == PERIOD, reports.c.status == "imputed")
        .order_by((enterprises.c.zone_code != PREFERRED_ZONE), enterprises.c.uscc)
        .limit(1)
    )
    row = conn.execute(query).first()
    return (row.uscc, row.zone_code) if row else None


def create(conn: Connection) -> list[DemoAccount]:
    """Create the demo's accounts (in a fresh demo database) and return them."""
    found = _enterprise(conn)
    zone = found[1] if found else PREFERRED_ZONE
    province = conn.execute(sa.select(zones.c.province_code).where(zones.c.code == zone)).scalar()
    wanted = [
        DemoAccount("national", PASSWORDS["national"], "national", None,
                    "closes periods, imputes, builds and publishes"),
        DemoAccount(f"zone-{zone}", PASSWORDS["zone"], "zone", zone,
                    "reviews the zone's reports"),
        DemoAccount(f"province-{province}", PASSWORDS["province"], "province", province,
                    "reads the province's reports and figures"),
    ]  # fmt: skip
    if found:
        wanted.append(
            DemoAccount(
                f"enterprise-{found[0]}",
                PASSWORDS["enterprise"],
                "enterprise",
                found[0],
                f"has its {FORM} {PERIOD} report to file",
            )
        )
    for a in wanted:
        users.add(conn, ACTOR, a.username, a.password, a.role, a.scope, name=None)
    return wanted
