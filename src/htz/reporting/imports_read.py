"""Reading an upload file into columns of text: CSV with pyarrow, XLSX with openpyxl.

The result is a :class:`RawTable`: the header as written, one Arrow string array per
column (cells trimmed, ``""`` when empty, never null) and the spreadsheet row number of
each data row (the header is row 1). Rows whose cells are all empty are dropped.

CSV encodings: UTF-8 (with or without BOM), else GB18030 (a superset of GBK and GB2312,
what Excel writes on Chinese Windows), and UTF-16 with a BOM (Excel's "Unicode text").
The delimiter is a comma, or a tab or semicolon when the header has those and no comma.
A problem with the file itself (not a table, undecodable, empty, ragged rows) raises
InputError; problems with values are left to :mod:`htz.reporting.imports_values`.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from htz.errors import InputError

_RESAVE = "save it from Excel as CSV UTF-8 (or as .xlsx) and import it again"


@dataclass(frozen=True)
class RawTable:
    source: str
    header: list[str]  # as written, trimmed
    columns: list[pa.Array]  # one string array per header cell; "" when empty
    rows: np.ndarray  # int32: the spreadsheet row number of each data row
    encoding: str | None  # None for XLSX


def read_raw(path: Path) -> RawTable:
    """The header, the columns as text and the row numbers of a CSV or XLSX file."""
    if not path.is_file():
        raise InputError(f"{path}: no such file; check the path.")
    with path.open("rb") as file:
        magic = file.read(8)
    if magic.startswith(b"PK\x03\x04"):
        return _read_xlsx(path)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(
            f"{path}: an Excel 97-2003 (.xls) or encrypted workbook; save it as .xlsx "
            "(without a password) or as CSV UTF-8 and import it again."
        )
    if path.suffix.lower() in (".xls", ".xlsx", ".xlsm", ".ods", ".pdf", ".doc", ".docx"):
        raise InputError(f"{path}: not a CSV or .xlsx file that htz can read; {_RESAVE}.")
    return _read_csv(path, path.read_bytes())


# -- CSV ------------------------------------------------------------------------------------


def _read_csv(path: Path, data: bytes) -> RawTable:
    source = str(path)
    buffer, encoding = _utf8(data, source)
    buffer = _without_trailing_newlines(buffer)
    start = bytes(buffer[:65536])
    if not start.strip() and not bytes(buffer).strip():
        raise InputError(f"{source}: the file is empty; row 1 must be the header.")
    if len(start) == len(buffer) and len(start.splitlines()) == 1:
        raise InputError(f"{source}: the file has a header but no data rows; add the reports.")
    delimiter = _delimiter(start)
    options = {
        "delimiter": delimiter,
        "newlines_in_values": b'"' in data if encoding == "utf-8" else True,
        "column_types": range(start.count(delimiter.encode()) + 1),  # ≥ cells in the header
    }
    rows = None
    try:  # the fast way: no empty lines, so data row i is spreadsheet row i + 2
        table = _arrow_csv(buffer, ignore_empty_lines=False, **options)
    except pa.ArrowInvalid as error:  # empty lines or ragged rows: find out which
        rows = _scan(source, buffer, delimiter, error)
        table = _arrow_csv(buffer, ignore_empty_lines=True, **options)
    if any(not pa.types.is_string(t) for t in table.schema.types):
        raise InputError(f"{source}: row 1 has too many cells to be a header; {_RESAVE}.")
    header = [str(c[0]).strip() for c in table.columns]
    columns = [c.slice(1) for c in table.columns]  # chunked: _finish combines them
    if rows is None or len(rows) != len(columns[0]):
        rows = np.arange(2, len(columns[0]) + 2, dtype=np.int32)
    return _finish(source, header, columns, rows, encoding)


def _arrow_csv(
    buffer: pa.Buffer,
    *,
    delimiter: str,
    newlines_in_values: bool,
    ignore_empty_lines: bool,
    column_types: range,
) -> pa.Table:
    """Every cell as text (nothing inferred); the header is the first row of the table."""
    return pcsv.read_csv(
        pa.BufferReader(buffer),
        read_options=pcsv.ReadOptions(autogenerate_column_names=True),
        parse_options=pcsv.ParseOptions(
            delimiter=delimiter,
            newlines_in_values=newlines_in_values,
            ignore_empty_lines=ignore_empty_lines,
        ),
        convert_options=pcsv.ConvertOptions(
            column_types={f"f{i}": pa.string() for i in column_types},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            check_utf8=False,  # _utf8 checked the whole text; cells split it at ASCII bytes
        ),
    )


def _without_trailing_newlines(buffer: pa.Buffer) -> pa.Buffer:
    """The text without the empty lines at its end (they are no rows)."""
    data = memoryview(buffer).cast("B")
    end = len(data)
    while end and data[end - 1] in b"\r\n":
        end -= 1
    return buffer.slice(0, min(end + 1, len(data)))  # one line end: Arrow needs it


def _scan(source: str, buffer: pa.Buffer, delimiter: str, error: Exception) -> np.ndarray:
    """The row number of each data row, counting empty lines as a spreadsheet shows them.

    InputError names the first row whose number of cells differs from the header's. This
    reads the file with Python's csv module: slow, but only for files Arrow rejected.
    """
    text = io.StringIO(buffer.to_pybytes().decode("utf-8"))
    width, numbers = None, []
    for number, cells in enumerate(csv.reader(text, delimiter=delimiter), start=1):
        if not cells:
            continue
        if width is None:
            width = len(cells)
            continue
        if len(cells) != width:
            raise InputError(
                f"{source}: row {number} has {len(cells)} cells but the header has {width}; "
                "quote values that contain the delimiter (or remove the extra cells) and "
                "import the file again."
            )
        numbers.append(number)
    if not numbers and width is None:
        reason = str(error).splitlines()[0]
        raise InputError(f"{source}: not a readable CSV file ({reason}); {_RESAVE}.")
    return np.asarray(numbers, dtype=np.int32)


def _utf8(data: bytes, source: str) -> tuple[pa.Buffer, str]:
    """The file as UTF-8 bytes (without a BOM) and the encoding it was written in."""
    for bom, name in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return pa.py_buffer(data.decode(name).encode("utf-8")), name
            except UnicodeDecodeError:
                raise InputError(f"{source}: broken UTF-16 text; {_RESAVE}.") from None
    if data.startswith(codecs.BOM_UTF8):
        if _is_utf8(data):
            return pa.py_buffer(data).slice(3), "utf-8-sig"
        raise InputError(f"{source}: starts as UTF-8 but has bytes that are not; {_RESAVE}.")
    if b"\x00" in data[:65536]:
        raise InputError(f"{source}: a binary file, not CSV text; {_RESAVE}.")
    if data.isascii() or _is_utf8(data):
        return pa.py_buffer(data), "utf-8"
    try:
        return pa.py_buffer(data.decode("gb18030").encode("utf-8")), "gb18030"
    except UnicodeDecodeError as error:
        raise InputError(
            f"{source}: neither UTF-8 nor GB18030 text (byte {error.start} cannot be read); "
            f"{_RESAVE}."
        ) from None


def _is_utf8(data: bytes) -> bool:
    """Whether ``data`` is valid UTF-8, checked by Arrow without decoding into Python text."""
    offsets = pa.array([0, len(data)], pa.int64()).buffers()[1]
    text = pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(data)])
    try:
        text.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _delimiter(start: bytes) -> str:
    """A comma, or a tab or semicolon when the header has one and no comma."""
    line = start.lstrip(b"\r\n").split(b"\n", 1)[0]
    if b"," not in line:
        for candidate in ("\t", ";"):
            if candidate.encode() in line:
                return candidate
    return ","


# -- XLSX -----------------------------------------------------------------------------------


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _read_xlsx(path: Path) -> RawTable:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise InputError(
            f"{path}: not a readable .xlsx file ({exc}); re-save it in Excel."
        ) from exc
    try:
        values = workbook.worksheets[0].iter_rows(values_only=True)
        header = [_cell_text(h) for h in next(values, ())]
        while header and not header[-1]:
            header.pop()
        if not header:
            raise InputError(f"{path}: the first sheet is empty; row 1 must be the header.")
        width = len(header)
        cells: list[list[str]] = [[] for _ in header]
        rows: list[int] = []
        for number, row in enumerate(values, start=2):
            texts = [_cell_text(c) for c in row]
            if not any(texts):
                continue
            extra = [i for i, t in enumerate(texts[width:], start=width) if t]
            if extra:
                raise InputError(
                    f"{path}: row {number} has a value in column {_column_letter(extra[0])}, "
                    "which has no header; add a header or clear the cell."
                )
            texts += [""] * (width - len(texts))
            rows.append(number)
            for column, text in zip(cells, texts, strict=False):
                column.append(text)
    finally:
        workbook.close()
    columns = [pa.array(c, pa.string()) for c in cells]
    return _finish(str(path), header, columns, np.asarray(rows, dtype=np.int32), None)


# -- both -----------------------------------------------------------------------------------


def _finish(
    source: str,
    header: list[str],
    columns: list[pa.Array | pa.ChunkedArray],
    rows: np.ndarray,
    encoding: str | None,
) -> RawTable:
    """Trim every cell and drop the rows that are empty in every column."""
    trimmed = in_parallel({i: (_trim, c) for i, c in enumerate(columns)})
    columns = [trimmed[i] for i in range(len(columns))]
    filled = np.zeros(len(rows), dtype=bool)
    for column in columns:
        filled |= _lengths(column) > 0
    if not filled.any():
        raise InputError(f"{source}: the file has a header but no data rows; add the reports.")
    if not filled.all():
        keep = pa.array(filled)
        columns = [c.filter(keep) for c in columns]
        rows = rows[filled]
    return RawTable(source, header, columns, rows, encoding)


def _lengths(column: pa.Array) -> np.ndarray:
    """The length in bytes of each cell (0 for null)."""
    return pc.fill_null(pc.binary_length(column), 0).to_numpy(zero_copy_only=False)


def _trim(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Cells without surrounding whitespace (full-width spaces too, when there are any)."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    edged = np.flatnonzero(_edged(column))
    if len(edged) == 0:
        return column  # nothing to trim: no copy
    trim = pc.ascii_trim_whitespace if _is_ascii(column) else pc.utf8_trim_whitespace
    some = column.take(edged)
    if trim(some).equals(some):  # e.g. 12元 or 未填: not ASCII, but no space at either end
        return column
    return trim(column)


def _bytes(column: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The offsets (one more than cells) and the data buffer of a string array, as numpy."""
    _, offsets, data = column.buffers()
    wide = pa.types.is_large_string(column.type)
    bounds = np.frombuffer(offsets, dtype=np.int64 if wide else np.int32)
    bounds = bounds[column.offset : column.offset + len(column) + 1]
    if data is None:  # no cell has a byte
        return bounds, np.zeros(0, dtype=np.uint8)
    return bounds, np.frombuffer(data, dtype=np.uint8)


def _is_ascii(column: pa.Array) -> bool:
    """Whether every cell is ASCII (``pc.string_is_ascii``, looking at the bytes at once)."""
    if column.null_count or len(column) == 0:
        return pc.all(pc.string_is_ascii(column)).as_py() is not False
    bounds, data = _bytes(column)
    return not (data[bounds[0] : bounds[-1]] >= 0x80).any()


def _edged(column: pa.Array) -> np.ndarray:
    """Which cells start or end with a byte that may be (part of) whitespace.

    That is a control character or space (at most 0x20), DEL or any byte of a non-ASCII
    character (Unicode's other spaces, U+3000 …). A cheap look at two bytes per cell, so
    that the trimming kernels (which copy every cell) run only where they may change
    something.
    """
    bounds, data = _bytes(column)
    if len(data) == 0 or len(column) == 0:
        return np.zeros(len(column), dtype=bool)
    starts, ends = bounds[:-1], bounds[1:]
    first = data[np.minimum(starts, len(data) - 1)]  # an empty last cell starts at the end
    last = data[ends - 1]  # -1 for an empty first cell: any byte, it is not looked at
    # x - 0x21 wraps around below 0x21: at least 0x5E exactly when x <= 0x20 or x >= 0x7F
    space = np.uint8(0x21)
    return (ends > starts) & (((first - space) >= 0x5E) | ((last - space) >= 0x5E))


def in_parallel(calls: dict) -> dict:
    """``{key: f(*args)}`` for ``calls = {key: (f, *args)}``, on up to one thread per core.

    For vectorised work on columns: Arrow and numpy release the GIL while they compute.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    workers = min(len(calls), cores or 1)
    if workers <= 1:
        return {key: f(*args) for key, (f, *args) in calls.items()}
    with ThreadPoolExecutor(workers) as pool:
        futures = {key: pool.submit(f, *args) for key, (f, *args) in calls.items()}
        return {key: future.result() for key, future in futures.items()}
