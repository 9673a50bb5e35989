"""The JSON API: schemathesis over every operation of the OpenAPI document (anonymous, and
signed in as an enterprise with its CSRF token) finds no server error; pagination, CSV,
problem+json; and the JSON twins carry the figures the pages and the bulletin show."""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from dataclasses import dataclass

import pytest
import schemathesis
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from htz.publish import numbers
from htz.store.schema import enterprises, reports
from htz.web.app import create_app
from tests.conftest import copy_demo
from tests.web.conftest import csrf_of, demo_accounts, login

pytestmark = pytest.mark.integration

PERIOD = "2023-Q3"
EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    database=None,  # no example database left in the work tree
    derandomize=True,  # the same examples on every run (CI repeats what a developer saw)
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@dataclass
class Credentials:
    cookies: dict[str, str]
    headers: dict[str, str]


@pytest.fixture(scope="module")
def api_app(tiny_demo, tmp_path_factory):
    """The site's ASGI app on its own copy of the demo (schemathesis calls it in-process)."""
    settings_ = copy_demo(tiny_demo, tmp_path_factory.mktemp("api"))
    app = create_app(settings_)
    app.state.accounts = demo_accounts(settings_)
    yield app
    app.state.htz.close()


@pytest.fixture(scope="module")
def api_schema(api_app):
    return schemathesis.openapi.from_asgi("/api/openapi.json", api_app)


@pytest.fixture(scope="module")
def enterprise(api_app) -> Credentials:
    """A signed-in enterprise: its session cookie, CSRF cookie and X-CSRF-Token header."""
    c = TestClient(api_app)
    c.accounts = api_app.state.accounts
    r = login(c, "enterprise")
    assert r.status_code == 303, r.text
    token = csrf_of(c.get("/en/reports").text)
    cookies = {name: c.cookies[name] for name in ("htz_session", "htz_csrf")}
    c.close()
    return Credentials(cookies, {"X-CSRF-Token": token})


def fuzz(schema, credentials: Credentials | None = None) -> tuple[dict[str, Counter], list[str]]:
    """Every operation with generated requests, valid and invalid ones: (the statuses each
    operation answered, failures). schemathesis' own pytest integration (``from_fixture``)
    does not run under pytest 9, so the operations are walked here, each under Hypothesis."""
    statuses: dict[str, Counter] = {}
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()  # an invalid schema fails here
        seen = statuses.setdefault(operation.label, Counter())
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _fuzz_one(operation, mode, credentials, seen)
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE  # no parameter to get wrong
            except Exception as exc:  # collected: one run reports every failing operation
                failures.append(f"{operation.label} ({mode.value}):\n{exc}")
    return statuses, failures


def _fuzz_one(operation, mode, credentials: Credentials | None, seen: Counter) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @EXAMPLES
    def run(case):
        # a fresh dict each call: call() adds its own headers to the dict it gets
        headers = dict(credentials.headers) if credentials else None
        response = case.call(headers=headers, cookies=credentials and credentials.cookies)
        seen[response.status_code] += 1
        case.validate_response(response, checks=[not_a_server_error], headers=headers)

    run()


SCOPED = [
    "GET /api/v1/me",
    "GET /api/v1/reports",
    "PUT /api/v1/reports/{form}/{period}",
    "POST /api/v1/check",
    "POST /api/v1/imports",
]


def test_no_operation_fails_anonymously(api_schema):
    statuses, failures = fuzz(api_schema)
    print({label: dict(seen) for label, seen in statuses.items()})
    assert not failures, "\n\n".join(failures)
    assert len(statuses) >= 16 and set(SCOPED) <= set(statuses)
    assert 200 in statuses["GET /api/v1/zones"]
    for label in SCOPED:  # never answered without a sign-in
        assert 200 not in statuses[label], (label, statuses[label])


def test_no_operation_fails_for_a_signed_in_enterprise(api_schema, enterprise):
    statuses, failures = fuzz(api_schema, enterprise)
    print({label: dict(seen) for label, seen in statuses.items()})
    assert not failures, "\n\n".join(failures)
    # signed in, with the CSRF token: the scoped routes answered (not only 401 and 403)
    for label in ("GET /api/v1/me", "GET /api/v1/reports", "POST /api/v1/check"):
        assert 200 in statuses[label], (label, statuses[label])
    assert set(statuses["PUT /api/v1/reports/{form}/{period}"]) - {401, 403}


MONTHLY = (
    "operating_revenue",
    "industrial_output",
    "exports",
    "net_profit",
    "taxes_paid",
    "rd_expenditure",
    "employees",
)


@given(
    values=st.dictionaries(
        st.sampled_from(MONTHLY),
        st.none() | st.floats(allow_nan=False, allow_infinity=False, width=64),
    )
)
@EXAMPLES
def test_what_an_enterprise_puts_is_what_it_reads_back(api_app, enterprise, values):
    """Any finite values (negative, huge, tiny, missing) are stored exactly as sent; the
    rules judge them when the report is submitted, not when it is saved."""
    c = TestClient(api_app)
    c.cookies.update(enterprise.cookies)
    (listed,) = c.get("/api/v1/reports", params={"period": "2023-M09"}).json()["items"]
    r = c.put(
        "/api/v1/reports/monthly/2023-M09",
        json={"values": values, "version": listed["version"]},
        headers=enterprise.headers,
    )
    assert r.status_code == 200, r.text
    saved = r.json()
    assert saved["version"] == listed["version"] + 1
    assert saved["status"] == "draft"
    back = c.get(f"/api/v1/reports/{saved['id']}").json()["values"]
    c.close()
    assert back == {k: v for k, v in values.items() if v is not None}


def test_the_fuzzing_credentials_are_accepted(api_app, enterprise):
    """The signed-in run really is signed in (or it would only test the 401s)."""
    c = TestClient(api_app)
    c.cookies.update(enterprise.cookies)
    assert c.get("/api/v1/me").json()["role"] == "enterprise"
    r = c.post(
        "/api/v1/check",
        json={"form": "monthly", "period": "2023-M09", "values": {"employees": -5}},
        headers=enterprise.headers,
    )
    assert r.status_code == 200
    assert "negative-value" in {v["rule"] for v in r.json()}
    c.close()


# --- plain tests -----------------------------------------------------------------------


def test_zones_are_paginated(client):
    r = client.get("/api/v1/zones", params={"per_page": 50})
    assert r.status_code == 200
    body = r.json()
    assert len(body["items"]) == 50
    assert body["total"] >= 178
    assert body["page"] == 1 and body["per_page"] == 50
    assert body["next"].endswith("/api/v1/zones?page=2&per_page=50")
    seen = [z["code"] for z in body["items"]]
    url = body["next"]
    while url:
        body = client.get(url).json()
        seen += [z["code"] for z in body["items"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == body["total"]
    last = client.get("/api/v1/zones", params={"per_page": 50, "page": 99}).json()
    assert last["items"] == [] and last["next"] is None


def test_reports_are_paginated_with_their_true_total(client):
    login(client, "zone")
    zone = client.get("/api/v1/me").json()["scope"]
    engine = sa.create_engine(client.settings.database_url)
    with engine.connect() as conn:
        count = conn.execute(
            sa.select(sa.func.count())
            .select_from(reports.join(enterprises))
            .where(enterprises.c.zone_code == zone, reports.c.form == "monthly")
        ).scalar_one()
    engine.dispose()
    assert count > 100
    first = client.get("/api/v1/reports", params={"form": "monthly", "per_page": 40}).json()
    assert len(first["items"]) == 40
    assert first["total"] == count
    assert first["next"].endswith("page=2&per_page=40")
    pages = math.ceil(count / 40)
    last = client.get(
        "/api/v1/reports", params={"form": "monthly", "per_page": 40, "page": pages}
    ).json()
    assert len(last["items"]) == count - 40 * (pages - 1)
    assert last["total"] == count and last["next"] is None
    second = client.get(first["next"]).json()
    assert not {r["id"] for r in first["items"]} & {r["id"] for r in second["items"]}
    csv_page = client.get(
        "/api/v1/reports", params={"form": "monthly", "per_page": 40, "format": "csv"}
    )
    assert len(list(csv.DictReader(io.StringIO(csv_page.content.decode("utf-8-sig"))))) == 40


def test_import_problems_name_the_uploaded_file(client):
    login(client, "enterprise")
    token = csrf_of(client.get("/en/upload").text)
    broken = b"uscc,period\n"
    r = client.post(
        "/api/v1/imports",
        data={"form": "monthly"},
        files={"file": ("my figures.csv", broken, "text/csv")},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 400
    detail = r.json()["detail"]
    assert detail.startswith("my figures.csv: ")
    assert "/tmp" not in detail and "upload.csv" not in detail
    r = client.post(
        "/en/upload",
        data={"form": "monthly", "csrf_token": token},
        files={"file": ("my figures.csv", broken, "text/csv")},
    )
    assert r.status_code == 400
    assert "my figures.csv: " in r.text and "upload.csv" not in r.text
    r = client.post(
        "/api/v1/imports",
        data={"form": "monthly"},
        files={"file": ("figures.pdf", b"%PDF-1.4", "application/pdf")},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 400  # a file htz cannot read is bad input, not "not found"
    assert r.headers["content-type"] == "application/problem+json"


def test_zones_as_csv(client):
    r = client.get("/api/v1/zones", params={"format": "csv", "per_page": 1000, "lang": "zh"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == client.get("/api/v1/zones").json()["total"]
    zgc = next(row for row in rows if row["code"] == "zhongguancun")
    assert zgc["name"] == zgc["name_zh"] and zgc["name_zh"].startswith("中关村")


def test_aggregates_as_csv_page_by_page(client):
    first = client.get("/api/v1/aggregates", params={"format": "csv", "per_page": 10})
    rows = list(csv.DictReader(io.StringIO(first.content.decode("utf-8-sig"))))
    assert len(rows) == 10
    assert rows[0]["period"] == PERIOD and rows[0]["level"] == "national"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/zones/no-such-zone", 404),
        ("/api/v1/bulletins/1999-Q1", 404),
        ("/api/v1/no-such-route", 404),
        ("/api/v1/aggregates?indicator=nothing", 404),
        ("/api/v1/zones?per_page=0", 422),
        ("/api/v1/bulletins/2023-Q9", 422),
    ],
)
def test_errors_are_problem_json(client, path, status):
    r = client.get(path)
    assert r.status_code == status
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["status"] == status
    assert problem["title"] and problem["detail"]
    assert problem["type"].startswith("https://")


def test_the_dashboard_json_is_the_bulletin(client):
    bulletin = client.get(f"/api/v1/bulletins/{PERIOD}").json()
    dashboard = client.get("/api/v1/dashboard").json()
    assert dashboard["period"] == bulletin["period"] == PERIOD
    assert dashboard["snapshot"] == bulletin["snapshot"]
    assert dashboard["zones"] == bulletin["zones"]
    for code, tile in dashboard["tiles"].items():
        cell = bulletin["headline"][code]
        assert tile["value"] == cell["value"]
        assert tile["growth_comparable"] == cell["growth_comparable"]
    (point,) = [t for t in dashboard["trend"] if t["period"] == PERIOD]
    assert point["zone_gdp"] == bulletin["headline"]["zone_gdp"]["value"]
    by_zone = {z["code"]: z for z in bulletin["by_zone"]}
    for z in dashboard["ranking"][:20]:
        assert z["operating_revenue"]["value"] == by_zone[z["code"]]["operating_revenue"]["value"]


@pytest.mark.parametrize("lang", ["zh", "en", "vi"])
def test_the_dashboard_page_shows_the_json_figures(client, lang):
    dashboard = client.get("/api/v1/dashboard", params={"lang": lang}).json()
    page = client.get(f"/{lang}/").text
    gdp = dashboard["tiles"]["zone_gdp"]
    assert numbers.money(gdp["value"], lang) in page
    assert numbers.percent(gdp["growth_comparable"], lang, signed=True) in page


def test_the_zone_json_is_the_zone_page(client):
    data = client.get("/api/v1/zones/zhongguancun", params={"period": PERIOD}).json()
    bulletin = client.get(f"/api/v1/bulletins/{PERIOD}").json()
    mine = next(z for z in bulletin["by_zone"] if z["code"] == "zhongguancun")
    assert data["figures"]["operating_revenue"]["value"] == mine["operating_revenue"]["value"]
    page = client.get(f"/en/zones/zhongguancun?period={PERIOD}").text
    shown = numbers.money(data["figures"]["operating_revenue"]["value"], "en")
    assert f'data-testid="figure-operating_revenue">{shown}<' in page


def test_releases_list_every_published_period(client):
    releases = client.get("/api/v1/releases").json()
    periods = [r["period"] for r in releases]
    assert periods[0] == "2021-Q1" and PERIOD in periods and "2023" in periods
    for r in releases:
        assert len(r["sha256"]) == 64
        assert client.get(f"/api/v1/bulletins/{r['period']}").status_code == 200


def test_the_openapi_document_describes_the_api(client):
    doc = client.get("/api/openapi.json").json()
    assert doc["info"]["title"] == "htz API"
    assert "/api/v1/aggregates" in doc["paths"]
    assert not any(path.startswith("/{lang}") for path in doc["paths"])  # pages are not API
    assert client.get("/api/docs").status_code == 200


def test_an_enterprise_files_a_report_through_the_api(client):
    login(client, "enterprise")
    token = csrf_of(client.get("/en/reports").text)
    mine = client.get("/api/v1/me").json()
    listed = client.get("/api/v1/reports", params={"period": "2023-M09"}).json()["items"]
    (report,) = listed
    assert report["status"] == "imputed"
    current = client.get(f"/api/v1/reports/{report['id']}").json()
    values = {k: v for k, v in current["values"].items() if v is not None}
    values["employees"] = round(values["employees"])
    r = client.put(
        "/api/v1/reports/monthly/2023-M09",
        json={"values": values, "version": current["version"], "submit": True, "comment": "ok"},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "submitted"
    assert r.json()["uscc"] == mine["scope"]
    # a stale version is refused, not overwritten
    r = client.put(
        "/api/v1/reports/monthly/2023-M09",
        json={"values": values, "version": current["version"]},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 409
    assert r.headers["content-type"] == "application/problem+json"
