"""The vendored web assets match VERSIONS.json, carry their licences, and no template uses a CDN."""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "src" / "htz" / "web" / "static" / "vendor"
TEMPLATES = ROOT / "src" / "htz" / "web" / "templates"
PROVINCES_CSV = ROOT / "src" / "htz" / "reference" / "data" / "provinces.csv"


def _load_script():
    name = "htz_scripts_vendor_web"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "vendor_web.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


vendor_web = _load_script()


@pytest.fixture(scope="module")
def versions() -> list[dict]:
    return json.loads((VENDOR / "VERSIONS.json").read_text(encoding="utf-8"))


def test_script_check_passes():
    assert vendor_web.check(VENDOR) == []


def test_every_recorded_file_has_its_sha256(versions):
    for entry in versions:
        for f in entry["files"]:
            data = (VENDOR / f["path"]).read_bytes()
            assert len(data) == f["bytes"], f["path"]
            assert hashlib.sha256(data).hexdigest() == f["sha256"], f["path"]


def test_pins_and_records_agree(versions):
    recorded = [(e["package"], e["version"]) for e in versions]
    assert recorded == [(p.name, p.version) for p in vendor_web.PINS]
    by_file = {f["path"]: e for e in versions for f in e["files"]}
    assert by_file["echarts.min.js"]["version"].startswith("6.")
    assert by_file["htmx.min.js"]["version"].startswith("2.0.")
    assert by_file["china-provinces.json"]["data_source"]["licence"] == "Apache-2.0"
    for entry in versions:
        assert entry["integrity"].startswith("sha512-")
        assert entry["licence"]


def test_each_package_has_a_licence_file_beside_it(versions):
    for entry in versions:
        licences = [f["path"] for f in entry["files"] if f["kind"] == "licence"]
        assert licences, entry["package"]
        for path in licences:
            assert (VENDOR / path).is_file()
            assert (VENDOR / path).stat().st_size > 100


def test_china_map_has_the_34_province_codes():
    with PROVINCES_CSV.open(encoding="utf-8", newline="") as fh:
        csv_codes = {row["code"] for row in csv.DictReader(fh)}
    expected = csv_codes | set(vendor_web.EXTRA_PROVINCES)
    assert len(expected) == 34
    doc = json.loads((VENDOR / "china-provinces.json").read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection"
    codes = [f["properties"]["code"] for f in doc["features"] if f["properties"]["code"]]
    assert len(codes) == len(set(codes)) == 34
    assert set(codes) == expected
    for feature in doc["features"]:
        assert set(feature["properties"]) == {"code", "name"}
        assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    names = {f["properties"]["code"]: f["properties"]["name"] for f in doc["features"]}
    assert names["11"] == "北京"
    assert names["44"] == "广东"
    assert names["71"] == "台湾"
    assert names["81"] == "香港"
    assert names["82"] == "澳门"


def test_china_map_coordinates_are_plain_and_rounded():
    doc = json.loads((VENDOR / "china-provinces.json").read_text(encoding="utf-8"))
    for feature in doc["features"]:
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        for polygon in polygons:
            for ring in polygon:
                assert len(ring) >= 4 and ring[0] == ring[-1]
                for lon, lat in ring:
                    assert 73 < lon < 136 and 3 < lat < 54
                    assert round(lon, 3) == lon and round(lat, 3) == lat


def test_decode_matches_a_hand_worked_ring():
    # offset (1024, 2048) at scale 1024; deltas +1/-1 then 0/+2, zigzag-encoded as 2, 1, 0, 4
    encoded = chr(64 + 2) + chr(64 + 1) + chr(64 + 0) + chr(64 + 4)
    ring = vendor_web.decode_echarts_ring(encoded, [1024, 2048], 1024)
    assert ring == [[1025 / 1024, 2047 / 1024], [1025 / 1024, 2049 / 1024]]


_REMOTE = re.compile(
    r"<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//",
    re.IGNORECASE,
)


def test_templates_load_nothing_from_a_cdn():
    if not TEMPLATES.is_dir():
        pytest.skip("no src/htz/web/templates yet")
    offenders = []
    for path in sorted(TEMPLATES.rglob("*")):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            offenders += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in _REMOTE.finditer(text)]
    assert offenders == []
