"""Edge sources behind :class:`womsim.Network`: random-graph generators and edge lists.

Every source here (and in :mod:`womsim.network.edgelist`) ends in an :class:`EdgeSource` -
plain edge arrays ``(u, v)`` (int64, possibly with self-loops or repeated pairs), the
node count, optional labels and blocks, and the record of how it was made; the
``Network`` class methods turn it into CSR, dropping and counting loops and repeats.

Generators never touch global random state (every draw comes from the
``numpy.random.Generator`` made from the seed) and never go through networkx:
building a million-node graph in Python objects takes tens of seconds, these take
well under one. Edge-list files and DataFrames are read in :mod:`womsim.network.edgelist`.

The public entry points are the ``Network`` class methods (``scale_free``,
``small_world``, ``random``, ``communities``, ``complete``, ``from_networkx``,
``from_edgelist``); the functions below are their engines and validators.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from womsim.core.errors import EdgeListError, NetworkError
from womsim.network.graphkernels import ba_edges

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx

SeedLike = int | np.random.SeedSequence | np.random.Generator | None

#: Graphs with at most this many node pairs are drawn by testing every pair (exact and
#: fast); larger ones by drawing distinct random pairs.
DENSE_PAIRS = 2_000_000

#: ``complete(n)`` is for small tests; beyond this it would allocate gigabytes.
COMPLETE_MAX_N = 10_000

IntPairs = tuple[np.ndarray, np.ndarray]


class EdgeListNotFoundError(EdgeListError, FileNotFoundError):
    """The edge-list file does not exist (an :class:`EdgeListError` and a
    ``FileNotFoundError``, so either ``except`` catches it)."""


@dataclass
class EdgeSource:
    """Edges with everything a ``Network`` needs besides CSR: what every source returns."""

    u: np.ndarray
    v: np.ndarray
    n: int
    name: str | None = None
    info: dict[str, Any] = field(default_factory=dict)
    labels: np.ndarray | None = None
    block: np.ndarray | None = None


def label_array(values: Sequence[Any]) -> np.ndarray:
    """Labels as a 1-D array: int64 for integer labels, object otherwise (tuples stay whole).

    Examples
    --------
    >>> label_array([3, 1]).dtype.kind, label_array([(0, 1), "a"]).shape
    ('i', (2,))
    """
    values = list(values)
    if values and all(isinstance(x, numbers.Integral) and not isinstance(x, bool)
                      for x in values):
        try:
            return np.array(values, dtype=np.int64)
        except OverflowError:
            pass
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


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
    record: dict[str, Any] = {"seed": int(cast(int, ss.entropy))
                              if ss.entropy is not None else None}
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
    womsim.core.errors.NetworkError: m must be an integer in 1..9, got 0
    """
    allowed = f"in {low}..{high}" if high is not None else f">= {low}"
    whole = isinstance(value, numbers.Real) and float(value).is_integer()
    if isinstance(value, bool) or not whole:
        raise NetworkError(f"{name} must be an integer {allowed}{hint}, got {value!r}")
    value = int(value)
    if value < low or (high is not None and value > high):
        raise NetworkError(f"{name} must be an integer {allowed}{hint}, got {value}")
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
    womsim.core.errors.NetworkError: p must be a number in [0.0, 1.0], got 1.3
    """
    allowed = f"in [{low}, {high}]" if high is not None else f">= {low}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise NetworkError(f"{name} must be a number {allowed}{hint}, got {value!r}")
    value = float(value)
    if not np.isfinite(value) or value < low or (high is not None and value > high):
        raise NetworkError(f"{name} must be a number {allowed}{hint}, got {value}")
    return value


# ---------------------------------------------------------------------- primitives
def node_ids(x: Any, which: str) -> np.ndarray:
    """One column of node ids as int64, or a :class:`NetworkError` naming value and position.

    Examples
    --------
    >>> node_ids([0, 2.0], "u").tolist()
    [0, 2]
    >>> node_ids([0, -1], "u")
    Traceback (most recent call last):
    ...
    womsim.core.errors.NetworkError: node id u[1] = -1 is negative; ids must be 0..n-1
    """
    a = np.asarray(x)
    if a.ndim != 1:
        raise NetworkError(f"{which} must be a 1-D sequence of node ids, got shape {a.shape}")
    kind = a.dtype.kind
    if kind in "iu":
        a = a.astype(np.int64, copy=False)
    elif kind == "f":
        bad = ~np.isfinite(a)
        if bad.any():
            i = int(np.argmax(bad))
            raise NetworkError(f"node id {which}[{i}] is {a[i]}; node ids must be integers")
        bad = a != np.floor(a)
        if bad.any():
            i = int(np.argmax(bad))
            raise NetworkError(f"node id {which}[{i}] = {a[i]} is not an integer")
        a = a.astype(np.int64)
    else:
        for i, val in enumerate(a.tolist()):
            ok = isinstance(val, numbers.Integral) and not isinstance(val, bool)
            if not ok and isinstance(val, float) and val.is_integer():
                ok = True
            if not ok:
                raise NetworkError(
                    f"node id {which}[{i}] = {val!r} is not an integer; for named nodes use "
                    "Network.from_edgelist (file or DataFrame) or Network.from_networkx"
                )
        a = np.array(a.tolist(), dtype=np.int64)
    neg = a < 0
    if neg.any():
        i = int(np.argmax(neg))
        raise NetworkError(f"node id {which}[{i}] = {a[i]} is negative; ids must be 0..n-1")
    return a


def unique_sorted(keys: np.ndarray) -> np.ndarray:
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
        keys = unique_sorted(np.concatenate([keys, lo]))
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
    pointer chains, resolved in one compiled pass in edge order (each pointer goes to an
    earlier edge, already resolved). Positions
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
    idx = np.int32 if 2 * n_edges < 2**31 else np.int64
    src = np.empty(n_edges, dtype=idx)
    tgt = np.empty(n_edges, dtype=idx)
    # one float per edge picks both the earlier edge and its side; one compiled pass
    ba_edges(rng.random(n_edges), m, src, tgt)
    return src, tgt


def small_world_edges(n: int, k: int, p: float, rng: np.random.Generator,
                      max_rounds: int = 200) -> IntPairs:
    """Watts–Strogatz edges: a ring of ``k`` neighbours, each edge rewired with probability p.

    Edge ``(u, u + j)`` (``j = 1..k/2``) keeps ``u`` and, with probability ``p``,
    gets a new end drawn uniformly among the nodes other than ``u``. All edges are
    rewired at once; a new end that would repeat an edge (or land on the old end
    of an edge still being rewired) is redrawn, so the graph keeps exactly
    ``n*k/2`` edges, as in networkx. In nearly complete graphs, where no free end
    may exist, edges still unplaced after ``max_rounds`` redraws keep their ring end.

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
    moved = np.flatnonzero(rng.random(u.size) < p)
    if moved.size == 0:
        return u, v
    stays = np.ones(u.size, dtype=bool)
    stays[moved] = False
    taken = np.sort(_pair_keys(u[stays], v[stays], n))
    mu = u[moved]
    ring_keys = _pair_keys(mu, ring[moved], n)
    new_v = ring[moved]
    todo = np.arange(moved.size)
    for _ in range(max_rounds):
        x = rng.integers(0, n - 1, size=todo.size)
        x += x >= mu[todo]  # uniform over the nodes other than u
        keys = _pair_keys(mu[todo], x, n)
        # The old ends of edges still waiting are reserved: if they end up staying put
        # (below), nobody else may be on them.
        bad = _isin_sorted(keys, taken) | _isin_sorted(keys, np.sort(ring_keys[todo]))
        order = np.argsort(keys, kind="stable")
        first = np.ones(keys.size, dtype=bool)
        first[order[1:]] = keys[order[1:]] != keys[order[:-1]]
        bad |= ~first  # two new ends on one pair: the first draw keeps it
        ok = ~bad
        new_v[todo[ok]] = x[ok]
        taken = np.sort(np.concatenate([taken, keys[ok]]))
        todo = todo[bad]
        if todo.size == 0:
            break
    # Whatever found no free end (only in nearly complete graphs) keeps its ring end.
    v[moved] = new_v
    return u, v


def _pair_keys(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    return np.minimum(a, b) * n + np.maximum(a, b)


def _isin_sorted(keys: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    if sorted_keys.size == 0:
        return np.zeros(keys.size, dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_keys, keys), sorted_keys.size - 1)
    return sorted_keys[pos] == keys


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


# ------------------------------------------------------------ generator front ends
def scale_free(n: int, m: int, seed: SeedLike) -> EdgeSource:
    """Validated parameters and edges of ``Network.scale_free`` (see there).

    Examples
    --------
    >>> scale_free(10, 2, seed=1).u.size
    16
    """
    n, m, rng, info = scale_free_setup(n, m, seed)
    u, v = scale_free_edges(n, m, rng)
    return EdgeSource(u, v, n, "scale_free", info)


def scale_free_setup(n: int, m: int, seed: SeedLike
                     ) -> tuple[int, int, np.random.Generator, dict[str, Any]]:
    """Validated ``n`` and ``m``, the generator and the record of :func:`scale_free`.

    Examples
    --------
    >>> n, m, rng, info = scale_free_setup(10, 2, seed=1)
    >>> info
    {'generator': 'scale_free', 'params': {'n': 10, 'm': 2}, 'seed': 1}
    """
    n = check_int("n", n, 2)
    m = check_int("m", m, 1, n - 1, hint=" (edges per new node, below n)")
    rng, record = seed_sequence(seed)
    return n, m, rng, {"generator": "scale_free", "params": {"n": n, "m": m}, **record}


def small_world(n: int, k: int, p: float, seed: SeedLike) -> EdgeSource:
    """Validated parameters and edges of ``Network.small_world`` (see there).

    Examples
    --------
    >>> small_world(10, 4, 0.5, seed=1).u.size
    20
    """
    n = check_int("n", n, 3)
    k = check_int("k", k, 2, n - 1, hint=" (ring neighbours, even, below n)")
    if k % 2:
        raise NetworkError(f"k must be even (k/2 neighbours on each side), got {k}")
    p = check_real("p", p, 0.0, 1.0)
    rng, record = seed_sequence(seed)
    u, v = small_world_edges(n, k, p, rng)
    return EdgeSource(u, v, n, "small_world", {"generator": "small_world",
                                                "params": {"n": n, "k": k, "p": p}, **record})


def random(n: int, mean_degree: float, seed: SeedLike) -> EdgeSource:
    """Validated parameters and edges of ``Network.random`` (see there).

    Examples
    --------
    >>> random(5, 4, seed=1).u.size
    10
    """
    n = check_int("n", n, 1)
    mean_degree = check_real("mean_degree", mean_degree, 0.0, float(n - 1),
                             hint=" (n - 1 links everybody)")
    p = min(mean_degree / (n - 1), 1.0) if n > 1 else 0.0
    rng, record = seed_sequence(seed)
    u, v = gnp_edges(n, p, rng)
    return EdgeSource(u, v, n, "random", {"generator": "random", "params": {
        "n": n, "mean_degree": mean_degree}, **record})


def communities(sizes: Sequence[int], mean_degree_in: float, mean_degree_out: float,
                seed: SeedLike) -> EdgeSource:
    """Validated parameters and edges of ``Network.communities`` (see there).

    Examples
    --------
    >>> communities([3, 3], 2, 0, seed=1).block.tolist()
    [0, 0, 0, 1, 1, 1]
    """
    raw = np.asarray(sizes)
    if raw.ndim != 1 or raw.size == 0:
        raise NetworkError(f"sizes must be a non-empty list of community sizes, got {sizes!r}")
    sizes_l = [check_int(f"sizes[{i}]", s, 1) for i, s in enumerate(raw.tolist())]
    sizes_a = np.array(sizes_l, dtype=np.int64)
    n = int(sizes_a.sum())
    smallest = int(sizes_a.min())
    mean_in = check_real("mean_degree_in", mean_degree_in, 0.0, float(smallest - 1),
                         hint=f" (the smallest community has {smallest} people)")
    cross = n * n - int((sizes_a**2).sum())  # ordered pairs across communities
    mean_out = check_real("mean_degree_out", mean_degree_out, 0.0, cross / n,
                          hint=" (everybody linked across communities)" if cross else
                          " (one community has nobody outside it)")
    p_in = np.minimum(mean_in / np.maximum(sizes_a - 1, 1), 1.0)
    p_out = min(mean_out * n / cross, 1.0) if cross else 0.0
    rng, record = seed_sequence(seed)
    u, v, block = sbm_edges(sizes_l, p_in, p_out, rng)
    params = {"sizes": sizes_l, "mean_degree_in": mean_in, "mean_degree_out": mean_out}
    return EdgeSource(u, v, n, "communities",
                      {"generator": "communities", "params": params, **record}, block=block)


def complete(n: int) -> EdgeSource:
    """Validated parameters and edges of ``Network.complete`` (see there).

    Examples
    --------
    >>> complete(4).u.size
    6
    """
    n = check_int("n", n, 1, COMPLETE_MAX_N)
    u, v = all_pairs(n)
    return EdgeSource(u, v, n, "complete", {"generator": "complete", "params": {"n": n},
                                            "seed": None})


# ------------------------------------------------------------------------ networkx
def from_networkx(G: nx.Graph) -> EdgeSource:
    """Edges, labels and blocks of a networkx graph (see ``Network.from_networkx``).

    Examples
    --------
    >>> import networkx as nx
    >>> src = from_networkx(nx.path_graph(["a", "b", "c"]))
    >>> src.labels.tolist(), src.u.tolist(), src.v.tolist()
    (['a', 'b', 'c'], [0, 1], [1, 2])
    """
    nodes = list(G.nodes())
    n = len(nodes)
    if n == 0:
        raise NetworkError("the networkx graph has no nodes; a network needs at least one")
    edges = list(G.edges())
    identity = all(isinstance(x, numbers.Integral) and not isinstance(x, bool)
                   for x in nodes) and min(nodes) == 0 and max(nodes) == n - 1
    attrs = dict(G.nodes(data=True))
    if identity:
        pairs = np.array(edges, dtype=np.int64).reshape(-1, 2)
        data = [attrs[i] for i in range(n)]
        labels = None
        if all("label" in d for d in data):  # written by Network.to_networkx
            found = [d["label"] for d in data]
            try:
                if len(set(found)) == n:  # else it is some other attribute: ignore it
                    labels = label_array(found)
            except TypeError:  # unhashable values cannot be labels
                pass
    else:
        index = {node: i for i, node in enumerate(nodes)}
        pairs = np.array([(index[a], index[b]) for a, b in edges],
                         dtype=np.int64).reshape(-1, 2)
        data = [attrs[x] for x in nodes]
        labels = label_array(nodes)
    block = None
    if all(isinstance(d.get("block"), numbers.Integral) and not isinstance(d["block"], bool)
           and d["block"] >= 0 for d in data):
        block = np.array([d["block"] for d in data], dtype=np.int64)
    info = {"generator": "from_networkx",
            "params": {"n": n, "edges_given": len(edges), "directed": G.is_directed(),
                       "multigraph": G.is_multigraph()}}
    return EdgeSource(pairs[:, 0], pairs[:, 1], n, G.graph.get("name") or None, info,
                      labels, block)


def to_networkx(net: Any, use_labels: bool = False) -> nx.Graph:
    """The ``networkx.Graph`` of a Network (see ``Network.to_networkx``).

    Examples
    --------
    >>> from womsim.network.graph import Network
    >>> sorted(to_networkx(Network.complete(3)).edges())
    [(0, 1), (0, 2), (1, 2)]
    """
    import networkx as nx

    G = nx.Graph()
    if net.name:
        G.graph["name"] = net.name
    labels = net.labels.tolist() if net.labels is not None else None
    nodes = labels if (use_labels and labels is not None) else list(range(net.n))
    attrs: list[dict[str, Any]] = [{} for _ in range(net.n)]
    if labels is not None and not use_labels:
        for d, lab in zip(attrs, labels, strict=True):
            d["label"] = lab
    if net.block is not None:
        for d, b in zip(attrs, net.block.tolist(), strict=True):
            d["block"] = b
    G.add_nodes_from(zip(nodes, attrs, strict=True))
    u, v = net.edges()
    G.add_edges_from((nodes[a], nodes[b]) for a, b in zip(u.tolist(), v.tolist(), strict=True))
    return G


def wedge_slots(indptr: np.ndarray, wedges: np.ndarray, samples: int,
                seed: int) -> IntPairs:
    """Positions in ``indices`` of the two ends of wedges (paths a - centre - b).

    All wedges when there are at most ``samples``; otherwise ``samples`` drawn
    uniformly (centre with probability proportional to its wedge count, then two
    distinct neighbour slots).

    Examples
    --------
    >>> a, b = wedge_slots(np.array([0, 2, 3, 4]), np.array([1.0, 0, 0]), 10, 0)
    >>> a.tolist(), b.tolist()
    ([0], [1])
    """
    deg = np.diff(indptr)
    if wedges.sum() <= samples:
        # Few wedges: enumerate them all, one degree class at a time.
        a_parts, b_parts = [], []
        for k in np.unique(deg[deg >= 2]).tolist():
            start = indptr[:-1][deg == k][:, None]
            a, b = np.triu_indices(k, 1)
            a_parts.append((start + a).ravel())
            b_parts.append((start + b).ravel())
        return np.concatenate(a_parts), np.concatenate(b_parts)
    rng = np.random.default_rng(seed)
    cum = np.cumsum(wedges)
    centre = np.searchsorted(cum, rng.random(samples) * cum[-1], side="right")
    centre = np.minimum(centre, deg.size - 1)
    d = deg[centre]
    i = (rng.random(samples) * d).astype(np.int64)
    j = (rng.random(samples) * (d - 1)).astype(np.int64)
    j += j >= i
    return indptr[centre] + i, indptr[centre] + j
