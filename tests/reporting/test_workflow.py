"""Review workflow: states, approval levels, closed periods, versions, concurrency."""

import threading

import pytest
import sqlalchemy as sa

from htz import app as application
from htz.errors import InputError, PeriodClosedError, StaleVersionError, TransitionError
from htz.reporting import service, workflow
from htz.reporting.reports import enterprise_index
from tests.reporting.conftest import register

pytestmark = pytest.mark.integration
LEVELS = ("zone", "national")


@pytest.fixture
def draft(conn, registry):
    ent = enterprise_index(conn)[registry["A"]]
    return workflow.save_values(
        conn,
        "enterprise-a",
        ent.id,
        ent.uscc,
        "monthly",
        "2023-M09",
        {"operating_revenue": 100.0, "employees": 5.0},
        None,
    )


def test_draft_to_accepted_through_zone_and_national(conn, draft):
    assert (draft["status"], draft["version"]) == ("draft", 1)
    r = service.submit(conn, "enterprise-a", draft["id"], 1)
    assert (r["status"], r["version"]) == ("submitted", 2)
    r = workflow.approve(conn, "zone-admin", r["id"], 2, LEVELS)
    assert (r["status"], r["level"]) == ("approved", "zone")
    with pytest.raises(TransitionError, match="awaits national"):
        workflow.approve(conn, "x", r["id"], 3, LEVELS, level="zone")
    r = workflow.approve(conn, "statistician", r["id"], 3, LEVELS)
    assert (r["status"], r["level"], r["version"]) == ("accepted", "national", 4)


def test_province_level_can_be_switched_on(conn, draft):
    levels = ("zone", "province", "national")
    r = service.submit(conn, "e", draft["id"], 1)
    r = workflow.approve(conn, "z", r["id"], r["version"], levels)
    r = workflow.approve(conn, "p", r["id"], r["version"], levels)
    assert (r["status"], r["level"]) == ("approved", "province")
    r = workflow.approve(conn, "n", r["id"], r["version"], levels)
    assert r["status"] == "accepted"


def test_return_needs_a_comment_and_goes_back_to_the_enterprise(conn, draft):
    r = service.submit(conn, "e", draft["id"], 1)
    with pytest.raises(InputError, match="needs a comment"):
        workflow.return_report(conn, "z", r["id"], r["version"], " ")
    r = workflow.return_report(conn, "z", r["id"], r["version"], "employees look too low")
    assert (r["status"], r["comment"]) == ("returned", "employees look too low")
    r = service.submit(conn, "e", r["id"], r["version"], comment="checked: 5 is right")
    assert r["status"] == "submitted"


def test_errors_block_submission(conn, registry):
    ent = enterprise_index(conn)[registry["B"]]
    # revenue without employees is an error in the default rule set
    r = workflow.save_values(
        conn,
        "e",
        ent.id,
        ent.uscc,
        "monthly",
        "2023-M09",
        {"operating_revenue": 100.0, "employees": 0.0},
        None,
    )
    with pytest.raises(InputError, match="cannot be submitted"):
        service.submit(conn, "e", r["id"], 1)
    assert workflow.get_report(conn, r["id"])["status"] == "draft"


def test_warnings_need_an_explanation(conn, registry):
    ent = enterprise_index(conn)[registry["C"]]
    # exports above revenue is a warning
    r = workflow.save_values(
        conn,
        "e",
        ent.id,
        ent.uscc,
        "monthly",
        "2023-M09",
        {"operating_revenue": 100.0, "exports": 150.0, "employees": 3.0},
        None,
    )
    with pytest.raises(InputError, match="explain them in a comment"):
        service.submit(conn, "e", r["id"], 1)
    r = service.submit(conn, "e", r["id"], 1, comment="re-export of a group company's goods")
    assert r["status"] == "submitted"


def test_change_after_approval_creates_new_version_and_returns_to_review(conn, draft):
    r = service.submit(conn, "e", draft["id"], 1)
    r = workflow.approve(conn, "z", r["id"], r["version"], LEVELS)
    r = workflow.approve(conn, "n", r["id"], r["version"], LEVELS)
    assert r["status"] == "accepted"
    r = workflow.save_values(
        conn,
        "e",
        r["enterprise_id"],
        r["uscc"],
        "monthly",
        "2023-M09",
        {"operating_revenue": 101.0, "employees": 5.0},
        r["version"],
    )
    # versions: 1 created, 2 submitted, 3 zone-approved, 4 accepted, 5 edited
    assert (r["status"], r["version"], r["values"]["operating_revenue"]) == ("submitted", 5, 101.0)


def test_stale_version_is_refused(conn, draft):
    workflow.save_values(
        conn,
        "a",
        draft["enterprise_id"],
        draft["uscc"],
        "monthly",
        "2023-M09",
        {"operating_revenue": 110.0},
        1,
    )
    with pytest.raises(StaleVersionError, match="reload it"):
        workflow.save_values(
            conn,
            "b",
            draft["enterprise_id"],
            draft["uscc"],
            "monthly",
            "2023-M09",
            {"operating_revenue": 120.0},
            1,
        )


def test_closed_period_refuses_changes_until_reopened(conn, draft):
    assert workflow.set_period_state(conn, "n", "monthly", "2023-M09", "closed")
    assert not workflow.set_period_state(conn, "n", "monthly", "2023-M09", "closed")
    with pytest.raises(PeriodClosedError, match="reopen"):
        service.submit(conn, "e", draft["id"], 1)
    with pytest.raises(PeriodClosedError):
        workflow.save_values(
            conn,
            "e",
            draft["enterprise_id"],
            draft["uscc"],
            "monthly",
            "2023-M09",
            {"operating_revenue": 1.0},
            1,
        )
    workflow.set_period_state(conn, "n", "monthly", "2023-M09", "open")
    assert service.submit(conn, "e", draft["id"], 1)["status"] == "submitted"


def test_two_writers_one_report_no_lost_update(settings, htz_app):
    """Two connections edit the same report version at the same moment: one wins, the
    other is refused; the stored values are the winner's, never a silent mix."""
    with htz_app.connect() as conn:
        registry = register(conn)
        ent = enterprise_index(conn)[registry["D"]]
        workflow.save_values(
            conn, "e", ent.id, ent.uscc, "monthly", "2023-M09", {"operating_revenue": 100.0}, None
        )
    barrier = threading.Barrier(2)
    outcomes = {}

    def edit(name, value):
        app = application.build(settings)
        try:
            barrier.wait()
            with app.connect() as conn:
                workflow.save_values(
                    conn,
                    name,
                    ent.id,
                    ent.uscc,
                    "monthly",
                    "2023-M09",
                    {"operating_revenue": value},
                    1,
                )
            outcomes[name] = "saved"
        except StaleVersionError:
            outcomes[name] = "refused"
        finally:
            app.close()

    threads = [threading.Thread(target=edit, args=(n, v)) for n, v in (("w1", 1.0), ("w2", 2.0))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes.values()) == ["refused", "saved"]
    winner = next(n for n, o in outcomes.items() if o == "saved")
    with htz_app.connect() as conn:
        r = workflow.find_report(conn, ent.uscc, "monthly", "2023-M09")
        assert r["version"] == 2 and r["updated_by"] == winner
        assert r["values"]["operating_revenue"] == {"w1": 1.0, "w2": 2.0}[winner]
        versions = conn.execute(
            sa.text("SELECT count(*) FROM audit_log WHERE action = 'update'")
        ).scalar()
        assert versions == 1


def test_approve_all_moves_each_report_one_step(conn, registry, put):
    e = registry
    put(
        "monthly",
        [(e[k], "2023-M09", {"operating_revenue": 10.0, "employees": 1.0}) for k in "ABG"],
        status="submitted",
    )
    assert workflow.approve_all(
        conn, "z", LEVELS, "monthly", "2023-M09", zone_code="hangzhou", level="zone"
    ) == {"zone": 1}
    # G (hangzhou) is zone-approved; A and B still submitted: one step each
    assert workflow.approve_all(conn, "n", LEVELS, "monthly", "2023-M09") == {
        "national": 1,
        "zone": 2,
    }
    statuses = {r["uscc"]: r["status"] for r in workflow.review_list(conn, "monthly")}
    assert statuses == {e["A"]: "approved", e["B"]: "approved", e["G"]: "accepted"}
    with pytest.raises(InputError, match="review chain"):
        workflow.approve_all(conn, "n", LEVELS, "monthly", "2023-M09", level="city")


def test_a_change_that_lands_in_review_is_checked_like_a_submission(conn, draft):
    r = service.submit(conn, "e", draft["id"], 1)
    r = workflow.approve(conn, "z", r["id"], r["version"], LEVELS)
    ent_id, uscc = r["enterprise_id"], r["uscc"]
    with pytest.raises(InputError, match="negative-value"), conn.begin_nested():
        service.save(conn, "e", ent_id, uscc, "monthly", "2023-M09",
                     {"operating_revenue": 101.0, "employees": -5.0}, r["version"])  # fmt: skip
    assert workflow.get_report(conn, r["id"])["values"]["employees"] != -5.0  # rolled back
    r = service.save(conn, "e", ent_id, uscc, "monthly", "2023-M09",
                     {"operating_revenue": 101.0, "employees": 5.0}, r["version"])  # fmt: skip
    assert (r["status"], r["values"]["employees"]) == ("submitted", 5.0)
