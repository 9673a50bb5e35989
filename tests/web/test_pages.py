"""The pages through the TestClient: every public page in every language, the choice of
language, the live checks of the report form, scoped review queues, the national page's
role check, and the files people download."""

from __future__ import annotations

import csv
import io
import json
import re

import openpyxl
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from htz.store.schema import enterprises, reports
from tests.web.conftest import csrf_of, database, login, scope_of

pytestmark = pytest.mark.integration

LANGS = {"zh": "zh-CN", "en": "en", "vi": "vi"}
PERIOD = "2023-Q3"
ZONE = "zhongguancun"


def html_lang(html: str) -> str:
    found = re.search(r'<html lang="([^"]+)"', html)
    assert found, html[:200]
    return found.group(1)


PUBLIC = [
    "/",
    "/zones",
    f"/zones/{ZONE}",
    f"/zones/{ZONE}?period=2022",
    "/bulletin",
    f"/bulletin?period={PERIOD}",
    "/bulletin?period=2022",
    "/data",
    f"/data?period={PERIOD}",
    "/login",
    f"/?period={PERIOD}",
]


@pytest.mark.parametrize("lang", list(LANGS))
def test_every_public_page_answers_in_its_language(client, lang):
    for path in PUBLIC:
        r = client.get(f"/{lang}{path}")
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
        assert r.headers["content-type"].startswith("text/html")
        assert html_lang(r.text) == LANGS[lang], path
        # the language switch links the same page in the other languages
        for other in LANGS:
            assert f'hreflang="{other}"' in r.text
        assert "Content-Security-Policy" in r.headers


SIGNED_IN = {
    "enterprise": [
        "/reports",
        "/reports/monthly/2023-M09",
        "/reports/quarterly/2023-Q3",
        "/reports/annual/2022",
        "/upload",
    ],
    "zone": ["/review", "/review?status=", "/review-missing", "/review-quality", "/upload"],
    "province": ["/review", "/review?status=", "/review-missing", "/review-quality"],
    "national": ["/national", "/review?status=accepted", "/review-missing", "/review-quality"],
}


@pytest.mark.parametrize("role", list(SIGNED_IN))
def test_every_signed_in_page_answers_in_every_language(client, role):
    assert login(client, role).status_code == 303
    for lang, tag in LANGS.items():
        for path in SIGNED_IN[role]:
            r = client.get(f"/{lang}{path}")
            assert r.status_code == 200, (lang, path, r.status_code, r.text[:300])
            assert html_lang(r.text) == tag
            assert 'data-testid="signed-in"' in r.text
    missing = client.get("/en/review-missing?format=csv") if role != "enterprise" else None
    if missing is not None:
        assert missing.headers["content-type"] == "text/csv; charset=utf-8"
        header = missing.content.decode("utf-8-sig").splitlines()[0]
        assert header == "uscc,zone_code,section,status"


def test_the_dashboard_shows_the_headline_period_by_default(client):
    r = client.get("/en/")
    head = client.get(f"/api/v1/bulletins/{PERIOD}").json()
    assert head["period"] == PERIOD
    assert 'data-testid="tile-zone_gdp"' in r.text
    assert f"<code>{head['snapshot']}</code>" in r.text


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("vi-VN,vi;q=0.9", "vi"),
        ("en-GB,en;q=0.9", "en"),
        ("fr-FR,fr;q=0.9,zh;q=0.5,en;q=0.4", "zh"),
        ("de-DE", "en"),
        (None, "en"),
    ],
)
def test_root_follows_accept_language(client, header, lang):
    headers = {"Accept-Language": header} if header else {}
    r = client.get("/", headers=headers, follow_redirects=False)
    assert r.status_code == 307
    assert r.headers["location"] == f"/{lang}/"


def test_an_unknown_language_is_not_a_page(client):
    assert client.get("/fr/").status_code == 404
    assert client.get("/en/zones/no-such-zone").status_code == 404
    assert client.get("/en/bulletin/2023-Q9.html").status_code == 404


# --- the enterprise's report form ------------------------------------------------------


def test_the_report_form_checks_values_as_they_are_typed(client):
    assert login(client, "enterprise").status_code == 303
    form = client.get("/en/reports/monthly/2023-M09")
    assert form.status_code == 200
    assert 'data-testid="field-employees"' in form.text
    token = csrf_of(form.text)
    url = "/en/reports/monthly/2023-M09/check"

    bad = client.post(url, data={"employees": "-5"}, headers={"X-CSRF-Token": token})
    assert bad.status_code == 200
    slot = _slot(bad.text, "employees")
    assert 'data-rule="negative-value"' in slot
    assert "problem error" in slot
    # the problem is placed beside its field only
    assert "negative-value" not in _slot(bad.text, "operating_revenue")
    assert 'data-errors="1"' in bad.text

    good = client.post(url, data={"employees": "950"}, headers={"X-CSRF-Token": token})
    assert "negative-value" not in good.text
    assert 'data-errors="0"' in good.text

    # a value that is not a number is named, not a server error
    text = client.post(url, data={"employees": "lots"}, headers={"X-CSRF-Token": token})
    assert text.status_code == 200
    assert "is not a number" in text.text

    # the check stores nothing
    with database(client) as conn:
        status = conn.execute(
            sa.select(reports.c.status)
            .select_from(reports.join(enterprises))
            .where(
                enterprises.c.uscc == scope_of(client, "enterprise"),
                reports.c.form == "monthly",
                reports.c.period == "2023-M09",
            )
        ).scalar_one()
    assert status == "imputed"


def test_an_edit_after_submission_is_checked_again(client):
    assert login(client, "enterprise").status_code == 303
    token = csrf_of(client.get("/en/reports").text)
    (listed,) = client.get("/api/v1/reports", params={"period": "2023-M09"}).json()["items"]
    values = client.get(f"/api/v1/reports/{listed['id']}").json()["values"]
    values = {k: v for k, v in values.items() if v is not None} | {"employees": 900.0}
    r = client.put(
        "/api/v1/reports/monthly/2023-M09",
        json={"values": values, "version": listed["version"], "submit": True, "comment": "ok"},
        headers={"X-CSRF-Token": token},
    )
    assert r.json()["status"] == "submitted"
    form = client.get("/en/reports/monthly/2023-M09").text
    r = client.post(
        "/en/reports/monthly/2023-M09",
        data={
            **{k: str(v / 1e4 if k != "employees" else v) for k, v in values.items()},
            "employees": "-5",
            "action": "save",
            "version": str(r.json()["version"]),
            "csrf_token": csrf_of(form),
        },
    )
    after = client.get(f"/api/v1/reports/{listed['id']}").json()
    # refused with the error beside the form; the report in review keeps its values
    assert r.status_code == 422 and "negative" in r.text
    assert after["status"] == "submitted" and after["values"]["employees"] == 900.0


def _slot(html: str, code: str) -> str:
    found = re.search(
        rf'<div class="field-problems" id="problems-{code}"[^>]*>(.*?)</div>', html, re.S
    )
    assert found, f"no problems slot for {code}"
    return found.group(1)


def test_the_report_form_needs_an_enterprise(client):
    r = client.get("/en/reports/monthly/2023-M09", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/en/login")
    login(client, "zone")
    assert client.get("/en/reports/monthly/2023-M09").status_code == 403


# --- reviewers -------------------------------------------------------------------------


def _queue_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'href="/en/review/(\d+)"', html)]


def test_the_zone_review_queue_lists_only_its_zone(client):
    assert login(client, "zone").status_code == 303
    zone = scope_of(client, "zone")
    r = client.get("/en/review", params={"status": "", "period": "2023-M09"})
    assert r.status_code == 200
    ids = _queue_ids(r.text)
    assert len(ids) == 50  # a full page (the zone has many more)
    with database(client) as conn:
        zones_of = set(
            conn.execute(
                sa.select(enterprises.c.zone_code)
                .select_from(reports.join(enterprises))
                .where(reports.c.id.in_(ids))
            ).scalars()
        )
        other = conn.execute(
            sa.select(enterprises.c.zone_code).where(enterprises.c.zone_code != zone).limit(1)
        ).scalar_one()
    assert zones_of == {zone}
    # asking for another zone's reports shows none
    r = client.get("/en/review", params={"status": "", "zone": other})
    assert _queue_ids(r.text) == []
    # the national user sees other zones' reports in the same queue
    client.cookies.clear()
    login(client, "national")
    r = client.get("/en/review", params={"status": "", "zone": other})
    assert _queue_ids(r.text)


def test_the_national_page_needs_the_national_role(client):
    r = client.get("/en/national", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/en/login?next=/en/national"
    login(client, "zone")
    assert client.get("/en/national").status_code == 403
    client.cookies.clear()
    login(client, "enterprise")
    assert client.get("/en/national").status_code == 403
    client.cookies.clear()
    login(client, "national")
    r = client.get("/en/national")
    assert r.status_code == 200
    assert 'data-testid="publish"' in r.text


def test_a_sign_in_goes_to_the_role_home_or_back_where_it_was(client):
    r = login(client, "zone")
    assert r.headers["location"] == "/en/review"
    client.cookies.clear()
    page = client.get("/en/login?next=/en/national")
    r = client.post(
        "/en/login",
        data={
            "username": client.accounts["national"],
            "password": "demo-national-2023",
            "next": "https://evil.example/",
            "csrf_token": csrf_of(page.text),
        },
        follow_redirects=False,
    )
    assert r.headers["location"] == "/en/national"  # never off the site


# --- downloads -------------------------------------------------------------------------


@pytest.mark.parametrize("lang", list(LANGS))
def test_bulletin_downloads(client, lang):
    base = f"/{lang}/bulletin/{PERIOD}"
    html = client.get(f"{base}.html")
    assert html.status_code == 200
    assert html.headers["content-type"] == "text/html; charset=utf-8"
    assert "attachment" in html.headers["content-disposition"]
    assert html_lang(html.text).startswith(lang)

    md = client.get(f"{base}.md")
    assert md.headers["content-type"] == "text/markdown; charset=utf-8"
    assert md.text.lstrip().startswith("#")

    js = client.get(f"{base}.json")
    assert js.headers["content-type"] == "application/json"
    data = json.loads(js.content)
    assert data == client.get(f"/api/v1/bulletins/{PERIOD}").json()

    xlsx = client.get(f"{base}.xlsx")
    assert xlsx.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content), read_only=True)
    assert book.sheetnames
    book.close()

    assert client.get(f"{base}.pdf").status_code == 404
    assert client.get(f"/{lang}/bulletin/1999-Q1.html").status_code == 404


def test_open_data_downloads(client):
    api = client.get("/api/v1/aggregates", params={"period": PERIOD, "per_page": 1000})
    total = api.json()["total"]
    base = f"/en/data/aggregates-{PERIOD}"

    r = client.get(f"{base}.csv")
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.content.startswith("\ufeff".encode())  # Excel reads the BOM as UTF-8
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == total
    assert rows[0]["period"] == PERIOD
    assert {"code", "indicator", "value", "confidential"} <= set(rows[0])
    withheld = [row for row in rows if row["confidential"] == "True"]
    assert withheld and all(row["value"] == "" for row in withheld)

    r = client.get(f"{base}.xlsx")
    assert r.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
    sheet = book["data"]
    table = list(sheet.values)
    book.close()
    assert table[0][:3] == ("period", "level", "code")
    assert len(table) == total + 1

    r = client.get(f"{base}.parquet")
    assert r.headers["content-type"] == "application/vnd.apache.parquet"
    arrow = pq.read_table(io.BytesIO(r.content))
    assert arrow.num_rows == total
    assert "value" in arrow.column_names
    national = [
        row
        for row in arrow.to_pylist()
        if row["level"] == "national" and row["indicator"] == "zone_gdp"
    ]
    head = client.get(f"/api/v1/bulletins/{PERIOD}").json()["headline"]["zone_gdp"]
    assert national[0]["value"] == pytest.approx(head["value"])

    assert client.get(f"{base}.exe").status_code == 404


def test_every_zone_page_renders_including_zones_with_withheld_figures(client):
    zones = client.get("/api/v1/zones", params={"per_page": 1000}).json()["items"]
    withheld = 0
    for z in zones:
        r = client.get(f"/en/zones/{z['code']}")
        assert r.status_code == 200, (z["code"], r.text[:300])
        withheld += "withheld" in r.text
    assert len(zones) >= 178 and withheld > 0  # the tiny demo withholds some zones' cells
