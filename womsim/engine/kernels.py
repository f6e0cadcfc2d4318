"""Numba kernels of the step: hashed uniforms, geometric-gap draws, waves of tellings.

Each teller needs its k smallest-keyed neighbours; doing that with numpy meant a lexsort of
every teller's whole neighbour list per step (1.7 s of a 7 s run at 1M people on a
scale-free graph, where hubs have thousands of friends), then an argsort per teller. The
kernels draw the same splitmix64 numbers as :func:`womsim.engine.rng.hash_uniform` (bit for bit:
tests compare them with the numpy references) and select a hub's friends with a heap.
Compiled once and cached on disk (see :mod:`womsim.core.jitcache`). Written to compile fast
(no slice assignment, no argsort in the step's kernels): a first run pays a few seconds.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from womsim.core.jitcache import configure
from womsim.core.prefetch import prefetch

configure()  # before the first @njit(cache=True): a read-only install caches elsewhere

__all__ = ["GOLDEN", "count_above", "geometric_ids", "hash_uniform_1d", "hash_uniform_1d_sub",
           "pick_neighbours", "splitmix64", "splitmix64_array", "splitmix64_int",
           "tell_wave", "union_ids"]

#: the golden-ratio increment of splitmix64 (Steele, Lea & Flood 2014)
GOLDEN = 0x9E3779B97F4A7C15
_G = np.uint64(GOLDEN)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_UNIT = 2.0 ** -53
_MASK = (1 << 64) - 1


@njit(cache=True)
def splitmix64(x: np.uint64) -> np.uint64:
    """The splitmix64 finaliser of one uint64 (Steele, Lea & Flood 2014; Java's
    SplittableRandom): the one implementation every womsim hash uses (the step's draws,
    :mod:`womsim.engine.rng`, the cascade's edges). Wrap-around is intended."""
    x ^= x >> _S30
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    x ^= x >> _S31
    return x


_mix = splitmix64


@njit(cache=True)
def _splitmix64_inplace(x):
    for j in range(x.size):
        x[j] = splitmix64(x[j])


def splitmix64_array(x: np.ndarray) -> np.ndarray:
    """:func:`splitmix64` of every element of a uint64 array, as a new array of its shape.

    Examples
    --------
    >>> hex(int(splitmix64_array(np.array([GOLDEN], dtype=np.uint64))[0]))
    '0xe220a8397b1dcdaf'
    """
    out = np.array(x, dtype=np.uint64, order="C", copy=True)
    _splitmix64_inplace(out.reshape(-1))
    return out


def splitmix64_int(x: int) -> int:
    """:func:`splitmix64` of a Python int taken modulo 2**64.

    Examples
    --------
    >>> hex(splitmix64_int(GOLDEN))   # the first number of splitmix64 seeded with 0
    '0xe220a8397b1dcdaf'
    """
    # in Python integers: a run derives thousands of keys, and a call into the compiled
    # splitmix64 costs several times the arithmetic
    x &= _MASK
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & _MASK
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


@njit(cache=True)
def uniform_at(key: np.uint64, i: int) -> float:
    """The counter-based uniform of id ``i`` under ``key``: ``hash_uniform(key, [i])`` of
    :mod:`womsim.engine.rng`, bit for bit; the one the compiled passes of the step and the
    rivals draw from."""
    return float(_mix(np.uint64(i) * _G + key) >> _S11) * _UNIT


_u = uniform_at


@njit(cache=True)
def pick_neighbours(indptr: np.ndarray, indices: np.ndarray, tellers: np.ndarray,
                    use: np.ndarray, key: np.uint64) -> np.ndarray:
    """``use[k]`` distinct neighbours of each teller: those with the smallest keys.

    A neighbour's key depends only on (key, directed edge), so telling one more person
    keeps the ones already told (nested choices: good for common random numbers).
    """
    total = 0
    for k in range(tellers.size):
        total += use[k]
    out = np.empty(total, dtype=np.int64)
    pos = 0
    for k in range(tellers.size):
        a = indptr[tellers[k]]
        b = indptr[tellers[k] + 1]
        d = b - a
        m = use[k]
        if m >= d:
            for e in range(a, b):
                out[pos] = indices[e]
                pos += 1
            continue
        keys = np.empty(d, dtype=np.float64)
        for e in range(d):
            keys[e] = _u(key, a + e)
        order = np.argsort(keys)
        for j in range(m):
            out[pos] = indices[a + order[j]]
            pos += 1
    return out


@njit(cache=True)
def _u2(key, i, sub):
    # as hash_uniform(key, ids, sub): the second index is mixed in after the first
    x = _mix(np.uint64(i) * _G + key)
    x = _mix(x + np.uint64(sub) * _G)
    return float(x >> _S11) * _UNIT


@njit(cache=True)
def hash_uniform_1d(key: np.uint64, ids: np.ndarray) -> np.ndarray:
    """:func:`womsim.engine.rng.hash_uniform` for a 1-d integer array, in one pass."""
    out = np.empty(ids.size, dtype=np.float64)
    for j in range(ids.size):
        out[j] = _u(key, ids[j])
    return out


@njit(cache=True)
def hash_uniform_1d_sub(key: np.uint64, ids: np.ndarray, sub: np.ndarray) -> np.ndarray:
    """:func:`womsim.engine.rng.hash_uniform` with a second index of the same length."""
    out = np.empty(ids.size, dtype=np.float64)
    for j in range(ids.size):
        out[j] = _u2(key, ids[j], sub[j])
    return out


@njit(cache=True)
def geometric_ids(u: np.ndarray, n: int, log_miss: float, pos: float, out: np.ndarray, k: int
                  ) -> tuple[np.ndarray, int, float, bool]:
    """Ids from geometric gaps: each uniform in ``u`` moves on ``floor(log1p(-u) /
    log_miss) + 1`` places from ``pos``, until ``n`` is passed.

    Writes the ids to ``out`` from index ``k`` on (growing it when full); returns
    ``(out, k, pos, done)``. The same numbers, in the same order, as the vectorised
    version in :mod:`womsim.engine.rng` (gaps are whole numbers, so summing them one by one is
    exact).
    """
    for j in range(u.size):
        pos += np.floor(np.log1p(-u[j]) / log_miss) + 1.0
        if not pos < n:
            return out, k, pos, True
        if k == out.size:
            grown = np.empty(2 * out.size + 16, dtype=np.int64)
            for i in range(k):  # a loop: slice assignment costs seconds of compiling
                grown[i] = out[i]
            out = grown
        out[k] = int(pos)
        k += 1
    return out, k, pos, False


@njit(cache=True)
def _sift_down(heap_k, heap_e, size):
    # restore the max-heap property of heap_k[:size] (with heap_e alongside) from the root
    c = 0
    while True:
        left = 2 * c + 1
        if left >= size:
            return
        big = left
        if left + 1 < size and heap_k[left + 1] > heap_k[left]:
            big = left + 1
        if heap_k[c] >= heap_k[big]:
            return
        tmp_k = heap_k[c]
        heap_k[c] = heap_k[big]
        heap_k[big] = tmp_k
        tmp_e = heap_e[c]
        heap_e[c] = heap_e[big]
        heap_e[big] = tmp_e
        c = big


@njit(cache=True)
def _smallest(indptr, indices, a, d, m, key, out, pos, heap_k, heap_e):
    # the m neighbours with the smallest keys, in increasing key order: a max-heap of m
    # costs d log m instead of sorting all d keys of a hub
    for j in range(m):
        heap_k[j] = _u(key, a + j)
        heap_e[j] = j
        c = j
        while c > 0:
            par = (c - 1) >> 1
            if heap_k[par] >= heap_k[c]:
                break
            tmp_k = heap_k[par]
            heap_k[par] = heap_k[c]
            heap_k[c] = tmp_k
            tmp_e = heap_e[par]
            heap_e[par] = heap_e[c]
            heap_e[c] = tmp_e
            c = par
    for j in range(m, d):
        x = _u(key, a + j)
        if x >= heap_k[0]:
            continue
        heap_k[0] = x
        heap_e[0] = j
        _sift_down(heap_k, heap_e, m)
    # heap sort in place: the largest goes last
    for end in range(m - 1, 0, -1):
        tmp_k = heap_k[0]
        heap_k[0] = heap_k[end]
        heap_k[end] = tmp_k
        tmp_e = heap_e[0]
        heap_e[0] = heap_e[end]
        heap_e[end] = tmp_e
        _sift_down(heap_k, heap_e, end)
    for j in range(m):
        out[pos + j] = indices[a + heap_e[j]]


#: at most this many stories a teller: their friends by insertion into a sorted run (a
#: teller tells a handful; the heap's sifting cost more than the few shifts)
_FEW = 16
# tellers ahead whose rows are asked for (womsim.core.prefetch)
_AHEAD = 16


@njit(cache=True)
def _smallest_few(indices, a, d, m, key, out, pos, sk, se):
    # the m smallest keys of the d, in increasing order, as _smallest (keys are distinct
    # 53-bit numbers: the same friends in the same order)
    for j in range(d):
        x = _u(key, a + j)
        if j < m:
            c = j
        elif x < sk[m - 1]:
            c = m - 1
        else:
            continue
        while c > 0 and sk[c - 1] > x:
            sk[c] = sk[c - 1]
            se[c] = se[c - 1]
            c -= 1
        sk[c] = x
        se[c] = j
    for j in range(m):
        out[pos + j] = indices[a + se[j]]


@njit(cache=True)
def tell_wave(indptr, indices, tellers, k, key_slot, key_weak, key_listener, weak_share, n,
              surplus_slot, mixed):
    """One wave of tellings: ``k[i]`` stories of teller ``tellers[i]``.

    Each story is weak with probability ``weak_share``, keyed by (teller, slot): it goes
    over a weak tie, to a random person of the market drawn afresh each step (Goldenberg
    et al. 2007's long-range ties, redrawn over time). The strong ones go to distinct
    friends (the smallest listener keys), at most all of them, each once: stories beyond a
    teller's friends are not told (counted, never sent to strangers). In a ``mixed``
    (well-mixed) market everybody is a potential listener and the strong stories go to
    random people too (slots from ``surplus_slot`` on).

    Returns ``(listeners, sources, count, strong, weak, untold)``: the first ``count``
    entries of listeners (friends first, in teller order, then random people who are not
    the teller) and of who told each; the number of strong tellings, of weak ones (every
    telling of a mixed market), and of stories not told for want of friends. The same
    numbers as drawing each step with :func:`womsim.engine.rng.hash_uniform` and
    :func:`pick_neighbours`.
    """
    t = tellers.size
    strong_k = np.empty(t, dtype=np.int64)
    start = np.empty(t, dtype=np.int64)
    deg = np.empty(t, dtype=np.int64)
    n_weak_slots = 0
    n_strong = 0
    n_surplus = 0
    biggest = 0
    # tellers are a few thousand scattered ids of a large graph: each row's bounds and its
    # first friends are a cache (and TLB) miss; asked for _AHEAD tellers early, many are in
    # flight at once, and each row's bounds are read once (0.63 -> 0.47 ms a wave at 1M)
    for i in range(t):
        if i + _AHEAD < t:
            prefetch(indptr, tellers[i + _AHEAD])
        who = tellers[i]
        c = 0
        for s in range(k[i]):
            if _u2(key_slot, who, s) < weak_share:
                n_weak_slots += 1
            else:
                c += 1
        strong_k[i] = c
        a = indptr[who]
        d = indptr[who + 1] - a
        start[i] = a
        deg[i] = d
        m = min(c, d)
        n_strong += m
        n_surplus += c - m
        if m < d and m > biggest:
            biggest = m
    total = n_strong + n_weak_slots + (n_surplus if mixed else 0)
    out = np.empty(total, dtype=np.int64)
    src = np.empty(total, dtype=np.int64)
    heap_k = np.empty(biggest, dtype=np.float64)
    heap_e = np.empty(biggest, dtype=np.int64)
    # np.int64, not 0: a literal 0 passed on to _smallest compiles it twice (for
    # Literal[int](0), then for int64), a second or so of every first run
    pos = np.int64(0)
    for i in range(t):
        if i + _AHEAD < t and strong_k[i + _AHEAD] > 0:
            prefetch(indices, start[i + _AHEAD])
        d = deg[i]
        m = min(strong_k[i], d)
        if m == 0:
            continue
        a = start[i]
        if m >= d:
            for e in range(d):
                out[pos + e] = indices[a + e]
        elif m <= _FEW:
            _smallest_few(indices, a, d, m, key_listener, out, pos, heap_k, heap_e)
        else:
            _smallest(indptr, indices, a, d, m, key_listener, out, pos, heap_k, heap_e)
        who = tellers[i]
        for j in range(m):
            src[pos + j] = who
        pos += m
    for i in range(t):
        who = tellers[i]
        for s in range(k[i]):
            if _u2(key_slot, who, s) < weak_share:
                target = int(_u2(key_weak, who, s) * n)
                if target != who:
                    out[pos] = target
                    src[pos] = who
                    pos += 1
    if not mixed:
        return out, src, pos, n_strong, n_weak_slots, n_surplus
    for i in range(t):
        who = tellers[i]
        for r in range(strong_k[i] - min(strong_k[i], deg[i])):
            target = int(_u2(key_weak, who, surplus_slot + r) * n)
            if target != who:
                out[pos] = target
                src[pos] = who
                pos += 1
    return out, src, pos, n_strong, n_weak_slots + n_surplus, 0


@njit(cache=True)
def _union_sorted(a, b):
    # merge of two increasing int64 arrays, repeats dropped; -1 in out[0] with count -1
    # says ``a`` was not strictly increasing (the caller falls back to numpy)
    out = np.empty(a.size + b.size, dtype=np.int64)
    for i in range(1, a.size):
        if a[i - 1] >= a[i]:
            return out, -1
    i = 0
    j = 0
    k = 0
    last = -1
    while i < a.size or j < b.size:
        if j == b.size or (i < a.size and a[i] <= b[j]):
            x = a[i]
            i += 1
        else:
            x = b[j]
            j += 1
        if k == 0 or x != last:
            out[k] = x
            k += 1
            last = x
    return out, k


def union_ids(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.union1d(a, b)`` of person ids: the sorted distinct ids of both, as int64.

    The step's large side (everybody contacted this step, already increasing) is merged
    with a few others in one pass instead of hashing or sorting all of them.

    Examples
    --------
    >>> union_ids(np.array([1, 4, 9]), np.array([9, 2, 2])).tolist()
    [1, 2, 4, 9]
    """
    if b.size == 0 and a.size == 0:
        return np.union1d(a, b).astype(np.int64)
    bs = np.sort(b.astype(np.int64))
    out, k = _union_sorted(np.ascontiguousarray(a, dtype=np.int64), bs)
    if k < 0:
        return np.union1d(a, b).astype(np.int64)
    return out[:k]


@njit(cache=True)
def count_above(a: np.ndarray, t: int) -> int:
    """How many entries of ``a`` exceed ``t``: one read of the array, no temporary."""
    c = 0
    for j in range(a.size):
        c += a[j] > t
    return c
