"""The bulletin rendered as HTML, Markdown and Excel, in zh, en and vi."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

from htz.publish import content, render, tables
from htz.publish.model import formatted
from tests.publish.conftest import SECRET, SECRET_DIGITS

LANGS = ("zh", "en", "vi")


class _Text(HTMLParser):
    """The text a reader sees (not the style sheet), one string per text node."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag == "style"

    def handle_endtag(self, tag):
        self._skip -= tag == "style"

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def visible(page: str) -> list[str]:
    parser = _Text()
    parser.feed(page)
    return parser.parts


def test_lead_sentence_in_each_language(bulletin):
    assert content.lead(bulletin, "zh") == (
        "2023年前三季度，178家国家高新区实现园区生产总值12.33万亿元，"
        "按可比口径同比增长7.11%（按现行口径同比增长8.02%）。"
    )
    assert content.lead(bulletin, "en") == (
        "In the first three quarters of 2023, the zone GDP of the 178 national high-tech "
        "zones reached 12.33 trillion yuan, up 7.11% year on year on a comparable basis "
        "(up 8.02% year on year on the current basis)."
    )
    assert content.lead(bulletin, "vi") == (
        "Trong ba quý đầu năm 2023, tổng sản phẩm của khu (GDP khu) của 178 khu công nghệ "
        "cao quốc gia đạt 12,33 nghìn tỷ nhân dân tệ, tăng 7,11% so với cùng kỳ theo cùng "
        "phạm vi so sánh (tăng 8,02% so với cùng kỳ theo phạm vi hiện hành)."
    )


def test_negative_growth_is_worded_as_a_fall(bulletin):
    page = render.markdown(bulletin, "zh")
    assert "出口总额3.10万亿元，同比下降3.20%" in page
    assert "exports 3.10 trillion yuan, down 3.20% year on year" in render.markdown(bulletin, "en")
    assert "lợi nhuận ròng 2,10 nghìn tỷ nhân dân tệ, giảm 5,40% so với cùng kỳ" in (
        render.markdown(bulletin, "vi")
    )


@pytest.mark.parametrize("lang", LANGS)
def test_html_is_one_well_formed_self_contained_page(bulletin, lang):
    page = render.html(bulletin, lang)
    root = ET.fromstring(page)  # well-formed: void elements are self-closed
    assert root.tag == "html"
    assert root.get("lang") == {"zh": "zh-CN", "en": "en", "vi": "vi"}[lang]
    assert root.find("head/meta").get("charset") == "utf-8"
    assert len(root.findall(".//svg")) == 4  # growth, regions, provinces, top zones
    assert root.find(".//svg/rect") is not None
    lowered = page.lower()
    assert "http://" not in lowered and "https://" not in lowered
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", lowered)
    for tag in ("<script", "<link", "<img", "<iframe", "@import", "url("):
        assert tag not in lowered


@pytest.mark.parametrize("lang", LANGS)
def test_withheld_cells_never_show_their_value(bulletin, lang, tmp_path):
    texts = [render.html(bulletin, lang), render.markdown(bulletin, lang)]
    path = tmp_path / "b.xlsx"
    render.xlsx(bulletin, lang, path)
    wb = load_workbook(path)
    cells = [c.value for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
    assert SECRET not in cells
    texts.append("\n".join(map(str, cells)))
    for text in texts:
        for digits in SECRET_DIGITS:
            assert digits not in text
    marker = {"zh": "保密", "en": "c", "vi": "bảo mật"}[lang]
    assert f'<td class="withheld">{marker}</td>' in texts[0]
    assert f"| {marker} |" in texts[1]


def test_withheld_zones_are_not_ranked(bulletin):
    top = tables.top_zones(bulletin, "en")
    names = [row[1].value for row in top.rows]
    assert names == ["Zhongguancun Science Park", "Shenzhen High-tech Industrial Park",
                     "Wuhan East Lake High-tech Development Zone",
                     "Chengdu High-tech Industrial Development Zone"]  # fmt: skip
    assert [row[0].value for row in top.rows] == [1, 2, 3, 4]
    assert tables.zone_name(bulletin["by_zone"][3], "zh") == "深圳市高新技术产业园区"
    assert tables.zone_name(bulletin["by_zone"][3], "vi") == "Shenzhen High-tech Industrial Park"


def _en_labels(bulletin) -> set[str]:
    """Every heading, column header and caption of the English bulletin."""
    doc = content.document(bulletin, "en")
    labels = {doc.title, doc.withheld_note}
    for section in doc.sections:
        labels.add(section.title)
        labels.update(section.paragraphs)
        labels.update(section.items)
        for table in section.tables:
            labels.update(formatted(table, "en")[0])
            labels.update(table.notes)
        for chart in section.charts:
            labels.add(chart.title)
            labels.update(s.name for s in chart.series)
    return labels


@pytest.mark.parametrize("lang", ["zh", "vi"])
def test_no_english_labels_in_zh_or_vi(bulletin, lang):
    page = visible(render.html(bulletin, lang))
    for label in _en_labels(bulletin):
        assert label not in page
    text = "\n".join(page)
    for words in ("year on year", "trillion", "billion", "million", "yuan", "people",
                  "Headline", "By region", "By province", "Growth", "Reporting rate",
                  "Location quotient", "confidential", "Synthetic", "Snapshot", "Notes",
                  "Region", "Province", "Rank", "Indicator", "Share in zones"):  # fmt: skip
        assert words not in text


def test_zh_has_no_latin_words_but_codes_and_names(bulletin):
    text = "\n".join(visible(render.html(bulletin, "zh")))
    words = set(re.findall(r"[A-Za-z][A-Za-z-]+", text))
    snapshot = bulletin["snapshot"]
    words = {w for w in words if w not in snapshot}
    assert words <= {"UTC"}, words  # R&D is one letter on each side of "&"


@pytest.mark.parametrize("lang", LANGS)
def test_synthetic_label_when_synthetic(bulletin, lang):
    label = {"zh": "合成演示数据", "en": "Synthetic demo data",
             "vi": "Dữ liệu mô phỏng tổng hợp"}[lang]  # fmt: skip
    page = render.html(bulletin, lang)
    assert f'<p class="synthetic" role="note"><strong>{label}</strong>' in page
    assert label in render.markdown(bulletin, lang)
    bulletin["synthetic"] = False
    assert label not in render.html(bulletin, lang)
    assert label not in render.markdown(bulletin, lang)


def test_markdown_tables_and_notes(bulletin):
    page = render.markdown(bulletin, "zh")
    assert page.startswith("# 2023年前三季度国家高新区统计公报\n")
    assert "| 地区 | 园区生产总值（亿元） | 园区生产总值增速 |" in page
    assert "| 东部地区 | 75000.00 | +5.00% |" in page
    assert "| 广东省 | 22000.00 | +5.00% |" in page
    assert "近80%的全国重点实验室位于国家高新区" in page
    assert "70%的国家制造业创新中心位于国家高新区" in page
    assert (
        "保密：不公布数值（企业少于3家、最大企业占比超过85%、"
        "第二大企业可推算最大企业至10%以内，或为防止推算而二次保密）。"
    ) in page
    assert "数据快照 ed243ba425bae38a" in page
    en = render.markdown(bulletin, "en")
    assert "Nearly 80% of national key laboratories are located in national high-tech zones" in en
    assert "The ten zones with the largest zone GDP hold 50.24% of the total." in en


SHEETS = {
    "zh": ["主要指标", "分地区", "分省份", "分园区", "创新平台", "数据质量", "专业化", "说明"],
    "en": ["Headline", "Regions", "Provinces", "Zones", "Platforms", "Quality",
           "Specialisation", "Notes"],
    "vi": ["Chỉ tiêu chính", "Khu vực", "Tỉnh", "Khu", "Nền tảng", "Chất lượng",
           "Chuyên môn hóa", "Ghi chú"],
}  # fmt: skip


@pytest.mark.parametrize("lang", LANGS)
def test_xlsx_sheets_hold_numbers(bulletin, lang, tmp_path):
    path = tmp_path / "bulletin.xlsx"
    render.xlsx(bulletin, lang, path)
    wb = load_workbook(path)
    assert wb.sheetnames == SHEETS[lang]
    head = wb[SHEETS[lang][0]]
    assert head["A1"].value == content.document(bulletin, lang).title
    synthetic = {"zh": "合成演示数据", "en": "Synthetic demo data", "vi": "Dữ liệu mô phỏng"}
    assert head["A2"].value.startswith(synthetic[lang])
    row = next(r for r in head.iter_rows(min_row=5) if r[0].value and r[1].value == 1.233e13)
    assert row[2].value == pytest.approx(0.0711) and row[2].number_format == "0.00%"
    assert row[3].value == pytest.approx(0.0802)
    regions = wb[SHEETS[lang][1]]
    rows = {r[0].value: r for r in regions.iter_rows(min_row=5) if r[0].value}
    assert rows["east"][2].value == 7.5e12  # code, name, zone GDP in yuan
    northeast = rows["northeast"][2]
    assert northeast.value == {"zh": "保密", "en": "c", "vi": "bảo mật"}[lang]
    assert northeast.comment is not None
    zones = wb[SHEETS[lang][3]]
    assert zones.max_row >= 4 + len(bulletin["by_zone"])


def test_a_bulletin_without_zone_gdp_leads_with_revenue(bulletin):
    bulletin["period"] = "2023-M08"
    for part in ("headline",):
        bulletin[part].pop("zone_gdp")
    for key in ("by_region", "by_province", "by_zone"):
        for row in bulletin[key]:
            row.pop("zone_gdp")
    bulletin.pop("concentration")
    assert content.lead(bulletin, "en").startswith(
        "In January–August 2023, the operating revenue of the 178 national high-tech zones "
        "reached 40.12 trillion yuan, up 8.10%"
    )
    for lang in LANGS:
        ET.fromstring(render.html(bulletin, lang))
        assert render.markdown(bulletin, lang)


def test_a_tiny_bulletin_renders(bulletin):
    """Almost everything withheld or missing, as in the hand-made data set."""
    small = {"period": "2023", "snapshot": "x", "snapshot_created_at": None,
             "synthetic": False, "periods": {"monthly": "2023-M12", "quarterly": "2023-Q4"},
             "zones": 3, "enterprises": None, "headline": {}, "by_region": [],
             "by_province": [], "by_zone": [], "platform_shares": {}, "platforms": [],
             "quality": {"reporting_rate": None, "imputed_share": {}},
             "disclosure": {"min_enterprises": 3, "dominance": 0.85}}  # fmt: skip
    for lang in LANGS:
        ET.fromstring(render.html(small, lang))
        assert "2023" in render.markdown(small, lang)
