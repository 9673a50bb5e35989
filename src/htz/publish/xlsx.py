"""The bulletin as a workbook: one sheet per table, numbers kept as numbers.

Amounts are in base units (yuan, persons) with a thousands format; growth rates and
shares are fractions shown as percentages ('0.00%'). A withheld cell holds the withheld
marker (保密, c, bảo mật) and a comment, never a number.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from htz.publish import content, i18n, tables
from htz.publish.model import Cell, Document, Table, text
from htz.publish.svg import text_width
from htz.publish.texts import SHEETS

HEADER_ROW = 4
FORMATS = {"growth": "0.00%", "share": "0.00%", "count": "#,##0", "ratio": "0.00"}
BOLD = Font(bold=True)
WARN = Font(bold=True, color="9C0006")
HEAD_FILL = PatternFill("solid", fgColor="DCE6F1")


def write(data: dict, lang: str, out_path: str | Path) -> None:
    doc = content.document(data, lang)
    wb = Workbook()
    wb.remove(wb.active)
    sheets = {
        "headline": [tables.headline(data, lang, full=True)],
        "regions": [tables.level(data, "by_region", lang, full=True)],
        "provinces": [tables.level(data, "by_province", lang, full=True)],
        "zones": [tables.level(data, "by_zone", lang, full=True)],
        "platforms": [tables.platforms(data, lang)],
        "quality": [tables.reporting(data, lang), tables.imputed(data, lang)],
        "specialisation": [tables.specialisation(data, lang, top=None)],
    }
    by_key = {s.key: s for s in doc.sections}
    intro = {"headline": by_key["headline"].paragraphs, "platforms": by_key["platforms"].paragraphs,
             "specialisation": by_key["structure"].paragraphs}  # fmt: skip
    for key, found in sheets.items():
        ws = wb.create_sheet(i18n.pick(SHEETS[key], lang))
        _heading(ws, doc)
        row = HEADER_ROW
        for table in found:
            row = _table(ws, table, doc, row) + 1
        for para in intro.get(key, []):
            ws.cell(row=row, column=1, value=para)
            row += 1
        ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    _notes(wb.create_sheet(i18n.pick(SHEETS["notes"], lang)), doc)
    wb.save(Path(out_path))


def _heading(ws: Worksheet, doc: Document) -> None:
    ws.cell(row=1, column=1, value=doc.title).font = Font(bold=True, size=13)
    if doc.synthetic:
        label = f"{i18n.t('synthetic', doc.lang)}: {i18n.t('synthetic_note', doc.lang)}"
        if doc.lang == "zh":
            label = f"{i18n.t('synthetic', doc.lang)}：{i18n.t('synthetic_note', doc.lang)}"
        ws.cell(row=2, column=1, value=label).font = WARN


def _header(col, lang: str) -> str:
    if col.kind == "amount" and col.unit in ("yuan", "person"):
        return i18n.t("col_with_unit", lang, label=col.label, unit=i18n.t(f"unit_{col.unit}", lang))
    return col.label


def _table(ws: Worksheet, table: Table, doc: Document, top: int) -> int:
    """Write ``table`` with its header on row ``top``; the next free row."""
    for c, col in enumerate(table.columns, start=1):
        cell = ws.cell(row=top, column=c, value=_header(col, doc.lang))
        cell.font, cell.fill = BOLD, HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        width = max(10, min(48, text_width(str(cell.value)) / 7 + 2))
        letter = get_column_letter(c)
        ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, width)
    r = top
    for r, row in enumerate(table.rows, start=top + 1):
        for c, value in enumerate(row, start=1):
            _value(ws.cell(row=r, column=c), value, doc)
    for note in table.notes + ([doc.withheld_note] if table.has_withheld else []):
        r += 1
        ws.cell(row=r, column=1, value=note)
    return r + 1


def _value(target, cell: Cell, doc: Document) -> None:
    if cell.withheld:
        target.value = text(cell, doc.lang)
        target.comment = Comment(doc.withheld_note, "htz")
        target.alignment = Alignment(horizontal="right")
        return
    if cell.value is None:
        return
    target.value = cell.value
    if cell.kind == "amount":
        target.number_format = "#,##0" if float(cell.value).is_integer() else "#,##0.00"
    elif cell.kind in FORMATS:
        target.number_format = FORMATS[cell.kind]


def _notes(ws: Worksheet, doc: Document) -> None:
    _heading(ws, doc)
    ws.column_dimensions["A"].width = 110
    lines = [doc.source, ""]
    notes = next(s for s in doc.sections if s.key == "notes")
    lines += [f"{n}. {item}" for n, item in enumerate(notes.items, start=1)]
    lines += ["", doc.withheld_note]
    for r, line in enumerate(lines, start=HEADER_ROW):
        ws.cell(row=r, column=1, value=line).alignment = Alignment(wrap_text=True, vertical="top")
