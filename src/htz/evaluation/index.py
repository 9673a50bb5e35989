"""Build an index: run a framework's steps on a table and keep every stage.

result = build_index(table, load_framework("zones-2021"))
result.scores["Index"]          # numpy array, one score per kept unit
result.ranks["Index"]           # 1 = best; ties share the best place
result.stage("normalised")      # an Arrow table: unit + one column per indicator
result.effective_weights        # each node's share of the index
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from htz.evaluation import aggregate as agg
from htz.evaluation.data import Dataset, TableLike, as_dataset
from htz.evaluation.denominate import denominate
from htz.evaluation.framework import Framework
from htz.evaluation.impute import impute
from htz.evaluation.normalise import normalise
from htz.evaluation.screen import screen
from htz.evaluation.stats import rank_desc
from htz.evaluation.treat import Treatment, treat

STAGE_NAMES = {
    "denominate": "denominated",
    "screen": "screened",
    "impute": "imputed",
    "treat": "treated",
    "normalise": "normalised",
}


@dataclass
class IndexResult:
    framework: Framework
    units: np.ndarray  # kept units
    names: np.ndarray | None
    stages: dict[str, np.ndarray]  # stage → units × indicators (kept units only)
    scores: dict[str, np.ndarray]  # aggregate code → score per kept unit
    ranks: dict[str, np.ndarray]  # every indicator (normalised) and aggregate code → rank
    effective_weights: dict[str, float]
    removed: list[str] = field(default_factory=list)  # units screened out
    treatments: list[Treatment] = field(default_factory=list)
    imputed: int = 0  # cells filled by imputation
    notes: list[str] = field(default_factory=list)

    @property
    def index_code(self) -> str:
        return self.framework.root.code

    def stage(self, name: str) -> pa.Table:
        """A stage as an Arrow table (``raw``, ``denominated``, …, ``normalised``)."""
        if name == "aggregated":
            return self.table()
        if name not in self.stages:
            raise KeyError(f"no stage {name!r}; stages: {', '.join(self.stages)}")
        codes = [i.code for i in self.framework.indicators]
        cols = {self.framework.unit_id: pa.array(self.units.tolist(), pa.string())}
        for j, c in enumerate(codes):
            cols[c] = pa.array(self.stages[name][:, j], pa.float64(), from_pandas=True)
        return pa.table(cols)

    def table(self) -> pa.Table:
        """Unit, rank and every aggregate's score (top level first), best unit first."""
        order = np.lexsort((self.units, self.ranks[self.index_code]))
        cols: dict[str, pa.Array] = {
            self.framework.unit_id: pa.array(self.units[order].tolist(), pa.string())
        }
        if self.names is not None:
            cols["name"] = pa.array(self.names[order].tolist(), pa.string())
        cols["rank"] = pa.array(self.ranks[self.index_code][order], pa.float64(), from_pandas=True)
        for node in reversed(self.framework.aggregates):
            cols[node.code] = pa.array(
                self.scores[node.code][order], pa.float64(), from_pandas=True
            )
        return pa.table(cols)

    def rows(self, codes: list[str] | None = None) -> list[dict]:
        """Plain rows (unit, name, rank, scores) in rank order, for printing and JSON."""
        t = self.table()
        keep = [
            c
            for c in t.column_names
            if codes is None or c in codes or c in (self.framework.unit_id, "name", "rank")
        ]
        return t.select(keep).to_pylist()


def build_index(
    data: TableLike | Dataset,
    framework: Framework,
    *,
    keep_units: np.ndarray | None = None,
    source: str = "data",
) -> IndexResult:
    """Run every step of ``framework`` on ``data`` (units × indicators, groups, denominators).

    ``keep_units`` (a boolean per row) replaces the screening step's decision: the
    uncertainty analysis uses it to keep the nominal set of units in every run.
    """
    ds = as_dataset(data, framework, source)
    values = ds.values.copy()
    stages: dict[str, np.ndarray] = {"raw": values.copy()}
    keep = np.ones(len(ds.units), dtype=bool)
    removed: list[str] = []
    treatments: list[Treatment] = []
    imputed = 0
    notes: list[str] = []
    normalised = None
    codes = [i.code for i in framework.indicators]
    for step in framework.steps:
        kind, spec = step.kind, step.spec
        if kind == "denominate":
            values = denominate(values, ds, framework)
        elif kind == "screen":
            if keep_units is not None:
                keep = np.asarray(keep_units, dtype=bool)
            else:
                keep = screen(values, ds.units, spec).keep
            removed = ds.units[~keep].tolist()
        elif kind == "impute":
            kept_groups = {g: v[keep] for g, v in ds.groups.items()}
            filled = impute(values[keep], spec, kept_groups)
            imputed = int(np.isnan(values[keep]).sum() - np.isnan(filled).sum())
            values = values.copy()
            values[keep] = filled
        elif kind == "treat":
            overrides = {i.code: i.treat for i in framework.indicators if i.treat is not None}
            treated, treatments = treat(values[keep], codes, spec, overrides)
            values = values.copy()
            values[keep] = treated
        elif kind == "normalise":
            directions = np.array([i.direction for i in framework.indicators], dtype=float)
            targets = np.array(
                [np.nan if i.target is None else i.target for i in framework.indicators]
            )
            overrides = {j: i.normalise for j, i in enumerate(framework.indicators) if i.normalise}
            normalised = normalise(values[keep], directions, targets, spec, overrides)
            values = values.copy()
            values[keep] = normalised
        if kind in STAGE_NAMES:
            stages[STAGE_NAMES[kind]] = values.copy()
        if kind == "aggregate":
            break
    stages = {k: v[keep] for k, v in stages.items()}
    assert normalised is not None
    flat = [c for j, c in enumerate(codes) if np.all(np.isnan(normalised[:, j]))]
    if flat:
        notes.append(
            f"indicator(s) {', '.join(flat)} have no spread (or no data) among the units "
            "kept: their normalised values are missing and they carry no weight."
        )
    p = agg.plan(framework)
    scores_arr = agg.aggregate(normalised, p)[:, :, 0]
    scores = {c: scores_arr[:, a] for a, c in enumerate(p.aggregate_codes)}
    ranks = {c: rank_desc(scores[c]) for c in scores}
    for j, c in enumerate(codes):
        ranks[c] = rank_desc(normalised[:, j])
    ds_kept = ds.subset(keep)
    return IndexResult(
        framework=framework,
        units=ds_kept.units,
        names=ds_kept.names,
        stages=stages,
        scores=scores,
        ranks=ranks,
        effective_weights=framework.effective_weights(),
        removed=removed,
        treatments=treatments,
        imputed=imputed,
        notes=notes,
    )
