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
"""

from __future__ import annotations

import numpy as np
from numba import njit

from womsim.core.jitcache import configure
from womsim.core.prefetch import prefetch
from womsim.network.graphkernels import _sort_own

configure()

# how many edges ahead ba_targets asks for the line it will read (as graphkernels.ba_edges)
_AHEAD = 64

__all__ = ["ba_targets", "csr_from_targets", "scale_free_csr"]


@njit(cache=True)
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
    :func:`~womsim.network.graphkernels.csr_from_pairs`.
    """
    n_e = tgt.size
    nb = bstart.size - 1
    for b in range(nb):
        bstart[b + 1] += bstart[b]
    fill = bstart[:nb].copy()
    nbits = 0
    while ((n - 1) >> nbits) > 0:
        nbits += 1
    mask = (1 << nbits) - 1
    width = 1 << shift
    # node by node: its own ends sorted, repeats dropped and the rest written back in
    # place (-1 after them); each kept end scattered to the bucket of its row, packed as
    # the row's place in the bucket (high bits) and the node (low nbits). A repeat never
    # reaches the later row, so no row needs clearing of repeats afterwards
    own = np.empty(max(8, m), dtype=tgt.dtype)
    node = m
    for a in range(0, n_e, m):
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
            p = fill[b]
            packed[p] = ((t & (width - 1)) << nbits) | node
            fill[b] = p + 1
        for i in range(j, m):
            tgt[a + i] = -1
        node += 1
    # bucket by bucket (its rows in the cache): count each row's later ends, lay out the
    # rows (own ends copied, room for the later ones), then put the later ends in place,
    # in edge order, so ascending
    local = np.zeros(width + 1, dtype=np.int64)
    rs = np.zeros(width + 1, dtype=np.int64)
    indptr = np.empty(n + 1, dtype=np.int64)
    indptr[0] = 0
    out = 0
    a = 0
    for b in range(nb):
        r0 = b << shift
        r1 = min(n, r0 + width)
        for r in range(width + 1):
            local[r] = 0
        for p in range(bstart[b], fill[b]):
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
        for p in range(bstart[b], fill[b]):
            x = packed[p]
            r = x >> nbits
            indices[rs[r]] = x & mask
            rs[r] += 1
    return indptr, out


def scale_free_csr(n: int, m: int, rng: np.random.Generator
                   ) -> tuple[np.ndarray, np.ndarray, int]:
    """CSR arrays of the preferential-attachment graph ``scale_free_edges(n, m, rng)``
    describes: ``(indptr, indices, duplicates_dropped)``, from the same draws.

    ``n`` and ``m`` are taken as validated (``1 <= m < n``).

    Examples
    --------
    >>> from womsim.network.generators import scale_free_edges
    >>> from womsim.network.graph import _csr_from_pairs
    >>> indptr, indices, dups = scale_free_csr(1000, 3, np.random.default_rng(4))
    >>> ref = _csr_from_pairs(*scale_free_edges(1000, 3, np.random.default_rng(4)), 1000)
    >>> bool((indptr == ref[0]).all() and (indices == ref[1]).all()), dups == ref[3]
    (True, True)
    """
    n_edges = m * (n - m)
    tgt = np.empty(n_edges, dtype=np.int32 if 2 * n_edges < 2**31 else np.int64)
    # graphkernels._buckets(n, 512) in Python (a compiled call from here costs more): the
    # fewest doublings of one row per bucket that leave at most 512 buckets
    shift = max(0, (n - 1).bit_length() - 9)
    bstart = np.zeros(((n - 1) >> shift) + 2, dtype=np.int64)
    ba_targets(rng.random(n_edges), m, tgt, shift, bstart)  # the uniforms freed on return
    nbits = max(1, (n - 1).bit_length())
    packed = np.empty(n_edges, dtype=np.int32 if shift + nbits <= 31 else np.int64)
    indices = np.empty(2 * n_edges, dtype=np.int32 if n < 2**31 else np.int64)
    indptr, used = csr_from_targets(tgt, m, n, bstart, shift, packed, indices)
    if used < indices.size:
        # as graph._csr_from_pairs: a view unless many repeats were dropped
        indices = indices[:used] if used > 0.9 * indices.size else indices[:used].copy()
    return indptr, indices, n_edges - used // 2
