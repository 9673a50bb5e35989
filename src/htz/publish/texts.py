"""Every text of the bulletin as (zh, en, vi); the words follow GLOSSARY.md.

Templates use ``str.format`` fields. ``i18n.t(key, lang, **fields)`` picks and fills one.
"""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str, str]] = {
    # -- title, labels of the page -------------------------------------------------------
    "title": ("{period}国家高新区统计公报",
              "Statistical bulletin of the national high-tech zones: {period}",
              "Thông cáo thống kê các khu công nghệ cao quốc gia {period}"),
    "synthetic": ("合成演示数据", "Synthetic demo data", "Dữ liệu mô phỏng tổng hợp"),
    "synthetic_note": (
        "本公报的数据由程序生成，用于演示，不是官方统计数据。",
        "The figures in this bulletin come from generated data for demonstration; "
        "they are not official statistics.",
        "Số liệu trong thông cáo này được sinh tự động để trình diễn, "
        "không phải số liệu thống kê chính thức."),
    "source": ("数据快照 {snapshot}，生成于{created}。",
               "Snapshot {snapshot}, created {created}.",
               "Ảnh chụp dữ liệu {snapshot}, tạo lúc {created}."),
    "withheld": ("保密", "c", "bảo mật"),
    "withheld_note": (
        "保密：不公布数值（企业少于{n}家、最大企业占比超过{d}、第二大企业可推算最大企业至{p}以内，"
        "或为防止推算而二次保密）。",
        "c: confidential, not published (fewer than {n} enterprises, the largest above {d}, "
        "the second largest able to estimate the largest within {p}, or withheld so that "
        "the others cannot be worked out).",
        "bảo mật: không công bố (ít hơn {n} doanh nghiệp, doanh nghiệp lớn nhất chiếm trên {d}, "
        "doanh nghiệp lớn thứ hai có thể ước tính doanh nghiệp lớn nhất trong phạm vi {p}, "
        "hoặc bảo mật thứ cấp để không suy ra được các ô khác)."),
    "chart_withheld": ("图中保密单元不显示。", "Withheld cells are not drawn.",
                       "Các ô bảo mật không được vẽ."),
    # -- sections ------------------------------------------------------------------------
    "sec_headline": ("主要指标", "Headline figures", "Các chỉ tiêu chính"),
    "sec_regions": ("分地区情况", "By region", "Theo khu vực"),
    "sec_provinces": ("分省份情况", "By province", "Theo tỉnh"),
    "sec_zones": ("{indicator}居前{n}位的国家高新区", "The {n} largest zones by {indicator}",
                  "{n} khu có {indicator} lớn nhất"),
    "sec_platforms": ("创新平台集聚情况", "Innovation platforms in the zones",
                      "Các nền tảng đổi mới trong khu"),
    "sec_structure": ("集中度与专业化", "Concentration and specialisation",
                      "Mức độ tập trung và chuyên môn hóa"),
    "sec_quality": ("数据质量", "Data quality", "Chất lượng dữ liệu"),
    "sec_notes": ("说明", "Notes on methods", "Ghi chú phương pháp"),
    # -- charts --------------------------------------------------------------------------
    "chart_growth": ("主要指标同比增速：可比口径与现行口径",
                     "Year-on-year growth: comparable and current basis",
                     "Tăng trưởng so với cùng kỳ: cùng phạm vi so sánh và phạm vi hiện hành"),
    "chart_by": ("{indicator}（{unit}）", "{indicator} ({unit})", "{indicator} ({unit})"),
    # -- column headers ------------------------------------------------------------------
    "col_indicator": ("指标", "Indicator", "Chỉ tiêu"),
    "col_value": ("数值", "Value", "Giá trị"),
    "col_unit": ("单位", "Unit", "Đơn vị"),
    "col_growth_comparable": ("同比增长（可比口径）", "Growth, comparable basis",
                              "Tăng trưởng (cùng phạm vi so sánh)"),
    "col_growth_current": ("同比增长（现行口径）", "Growth, current basis",
                           "Tăng trưởng (phạm vi hiện hành)"),
    "col_growth_short": ("{indicator}增速", "{indicator}, growth", "{indicator}, tăng trưởng"),
    "col_growth_full": ("{indicator}：{basis}", "{indicator}: {basis}", "{indicator}: {basis}"),
    "col_with_unit": ("{label}（{unit}）", "{label} ({unit})", "{label} ({unit})"),
    "col_enterprises": ("企业数", "Enterprises", "Số doanh nghiệp"),
    "col_imputed_share": ("插补值占比", "Imputed share", "Tỷ trọng giá trị ước tính"),
    "col_code": ("代码", "Code", "Mã"),
    "col_region": ("地区", "Region", "Khu vực"),
    "col_province": ("省份", "Province", "Tỉnh"),
    "col_zone": ("国家高新区", "Zone", "Khu"),
    "col_rank": ("位次", "Rank", "Hạng"),
    "col_platform": ("平台类型", "Platform type", "Loại nền tảng"),
    "col_total": ("总数", "Total", "Tổng số"),
    "col_in_zone": ("位于国家高新区", "In national zones", "Trong khu"),
    "col_outside": ("位于区外", "Outside", "Ngoài khu"),
    "col_unknown": ("位置不详", "Location unknown", "Chưa rõ vị trí"),
    "col_share": ("区内占比", "Share in zones", "Tỷ lệ trong khu"),
    "col_form": ("报表", "Form", "Biểu mẫu"),
    "col_period": ("报告期", "Period", "Kỳ báo cáo"),
    "col_expected": ("应报企业", "Enterprises owing a report", "Doanh nghiệp phải báo cáo"),
    "col_respondents": ("已报企业", "Respondents", "Doanh nghiệp đã báo cáo"),
    "col_reporting_rate": ("报送率", "Reporting rate", "Tỷ lệ báo cáo"),
    "col_section": ("行业门类", "Industry section", "Ngành"),
    "col_lq": ("区位商（{indicator}）", "Location quotient ({indicator})",
               "Thương số vị trí ({indicator})"),
    "unit_yuan": ("元", "yuan", "nhân dân tệ"),
    "unit_person": ("人", "persons", "người"),
    "col_item": ("项目", "Item", "Mục"),
    "form_monthly": ("月报", "Monthly report", "Báo cáo tháng"),
    "form_quarterly": ("季报", "Quarterly report", "Báo cáo quý"),
    # -- sentences -----------------------------------------------------------------------
    "lead": ("{period}，{zones}家国家高新区实现{indicator}{value}{growth}。",
             "In {period}, the {indicator} of the {zones} national high-tech zones reached "
             "{value}{growth}.",
             "Trong {period}, {indicator} của {zones} khu công nghệ cao quốc gia đạt "
             "{value}{growth}."),
    "comma": ("，", ", ", ", "),
    "lead_current": ("（按现行口径{growth}）", " ({growth} on the current basis)",
                     " ({growth} theo phạm vi hiện hành)"),
    "others": ("同期，{items}。", "Over the same period: {items}.", "Cùng kỳ: {items}."),
    "other_item": ("{indicator}{value}{growth}", "{indicator} {value}{growth}",
                   "{indicator} {value}{growth}"),
    "others_sep": ("；", "; ", "; "),
    "coverage": ("本期应报企业{n}家，月报报送率{rate}。",
                 "{n} enterprises owed a monthly report; the reporting rate was {rate}.",
                 "{n} doanh nghiệp phải nộp báo cáo tháng; tỷ lệ báo cáo đạt {rate}."),
    "platform": ("{approx}{share}的{platform}位于国家高新区",
                 "{approx}{share} of {platform} are located in national high-tech zones",
                 "{approx}{share} {platform} nằm trong các khu công nghệ cao quốc gia"),
    "platform_known": ("（位置已知的{known}家中有{in_zone}家在区内，另有{unknown}家位置不详）",
                       " ({in_zone} of the {known} whose location is known; {unknown} more "
                       "of unknown location)",
                       " ({in_zone} trên {known} nơi đã rõ vị trí; thêm {unknown} nơi chưa rõ "
                       "vị trí)"),
    "platform_known_all": ("（位置已知的{known}家中有{in_zone}家在区内）",
                           " ({in_zone} of the {known} whose location is known)",
                           " ({in_zone} trên {known} nơi đã rõ vị trí)"),
    "approx_nearly": ("近", "nearly ", "gần "),
    "approx_over": ("超过", "more than ", "hơn "),
    "approx_exact": ("", "", ""),
    "concentration": ("{indicator}居前10位的国家高新区合计占全部国家高新区的{share}。",
                      "The ten zones with the largest {indicator} hold {share} of the total.",
                      "10 khu có {indicator} lớn nhất chiếm {share} tổng số."),
    "specialisation": (
        "按{indicator}计算的区位商：{total}个园区×行业门类单元中，{over}个公布单元大于1"
        "（专业化程度高于国家高新区整体），{withheld}个保密。",
        "Location quotients by {indicator}: of {total} zone × industry section cells, {over} "
        "published cells exceed 1 (more specialised than the zones as a whole); {withheld} "
        "are withheld.",
        "Thương số vị trí theo {indicator}: trong {total} ô khu × ngành, {over} ô được công bố "
        "lớn hơn 1 (chuyên môn hóa cao hơn mức chung của các khu); {withheld} ô bảo mật."),
    "specialisation_top": ("区位商最高的公布单元：", "Published cells with the highest quotients:",
                           "Các ô được công bố có thương số cao nhất:"),
    "unranked": ("{indicator}保密的国家高新区不参与排序。",
                 "Zones whose {indicator} is withheld are not ranked.",
                 "Các khu có {indicator} bảo mật không được xếp hạng."),
    "regions_of": ("地区划分采用国家统计局东部、中部、西部和东北四大地区。",
                   "Regions are the four regions of the National Bureau of Statistics.",
                   "Khu vực theo cách phân chia bốn vùng của Cục Thống kê Quốc gia Trung Quốc."),
    "col_units_note": ("金额为人民币。", "Amounts are in Chinese yuan (renminbi).",
                       "Số tiền tính bằng nhân dân tệ."),
}  # fmt: skip

NOTES: tuple[tuple[str, str, str], ...] = (
    ("同比增速按可比口径计算：只比较本期与上年同期均有数据的企业（及国家高新区），两期采用相同的"
     "插补规则。总量按现行口径，即期末位于国家高新区的全部企业。企业进入或退出、新设国家高新区时，"
     "两种口径的增速不同，本公报同时列出。",
     "Growth rates are on a comparable basis: only enterprises (and zones) with data in both "
     "this period and the same period last year are compared, with the same imputation rules "
     "on both sides. Totals are on the current basis: every enterprise in a national zone at "
     "the end of the period. The two rates differ when enterprises enter or leave or new zones "
     "are approved; the bulletin gives both.",
     "Tốc độ tăng trưởng được tính theo cùng phạm vi so sánh: chỉ so sánh các doanh nghiệp (và "
     "các khu) có số liệu ở cả kỳ này và cùng kỳ năm trước, áp dụng cùng quy tắc ước tính bổ "
     "sung cho cả hai kỳ. Số tổng tính theo phạm vi hiện hành: mọi doanh nghiệp thuộc khu công "
     "nghệ cao quốc gia vào cuối kỳ. Hai tốc độ khác nhau khi có doanh nghiệp gia nhập, rời đi "
     "hoặc khi có khu mới được phê duyệt; thông cáo nêu cả hai."),
    ("流量指标为本年累计值（如1—9月累计），期末从业人员为期末数。园区生产总值按收入法计算，"
     "为劳动者报酬、固定资产折旧、生产税净额与营业盈余之和。",
     "Flows are year-to-date totals (for example January to September); employees are "
     "counted at the end of the period. Zone GDP is value added by the income approach: "
     "compensation of employees, depreciation, net taxes on production and operating surplus.",
     "Các chỉ tiêu dòng là số lũy kế từ đầu năm (ví dụ lũy kế 9 tháng đầu năm); số lao động "
     "tính tại cuối kỳ. GDP khu là giá trị gia tăng theo phương pháp thu nhập: thu nhập người "
     "lao động, khấu hao tài sản cố định, thuế sản xuất thuần và thặng dư hoạt động."),
    ("未报企业按比率法插补：以该企业上年同期（或本年上期）数值乘以已报企业的相应增长比率。"
     "各指标插补值占比见“数据质量”。",
     "Values of non-respondents are imputed by the ratio method: the enterprise's value for "
     "the same period last year (or the previous period) times the growth of the respondents. "
     "The imputed share of each figure is shown under Data quality.",
     "Giá trị của doanh nghiệp chưa báo cáo được ước tính bổ sung theo phương pháp tỷ số: giá "
     "trị cùng kỳ năm trước (hoặc kỳ trước) của doanh nghiệp nhân với tốc độ tăng của các "
     "doanh nghiệp đã báo cáo. Tỷ trọng giá trị ước tính của từng số liệu nêu ở mục Chất lượng "
     "dữ liệu."),
    ("保密规则：单元内企业少于{n}家，或最大一家企业占单元合计的比重超过{d}，或第二大企业能据"
     "单元合计把最大企业的数值估计到{p}以内，该单元不公布（一次保密）。各级合计（全国、地区、"
     "省份、园区）与园区分行业结构同表联动，另选代价最小的单元一并保密（二次保密），使任何"
     "人——包括保密单元中的单家企业——利用全部公布数据和表内加总关系都无法把保密单元推算到其"
     "保护范围以内；每期公报发布前均经线性规划审核。上年同期保密的单元，本年不公布增速。"
     "保密单元标示为“保密”，不显示数值。",
     "Withholding: a cell is not published when fewer than {n} enterprises make it up, the "
     "largest of them holds more than {d} of it, or the second largest could estimate the "
     "largest within {p} from the total (primary suppression). The national, regional, "
     "provincial and zone totals and the zones' industry structure are protected together: "
     "the cheapest further cells are withheld (secondary suppression) so that nobody — not "
     "even the single enterprise of a withheld cell — can narrow a withheld cell to within "
     "its protection range from everything published and the way the tables add up; a "
     "linear-programming audit checks every bulletin before it is published. A cell withheld "
     "a year earlier shows no growth rate. Withheld cells are marked “c” and show no value.",
     "Quy tắc bảo mật: một ô không được công bố khi có ít hơn {n} doanh nghiệp, doanh nghiệp "
     "lớn nhất chiếm hơn {d} giá trị của ô, hoặc doanh nghiệp lớn thứ hai có thể ước tính "
     "doanh nghiệp lớn nhất trong phạm vi {p} từ tổng của ô (bảo mật sơ cấp). Các tổng cấp "
     "quốc gia, vùng, tỉnh và khu cùng cơ cấu ngành của các khu được bảo vệ đồng thời: các ô "
     "có chi phí thấp nhất được bảo mật thêm (bảo mật thứ cấp) để không ai — kể cả doanh "
     "nghiệp duy nhất của một ô bảo mật — có thể thu hẹp một ô bảo mật vào trong phạm vi bảo "
     "vệ của nó từ mọi số liệu đã công bố và quan hệ cộng của các bảng; mỗi bản tin đều được "
     "kiểm tra bằng quy hoạch tuyến tính trước khi công bố. Ô đã bảo mật cùng kỳ năm trước "
     "không hiển thị tốc độ tăng. Ô bảo mật được đánh dấu “bảo mật” và không hiển thị giá "
     "trị."),
    ("创新平台区内占比以位置已知的平台为分母，位置不详的平台不计入分母，其数量另行列出。",
     "The share of innovation platforms in the zones counts only platforms whose location is "
     "known; those of unknown location are left out of the denominator and counted apart.",
     "Tỷ lệ nền tảng đổi mới nằm trong khu chỉ tính các nền tảng đã rõ vị trí; các nền tảng "
     "chưa rõ vị trí không được đưa vào mẫu số và được đếm riêng."),
)  # fmt: skip

REGIONS = {
    "east": ("东部地区", "East", "Miền Đông"),
    "central": ("中部地区", "Central", "Miền Trung"),
    "west": ("西部地区", "West", "Miền Tây"),
    "northeast": ("东北地区", "Northeast", "Vùng Đông Bắc"),
}
PLATFORMS = {
    "national_key_laboratory": (
        "全国重点实验室", "national key laboratories", "phòng thí nghiệm trọng điểm quốc gia"),
    "national_manufacturing_innovation_centre": (
        "国家制造业创新中心", "national manufacturing innovation centres",
        "trung tâm đổi mới sản xuất quốc gia"),
    "national_technology_innovation_centre": (
        "国家技术创新中心", "national technology innovation centres",
        "trung tâm đổi mới công nghệ quốc gia"),
    "national_engineering_research_centre": (
        "国家工程研究中心", "national engineering research centres",
        "trung tâm nghiên cứu kỹ thuật quốc gia"),
    "incubator": ("国家级科技企业孵化器", "national incubators",
                  "vườn ươm doanh nghiệp khoa học và công nghệ cấp quốc gia"),
    "industrialisation_base": (
        "科技成果产业化基地", "industrialisation bases for S&T achievements",
        "cơ sở công nghiệp hóa thành tựu khoa học và công nghệ"),
}  # fmt: skip
# zone GDP is derived in analytics, not a catalogue indicator
INDICATORS = {"zone_gdp": ("园区生产总值", "zone GDP", "tổng sản phẩm của khu (GDP khu)")}
SHORT = {"zone_gdp": ("园区生产总值", "zone GDP", "GDP khu")}
# GB/T 4754-2017 sections in Vietnamese (zh and en come from the reference data)
SECTIONS_VI = {
    "A": "Nông, lâm nghiệp và thủy sản", "B": "Khai khoáng",
    "C": "Công nghiệp chế biến, chế tạo",
    "D": "Sản xuất và phân phối điện, nhiệt, khí đốt và nước", "E": "Xây dựng",
    "F": "Bán buôn và bán lẻ", "G": "Vận tải, kho bãi và bưu chính",
    "H": "Dịch vụ lưu trú và ăn uống",
    "I": "Thông tin, phần mềm và dịch vụ công nghệ thông tin", "J": "Tài chính",
    "K": "Kinh doanh bất động sản", "L": "Cho thuê và dịch vụ kinh doanh",
    "M": "Nghiên cứu khoa học và dịch vụ kỹ thuật",
    "N": "Quản lý thủy lợi, môi trường và công trình công cộng",
    "O": "Dịch vụ dân sinh, sửa chữa và dịch vụ khác", "P": "Giáo dục",
    "Q": "Y tế và công tác xã hội", "R": "Văn hóa, thể thao và giải trí",
    "S": "Quản lý nhà nước, an sinh xã hội và tổ chức xã hội", "T": "Tổ chức quốc tế",
}  # fmt: skip
SHEETS = {
    "headline": ("主要指标", "Headline", "Chỉ tiêu chính"),
    "regions": ("分地区", "Regions", "Khu vực"),
    "provinces": ("分省份", "Provinces", "Tỉnh"),
    "zones": ("分园区", "Zones", "Khu"),
    "platforms": ("创新平台", "Platforms", "Nền tảng"),
    "quality": ("数据质量", "Quality", "Chất lượng"),
    "specialisation": ("专业化", "Specialisation", "Chuyên môn hóa"),
    "notes": ("说明", "Notes", "Ghi chú"),
}
