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
def ba_edges(pos: np.ndarray, m: int, src: np.ndarray, tgt: np.ndarray) -> None:
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
def _sort_row(a, lo, hi, buf):
    # a row arrives in edge order: for generated graphs a node's own few edges first, then
    # the later nodes that chose it, already ascending. So: find the sorted tail,
    # insertion-sort the head before it and merge the two (through ``buf``); a row whose
    # unsorted head is long (edges in no order, from a file) is heap-sorted instead
    d = hi - lo
    if d < 2:
        return
    s = hi - 1
    while s > lo and a[s - 1] <= a[s]:
        s -= 1
    head = s - lo
    if head == 0:
        return
    if head > 32 and 4 * head > d:
        _heap_sort(a, lo, hi)
        return
    for i in range(lo + 1, s):
        x = a[i]
        j = i - 1
        while j >= lo and a[j] > x:
            a[j + 1] = a[j]
            j -= 1
        a[j + 1] = x
    if s == hi:
        return
    for i in range(head):
        buf[i] = a[lo + i]
    i = 0
    j = s
    k = lo
    while i < head and j < hi:
        if a[j] < buf[i]:
            a[k] = a[j]
            j += 1
        else:
            a[k] = buf[i]
            i += 1
        k += 1
    while i < head:
        a[k] = buf[i]
        i += 1
        k += 1


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
def _heap_sort(a, lo, hi):
    d = hi - lo
    for start in range(d // 2 - 1, -1, -1):
        _sift(a, lo, start, d)
    for end in range(d - 1, 0, -1):
        x = a[lo]
        a[lo] = a[lo + end]
        a[lo + end] = x
        _sift(a, lo, 0, end)


@njit(cache=True)
def csr_from_pairs(u: np.ndarray, v: np.ndarray, n: int, indices: np.ndarray
                   ) -> tuple[np.ndarray, int]:
    """Symmetric CSR of the edges ``(u[i], v[i])`` (no loops): sorted rows, repeats dropped.

    ``indices`` (length ``2 * u.size``) receives the neighbour lists; returns ``(indptr,
    count)``: the row pointers and how many entries of ``indices`` are used.

    Scattering both ends of every edge straight to its row is a random write per entry
    into an array far larger than the caches (10M entries at 1M people). Instead the
    entries go first to at most 1024 buckets of consecutive rows (few write streams, which
    the caches hold), then, bucket by bucket, to their rows (a bucket's rows fit in the
    cache); both passes keep the edge order, so rows come out nearly sorted.
    """
    m = u.size
    shift = 0
    while ((n - 1) >> shift) >= 1024:
        shift += 1
    nb = ((n - 1) >> shift) + 1 if n > 0 else 1
    bstart = np.zeros(nb + 1, dtype=np.int64)
    for i in range(m):
        bstart[(u[i] >> shift) + 1] += 1
        bstart[(v[i] >> shift) + 1] += 1
    for b in range(nb):
        bstart[b + 1] += bstart[b]
    fill = bstart[:nb].copy()
    rows = np.empty(2 * m, dtype=u.dtype)
    for i in range(m):
        a, c = u[i], v[i]
        p = fill[a >> shift]
        rows[p] = a
        indices[p] = c
        fill[a >> shift] = p + 1
        p = fill[c >> shift]
        rows[p] = c
        indices[p] = a
        fill[c >> shift] = p + 1
    biggest = 0
    for b in range(nb):
        biggest = max(biggest, bstart[b + 1] - bstart[b])
    buf = np.empty(biggest, dtype=indices.dtype)
    width = 1 << shift
    local = np.zeros(width + 1, dtype=np.int64)
    ends = np.zeros(n + 1, dtype=np.int64)
    for b in range(nb):
        lo, hi = bstart[b], bstart[b + 1]
        r0 = b << shift
        for r in range(width + 1):
            local[r] = 0
        for p in range(lo, hi):
            local[rows[p] - r0 + 1] += 1
            buf[p - lo] = indices[p]
        for r in range(width):
            local[r + 1] += local[r]
        for r in range(min(width, n - r0)):
            ends[r0 + r + 1] = lo + local[r + 1]
        for p in range(lo, hi):
            r = rows[p] - r0
            indices[lo + local[r]] = buf[p - lo]
            local[r] += 1
    indptr = np.empty(n + 1, dtype=np.int64)
    indptr[0] = 0
    out = 0
    start = 0
    for r in range(n):
        end = ends[r + 1]
        _sort_row(indices, start, end, buf)
        last = -1
        for j in range(start, end):
            x = indices[j]
            if x != last:
                indices[out] = x
                out += 1
                last = x
        indptr[r + 1] = out
        start = end
    return indptr, out
