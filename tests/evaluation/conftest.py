from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from htz.evaluation.framework import parse_framework

ROOT = Path(__file__).resolve().parents[2]
ASEM_DIR = ROOT / "examples" / "asem"  # a copy of shared/data/coin_asem
ASEM_FRAMEWORK = ROOT / "examples" / "asem" / "framework.yaml"


def tiny_framework(steps=None, **tree_overrides):
    """Two pillars, four indicators; steps default to normalise (minmax) + aggregate."""
    tree = {
        "code": "I",
        "children": [
            {
                "code": "P1",
                "weight": 2,
                "children": [{"code": "a"}, {"code": "b", "direction": -1}],
            },
            {"code": "P2", "children": [{"code": "c"}, {"code": "d", "weight": 3}]},
        ],
    }
    tree.update(tree_overrides)
    return parse_framework(
        {
            "units": {"id": "unit", "groups": ["g"]},
            "steps": steps or [{"normalise": {"method": "minmax"}}, {"aggregate": {}}],
            "tree": tree,
        }
    )


def tiny_data(n=6, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "unit": [f"u{i}" for i in range(n)],
        "g": ["x" if i % 2 else "y" for i in range(n)],
        **{k: rng.lognormal(size=n) for k in "abcd"},
    }


@pytest.fixture
def asem_dir():
    if not (ASEM_DIR / "input_iData.csv").exists():
        pytest.skip("shared/data/coin_asem is not available")
    return ASEM_DIR
