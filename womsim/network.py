"""The social graph the engine spreads word of mouth on.

:class:`Network` is an undirected simple graph on nodes ``0..n-1`` held as CSR
arrays (``indptr``, ``indices``) that are read-only, so one network can back many
runs and processes without copies or defensive locking. It is built from edge
arrays, from vectorised generators (scale-free, small-world, Erdős–Rényi,
communities, complete), from networkx graphs or from edge-list files; self-loops
and repeated edges are dropped on the way in and counted in ``info``.

See ``docs/networks.md`` for the edge-list format and the generator models.
"""

from __future__ import annotations

import bz2
import copy
import csv
import gzip
import hashlib
import html
import lzma
import numbers
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from womsim import generators as gen
from womsim.errors import EdgeListError, NetworkError

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx
    import scipy.sparse

__all__ = ["EdgeListNotFoundError", "Network"]

# Squaring n must fit in int64 for the single-key sort of the CSR builder.
_KEY_MAX_N = 3_037_000_499


class EdgeListNotFoundError(EdgeListError, FileNotFoundError):
    """The edge-list file does not exist (both an :class:`EdgeListError` and a
    :class:`FileNotFoundError`, so either ``except`` catches it)."""


# ----------------------------------------------------------------------------- CSR
def _index_dtype(n: int) -> type[np.signedinteger]:
    return np.int32 if n < 2**31 else np.int64


def _csr_from_pairs(u: np.ndarray, v: np.ndarray, n: int
                    ) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Symmetric CSR from edge arrays of valid ids: ``indptr, indices, loops, duplicates``.

    Both directions go into one int64 key ``row * n + col``; a single sort (numpy's
    SIMD sort, far faster than argsort, lexsort or np.unique) then orders the rows
    and their neighbour lists at once, and repeated keys are repeated edges.
    """
    u = np.asarray(u, dtype=np.int64)
    v = np.asarray(v, dtype=np.int64)
    loop = u == v
    loops = int(np.count_nonzero(loop))
    if loops:
        u, v = u[~loop], v[~loop]
    m = u.size
    if n <= _KEY_MAX_N:
        key = np.empty(2 * m, dtype=np.int64)
        np.multiply(u, n, out=key[:m])
        key[:m] += v
        np.multiply(v, n, out=key[m:])
        key[m:] += u
        key = gen._unique_sorted(key)
        rows = key // n
        counts = np.bincount(rows, minlength=n)
        rows *= n
        key -= rows  # now the column of each entry
        indices = key.astype(_index_dtype(n))
    else:  # pragma: no cover - needs more than 3e9 nodes
        rows = np.concatenate([u, v])
        cols = np.concatenate([v, u])
        order = np.lexsort((cols, rows))
        rows, cols = rows[order], cols[order]
        keep = np.ones(rows.size, dtype=bool)
        keep[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
        rows, cols = rows[keep], cols[keep]
        counts = np.bincount(rows, minlength=n)
        indices = cols.astype(_index_dtype(n))
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return indptr, indices, loops, m - indices.size // 2


def _frozen(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


def _owned(x: Any, dtype: Any = None) -> np.ndarray:
    """``x`` as an array we may freeze: caller-writable memory is copied, never frozen."""
    a = np.asarray(x, dtype=dtype)
    if isinstance(x, np.ndarray) and a.flags.writeable and np.shares_memory(a, x):
        a = a.copy()
    return a


def _label_array(values: Sequence[Any]) -> np.ndarray:
    """Labels as a 1-D array: int64 for integer labels, object otherwise (tuples stay whole)."""
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


def _ids(x: Any, which: str) -> np.ndarray:
    """Validate one column of node ids and return it as int64."""
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


# ------------------------------------------------------------------------- Network
class Network:
    """An undirected simple graph on nodes ``0..n-1`` in read-only CSR arrays.

    Build one with a class method (:meth:`from_edges`, :meth:`scale_free`,
    :meth:`small_world`, :meth:`random`, :meth:`communities`, :meth:`complete`,
    :meth:`from_networkx`, :meth:`from_edgelist`); the constructor itself takes
    ready CSR arrays and checks them.

    Parameters
    ----------
    indptr : array of int, length n + 1
        Row pointers: the neighbours of ``i`` are ``indices[indptr[i]:indptr[i+1]]``.
    indices : array of int
        Neighbour lists, each sorted, both directions of every edge stored.
    labels : array-like, optional
        Original node labels (unique), one per node.
    block : array-like of int, optional
        Community / segment of each node.
    name : str, optional
        Shown in ``repr`` and summaries.
    info : dict, optional
        How the network was built (generator, params, seed, drop counts).
    check : bool, default True
        Verify the full invariants (sorted, symmetric, no loops or repeats); the
        cheap shape and range checks always run.

    Examples
    --------
    >>> net = Network([0, 1, 3, 4], [1, 0, 2, 1])     # the path 0 - 1 - 2
    >>> net.n, net.n_edges, net.neighbors(1).tolist()
    (3, 2, [0, 2])
    """

    def __init__(self, indptr: Any, indices: Any, *, labels: Any = None, block: Any = None,
                 name: str | None = None, info: dict[str, Any] | None = None,
                 check: bool = True) -> None:
        indptr_a = _owned(indptr, np.int64)
        if indptr_a.ndim != 1 or indptr_a.size < 2:
            raise NetworkError("indptr must be 1-D with n + 1 >= 2 entries (a network "
                               f"needs at least one node), got shape {indptr_a.shape}")
        n = indptr_a.size - 1
        indices_a = _owned(indices)
        if indices_a.ndim != 1 or (indices_a.size and indices_a.dtype.kind not in "iu"):
            raise NetworkError("indices must be a 1-D integer array, got "
                               f"{indices_a.dtype} of shape {indices_a.shape}")
        indices_a = indices_a.astype(_index_dtype(n), copy=False)
        if indptr_a[0] != 0 or indptr_a[-1] != indices_a.size:
            raise NetworkError(f"indptr must start at 0 and end at len(indices) = "
                               f"{indices_a.size}, got {indptr_a[0]} .. {indptr_a[-1]}")
        if np.any(np.diff(indptr_a) < 0):
            raise NetworkError("indptr must be non-decreasing")
        if indices_a.size and (indices_a.min() < 0 or indices_a.max() >= n):
            raise NetworkError(f"indices must lie in 0..{n - 1}, got "
                               f"{indices_a.min()}..{indices_a.max()}")
        self._set(indptr_a, indices_a, labels, block, name, info, check_labels=True)
        if check:
            self.validate()

    # -- internal construction ------------------------------------------------------
    def _set(self, indptr: np.ndarray, indices: np.ndarray, labels: Any, block: Any,
             name: str | None, info: dict[str, Any] | None, check_labels: bool) -> None:
        n = indptr.size - 1
        self._indptr = _frozen(indptr)
        self._indices = _frozen(indices)
        self._labels: np.ndarray | None = None
        if labels is not None:
            lab = labels if isinstance(labels, np.ndarray) else _label_array(labels)
            lab = _owned(lab)
            if lab.ndim != 1 or lab.size != n:
                raise NetworkError(f"labels must have one entry per node ({n}), "
                                   f"got shape {lab.shape}")
            if check_labels and not pd.Index(lab).is_unique:
                dup = pd.Index(lab)[pd.Index(lab).duplicated()][0]
                raise NetworkError(f"labels must be unique; {dup!r} appears more than once")
            self._labels = _frozen(lab)
        self._block: np.ndarray | None = None
        if block is not None:
            self._block = _frozen(self._check_block(block, n))
        self.name = name
        self._info: dict[str, Any] = {"generator": "custom", "params": {},
                                      "self_loops_dropped": 0, "duplicates_dropped": 0}
        self._info.update(info or {})
        self._fingerprint: str | None = None
        self._label_index: pd.Index | None = None

    @staticmethod
    def _check_block(block: Any, n: int) -> np.ndarray:
        b = _owned(block)
        if b.ndim != 1 or b.size != n:
            raise NetworkError(f"block must have one entry per node ({n}), got shape {b.shape}")
        if b.size and b.dtype.kind not in "iu":
            raise NetworkError(f"block must hold integer community numbers, got {b.dtype}")
        if b.size and b.min() < 0:
            raise NetworkError(f"block numbers must be >= 0, got {b.min()}")
        return b.astype(np.int32 if (b.size == 0 or b.max() < 2**31) else np.int64,
                        copy=False)

    @classmethod
    def _from_pairs(cls, u: np.ndarray, v: np.ndarray, n: int, *, labels: Any = None,
                    block: Any = None, name: str | None = None,
                    info: dict[str, Any] | None = None, check_labels: bool = False
                    ) -> Network:
        """Build from already validated ids (generators, parsers): no checks repeated."""
        indptr, indices, loops, dups = _csr_from_pairs(u, v, n)
        net = cls.__new__(cls)
        record = dict(info or {})
        record["self_loops_dropped"] = record.get("self_loops_dropped", 0) + loops
        record["duplicates_dropped"] = record.get("duplicates_dropped", 0) + dups
        net._set(indptr, indices, labels, block, name, record, check_labels=check_labels)
        return net

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_label_index"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        # Unpickled arrays come back writable; a Network's never are.
        self.__dict__.update(state)
        for key in ("_indptr", "_indices", "_labels", "_block"):
            if isinstance(self.__dict__.get(key), np.ndarray):
                self.__dict__[key].flags.writeable = False

    # -- core constructor -----------------------------------------------------------
    @classmethod
    def from_edges(cls, u: Any, v: Any = None, n: int | None = None, labels: Any = None,
                   *, block: Any = None, name: str | None = None) -> Network:
        """Build a network from edge end points.

        Self-loops and repeated edges (in either direction) are dropped and counted
        in ``info["self_loops_dropped"]`` / ``info["duplicates_dropped"]``. Nodes
        without edges are kept (people with no friends).

        Parameters
        ----------
        u, v : array-like of int
            End points of each edge, ids in ``0..n-1``. If ``v`` is omitted, ``u``
            must be an ``(E, 2)`` array of pairs.
        n : int, optional
            Number of nodes; default ``len(labels)`` or the largest id + 1.
        labels : array-like, optional
            Original label of each node (unique).
        block, name
            See :class:`Network`.

        Raises
        ------
        NetworkError
            No nodes; an id that is negative, >= n, NaN or not an integer (the
            message names the value and its position).

        Examples
        --------
        >>> net = Network.from_edges([0, 1, 1, 2], [1, 0, 2, 2])
        >>> net.n_edges, net.info["duplicates_dropped"], net.info["self_loops_dropped"]
        (2, 1, 1)
        >>> Network.from_edges([(0, 1), (1, 2)], n=4).degrees().tolist()
        [1, 2, 1, 0]
        """
        if v is None:
            pairs = np.asarray(u)
            if pairs.ndim != 2 or pairs.shape[1] != 2:
                if pairs.size == 0:
                    pairs = pairs.reshape(0, 2)
                else:
                    raise NetworkError("from_edges(u) without v needs an (E, 2) array of "
                                       f"pairs, got shape {pairs.shape}")
            u, v = pairs[:, 0], pairs[:, 1]
            names = ("edge[:, 0]", "edge[:, 1]")
        else:
            names = ("u", "v")
        ua, va = _ids(u, names[0]), _ids(v, names[1])
        if ua.size != va.size:
            raise NetworkError(f"u and v must have the same length, got {ua.size} and {va.size}")
        if labels is not None:
            labels = labels if isinstance(labels, np.ndarray) else _label_array(labels)
            if n is None:
                n = len(labels)
        if n is None:
            n = int(max(ua.max(), va.max())) + 1 if ua.size else 0
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
            raise NetworkError(f"a network needs at least one node: n must be an integer "
                               f">= 1, got {n!r}")
        n = int(n)
        for name_, a in zip(names, (ua, va), strict=True):
            big = a >= n
            if big.any():
                i = int(np.argmax(big))
                raise NetworkError(f"node id {name_}[{i}] = {a[i]} is out of range: "
                                   f"ids must be 0..{n - 1} (n = {n})")
        info = {"generator": "from_edges", "params": {"n": n, "edges_given": int(ua.size)}}
        return cls._from_pairs(ua, va, n, labels=labels, block=block, name=name, info=info,
                               check_labels=True)

    # -- generators -----------------------------------------------------------------
    @classmethod
    def scale_free(cls, n: int, m: int = 5, seed: gen.SeedLike = None) -> Network:
        """Scale-free network by preferential attachment (Barabási–Albert).

        Node ``m`` links to the seed nodes ``0..m-1``; each later node links to
        ``m`` earlier nodes chosen with probability proportional to their degree.
        Vectorised (Batagelj–Brandes edge array, pointer jumping): about 0.5-0.8 s
        for a million nodes with ``m=5``. A node occasionally picks the same
        target twice; the repeat is dropped (``info["duplicates_dropped"]``), so
        the mean degree is ``2m(n-m)/n`` less a few hundredths of a percent.

        Parameters
        ----------
        n : int
            Number of nodes, >= 2.
        m : int, default 5
            Edges each new node brings, ``1 <= m < n``.
        seed : int, numpy.random.SeedSequence or None
            Same seed, same graph (bit for bit). ``None`` uses fresh entropy and
            records it in ``info["seed"]``.

        Examples
        --------
        >>> net = Network.scale_free(1000, m=3, seed=1)
        >>> net.n, round(net.mean_degree)
        (1000, 6)
        >>> net == Network.scale_free(1000, m=3, seed=1)
        True
        """
        n = gen.check_int("n", n, 2)
        m = gen.check_int("m", m, 1, n - 1, hint=" (edges per new node, below n)")
        rng, record = gen.seed_sequence(seed)
        u, v = gen.scale_free_edges(n, m, rng)
        return cls._from_pairs(u, v, n, name="scale_free",
                               info={"generator": "scale_free",
                                     "params": {"n": n, "m": m}, **record})

    @classmethod
    def small_world(cls, n: int, k: int = 10, p: float = 0.1,
                    seed: gen.SeedLike = None) -> Network:
        """Small-world network (Watts–Strogatz): a rewired ring lattice.

        Each node links to its ``k/2`` nearest neighbours on each side of a ring;
        each edge then keeps one end and, with probability ``p``, moves the other
        to a uniformly random node (never creating a loop or a repeat), so the
        network has exactly ``n*k/2`` edges.

        Parameters
        ----------
        n : int
            Number of nodes, >= 3.
        k : int, default 10
            Ring neighbours per node, even, ``2 <= k < n``.
        p : float, default 0.1
            Rewiring probability in ``[0, 1]``.
        seed : int, numpy.random.SeedSequence or None
            As for :meth:`scale_free`.

        Examples
        --------
        >>> net = Network.small_world(100, k=4, p=0.2, seed=3)
        >>> net.n_edges
        200
        """
        n = gen.check_int("n", n, 3)
        k = gen.check_int("k", k, 2, n - 1, hint=" (ring neighbours, even, below n)")
        if k % 2:
            raise NetworkError(f"k must be even (k/2 neighbours on each side), got {k}")
        p = gen.check_real("p", p, 0.0, 1.0)
        rng, record = gen.seed_sequence(seed)
        u, v = gen.small_world_edges(n, k, p, rng)
        return cls._from_pairs(u, v, n, name="small_world",
                               info={"generator": "small_world",
                                     "params": {"n": n, "k": k, "p": p}, **record})

    @classmethod
    def random(cls, n: int, mean_degree: float = 10, seed: gen.SeedLike = None) -> Network:
        """Erdős–Rényi random network G(n, p) with ``p = mean_degree / (n - 1)``.

        Every pair is linked independently, so degrees are Binomial(n-1, p)
        (Poisson for large sparse graphs), as percolation theory assumes. The
        edge count is drawn from its binomial law and that many distinct pairs
        are drawn (repeats are redrawn, not dropped), so the expected mean degree
        is exactly ``mean_degree``.

        Parameters
        ----------
        n : int
            Number of nodes, >= 1.
        mean_degree : float, default 10
            Expected degree, ``0 <= mean_degree <= n - 1``.
        seed : int, numpy.random.SeedSequence or None
            As for :meth:`scale_free`.

        Examples
        --------
        >>> net = Network.random(2000, mean_degree=4, seed=2)
        >>> abs(net.mean_degree - 4) < 0.3
        True
        """
        n = gen.check_int("n", n, 1)
        mean_degree = gen.check_real("mean_degree", mean_degree, 0.0, float(n - 1),
                                     hint=" (n - 1 links everybody)")
        p = mean_degree / (n - 1) if n > 1 else 0.0
        rng, record = gen.seed_sequence(seed)
        u, v = gen.gnp_edges(n, min(p, 1.0), rng)
        return cls._from_pairs(u, v, n, name="random",
                               info={"generator": "random",
                                     "params": {"n": n, "mean_degree": mean_degree}, **record})

    @classmethod
    def communities(cls, sizes: Sequence[int], mean_degree_in: float = 8,
                    mean_degree_out: float = 2, seed: gen.SeedLike = None) -> Network:
        """Network of communities (stochastic block model); sets :attr:`block`.

        Nodes are numbered community by community. A pair inside community ``b``
        is linked with probability ``mean_degree_in / (sizes[b] - 1)`` and a pair
        across communities with one probability chosen so that the average
        number of links outside one's community is ``mean_degree_out`` (exactly
        that for everybody when the communities have equal sizes).

        Parameters
        ----------
        sizes : sequence of int
            People in each community (each >= 1, at least one community).
        mean_degree_in : float, default 8
            Expected links inside one's community; at most ``size - 1`` of the
            smallest community.
        mean_degree_out : float, default 2
            Expected links to other communities.
        seed : int, numpy.random.SeedSequence or None
            As for :meth:`scale_free`.

        Examples
        --------
        >>> net = Network.communities([300, 200], mean_degree_in=6, mean_degree_out=1, seed=4)
        >>> np.bincount(net.block).tolist()
        [300, 200]
        """
        raw = np.asarray(sizes)
        if raw.ndim != 1 or raw.size == 0:
            raise NetworkError(f"sizes must be a non-empty list of community sizes, "
                               f"got {sizes!r}")
        sizes_l = [gen.check_int(f"sizes[{i}]", s, 1) for i, s in enumerate(raw.tolist())]
        sizes_a = np.array(sizes_l, dtype=np.int64)
        n = int(sizes_a.sum())
        smallest = int(sizes_a.min())
        mean_in = gen.check_real("mean_degree_in", mean_degree_in, 0.0, float(smallest - 1),
                                 hint=f" (the smallest community has {smallest} people)")
        cross = n * n - int((sizes_a**2).sum())  # ordered pairs across communities
        max_out = cross / n  # everybody linked to everybody outside
        mean_out = gen.check_real("mean_degree_out", mean_degree_out, 0.0, max_out,
                                  hint=" (everybody linked across communities)")
        with np.errstate(divide="ignore", invalid="ignore"):
            p_in = np.where(sizes_a > 1, mean_in / np.maximum(sizes_a - 1, 1), 0.0)
        p_out = mean_out * n / cross if cross else 0.0
        rng, record = gen.seed_sequence(seed)
        u, v, block = gen.sbm_edges(sizes_l, np.minimum(p_in, 1.0), min(p_out, 1.0), rng)
        return cls._from_pairs(u, v, n, block=block, name="communities",
                               info={"generator": "communities",
                                     "params": {"sizes": sizes_l, "mean_degree_in": mean_in,
                                                "mean_degree_out": mean_out}, **record})

    @classmethod
    def complete(cls, n: int) -> Network:
        """Complete network: everybody knows everybody (for small tests).

        Parameters
        ----------
        n : int
            Number of nodes, ``1 <= n <= 10000``.

        Examples
        --------
        >>> Network.complete(5).degrees().tolist()
        [4, 4, 4, 4, 4]
        """
        n = gen.check_int("n", n, 1, gen.COMPLETE_MAX_N)
        u, v = gen.complete_edges(n)
        return cls._from_pairs(u, v, n, name="complete",
                               info={"generator": "complete", "params": {"n": n},
                                     "seed": None})

    # -- networkx -------------------------------------------------------------------
    @classmethod
    def from_networkx(cls, G: nx.Graph, name: str | None = None) -> Network:
        """Build from a networkx graph with any hashable node labels.

        Nodes that are exactly the integers ``0..n-1`` keep their numbers;
        otherwise nodes are numbered in ``G.nodes`` order and the original
        labels are kept in :attr:`labels`. If every node carries a ``label``
        (resp. ``block``) attribute - as :meth:`to_networkx` writes - those
        become the labels (resp. blocks), so round trips are exact. Direction is
        ignored, and self-loops and parallel or reciprocal edges are dropped and
        counted.

        Examples
        --------
        >>> import networkx as nx
        >>> net = Network.from_networkx(nx.Graph([("ann", "bob"), ("bob", "cy")]))
        >>> net.labels.tolist(), net.label_to_id("cy")
        (['ann', 'bob', 'cy'], 2)
        """
        nodes = list(G.nodes())
        n = len(nodes)
        if n == 0:
            raise NetworkError("the networkx graph has no nodes; a network needs at least one")
        edges = list(G.edges())
        identity = all(isinstance(x, numbers.Integral) and not isinstance(x, bool)
                       for x in nodes) and min(nodes) == 0 and max(nodes) == n - 1
        if identity:
            pairs = np.array(edges, dtype=np.int64).reshape(-1, 2)
            attrs = dict(G.nodes(data=True))
            order = range(n)
        else:
            index = {node: i for i, node in enumerate(nodes)}
            pairs = np.array([(index[a], index[b]) for a, b in edges],
                             dtype=np.int64).reshape(-1, 2)
            attrs = dict(G.nodes(data=True))
            order = nodes  # type: ignore[assignment]
        data = [attrs[x] for x in order]
        labels: Any = None if identity else _label_array(nodes)
        if identity and data and all("label" in d for d in data):
            labels = _label_array([d["label"] for d in data])
        block = None
        if data and all("block" in d for d in data):
            block = np.array([d["block"] for d in data])
        info = {"generator": "from_networkx",
                "params": {"n": n, "edges_given": len(edges), "directed": G.is_directed(),
                           "multigraph": G.is_multigraph()}}
        graph_name = G.graph.get("name") or None
        return cls._from_pairs(pairs[:, 0], pairs[:, 1], n, labels=labels, block=block,
                               name=name if name is not None else graph_name, info=info,
                               check_labels=True)

    def to_networkx(self, use_labels: bool = False) -> nx.Graph:
        """Return a ``networkx.Graph`` with the same edges.

        Parameters
        ----------
        use_labels : bool, default False
            False: nodes are ``0..n-1`` with a ``label`` attribute (when labels
            exist). True: nodes are the labels themselves.

        Nodes get a ``block`` attribute when blocks exist; the graph's name is the
        network's name.

        Examples
        --------
        >>> G = Network.complete(4).to_networkx()
        >>> G.number_of_nodes(), G.number_of_edges()
        (4, 6)
        """
        import networkx as nx

        G = nx.Graph()
        if self.name:
            G.graph["name"] = self.name
        ids = list(range(self.n))
        labels = self._labels.tolist() if self._labels is not None else None
        nodes = labels if (use_labels and labels is not None) else ids
        attrs: list[dict[str, Any]] = [{} for _ in ids]
        if labels is not None and not use_labels:
            for d, lab in zip(attrs, labels, strict=True):
                d["label"] = lab
        if self._block is not None:
            for d, b in zip(attrs, self._block.tolist(), strict=True):
                d["block"] = b
        G.add_nodes_from(zip(nodes, attrs, strict=True))
        u, v = self.edges()
        if nodes is ids:
            G.add_edges_from(zip(u.tolist(), v.tolist(), strict=True))
        else:
            G.add_edges_from((nodes[a], nodes[b]) for a, b in zip(u.tolist(), v.tolist(),
                                                                   strict=True))
        return G

    # -- edge-list files ------------------------------------------------------------
    @classmethod
    def from_edgelist(cls, source: str | os.PathLike[str] | pd.DataFrame,
                      sep: str | None = None, comment: str | None = "#",
                      name: str | None = None) -> Network:
        """Read an edge list: a text file (one ``source target`` pair a line) or a DataFrame.

        File format: fields separated by commas, semicolons, tabs or runs of
        whitespace (detected from the first data line unless ``sep`` is given);
        blank lines and ``comment`` lines skipped (text after ``comment`` on a
        line is ignored too); an optional header line (``source,target``,
        ``from to``, ``u v``, ... or any non-numeric first line above numeric
        data) is skipped; ``"quoted fields"`` may contain separators. A third
        column is accepted as a numeric weight and ignored, if every line has
        it. ``.gz``, ``.bz2`` and ``.xz`` files are decompressed.

        Node ids: integer ids that are exactly ``0..n-1`` are used as they are;
        anything else (names, or integers with gaps such as 1-based or sparse
        ids) is numbered in order of first appearance and kept in :attr:`labels`.
        Self-loops and repeated edges are dropped and counted.

        Parameters
        ----------
        source : str, path or pandas.DataFrame
            File path, or a DataFrame whose columns ``source`` and ``target`` (any
            case) or else first two columns hold the end points.
        sep : str, optional
            Force a separator (``","``, ``";"``, ``"\\t"``; ``" "`` means any
            whitespace).
        comment : str or None, default "#"
            One-character comment marker; None disables comments.
        name : str, optional
            Network name; default the file name without extension.

        Raises
        ------
        EdgeListNotFoundError
            The file does not exist (also a ``FileNotFoundError``).
        EdgeListError
            A line with one field, more fields than the first data line, an empty
            field or a non-numeric weight (the message names the file, the line
            number and shows the line); or no edges at all.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"source": ["ann", "bob"], "target": ["bob", "cy"]})
        >>> net = Network.from_edgelist(df)
        >>> net.n_edges, net.id_to_label(0)
        (2, 'ann')
        """
        if isinstance(source, pd.DataFrame):
            return cls._from_frame(source, name)
        path = Path(os.fspath(source))
        if not path.exists():
            raise EdgeListNotFoundError(f"edge-list file not found: '{path}'")
        if path.is_dir():
            raise EdgeListError(f"'{path}' is a directory, not an edge-list file")
        if comment is not None and (not isinstance(comment, str) or len(comment) != 1):
            raise EdgeListError(f"comment must be a single character or None, got {comment!r}")
        layout = _sniff(path, sep, comment)
        frame = _read_frame(path, layout, comment)
        a, b = frame.iloc[:, 0], frame.iloc[:, 1]
        if layout.delimiter != " " and not pd.api.types.is_numeric_dtype(a.dtype):
            a = a.astype(str).str.strip()  # "a , b # note" leaves spaces before the comment
        if layout.delimiter != " " and not pd.api.types.is_numeric_dtype(b.dtype):
            b = b.astype(str).str.strip()
        u, v, labels, n = _encode(a, b)
        info = {"generator": "from_edgelist",
                "params": {"source": str(path), "edges_given": int(u.size)}}
        stem = path.name.split(".")[0]
        return cls._from_pairs(u, v, n, labels=labels, info=info,
                               name=name if name is not None else stem)

    @classmethod
    def _from_frame(cls, df: pd.DataFrame, name: str | None) -> Network:
        cols = {str(c).lower(): c for c in df.columns}
        if "source" in cols and "target" in cols:
            a, b = df[cols["source"]], df[cols["target"]]
        elif df.shape[1] >= 2:
            a, b = df.iloc[:, 0], df.iloc[:, 1]
        else:
            raise EdgeListError("an edge-list DataFrame needs columns 'source' and 'target' "
                                f"(or two columns), got {list(df.columns)}")
        if len(df) == 0:
            raise EdgeListError("the edge-list DataFrame has no rows (no edges)")
        for col in (a, b):
            missing = col.isna().to_numpy()
            if missing.any():
                i = int(np.argmax(missing))
                raise EdgeListError(f"edge-list DataFrame row {i} (index {df.index[i]!r}): "
                                    f"missing value in column {col.name!r}")
        u, v, labels, n = _encode(a, b)
        info = {"generator": "from_edgelist",
                "params": {"source": "DataFrame", "edges_given": int(u.size)}}
        return cls._from_pairs(u, v, n, labels=labels, info=info, name=name)

    def to_edgelist(self, path: str | os.PathLike[str], overwrite: bool = False,
                    sep: str = ",") -> Path:
        """Write the edges to a text file that :meth:`from_edgelist` reads back.

        One ``source,target`` line per edge (labels if the network has them),
        after a ``#`` comment line with the counts and a header line. The file is
        written to a temporary file beside the target and moved into place, so a
        reader never sees half a file. Isolated nodes cannot appear in an edge
        list; the comment line says how many were left out.

        Parameters
        ----------
        path : str or path
            Destination file.
        overwrite : bool, default False
            Replace an existing file; otherwise refuse with ``FileExistsError``.
        sep : str, default ","
            Field separator (``","``, ``";"`` or ``"\\t"``).

        Returns
        -------
        pathlib.Path
            The path written.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "k4.csv"
        >>> net = Network.complete(4)
        >>> Network.from_edgelist(net.to_edgelist(f)) == net
        True
        """
        path = Path(os.fspath(path))
        if sep not in (",", ";", "\t"):
            raise NetworkError(f"sep must be ',', ';' or '\\t', got {sep!r}")
        if path.is_dir():
            raise IsADirectoryError(f"'{path}' is a directory")
        if path.exists() and not overwrite:
            raise FileExistsError(f"'{path}' already exists; pass overwrite=True to replace it")
        if not path.parent.is_dir():
            raise FileNotFoundError(f"directory '{path.parent}' does not exist")
        u, v = self.edges()
        if self._labels is not None:
            if self._labels.dtype.kind in "OUS":
                text = pd.Series(self._labels).astype(str)
                bad = text.str.contains(r"[#\r\n]", regex=True).to_numpy()
                if bad.any():
                    raise NetworkError(f"label {self._labels[int(np.argmax(bad))]!r} contains "
                                       "'#' or a line break and could not be read back")
            cols = {"source": self._labels[u], "target": self._labels[v]}
        else:
            cols = {"source": u, "target": v}
        isolated = int(np.count_nonzero(self.degrees() == 0))
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(f"# womsim edge list: {self.n} nodes, {self.n_edges} edges, "
                         f"{isolated} isolated nodes not listed\n")
                pd.DataFrame(cols).to_csv(fh, sep=sep, index=False, lineterminator="\n")
            os.chmod(tmp, 0o644)  # mkstemp makes 0600 files
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    # -- queries --------------------------------------------------------------------
    @property
    def indptr(self) -> np.ndarray:
        """Row pointers (int64, length n + 1, read-only)."""
        return self._indptr

    @property
    def indices(self) -> np.ndarray:
        """Concatenated sorted neighbour lists (int32 when n < 2**31, read-only)."""
        return self._indices

    @property
    def labels(self) -> np.ndarray | None:
        """Original node labels (read-only), or None when nodes are just ``0..n-1``."""
        return self._labels

    @property
    def block(self) -> np.ndarray | None:
        """Community / segment number of each node (read-only), or None."""
        return self._block

    @property
    def info(self) -> dict[str, Any]:
        """How the network was built: generator, params, seed, self_loops_dropped,
        duplicates_dropped (a copy; editing it changes nothing)."""
        return copy.deepcopy(self._info)

    @property
    def n(self) -> int:
        """Number of nodes."""
        return self._indptr.size - 1

    def __len__(self) -> int:
        return self.n

    @property
    def n_edges(self) -> int:
        """Number of (undirected) edges."""
        return self._indices.size // 2

    @property
    def mean_degree(self) -> float:
        """Average number of neighbours, ``2 * n_edges / n``."""
        return self._indices.size / self.n

    @property
    def nbytes(self) -> int:
        """Bytes held by the arrays (labels of Python objects count their pointers only)."""
        return sum(a.nbytes for a in (self._indptr, self._indices, self._labels, self._block)
                   if a is not None)

    def degrees(self) -> np.ndarray:
        """Degree of every node (a new int64 array).

        Examples
        --------
        >>> Network.from_edges([0, 0], [1, 2]).degrees().tolist()
        [2, 1, 1]
        """
        return np.diff(self._indptr)

    def neighbors(self, i: int) -> np.ndarray:
        """Sorted neighbours of node ``i`` (a read-only view, no copy).

        Examples
        --------
        >>> Network.complete(4).neighbors(2).tolist()
        [0, 1, 3]
        """
        if isinstance(i, bool) or not isinstance(i, numbers.Integral) or not 0 <= i < self.n:
            raise NetworkError(f"node {i!r} is not in 0..{self.n - 1}")
        return self._indices[self._indptr[i]:self._indptr[i + 1]]

    def edges(self) -> tuple[np.ndarray, np.ndarray]:
        """Each edge once, as arrays ``(u, v)`` with ``u < v``, sorted.

        Examples
        --------
        >>> u, v = Network.complete(3).edges()
        >>> list(zip(u.tolist(), v.tolist()))
        [(0, 1), (0, 2), (1, 2)]
        """
        rows = np.repeat(np.arange(self.n, dtype=self._indices.dtype), self.degrees())
        upper = self._indices > rows
        return rows[upper], self._indices[upper]

    def has_edge(self, u: Any, v: Any) -> Any:
        """Whether ``u`` and ``v`` are linked; vectorised over arrays of pairs.

        A binary search in each sorted neighbour list, all pairs at once.

        Examples
        --------
        >>> net = Network.from_edges([0, 1], [1, 2])
        >>> net.has_edge(0, 1), net.has_edge([0, 2], [2, 1]).tolist()
        (True, [False, True])
        """
        ua, va = np.broadcast_arrays(np.asarray(u), np.asarray(v))
        scalar = ua.ndim == 0
        ua, va = np.atleast_1d(ua).astype(np.int64), np.atleast_1d(va).astype(np.int64)
        for name_, a in (("u", ua), ("v", va)):
            if a.size and (a.min() < 0 or a.max() >= self.n):
                bad = a[(a < 0) | (a >= self.n)][0]
                raise NetworkError(f"node {name_} = {bad} is not in 0..{self.n - 1}")
        lo = self._indptr[ua]
        hi = self._indptr[ua + 1]
        end = hi.copy()
        last = max(self._indices.size - 1, 0)
        while True:
            active = lo < hi
            if not active.any():
                break
            mid = (lo + hi) >> 1
            right = active & (self._indices[np.minimum(mid, last)] < va)
            lo = np.where(right, mid + 1, lo)
            hi = np.where(active & ~right, mid, hi)
        found = (lo < end) & (self._indices[np.minimum(lo, last)] == va) if self._indices.size \
            else np.zeros(ua.size, dtype=bool)
        return bool(found[0]) if scalar else found

    def label_to_id(self, labels: Any) -> Any:
        """Node ids of the given labels (scalar in, int out; array-like in, array out).

        Without labels, nodes are their own labels ``0..n-1``.

        Examples
        --------
        >>> net = Network.from_edges([0], [1], labels=["ann", "bob"])
        >>> net.label_to_id("bob"), net.label_to_id(["bob", "ann"]).tolist()
        (1, [1, 0])
        """
        scalar = np.ndim(labels) == 0 and not isinstance(labels, (list, tuple))
        values = [labels] if scalar else list(labels)
        if self._labels is None:
            ids = _ids(values, "labels") if values else np.empty(0, np.int64)
            bad = ids >= self.n
            if bad.any():
                raise NetworkError(f"node {ids[bad][0]} is not in 0..{self.n - 1}")
        else:
            if self._label_index is None:
                self._label_index = pd.Index(self._labels)
            probe = _label_array(values)
            ids = self._label_index.get_indexer(probe)
            if (ids < 0).any():
                missing = [x for x, i in zip(values, ids, strict=True) if i < 0]
                raise NetworkError(f"unknown node label(s): {missing[:5]!r}"
                                   + (f" and {len(missing) - 5} more" if len(missing) > 5 else ""))
            ids = ids.astype(np.int64)
        return int(ids[0]) if scalar else ids

    def id_to_label(self, ids: Any) -> Any:
        """Labels of the given node ids (the ids themselves when there are no labels).

        Examples
        --------
        >>> net = Network.from_edges([0], [1], labels=["ann", "bob"])
        >>> net.id_to_label(1), net.id_to_label([1, 0]).tolist()
        ('bob', ['bob', 'ann'])
        """
        scalar = np.ndim(ids) == 0
        a = np.atleast_1d(_ids(np.atleast_1d(ids), "ids"))
        if a.size and a.max() >= self.n:
            raise NetworkError(f"node {a.max()} is not in 0..{self.n - 1}")
        out = a if self._labels is None else self._labels[a]
        return out[0].item() if scalar and hasattr(out[0], "item") else (
            out[0] if scalar else out)

    def with_block(self, block: Any) -> Network:
        """A network sharing these arrays with a new :attr:`block` (segments).

        Examples
        --------
        >>> net = Network.complete(3).with_block([0, 0, 1])
        >>> net.block.tolist()
        [0, 0, 1]
        """
        out = copy.copy(self)
        out._block = _frozen(self._check_block(block, self.n))
        out._info = copy.deepcopy(self._info)
        return out

    def components(self, return_membership: bool = False) -> Any:
        """Sizes of the connected components, largest first.

        Parameters
        ----------
        return_membership : bool, default False
            Also return each node's component number (0 = largest).

        Examples
        --------
        >>> Network.from_edges([0, 2], [1, 3], n=5).components().tolist()
        [2, 2, 1]
        """
        from scipy.sparse.csgraph import connected_components

        _, member = connected_components(self.to_scipy(np.int8), directed=False)
        sizes = np.bincount(member)
        order = np.argsort(-sizes, kind="stable")
        if not return_membership:
            return sizes[order]
        rank = np.empty_like(order)
        rank[order] = np.arange(order.size)
        return sizes[order], rank[member]

    def to_scipy(self, dtype: Any = np.float64) -> scipy.sparse.csr_matrix:
        """Adjacency matrix as ``scipy.sparse.csr_matrix`` (ones; shares ``indices``).

        Examples
        --------
        >>> Network.complete(3).to_scipy().toarray().tolist()
        [[0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 0.0]]
        """
        import scipy.sparse

        data = np.ones(self._indices.size, dtype=dtype)
        mat = scipy.sparse.csr_matrix((data, self._indices, self._indptr),
                                      shape=(self.n, self.n))
        mat.has_sorted_indices = True
        return mat

    def clustering(self, samples: int = 20_000, seed: int = 0) -> float:
        """Global clustering coefficient (transitivity): the share of closed wedges.

        Estimated from ``samples`` random wedges (standard error at most
        ``0.5 / sqrt(samples)``), exact when the network has fewer wedges than
        that. NaN when no node has two neighbours.

        Examples
        --------
        >>> Network.complete(5).clustering()
        1.0
        """
        deg = self.degrees().astype(np.float64)
        wedges = deg * (deg - 1) / 2
        total = wedges.sum()
        if total == 0:
            return float("nan")
        rng = np.random.default_rng(seed)
        if total <= samples:
            # Few wedges: enumerate them all, one degree class at a time.
            a_parts, b_parts = [], []
            deg_i = deg.astype(np.int64)
            for k in np.unique(deg_i[deg_i >= 2]).tolist():
                start = self._indptr[:-1][deg_i == k][:, None]
                a, b = np.triu_indices(k, 1)
                a_parts.append((start + a).ravel())
                b_parts.append((start + b).ravel())
            a_idx, b_idx = np.concatenate(a_parts), np.concatenate(b_parts)
        else:
            cum = np.cumsum(wedges)
            centre = np.searchsorted(cum, rng.random(samples) * total, side="right")
            centre = np.minimum(centre, self.n - 1)
            d = deg[centre].astype(np.int64)
            i = (rng.random(samples) * d).astype(np.int64)
            j = (rng.random(samples) * (d - 1)).astype(np.int64)
            j += j >= i
            a_idx, b_idx = self._indptr[centre] + i, self._indptr[centre] + j
        closed = self.has_edge(self._indices[a_idx], self._indices[b_idx])
        return float(np.mean(closed))

    def summary(self) -> pd.Series:
        """Key numbers: nodes, edges, degrees, isolated nodes, components, drops, clustering.

        Examples
        --------
        >>> s = Network.from_edges([0, 1], [1, 1], n=3).summary()
        >>> int(s["isolated_nodes"]), int(s["self_loops_dropped"])
        (1, 1)
        """
        deg = self.degrees()
        sizes = self.components()
        data = {
            "nodes": self.n,
            "edges": self.n_edges,
            "mean_degree": self.mean_degree,
            "max_degree": int(deg.max()),
            "isolated_nodes": int(np.count_nonzero(deg == 0)),
            "components": int(sizes.size),
            "largest_component_share": float(sizes[0] / self.n),
            "clustering": self.clustering(),
            "self_loops_dropped": int(self._info.get("self_loops_dropped", 0)),
            "duplicates_dropped": int(self._info.get("duplicates_dropped", 0)),
            "generator": self._info.get("generator"),
        }
        return pd.Series(data, name=self.name or "network", dtype=object)

    def fingerprint(self) -> str:
        """Short stable hash (16 hex digits of SHA-256) of ``n``, ``indptr`` and ``indices``.

        The same graph gives the same fingerprint on any machine and numpy
        version, whatever the index dtype; labels, blocks and name do not enter.

        Examples
        --------
        >>> Network.complete(3).fingerprint() == Network.complete(3).fingerprint()
        True
        """
        if self._fingerprint is None:
            h = hashlib.sha256(b"womsim.Network.v1")
            h.update(int(self.n).to_bytes(8, "little"))
            for arr in (self._indptr, self._indices):
                h.update(int(arr.size).to_bytes(8, "little"))
                for start in range(0, arr.size, 1 << 20):  # bounded temporary memory
                    h.update(arr[start:start + (1 << 20)].astype("<i8").tobytes())
            self._fingerprint = h.hexdigest()[:16]
        return self._fingerprint

    def validate(self) -> Network:
        """Check every invariant (sorted rows, symmetric, no loops, no repeats); return self.

        Raises
        ------
        NetworkError
            Naming the first node that breaks an invariant.

        Examples
        --------
        >>> Network.complete(3).validate().n
        3
        """
        n, ind = self.n, self._indices.astype(np.int64)
        rows = np.repeat(np.arange(n, dtype=np.int64), self.degrees())
        loop = ind == rows
        if loop.any():
            raise NetworkError(f"node {rows[np.argmax(loop)]} has a self-loop")
        if ind.size > 1:
            step = np.diff(ind) <= 0
            step &= rows[1:] == rows[:-1]
            if step.any():
                raise NetworkError(f"neighbours of node {rows[1:][np.argmax(step)]} are not "
                                   "strictly increasing (unsorted or repeated)")
        if n <= _KEY_MAX_N:
            fwd = rows * n + ind  # sorted, since rows and neighbour lists are
            back = np.sort(ind * n + rows)
            if not np.array_equal(fwd, back):
                miss = np.flatnonzero(fwd != back)[0]
                raise NetworkError(f"not symmetric: edge {fwd[miss] // n} - {fwd[miss] % n} "
                                   "is stored in one direction only")
        return self

    # -- dunder ---------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Network):
            return NotImplemented
        if self is other:
            return True

        def same(a: np.ndarray | None, b: np.ndarray | None) -> bool:
            return (a is None and b is None) or (
                a is not None and b is not None and a.shape == b.shape
                and bool(np.all(a == b)))

        return (self.n == other.n and np.array_equal(self._indptr, other._indptr)
                and np.array_equal(self._indices, other._indices)
                and same(self._labels, other._labels) and same(self._block, other._block))

    def __hash__(self) -> int:
        return hash(self.fingerprint())

    def __repr__(self) -> str:
        extra = ""
        if self._block is not None:
            extra += f", blocks={int(self._block.max()) + 1 if self.n else 0}"
        if self._labels is not None:
            extra += ", labelled"
        name = f"{self.name!r}, " if self.name else ""
        return (f"Network({name}n={self.n:,}, edges={self.n_edges:,}, "
                f"mean_degree={self.mean_degree:.2f}{extra})")

    def _repr_html_(self) -> str:
        s = self.summary()
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(str(k).replace('_', ' '))}</th>"
            f"<td>{html.escape(_fmt(v))}</td></tr>" for k, v in s.items())
        title = html.escape(self.name or "network")
        return (f"<div><b>womsim.Network</b> <i>{title}</i> "
                f"<code>{self.fingerprint()}</code><table>{rows}</table></div>")


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, numbers.Integral):
        return f"{int(v):,}"
    return str(v)


# ------------------------------------------------------------- edge-list internals
_HEADER_WORDS = {"source", "src", "from", "u", "node1", "node_1", "id1", "i", "head",
                 "tail", "person1", "a", "start", "origin", "sender", "ego", "target"}


@dataclass
class _Layout:
    delimiter: str          # ",", ";", "\t" or " " (any whitespace)
    ncols: int              # 2, or 3 with a weight column
    header_index: int | None  # 0-based physical line of a header to skip
    n_lines_seen: int


def _open_text(path: Path) -> IO[str]:
    opener = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}.get(path.suffix.lower())
    if opener is not None:
        return opener(path, "rt", encoding="utf-8", errors="replace")  # type: ignore[no-any-return]
    return open(path, encoding="utf-8", errors="replace")


def _split(line: str, delimiter: str) -> list[str]:
    if delimiter == " ":
        line = line.replace("\t", " ").strip()
    row = next(csv.reader([line], delimiter=delimiter, skipinitialspace=True), [])
    return [f.strip() for f in row]


def _data_lines(path: Path, comment: str | None) -> Iterator[tuple[int, str]]:
    """(0-based physical line index, text without comment) of each non-blank line."""
    with _open_text(path) as fh:
        for i, raw in enumerate(fh):
            text = raw.split(comment, 1)[0] if comment else raw
            if text.strip():
                yield i, text.rstrip("\r\n")


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def _sniff(path: Path, sep: str | None, comment: str | None) -> _Layout:
    """Separator, column count and header line from the first data lines."""
    first: list[tuple[int, str]] = []
    for item in _data_lines(path, comment):
        first.append(item)
        if len(first) == 2:
            break
    if not first:
        raise EdgeListError(f"'{path}' has no edges (only blank or comment lines)")
    line0 = first[0][1]
    if sep is None:
        delimiter = next((d for d in (",", ";", "\t") if d in line0), " ")
    elif sep in (" ", r"\s+", "whitespace"):
        delimiter = " "
    elif sep in (",", ";", "\t"):
        delimiter = sep
    else:
        raise EdgeListError(f"sep must be ',', ';', '\\t', ' ' (any whitespace) or None "
                            f"(detect), got {sep!r}")
    fields = _split(line0, delimiter)
    header = None
    if len(fields) >= 2 and not any(_is_number(f) for f in fields[:2]):
        word = fields[0].lower()
        below = _split(first[1][1], delimiter) if len(first) > 1 else []
        numeric_below = len(below) >= 2 and all(_is_number(f) for f in below[:2])
        if word in _HEADER_WORDS or numeric_below:
            header = first[0][0]
    if header is not None:
        if len(first) < 2:
            raise EdgeListError(f"'{path}' has a header line but no edges")
        fields = _split(first[1][1], delimiter)
        lineno = first[1][0]
    else:
        lineno = first[0][0]
    ncols = len(fields)
    layout = _Layout(delimiter, ncols, header, lineno)
    if ncols not in (2, 3) or (ncols == 3 and not _is_number(fields[2])):
        _raise_bad_line(path, layout, lineno, fields, (lineno, _line_at(path, lineno)))
    return layout


def _line_at(path: Path, index: int) -> str:
    with _open_text(path) as fh:
        for i, raw in enumerate(fh):
            if i == index:
                return raw.rstrip("\r\n")
    return ""  # pragma: no cover


def _expected(ncols: int) -> str:
    return ("2 fields (source, target)" if ncols != 3
            else "3 fields (source, target, numeric weight), like the first data line")


def _raise_bad_line(path: Path, layout: _Layout, index: int, fields: list[str],
                    raw: tuple[int, str]) -> None:
    shown = raw[1] if len(raw[1]) <= 200 else raw[1][:200] + "..."
    if layout.ncols not in (2, 3):
        problem = f"expected 2 fields (source, target), found {len(fields)}"
    elif len(fields) != layout.ncols:
        problem = f"expected {_expected(layout.ncols)}, found {len(fields)}"
    elif any(f == "" for f in fields):
        problem = "empty field"
    else:
        problem = f"weight {fields[2]!r} is not a number"
    raise EdgeListError(f"{path}, line {index + 1}: {problem}: {shown!r}")


def _scan_for_bad_line(path: Path, layout: _Layout, comment: str | None) -> None:
    """Re-read line by line (slow path, only after a parse failure) and raise at the culprit."""
    for index, text in _data_lines(path, comment):
        if index == layout.header_index:
            continue
        fields = _split(text, layout.delimiter)
        bad = len(fields) != layout.ncols or any(f == "" for f in fields) or (
            layout.ncols == 3 and not _is_number(fields[2]))
        if bad:
            _raise_bad_line(path, layout, index, fields, (index, _line_at(path, index)))


def _read_frame(path: Path, layout: _Layout, comment: str | None) -> pd.DataFrame:
    """Fast path: pandas' C parser; any inconsistency sends us to the line scan."""
    try:
        frame = pd.read_csv(
            path, sep=r"\s+" if layout.delimiter == " " else layout.delimiter,
            header=None, comment=comment, skip_blank_lines=True, engine="c",
            skiprows=[layout.header_index] if layout.header_index is not None else None,
            skipinitialspace=True, keep_default_na=False, na_values=[""],
            encoding="utf-8", dtype=None)
    except (pd.errors.ParserError, ValueError, pd.errors.EmptyDataError) as exc:
        if isinstance(exc, UnicodeDecodeError):
            raise EdgeListError(f"'{path}' is not UTF-8 text: {exc}") from None
        _scan_for_bad_line(path, layout, comment)
        raise EdgeListError(f"'{path}' could not be read: {exc}") from None
    ok = frame.shape[1] == layout.ncols and not frame.isna().to_numpy().any()
    if ok and layout.ncols == 3:
        ok = pd.api.types.is_numeric_dtype(frame.iloc[:, 2].dtype)
    if not ok:
        _scan_for_bad_line(path, layout, comment)
        raise EdgeListError(f"'{path}': inconsistent lines (expected {_expected(layout.ncols)})")
    if len(frame) == 0:
        raise EdgeListError(f"'{path}' has no edges")
    return frame


def _encode(a: pd.Series, b: pd.Series) -> tuple[np.ndarray, np.ndarray, Any, int]:
    """Ids for two label columns: ``u, v, labels (or None), n``.

    Integer ids that are exactly 0..n-1 are kept as they are; anything else is
    numbered in order of first appearance (reading source, then target, line by line).
    """
    m = len(a)
    numeric = all(pd.api.types.is_numeric_dtype(c.dtype) and not pd.api.types.is_bool_dtype(
        c.dtype) for c in (a, b))
    if numeric:
        av, bv = a.to_numpy(), b.to_numpy()
        both = np.empty(2 * m, dtype=np.result_type(av.dtype, bv.dtype))
        both[0::2], both[1::2] = av, bv
        if both.dtype.kind == "f" and np.all(both == np.floor(both)):
            both = both.astype(np.int64)
        if both.dtype.kind in "iu" and both.size and both.min() >= 0:
            top = int(both.max())
            if top < both.size and np.all(np.bincount(both, minlength=top + 1) > 0):
                return both[0::2].astype(np.int64), both[1::2].astype(np.int64), None, top + 1
    else:
        both = np.empty(2 * m, dtype=object)
        both[0::2] = a.astype(str).to_numpy(dtype=object)
        both[1::2] = b.astype(str).to_numpy(dtype=object)
    codes, uniques = pd.factorize(both)
    labels = np.asarray(uniques)
    if labels.dtype.kind not in "iuf":
        labels = labels.astype(object)
    codes = codes.astype(np.int64)
    return codes[0::2], codes[1::2], labels, labels.size
