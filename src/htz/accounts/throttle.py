"""Sign-in throttling: five failures in a minute for a name (or fifty from one address)
and the next attempt is refused without looking at the password.

Attempts live in the database so that every server worker counts the same ones.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from htz.errors import ThrottledError
from htz.store.schema import login_attempts

WINDOW = dt.timedelta(minutes=1)
PER_NAME = 5
PER_ADDRESS = 50


def check(conn: Connection, username: str, address: str, now: dt.datetime | None = None) -> None:
    """Raise ThrottledError when this name or address has failed too often just now."""
    now = now or dt.datetime.now(dt.UTC)
    since = now - WINDOW
    failed = sa.and_(login_attempts.c.ok.is_(False), login_attempts.c.at >= since)
    by_name = conn.execute(
        sa.select(sa.func.count()).where(failed, login_attempts.c.username == username)
    ).scalar()
    by_address = conn.execute(
        sa.select(sa.func.count()).where(failed, login_attempts.c.address == address)
    ).scalar()
    if by_name >= PER_NAME or by_address >= PER_ADDRESS:
        raise ThrottledError(
            "too many failed sign-ins for this account in the last minute; wait a minute "
            "and try again (an administrator can reset the password with "
            "`htz users password`).",
            retry_after=int(WINDOW.total_seconds()),
        )


def record(
    conn: Connection, username: str, address: str, ok: bool, now: dt.datetime | None = None
) -> None:
    now = now or dt.datetime.now(dt.UTC)
    conn.execute(sa.delete(login_attempts).where(login_attempts.c.at < now - dt.timedelta(days=30)))
    conn.execute(
        sa.insert(login_attempts).values(
            username=username[:64], address=address[:64], at=now, ok=ok
        )
    )
