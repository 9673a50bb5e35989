"""Vendor the web UI's third-party assets from the npm registry into the package.

The web pages serve Apache ECharts, htmx and a China province boundary map
themselves: nothing is fetched from a CDN at run time. This script refreshes
them from pinned npm packages and records what it took in
``src/htz/web/static/vendor/VERSIONS.json`` (version, licence, the registry's
sha512 integrity of the tarball, and the sha256 and size of every file written).

    python scripts/vendor_web.py            # fetch the pinned packages, rewrite vendor/
    python scripts/vendor_web.py --check    # verify vendor/ against VERSIONS.json (offline)
    python scripts/vendor_web.py --outdated # list newer releases in each pinned line

Standard library only. Fetching needs ``npm`` on PATH; ``--check`` needs nothing
but the files. Re-running with the same pins writes byte-identical files.

The province map comes from ``map/json/china.json`` in echarts 4.9.0 (Apache-2.0;
echarts dropped its maps from 5.0 on). That file is in ECharts' compressed
"UTF8Encoding" form; it is decoded here to plain GeoJSON (see
``decode_echarts_ring``), coordinates are rounded to 3 decimals and every
feature is keyed by its GB/T 2260 two-digit province code.
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR_DIR = ROOT / "src" / "htz" / "web" / "static" / "vendor"
PROVINCES_CSV = ROOT / "src" / "htz" / "reference" / "data" / "provinces.csv"
VERSIONS_FILE = "VERSIONS.json"
README_FILE = "README.md"


@dataclass(frozen=True)
class Pin:
    """One npm package at an exact version and the files taken from its tarball."""

    name: str  # npm package name
    version: str  # exact version
    line: str  # release line we follow, for --outdated ("6." = latest 6.x)
    stem: str  # prefix of the licence/notice files written beside the assets
    files: dict[str, str]  # path in the tarball (under package/) -> file name in vendor/
    licence_files: dict[str, str] = field(default_factory=dict)  # same, for LICENSE/NOTICE
    description: str = ""


# --- pins -----------------------------------------------------------------------------------

ECHARTS = Pin(
    name="echarts",
    version="6.1.0",
    line="6.",
    stem="echarts",
    files={"dist/echarts.min.js": "echarts.min.js"},
    licence_files={
        "LICENSE": "echarts.LICENSE.txt",
        "NOTICE": "echarts.NOTICE.txt",
        # echarts' LICENSE points at this for the d3.js code it embeds
        "licenses/LICENSE-d3": "echarts.LICENSE-d3.txt",
    },
    description="Apache ECharts, charting library (minified UMD build, global `echarts`)",
)

HTMX = Pin(
    name="htmx.org",
    version="2.0.11",
    line="2.0.",
    stem="htmx.org",
    files={"dist/htmx.min.js": "htmx.min.js"},
    licence_files={"LICENSE": "htmx.org.LICENSE.txt"},
    description="htmx 2, HTML-over-the-wire attributes (minified, global `htmx`)",
)

# The last echarts release that shipped map data. Only map/json/china.json is taken,
# and it is transformed (decoded, rounded, keyed by code) into china-provinces.json.
CHINA_MAP = Pin(
    name="echarts",
    version="4.9.0",
    line="4.9.",
    stem="china-provinces",
    files={},  # written by build_china_map, not copied
    licence_files={
        "LICENSE": "china-provinces.LICENSE.txt",
        "NOTICE": "china-provinces.NOTICE.txt",
    },
    description="China province boundaries (GeoJSON) for echarts.registerMap('china', ...)",
)
CHINA_MAP_SOURCE = "map/json/china.json"
CHINA_MAP_OUTPUT = "china-provinces.json"
CHINA_MAP_DECIMALS = 3

# Codes that provinces.csv may not list (it covers the 31 mainland provinces); the map must
# still carry them. Used only for codes missing from provinces.csv.
EXTRA_PROVINCES = {
    "71": ("台湾省", "台湾"),
    "81": ("香港特别行政区", "香港"),
    "82": ("澳门特别行政区", "澳门"),
}
# A feature for the South China Sea islands, if a source has one, is kept with code "".
NANHAI_NAMES = {"南海诸岛"}

PINS = (ECHARTS, HTMX, CHINA_MAP)

NPM_ENV = {
    "npm_config_update_notifier": "false",
    "npm_config_fund": "false",
    "npm_config_audit": "false",
    "npm_config_loglevel": "error",
}


class VendorError(RuntimeError):
    pass


# --- npm ------------------------------------------------------------------------------------


def _npm(args: list[str], cwd: Path) -> str:
    npm = shutil.which("npm")
    if npm is None:
        raise VendorError("npm is not on PATH (needed to fetch; --check works without it)")
    env = {**os.environ, **NPM_ENV}
    proc = subprocess.run(
        [npm, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise VendorError(f"npm {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    return proc.stdout


def sri_sha512(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


@dataclass
class Fetched:
    pin: Pin
    integrity: str
    tarball_name: str
    members: dict[str, bytes]  # path under package/ -> bytes
    package_json: dict

    def read(self, path: str) -> bytes:
        try:
            return self.members[path]
        except KeyError:
            raise VendorError(f"{self.pin.name}@{self.pin.version} has no {path}") from None


def fetch(pin: Pin, workdir: Path) -> Fetched:
    """npm pack the exact version, check its integrity, read the tarball into memory."""
    spec = f"{pin.name}@{pin.version}"
    registry_integrity = _npm(["view", spec, "dist.integrity"], workdir).strip()
    if not registry_integrity.startswith("sha512-"):
        raise VendorError(f"npm view {spec} dist.integrity gave {registry_integrity!r}")
    packed = json.loads(_npm(["pack", spec, "--silent", "--json"], workdir))
    (info,) = packed
    if info.get("version") != pin.version:
        raise VendorError(f"npm pack {spec} packed version {info.get('version')!r}")
    data = (workdir / info["filename"]).read_bytes()
    local = sri_sha512(data)
    if local != registry_integrity or info.get("integrity") != registry_integrity:
        raise VendorError(
            f"{spec}: tarball sha512 {local} does not match the registry's {registry_integrity}"
        )
    members: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            # npm tarballs put everything under one top folder, normally "package/"
            _, _, rel = member.name.partition("/")
            extracted = tar.extractfile(member)
            if rel and extracted is not None:
                members[rel] = extracted.read()
    package_json = json.loads(members["package.json"])
    if package_json.get("name") != pin.name or package_json.get("version") != pin.version:
        raise VendorError(f"{spec}: tarball package.json is for something else")
    return Fetched(pin, registry_integrity, info["filename"], members, package_json)


def newest_in_line(pin: Pin, workdir: Path) -> str:
    versions = json.loads(_npm(["view", pin.name, "versions", "--json"], workdir))
    stable = [v for v in versions if v.startswith(pin.line) and "-" not in v]

    def key(v: str) -> tuple[int, ...]:
        return tuple(int(p) for p in v.split("."))

    return max(stable, key=key) if stable else "(none)"


# --- the China map --------------------------------------------------------------------------


def decode_echarts_ring(encoded: str, offset: list[int], scale: float) -> list[list[float]]:
    """Decode one ring of ECharts' "UTF8Encoding" compressed GeoJSON.

    Each point is two characters (x then y). A character's code point minus 64 is a
    zigzag-encoded integer delta from the previous point (the first from ``offset``);
    the running integer divided by ``scale`` (UTF8Scale, default 1024) is the coordinate.
    """
    if len(encoded) % 2:
        raise VendorError("encoded ring has an odd number of characters")
    prev_x, prev_y = offset
    points = []
    for i in range(0, len(encoded), 2):
        x = ord(encoded[i]) - 64
        y = ord(encoded[i + 1]) - 64
        x = (x >> 1) ^ -(x & 1)  # zigzag decode
        y = (y >> 1) ^ -(y & 1)
        prev_x += x
        prev_y += y
        points.append([prev_x / scale, prev_y / scale])
    return points


def decode_echarts_geojson(doc: dict) -> list[dict]:
    """Return the features with plain coordinates (a list of polygons, each a list of rings)."""
    scale = doc.get("UTF8Scale") or 1024
    encoded = bool(doc.get("UTF8Encoding"))
    out = []
    for feature in doc["features"]:
        geometry = feature["geometry"]
        kind = geometry["type"]
        if kind == "Polygon":
            polygons, offsets = [geometry["coordinates"]], [geometry.get("encodeOffsets")]
        elif kind == "MultiPolygon":
            polygons, offsets = geometry["coordinates"], geometry.get("encodeOffsets")
        else:
            raise VendorError(f"unexpected geometry type {kind!r}")
        if encoded:
            polygons = [
                [
                    decode_echarts_ring(ring, off, scale)
                    for ring, off in zip(poly, poly_off, strict=True)
                ]
                for poly, poly_off in zip(polygons, offsets, strict=True)
            ]
        out.append({"type": kind, "properties": feature["properties"], "polygons": polygons})
    return out


def _round_ring(ring: list[list[float]], decimals: int) -> list[list[float]] | None:
    """Round, drop repeated points, close the ring; None if it collapses below a triangle."""
    pts: list[list[float]] = []
    for x, y in ring:
        p = [round(x, decimals), round(y, decimals)]
        if not pts or p != pts[-1]:
            pts.append(p)
    if len(pts) > 1 and pts[0] == pts[-1]:
        pts.pop()
    if len(pts) < 3:
        return None
    pts.append(list(pts[0]))
    return pts


def read_provinces(path: Path = PROVINCES_CSV) -> dict[str, tuple[str, str]]:
    """code -> (name_zh, short_zh) from provinces.csv, plus EXTRA_PROVINCES it lacks."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = {r["code"]: (r["name_zh"], r["short_zh"]) for r in csv.DictReader(fh)}
    for code, names in EXTRA_PROVINCES.items():
        rows.setdefault(code, names)
    return rows


def build_china_map(fetched: Fetched) -> tuple[bytes, dict]:
    provinces = read_provinces()
    by_name: dict[str, str] = {}
    for code, (name_zh, short_zh) in provinces.items():
        by_name[name_zh] = code
        by_name[short_zh] = code
    source = json.loads(fetched.read(CHINA_MAP_SOURCE).decode("utf-8"))
    features = []
    unmatched = []
    dropped_rings = 0
    for feat in decode_echarts_geojson(source):
        name = feat["properties"]["name"]
        if name in NANHAI_NAMES:
            code = ""
        elif name in by_name:
            code = by_name[name]
        else:
            unmatched.append(name)
            continue
        polygons = []
        for poly in feat["polygons"]:
            rings = [_round_ring(r, CHINA_MAP_DECIMALS) for r in poly]
            if rings[0] is None:  # exterior collapsed: drop the polygon
                dropped_rings += len(rings)
                continue
            dropped_rings += sum(r is None for r in rings)
            polygons.append([r for r in rings if r is not None])
        if not polygons:
            raise VendorError(f"map feature {name} has no polygon left after rounding")
        geometry = (
            {"type": "Polygon", "coordinates": polygons[0]}
            if feat["type"] == "Polygon" and len(polygons) == 1
            else {"type": "MultiPolygon", "coordinates": polygons}
        )
        features.append(
            {"type": "Feature", "properties": {"code": code, "name": name}, "geometry": geometry}
        )
    if unmatched:
        raise VendorError(f"map features with no province code: {unmatched}")
    codes = [f["properties"]["code"] for f in features if f["properties"]["code"]]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    missing = sorted(set(provinces) - set(codes))
    if dupes or missing:
        raise VendorError(f"map province codes: duplicated {dupes}, missing {missing}")
    features.sort(key=lambda f: (f["properties"]["code"] == "", f["properties"]["code"]))
    collection = {"type": "FeatureCollection", "features": features}
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n"
    notes = {
        "features": len(features),
        "province_codes": len(set(codes)),
        "rings_dropped_as_degenerate": dropped_rings,
    }
    return text.encode("utf-8"), notes


# --- writing --------------------------------------------------------------------------------


def file_record(path: str, data: bytes, kind: str, origin: str | None = None) -> dict:
    rec = {"path": path, "kind": kind}
    if origin is not None:
        rec["from"] = origin
    rec["sha256"] = hashlib.sha256(data).hexdigest()
    rec["bytes"] = len(data)
    return rec


def npm_source(pin: Pin) -> str:
    return f"npm:{pin.name}@{pin.version}"


def collect(workdir: Path) -> tuple[dict[str, bytes], list[dict]]:
    """Fetch every pin; return {vendor file name: bytes} and the VERSIONS.json entries."""
    outputs: dict[str, bytes] = {}
    entries = []
    cache: dict[tuple[str, str], Fetched] = {}
    for pin in PINS:
        key = (pin.name, pin.version)
        if key not in cache:
            sub = workdir / f"{pin.name}-{pin.version}"
            sub.mkdir()
            cache[key] = fetch(pin, sub)
        fetched = cache[key]
        records = []
        for src, dest in pin.files.items():
            data = fetched.read(src)
            outputs[dest] = data
            records.append(file_record(dest, data, "asset", f"package/{src}"))
        entry: dict = {
            "package": pin.name,
            "version": pin.version,
            "licence": fetched.package_json.get("license"),
            "integrity": fetched.integrity,
            "source": npm_source(pin),
            "tarball": fetched.tarball_name,
            "description": pin.description,
        }
        if pin is CHINA_MAP:
            data, notes = build_china_map(fetched)
            outputs[CHINA_MAP_OUTPUT] = data
            records.append(
                file_record(CHINA_MAP_OUTPUT, data, "asset", f"package/{CHINA_MAP_SOURCE}")
            )
            upstream = fetched.read(CHINA_MAP_SOURCE)
            entry["data_source"] = {
                "file": f"package/{CHINA_MAP_SOURCE}",
                "file_sha256": hashlib.sha256(upstream).hexdigest(),
                "upstream": (
                    "Apache ECharts 4.9.0 built-in China map (map/json/china.json), the last "
                    "echarts release to ship map data; distributed under the package's "
                    "Apache-2.0 licence. The package does not name the survey source of the "
                    "boundaries, and the ECharts maintainers no longer maintain or recommend "
                    "their old maps (they were removed in echarts 5.0)."
                ),
                "licence": fetched.package_json.get("license"),
                "transform": (
                    "decoded from ECharts UTF8Encoding to plain GeoJSON; coordinates rounded to "
                    f"{CHINA_MAP_DECIMALS} decimals, repeated points removed, rings closed, "
                    "rings with fewer than 3 distinct points (zero-area slivers) dropped; "
                    "properties reduced to {code: GB/T 2260 two-digit code, "
                    "name: name as in the source}; features sorted by code"
                ),
                **notes,
                "south_china_sea_islands": (
                    "not a feature of the source; ECharts adds its 南海诸岛 inset itself when "
                    "the map is registered under the name 'china'"
                ),
            }
        for src, dest in pin.licence_files.items():
            if src not in fetched.members:
                if src == "NOTICE":
                    continue
                raise VendorError(f"{pin.name}@{pin.version} has no {src}")
            data = fetched.members[src]
            outputs[dest] = data
            kind = "notice" if "NOTICE" in src else "licence"
            records.append(file_record(dest, data, kind, f"package/{src}"))
        entry["files"] = records
        entries.append(entry)
    return outputs, entries


def render_versions(entries: list[dict]) -> bytes:
    return (json.dumps(entries, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def render_readme(entries: list[dict]) -> bytes:
    lines = [
        "# Vendored web assets",
        "",
        "Served by the htz web UI from `/static/vendor/`; nothing is loaded from a CDN or",
        "fetched from the internet at run time. **Generated by `scripts/vendor_web.py` — do not",
        "edit by hand.**",
        "",
        "- Refresh (needs `npm` and the npm registry): `python scripts/vendor_web.py`",
        "- Check the files against `VERSIONS.json` (offline):",
        "  `python scripts/vendor_web.py --check`",
        "- See newer releases in each pinned line: `python scripts/vendor_web.py --outdated`",
        "",
        "To upgrade, change the pins at the top of the script, run it, and commit the result.",
        "Re-running with the same pins rewrites identical files. `VERSIONS.json` records, per",
        "package, the version, its licence (from its `package.json`), the registry's sha512",
        "`integrity` of the tarball (checked against the downloaded tarball) and the sha256 and",
        "size of every file written here.",
        "",
        "| file | what | from | licence |",
        "| --- | --- | --- | --- |",
    ]
    for e in entries:
        for f in e["files"]:
            what = {
                "asset": e["description"],
                "licence": "licence text",
                "notice": "NOTICE",
            }[f["kind"]]
            lines.append(
                f"| `{f['path']}` | {what} | `{e['package']}@{e['version']}` "
                f"`{f.get('from', '')}` | {e['licence']} |"
            )
    lines += [
        "",
        "## China province map (`china-provinces.json`)",
        "",
        "A plain GeoJSON FeatureCollection of the 34 provincial-level divisions (31 mainland",
        "provinces, Hong Kong, Macao, Taiwan). Each feature's `properties` are",
        '`{"code": GB/T 2260 two-digit code, "name": Chinese short name as in the source}`,',
        'e.g. `{"code": "44", "name": "广东"}`. Codes come from',
        "`src/htz/reference/data/provinces.csv` (matched on `name_zh` or `short_zh`); 71, 81",
        "and 82 come from the script's `EXTRA_PROVINCES` when that file does not list them.",
        "The script fails if any feature or any code is left unmatched. A South China Sea",
        'islands feature, if a future source has one, is kept with `"code": ""`; the current',
        "source has none, and ECharts draws its own 南海诸岛 inset when the map is registered",
        "under the name `china`.",
        "",
        "Source: `map/json/china.json` of the `echarts@4.9.0` npm package (Apache-2.0, see",
        "`china-provinces.LICENSE.txt` and `china-provinces.NOTICE.txt`), decoded from",
        "ECharts' compressed UTF8Encoding, with coordinates rounded to 3 decimals. ECharts",
        "removed its maps in 5.0 and its maintainers no longer maintain these boundaries.",
        "",
        "Register it under the name `china` and key data by code with `nameProperty`:",
        "",
        "```js",
        "echarts.registerMap('china', geojson);",
        "chart.setOption({",
        "  geo: {map: 'china', nameProperty: 'code'},",
        "  series: [{type: 'map', geoIndex: 0, data: [{name: '44', value: 12}]}],",
        "});",
        "```",
        "",
        "A `map` series on its own takes `nameProperty: 'code'` the same way; a `geo` component",
        "is needed for scatter/effectScatter points (`coordinateSystem: 'geo'`, `[lon, lat]`).",
        "Give `visualMap` a `seriesIndex` so it does not recolour the points. The file has no",
        "label anchors, so ECharts places labels itself: Hebei's (13) falls inside Beijing.",
        "",
        "**Map review.** Maps of China published in China need map-review approval (审图号)",
        "from the natural resources authorities. This boundary file has none: it is for",
        "statistical illustration only, not an authoritative depiction of boundaries, and",
        "pages that use it should say so. Anything published as a map needs a reviewed base",
        "map instead.",
        "",
    ]
    return "\n".join(lines).encode("utf-8")


def write(vendor_dir: Path = VENDOR_DIR) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="htz-vendor-") as tmp:
        outputs, entries = collect(Path(tmp))
    outputs[VERSIONS_FILE] = render_versions(entries)
    outputs[README_FILE] = render_readme(entries)
    vendor_dir.mkdir(parents=True, exist_ok=True)
    for old in vendor_dir.iterdir():
        if old.is_file() and old.name not in outputs:
            old.unlink()
    for name, data in sorted(outputs.items()):
        target = vendor_dir / name
        if not target.exists() or target.read_bytes() != data:
            target.write_bytes(data)
    return entries


# --- checking -------------------------------------------------------------------------------


def load_versions(vendor_dir: Path = VENDOR_DIR) -> list[dict]:
    return json.loads((vendor_dir / VERSIONS_FILE).read_text(encoding="utf-8"))


def check(vendor_dir: Path = VENDOR_DIR) -> list[str]:
    """Problems with the vendored files (empty when all is well). No network."""
    try:
        entries = load_versions(vendor_dir)
    except (OSError, ValueError) as exc:
        return [f"cannot read {VERSIONS_FILE}: {exc}"]
    problems = []
    listed = {VERSIONS_FILE, README_FILE}
    for e in entries:
        label = f"{e['package']}@{e['version']}"
        if not any(f["kind"] == "licence" for f in e["files"]):
            problems.append(f"{label}: no licence file recorded")
        for f in e["files"]:
            listed.add(f["path"])
            path = vendor_dir / f["path"]
            if not path.is_file():
                problems.append(f"{label}: {f['path']} is missing")
                continue
            data = path.read_bytes()
            if len(data) != f["bytes"] or hashlib.sha256(data).hexdigest() != f["sha256"]:
                problems.append(f"{label}: {f['path']} differs from VERSIONS.json")
    for path in sorted(vendor_dir.iterdir()):
        if path.name not in listed:
            problems.append(f"{path.name} is not recorded in {VERSIONS_FILE}")
    if not (vendor_dir / README_FILE).is_file():
        problems.append(f"{README_FILE} is missing")
    return problems


# --- command line ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="verify files against VERSIONS.json")
    mode.add_argument("--outdated", action="store_true", help="list newer releases per pin")
    args = parser.parse_args(argv)
    try:
        if args.check:
            problems = check()
            for p in problems:
                print(f"vendor check: {p}", file=sys.stderr)
            if problems:
                return 1
            n = sum(len(e["files"]) for e in load_versions())
            print(f"vendor check: {n} files match {VERSIONS_FILE}")
            return 0
        if args.outdated:
            with tempfile.TemporaryDirectory(prefix="htz-vendor-") as tmp:
                for pin in PINS:
                    newest = newest_in_line(pin, Path(tmp))
                    flag = "" if newest == pin.version else "  <- newer available"
                    print(f"{pin.name}: pinned {pin.version}, newest {pin.line}x {newest}{flag}")
            return 0
        entries = write()
    except VendorError as exc:
        print(f"vendor_web: {exc}", file=sys.stderr)
        return 1
    for e in entries:
        files = ", ".join(f"{f['path']} ({f['bytes']:,} B)" for f in e["files"])
        print(f"{e['package']}@{e['version']} [{e['licence']}]: {files}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
