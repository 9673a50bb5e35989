"""Immutable, incremental Parquet snapshots of the data that figures are computed from.

Layout under the data directory::

    warehouse/observations/form=monthly/year=2023/2023-M09-<fingerprint>.parquet
    warehouse/registry/enterprises-<content hash>.parquet   (zones, provinces, …)
    snapshots/<snapshot id>.json                             the manifest

Files are content-addressed and never rewritten: a build writes a new file only for a
(form, period) whose fingerprint changed, and reuses the others. A manifest lists the
files of one snapshot; its id is derived from what it lists, so building again without
changes gives the same snapshot, and every old snapshot stays readable exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from htz.errors import NotFoundError

WAREHOUSE = "warehouse"
MANIFESTS = "snapshots"


@dataclass(frozen=True)
class Snapshot:
    id: str
    root: Path
    manifest: Mapping

    @property
    def created_at(self) -> str:
        return self.manifest["created_at"]

    @property
    def partitions(self) -> Mapping[str, Mapping]:
        """``form/period`` → {file, fingerprint, rows}."""
        return self.manifest["observations"]

    def observation_files(
        self, forms: Iterable[str] | None = None, periods: Iterable[str] | None = None
    ) -> list[Path]:
        forms = set(forms) if forms is not None else None
        periods = set(periods) if periods is not None else None
        out = []
        for key, part in sorted(self.partitions.items()):
            form, period = key.split("/")
            if (forms is None or form in forms) and (periods is None or period in periods):
                out.append(self.root / part["file"])
        return out

    def registry_file(self, name: str) -> Path:
        return self.root / self.manifest["registry"][name]

    def periods(self, form: str) -> list[str]:
        return sorted(k.split("/")[1] for k in self.partitions if k.startswith(form + "/"))


def _digest_table(table: pa.Table) -> str:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()


def _write(table: pa.Table, path: Path) -> None:
    """Write once: to a temporary name, then rename, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".parquet.tmp")
    pq.write_table(table, tmp, compression="zstd")
    tmp.replace(path)


@dataclass(frozen=True)
class BuildResult:
    snapshot: Snapshot
    rewritten: list[str]  # form/period keys written by this build
    reused: int
    new: bool  # False when the content equals an existing snapshot


def build(
    root: Path,
    fingerprints: Mapping[tuple[str, str], str],
    observations: Callable[[str, str], pa.Table],
    registry: Mapping[str, pa.Table],
    audit_head: str,
    periods: Iterable[str] | None = None,
    previous: Snapshot | None = None,
    progress: Callable[[str], None] | None = None,
) -> BuildResult:
    """Write the partitions whose fingerprint has no file yet, and a manifest listing all.

    ``periods`` limits the rewrite to those periods (others are carried over from
    ``previous`` unchanged, even if they changed since).
    """
    wanted = set(periods) if periods is not None else None
    parts: dict[str, dict] = {}
    rewritten: list[str] = []
    reused = 0
    for (form, period), fp in sorted(fingerprints.items()):
        key = f"{form}/{period}"
        if wanted is not None and period not in wanted and previous is not None:
            if key in previous.partitions:
                parts[key] = dict(previous.partitions[key])
                reused += 1
            continue
        rel = f"{WAREHOUSE}/observations/form={form}/year={period[:4]}/{period}-{fp[:16]}.parquet"
        path = root / rel
        if path.exists():
            rows = pq.ParquetFile(path).metadata.num_rows
            reused += 1
        else:
            if progress:
                progress(key)
            table = observations(form, period)
            _write(table, path)
            rows = table.num_rows
            rewritten.append(key)
        parts[key] = {"file": rel, "fingerprint": fp, "rows": rows}
    reg: dict[str, str] = {}
    for name, table in sorted(registry.items()):
        rel = f"{WAREHOUSE}/registry/{name}-{_digest_table(table)[:16]}.parquet"
        if not (root / rel).exists():
            _write(table, root / rel)
        reg[name] = rel
    content = {"observations": parts, "registry": reg}
    snapshot_id = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:16]
    manifest_path = root / MANIFESTS / f"{snapshot_id}.json"
    new = not manifest_path.exists()
    if new:
        manifest = {
            "id": snapshot_id,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "audit_head": audit_head,
            **content,
        }
        manifest_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = manifest_path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
        tmp.replace(manifest_path)
    snap = load(root, snapshot_id)
    return BuildResult(snap, rewritten, reused, new)


def load(root: Path, snapshot_id: str) -> Snapshot:
    path = root / MANIFESTS / f"{snapshot_id}.json"
    if not path.is_file():
        raise NotFoundError(
            f"no snapshot {snapshot_id!r} in {root / MANIFESTS}; list them with "
            "`htz snapshots list`, or run `htz build`."
        )
    return Snapshot(snapshot_id, root, json.loads(path.read_text(encoding="utf-8")))
