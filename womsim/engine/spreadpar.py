"""The one-chance cascade's kernel on several threads (``cascade(..., threads=k)``).

It decides every chance as the single-thread kernel of :mod:`womsim.engine.spread` does
(the same hash of the same edge slot), so it returns the same people, bit for bit, whatever
the number of threads. What makes that possible: within a generation the newly informed are
the set ``{indices[e] : e an open slot of a frontier row} - informed``, which does not
depend on who looks at which row or in what order. The bitsets are cut into blocks of 32
words (2,048 ids). In one parallel region per generation each thread claims the next block
from a shared counter (an atomic add, :mod:`womsim.core.fetchadd`), ORs every thread's
marks of the block, removes those informed before, adds the rest to the informed set and
expands them at once: their open slots mark neighbours in a bitset of its own. A thread
slowed down -- by heavy blocks (hubs have small ids in a generated graph) or by another
process on its core -- simply claims fewer blocks. No thread works alone between
generations (an earlier kernel drained all the marks on one thread while the others
waited), and no write is shared: within a generation a block is written by the one thread
that claimed it, a thread's marks by that thread.

Examples
--------
>>> import numpy as np
>>> from womsim import Network
>>> from womsim.engine.spread import cascade
>>> net = Network.scale_free(20_000, m=5, seed=1)
>>> one = cascade(net, np.arange(200), p=0.1, rng=3)
>>> two = cascade(net, np.arange(200), p=0.1, rng=3, threads=2)
>>> bool(np.array_equal(one.informed, two.informed))
True
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import get_num_threads, njit, prange, set_num_threads, uint64

from womsim.core.bytelanes import bytes_below, bytes_equal, store_places
from womsim.core.cycles import cycles
from womsim.core.fetchadd import fetch_add
from womsim.core.jitcache import configure
from womsim.core.prefetch import prefetch
from womsim.engine.kernels import GOLDEN, splitmix64

configure()

__all__ = ["cascade_threads", "first_two_words", "word_hits"]

# open slots buffered and resolved in batches of this many (fits in L1/L2)
_BATCH = 2048
_LOW32 = 0xFFFFFFFF


@njit(inline="always")
def word_hits(word, k, k_tie, t_byte, t_low, every):  # pragma: no cover
    # which of the eight slots of CSR word ``word`` (slots 8 word .. 8 word + 7) are open:
    # bit j for slot 8 word + j (the single-thread kernel of spread shares it)
    one = uint64(1)
    golden = uint64(GOLDEN)
    if every:
        return uint64(0xFF)
    z = splitmix64(k + uint64(word + 1) * golden)
    hit = bytes_below(z, t_byte)
    if t_low != 0:
        tie = bytes_equal(z, t_byte)
        if tie != 0:  # one byte in 256: its next 32 bits decide
            first = word << 3
            for j in range(8):
                if (tie >> uint64(j)) & one:
                    r = splitmix64(k_tie + uint64(first + j + 1) * golden)
                    if (r & uint64(_LOW32)) < t_low:
                        hit |= one << uint64(j)
    return hit


@njit(inline="always")
def first_two_words(e0, e1, buf, cnt, open_at, open_n, indices, k, k_tie, t_byte, t_low,
                    every):  # pragma: no cover
    # a row's (slots e0 .. e1 - 1) first two words of slots without a loop: most rows (5-9
    # slots) span one or two, and a loop of one or two rounds mispredicts its exit about
    # once a row. Their open slots' places are appended to ``buf`` from ``cnt`` without a
    # branch (eight lanes stored, the count advanced by the number open); a second word
    # past the row gets an empty mask. Returns the new count. Both cascades' kernels
    # inline it (spread's one thread, spreadpar's threads)
    ff = uint64(0xFF)
    w0 = e0 >> 3
    first = w0 << 3
    prefetch(indices, e0)  # the row's first neighbours, read by _resolve
    hit = word_hits(w0, k, k_tie, t_byte, t_low, every)
    hit &= ff << uint64(e0 - first)  # only this row's slots of the word
    hit &= ff >> uint64(max(first + 8 - e1, 0))
    store_places(buf, cnt, open_at, hit, first)
    cnt += open_n[hit]
    hit = word_hits(w0 + 1, k, k_tie, t_byte, t_low, every)
    hit &= ff >> uint64(min(max(first + 16 - e1, 0), 8))
    store_places(buf, cnt, open_at, hit, first + 8)
    return cnt + open_n[hit]



@njit(inline="always")
def _resolve(buf, vals, cnt, indices, seen, mine, lims, flags):  # pragma: no cover
    # the neighbour loads first, then the marks without a branch (as in spread). ``seen``
    # is not read here: the drain removes those informed before, and a read of a word
    # another thread is writing would move the cache line between cores (-5% at 1M on 2
    # threads, -7% CPU on one, 2026-12-02)
    one = uint64(1)
    for i in range(cnt):
        vals[i] = indices[buf[i]]
    wlo = lims[0]
    whi = lims[1]
    for i in range(cnt):
        v = vals[i]
        w = v >> 6
        mine[w] |= one << uint64(v & 63)
        flags[w >> 3] = 1  # this cache line of the marks has something to drain
        wlo = min(wlo, w)
        whi = max(whi, w)
    lims[0] = wlo
    lims[1] = whi


# words of the bitsets per block (a whole number of cache lines, so no line is written by
# two threads); the ids it covers (2,048) are drained, expanded and written by the thread
# that claimed the block
# (8 and 128 words were no faster in CPU time under load, 2026-12-02)
_WORDS = 32
# drained people gathered before their rows are expanded
_GATHER = 256
# a generation after one that informed fewer than this many runs on the calling thread
# alone: the ~15 small generations at the end of a cascade then wait for no other thread
# (under load, a thread the scheduler has put aside holds up each region by a time slice)
_SMALL = 1000


@njit(inline="always")
def _drain_expand(c, nchunks, wlo, whi, expand, indptr, indices, k, k_tie, t_byte, t_low,
                  every, bitpos, db, open_at, open_n, seen, cur, nxt, lims, buf, vals,
                  front, lo, hi, claim, cfl, nfl):  # pragma: no cover
    # Thread c claims blocks of words from ``claim[0]`` until none is left: it alone ORs the
    # shares' marks of a block it claimed, clears them, adds the new ones to ``seen`` and
    # expands them. Other threads never read ``seen`` (their marks of somebody already
    # informed are removed by the drain), so what is marked, and thus the result, does not
    # depend on timing nor on who claimed what. (Blocks dealt round-robin instead left the
    # busier of 2 threads 0.537 of the work on the generated graph: claimed, 12.8 -> 11.7 ms
    # at 1M on 2 threads, median of 15, 2026-12-02.) ``cfl[s, line]`` says share s marked
    # something in that cache line of words: a line no share marked is neither read nor
    # written (the small late generations would otherwise scan every word of the range).
    one = uint64(1)
    ff = uint64(0xFF)
    got = 0
    cnt = 0
    b_first = wlo // _WORDS
    b_last = whi // _WORDS
    f = 0
    done = False
    while not done:
        b = b_first + fetch_add(claim, 0, 1)
        done = b > b_last  # nothing left: the words' range below is then empty
        wa = max(b * _WORDS, wlo)
        wb = min(b * _WORDS + _WORDS, whi + 1)
        for ln in range(wa >> 3, ((wb - 1) >> 3) + 1):
            marked = 0
            for s in range(nchunks):
                marked |= cfl[s, ln]
            if marked == 0:
                continue
            for s in range(nchunks):
                cfl[s, ln] = 0
            for w in range(max(ln << 3, wa), min((ln << 3) + 8, wb)):
                x = uint64(0)
                for s in range(nchunks):
                    v = cur[s, w]
                    if v != 0:  # a word left zero is not written: its line stays shared
                        x |= v
                        cur[s, w] = uint64(0)
                x &= ~seen[w]
                if x == 0:
                    continue
                seen[w] |= x
                base = w << 6
                while x != 0:
                    t = x & (~x + one)  # lowest set bit
                    u = base + bitpos[(t * db) >> uint64(58)]
                    front[f] = u
                    prefetch(indptr, u)  # its row bounds, read once _GATHER are drained
                    f += 1
                    x ^= t
        # expanded once _GATHER are drained (or at the last block): the row bounds of
        # many at once are then independent loads in flight together
        if f < _GATHER and not done:
            continue
        got += f
        n_front = f
        f = 0
        if not expand:
            continue
        for q in range(n_front):
            u = front[q]
            lo[q] = indptr[u]
            hi[q] = indptr[u + 1]
        for q in range(n_front):
            e0 = lo[q]
            e1 = hi[q]
            if e1 <= e0:
                continue
            # the row's first two words without a loop (as in spread: most rows span
            # one or two); a second word past the row gets an empty mask
            w0 = e0 >> 3
            cnt = first_two_words(e0, e1, buf, cnt, open_at, open_n, indices, k, k_tie,
                                  t_byte, t_low, every)
            if cnt >= _BATCH:
                _resolve(buf, vals, cnt, indices, seen, nxt, lims, nfl)
                cnt = 0
            for word in range(w0 + 2, ((e1 - 1) >> 3) + 1):
                first = word << 3
                hit = word_hits(word, k, k_tie, t_byte, t_low, every)
                hit &= ff >> uint64(max(first + 8 - e1, 0))
                store_places(buf, cnt, open_at, hit, first)
                cnt += open_n[hit]
                if cnt >= _BATCH:
                    _resolve(buf, vals, cnt, indices, seen, nxt, lims, nfl)
                    cnt = 0
    _resolve(buf, vals, cnt, indices, seen, nxt, lims, nfl)
    return got


@njit(cache=True, nogil=True, parallel=True)
def _cascade_threads(indptr, indices, seeds, key, k_tie, threshold, max_gen, nchunks,
                     bitpos, debruijn, open_at, open_n):  # pragma: no cover
    # One parallel region per generation: the drain of who is new is shared out with the
    # expansion (by blocks of words, each claimed by one thread), so no thread works alone
    # between generations; marks go to a second set of bitsets, swapped each generation.
    n = indptr.size - 1
    nw = (n + 63) >> 6
    seen = np.zeros(nw, dtype=np.uint64)
    marks = np.zeros((2, nchunks, nw), dtype=np.uint64)
    # one flag per cache line of marks (8 words), rows padded to 64 bytes
    nl = (((nw + 7) >> 3) + 63) & ~63
    flags = np.zeros((2, nchunks, nl), dtype=np.uint8)
    lims = np.empty((2, nchunks, 2), dtype=np.int64)  # lowest / highest word each marked
    buf = np.empty((nchunks, _BATCH + 16), dtype=np.int64)  # a row's 2 words past _BATCH
    vals = np.empty((nchunks, _BATCH + 16), dtype=indices.dtype)
    front = np.empty((nchunks, _GATHER + 64 * _WORDS), dtype=np.int32)
    lo = np.empty((nchunks, _GATHER + 64 * _WORDS), dtype=np.int64)
    hi = np.empty((nchunks, _GATHER + 64 * _WORDS), dtype=np.int64)
    got = np.zeros(nchunks, dtype=np.int64)
    claim = np.zeros(8, dtype=np.int64)  # claim[0]: blocks claimed this generation
    counts = np.zeros(64, dtype=np.int64)
    one = uint64(1)
    for h in range(2):
        for c in range(nchunks):
            lims[h, c, 0] = nw
            lims[h, c, 1] = -1
    for s in seeds:  # the seeds are generation 0's newly marked
        w = s >> 6
        marks[0, 0, w] |= one << uint64(s & 63)
        flags[0, 0, w >> 3] = 1
        lims[0, 0, 0] = min(lims[0, 0, 0], w)
        lims[0, 0, 1] = max(lims[0, 0, 1], w)
    k = uint64(key)
    kt = uint64(k_tie)
    t_byte = uint64(threshold) >> uint64(32)
    t_low = uint64(threshold) & uint64(_LOW32)
    every = t_byte > uint64(255)  # p = 1: no byte is compared
    db = uint64(debruijn)
    gen = 0
    h = 0
    f_prev = _SMALL  # the seeds' generation runs on every thread
    alone = False
    t_in = np.zeros(nchunks * 8, dtype=np.int64)  # entry / exit cycle counts of the shares
    t_out = np.zeros(nchunks * 8, dtype=np.int64)
    while True:
        wlo = nw
        whi = -1
        for c in range(nchunks):
            wlo = min(wlo, lims[h, c, 0])
            whi = max(whi, lims[h, c, 1])
            lims[h, c, 0] = nw
            lims[h, c, 1] = -1
        expand = gen < max_gen
        cur = marks[h]
        nxt = marks[1 - h]
        lnx = lims[1 - h]
        claim[0] = 0
        if whi >= wlo and (f_prev < _SMALL or alone):
            # a small generation on this thread: share 0 claims every block, the others
            # none (the same marks, so the same people, as on several threads)
            for c in range(nchunks):
                got[c] = _drain_expand(c, nchunks, wlo, whi, expand, indptr, indices, k, kt,
                                       t_byte, t_low, every, bitpos, db, open_at, open_n,
                                       seen, cur, nxt[c], lnx[c], buf[c], vals[c], front[c],
                                       lo[c], hi[c], claim, flags[h], flags[1 - h, c])
        elif whi >= wlo:
            for c in prange(nchunks):
                t_in[c] = cycles()
                got[c] = _drain_expand(c, nchunks, wlo, whi, expand, indptr, indices, k, kt,
                                       t_byte, t_low, every, bitpos, db, open_at, open_n,
                                       seen, cur, nxt[c], lnx[c], buf[c], vals[c], front[c],
                                       lo[c], hi[c], claim, flags[h], flags[1 - h, c])
                t_out[c] = cycles()
            # blocks are claimed, so the threads enter and leave within about a block's
            # work of each other unless the scheduler put one aside (another process on its
            # core): then it would hold up every later generation's barrier by a time slice
            # (4 ms here), so the rest of the cascade runs on this thread (the same people
            # either way). Not judged in generation 0: the threads then wake from sleep
            skew = (t_in[:nchunks].max() - t_in[:nchunks].min()
                    + t_out[:nchunks].max() - t_out[:nchunks].min())
            alone = gen > 0 and skew > (t_out[:nchunks].max() - t_in[:nchunks].min()) // 2
        else:
            got[:] = 0
        f = 0
        for c in range(nchunks):
            f += got[c]
        if gen == counts.size:
            grown = np.zeros(2 * counts.size, dtype=np.int64)
            grown[:gen] = counts
            counts = grown
        counts[gen] = f
        f_prev = f
        if f == 0:
            break
        gen += 1
        if not expand:
            break
        h = 1 - h
    return seen, counts[: max(gen, 1)].copy()


def cascade_threads(indptr: np.ndarray, indices: np.ndarray, seeds: np.ndarray, key: int,
                    k_tie: int, threshold: int, max_gen: int, threads: int,
                    tables: tuple[Any, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The cascade's ``(informed bitset, newly informed per generation)`` on ``threads``
    threads; :func:`womsim.engine.spread.cascade` checks the arguments and calls it.

    ``tables`` is ``(bitpos, debruijn, open_at, open_n)``, the single-thread kernel's
    lookup tables. The frontier is cut into ``threads`` shares whatever numba's thread
    count; numba's count is set to ``threads`` for the call (and put back after it).

    Examples
    --------
    >>> from womsim import Network
    >>> from womsim.engine import spread
    >>> net = Network.complete(2)  # its arrays' types are the cascade's: one compile
    >>> seen, counts = cascade_threads(net._row_starts(), net.indices, spread._seeds([0], 2),
    ...                                7, spread._tie_key(7), 1 << 40, 10, 2, spread._TABLES)
    >>> counts.tolist()
    [1, 1]
    """
    before = get_num_threads()
    set_num_threads(threads)
    try:
        return _cascade_threads(indptr, indices, seeds, np.uint64(key), np.uint64(k_tie),
                                np.uint64(threshold), np.int64(max_gen), np.int64(threads),
                                *tables)
    finally:
        set_num_threads(before)
