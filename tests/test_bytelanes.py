"""womsim.core.bytelanes: the eight-lane helpers of the cascade kernel."""

from __future__ import annotations

import numpy as np
from numba import njit

from womsim.core.bytelanes import store_places
from womsim.engine.spread import _OPEN_AT, _OPEN_N


@njit
def _places(out, table, rows, bases):  # pragma: no cover - compiled
    at = 0
    for i in range(rows.size):
        store_places(out, at, table, rows[i], bases[i])
        at += 3  # overlapping stores: each writes all eight lanes
    return at


def test_store_places_matches_the_loop() -> None:
    rng = np.random.default_rng(5)
    rows = rng.integers(0, 256, size=500).astype(np.uint64)
    bases = rng.integers(-(2**40), 2**40, size=500)
    out = np.zeros(3 * 500 + 8, dtype=np.int64)
    _places(out, _OPEN_AT, rows, bases)
    want = np.zeros_like(out)
    for i, (r, b) in enumerate(zip(rows.tolist(), bases.tolist(), strict=True)):
        want[3 * i: 3 * i + 8] = b + _OPEN_AT[8 * r: 8 * r + 8].astype(np.int64)
    assert np.array_equal(out, want)


def test_open_places_are_the_set_bits() -> None:
    for m in range(256):
        at = _OPEN_AT[8 * m: 8 * m + _OPEN_N[m]].tolist()
        assert at == [j for j in range(8) if m >> j & 1]
