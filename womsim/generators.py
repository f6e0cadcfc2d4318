"""Edge sources behind :class:`womsim.Network`: random-graph generators and edge lists.

Every source here ends in an :class:`EdgeSource` - plain edge arrays ``(u, v)``
(int64, possibly with self-loops or repeated pairs), the node count, optional
labels and blocks, and the record of how it was made; the ``Network`` class
methods turn it into CSR, dropping and counting loops and repeats.

Generators never touch global random state (every draw comes from the
``numpy.random.Generator`` made from the seed) and never go through networkx:
building a million-node graph in Python objects takes tens of seconds, these take
well under one. Edge-list files are read by pandas' C parser; only when it fails
is the file scanned line by line, to name the offending line.

The public entry points are the ``Network`` class methods (``scale_free``,
``small_world``, ``random``, ``communities``, ``complete``, ``from_networkx``,
``from_edgelist``); the functions below are their engines and validators.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from womsim.errors import NetworkError

SeedLike = int | np.random.SeedSequence | np.random.Generator | None

#: Graphs with at most this many node pairs are drawn by testing every pair (exact and
#: fast); larger ones by drawing distinct random pairs.
DENSE_PAIRS = 2_000_000

#: ``complete(n)`` is for small tests; beyond this it would allocate gigabytes.
COMPLETE_MAX_N = 10_000

IntPairs = tuple[np.ndarray, np.ndarray]


# --------------------------------------------------------------------------- seeds
def seed_sequence(seed: SeedLike) -> tuple[np.random.Generator, dict[str, Any]]:
    """Return a generator for ``seed`` and the record that reproduces it.

    ``None`` draws fresh entropy from the OS *and records it*, so even an unseeded
    graph can be rebuilt later from ``net.info["seed"]``.

    Examples
    --------
    >>> rng, record = seed_sequence(7)
    >>> record
    {'seed': 7}
    >>> rng2, _ = seed_sequence(7)
    >>> bool(rng.integers(1 << 30) == rng2.integers(1 << 30))
    True
    """
    if isinstance(seed, np.random.Generator):
        # A caller-owned stream: we cannot say how to rebuild it, only that it was used.
        return seed, {"seed": "numpy Generator (not recorded)"}
    if seed is None:
        ss = np.random.SeedSequence()
    elif isinstance(seed, np.random.SeedSequence):
        ss = seed
    elif isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        if int(seed) < 0:
            raise NetworkError(f"seed must be a non-negative integer, got {seed}")
        ss = np.random.SeedSequence(int(seed))
    else:
        raise NetworkError(
            "seed must be an int >= 0, a numpy.random.SeedSequence or None, "
            f"got {type(seed).__name__} {seed!r}"
        )
    record: dict[str, Any] = {"seed": int(ss.entropy) if ss.entropy is not None else None}
    if ss.spawn_key:
        record["spawn_key"] = tuple(int(k) for k in ss.spawn_key)
    return np.random.default_rng(ss), record


# ---------------------------------------------------------------------- validation
def check_int(name: str, value: Any, low: int, high: int | None = None, hint: str = "") -> int:
    """Return ``value`` as an int, or raise :class:`NetworkError` naming it and its range.

    Examples
    --------
    >>> check_int("n", 10, 1)
    10
    >>> check_int("m", 0, 1, 9)
    Traceback (most recent call last):
    ...
    womsim.errors.NetworkError: m must be an integer in 1..9, got 0
    """
    allowed = f"{low}..{high}" if high is not None else f">= {low}"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, numbers.Real) and float(value).is_integer():
            value = int(value)
        else:
            raise NetworkError(f"{name} must be an integer {allowed}{hint}, got {value!r}")
    value = int(value)
    if value < low or (high is not None and value > high):
        raise NetworkError(f"{name} must be an integer in {allowed}{hint}, got {value}"
                           if high is not None else
                           f"{name} must be an integer {allowed}{hint}, got {value}")
    return value


def check_real(name: str, value: Any, low: float, high: float | None = None,
               hint: str = "") -> float:
    """Return ``value`` as a finite float in ``[low, high]`` or raise :class:`NetworkError`.

    Examples
    --------
    >>> check_real("p", 0.1, 0.0, 1.0)
    0.1
    >>> check_real("p", 1.3, 0.0, 1.0)
    Traceback (most recent call last):
    ...
    womsim.errors.NetworkError: p must be a number in [0.0, 1.0], got 1.3
    """
    allowed = f"in [{low}, {high}]" if high is not None else f">= {low}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise NetworkError(f"{name} must be a number {allowed}{hint}, got {value!r}")
    value = float(value)
    if not np.isfinite(value) or value < low or (high is not None and value > high):
        raise NetworkError(f"{name} must be a number {allowed}{hint}, got {value}")
    return value


# ---------------------------------------------------------------------- primitives
def _unique_sorted(keys: np.ndarray) -> np.ndarray:
    """Sort ``keys`` in place and return its distinct values (``np.unique`` is far slower)."""
    keys.sort()
    if keys.size < 2:
        return keys
    keep = np.empty(keys.size, dtype=bool)
    keep[0] = True
    np.not_equal(keys[1:], keys[:-1], out=keep[1:])
    return keys if keep.all() else keys[keep]


def distinct_pairs(rng: np.random.Generator, count: int, n: int,
                   draw: Callable[[int], IntPairs], max_rounds: int = 1000) -> IntPairs:
    """Draw ``count`` distinct unordered pairs, redrawing repeats until there are enough.

    ``draw(k)`` must return ``k`` random pairs ``(a, b)`` with ``a != b`` from the
    wanted distribution over pairs; rejecting repeats then gives a uniformly random
    set of ``count`` distinct pairs (the G(n, M) construction), so the mean degree is
    exact instead of short by the dropped repeats.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> def draw(k):
    ...     a = rng.integers(0, 5, k); return a, (a + 1 + rng.integers(0, 4, k)) % 5
    >>> u, v = distinct_pairs(rng, 10, 5, draw)   # all 10 pairs of 5 nodes
    >>> len(set(zip(u.tolist(), v.tolist())))
    10
    """
    keys = np.empty(0, dtype=np.int64)
    for _ in range(max_rounds):
        missing = count - keys.size
        if missing <= 0:
            break
        a, b = draw(missing)
        lo = np.minimum(a, b).astype(np.int64)
        lo *= n
        lo += np.maximum(a, b)
        keys = _unique_sorted(np.concatenate([keys, lo]))
    else:  # pragma: no cover - only for pathological densities
        raise NetworkError(f"could not draw {count} distinct pairs among {n} nodes")
    lo = keys // n
    return lo, keys - lo * n


def all_pairs(n: int) -> IntPairs:
    """Every pair ``i < j`` of ``n`` nodes, as two int64 arrays.

    Examples
    --------
    >>> u, v = all_pairs(3)
    >>> u.tolist(), v.tolist()
    ([0, 0, 1], [1, 2, 2])
    """
    u, v = np.triu_indices(n, k=1)
    return u.astype(np.int64, copy=False), v.astype(np.int64, copy=False)


# ---------------------------------------------------------------------- generators
def scale_free_edges(n: int, m: int, rng: np.random.Generator) -> IntPairs:
    """Preferential-attachment (Barabási–Albert) edges, fully vectorised.

    Node ``m`` joins the seed nodes ``0..m-1``; every later node ``v`` brings ``m``
    edges whose targets are chosen proportionally to degree, using the
    Batagelj–Brandes edge array: edge ``e`` picks a uniform position among the ends
    of all earlier nodes' edges. A position on the *source* side is a node directly;
    one on the *target* side points at an earlier edge's target, so the targets form
    pointer chains that are resolved by pointer jumping (each pass halves the chains;
    a handful of passes for a million nodes) instead of a Python loop. Positions
    exclude ``v``'s own edges, so there are no self-loops; the rare repeat target
    (a node picked twice by ``v``) is left for the CSR builder to drop and count.

    Examples
    --------
    >>> u, v = scale_free_edges(6, 2, np.random.default_rng(0))
    >>> u.tolist()
    [2, 2, 3, 3, 4, 4, 5, 5]
    >>> bool((v < u).all())
    True
    """
    n_edges = m * (n - m)
    src = np.repeat(np.arange(m, n, dtype=np.int64), m)
    # Edge e may copy any end of the edges before its node's block: 2 * (e - e % m)
    # positions; one float per edge picks both the edge and the side.
    pos = rng.random(n_edges)
    pos *= 2 * (src - m) * m
    r = pos.astype(np.int64)
    del pos
    ptr = r >> 1
    on_target = (r & 1).astype(bool)
    del r
    on_target[:m] = False
    tgt = ptr // m
    tgt += m  # source node of edge ptr
    tgt[on_target] = -1
    tgt[:m] = np.arange(m)
    todo = np.flatnonzero(on_target)
    while todo.size:
        hop = ptr[todo]
        found = tgt[hop]
        ok = found >= 0
        tgt[todo[ok]] = found[ok]
        todo = todo[~ok]
        # Jump: the edge we copied from copies from ptr[hop] itself, so skip it.
        ptr[todo] = ptr[hop[~ok]]
    return src, tgt


def small_world_edges(n: int, k: int, p: float, rng: np.random.Generator,
                      max_rounds: int = 200) -> IntPairs:
    """Watts–Strogatz edges: a ring of ``k`` neighbours, each edge rewired with probability p.

    Edge ``(u, u + j)`` (``j = 1..k/2``) keeps ``u`` and, with probability ``p``,
    gets a new end drawn uniformly among the nodes other than ``u``. All edges are
    rewired at once; a new end that would repeat an existing edge (or restore the
    old one) is redrawn, so the graph keeps exactly ``n*k/2`` edges, as in networkx.
    Only for nearly complete graphs, where no free end may exist, do edges that
    could not be placed after ``max_rounds`` redraws keep their ring end.

    Examples
    --------
    >>> u, v = small_world_edges(10, 4, 0.0, np.random.default_rng(0))
    >>> len(u), sorted(zip(u.tolist(), v.tolist()))[:3]
    (20, [(0, 1), (0, 2), (1, 2)])
    """
    half = k // 2
    u = np.repeat(np.arange(n, dtype=np.int64), half)
    ring = u + np.tile(np.arange(1, half + 1, dtype=np.int64), n)
    ring %= n
    v = ring.copy()
    rewired = np.flatnonzero(rng.random(u.size) < p)
    if rewired.size == 0:
        return u, v
    kept = ~np.zeros(u.size, dtype=bool)
    kept[rewired] = False
    kept_keys = np.minimum(u[kept], v[kept]) * n + np.maximum(u[kept], v[kept])
    kept_keys.sort()
    ru = u[rewired]
    todo = np.arange(rewired.size)
    rv = np.empty(rewired.size, dtype=np.int64)
    for _ in range(max_rounds):
        x = rng.integers(0, n - 1, size=todo.size)
        rv[todo] = x + (x >= ru[todo])  # uniform over nodes other than u
        keys = np.minimum(ru, rv) * n + np.maximum(ru, rv)
        hit = np.searchsorted(kept_keys, keys)
        hit[hit == kept_keys.size] = 0
        bad = (kept_keys[hit] == keys) if kept_keys.size else np.zeros(keys.size, bool)
        bad |= rv == ring[rewired]
        # Among rewired edges that landed on the same pair, the first one keeps it.
        order = np.argsort(keys, kind="stable")
        sk = keys[order]
        dup = np.zeros(keys.size, dtype=bool)
        dup[order[1:]] = sk[1:] == sk[:-1]
        bad |= dup
        todo = np.flatnonzero(bad)
        if todo.size == 0:
            break
    else:
        # No free end left for these: they keep their ring end (the CSR builder drops
        # any repeat this causes and counts it in info["duplicates_dropped"]).
        rv[todo] = ring[rewired[todo]]
    v[rewired] = rv
    return u, v


def gnp_edges(n: int, p: float, rng: np.random.Generator) -> IntPairs:
    """Erdős–Rényi G(n, p) edges: each of the n(n-1)/2 pairs independently with probability p.

    Small graphs test every pair; large ones draw the edge count from its binomial
    law and then that many distinct uniform pairs, which is the same distribution.
    Degrees are Binomial(n-1, p), i.e. Poisson for large sparse graphs.

    Examples
    --------
    >>> u, v = gnp_edges(50, 1.0, np.random.default_rng(0))
    >>> len(u)
    1225
    """
    pairs = n * (n - 1) // 2
    if p == 0.0 or pairs == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    if pairs <= DENSE_PAIRS:
        u, v = all_pairs(n)
        keep = rng.random(u.size) < p
        return u[keep], v[keep]
    count = int(rng.binomial(pairs, p))

    def draw(size: int) -> IntPairs:
        a = rng.integers(0, n, size=size)
        return a, (a + 1 + rng.integers(0, n - 1, size=size)) % n

    return distinct_pairs(rng, count, n, draw)


def sbm_edges(sizes: Sequence[int], p_in: np.ndarray, p_out: float,
              rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stochastic-block-model edges and each node's block.

    A pair inside block ``b`` is linked with probability ``p_in[b]``, a pair across
    blocks with ``p_out``; nodes of block ``b`` are numbered consecutively.

    Examples
    --------
    >>> u, v, block = sbm_edges([3, 2], np.array([1.0, 1.0]), 0.0, np.random.default_rng(0))
    >>> block.tolist(), len(u)
    ([0, 0, 0, 1, 1], 4)
    """
    sizes_a = np.asarray(sizes, dtype=np.int64)
    n = int(sizes_a.sum())
    starts = np.concatenate([[0], np.cumsum(sizes_a)[:-1]])
    block = np.repeat(np.arange(sizes_a.size, dtype=np.int64), sizes_a)
    if n * (n - 1) // 2 <= DENSE_PAIRS:
        u, v = all_pairs(n)
        same = block[u] == block[v]
        prob = np.where(same, p_in[block[u]], p_out)
        keep = rng.random(u.size) < prob
        return u[keep], v[keep], block
    us: list[np.ndarray] = []
    vs: list[np.ndarray] = []
    for b, (start, size) in enumerate(zip(starts.tolist(), sizes_a.tolist(), strict=True)):
        bu, bv = gnp_edges(size, float(p_in[b]), rng)
        us.append(bu + start)
        vs.append(bv + start)
    cross = (n * n - int((sizes_a**2).sum())) // 2
    if p_out > 0 and cross > 0:
        count = int(rng.binomial(cross, p_out))
        # First end's block weighted by how many cross pairs it has, the other end
        # uniform outside that block: every cross pair then has the same chance.
        weight = sizes_a * (n - sizes_a)
        weight = weight / weight.sum()

        def draw(size: int) -> IntPairs:
            b = rng.choice(sizes_a.size, size=size, p=weight)
            a = starts[b] + (rng.random(size) * sizes_a[b]).astype(np.int64)
            other = (rng.random(size) * (n - sizes_a[b])).astype(np.int64)
            other += np.where(other >= starts[b], sizes_a[b], 0)
            return a, other

        cu, cv = distinct_pairs(rng, count, n, draw)
        us.append(cu)
        vs.append(cv)
    return np.concatenate(us), np.concatenate(vs), block


def complete_edges(n: int) -> IntPairs:
    """All ``n(n-1)/2`` edges of the complete graph.

    Examples
    --------
    >>> u, v = complete_edges(4)
    >>> len(u)
    6
    """
    return all_pairs(n)
