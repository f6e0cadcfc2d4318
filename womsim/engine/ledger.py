"""The revenue of who came and went in a step, summed in one compiled pass.

At 100k people a step's groups (customers lost by cause, won by channel) are tens to
hundreds of ids, so numpy's per-call cost, not the work, made up most of the step's
accounting: a fancy-indexed sum per group, twice. :func:`group_revenue` sums them all in
one call in numpy's own order (pairwise, in blocks of eight, as ``np.add.reduce`` sums a
float64 buffer of 8192 at a time), so the totals are numpy's bit for bit
(``tests/test_engine_start.py`` compares them).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numba import njit

from womsim.core.jitcache import configure

configure()  # before the first @njit(cache=True): a read-only install caches elsewhere

__all__ = ["group_revenue"]

_BUFFER = 8192  # numpy's reduction buffer (np.getbufsize()): a cast sum adds per buffer


@njit(cache=True)
def _pairwise(a, lo, n):
    # numpy's pairwise_sum of a float64 run (numpy/_core/src/umath/loops_utils.h.src)
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    if n <= 128:
        r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
        r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
        i = 8
        m = n - n % 8
        while i < m:
            r0 += a[lo + i]
            r1 += a[lo + i + 1]
            r2 += a[lo + i + 2]
            r3 += a[lo + i + 3]
            r4 += a[lo + i + 4]
            r5 += a[lo + i + 5]
            r6 += a[lo + i + 6]
            r7 += a[lo + i + 7]
            i += 8
        res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        while i < n:
            res += a[lo + i]
            i += 1
        return res
    n2 = n // 2
    n2 -= n2 % 8
    return _pairwise(a, lo, n2) + _pairwise(a, lo + n2, n - n2)


@njit(cache=True)
def _group_sums(revenue, ids, bounds):
    g = np.empty(ids.size, dtype=np.float64)
    for j in range(ids.size):
        g[j] = revenue[ids[j]]
    out = np.zeros(bounds.size - 1, dtype=np.float64)
    for k in range(bounds.size - 1):
        res = 0.0
        lo = bounds[k]
        while lo < bounds[k + 1]:
            m = min(_BUFFER, bounds[k + 1] - lo)
            res += _pairwise(g, lo, m)
            lo += m
        out[k] = res
    return out


def group_revenue(revenue: np.ndarray, ids: np.ndarray, sizes: Sequence[int]) -> list[float]:
    """What each group pays per year: ``float(revenue[g].sum(dtype=np.float64))`` for
    each group ``g``, the groups given one after another in ``ids`` with their ``sizes``.

    Examples
    --------
    >>> rev = np.array([1.5, 2.0, 4.0], dtype=np.float32)
    >>> group_revenue(rev, np.array([0, 2, 1]), [2, 0, 1])
    [5.5, 0.0, 2.0]
    """
    bounds = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=bounds[1:])
    return _group_sums(revenue, ids.astype(np.int64, copy=False), bounds).tolist()
