"""Users: argon2id password hashes, a role and the scope the role covers."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.engine import Connection

from htz import audit
from htz.errors import ConflictError, InputError, NotFoundError
from htz.store.schema import ROLES, enterprises, provinces, users, zones

HASHER = PasswordHasher()  # argon2id with the library's current RFC 9106 parameters
USERNAME = re.compile(r"^[A-Za-z0-9._@-]{3,64}$")
MIN_PASSWORD = 10
# Hashed once so that a sign-in with an unknown name costs what a wrong password costs.
_DUMMY = HASHER.hash("htz-no-such-user")


@dataclass(frozen=True)
class User:
    id: int
    username: str
    name: str | None
    role: str
    scope: str | None
    lang: str | None = None

    @property
    def label(self) -> str:
        return self.name or self.username


def _row_to_user(row) -> User:
    return User(row.id, row.username, row.name, row.role, row.scope, row.lang)


def _check_scope(conn: Connection, role: str, scope: str | None) -> str | None:
    if role not in ROLES:
        raise InputError(f"role {role!r}: use one of {', '.join(ROLES)}.")
    if role == "national":
        if scope:
            raise InputError(
                "a national user sees everything: give no --zone, --province or --uscc."
            )
        return None
    table, column, option = {
        "enterprise": (enterprises, enterprises.c.uscc, "--uscc"),
        "zone": (zones, zones.c.code, "--zone"),
        "province": (provinces, provinces.c.code, "--province"),
    }[role]
    if not scope:
        raise InputError(f"a {role} user needs its {role}: add {option}.")
    found = conn.execute(sa.select(sa.func.count()).select_from(table).where(column == scope))
    if not found.scalar():
        raise NotFoundError(f"{option} {scope!r}: no such {role} in the registry.")
    return scope


def add(
    conn: Connection,
    actor: str,
    username: str,
    password: str,
    role: str,
    scope: str | None = None,
    name: str | None = None,
    lang: str | None = None,
) -> User:
    """Create a user; the password is stored only as an argon2id hash."""
    if not USERNAME.match(username):
        raise InputError(
            f"user name {username!r}: use 3 to 64 letters, digits and . _ @ - (no spaces)."
        )
    if len(password) < MIN_PASSWORD:
        raise InputError(f"the password needs at least {MIN_PASSWORD} characters.")
    scope = _check_scope(conn, role, scope)
    if conn.execute(sa.select(users.c.id).where(users.c.username == username)).first():
        raise ConflictError(f"user {username!r} exists already; choose another name.")
    uid = conn.execute(
        sa.insert(users).values(
            username=username,
            name=name,
            password_hash=HASHER.hash(password),
            role=role,
            scope=scope,
            lang=lang,
            active=True,
            created_at=dt.datetime.now(dt.UTC),
        )
    ).inserted_primary_key[0]
    audit.append(
        conn, actor, "create", "user", username, None, {"role": role, "scope": scope, "name": name}
    )
    return User(uid, username, name, role, scope, lang)


def get(conn: Connection, user_id: int) -> User | None:
    row = conn.execute(
        sa.select(users).where(users.c.id == user_id, users.c.active.is_(True))
    ).first()
    return _row_to_user(row) if row else None


def by_name(conn: Connection, username: str) -> User | None:
    row = conn.execute(sa.select(users).where(users.c.username == username)).first()
    return _row_to_user(row) if row else None


def list_users(conn: Connection) -> list[dict]:
    query = sa.select(
        users.c.username, users.c.name, users.c.role, users.c.scope, users.c.active
    ).order_by(users.c.role, users.c.username)
    return [dict(r) for r in conn.execute(query).mappings()]


def verify_password(conn: Connection, username: str, password: str) -> User | None:
    """The user when the name and password match an active account, else None."""
    row = conn.execute(sa.select(users).where(users.c.username == username)).first()
    if row is None or not row.active:
        with contextlib.suppress(VerificationError):
            HASHER.verify(_DUMMY, password)
        return None
    try:
        HASHER.verify(row.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if HASHER.check_needs_rehash(row.password_hash):
        conn.execute(
            sa.update(users).where(users.c.id == row.id).values(password_hash=HASHER.hash(password))
        )
    return _row_to_user(row)


def set_password(conn: Connection, actor: str, username: str, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InputError(f"the password needs at least {MIN_PASSWORD} characters.")
    done = conn.execute(
        sa.update(users)
        .where(users.c.username == username)
        .values(password_hash=HASHER.hash(password))
    )
    if not done.rowcount:
        raise NotFoundError(f"no user {username!r}; list users with `htz users list`.")
    audit.append(conn, actor, "password", "user", username, None, None)


def set_active(conn: Connection, actor: str, username: str, active: bool) -> None:
    done = conn.execute(sa.update(users).where(users.c.username == username).values(active=active))
    if not done.rowcount:
        raise NotFoundError(f"no user {username!r}; list users with `htz users list`.")
    audit.append(
        conn, actor, "enable" if active else "disable", "user", username, None, {"active": active}
    )
