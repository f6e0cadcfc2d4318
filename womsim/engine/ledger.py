"""A step's acquisitions and the revenue of who came and went, each in one compiled pass.

At 100k people a step's groups (customers lost by cause, won by channel, acquisition
candidates) are tens to hundreds of ids, so numpy's per-call cost, not the work, made up
most of these parts of a step: the acquisition took a dozen numpy calls, the accounting
a fancy-indexed sum per group. Both give numpy's numbers bit for bit: the candidates are
thinned by the same hashed uniforms, and a group's revenue is summed in numpy's own
order (pairwise, in blocks of eight, as ``np.add.reduce`` sums a float64 buffer of 8192;
``tests/test_engine_start.py`` compares them with numpy).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numba import njit

from womsim.core.jitcache import configure
from womsim.engine.kernels import _u

configure()  # before the first @njit(cache=True): a read-only install caches elsewhere

__all__ = ["acquire", "group_revenue"]

_MASK = (1 << 64) - 1
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


@njit(cache=True)
def _acquire(cand, status, deterred_until, changed_at, key, r_marketing, r_winback, t,
             prospect, customer, former):
    mk = np.empty(cand.size, dtype=np.int64)
    wb = np.empty(cand.size, dtype=np.int64)
    a = b = 0
    for j in range(cand.size):
        i = cand[j]
        s = status[i]
        if s == customer or deterred_until[i] > t or changed_at[i] == t:
            continue
        if s == prospect:
            if _u(key, i) < r_marketing:
                mk[a] = i
                a += 1
        elif s == former and _u(key, i) < r_winback:
            wb[b] = i
            b += 1
    for j in range(a):
        status[mk[j]] = customer
        changed_at[mk[j]] = t
    for j in range(b):
        status[wb[j]] = customer
        changed_at[wb[j]] = t
    return mk[:a], wb[:b]


def acquire(cand: np.ndarray, q: float, status: np.ndarray, deterred_until: np.ndarray,
            changed_at: np.ndarray, key: int, p_marketing: float, p_winback: float, t: int,
            prospect: int, customer: int, former: int) -> tuple[np.ndarray, np.ndarray]:
    """This step's acquisitions among the candidates ``cand`` drawn at rate ``q``.

    A candidate who is not a customer, is not deterred and did not change status this
    step is won by marketing (a prospect) with probability ``p_marketing`` or back (a
    former customer) with ``p_winback``, by its thinning uniform under ``key`` below the
    probability over ``q``; both are made customers (``status``, ``changed_at`` set in
    place). Returns ``(marketing, winback)``, each in candidate order.

    Examples
    --------
    >>> status = np.array([0, 1, 2, 0], dtype=np.int8)
    >>> until, changed = np.zeros(4, np.int32), np.full(4, -1, np.int32)
    >>> mk, wb = acquire(np.arange(4), 1.0, status, until, changed, 7, 1.0, 1.0, 0, 0, 1, 2)
    >>> mk.tolist(), wb.tolist(), status.tolist()
    ([0, 3], [2], [1, 1, 1, 1])
    """
    return _acquire(cand.astype(np.int64, copy=False), status, deterred_until, changed_at,
                    np.uint64(key & _MASK), p_marketing / q, p_winback / q, t, prospect,
                    customer, former)
