"""How many stories each teller of a segmented market tells: one compiled pass.

Each teller's count comes from its segment's distribution (:class:`womsim.model.telling.
Telling`) by the inverse CDF of its keyed uniform. Done per segment with numpy that is a
mask, two gathers, a guide-table lookup and a scatter per segment and wave, eight waves a
step; here it is one loop over the tellers, a binary search of their segment's
cumulative table each. ``Telling.quantile`` maps ``u`` to the number of table entries at
or below it (``searchsorted(cdf, u, side="right")``), and so does this: the same counts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

if TYPE_CHECKING:
    from womsim.model.telling import Telling

__all__ = ["CountTables", "counts_by_segment"]


class CountTables:
    """The segments' cumulative tables, end to end (``cdf``), and where each starts."""

    def __init__(self, tellings: tuple[Telling, ...]) -> None:
        tables = [np.asarray(t.cdf_table, dtype=np.float64) for t in tellings]
        self.cdf = np.ascontiguousarray(np.concatenate(tables))
        self.start = np.cumsum([0, *(t.size for t in tables)]).astype(np.int64)


@njit(cache=True)
def _counts(tellers, segment, u, cdf, start):
    kept = np.empty(tellers.size, dtype=np.int64)
    k = np.empty(tellers.size, dtype=np.int64)
    m = 0
    for j in range(tellers.size):
        s = segment[tellers[j]]
        lo = start[s]
        hi = start[s + 1]
        x = u[j]
        a = lo
        b = hi
        while a < b:  # the first entry above x (searchsorted side="right")
            mid = (a + b) >> 1
            if cdf[mid] <= x:
                a = mid + 1
            else:
                b = mid
        c = a - lo
        if c > 0:
            kept[m] = tellers[j]
            k[m] = c
            m += 1
    return kept[:m], k[:m]


def counts_by_segment(tellers: np.ndarray, segment: np.ndarray, u: np.ndarray,
                      tables: CountTables) -> tuple[np.ndarray, np.ndarray]:
    """The tellers who tell at least one story and how many each, in the tellers' order:
    teller ``tellers[j]`` draws ``u[j]`` through its segment's table.

    Examples
    --------
    >>> from womsim.model.telling import Telling
    >>> t = CountTables((Telling.from_pmf([0.5, 0.5]), Telling.from_pmf([0.0, 0.0, 1.0])))
    >>> seg = np.array([0, 1, 0], dtype=np.int8)
    >>> ids, k = counts_by_segment(np.array([0, 1, 2]), seg, np.array([0.7, 0.1, 0.2]), t)
    >>> ids.tolist(), k.tolist()
    ([0, 1], [1, 2])
    """
    return _counts(np.ascontiguousarray(tellers, dtype=np.int64), segment,
                   np.ascontiguousarray(u, dtype=np.float64), tables.cdf, tables.start)
