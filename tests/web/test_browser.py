"""The site in Debian's Chromium (Playwright): the dashboard in every language shows the
published bulletin's numbers with its charts drawn, offline; and the whole path of a figure,
from an enterprise typing it to the public page, through review and publication."""

from __future__ import annotations

import math
import re
from urllib.parse import urlparse

import pytest

from htz.publish import numbers
from tests.browser import ARGS, ARTIFACTS, CHROMIUM, MARKS

SCREENSHOTS = ARTIFACTS / "screenshots"
playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect
pytestmark = [*MARKS, pytest.mark.slow]
PERIOD = "2023-Q3"
LONG = 180_000  # ms: building a snapshot and publishing every bulletin takes a while

# sampled non-transparent pixels of a chart's first canvas (0 until ECharts has drawn)
PAINTED = """(id) => {
  const canvas = document.querySelector('#' + id + ' canvas');
  if (!canvas || !canvas.width || !canvas.height) return 0;
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let n = 0;
  for (let i = 3; i < data.length; i += 4 * 7) if (data[i] > 0) n++;
  return n;
}"""
MAP_DRAWN = """() => {
  const el = document.getElementById('map-chart');
  const chart = window.echarts && echarts.getInstanceByDom(el);
  return !!chart && chart.getOption().series.length == 2;
}"""


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Tab:
    """A page in its own browser context (its own cookies) that records console errors
    and every request that would have left the site (those are aborted)."""

    def __init__(self, browser, site, lang: str = "en"):
        self.context = browser.new_context(
            base_url=site.url,
            viewport={"width": 1366, "height": 900},
            locale={"zh": "zh-CN", "en": "en-GB", "vi": "vi-VN"}[lang],
        )
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))

    def _route(self, route) -> None:
        url = route.request.url
        if urlparse(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text} ({message.location})")

    def assert_clean(self) -> None:
        assert not self.errors, self.errors
        assert not self.outside, f"requests that left the site: {self.outside}"


@pytest.fixture
def tabs(browser, site, request):
    """``tabs(lang)`` opens a Tab; each is closed after the test, and their pages are
    screenshot by tests/web/conftest.py when the test fails."""
    opened: list[Tab] = []
    request.node.htz_pages = []

    def open_tab(lang: str = "en") -> Tab:
        tab = Tab(browser, site, lang)
        opened.append(tab)
        request.node.htz_pages.append(tab.page)
        return tab

    yield open_tab
    for tab in opened:
        tab.context.close()


def get_json(tab: Tab, path: str):
    r = tab.context.request.get(path)
    assert r.ok, (path, r.status, r.text())
    return r.json()


def sign_in(tab: Tab, site, role: str, lang: str = "en") -> None:
    page = tab.page
    page.goto(f"/{lang}/login")
    page.get_by_label("User name").fill(site.accounts[role])
    page.get_by_label("Password").fill(site.password(role))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("signed-in")).to_contain_text(site.accounts[role])


# --- the dashboard ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en", "vi"])
def test_dashboard_shows_the_bulletin_with_its_charts(tabs, site, lang):
    tab = tabs(lang)
    page = tab.page
    bulletin = get_json(tab, f"/api/v1/bulletins/{PERIOD}")
    assert bulletin["period"] == PERIOD

    page.goto(f"/{lang}/")
    expect(page.locator("html")).to_have_attribute("lang", re.compile(f"^{lang}"))
    for code in ("zone_gdp", "operating_revenue", "exports"):
        cell = bulletin["headline"][code]
        tile = page.get_by_test_id(f"tile-{code}")
        expect(tile.locator(".value")).to_have_text(numbers.money(cell["value"], lang))
        expect(tile.locator(".growth b")).to_have_text(
            numbers.percent(cell["growth_comparable"], lang, signed=True)
        )
    expect(page.get_by_test_id("tile-zones").locator(".value")).to_have_text(
        numbers.integer(bulletin["zones"], lang)
    )

    page.wait_for_function(MAP_DRAWN)
    for chart in ("trend-chart", "map-chart"):
        canvas = page.locator(f"#{chart} canvas").first
        box = canvas.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 200, (chart, box)
        page.wait_for_function(f"() => ({PAINTED})('{chart}') > 100")
    # the trend chart has one bar per published quarter
    quarters = [r["period"] for r in get_json(tab, "/api/v1/releases") if "-Q" in r["period"]]
    bars = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('trend-chart'))"
        ".getOption().series[0].data.length"
    )
    assert bars == len(quarters)

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"dashboard-{lang}.png"), full_page=True)
    tab.assert_clean()


# --- from a typed figure to the published one ------------------------------------------


def _cell_number(text: str) -> float | None:
    text = text.strip().replace(",", "")
    return None if text in ("", "—") else float(text)


def _form_columns(page) -> dict[str, tuple[float | None, float | None]]:
    """Field code → (previous period, same period last year) as the form shows them, in
    the units typed (万元 for amounts)."""
    out = {}
    rows = page.locator("tr.field-row")
    for i in range(rows.count()):
        row = rows.nth(i)
        code = row.locator("input.value").get_attribute("name")
        cells = row.locator("td.num")
        out[code] = (
            _cell_number(cells.nth(0).inner_text()),
            _cell_number(cells.nth(1).inner_text()),
        )
    return out


def test_a_report_goes_from_the_form_to_the_published_figures(tabs, site):
    ent = tabs("en")
    sign_in(ent, site, "enterprise")
    me = get_json(ent, "/api/v1/me")
    (report,) = get_json(ent, "/api/v1/reports?form=monthly&period=2023-M09")["items"]
    assert report["status"] == "imputed"
    zone = report["zone_code"]
    imputed = get_json(ent, f"/api/v1/reports/{report['id']}")["values"]["operating_revenue"]
    before = get_json(ent, f"/api/v1/zones/{zone}?period={PERIOD}")["figures"]
    before_revenue = before["operating_revenue"]["value"]
    assert before_revenue and not before["operating_revenue"]["confidential"]
    tiles = get_json(ent, f"/api/v1/dashboard?period={PERIOD}")["tiles"]
    national_before = tiles["operating_revenue"]["value"]

    # the enterprise opens its report from its history
    page = ent.page
    page.goto("/en/reports")
    page.locator('a[href="/en/reports/monthly/2023-M09"]').first.click()
    expect(page.get_by_test_id("status")).to_have_text("imputed")
    columns = _form_columns(page)
    assert {"operating_revenue", "employees"} <= set(columns)

    # a negative head count: the error appears beside the field, without submitting
    page.get_by_test_id("field-employees").fill("-5")
    problem = page.locator("#problems-employees [data-rule='negative-value']")
    expect(problem).to_be_visible()
    expect(problem).to_have_class(re.compile(r"\berror\b"))
    expect(page.get_by_test_id("check-summary")).to_have_attribute("data-errors", "1")
    assert page.url.endswith("/en/reports/monthly/2023-M09")
    expect(page.get_by_test_id("status")).to_have_text("imputed")

    # corrected
    employees_before, employees_last_year = columns["employees"]
    employees = round(employees_before or employees_last_year or 10)
    page.get_by_test_id("field-employees").fill(str(employees))
    expect(problem).to_have_count(0)

    # the other figures: a ninth month on the eighth's year to date, or last year's + 5 %
    for code, (previous, last_year) in columns.items():
        if code in ("employees", "operating_revenue"):
            continue
        if previous is not None:
            value = previous * 9 / 8 if previous > 0 else previous
        elif last_year is not None:
            value = last_year * 1.05
        else:
            continue  # not reported before: left empty (missing, not zero)
        page.get_by_test_id(f"field-{code}").fill(f"{value:.2f}")
    # operating revenue: a jump large enough to move the zone's published total by more
    # than its rounding (2 % of it), explained in the comment
    revenue_yuan = imputed + 0.02 * before_revenue
    page.get_by_test_id("field-operating_revenue").fill(str(math.ceil(revenue_yuan / 1e4)))
    expect(page.locator("#problems-operating_revenue [data-rule='yoy-jump']")).to_be_visible()
    summary = page.get_by_test_id("check-summary")
    expect(summary).to_have_attribute("data-errors", "0")
    assert int(summary.get_attribute("data-warnings")) >= 1
    page.get_by_test_id("comment").fill("A large one-off contract was delivered in September.")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("saved")).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_text("submitted")
    entered = get_json(ent, f"/api/v1/reports/{report['id']}")["values"]
    assert entered["employees"] == employees
    assert entered["operating_revenue"] == math.ceil(revenue_yuan / 1e4) * 1e4

    # the zone administrator approves it
    reviewer = tabs("en")
    sign_in(reviewer, site, "zone")
    page = reviewer.page
    expect(page).to_have_url(re.compile(r"/en/review$"))
    # the queue's filters (htmx: the list changes in place, the address follows)
    page.get_by_label("Form").select_option("monthly")
    expect(page).to_have_url(re.compile(r"form=monthly"))
    page.get_by_label("Period").fill("2023-M09")
    page.get_by_label("Period").press("Tab")
    expect(page).to_have_url(re.compile(r"period=2023-M09"))
    page.get_by_test_id(f"review-{me['scope']}-2023-M09").click()
    expect(page.get_by_test_id("status")).to_have_text("submitted")
    page.get_by_test_id("approve").click()
    expect(page).to_have_url(re.compile(r"/en/review\?done=approve$"))
    page.goto(f"/en/review/{report['id']}")
    expect(page.get_by_test_id("status")).to_have_text("approved")

    # the national statistician builds a snapshot and publishes it
    statistician = tabs("en")
    sign_in(statistician, site, "national")
    page = statistician.page
    expect(page).to_have_url(re.compile(r"/en/national$"))
    page.get_by_test_id("build").click()
    expect(page.get_by_test_id("message")).to_contain_text("snapshot", timeout=LONG)
    snapshot = re.search(r"snapshot (\w+)", page.get_by_test_id("message").inner_text())[1]
    page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("message")).to_contain_text(
        f"published snapshot {snapshot}", timeout=LONG
    )

    # the public sees the new figure: in the national total always; in the zone's, unless
    # the new value changed what disclosure control withholds (then the zone shows "c")
    entered_yuan = math.ceil(revenue_yuan / 1e4) * 1e4
    tiles = get_json(statistician, f"/api/v1/dashboard?period={PERIOD}")["tiles"]
    assert tiles["operating_revenue"]["value"] == pytest.approx(
        national_before - imputed + entered_yuan, rel=1e-12
    )
    after = get_json(statistician, f"/api/v1/zones/{zone}?period={PERIOD}")
    assert after["snapshot"] == snapshot
    cell = after["figures"]["operating_revenue"]
    public = tabs("en")
    public.page.goto(f"/en/zones/{zone}?period={PERIOD}")
    shown = public.page.get_by_test_id("figure-operating_revenue")
    if cell["confidential"]:
        assert cell["value"] is None and cell["reason"]
        expect(shown).to_have_text("c")
    else:
        after_revenue = cell["value"]
        assert after_revenue == pytest.approx(before_revenue - imputed + entered_yuan, rel=1e-9)
        assert numbers.money(after_revenue, "en") != numbers.money(before_revenue, "en")
        expect(shown).to_have_text(numbers.money(after_revenue, "en"))
    for tab in (ent, reviewer, statistician, public):
        tab.assert_clean()
