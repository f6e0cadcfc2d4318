"""The one-chance (independent) cascade: the kernel word of mouth is built from.

Every newly informed person gets exactly one chance to inform each neighbour, and each
chance succeeds with probability ``p``. On an undirected graph this is bond percolation
with transmissibility ``T = p`` (Newman 2002), which is how the kernel is validated.

How the randomness is drawn
---------------------------
Each *directed* edge slot ``e`` of the CSR arrays (the chance "owner of row -> ``indices[e]``")
has its own uniform number, computed on demand by counter-based hashes of one 64-bit ``key``
taken from ``rng``. Its leading 8 bits are byte ``e % 8`` of ``splitmix64(key + (e // 8 + 1)
* golden)`` (one hash serves eight neighbouring slots); its next 32 bits, looked at only when
the leading byte ties with ``p``'s (one slot in 256), are the low half of ``splitmix64(key2 +
(e + 1) * golden)`` with ``key2 = splitmix64(key ^ TIE)``. A chance succeeds when that 40-bit
number falls below ``round(p * 2**40)``. So:

* the outcome of a chance does not depend on the order in which chances are tried, and
  the compiled (numba) and the pure-numpy kernels return *identical* results for the
  same ``rng`` state -- each cross-checks the other;
* ``rng`` advances by exactly one draw per call, whatever the cascade does, so the caller's
  other draws stay aligned (common random numbers);
* only the edges of informed people cost a draw: no per-edge array is generated;
* ``p`` is resolved to 9e-13, and ``p = 0`` and ``p = 1`` are exact.

The compiled kernel is used when numba is importable (``method="auto"``); the numpy
kernel is the fallback and the reference. See ``docs/performance.md`` for timings.

Examples
--------
>>> import numpy as np
>>> from womsim import Network
>>> from womsim.engine.spread import cascade
>>> net = Network.scale_free(10_000, m=5, seed=1)
>>> res = cascade(net, seeds=np.arange(100), p=0.1, rng=np.random.default_rng(7))
>>> res.count == int(res.informed.sum()) == int(res.per_generation.sum())
True
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from womsim.core.errors import NetworkError, WomsimError
from womsim.engine.cores import openmp_inherited
from womsim.engine.kernels import GOLDEN, splitmix64, splitmix64_array, splitmix64_int
from womsim.engine.rng import _readonly
from womsim.network.csr import row_starts32
from womsim.network.graph import Network

__all__ = ["HAVE_NUMBA", "CascadeResult", "cascade", "edge_uniforms"]

Method = Literal["auto", "numba", "numpy"]

# the hash is womsim's one splitmix64 (womsim.engine.kernels), as in the step's draws
_GOLDEN = GOLDEN
# A slot's number has 40 bits: a leading byte shared out of one hash per eight slots, and 32
# tie-breaking bits hashed per slot only when that byte equals the threshold's (1 in 256),
# so nearly every chance costs an eighth of a hash and p is still resolved to 2**-40.
_BITS = 40
_ONE = 1 << _BITS
_LOW32 = 0xFFFFFFFF
# the tie-breaking numbers' key is splitmix64(key ^ _TIE): a stream apart from the bytes'
_TIE = 0xD1B54A32D192ED03


def _tie_key(key: int) -> int:
    return splitmix64_int((int(key) & 0xFFFFFFFFFFFFFFFF) ^ _TIE)


@dataclass(frozen=True)
class CascadeResult:
    """What one cascade reached.

    Attributes
    ----------
    informed : numpy.ndarray of bool, length n
        Who was informed (the seeds included).
    count : int
        Number informed, seeds included (distinct seeds count once).
    generations : int
        Generations after the seeds in which somebody new was informed (0 when nobody
        beyond the seeds was reached).
    per_generation : numpy.ndarray of int64, length generations + 1
        Newly informed per generation; entry 0 is the number of distinct seeds.
    method : str
        Which kernel ran: ``"numba"`` or ``"numpy"``.

    Examples
    --------
    >>> import numpy as np
    >>> from womsim import Network
    >>> res = cascade(Network.complete(5), [0], p=1.0, rng=1)
    >>> res.count, res.generations, res.per_generation.tolist()
    (5, 1, [1, 4])
    """

    informed: np.ndarray
    count: int
    generations: int
    per_generation: np.ndarray
    method: str

    @property
    def share(self) -> float:
        """Informed share of the population, ``count / n``."""
        return self.count / self.informed.size if self.informed.size else 0.0

    def __repr__(self) -> str:
        return (f"CascadeResult(count={self.count:,} of {self.informed.size:,} "
                f"({self.share:.1%}), generations={self.generations}, method={self.method!r})")


# ----------------------------------------------------------------------------- numpy
def _lead_bytes(e: np.ndarray, key: int) -> np.ndarray:
    """The leading byte (as uint64) of each slot's number: byte ``e % 8`` of its word's hash."""
    z = (e >> 3).astype(np.uint64)
    z += np.uint64(1)
    z *= np.uint64(_GOLDEN)
    z += np.uint64(int(key) & 0xFFFFFFFFFFFFFFFF)
    z = splitmix64_array(z)
    z >>= ((e & 7) * 8).astype(np.uint64)
    z &= np.uint64(0xFF)
    return z


def _tie_bits(e: np.ndarray, key: int) -> np.ndarray:
    """The 32 tie-breaking bits (as uint64) of each slot in ``e``."""
    z = e.astype(np.uint64)
    z += np.uint64(1)
    z *= np.uint64(_GOLDEN)
    z += np.uint64(_tie_key(key))
    z = splitmix64_array(z)
    z &= np.uint64(_LOW32)
    return z


def _slot_numbers(edges: np.ndarray, key: int) -> np.ndarray:
    """The 40-bit number (as uint64) that each edge slot in ``edges`` draws under ``key``."""
    e = np.asarray(edges, dtype=np.int64)
    return (_lead_bytes(e, key) << np.uint64(32)) | _tie_bits(e, key)


def _open_numpy(edges: np.ndarray, key: int, threshold: int) -> np.ndarray:
    """Which of the edge slots ``edges`` (int64) transmit: a bool array.

    The same test as ``_slot_numbers(edges, key) < threshold``, hashing the tie-breaking
    bits only of the slots whose leading byte ties with the threshold's.
    """
    e = np.asarray(edges, dtype=np.int64)
    lead = _lead_bytes(e, key)
    t_byte, t_low = threshold >> 32, threshold & _LOW32
    out = lead < np.uint64(t_byte)
    if t_low:
        tie = np.flatnonzero(lead == np.uint64(t_byte))
        out[tie[_tie_bits(e[tie], key) < np.uint64(t_low)]] = True
    return out


def edge_uniforms(edges: Any, key: int) -> np.ndarray:
    """The uniform number in [0, 1) that edge slot ``e`` draws under ``key``.

    A chance along slot ``e`` succeeds when this number is below ``p``. Exposed so that
    tests can check the hash is uniform and independent across slots.

    Parameters
    ----------
    edges : array of int
        CSR edge slots (positions in ``indices``).
    key : int
        The 64-bit key of a cascade (``cascade`` takes it from its ``rng``).

    Examples
    --------
    >>> u = edge_uniforms(np.arange(100_000), key=12345)
    >>> bool(abs(u.mean() - 0.5) < 0.01)
    True
    """
    return _slot_numbers(edges, key).astype(np.float64) / _ONE


def _cascade_numpy(indptr: np.ndarray, indices: np.ndarray, seeds: np.ndarray, key: int,
                   threshold: int, max_gen: int) -> tuple[np.ndarray, np.ndarray]:
    """Level-synchronous frontier cascade in vectorised numpy; returns (visited, counts)."""
    n = indptr.size - 1
    visited = np.zeros(n, dtype=np.bool_)
    visited[seeds] = True
    frontier = seeds
    counts = [int(seeds.size)]
    # ``stamp`` de-duplicates the newly reached in O(k) without sorting: the last write of
    # each target wins, and only that position keeps it.
    stamp = np.empty(n, dtype=np.int64)
    gen = 0
    while frontier.size and gen < max_gen:
        starts = indptr[frontier]
        deg = indptr[frontier + 1] - starts
        total = int(deg.sum())
        if total == 0:
            break
        # edge slots of every frontier node, row after row
        offsets = np.cumsum(deg) - deg
        slots = np.arange(total, dtype=np.int64)
        slots += np.repeat(starts - offsets, deg)
        slots = slots[_open_numpy(slots, key, threshold)]
        targets = indices[slots].astype(np.int64, copy=False)
        targets = targets[~visited[targets]]
        if targets.size == 0:
            break
        pos = np.arange(targets.size, dtype=np.int64)
        stamp[targets] = pos
        frontier = targets[stamp[targets] == pos]
        frontier.sort()  # BFS order within a generation does not matter; sorted is cache-kind
        visited[frontier] = True
        counts.append(int(frontier.size))
        gen += 1
    return visited, np.asarray(counts, dtype=np.int64)


# ----------------------------------------------------------------------------- numba
try:  # numba is a dependency, but the numpy kernel keeps womsim working without it
    import numba as _numba

    from womsim.core.bytelanes import store_places
    from womsim.core.jitcache import configure as _configure_cache
    from womsim.core.prefetch import prefetch
    from womsim.engine.spreadpar import cascade_threads, first_two_words, word_hits

    _configure_cache()

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover - exercised only where numba is missing
    _numba = None  # type: ignore[assignment]
    HAVE_NUMBA = False

# de Bruijn table: position of the single set bit of a uint64 (numba has no ctz intrinsic)
_DEBRUIJN = 0x03F79D71B4CB0A89
_BITPOS = np.zeros(64, dtype=np.int64)
for _i in range(64):
    _BITPOS[(((1 << _i) * _DEBRUIJN) & 0xFFFFFFFFFFFFFFFF) >> 58] = _i
del _i
# open slots are buffered and resolved in batches of this many (fits in L1/L2)
_BATCH = 2048
# _OPEN_AT[8 * m + i]: the place of the i-th set bit of the byte m (i < popcount(m))
_OPEN_AT = np.zeros(256 * 8, dtype=np.int8)
_OPEN_N = np.zeros(256, dtype=np.int64)
for _m in range(256):
    _at = [j for j in range(8) if _m >> j & 1]
    _OPEN_AT[8 * _m: 8 * _m + len(_at)] = _at
    _OPEN_N[_m] = len(_at)
del _m, _at
# what the several-thread kernel (womsim.engine.spreadpar) shares with this one
_TABLES = (_BITPOS, np.uint64(_DEBRUIJN), _OPEN_AT, _OPEN_N)

_cascade_numba: Any = None

if HAVE_NUMBA:
    from numba import njit, uint64

    @njit(inline="always")
    def _resolve(buf, vals, cnt, indices, seen, nxt, lims):  # pragma: no cover
        # all the neighbour loads first (independent, so many are in flight at once), then
        # the marks without a branch: a mispredicted one would throw away the loads in
        # flight behind it. Who was informed before is not looked at here: the drain
        # removes them (``nxt & ~seen``), one read of ``seen`` per word instead of one per
        # open slot (-7% CPU at 1M, 2026-12-02); the same people are drained either way
        one = uint64(1)
        for i in range(cnt):
            vals[i] = indices[buf[i]]
        wlo = lims[0]
        whi = lims[1]
        for i in range(cnt):
            v = vals[i]
            w = v >> 6
            b = one << uint64(v & 63)
            nxt[w] |= b
            wlo = min(wlo, w)
            whi = max(whi, w)
        lims[0] = wlo
        lims[1] = whi

    @njit(cache=True, nogil=True)
    def _cascade_numba(indptr, indices, seeds, key, threshold, max_gen):  # pragma: no cover
        # (compiled: coverage cannot see inside; _cascade_numpy is the readable spec)
        # Memory latency and the per-slot work are the cost at 1M people, so the layout is:
        # who-is-informed and who-is-next as bitsets (125 kB per million: stays in cache);
        # each generation drained from the bitset in increasing id order (the CSR rows are
        # then read front to back); row bounds gathered in one pass; eight chances decided
        # by one hash and one SIMD byte compare; open slots buffered, resolved in batches.
        n = indptr.size - 1
        nw = (n + 63) >> 6
        seen = np.zeros(nw, dtype=np.uint64)
        nxt = np.zeros(nw, dtype=np.uint64)
        frontier = np.empty(n, dtype=np.int32)
        lo = np.empty(n, dtype=np.int64)
        hi = np.empty(n, dtype=np.int64)
        buf = np.empty(_BATCH + 16, dtype=np.int64)  # a row's two words past _BATCH
        vals = np.empty(_BATCH + 16, dtype=indices.dtype)
        lims = np.empty(2, dtype=np.int64)  # lowest / highest word of nxt touched
        counts = np.zeros(64, dtype=np.int64)
        one = uint64(1)
        lims[0] = nw
        lims[1] = -1
        for s in seeds:
            w = s >> 6
            b = one << uint64(s & 63)
            nxt[w] |= b  # the drain adds the seeds to ``seen`` (repeats count once)
            lims[0] = min(lims[0], w)
            lims[1] = max(lims[1], w)
        k = uint64(key)
        k_tie = splitmix64(k ^ uint64(_TIE))
        t_byte = uint64(threshold) >> uint64(32)
        t_low = uint64(threshold) & uint64(_LOW32)
        every = t_byte > uint64(255)  # p = 1: no byte is compared
        ff = uint64(0xFF)
        db = uint64(_DEBRUIJN)
        gen = 0
        while True:
            f = 0
            for w in range(lims[0], lims[1] + 1):
                x = nxt[w]
                if x == 0:
                    continue
                nxt[w] = uint64(0)
                x &= ~seen[w]  # marked, but informed in an earlier generation
                seen[w] |= x
                base = w << 6
                while x != 0:
                    t = x & (~x + one)  # lowest set bit
                    u = base + _BITPOS[(t * db) >> uint64(58)]
                    frontier[f] = u
                    prefetch(indptr, u)  # its row bounds, read after the drain
                    f += 1
                    x ^= t
            if gen == counts.size:
                grown = np.zeros(2 * counts.size, dtype=np.int64)
                grown[:gen] = counts
                counts = grown
            counts[gen] = f
            if f == 0:
                break
            gen += 1
            if gen > max_gen:
                break
            lims[0] = nw
            lims[1] = -1
            for q in range(f):
                u = frontier[q]
                lo[q] = indptr[u]
                hi[q] = indptr[u + 1]
            cnt = 0
            for q in range(f):
                e0 = lo[q]
                e1 = hi[q]
                if e1 <= e0:
                    continue
                # the row's first two words without a loop (spreadpar.first_two_words)
                w0 = e0 >> 3
                cnt = first_two_words(e0, e1, buf, cnt, _OPEN_AT, _OPEN_N, indices, k,
                                      k_tie, t_byte, t_low, every)
                if cnt >= _BATCH:
                    _resolve(buf, vals, cnt, indices, seen, nxt, lims)
                    cnt = 0
                for word in range(w0 + 2, ((e1 - 1) >> 3) + 1):
                    first = word << 3
                    hit = word_hits(word, k, k_tie, t_byte, t_low, every)
                    hit &= ff >> uint64(max(first + 8 - e1, 0))
                    store_places(buf, cnt, _OPEN_AT, hit, first)
                    cnt += _OPEN_N[hit]
                    if cnt >= _BATCH:
                        _resolve(buf, vals, cnt, indices, seen, nxt, lims)
                        cnt = 0
            _resolve(buf, vals, cnt, indices, seen, nxt, lims)
        return seen, counts[: max(gen, 1)].copy()


def _unpack(seen: np.ndarray, n: int) -> np.ndarray:
    """A little-endian uint64 bitset as a bool mask of length ``n``."""
    raw = seen.astype("<u8", copy=False).view(np.uint8)  # bit v of the set is bit v % 8 of
    return np.unpackbits(raw, count=n, bitorder="little").view(np.bool_)  # byte v // 8


# ------------------------------------------------------------------------ validation
def _csr(network: Any, check: bool) -> tuple[np.ndarray, np.ndarray]:
    """``(indptr, indices)`` from a Network, a scipy CSR matrix or a pair of arrays."""
    if isinstance(network, Network):
        return network.indptr, network.indices  # validated at construction
    if hasattr(network, "indptr") and hasattr(network, "indices"):  # scipy.sparse CSR
        if getattr(network, "format", "csr") != "csr":
            raise NetworkError(f"network: a scipy sparse matrix must be CSR, got "
                               f"{network.format!r}; convert it with .tocsr()")
        indptr, indices = network.indptr, network.indices
    elif isinstance(network, (tuple, list)) and len(network) == 2:
        indptr, indices = network
    else:
        raise NetworkError("network must be a womsim Network, a scipy CSR matrix or a pair "
                           f"(indptr, indices) of CSR arrays, got {type(network).__name__}")
    indptr = np.ascontiguousarray(indptr)
    indices = np.ascontiguousarray(indices)
    if indptr.ndim != 1 or indptr.size < 1 or indptr.dtype.kind not in "iu":
        raise NetworkError(f"network: indptr must be a 1-D integer array of length n + 1, "
                           f"got {indptr.dtype} of shape {indptr.shape}")
    if indices.ndim != 1 or (indices.size and indices.dtype.kind not in "iu"):
        raise NetworkError(f"network: indices must be a 1-D integer array, got "
                           f"{indices.dtype} of shape {indices.shape}")
    indptr = indptr.astype(np.int64, copy=False)
    n = indptr.size - 1
    if n >= 2**31:
        raise NetworkError(f"network: n = {n:,} nodes is more than the cascade supports")
    if indptr[0] != 0 or indptr[-1] != indices.size:
        raise NetworkError(f"network: indptr must start at 0 and end at len(indices) = "
                           f"{indices.size}, got {indptr[0]} .. {indptr[-1]}")
    if check:
        # the compiled kernel does not bounds-check: a bad id must never reach it
        if n and np.any(indptr[1:] < indptr[:-1]):
            raise NetworkError("network: indptr must be non-decreasing")
        if indices.size and (int(indices.min()) < 0 or int(indices.max()) >= n):
            raise NetworkError(f"network: indices must lie in 0..{n - 1}, got "
                               f"{indices.min()}..{indices.max()}")
    # one compiled specialisation: valid ids fit int32 because n < 2**31, and read-only as
    # a Network's are (writable is a type of its own: a second compile of 10-30 s)
    return _readonly(indptr), _readonly(indices.astype(np.int32, copy=False))


def _seeds(seeds: Any, n: int) -> np.ndarray:
    """Seed ids as a distinct-order-preserving int32 array, checked against ``0..n-1``."""
    a = np.asarray(seeds)
    if a.dtype == np.bool_:
        if a.shape != (n,):
            raise WomsimError(f"seeds: a boolean mask must have length n = {n}, got shape "
                              f"{a.shape}")
        return np.flatnonzero(a).astype(np.int32)
    if a.ndim == 0:
        a = a.reshape(1)
    if a.ndim != 1:
        raise WomsimError(f"seeds must be a 1-D array of node ids, got shape {a.shape}")
    if a.size == 0:
        return np.empty(0, dtype=np.int32)
    if a.dtype.kind not in "iu":
        raise WomsimError(f"seeds must be integer node ids (or a boolean mask of length n), "
                          f"got dtype {a.dtype}")
    lo, hi = int(a.min()), int(a.max())
    if lo < 0 or hi >= n:
        bad = int(a[(a < 0) | (a >= n)][0])
        raise WomsimError(f"seeds: node id {bad} is out of range; ids must be 0..{n - 1} "
                          f"(n = {n})")
    return a.astype(np.int32, copy=False)


def _probability(p: Any) -> float:
    if isinstance(p, bool) or not isinstance(p, numbers.Real):
        raise WomsimError(f"p must be a probability in [0, 1], got {p!r}")
    p = float(p)
    if not (0.0 <= p <= 1.0):  # also catches NaN
        raise WomsimError(f"p must be a probability in [0, 1], got {p}")
    return p


def _key(rng: Any) -> int:
    """One 64-bit key from ``rng`` (a Generator, or an int seed for a fresh one)."""
    if isinstance(rng, np.random.Generator):
        gen = rng
    elif isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        if int(rng) < 0:
            raise WomsimError(f"rng: an integer seed must be >= 0, got {rng}")
        gen = np.random.default_rng(int(rng))
    else:
        raise WomsimError("rng must be a numpy.random.Generator (e.g. "
                          "numpy.random.default_rng(7)) or an int seed >= 0, got "
                          f"{type(rng).__name__}; womsim never uses global random state")
    return int(gen.integers(0, 2**64, dtype=np.uint64))


def _kernel(method: str) -> str:
    if method not in ("auto", "numba", "numpy"):
        raise WomsimError(f"method must be 'auto', 'numba' or 'numpy', got {method!r}")
    if method == "numba" and not HAVE_NUMBA:
        raise WomsimError("method='numba' needs numba, which is not installed; use "
                          "method='numpy' or 'auto'")
    if method == "auto":
        return "numba" if HAVE_NUMBA else "numpy"
    return method


def _threads(threads: Any, kernel: str) -> int:
    if (isinstance(threads, bool) or not isinstance(threads, numbers.Integral)
            or threads < 1):
        raise WomsimError(f"threads must be an integer >= 1, got {threads!r}")
    threads = int(threads)
    if threads > 1 and kernel != "numba":
        raise WomsimError(f"threads={threads} needs the compiled kernel; the numpy kernel "
                          "runs on one thread (use method='numba' or 'auto' with numba "
                          "installed, or threads=1)")
    most = int(getattr(_numba.config, "NUMBA_NUM_THREADS", 1)) if HAVE_NUMBA else 1
    if threads > 1 and openmp_inherited():
        raise WomsimError(f"threads={threads} in a process made by fork() from one that "
                          "ran numba's OpenMP threads: GNU OpenMP kills such a child when "
                          "it uses them; use threads=1 here, or start workers with the "
                          "'spawn' method")
    if threads > most:
        raise WomsimError(f"threads={threads} is more than numba's NUMBA_NUM_THREADS = "
                          f"{most} on this machine")
    return threads


# --------------------------------------------------------------------------- public
def cascade(network: Any, seeds: Any, p: float, rng: np.random.Generator | int, *,
            max_generations: int | None = None, method: Method = "auto",
            check: bool = True, threads: int = 1) -> CascadeResult:
    """Run one independent (one-chance) cascade from ``seeds``.

    Each newly informed person gets one chance to inform each neighbour, which succeeds
    with probability ``p``; the cascade stops when a generation informs nobody new (or
    after ``max_generations``).

    Parameters
    ----------
    network : Network, scipy.sparse CSR matrix or (indptr, indices)
        The social graph. A :class:`~womsim.Network` is trusted as validated; raw CSR
        arrays are range-checked first (unless ``check=False``), since the compiled kernel
        does not bounds-check.
    seeds : array of int, or boolean mask of length n
        The initial tellers. Repeats count once.
    p : float
        Probability in [0, 1] that one chance succeeds (the transmissibility).
    rng : numpy.random.Generator or int
        Source of randomness; exactly one 64-bit number is drawn from it per call. An int
        seeds a fresh generator. Global random state is never used.
    max_generations : int, optional
        Stop after this many generations beyond the seeds (a hop limit); unlimited by
        default.
    method : {"auto", "numba", "numpy"}
        Kernel. ``"auto"`` takes the compiled one when numba is installed. Both give the
        same result for the same ``rng`` state.
    check : bool, default True
        Range-check raw CSR arrays (ignored for a Network).
    threads : int, default 1
        Threads of the compiled kernel (1 to numba's ``NUMBA_NUM_THREADS``). The result
        is the same, bit for bit, whatever the number: only the time changes (see
        :mod:`womsim.engine.spreadpar`). More than one needs ``method`` "numba" or
        "auto" with numba installed, and helps only where cores are idle: with more
        busy processes than cores the threads wait on each other at every generation
        (at 1M people, load 18 on 2 cores: 221 ms of CPU on 2 threads against 43 on 1).

    Returns
    -------
    CascadeResult
        ``informed`` mask, ``count``, ``generations`` and ``per_generation`` counts.

    Raises
    ------
    WomsimError
        A bad ``p``, ``seeds``, ``rng``, ``max_generations``, ``method`` or ``threads``
        (the message names it); :class:`~womsim.NetworkError` for a malformed ``network``.

    Examples
    --------
    >>> import numpy as np
    >>> from womsim import Network
    >>> net = Network.scale_free(100_000, m=5, seed=1)
    >>> seeds = np.random.default_rng(0).choice(net.n, size=1000, replace=False)
    >>> res = cascade(net, seeds, p=0.1, rng=np.random.default_rng(42))
    >>> 0.3 < res.share < 0.7
    True
    >>> same = cascade(net, seeds, p=0.1, rng=np.random.default_rng(42), method="numpy")
    >>> bool(np.array_equal(res.informed, same.informed))
    True
    >>> cascade(net, seeds, p=1.3, rng=1)
    Traceback (most recent call last):
    ...
    womsim.core.errors.WomsimError: p must be a probability in [0, 1], got 1.3
    """
    kernel = _kernel(method)
    workers = _threads(threads, kernel)
    pr = _probability(p)
    indptr, indices = _csr(network, check)
    n = indptr.size - 1
    seed_ids = _seeds(seeds, n)
    if max_generations is None:
        max_gen = n + 1
    else:
        if (isinstance(max_generations, bool)
                or not isinstance(max_generations, numbers.Integral) or max_generations < 0):
            raise WomsimError(f"max_generations must be an integer >= 0 or None, got "
                              f"{max_generations!r}")
        max_gen = int(max_generations)
    key = _key(rng)
    threshold = round(pr * _ONE)
    if workers > 1 or kernel == "numba":
        # the compiled kernels read int32 row starts (half the cache lines); a Network
        # keeps its own, other inputs are narrowed here
        rows = network._row_starts() if isinstance(network, Network) else row_starts32(indptr)
    if workers > 1:
        seen, counts = cascade_threads(rows, indices, seed_ids, key, _tie_key(key),
                                       threshold, max_gen, workers, _TABLES)
        visited = _unpack(seen, n)
    elif kernel == "numba":
        seen, counts = _cascade_numba(rows, indices, seed_ids, np.uint64(key),
                                      np.uint64(threshold), np.int64(max_gen))
        visited = _unpack(seen, n)
    else:
        uniq = seed_ids[np.sort(np.unique(seed_ids, return_index=True)[1])]
        visited, counts = _cascade_numpy(indptr, indices, uniq.astype(np.int64), key,
                                         threshold, max_gen)
    return CascadeResult(informed=visited, count=int(counts.sum()),
                         generations=counts.size - 1, per_generation=counts, method=kernel)
