"""Reading a small CSV or XLSX file into rows of text, with the row numbers a person sees.

Encodings: UTF-8 (with or without BOM), else GB18030 (a superset of GBK and
GB2312, what Excel writes on Chinese Windows). Row numbers are spreadsheet
numbers: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from htz.errors import InputError

ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass(frozen=True)
class Table:
    source: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (row number, column → text; "" when empty)
    encoding: str | None = None


def decode(data: bytes, source: str) -> tuple[str, str]:
    """Text and the encoding it was read with."""
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise InputError(
        f"{source}: not UTF-8 or GB18030 text; save the file as CSV UTF-8 (or as .xlsx) and retry."
    )


def read_table(path: Path) -> Table:
    """The file's header and rows; empty lines are skipped."""
    if not path.is_file():
        raise InputError(f"{path}: no such file; check the path.")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix not in (".csv", ".txt", ""):
        raise InputError(f"{path}: htz reads .csv and .xlsx files, not {suffix}; save it as one.")
    text, encoding = decode(path.read_bytes(), str(path))
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader, [])]
    if not any(header):
        raise InputError(f"{path}: the file is empty; row 1 must be the header.")
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            raise InputError(
                f"{path}: row {number} has {len(cells)} cells but the header has {len(header)}; "
                "quote values that contain commas."
            )
        cells = cells + [""] * (len(header) - len(cells))
        rows.append((number, {h: c.strip() for h, c in zip(header, cells, strict=False)}))
    return Table(str(path), header, rows, encoding)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise InputError(
            f"{path}: not a readable .xlsx file ({exc}); re-save it in Excel."
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        values = sheet.iter_rows(values_only=True)
        header = [_cell_text(h) for h in next(values, ())]
        while header and not header[-1]:
            header.pop()
        if not header:
            raise InputError(f"{path}: the first sheet is empty; row 1 must be the header.")
        rows = []
        for number, cells in enumerate(values, start=2):
            texts = [_cell_text(c) for c in cells[: len(header)]]
            if not any(texts):
                continue
            texts += [""] * (len(header) - len(texts))
            rows.append((number, dict(zip(header, texts, strict=True))))
    finally:
        workbook.close()
    return Table(str(path), header, rows, None)
