"""A snapshot opened on an Ibis backend: the observation and registry tables as Ibis tables.

DuckDB is the default backend; PySpark (``htz[spark]``) runs the very same expressions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import ibis
import pyarrow as pa
from ibis.backends import BaseBackend

from htz.analytics.snapshot import Snapshot
from htz.errors import ConfigError, NotFoundError

REGISTRY = ("enterprises", "zones", "provinces", "sections", "platforms")


def connect(engine: str = "duckdb") -> BaseBackend:
    """A fresh Ibis backend: ``duckdb`` (in-process) or ``spark`` (local PySpark)."""
    if engine == "duckdb":
        return ibis.duckdb.connect()
    if engine == "spark":
        from htz.analytics.spark import connect_spark

        return connect_spark()
    raise ConfigError(f"engine {engine!r} is not known; use duckdb or spark.")


@dataclass
class Frame:
    """The tables of one snapshot on one backend."""

    snapshot: Snapshot
    con: BaseBackend
    _obs: dict[str, ibis.Table] = field(default_factory=dict)
    _registry: dict[str, ibis.Table] = field(default_factory=dict)

    def observations(self, form: str, periods: Iterable[str] | None = None) -> ibis.Table:
        """Long observations (uscc, form, period, year, status, indicator, value, flag)."""
        key = form if periods is None else f"{form}:{','.join(sorted(periods))}"
        if key not in self._obs:
            files = self.snapshot.observation_files([form], periods)
            if not files:
                what = f"{form} {', '.join(sorted(periods))}" if periods else form
                raise NotFoundError(
                    f"snapshot {self.snapshot.id} has no {what} data; import and accept "
                    "reports for it, then run `htz build`."
                )
            self._obs[key] = self._read([str(f) for f in files], f"obs_{len(self._obs)}")
        return self._obs[key]

    def registry(self, name: str) -> ibis.Table:
        if name not in self._registry:
            path = self.snapshot.registry_file(name)
            self._registry[name] = self._read([str(path)], f"registry_{name}")
        return self._registry[name]

    @property
    def spark(self) -> bool:
        return self.con.name == "pyspark"

    def _read(self, files: list[str], name: str) -> ibis.Table:
        if self.spark:
            from htz.analytics.spark import read_parquet

            return read_parquet(self.con, files, name)
        return self.con.read_parquet(files, table_name=name, hive_partitioning=False)

    def arrow(self, expr: ibis.Table) -> pa.Table:
        """Run an expression and collect its result as Arrow, on either engine."""
        if self.spark:
            from htz.analytics.spark import to_arrow

            return to_arrow(self.con, expr)
        return expr.to_pyarrow()

    def rows(self, expr: ibis.Table) -> list[dict]:
        return self.arrow(expr).to_pylist()

    def has(self, form: str, period: str) -> bool:
        return f"{form}/{period}" in self.snapshot.partitions


def open_frame(snapshot: Snapshot, engine: str = "duckdb") -> Frame:
    return Frame(snapshot, connect(engine))
