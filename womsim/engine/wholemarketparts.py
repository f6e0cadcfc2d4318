"""The small compiled parts of :func:`womsim.engine.wholemarketkernel.market_run`.

Each is a step function's own work in compiled form: the draws of each segment (or of
the market) thinned to our customers and the rivals' (:func:`womsim.engine.segments.
member_draw`, :func:`womsim.engine.rivals.shared_draw`), a wave of tellings with each
teller's count from its segment's table (``_WordOfMouth.tell``);
the same numbers, bit for bit.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from womsim.core.jitcache import configure
from womsim.engine.kernels import tell_wave
from womsim.engine.kernels import uniform_at as _u
from womsim.engine.tellcounts import _counts
from womsim.engine.thinning import _thin
from womsim.engine.wholekernel import _candidates, _tell

configure()  # before the first @njit(cache=True): a read-only install caches elsewhere

# slot ids of tellings beyond a teller's friends (engine.wordofmouth)
_SURPLUS_SLOT = 1 << 24


@njit(cache=True)
def _merge2(a, b):
    # two increasing runs of distinct ids (disjoint): their sorted union
    out = np.empty(a.size + b.size, dtype=np.int64)
    i = j = k = 0
    while i < a.size or j < b.size:
        if j == b.size or (i < a.size and a[i] < b[j]):
            out[k] = a[i]
            i += 1
        else:
            out[k] = b[j]
            j += 1
        k += 1
    return out


@njit(cache=True)
def _draw(keys, tiers, sizes, members, member_off, status, firm, thin_key, q, ours, theirs):
    # member_draw / shared_draw: each part's candidates (a segment's, or everybody's when
    # member_off has one part and members is empty) thinned to our customers and the
    # rivals', the parts' increasing runs merged
    mine = np.empty(0, dtype=np.int64)
    other = np.empty(0, dtype=np.int64)
    for s in range(keys.size):
        cand = _candidates(keys[s], sizes[s], tiers[s])
        ids = members[member_off[s]:member_off[s + 1]]
        a = np.empty(cand.size, dtype=np.int64)
        b = np.empty(cand.size if theirs.size else 0, dtype=np.int64)
        na, nb = _thin(cand, ids, status, firm, thin_key, q[s], ours[s], theirs, a, b)
        mine = _merge2(mine, a[:na]) if s else a[:na].copy()
        other = _merge2(other, b[:nb]) if s else b[:nb].copy()
    return mine, other


@njit(cache=True)
def _tell_seg(tellers, key_count, key_slot, key_weak, key_listener, segment, cdf, start,
              weak_share, indptr, indices, n, mixed):
    # _WordOfMouth.tell of a segmented market: each teller's count from its segment's
    # table (counts_by_segment), then one wave of tellings
    m = tellers.size
    if m == 0:
        return np.empty(0, dtype=np.int64), 0, 0, 0
    u = np.empty(m, dtype=np.float64)
    for j in range(m):
        u[j] = _u(key_count, tellers[j])
    who, k = _counts(tellers, segment, u, cdf, start)
    if who.size == 0:
        return np.empty(0, dtype=np.int64), 0, 0, 0
    out, _, count, n_strong, n_weak, n_untold = tell_wave(
        indptr, indices, who, k, key_slot, key_weak, key_listener, weak_share, n,
        np.int64(_SURPLUS_SLOT), mixed)
    return out[:count], n_strong, n_weak, n_untold


@njit(cache=True)
def _tells(tellers, kc, ks, kw, kl, labelled, segment, cdf, start, guide, gsize, gcdf,
           weak_share, indptr, indices, n, mixed):
    if labelled:
        return _tell_seg(tellers, kc, ks, kw, kl, segment, cdf, start, weak_share, indptr,
                         indices, n, mixed)
    return _tell(tellers, kc, ks, kw, kl, guide, gsize, gcdf, weak_share, indptr, indices,
                 n, mixed)


@njit(cache=True)
def _ahead(cap, values):
    # _acting's table (index: the number of stories heard, 0 never looked up)
    out = np.zeros(cap + 1, dtype=np.float64)
    for c in range(cap):
        out[c + 1] = values[c]
    return out
