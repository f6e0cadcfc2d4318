"""Bernoulli subsets of a market: every id in ``0..n-1`` independently with probability
``2**-tier``, drawn in time proportional to far fewer than ``n`` numbers.

Two ways, both counter-based (a splitmix64 hash of one 64-bit key and a counter, so the
numbers depend on the key alone, never on a generator's state or on who else drew):

* **Bits** (``tier <= BITS_TIERS``, the frequent events such as service contacts): one
  hashed 64-bit word covers ``64 // tier`` people, ``tier`` bits each; a person is chosen
  when all of theirs are zero (probability exactly ``2**-tier``). At tier 4 one hash decides
  16 people: a contact draw at 1M people hashes 62,500 words.
* **Gaps** (rarer events: churn, acquisition): geometric gaps between chosen ids by
  inversion, ``floor(log(u) / log(1 - q)) + 1`` with ``u`` the j-th hashed uniform in (0, 1);
  the cost is one hash and one logarithm per person chosen.

An earlier version drew the gaps from a ``numpy.random.Generator`` (a new one per mechanism
and step, 0.5 ms to seed) with ``log1p`` per gap: 2.4 ms per contact draw at 1M people
against 1.1 ms by bits (CPU time, one process, interleaved; ``benchmarks/run.py --only
scenario`` times the whole run). :func:`bernoulli_subset_reference` is the vectorised numpy
reference the tests compare both kernels with, number for number.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from numba.cpython.unsafe.numbers import trailing_zeros

from womsim.engine.kernels import GOLDEN, splitmix64, splitmix64_array

__all__ = ["BITS_TIERS", "bernoulli_subset", "bernoulli_subset_reference"]

#: tiers drawn by bits; above, by gaps (measured: bits win up to tier 5 at 1M people)
BITS_TIERS = 5

_G = np.uint64(GOLDEN)
_ONE = np.uint64(1)
_TWO = np.uint64(2)
_FOUR = np.uint64(4)
_S11 = np.uint64(11)
_UNIT = 2.0 ** -53


@njit(cache=True)
def _popcount(x):
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2))
                                               & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return int((x * np.uint64(0x0101010101010101)) >> np.uint64(56))


@njit(cache=True)
def _zero_groups(x, tier, low):
    # the lowest bit of each all-zero group of ``tier`` bits of x (tier <= BITS_TIERS);
    # or-ing shifted copies by doubling: two shifts at tier 4 where a loop took three
    if tier == 1:
        y = x
    elif tier == 2:
        y = x | (x >> _ONE)
    elif tier == 3:
        y = x | (x >> _ONE) | (x >> _TWO)
    else:
        y = x | (x >> _ONE)
        y |= y >> _TWO
        if tier == 5:
            y |= x >> _FOUR
    return ~y & low


@njit(cache=True, inline="always")
def _pack16(f):
    # the 16 group flags of a tier-4 word (bits 0, 4, ..., 60) packed into its low 16 bits,
    # in order: three shift-or-mask steps, each halving the gaps
    x = (f | (f >> np.uint64(3))) & np.uint64(0x0303030303030303)
    x = (x | (x >> np.uint64(6))) & np.uint64(0x000F000F000F000F)
    x = (x | (x >> np.uint64(12))) & np.uint64(0x000000FF000000FF)
    return (x | (x >> np.uint64(24))) & np.uint64(0xFFFF)


@njit(cache=True)
def _by_bits4(key, n):
    # _by_bits at tier 4 (a contact draw's), the same ids: four words' flags packed into
    # one mask of 64 consecutive people, so the taking-out loop ends (a mispredicted
    # branch) once per 64 people, not per 16, and a quarter of the flags is stored (0.35
    # -> 0.15 ms for 850k people, one process, CPU)
    words = (n + 15) // 16
    quads = (words + 3) // 4
    low = np.uint64(0x1111111111111111)
    masks = np.empty(quads, dtype=np.uint64)
    total = 0
    for q in range(quads):
        m = np.uint64(0)
        for sub in range(4):
            w = 4 * q + sub
            if w < words:
                # _zero_groups at tier 4, written out (a literal tier would compile it twice)
                x = splitmix64(np.uint64(w + 1) * _G + key)
                y = x | (x >> _ONE)
                y |= y >> _TWO
                m |= _pack16(~y & low) << np.uint64(16 * sub)
        masks[q] = m
        total += _popcount(m)
    out = np.empty(total, dtype=np.int64)
    k = 0
    for q in range(quads):
        f = masks[q]
        base = q * 64
        while f != 0:
            out[k] = base + trailing_zeros(f)
            k += 1
            f &= f - _ONE
    while k > 0 and out[k - 1] >= n:  # the last words' groups beyond the market
        k -= 1
    return out[:k]


@njit(cache=True)
def _by_bits(key, n, tier):
    if tier == 4:
        return _by_bits4(key, n)
    g = 64 // tier
    words = (n + g - 1) // g
    low = np.uint64(0)
    for j in range(g):
        low |= _ONE << np.uint64(j * tier)
    # the group of each bit position: a table, not a 64-bit division per person chosen
    group = np.empty(64, dtype=np.int64)
    for j in range(64):
        group[j] = j // tier
    # first pass: which groups are all zero, and how many
    flags = np.empty(words, dtype=np.uint64)
    total = 0
    for w in range(words):
        f = _zero_groups(splitmix64(np.uint64(w + 1) * _G + key), tier, low)
        flags[w] = f
        total += _popcount(f)
    out = np.empty(total, dtype=np.int64)
    k = 0
    for w in range(words):
        f = flags[w]
        base = w * g
        while f != 0:
            out[k] = base + group[trailing_zeros(f)]
            k += 1
            f &= f - _ONE
    while k > 0 and out[k - 1] >= n:  # the last word's groups beyond the market
        k -= 1
    return out[:k]


@njit(cache=True)
def _by_gaps(key, n, q):
    if not q > 0.0:  # 2.0 ** -tier is 0 past tier 1074: nobody (and no 1 / log1p(-0))
        return np.empty(0, dtype=np.int64)
    inv = 1.0 / math.log1p(-q)
    mean = n * q
    out = np.empty(int(mean + 8.0 * math.sqrt(mean) + 16.0), dtype=np.int64)
    k = 0
    pos = -1.0
    j = 0
    while True:
        j += 1
        # (h + 0.5) / 2**53: in (0, 1), so the logarithm is finite
        u = (float(splitmix64(np.uint64(j) * _G + key) >> _S11) + 0.5) * _UNIT
        # np.floor, a float: math.floor converts to int64, undefined past 2**63, which a
        # gap reaches for q <= 2**-63; compiled ahead (womsim._aot) it came out negative
        # and the loop ran until memory was gone (tests/test_properties.py found it)
        pos += np.floor(math.log(u) * inv) + 1.0
        if not pos < n:
            return out[:k]
        if k == out.size:
            grown = np.empty(2 * out.size, dtype=np.int64)
            for i in range(k):  # a loop: slice assignment costs seconds of compiling
                grown[i] = out[i]
            out = grown
        out[k] = int(pos)
        k += 1


def bernoulli_subset(key: int, n: int, tier: int) -> np.ndarray:
    """The ids in ``0..n-1`` chosen, each independently with probability ``2**-tier``,
    by the hashed numbers of ``key``; increasing, int64.

    Examples
    --------
    >>> ids = bernoulli_subset(12345, 100_000, 4)
    >>> 6000 < ids.size < 6500, bool((np.diff(ids) > 0).all())
    (True, True)
    >>> bernoulli_subset(12345, 10, 0).tolist()
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    """
    if tier <= 0:
        return np.arange(n, dtype=np.int64)
    k = np.uint64(key & ((1 << 64) - 1))
    if tier <= BITS_TIERS:
        return _by_bits(k, int(n), int(tier))
    return _by_gaps(k, int(n), 2.0 ** -tier)


def bernoulli_subset_reference(key: int, n: int, tier: int) -> np.ndarray:
    """:func:`bernoulli_subset` in vectorised numpy (the tests' reference; slower).

    Examples
    --------
    >>> bool((bernoulli_subset_reference(7, 5000, 3) == bernoulli_subset(7, 5000, 3)).all())
    True
    """
    if tier <= 0:
        return np.arange(n, dtype=np.int64)
    k = np.uint64(key & ((1 << 64) - 1))
    if tier <= BITS_TIERS:
        g = 64 // tier
        words = splitmix64_array(np.arange(1, (n + g - 1) // g + 1, dtype=np.uint64) * _G + k)
        ids = np.arange(n, dtype=np.int64)
        shift = ((ids % g) * tier).astype(np.uint64)
        mine = (words[ids // g] >> shift) & np.uint64((1 << tier) - 1)
        return ids[mine == 0]
    q = 2.0 ** -tier
    chunks, pos, start = [], -1.0, 1
    size = int(n * q + 8 * math.sqrt(n * q) + 16)
    while True:
        j = np.arange(start, start + size, dtype=np.uint64)
        u = ((splitmix64_array(j * _G + k) >> _S11).astype(np.float64) + 0.5) * _UNIT
        gaps = np.floor(np.log(u) * (1.0 / math.log1p(-q))) + 1.0
        at = pos + np.cumsum(gaps)  # whole numbers: summed exactly in any order
        chunks.append(at[at < n])
        if at[-1] >= n:
            return np.concatenate(chunks).astype(np.int64)
        pos, start = float(at[-1]), start + size
