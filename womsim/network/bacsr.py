"""The preferential-attachment graph built straight into CSR, without an edge list.

:func:`womsim.network.generators.scale_free_edges` writes both ends of every edge and
:func:`womsim.network.graphkernels.csr_from_grouped` then reads them back to find each
node's own edges and scatter the later ends. The source of edge ``e`` is always node
``m + e // m``, so here it is never stored: one pass draws the targets (and counts how
many land in each bucket of rows), a second sorts each node's own ends, drops repeats and
scatters the rest through the buckets, packed into one int32 each where the ids allow
(half the bytes of the general builder's int64), a third lays the rows out bucket by
bucket while they are in the cache: nothing left to sort or clear of repeats there. The
same arrays as the edge-list path, bit for bit, for the same uniforms.

From :data:`TWO_THREADS` edges on, the second and third passes run on two threads: the
nodes' halves fill each bucket from its two ends, and the rows split at the bucket that
holds the middle end, each half written from its own offset; the same arrays again.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

import numpy as np
from numba import njit

from womsim.core.jitcache import configure
from womsim.core.prefetch import prefetch
from womsim.network.graphkernels import _sort_own

configure()

# how many edges ahead ba_targets asks for the line it will read (as graphkernels.ba_edges)
_AHEAD = 64

__all__ = ["TWO_THREADS", "ba_targets", "csr_from_targets", "scale_free_csr"]

#: edges from which :func:`scale_free_csr` lays out the rows on two threads (a thread's
#: start and join cost ~0.1 ms; below, one thread is as quick)
TWO_THREADS = 1 << 20


# nogil: a run's initial market is drawn on a second thread meanwhile (engine.initahead)
@njit(cache=True, nogil=True)
def ba_targets(pos: np.ndarray, m: int, tgt: np.ndarray, shift: int,
               bcount: np.ndarray) -> None:
    """The targets :func:`~womsim.network.graphkernels.ba_edges` draws, with no sources.

    Also adds one to ``bcount[(t >> shift) + 1]`` for every target ``t``: the sizes of
    the buckets of rows :func:`csr_from_targets` scatters through, while ``t`` is in a
    register (a separate counting pass would read ``tgt`` again).
    """
    # the arithmetic of ba_edges, operation for operation (the same targets); the branch
    # on the side stays a branch: a select made every edge wait for its load (15% slower)
    two_m = 2 * m
    inv = 1.0 / m
    n_e = tgt.size
    for e in range(min(m, n_e)):
        tgt[e] = e  # node m links to every seed node 0..m-1
        bcount[(e >> shift) + 1] += 1
    e = m
    block = 1
    ahead_block = (m + _AHEAD) // m
    ahead_rem = (m + _AHEAD) % m
    while e < n_e:
        span = float(block * two_m)
        stop = min(e + m, n_e)
        for x in range(e, stop):
            if x + _AHEAD < n_e:
                prefetch(tgt, int(pos[x + _AHEAD] * float(ahead_block * two_m)) >> 1)
            ahead_rem += 1
            if ahead_rem == m:
                ahead_rem = 0
                ahead_block += 1
            r = int(pos[x] * span)
            ptr = r >> 1
            if r & 1:
                t = tgt[ptr]
            else:
                q = int(ptr * inv)
                if q * m > ptr:
                    q -= 1
                elif (q + 1) * m <= ptr:
                    q += 1
                t = q + m
            tgt[x] = t
            bcount[(t >> shift) + 1] += 1
        e = stop
        block += 1


@njit(cache=True, nogil=True)
def _scatter(tgt, m, a0, a1, down, fill, shift, nbits, packed, own_count):
    # the nodes of edges a0..a1 (whole nodes): each one's own ends sorted, repeats
    # dropped and the rest written back in place (-1 after them); each kept end scattered
    # to the bucket of its row, packed as the row's place in the bucket (high bits) and
    # the node (low nbits). A repeat never reaches the later row, so no row needs
    # clearing of repeats afterwards. ``down``: the nodes from the last, each bucket
    # filled from its end (fill[b] its lowest slot written), so that two calls, one
    # each way over two halves, fill a bucket from both ends, each part in node order.
    # own_count[b] gains the ends kept by the nodes whose row is in bucket b
    width = 1 << shift
    own = np.empty(max(8, m), dtype=tgt.dtype)
    count = (a1 - a0) // m
    for c in range(count):
        a = a1 - m * (c + 1) if down else a0 + m * c
        node = m + a // m
        _sort_own(tgt, a, m, own)
        last = -1
        j = 0
        for i in range(m):
            t = own[i]
            if t == last:
                continue
            last = t
            tgt[a + j] = t
            j += 1
            b = t >> shift
            if down:
                p = fill[b] - 1
                fill[b] = p
            else:
                p = fill[b]
                fill[b] = p + 1
            packed[p] = ((t & (width - 1)) << nbits) | node
        for i in range(j, m):
            tgt[a + i] = -1
        own_count[node >> shift] += j


@njit(cache=True, nogil=True)
def _lay_rows(tgt, m, n, shift, nbits, bstart, lo_end, hi_start, b0, b1, out, packed,
              indptr, indices):
    # buckets b0..b1 (their rows in the cache), rows written from ``out`` on: count each
    # row's later ends, lay out the rows (own ends copied, room for the later ones), then
    # put the later ends in place, in edge order, so ascending. Bucket b's later ends are
    # packed[bstart[b]:lo_end[b]] then packed[hi_start[b]:bstart[b + 1]]
    width = 1 << shift
    mask = (1 << nbits) - 1
    local = np.zeros(width + 1, dtype=np.int64)
    rs = np.zeros(width + 1, dtype=np.int64)
    a = max(0, (b0 << shift) - m) * m
    for b in range(b0, b1):
        r0 = b << shift
        r1 = min(n, r0 + width)
        for r in range(width + 1):
            local[r] = 0
        for p in range(bstart[b], lo_end[b]):
            local[packed[p] >> nbits] += 1
        for p in range(hi_start[b], bstart[b + 1]):
            local[packed[p] >> nbits] += 1
        for r in range(r0, r1):
            if r >= m:  # node r's own ends (seed nodes have none)
                for j in range(m):
                    x = tgt[a + j]
                    if x < 0:
                        break
                    indices[out] = x
                    out += 1
                a += m
            rs[r - r0] = out
            out += local[r - r0]
            indptr[r + 1] = out
        for p in range(bstart[b], lo_end[b]):
            x = packed[p]
            r = x >> nbits
            indices[rs[r]] = x & mask
            rs[r] += 1
        for p in range(hi_start[b], bstart[b + 1]):
            x = packed[p]
            r = x >> nbits
            indices[rs[r]] = x & mask
            rs[r] += 1
    return out


def _nbits(n: int) -> int:
    # the bits of a node id in a packed end
    return max(1, (n - 1).bit_length())


@njit(cache=True)
def csr_from_targets(tgt: np.ndarray, m: int, n: int, bstart: np.ndarray, shift: int,
                     packed: np.ndarray, indices: np.ndarray) -> tuple[np.ndarray, int]:
    """CSR of the preferential-attachment graph whose edge ``e`` joins ``m + e // m`` and
    ``tgt[e]``: what :func:`~womsim.network.graphkernels.csr_from_grouped` gives for
    those edges.

    ``bstart[b + 1]`` holds how many targets fall in bucket ``b`` (rows ``b << shift``
    on; turned into offsets here: an upper bound, repeats are not scattered); ``tgt`` is
    overwritten (each node's ends sorted, repeats dropped, -1 after them); ``packed``
    (length ``tgt.size``) is scratch, int32 when
    a row's place in its bucket and a node id fit in 31 bits, else int64; ``indices``
    (length ``2 * tgt.size``) receives the rows. Returns ``(indptr, count)`` as
    :func:`~womsim.network.graphkernels.csr_from_pairs`. One thread:
    :func:`scale_free_csr` runs the same two passes on two threads for a large graph.
    """
    nb = bstart.size - 1
    for b in range(nb):
        bstart[b + 1] += bstart[b]
    fill = bstart[:nb].copy()
    nbits = 0
    while ((n - 1) >> nbits) > 0:
        nbits += 1
    nbits = max(1, nbits)
    own_count = np.zeros(nb, dtype=np.int64)
    _scatter(tgt, m, 0, tgt.size, False, fill, shift, nbits, packed, own_count)
    indptr = np.empty(n + 1, dtype=np.int64)
    indptr[0] = 0
    out = _lay_rows(tgt, m, n, shift, nbits, bstart, fill, bstart[1:].copy(), 0, nb, 0,
                    packed, indptr, indices)
    return indptr, out


def _csr_two_threads(tgt: np.ndarray, m: int, n: int, bstart: np.ndarray, shift: int,
                     packed: np.ndarray, indices: np.ndarray) -> tuple[np.ndarray, int]:
    """:func:`csr_from_targets` on two threads: the same arrays, bit for bit.

    The scatter splits the nodes in two halves, the first filling each bucket from its
    start, the second (nodes from the last) from its end; the rows then split the buckets
    where half of the ends are written, each part from its own offset (known once the
    scatter has counted each bucket's kept ends)."""
    nb = bstart.size - 1
    np.cumsum(bstart, out=bstart)
    nbits = _nbits(n)
    half = (tgt.size // m // 2) * m
    lo_end = bstart[:nb].copy()
    hi_start = bstart[1:].copy()
    own_lo = np.zeros(nb, dtype=np.int64)
    own_hi = np.zeros(nb, dtype=np.int64)
    _both(lambda: _scatter(tgt, m, 0, half, False, lo_end, shift, nbits, packed, own_lo),
          lambda: _scatter(tgt, m, half, tgt.size, True, hi_start, shift, nbits, packed,
                           own_hi))
    # each bucket's rows: its kept own ends and the later ends scattered to it
    sizes = own_lo + own_hi + (lo_end - bstart[:nb]) + (bstart[1:] - hi_start)
    ends = np.cumsum(sizes)
    used = int(ends[-1])
    # the first part's buckets: up to the one that holds the middle end
    mid = min(int(np.searchsorted(ends, used // 2)) + 1, nb)
    start = int(ends[mid - 1])
    indptr = np.empty(n + 1, dtype=np.int64)
    indptr[0] = 0
    _both(lambda: _lay_rows(tgt, m, n, shift, nbits, bstart, lo_end, hi_start, 0, mid, 0,
                            packed, indptr, indices),
          lambda: _lay_rows(tgt, m, n, shift, nbits, bstart, lo_end, hi_start, mid, nb,
                            start, packed, indptr, indices))
    return indptr, used


def _both(first: Callable[[], object], second: Callable[[], object]) -> None:
    # second on a thread of its own (the kernels release the GIL), first here
    failed: list[BaseException] = []

    def run() -> None:
        try:
            second()
        except BaseException as exc:  # re-raised in the caller, below
            failed.append(exc)

    worker = threading.Thread(target=run, name="womsim-graph", daemon=True)
    worker.start()
    try:
        first()
    finally:
        worker.join()
    if failed:
        raise failed[0]


def scale_free_csr(n: int, m: int, rng: np.random.Generator, threads: int | None = None
                   ) -> tuple[np.ndarray, np.ndarray, int]:
    """CSR arrays of the preferential-attachment graph ``scale_free_edges(n, m, rng)``
    describes: ``(indptr, indices, duplicates_dropped)``, from the same draws.

    ``n`` and ``m`` are taken as validated (``1 <= m < n``). ``threads``: 1, or 2 to lay
    out the rows on two threads; None: two from :data:`TWO_THREADS` edges on, where this
    process may use two cores. The arrays are the same whatever the threads.

    Examples
    --------
    >>> from womsim.network.generators import scale_free_edges
    >>> from womsim.network.csr import _csr_from_pairs
    >>> indptr, indices, dups = scale_free_csr(1000, 3, np.random.default_rng(4))
    >>> ref = _csr_from_pairs(*scale_free_edges(1000, 3, np.random.default_rng(4)), 1000)
    >>> bool((indptr == ref[0]).all() and (indices == ref[1]).all()), dups == ref[3]
    (True, True)
    >>> two = scale_free_csr(1000, 3, np.random.default_rng(4), threads=2)
    >>> bool((two[0] == indptr).all() and (two[1] == indices).all())
    True
    """
    n_edges = m * (n - m)
    if threads is None:
        threads = 2 if n_edges >= TWO_THREADS and _cores() > 1 else 1
    if threads not in (1, 2):
        raise ValueError(f"threads = {threads!r}: 1 or 2 (None: by the graph's size)")
    tgt = np.empty(n_edges, dtype=np.int32 if 2 * n_edges < 2**31 else np.int64)
    # graphkernels._buckets(n, 512) in Python (a compiled call from here costs more): the
    # fewest doublings of one row per bucket that leave at most 512 buckets
    shift = max(0, (n - 1).bit_length() - 9)
    bstart = np.zeros(((n - 1) >> shift) + 2, dtype=np.int64)
    pos = rng.random(n_edges)
    ba_targets(pos, m, tgt, shift, bstart)
    packed = np.empty(n_edges, dtype=np.int32 if shift + _nbits(n) <= 31 else np.int64)
    # the rows go where the uniforms were (8 bytes an edge either way): memory already
    # paged in, where a fresh array costs its first touch of every page
    if n < 2**31:
        indices = pos.view(np.int32)
    else:
        indices = np.empty(2 * n_edges, dtype=np.int64)
    del pos
    build = _csr_two_threads if threads == 2 else csr_from_targets
    indptr, used = build(tgt, m, n, bstart, shift, packed, indices)
    if used < indices.size:
        # as csr._csr_from_pairs: a view unless many repeats were dropped
        indices = indices[:used] if used > 0.9 * indices.size else indices[:used].copy()
    return indptr, indices, n_edges - used // 2


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
