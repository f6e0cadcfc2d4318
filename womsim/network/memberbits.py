"""Who is a member (a customer), one bit per person, for the kernels that ask it of friends.

The friend share (:mod:`womsim.network.assortment`) looks up every friend of everyone who
changed this step: random reads of a one-byte flag per person, 10 MB at ten million people,
far beyond the caches. As bits the same flags take 1.25 MB and mostly stay in the cache,
and the row of the next people is asked for ahead (:func:`womsim.core.prefetch.prefetch`).
Same counts as :func:`~womsim.network.assortment.member_ends` and
:func:`~womsim.network.assortment.friend_share_update`.
"""

from __future__ import annotations

import numpy as np
from numba import njit, uint64

from womsim.core.jitcache import configure
from womsim.core.prefetch import prefetch

configure()

__all__ = ["member_bits", "member_ends_bits", "update_ends_bits"]

# how many changed people ahead their row bounds, and half as many their rows, are asked for
_AHEAD = 16


def member_bits(member: np.ndarray) -> np.ndarray:
    """A bool mask as uint64 words: person ``i`` is bit ``i % 64`` of word ``i // 64``.

    Examples
    --------
    >>> member_bits(np.array([True, False, True])).tolist()
    [5]
    """
    words = np.zeros((member.size + 63) // 64, dtype="<u8")
    packed = np.packbits(np.asarray(member, dtype=np.bool_), bitorder="little")
    words.view(np.uint8)[:packed.size] = packed
    return words.astype(np.uint64, copy=False)


@njit(cache=True)
def _has(bits, i):
    # as a signed integer: uint64 mixed with int64 counts would turn them into floats
    return np.int64((bits[i >> 6] >> uint64(i & 63)) & uint64(1))


def member_ends_bits(indptr: np.ndarray, indices: np.ndarray, bits: np.ndarray
                     ) -> tuple[int, int]:
    """``(2 x friendships between members, sum of members' degrees)`` of the members in
    ``bits`` (see :func:`member_bits`); ``bits`` is left as it is.

    The members join an empty set one by one (:func:`update_ends_bits`): the same counts
    whatever the order (a graph has no self-loops), and one kernel less to compile on a
    first run (half a second).

    Examples
    --------
    >>> indptr, indices = np.array([0, 1, 3, 4]), np.array([1, 0, 2, 1], dtype=np.int32)
    >>> member_ends_bits(indptr, indices, member_bits(np.array([True, True, False])))
    (2, 3)
    """
    n = indptr.size - 1
    flags = np.unpackbits(bits.view(np.uint8), bitorder="little")[:n]
    members = np.flatnonzero(flags).astype(np.int64)
    return update_ends_bits(indptr, indices, np.zeros_like(bits), members,
                            np.ones(members.size, dtype=np.bool_), 0, 0)


@njit(cache=True)
def update_ends_bits(indptr: np.ndarray, indices: np.ndarray, bits: np.ndarray,
                     changed: np.ndarray, now: np.ndarray, same: int, total: int
                     ) -> tuple[int, int]:
    """Keep ``(2 E_mm, sum of members' degrees)`` up to date as people change.

    ``bits`` holds who was a member when last counted (updated in place), ``changed`` who
    may have changed and ``now`` whether each is a member now; exact whatever the order.
    """
    c_n = changed.size
    for j in range(c_n):
        if j + _AHEAD < c_n:
            prefetch(indptr, changed[j + _AHEAD])
        if j + _AHEAD // 2 < c_n:
            prefetch(indices, indptr[changed[j + _AHEAD // 2]])
        i = changed[j]
        new = now[j]
        if (_has(bits, i) == 1) == new:
            continue
        c = 0
        for e in range(indptr[i], indptr[i + 1]):
            c += _has(bits, np.int64(indices[e]))
        d = indptr[i + 1] - indptr[i]
        w = i >> 6
        b = uint64(1) << uint64(i & 63)
        if new:
            same += 2 * c
            total += d
            bits[w] |= b
        else:
            same -= 2 * c
            total -= d
            bits[w] &= ~b
    return same, total
