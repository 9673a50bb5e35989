"""Published test problems of sdcTable and τ-ARGUS, as data (tests/disclosure reads them).

Sources (numbers as published; the tests state what each source asserts):
- MICRODATA1: sdcTable's ``microdata1`` (data-raw/microdata1.R), the region × gender
  problem of its tests (tests/testthat/test-protectTable.r, test-primarySuppression.r).
- TABLE_4X4: sdcTable's tests/testthat/test-simpleheuristic.R — nine primaries, every row
  and column with two or more suppressions, yet cell (w, b) = 47 is exactly derivable.
- LINKED: sdcTable's tests/testthat/test-linked-tables.r — one region variable grouped two
  ways; each table is safe alone, together K = 3 is derivable.
- SINGLETONS: sdcTable's tests/testthat/test-protectTable.r — regions a, b, b, c.
"""

from __future__ import annotations

MICRODATA1 = {
    "region": list(
        "CCAACDDAACABBBCDABCABDACDDABDCCBBBBDCDBCBADBBDBCCB"
        "ACDBCBBACDBADDAADDDACBBDDBDDABBCABBBCACCCDBDBBDBAB"
    ),
    "gender": [
        {"m": "male", "f": "female"}[g]
        for g in (
            "mmmmmfffmmffmmffmmmmmmmffmmfmmfmfffmfmfmmmfffmfmff"
            "mfffmmfmfmmmffmmffmmfmfffffmmfffmmmmmmmfmmfffmmfmm"
        )
    ],
    "val": [
        9, 11, 10, 11, 18, 10, 6, 9, 5, 12, 11, 10, 11, 5, 10, 11, 7, 7, 10, 13, 12, 280, 15,
        12, 16, 9, 13, 16, 9, 6, 11, 14, 12, 8, 18, 8, 7, 7, 11, 11, 15, 6, 14, 8, 12, 9, 14, 6,
        12, 13, 9, 9, 9, 7, 6, 9, 9, 7, 9, 8, 10, 9, 7, 6, 8, 9, 14, 10, 7, 10, 19, 10, 14, 11,
        9, 5, 11, 8, 10, 13, 8, 9, 18, 7, 10, 8, 11, 6, 6, 8, 12, 11, 10, 18, 9, 8, 10, 7, 12,
        14,
    ],
}  # fmt: skip

TABLE_4X4 = {
    # rows w..z, columns a..d (totals are sums of the inner cells)
    "cells": {
        ("w", "a"): 30, ("w", "b"): 47, ("w", "c"): 64, ("w", "d"): 89,
        ("x", "a"): 90, ("x", "b"): 124, ("x", "c"): 5, ("x", "d"): 31,
        ("y", "a"): 92, ("y", "b"): 100, ("y", "c"): 59, ("y", "d"): 85,
        ("z", "a"): 800, ("z", "b"): 991, ("z", "c"): 651, ("z", "d"): 685,
    },
    "primary": [("w", "a"), ("w", "b"), ("w", "c"), ("x", "a"), ("x", "c"),
                ("y", "b"), ("y", "d"), ("z", "b"), ("z", "d")],
}  # fmt: skip

LINKED = {
    "n": {"A": 2, "B": 2, "I": 8, "J": 8, "K": 3, "L": 3, "M": 3, "N": 7},
    "r1": [("Total", "county-1"), ("Total", "county-2"),
           *[("county-1", c) for c in "ABIJ"], *[("county-2", c) for c in "KLMN"]],
    "r2": [("Total", "big"), ("Total", "small"),
           *[("big", c) for c in "LM"], *[("small", c) for c in "ABIJKN"]],
}  # fmt: skip

SINGLETONS = {"region": ["a", "b", "b", "c"], "codes": ["a", "b", "c", "d"]}
