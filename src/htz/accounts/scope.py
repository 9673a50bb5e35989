"""What each role may see and do, as SQL conditions and checks.

Every page and API route that touches micro-data goes through these functions; a report
outside the user's scope is reported as not found (404), never as forbidden, so that
guessing ids tells nothing about which exist.
"""

from __future__ import annotations

import sqlalchemy as sa

from htz.accounts.users import User
from htz.errors import ForbiddenError, NotFoundError
from htz.store.schema import enterprises, zones

# the review level each role approves at (when that level is in the review chain)
REVIEW_LEVEL = {"zone": "zone", "province": "province", "national": "national"}


def enterprise_condition(user: User) -> sa.ColumnElement[bool]:
    """A WHERE condition on ``enterprises`` that keeps only what ``user`` may see."""
    if user.role == "national":
        return sa.true()
    if user.role == "enterprise":
        return enterprises.c.uscc == user.scope
    if user.role == "zone":
        return enterprises.c.zone_code == user.scope
    if user.role == "province":
        return enterprises.c.zone_code.in_(
            sa.select(zones.c.code).where(zones.c.province_code == user.scope)
        )
    return sa.false()


def zone_condition(user: User) -> sa.ColumnElement[bool]:
    """A WHERE condition on ``zones`` for the zones whose micro-data ``user`` may see."""
    if user.role == "national":
        return sa.true()
    if user.role == "zone":
        return zones.c.code == user.scope
    if user.role == "province":
        return zones.c.province_code == user.scope
    return sa.false()


def can_see(user: User, report: dict, province_of_zone: str | None = None) -> bool:
    """Whether ``user`` may read ``report`` (a dict from ``workflow.get_report``)."""
    if user.role == "national":
        return True
    if user.role == "enterprise":
        return report["uscc"] == user.scope
    if user.role == "zone":
        return report["zone_code"] == user.scope
    if user.role == "province":
        return province_of_zone is not None and province_of_zone == user.scope
    return False


def require_visible(user: User, report: dict, province_of_zone: str | None = None) -> None:
    if not can_see(user, report, province_of_zone):
        raise NotFoundError(f"no report {report['id']} in your scope.")


def require_role(user: User, *roles: str) -> None:
    if user.role not in roles:
        raise ForbiddenError(
            f"this needs a {' or '.join(roles)} account; you are signed in as "
            f"{user.username} ({user.role})."
        )


def review_level(user: User, levels: tuple[str, ...]) -> str:
    """The review level ``user`` approves at, checked against the configured chain."""
    level = REVIEW_LEVEL.get(user.role)
    if level is None or level not in levels:
        raise ForbiddenError(
            f"{user.role} users do not approve reports in the review chain {' → '.join(levels)}."
        )
    return level
