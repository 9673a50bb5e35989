"""Users, sessions, throttling and scope, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from htz import audit
from htz.accounts import scope, sessions, throttle, users
from htz.errors import (
    ConflictError,
    ForbiddenError,
    InputError,
    NotFoundError,
    ThrottledError,
)
from htz.reporting import workflow
from htz.store.schema import enterprises
from htz.store.schema import users as users_table
from tests.reporting.conftest import register

pytestmark = pytest.mark.integration


def test_a_password_is_stored_only_as_an_argon2id_hash(conn):
    users.add(conn, "admin", "li.wei", "correct horse battery", "national")
    stored = conn.execute(sa.select(users_table.c.password_hash)).scalar()
    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored
    assert users.verify_password(conn, "li.wei", "correct horse battery").role == "national"
    assert users.verify_password(conn, "li.wei", "wrong password!!") is None
    assert users.verify_password(conn, "nobody", "correct horse battery") is None


def test_each_role_needs_its_scope_and_the_scope_must_exist(conn):
    registry = register(conn)
    with pytest.raises(InputError, match="--zone"):
        users.add(conn, "admin", "zone.admin", "long enough pw", "zone")
    with pytest.raises(NotFoundError, match="no such zone"):
        users.add(conn, "admin", "zone.admin", "long enough pw", "zone", "atlantis")
    with pytest.raises(InputError, match="sees everything"):
        users.add(conn, "admin", "boss", "long enough pw", "national", "shenzhen")
    with pytest.raises(InputError, match="at least 10"):
        users.add(conn, "admin", "short", "short", "zone", "shenzhen")
    with pytest.raises(InputError, match="user name"):
        users.add(conn, "admin", "has space", "long enough pw", "zone", "shenzhen")
    u = users.add(conn, "admin", "ent.a", "long enough pw", "enterprise", registry["A"])
    assert (u.role, u.scope) == ("enterprise", registry["A"])
    with pytest.raises(ConflictError, match="exists already"):
        users.add(conn, "admin", "ent.a", "long enough pw", "enterprise", registry["A"])
    users.add(conn, "admin", "gd.stat", "long enough pw", "province", "44")


def test_creating_and_disabling_users_is_audited(conn):
    users.add(conn, "admin", "li.wei", "correct horse battery", "national")
    users.set_active(conn, "admin", "li.wei", False)
    entries = [(e["action"], e["entity_key"]) for e in audit.history(conn, "user", "li.wei")]
    assert ("create", "li.wei") in entries and ("disable", "li.wei") in entries
    assert users.verify_password(conn, "li.wei", "correct horse battery") is None


def test_sessions_store_only_a_digest_and_expire(conn):
    user = users.add(conn, "admin", "li.wei", "correct horse battery", "national")
    now = dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.UTC)
    token = sessions.start(conn, user, now)
    stored = conn.execute(sa.text("SELECT id FROM sessions")).scalar()
    assert token not in stored and len(stored) == 64
    assert sessions.user_of(conn, token, now + dt.timedelta(hours=1)).username == "li.wei"
    assert sessions.user_of(conn, token, now + sessions.LIFETIME + dt.timedelta(seconds=1)) is None
    assert sessions.user_of(conn, "forged-token", now) is None
    sessions.end(conn, token)
    assert sessions.user_of(conn, token, now) is None


def test_the_sixth_failure_in_a_minute_is_throttled(conn):
    now = dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.UTC)
    for i in range(throttle.PER_NAME):
        throttle.check(conn, "li.wei", "10.0.0.1", now + dt.timedelta(seconds=i))
        throttle.record(conn, "li.wei", "10.0.0.1", ok=False, now=now + dt.timedelta(seconds=i))
    with pytest.raises(ThrottledError) as caught:
        throttle.check(conn, "li.wei", "10.0.0.1", now + dt.timedelta(seconds=10))
    assert caught.value.retry_after == 60
    # another account from another address is not affected; the same one is, a minute on, not
    throttle.check(conn, "wang.fang", "10.0.0.2", now + dt.timedelta(seconds=10))
    throttle.check(conn, "li.wei", "10.0.0.1", now + dt.timedelta(seconds=66))


def test_scope_conditions_keep_each_role_to_its_own(conn):
    registry = register(conn)
    ent = users.add(conn, "admin", "ent.a", "long enough pw", "enterprise", registry["A"])
    zone = users.add(conn, "admin", "sz.admin", "long enough pw", "zone", "shenzhen")
    zj = users.add(conn, "admin", "zj.admin", "long enough pw", "province", "33")  # Zhejiang
    nation = users.add(conn, "admin", "cn.stat", "long enough pw", "national")

    def seen(user):
        query = sa.select(enterprises.c.uscc).where(scope.enterprise_condition(user))
        return set(conn.execute(query).scalars())

    assert seen(ent) == {registry["A"]}
    assert seen(zone) == {registry[k] for k in "ABCDEFH"}
    assert seen(zj) == {registry["G"]}  # Hangzhou is in Zhejiang
    assert seen(nation) == set(registry.values())


def test_a_report_outside_the_scope_is_not_found_not_forbidden(conn):
    registry = register(conn)
    ents = {r.uscc: r.id for r in conn.execute(sa.select(enterprises.c.uscc, enterprises.c.id))}
    report = workflow.save_values(conn, "ent.b", ents[registry["B"]], registry["B"], "monthly",
                                  "2023-M09", {"operating_revenue": 10.0}, None)  # fmt: skip
    other = users.add(conn, "admin", "ent.a", "long enough pw", "enterprise", registry["A"])
    own = users.add(conn, "admin", "ent.b", "long enough pw", "enterprise", registry["B"])
    with pytest.raises(NotFoundError):
        scope.require_visible(other, report)
    scope.require_visible(own, report)
    with pytest.raises(ForbiddenError):
        scope.require_role(other, "zone", "national")
    with pytest.raises(ForbiddenError):
        scope.review_level(other, ("zone", "national"))
    zone = users.add(conn, "admin", "sz.admin", "long enough pw", "zone", "shenzhen")
    assert scope.review_level(zone, ("zone", "national")) == "zone"
    gd = users.add(conn, "admin", "gd.stat", "long enough pw", "province", "44")
    with pytest.raises(ForbiddenError, match="province"):
        scope.review_level(gd, ("zone", "national"))
    assert scope.review_level(gd, ("zone", "province", "national")) == "province"
