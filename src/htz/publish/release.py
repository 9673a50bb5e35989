"""What a publication is: the bulletins of a snapshot's periods, written once as JSON.

The public site and the open-data downloads read only published bulletins. A bulletin's
figures depend on the partitions of its year and the year before (growth) and on the
registry; ``inputs`` hashes exactly those, so publishing a new snapshot recomputes only
the periods whose inputs changed and copies the figures of the others.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

from htz.analytics.snapshot import Snapshot
from htz.periods import parse

PUBLISHED = "published"
# bump when analytics.bulletin changes what it computes, so old figures are not reused
FIGURES_VERSION = "4"  # 2: exact (decimal) sums; 3: disclosure over linked tables; 4: and quarters


def periods_of(snap: Snapshot) -> list[str]:
    """Quarters (year to date) and years that the snapshot's monthly data cover fully."""
    months = set(snap.periods("monthly"))
    out: list[str] = []
    for year in sorted({int(m[:4]) for m in months}):
        for q in range(1, 5):
            if f"{year}-M{3 * q:02d}" in months:
                out.append(f"{year}-Q{q}")
        if f"{year}-M12" in months:
            out.append(str(year))
    return out


def inputs(snap: Snapshot, period: str, meta: Mapping[str, str]) -> str:
    """SHA-256 of everything the bulletin of ``period`` is computed from."""
    year = parse(period).year
    parts = {
        key: part["fingerprint"]
        for key, part in snap.partitions.items()
        if int(key.split("/")[1][:4]) in (year, year - 1)
    }
    payload = {
        "figures": FIGURES_VERSION,
        "period": period,
        "partitions": parts,
        "registry": dict(snap.manifest["registry"]),
        "synthetic": bool(meta.get("synthetic")),  # the only meta a bulletin reads
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def restamp(data: dict, snap: Snapshot, key: str) -> dict:
    """Figures computed from identical inputs, labelled with the snapshot they are now in."""
    return {**data, "snapshot": snap.id, "snapshot_created_at": snap.created_at, "inputs": key}


def encode(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=False, indent=1).encode("utf-8")
