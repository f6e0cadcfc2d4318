"""Numba kernels that build graphs: preferential-attachment chains and the CSR arrays.

Both give exactly what their vectorised predecessors gave (the same graph bit for bit for
the same seed), in one pass over the edges instead of repeated random gathers or a sort
of all 2m keys. Written to compile fast (no slice assignment, no library sort); cached on
disk (see :mod:`womsim.core.jitcache`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from womsim.core.jitcache import configure

configure()

__all__ = ["ba_edges", "csr_from_pairs"]


@njit(cache=True)
def ba_edges(pos, m, src, tgt):
    """Both ends of every preferential-attachment edge, from one uniform per edge.

    Edge ``e`` belongs to node ``m + e // m`` and picks position ``int(pos[e] * 2m * (e //
    m))`` among the ends of the earlier nodes' edges: an even one is the source of edge
    ``position // 2``, an odd one that edge's target, already resolved because it comes
    earlier. The same arithmetic, operation for operation, as the vectorised version it
    replaced (so the same graph for the same seed), in one pass without temporaries.
    """
    two_m = 2 * m
    for e in range(tgt.size):
        block = e // m
        src[e] = m + block
        if block == 0:
            tgt[e] = e  # node m links to every seed node 0..m-1
            continue
        r = int(pos[e] * float(block * two_m))
        ptr = r >> 1
        if r & 1:
            tgt[e] = tgt[ptr]
        else:
            tgt[e] = ptr // m + m


@njit(cache=True)
def _sort_row(a, lo, hi):
    # insertion sort for the many short rows, heap sort for hubs
    d = hi - lo
    if d <= 24:
        for i in range(lo + 1, hi):
            x = a[i]
            j = i - 1
            while j >= lo and a[j] > x:
                a[j + 1] = a[j]
                j -= 1
            a[j + 1] = x
        return
    for start in range(d // 2 - 1, -1, -1):
        _sift(a, lo, start, d)
    for end in range(d - 1, 0, -1):
        x = a[lo]
        a[lo] = a[lo + end]
        a[lo + end] = x
        _sift(a, lo, 0, end)


@njit(cache=True)
def _sift(a, lo, c, end):
    while True:
        left = 2 * c + 1
        if left >= end:
            return
        big = left
        if left + 1 < end and a[lo + left + 1] > a[lo + left]:
            big = left + 1
        if a[lo + c] >= a[lo + big]:
            return
        x = a[lo + c]
        a[lo + c] = a[lo + big]
        a[lo + big] = x
        c = big


@njit(cache=True)
def csr_from_pairs(u, v, n, indices):
    """Symmetric CSR of the edges ``(u[i], v[i])`` (no loops): sorted rows, repeats dropped.

    ``indices`` (length ``2 * u.size``) receives the neighbour lists; returns ``(indptr,
    count)``: the row pointers and how many entries of ``indices`` are used.
    """
    counts = np.zeros(n + 1, dtype=np.int64)
    for i in range(u.size):
        counts[u[i] + 1] += 1
        counts[v[i] + 1] += 1
    for r in range(n):
        counts[r + 1] += counts[r]
    fill = counts[:n].copy()
    for i in range(u.size):
        a, b = u[i], v[i]
        indices[fill[a]] = b
        fill[a] += 1
        indices[fill[b]] = a
        fill[b] += 1
    indptr = np.empty(n + 1, dtype=np.int64)
    indptr[0] = 0
    out = 0
    for r in range(n):
        lo, hi = counts[r], counts[r + 1]
        _sort_row(indices, lo, hi)
        last = -1
        for j in range(lo, hi):
            x = indices[j]
            if x != last:
                indices[out] = x
                out += 1
                last = x
        indptr[r + 1] = out
    return indptr, out
