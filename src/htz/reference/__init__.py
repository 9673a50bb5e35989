"""Static reference data shipped with htz (see data/README.md for the sources).

Each loader returns a list of plain dicts, one per CSV row, with empty cells
as None. The files are read from the installed package, never from outside it.
"""

from __future__ import annotations

import csv
import hashlib
import io
from functools import cache
from importlib import resources

FILES = {
    "provinces": "provinces.csv",
    "industries": "industries.csv",
    "tech_fields": "tech_fields.csv",
    "zones": "zones.csv",
    "zone_events": "zone_events.csv",
    "platforms": "platforms.csv",
    "platform_aggregates": "platform_aggregates.csv",
}


@cache
def raw(name: str) -> bytes:
    """The bytes of one reference file."""
    return resources.files(__package__).joinpath("data", FILES[name]).read_bytes()


def sha256(name: str) -> str:
    return hashlib.sha256(raw(name)).hexdigest()


def rows(name: str) -> list[dict[str, str | None]]:
    """One reference file as rows; empty cells become None."""
    reader = csv.DictReader(io.StringIO(raw(name).decode("utf-8")))
    return [{k: (v if v != "" else None) for k, v in row.items()} for row in reader]
