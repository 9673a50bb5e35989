"""Files people download: published aggregates as CSV, XLSX or Parquet; bulletins in
every format."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from fastapi.responses import Response
from openpyxl import Workbook

from htz.errors import NotFoundError
from htz.publish import render

MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
}


def _attachment(body: bytes, name: str, ext: str) -> Response:
    return Response(
        body,
        media_type=MEDIA[ext],
        headers={"Content-Disposition": f'attachment; filename="{name}.{ext}"'},
    )


def csv_bytes(rows: Sequence[dict], columns: Sequence[str]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: "" if r.get(k) is None else r.get(k) for k in columns})
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 correctly


def table(rows: Sequence[dict], columns: Sequence[str], name: str, ext: str) -> Response:
    """Rows as CSV (UTF-8 with BOM), XLSX or Parquet."""
    if ext == "csv":
        return _attachment(csv_bytes(rows, columns), name, ext)
    if ext == "xlsx":
        wb = Workbook()
        ws = wb.active
        ws.title = "data"
        ws.append(list(columns))
        for r in rows:
            ws.append([r.get(k) for k in columns])
        buf = io.BytesIO()
        wb.save(buf)
        return _attachment(buf.getvalue(), name, ext)
    if ext == "parquet":
        arrow = pa.Table.from_pylist([{k: r.get(k) for k in columns} for r in rows])
        buf = io.BytesIO()
        pq.write_table(arrow, buf, compression="zstd")
        return _attachment(buf.getvalue(), name, ext)
    raise NotFoundError(f"no download as .{ext}; use .csv, .xlsx or .parquet.")


def bulletin(data: dict, lang: str, ext: str) -> Response:
    """The published bulletin in ``lang`` as html, md, json or xlsx."""
    import json

    name = f"htz-bulletin-{data['period']}-{lang}"
    if ext == "json":
        body = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
        return _attachment(body, f"htz-bulletin-{data['period']}", ext)
    if ext == "html":
        return _attachment(render.html(data, lang).encode("utf-8"), name, ext)
    if ext == "md":
        return _attachment(render.markdown(data, lang).encode("utf-8"), name, ext)
    if ext == "xlsx":
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "b.xlsx"
            render.xlsx(data, lang, path)
            return _attachment(path.read_bytes(), name, ext)
    raise NotFoundError(f"no bulletin as .{ext}; use .html, .md, .json or .xlsx.")
