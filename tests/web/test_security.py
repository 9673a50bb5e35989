"""What the site refuses: reports outside a user's scope, forms without their CSRF token,
guessed passwords; how it sets its cookies; that public figures never show a withheld
value; and that signed-in pages and routes need a sign-in."""

from __future__ import annotations

from urllib.parse import quote

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from htz.store.schema import audit_log, enterprises, observations, reports
from htz.web.app import create_app
from tests.web.conftest import csrf_of, database, demo_accounts, login, scope_of

pytestmark = pytest.mark.integration

FORM, PERIOD = "monthly", "2023-M09"


def report_of(client, uscc: str, form: str = FORM, period: str = PERIOD) -> dict:
    with database(client) as conn:
        row = conn.execute(
            sa.select(reports.c.id, reports.c.status, reports.c.version)
            .select_from(reports.join(enterprises))
            .where(enterprises.c.uscc == uscc, reports.c.form == form, reports.c.period == period)
        ).one()
        values = dict(
            conn.execute(
                sa.select(observations.c.indicator, observations.c.value).where(
                    observations.c.report_id == row.id
                )
            ).all()
        )
    return {"id": row.id, "status": row.status, "version": row.version, "values": values}


def a_report(client, where) -> tuple[int, str, str]:
    """(id, uscc, zone) of some monthly 2023-M09 report matching ``where``."""
    with database(client) as conn:
        row = conn.execute(
            sa.select(reports.c.id, enterprises.c.uscc, enterprises.c.zone_code)
            .select_from(reports.join(enterprises))
            .where(where, reports.c.form == FORM, reports.c.period == PERIOD)
            .order_by(reports.c.id)
            .limit(1)
        ).one()
    return row.id, row.uscc, row.zone_code


# --- scope -----------------------------------------------------------------------------


def test_an_enterprise_reads_only_its_own_reports(client):
    mine = scope_of(client, "enterprise")
    own = report_of(client, mine)
    other_id, other_uscc, _ = a_report(client, enterprises.c.uscc != mine)
    assert login(client, "enterprise").status_code == 303

    r = client.get(f"/api/v1/reports/{other_id}")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert other_uscc not in r.text
    assert '"values"' not in r.text
    # the same answer as for a report that does not exist: ids tell nothing
    missing = client.get("/api/v1/reports/2147483647")
    assert missing.status_code == 404
    assert r.json()["title"] == missing.json()["title"] == "NotFoundError"

    assert client.get(f"/en/review/{other_id}").status_code in (403, 404)
    listed = client.get("/api/v1/reports", params={"per_page": 1000}).json()
    assert listed["items"] and {i["uscc"] for i in listed["items"]} == {mine}

    r = client.get(f"/api/v1/reports/{own['id']}")
    assert r.status_code == 200
    assert r.json()["uscc"] == mine
    assert r.json()["values"]["operating_revenue"] == pytest.approx(
        own["values"]["operating_revenue"]
    )


def test_a_zone_administrator_reads_only_its_zone(client):
    zone = scope_of(client, "zone")
    inside_id, _, _ = a_report(client, enterprises.c.zone_code == zone)
    outside_id, outside_uscc, _ = a_report(client, enterprises.c.zone_code != zone)
    assert login(client, "zone").status_code == 303

    r = client.get(f"/api/v1/reports/{outside_id}")
    assert r.status_code == 404
    assert outside_uscc not in r.text
    r = client.get(f"/en/review/{outside_id}")
    assert r.status_code == 404
    assert outside_uscc not in r.text

    assert client.get(f"/api/v1/reports/{inside_id}").json()["zone_code"] == zone
    assert client.get(f"/en/review/{inside_id}").status_code == 200
    listed = client.get("/api/v1/reports", params={"period": PERIOD, "per_page": 1000})
    assert {i["zone_code"] for i in listed.json()["items"]} == {zone}

    # nor may it decide on another zone's report
    page = client.get(f"/en/review/{inside_id}")
    r = client.post(
        f"/en/review/{outside_id}",
        data={"action": "approve", "version": "1", "csrf_token": csrf_of(page.text)},
    )
    assert r.status_code == 404


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "/\\/evil.example/",
        "\\\\evil.example/",
        "/\t/evil.example/",
        " //evil.example/",
        "javascript:alert(1)",
    ],
)
def test_a_sign_in_never_sends_the_browser_off_the_site(client, target):
    page = client.get(f"/en/login?next={quote(target)}")
    r = client.post(
        "/en/login",
        data={
            "username": client.accounts["zone"],
            "password": "demo-zone-2023",
            "next": target,
            "csrf_token": csrf_of(page.text),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    location = r.headers["location"]
    # a path on this site, as a browser reads it (browsers take a backslash for a slash)
    assert location.startswith("/") and not location.startswith("//"), location
    assert "\\" not in location and not any(c.isspace() for c in location), location


# --- CSRF ------------------------------------------------------------------------------


def test_the_sign_in_form_needs_its_csrf_token(client):
    page = client.get("/en/login")
    data = {"username": client.accounts["national"], "password": "demo-national-2023"}
    r = client.post("/en/login", data=data, follow_redirects=False)
    assert r.status_code == 403
    assert "htz_session" not in r.cookies
    r = client.post("/en/login", data={**data, "csrf_token": "0" * 64}, follow_redirects=False)
    assert r.status_code == 403
    r = client.post(
        "/en/login", data={**data, "csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
    assert r.status_code == 303
    assert r.cookies.get("htz_session")


def test_a_token_from_another_browser_is_refused(client):
    """The token is bound to the browser's own CSRF cookie (signed double submit)."""
    theirs = csrf_of(client.get("/en/login").text)
    client.cookies.clear()
    client.get("/en/login")  # a new CSRF cookie
    r = client.post(
        "/en/login",
        data={
            "username": client.accounts["national"],
            "password": "demo-national-2023",
            "csrf_token": theirs,
        },
    )
    assert r.status_code == 403


def test_saving_a_report_needs_the_csrf_token(client):
    mine = scope_of(client, "enterprise")
    before = report_of(client, mine)
    assert login(client, "enterprise").status_code == 303
    page = client.get(f"/en/reports/{FORM}/{PERIOD}")
    token = csrf_of(page.text)
    values = {
        "operating_revenue": "80000",
        "exports": "60",
        "net_profit": "7500",
        "taxes_paid": "3400",
        "rd_expenditure": "2700",
        "employees": "900",
        "action": "submit",
        "comment": "forged",
    }

    r = client.post(f"/en/reports/{FORM}/{PERIOD}", data=values, follow_redirects=False)
    assert r.status_code == 403
    assert report_of(client, mine) == before

    r = client.post(
        f"/en/reports/{FORM}/{PERIOD}/check", data=values, headers={"X-CSRF-Token": "x" * 64}
    )
    assert r.status_code == 403

    api = f"/api/v1/reports/{FORM}/{PERIOD}"
    body = {"values": {"employees": 900.0}, "version": before["version"]}
    r = client.put(api, json=body)
    assert r.status_code == 403
    assert r.headers["content-type"] == "application/problem+json"
    assert report_of(client, mine) == before

    r = client.put(api, json=body, headers={"X-CSRF-Token": token})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "draft"
    after = report_of(client, mine)
    assert after["status"] == "draft"
    assert after["version"] == before["version"] + 1
    assert after["values"]["employees"] == 900.0


def test_signing_out_needs_the_token_too(client):
    login(client, "zone")
    r = client.post("/en/logout", follow_redirects=False)
    assert r.status_code == 403
    assert client.get("/api/v1/me").status_code == 200  # still signed in


# --- throttling ------------------------------------------------------------------------


def test_guessed_passwords_are_throttled_and_audited(client):
    name = client.accounts["zone"]
    for _ in range(5):
        r = login(client, "zone", password="not-the-password")
        assert r.status_code == 401
        assert "htz_session" not in r.cookies
    r = login(client, "zone")  # the right password, too late
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) > 0
    assert 'data-testid="throttled"' in r.text
    assert "htz_session" not in r.cookies
    # another account is not locked out by these failures
    assert login(client, "national").status_code == 303
    with database(client) as conn:
        failed = conn.execute(
            sa.select(sa.func.count()).where(
                audit_log.c.action == "login_failed", audit_log.c.entity_key == name
            )
        ).scalar_one()
        succeeded = conn.execute(
            sa.select(sa.func.count()).where(
                audit_log.c.action == "login", audit_log.c.entity_key == name
            )
        ).scalar_one()
    assert failed == 5
    assert succeeded == 0


def test_the_audit_log_names_a_failed_sign_in_for_an_unknown_user(client):
    r = login(client, "zone", password="x")
    assert r.status_code == 401
    page = client.get("/en/login")
    r = client.post(
        "/en/login",
        data={"username": "nobody", "password": "x", "csrf_token": csrf_of(page.text)},
    )
    assert r.status_code == 401
    with database(client) as conn:
        keys = set(
            conn.execute(
                sa.select(audit_log.c.entity_key).where(audit_log.c.action == "login_failed")
            ).scalars()
        )
    assert {"nobody", client.accounts["zone"]} <= keys


# --- cookies ---------------------------------------------------------------------------


def _set_cookie(response, name: str) -> str:
    found = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
    assert len(found) == 1, response.headers.get_list("set-cookie")
    return found[0].lower()


def test_session_cookie_flags(client):
    csrf = _set_cookie(client.get("/en/login"), "htz_csrf")
    assert "httponly" in csrf and "samesite=lax" in csrf and "secure" not in csrf
    r = login(client, "enterprise")
    assert r.status_code == 303
    session = _set_cookie(r, "htz_session")
    assert "httponly" in session
    assert "samesite=lax" in session
    assert "path=/" in session
    assert "secure" not in session  # plain http (a local test server)


def test_cookies_are_secure_over_https(tiny_demo, tmp_path):
    from tests.conftest import copy_demo

    settings = copy_demo(tiny_demo, tmp_path / "data")
    with TestClient(create_app(settings), base_url="https://testserver") as c:
        c.accounts = demo_accounts(settings)
        page = c.get("/en/login")
        assert "secure" in _set_cookie(page, "htz_csrf")
        r = login(c, "enterprise")
        assert r.status_code == 303
        session = _set_cookie(r, "htz_session")
        assert "secure" in session and "httponly" in session and "samesite=lax" in session


def test_signing_out_ends_the_session(client):
    login(client, "zone")
    token = client.cookies.get("htz_session")
    page = client.get("/en/review")
    r = client.post("/en/logout", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert r.status_code == 303
    # the old session cookie no longer works, even if a browser kept it
    client.cookies.set("htz_session", token)
    assert client.get("/api/v1/me").status_code == 401


def test_pages_and_answers_carry_the_security_headers(client):
    for path in ("/en/", "/en/login", "/api/v1/zones?per_page=1", "/en/no-such-page"):
        r = client.get(path)
        assert r.headers["X-Content-Type-Options"] == "nosniff", path
        assert r.headers["Referrer-Policy"] == "same-origin", path
        assert r.headers["X-Frame-Options"] == "DENY", path
        csp = r.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
        scripts = csp.split("script-src")[1].split(";")[0]
        assert "unsafe-eval" not in scripts and "unsafe-inline" not in scripts, path


# --- disclosure ------------------------------------------------------------------------


def _withheld(value, path=""):
    """Every dict under ``value`` flagged confidential, with where it was found."""
    if isinstance(value, dict):
        if value.get("confidential"):
            yield path, value
        for k, v in value.items():
            yield from _withheld(v, f"{path}/{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _withheld(v, f"{path}[{i}]")


NUMBERS = ("value", "growth_comparable", "growth_current", "lq")


def test_the_public_api_never_shows_a_withheld_value(client):
    releases = [r["period"] for r in client.get("/api/v1/releases").json()]
    assert "2023-Q3" in releases
    seen = 0
    for period in ("2023-Q3", releases[0], releases[-1]):
        url = f"/api/v1/aggregates?period={period}&per_page=700"
        pages = 0
        while url:
            body = client.get(url).json()
            pages += 1
            for row in body["items"]:
                if row["confidential"]:
                    seen += 1
                    assert row["value"] is None, row
                    assert row["growth_comparable"] is None, row
                    assert row["growth_current"] is None, row
                    assert row["reason"], row
            url = body["next"]
        assert pages >= 2  # the walk went through the pages
    assert seen > 0  # the demo has withheld cells, so the check checked something

    documents = {
        "bulletin": client.get("/api/v1/bulletins/2023-Q3").json(),
        "dashboard": client.get("/api/v1/dashboard").json(),
    }
    for name, doc in documents.items():
        found = list(_withheld(doc))
        assert found, name
        for path, cell in found:
            for key in NUMBERS:
                assert cell.get(key) is None, (name, path, cell)
    zone = next(
        z["code"]
        for z in documents["bulletin"]["by_zone"]
        if any(isinstance(c, dict) and c.get("confidential") for c in z.values())
    )
    for path, cell in _withheld(client.get(f"/api/v1/zones/{zone}").json()):
        for key in NUMBERS:
            assert cell.get(key) is None, (zone, path, cell)


# --- sign-in required ------------------------------------------------------------------


def test_anonymous_users_are_sent_to_sign_in(client):
    for path in ("/en/reports", "/en/review", "/en/upload", "/en/reports/monthly/2023-M09"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303, path
        assert r.headers["location"] == f"/en/login?next={path}"
    r = client.get("/api/v1/reports")
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["status"] == 401 and problem["title"] == "AuthError"
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/reports/1").status_code == 401
