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
from womsim.core.prefetch import prefetch

configure()

# how many edges ahead ba_edges asks for the line it will read (64-128 did equally well)
_AHEAD = 64

__all__ = ["ba_edges", "csr_from_grouped", "csr_from_pairs", "grouped_later_first"]


@njit(cache=True)
def ba_edges(pos: np.ndarray, m: int, src: np.ndarray, tgt: np.ndarray) -> None:
    """Both ends of every preferential-attachment edge, from one uniform per edge.

    Edge ``e`` belongs to node ``m + e // m`` and picks position ``int(pos[e] * 2m * (e //
    m))`` among the ends of the earlier nodes' edges: an even one is the source of edge
    ``position // 2``, an odd one that edge's target, already resolved because it comes
    earlier. The same arithmetic, operation for operation, as the vectorised version it
    replaced (so the same graph for the same seed), in one pass without temporaries.
    """
    # no integer division in the loop (two per edge cost a fifth of the pass): the block
    # advances by counting and ``ptr // m`` comes from a float reciprocal, corrected. The
    # earlier end an edge reads lies anywhere in ``tgt``: it is asked for _AHEAD edges early
    two_m = 2 * m
    inv = 1.0 / m
    n_e = tgt.size
    for e in range(min(m, n_e)):
        src[e] = m
        tgt[e] = e  # node m links to every seed node 0..m-1
    e = m
    block = 1
    ahead_block = (m + _AHEAD) // m  # the block of edge x + _AHEAD, and its place in it
    ahead_rem = (m + _AHEAD) % m
    while e < n_e:
        node = m + block
        span = float(block * two_m)
        stop = min(e + m, n_e)
        for x in range(e, stop):
            if x + _AHEAD < n_e:
                prefetch(tgt, int(pos[x + _AHEAD] * float(ahead_block * two_m)) >> 1)
            ahead_rem += 1
            if ahead_rem == m:
                ahead_rem = 0
                ahead_block += 1
            src[x] = node
            r = int(pos[x] * span)
            ptr = r >> 1
            if r & 1:
                tgt[x] = tgt[ptr]
            else:
                q = int(ptr * inv)
                if q * m > ptr:
                    q -= 1
                elif (q + 1) * m <= ptr:
                    q += 1
                tgt[x] = q + m
        e = stop
        block += 1


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
def _buckets(n, most=1024):
    """``(shift, count)`` of the at most ``most`` buckets of consecutive rows the CSR
    builders scatter through: row ``r`` goes to bucket ``r >> shift``."""
    shift = 0
    while ((n - 1) >> shift) >= most:
        shift += 1
    return shift, (((n - 1) >> shift) + 1 if n > 0 else 1)


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
    shift, nb = _buckets(n)
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


@njit(cache=True)
def grouped_later_first(u: np.ndarray, v: np.ndarray) -> bool:
    """Whether the edges come grouped by a nondecreasing ``u`` with every ``v[i] < u[i]``:
    each node's edges to earlier nodes together, as preferential attachment makes them."""
    for i in range(u.size):
        if v[i] >= u[i] or (i > 0 and u[i] < u[i - 1]):
            return False
    return True


@njit(cache=True, inline="always")
def _sort_own(v, a, k, own):
    """``v[a:a + k]`` sorted into ``own[:k]`` (``own`` holds at least ``max(k, 8)``)."""
    if k <= 8:
        big = np.iinfo(own.dtype).max
        x0 = v[a] if k > 0 else big
        x1 = v[a + 1] if k > 1 else big
        x2 = v[a + 2] if k > 2 else big
        x3 = v[a + 3] if k > 3 else big
        x4 = v[a + 4] if k > 4 else big
        x5 = v[a + 5] if k > 5 else big
        x6 = v[a + 6] if k > 6 else big
        x7 = v[a + 7] if k > 7 else big
        # the row's own ends (m of them, padded to 8) through Batcher's odd-even
        # merge network: 19 compare-exchanges without a branch, where insertion
        # sorting five random ids mispredicts about one branch in two (12% of
        # the build at 1M)
        x0, x1 = min(x0, x1), max(x0, x1)
        x2, x3 = min(x2, x3), max(x2, x3)
        x4, x5 = min(x4, x5), max(x4, x5)
        x6, x7 = min(x6, x7), max(x6, x7)
        x0, x2 = min(x0, x2), max(x0, x2)
        x1, x3 = min(x1, x3), max(x1, x3)
        x4, x6 = min(x4, x6), max(x4, x6)
        x5, x7 = min(x5, x7), max(x5, x7)
        x1, x2 = min(x1, x2), max(x1, x2)
        x5, x6 = min(x5, x6), max(x5, x6)
        x0, x4 = min(x0, x4), max(x0, x4)
        x1, x5 = min(x1, x5), max(x1, x5)
        x2, x6 = min(x2, x6), max(x2, x6)
        x3, x7 = min(x3, x7), max(x3, x7)
        x2, x4 = min(x2, x4), max(x2, x4)
        x3, x5 = min(x3, x5), max(x3, x5)
        x1, x2 = min(x1, x2), max(x1, x2)
        x3, x4 = min(x3, x4), max(x3, x4)
        x5, x6 = min(x5, x6), max(x5, x6)
        own[0] = x0
        own[1] = x1
        own[2] = x2
        own[3] = x3
        own[4] = x4
        own[5] = x5
        own[6] = x6
        own[7] = x7
    else:
        for j in range(k):  # insertion sort of the row's own ends
            x = v[a + j]
            i = j - 1
            while i >= 0 and own[i] > x:
                own[i + 1] = own[i]
                i -= 1
            own[i + 1] = x


@njit(cache=True)
def csr_from_grouped(u: np.ndarray, v: np.ndarray, n: int, indices: np.ndarray
                     ) -> tuple[np.ndarray, int]:
    """:func:`csr_from_pairs` for edges that :func:`grouped_later_first` accepts.

    Row ``x`` is then its own few edges' ends (all below ``x``: sorted in place) followed
    by the later nodes that chose it, met in increasing order while the edges are read.
    Only those later ends are scattered, through at most 512 buckets of consecutive rows
    as in :func:`csr_from_pairs`, each entry one int64 (its row within the bucket and the
    later node: one write stream per bucket, not two); each bucket's rows are then filled,
    sorted and cleared of repeats while they are in the cache. The same arrays as
    :func:`csr_from_pairs`.
    """
    m = u.size
    # 512 buckets of 1 MB-people's 2,000 rows: the half as many write streams of the
    # scatter gained more (7% of the build at 1M) than the twice larger buckets cost
    shift, nb = _buckets(n, 512)
    bstart = np.zeros(nb + 1, dtype=np.int64)
    for i in range(m):
        bstart[(v[i] >> shift) + 1] += 1
    for b in range(nb):
        bstart[b + 1] += bstart[b]
    fill = bstart[:nb].copy()
    width = 1 << shift
    # an entry: its row's place in the bucket (high half) and the later node (low 32 bits:
    # ids stay below 2**32 since n does)
    packed = np.empty(m, dtype=np.int64)
    for i in range(m):
        b = v[i] >> shift
        p = fill[b]
        packed[p] = (np.int64(v[i] & (width - 1)) << 32) | np.int64(u[i])
        fill[b] = p + 1
    local = np.zeros(width + 1, dtype=np.int64)
    rs = np.zeros(width + 1, dtype=np.int64)
    lb = np.zeros(width + 1, dtype=np.int64)
    indptr = np.empty(n + 1, dtype=np.int64)
    indptr[0] = 0
    own = np.empty(64, dtype=indices.dtype)
    pos = 0  # where the next row starts before repeats are dropped
    out = 0
    a = 0    # the first edge of the next row's own ones
    for b in range(nb):
        r0 = b << shift
        r1 = min(n, r0 + width)
        for r in range(width + 1):
            local[r] = 0
        for p in range(bstart[b], bstart[b + 1]):
            local[packed[p] >> 32] += 1
        e = a
        for r in range(r0, r1):
            k = 0
            while e < m and u[e] == r:
                e += 1
                k += 1
            lb[r - r0] = pos + k  # the later nodes' entries go after the row's own ones
            rs[r - r0] = pos + k
            pos += k + local[r - r0]
            local[r - r0] = k  # now: the row's own count
        for p in range(bstart[b], bstart[b + 1]):
            x = packed[p]
            r = x >> 32
            indices[rs[r]] = x & 0xFFFFFFFF
            rs[r] += 1
        for r in range(r0, r1):
            k = local[r - r0]
            if k > own.size:
                own = np.empty(2 * k, dtype=indices.dtype)
            _sort_own(v, a, k, own)
            a += k
            last = -1
            for j in range(k):
                if own[j] != last:
                    indices[out] = own[j]
                    out += 1
                    last = own[j]
            # the row's later entries, read ahead of where they are written: a safe copy
            for p in range(lb[r - r0], rs[r - r0]):
                x = indices[p]
                if x != last:
                    indices[out] = x
                    out += 1
                    last = x
            indptr[r + 1] = out
    return indptr, out
