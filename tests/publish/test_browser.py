"""The html bulletin in a real browser: opens offline, charts drawn, in every language."""

import pytest

from htz import app as application
from htz.analytics import bulletin
from htz.analytics.frame import open_frame
from htz.publish import render
from tests.analytics.conftest import make_by_hand
from tests.browser import ARGS, ARTIFACTS, CHROMIUM, MARKS

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = MARKS


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("lang", ["zh", "en", "vi"])
def test_html_bulletin_opens_offline_with_its_charts(htz_app, browser, tmp_path, lang):
    make_by_hand(htz_app)
    data = bulletin.compute(
        open_frame(application.latest_snapshot(htz_app)), "2023-Q3", {"synthetic": "test"}
    )
    page_file = tmp_path / f"bulletin-{lang}.html"
    page_file.write_text(render.html(data, lang), encoding="utf-8")
    context = browser.new_context(offline=True)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto(page_file.as_uri())
        charts = page.locator("svg")
        assert charts.count() >= 2
        for i in range(charts.count()):
            box = charts.nth(i).bounding_box()
            assert box and box["width"] > 100 and box["height"] > 20
        # the headline chart has its bars (charts of withheld cells may have none)
        assert charts.nth(0).locator("rect").count() >= 3
        assert page.locator("html").get_attribute("lang").startswith(lang)
        assert all(url.startswith("file://") for url in requests), requests
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"bulletin-{lang}.png"), full_page=True)
        raise
    finally:
        context.close()
