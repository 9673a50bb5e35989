"""The audit log's hash chain detects an edited or deleted entry."""

import pytest
import sqlalchemy as sa

from htz import audit
from htz.store.schema import audit_log

pytestmark = pytest.mark.integration


@pytest.fixture
def logged(conn):
    for i in range(5):
        audit.append(conn, "wang", "update", "report", f"r{i}", {"v": i}, {"v": i + 1})
    return conn


def test_intact_chain_verifies(logged):
    result = audit.verify(logged)
    assert result.ok and result.entries == 5


def test_edited_entry_is_named(logged):
    third = logged.execute(sa.select(audit_log.c.id).order_by(audit_log.c.id)).scalars().all()[2]
    logged.execute(sa.update(audit_log).where(audit_log.c.id == third).values(after='{"v":99}'))
    result = audit.verify(logged)
    assert not result.ok and result.broken_at == third
    assert "edited" in result.reason


def test_deleted_entry_breaks_the_chain_at_the_next(logged):
    ids = logged.execute(sa.select(audit_log.c.id).order_by(audit_log.c.id)).scalars().all()
    logged.execute(sa.delete(audit_log).where(audit_log.c.id == ids[1]))
    result = audit.verify(logged)
    assert result.broken_at == ids[2] and "deleted" in result.reason


def test_a_fork_is_refused(logged):
    from sqlalchemy.exc import IntegrityError

    last = logged.execute(sa.select(audit_log).order_by(audit_log.c.id.desc())).mappings().first()
    with pytest.raises(IntegrityError):
        logged.execute(
            sa.insert(audit_log).values(
                at="x",
                actor="y",
                action="z",
                entity="e",
                entity_key="k",
                prev_hash=last["prev_hash"],
                hash="f" * 64,
            )
        )
