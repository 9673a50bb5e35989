"""Composite indices of zones (or any units): build, uncertainty, sensitivity, eligibility.

The engine follows COINr's definitions (JRC's R package for composite indicators) so that
an index built with COINr can be rebuilt here exactly; ``docs/evaluation.md`` says how.

    from htz.evaluation import build_index, load_framework, run_uncertainty
    fw = load_framework("zones-2021")            # or a path to a framework YAML
    result = build_index(table, fw)              # Arrow table or {column: values}
    mc = run_uncertainty(table, fw, runs=10_000, seed=1)
"""

from htz.evaluation.data import Dataset, as_dataset, read_data
from htz.evaluation.framework import Framework, load_framework, packaged_frameworks
from htz.evaluation.index import IndexResult, build_index
from htz.evaluation.uncertainty import UncertaintyResult, run_uncertainty

__all__ = [
    "Dataset",
    "Framework",
    "IndexResult",
    "UncertaintyResult",
    "as_dataset",
    "build_index",
    "load_framework",
    "packaged_frameworks",
    "read_data",
    "run_uncertainty",
]
