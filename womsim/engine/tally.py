"""A step's events counted (and valued) per segment in one compiled pass per group of ids.

A segmented market books each step's events per segment (:class:`womsim.engine.book.
MarketBook`): eleven groups of ids counted, seven of them also summed by revenue. With
numpy that was a concatenation, a gather of the labels, a repeat and a bincount per
call; here it is one loop per group with no temporary. The sums add the same numbers in
the same order as ``np.bincount(labels, weights)``, so they are the same bit for bit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["tally", "tally_groups"]

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


@njit(cache=True)
def _tally_groups(ids, ends, segment, weights, counts, values, first_valued):
    start = 0
    for g in range(ends.size):
        stop = ends[g]
        valued = g >= first_valued
        for j in range(start, stop):
            i = ids[j]
            s = segment[i]
            counts[g, s] += 1.0
            if valued:
                values[g - first_valued, s] += np.float64(weights[i])
        start = stop


def tally_groups(groups: Sequence[np.ndarray], segment: np.ndarray, weights: np.ndarray,
                 counts: np.ndarray, values: np.ndarray, first_valued: int) -> None:
    """:func:`tally` of each group ``g`` into ``counts[g]`` and, from group
    ``first_valued`` on, of its weights into ``values[g - first_valued]``: one compiled
    call for a step's groups instead of one each (a dozen calls a step cost more than
    their few thousand ids). The same sums, in the same order, as :func:`tally`.

    Examples
    --------
    >>> seg = np.array([0, 1, 1, 0], dtype=np.int8)
    >>> w = np.array([1.5, 2.0, 4.0, 8.0], dtype=np.float32)
    >>> c, v = np.zeros((2, 2)), np.zeros((1, 2))
    >>> tally_groups([np.array([0, 1, 2]), np.array([3, 1])], seg, w, c, v, 1)
    >>> c.tolist(), v.tolist()
    ([[1.0, 2.0], [1.0, 1.0]], [[8.0, 2.0]])
    """
    sizes = np.array([g.size for g in groups], dtype=np.int64)
    if not sizes.sum():
        return
    ids = np.concatenate([np.asarray(g, dtype=np.int64) for g in groups])
    _tally_groups(ids, np.cumsum(sizes), segment, weights, counts, values, int(first_valued))
