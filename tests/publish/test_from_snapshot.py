"""The bulletin of the hand-made data set (tests/analytics/conftest.py), rendered end to end."""

import xml.etree.ElementTree as ET

import pytest
from openpyxl import load_workbook

from htz import app as application
from htz.analytics import bulletin
from htz.analytics.frame import open_frame
from htz.publish import render
from tests.analytics.conftest import make_by_hand

pytestmark = pytest.mark.integration


def test_computed_bulletin_renders_in_every_language(htz_app, tmp_path):
    make_by_hand(htz_app)
    data = bulletin.compute(open_frame(application.latest_snapshot(htz_app)), "2023-Q3")
    for lang in ("zh", "en", "vi"):
        page = render.html(data, lang)
        ET.fromstring(page)
        render.xlsx(data, lang, tmp_path / f"{lang}.xlsx")
        assert len(load_workbook(tmp_path / f"{lang}.xlsx").sheetnames) == 8
    # zone GDP 165.6 yuan (hand-computed in tests/analytics), up 20% on a comparable basis
    assert "实现园区生产总值165.60元，按可比口径同比增长20.00%" in render.markdown(data, "zh")
    assert "165.60 yuan, up 20.00% year on year on a comparable basis" in render.markdown(
        data, "en"
    )
    assert "165,60 nhân dân tệ, tăng 20,00% so với cùng kỳ" in render.markdown(data, "vi")


def test_a_period_without_data_is_refused(htz_app):
    """`htz bulletin 2030-Q3` used to print an empty headline and exit 0."""
    from htz.errors import NotFoundError

    make_by_hand(htz_app)
    with pytest.raises(NotFoundError, match=r"no data for 2030-Q3; it covers 2022-M09 to 2023-M09"):
        application.figures(htz_app, "2030-Q3")
    assert application.figures(htz_app, "2023-Q3")["headline"]["zone_gdp"]["value"] > 0
