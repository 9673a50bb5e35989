"""Server-side sessions: the browser holds a random token, the database its SHA-256."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from htz.accounts.users import User, get
from htz.store.schema import sessions

LIFETIME = dt.timedelta(hours=8)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(conn: Connection, user: User, now: dt.datetime | None = None) -> str:
    """A new session for ``user``; returns the token for the cookie (never stored)."""
    now = now or dt.datetime.now(dt.UTC)
    token = secrets.token_urlsafe(32)
    conn.execute(sa.delete(sessions).where(sessions.c.expires_at < now))
    conn.execute(
        sa.insert(sessions).values(
            id=_digest(token), user_id=user.id, created_at=now, expires_at=now + LIFETIME
        )
    )
    return token


def user_of(conn: Connection, token: str | None, now: dt.datetime | None = None) -> User | None:
    """The signed-in user of a cookie token, or None (unknown, expired or disabled)."""
    if not token or len(token) > 128:
        return None
    now = now or dt.datetime.now(dt.UTC)
    row = conn.execute(
        sa.select(sessions.c.user_id, sessions.c.expires_at).where(sessions.c.id == _digest(token))
    ).first()
    if row is None:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=dt.UTC)
    if expires < now:
        return None
    return get(conn, row.user_id)


def end(conn: Connection, token: str | None) -> None:
    if token:
        conn.execute(sa.delete(sessions).where(sessions.c.id == _digest(token)))
