"""A step's events counted (and valued) per segment in one compiled pass per group of ids.

A segmented market books each step's events per segment (:class:`womsim.engine.book.
MarketBook`): eleven groups of ids counted, seven of them also summed by revenue. With
numpy that was a concatenation, a gather of the labels, a repeat and a bincount per
call; here it is one loop per group with no temporary. The sums add the same numbers in
the same order as ``np.bincount(labels, weights)``, so they are the same bit for bit.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["tally"]

_NO_VALUES = np.empty(0, dtype=np.float64)


@njit(cache=True)
def _tally(ids, segment, weights, counts, values):
    valued = values.size > 0
    for j in range(ids.size):
        i = ids[j]
        s = segment[i]
        counts[s] += 1.0
        if valued:
            values[s] += np.float64(weights[i])


def _readonly(a: np.ndarray) -> np.ndarray:
    # numba compiles once per argument type and read-only is one: the groups mix fresh
    # arrays with ones shared by paired runs, so every group goes in read-only
    v = np.asarray(a, dtype=np.int64).view()
    v.flags.writeable = False
    return v


def tally(ids: np.ndarray, segment: np.ndarray, weights: np.ndarray, counts: np.ndarray,
          values: np.ndarray | None = None) -> None:
    """Add each of ``ids`` to ``counts[segment[id]]`` and, with ``values``, its weight to
    ``values[segment[id]]`` (in place; float64 arrays, one entry per segment).

    Examples
    --------
    >>> seg = np.array([0, 1, 1, 0], dtype=np.int8)
    >>> w = np.array([1.5, 2.0, 4.0, 8.0], dtype=np.float32)
    >>> c, v = np.zeros(2), np.zeros(2)
    >>> tally(np.array([0, 1, 2]), seg, w, c, v)
    >>> tally(np.array([3]), seg, w, c)
    >>> c.tolist(), v.tolist()
    ([2.0, 2.0], [1.5, 6.0])
    """
    if ids.size:
        _tally(_readonly(ids), segment, weights, counts,
               _NO_VALUES if values is None else values)
