"""The social graph the engine spreads word of mouth on.

:class:`Network` is an undirected simple graph on nodes ``0..n-1`` in read-only CSR
arrays, so one network can back many runs and processes without copies. Edge
sources (generators, networkx, edge lists) live in :mod:`womsim.network.generators`; see
``docs/networks.md``.
"""

from __future__ import annotations

import copy
import hashlib
import html
import numbers
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from womsim.core.atomic import atomic_write
from womsim.core.errors import NetworkError
from womsim.network import edgelist
from womsim.network import generators as gen
from womsim.network.bacsr import scale_free_csr
from womsim.network.csr import _KEY_MAX_N, _csr_from_pairs, _index_dtype, row_starts32
from womsim.network.edgelist import check_labels_write
from womsim.network.generators import EdgeListNotFoundError, EdgeSource, label_array

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx
    import scipy.sparse

__all__ = ["EdgeListNotFoundError", "Network"]

def _frozen(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


def _owned(x: Any, dtype: Any = None) -> np.ndarray:
    """``x`` as an array we may freeze: caller-writable memory is copied, never frozen."""
    a = np.asarray(x, dtype=dtype)
    if isinstance(x, np.ndarray) and a.flags.writeable and np.may_share_memory(a, x):
        a = a.copy()
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
        if indptr_a[0] != 0 or indptr_a[-1] != indices_a.size:
            raise NetworkError(f"indptr must start at 0 and end at len(indices) = "
                               f"{indices_a.size}, got {indptr_a[0]} .. {indptr_a[-1]}")
        if np.any(np.diff(indptr_a) < 0):
            raise NetworkError("indptr must be non-decreasing")
        if indices_a.size and (indices_a.min() < 0 or indices_a.max() >= n):
            raise NetworkError(f"indices must lie in 0..{n - 1}, got "
                               f"{indices_a.min()}..{indices_a.max()}")
        indices_a = indices_a.astype(_index_dtype(n), copy=False)
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
        self._label_index: pd.Index | None = None
        if labels is not None:
            lab = labels if isinstance(labels, np.ndarray) else label_array(labels)
            lab = _owned(lab)
            if lab.ndim != 1 or lab.size != n:
                raise NetworkError(f"labels must have one entry per node ({n}), "
                                   f"got shape {lab.shape}")
            self._labels = _frozen(lab)
            index = self._label_index = pd.Index(lab, tupleize_cols=False)
            if check_labels and not index.is_unique:
                dup = index[index.duplicated()][0]
                raise NetworkError(f"labels must be unique; {dup!r} appears more than once")
        self._block: np.ndarray | None = None
        if block is not None:
            self._block = _frozen(self._check_block(block, n))
        self.name = name
        self._info: dict[str, Any] = {"generator": "custom", "params": {}, "seed": None,
                                      "self_loops_dropped": 0, "duplicates_dropped": 0}
        self._info.update(info or {})
        self._fingerprint: str | None = None
        self._rows32: np.ndarray | None = None  # _row_starts()

    @staticmethod
    def _check_block(block: Any, n: int) -> np.ndarray:
        b = _owned(block)
        if b.ndim != 1 or b.size != n:
            raise NetworkError(f"block must have one entry per node ({n}), got shape {b.shape}")
        if b.size and b.dtype.kind not in "iu":
            raise NetworkError(f"block must hold integer community numbers, got {b.dtype}")
        if b.size and b.min() < 0:
            raise NetworkError(f"block numbers must be >= 0, got {b.min()}")
        return b.astype(np.int32 if b.size == 0 or b.max() < 2**31 else np.int64)

    @classmethod
    def _from_source(cls, src: EdgeSource, name: str | None = None,
                     check_labels: bool = False) -> Network:
        """Build from validated edges (ids in range): no checks repeated."""
        indptr, indices, loops, dups = _csr_from_pairs(src.u, src.v, src.n)
        info = {**src.info, "self_loops_dropped": loops, "duplicates_dropped": dups}
        net = cls.__new__(cls)
        net._set(indptr, indices, src.labels, src.block, name if name is not None else
                 src.name, info, check_labels=check_labels)
        return net

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_label_index"] = None
        state["_rows32"] = None  # made again where needed
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
            if pairs.size == 0:
                pairs = pairs.reshape(0, 2)
            if pairs.ndim != 2 or pairs.shape[1] != 2:
                raise NetworkError("from_edges(u) without v needs an (E, 2) array of "
                                   f"pairs, got shape {pairs.shape}")
            u, v = pairs[:, 0], pairs[:, 1]
            names = ("edge[:, 0]", "edge[:, 1]")
        else:
            names = ("u", "v")
        ua, va = gen.node_ids(u, names[0]), gen.node_ids(v, names[1])
        if ua.size != va.size:
            raise NetworkError(f"u and v must have the same length, got {ua.size} and {va.size}")
        if labels is not None:
            labels = labels if isinstance(labels, np.ndarray) else label_array(labels)
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
        return cls._from_source(EdgeSource(ua, va, n, name, info, labels, block),
                                check_labels=True)

    # -- generators -----------------------------------------------------------------
    @classmethod
    def scale_free(cls, n: int, m: int = 5, seed: gen.SeedLike = None) -> Network:
        """Scale-free network by preferential attachment (Barabási–Albert).

        Node ``m`` links to the seed nodes ``0..m-1``; each later node links to
        ``m`` earlier nodes chosen with probability proportional to their degree.
        Compiled (Batagelj–Brandes edge array, built straight into CSR): about 0.3 s
        for a million nodes with ``m=5`` (networkx: about 35 s). A node occasionally picks the same
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
        # straight to CSR (no edge list): the arrays _from_source(gen.scale_free(...))
        # gives, bit for bit, in three quarters of the time
        n, m, rng, info = gen.scale_free_setup(n, m, seed)
        indptr, indices, dups = scale_free_csr(n, m, rng)
        net = cls.__new__(cls)
        net._set(indptr, indices, None, None, "scale_free",
                 {**info, "self_loops_dropped": 0, "duplicates_dropped": dups},
                 check_labels=False)
        return net

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
        return cls._from_source(gen.small_world(n, k, p, seed))

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
        return cls._from_source(gen.random(n, mean_degree, seed))

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
        return cls._from_source(gen.communities(sizes, mean_degree_in, mean_degree_out, seed))

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
        return cls._from_source(gen.complete(n))

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
        return cls._from_source(gen.from_networkx(G), name=name, check_labels=True)

    def to_networkx(self, use_labels: bool = False) -> nx.Graph:
        """Return a ``networkx.Graph`` with the same edges.

        Nodes get a ``block`` attribute when blocks exist; the graph's name is the
        network's name.

        Parameters
        ----------
        use_labels : bool, default False
            False: nodes are ``0..n-1`` with a ``label`` attribute (when labels
            exist). True: nodes are the labels themselves.

        Examples
        --------
        >>> G = Network.complete(4).to_networkx()
        >>> G.number_of_nodes(), G.number_of_edges()
        (4, 6)
        """
        return gen.to_networkx(self, use_labels)

    # -- edge-list files ------------------------------------------------------------
    @classmethod
    def from_edgelist(cls, source: str | os.PathLike[str] | pd.DataFrame,
                      sep: str | None = None, comment: str | None = "#",
                      name: str | None = None) -> Network:
        """Read an edge list: a text file (one ``source target`` pair a line) or a DataFrame.

        Fields are separated by commas, semicolons, tabs or whitespace (detected
        per file); blank lines, ``comment`` lines and trailing comments are
        skipped; a header line (``source,target``, ``from to``, ``u v``, ... or a
        non-numeric line above numeric data) is skipped; ``"quoted fields"`` may
        hold separators. A third column is taken as a numeric weight and ignored
        if every line has one. gzip, bz2 and xz files are decompressed (known by
        their first bytes, whatever their name). Ids are whole numbers (``17``,
        ``-3``) or names; a field that reads as another number (``1.5``, ``1e3``,
        ``nan``) is refused with its line, and a file with any name takes every
        id as text, so ``007`` and ``7`` stay two people (details:
        :mod:`womsim.network.edgelist`). Integer ids that are exactly ``0..n-1`` are
        kept; other ids (names, 1-based or sparse integers) are numbered in order
        of first appearance and kept in :attr:`labels`. Loops and repeats are
        dropped and counted. The file is read in blocks, so memory does not grow
        with the file's text, only with its edges.

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
            field, a non-numeric weight or an id that is a number but not a whole
            one (the message names the file, the line number and shows the line);
            a damaged compressed file; or no edges at all.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"source": ["ann", "bob"], "target": ["bob", "cy"]})
        >>> net = Network.from_edgelist(df)
        >>> net.n_edges, net.id_to_label(0)
        (2, 'ann')
        """
        if isinstance(source, pd.DataFrame):
            return cls._from_source(edgelist.edges_from_frame(source), name=name)
        return cls._from_source(edgelist.edges_from_file(source, sep, comment), name=name)

    def to_edgelist(self, path: str | os.PathLike[str], overwrite: bool = False,
                    sep: str = ",", labels: bool = True) -> Path:
        """Write the edges to a text file that :meth:`from_edgelist` reads back.

        A ``#`` line with the counts, a ``source,target`` header, then one line
        per edge (labels if any). Written to a temporary file and moved into
        place, so nobody sees half a file. Isolated nodes cannot appear in an
        edge list; the comment line says how many were left out.

        Parameters
        ----------
        path : str or path
            Destination file.
        overwrite : bool, default False
            Replace an existing file; otherwise refuse with ``FileExistsError``.
        sep : str, default ","
            Field separator (``","``, ``";"`` or ``"\\t"``).
        labels : bool, default True
            Write the labels (if any); False writes the node ids ``0..n-1``. Labels that
            a file could not give back exactly (text that reads as a decimal number,
            with surrounding spaces, ``#`` or a line break; a mix of numbers and text;
            text labels that are all whole numbers) are refused with a
            :class:`NetworkError` naming one.

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
        if sep not in (",", ";", "\t"):
            raise NetworkError(f"sep must be ',', ';' or '\\t', got {sep!r}")
        u, v = self.edges()
        cols: dict[str, np.ndarray] = {"source": u, "target": v}
        if self._labels is not None and labels:
            check_labels_write(self._labels)
            cols = {"source": self._labels[u], "target": self._labels[v]}
        isolated = int(np.count_nonzero(self.degrees() == 0))

        def write(tmp: Path) -> None:
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                fh.write(f"# womsim edge list: {self.n} nodes, {self.n_edges} edges, "
                         f"{isolated} isolated nodes not listed\n")
                pd.DataFrame(cols).to_csv(fh, sep=sep, index=False, lineterminator="\n")
            os.chmod(tmp, 0o644)  # temporary files are created private

        return atomic_write(Path(path), write, overwrite=overwrite)

    # -- queries --------------------------------------------------------------------
    @property
    def indptr(self) -> np.ndarray:
        """Row pointers (int64, length n + 1, read-only)."""
        return self._indptr

    def _row_starts(self) -> np.ndarray:
        # indptr as the cascade's kernels read it (womsim.network.csr), made once
        rows = self.__dict__.get("_rows32")  # absent if unpickled from an older version
        if rows is None:
            rows = self._rows32 = row_starts32(self._indptr)
        return rows

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
        index = self._index()
        scalar = np.ndim(labels) == 0 or (  # a tuple may be one label (networkx grids)
            isinstance(labels, tuple) and index is not None and labels in index)
        values = [labels] if scalar else list(labels)
        if index is None:
            ids = gen.node_ids(values, "labels") if values else np.empty(0, np.int64)
            bad = ids >= self.n
            if bad.any():
                raise NetworkError(f"node {ids[bad][0]} is not in 0..{self.n - 1}")
        else:
            ids = index.get_indexer(label_array(values))
            if (ids < 0).any():
                missing = [x for x, i in zip(values, ids, strict=True) if i < 0]
                raise NetworkError(f"unknown node label(s): {missing[:5]!r}"
                                   + (f" and {len(missing) - 5} more" if len(missing) > 5 else ""))
            ids = ids.astype(np.int64)
        return int(ids[0]) if scalar else ids

    def _index(self) -> pd.Index | None:
        if self._label_index is None and self._labels is not None:
            self._label_index = pd.Index(self._labels, tupleize_cols=False)
        return self._label_index

    def id_to_label(self, ids: Any) -> Any:
        """Labels of the given node ids (the ids themselves when there are no labels).

        Examples
        --------
        >>> net = Network.from_edges([0], [1], labels=["ann", "bob"])
        >>> net.id_to_label(1), net.id_to_label([1, 0]).tolist()
        ('bob', ['bob', 'ann'])
        """
        scalar = np.ndim(ids) == 0
        a = np.atleast_1d(gen.node_ids(np.atleast_1d(ids), "ids"))
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
        a_idx, b_idx = gen.wedge_slots(self._indptr, wedges, samples, seed)
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
                    # the array's own buffer (no bytes copy; none at all when already
                    # little-endian int64): hashlib reads it without holding the GIL
                    h.update(np.ascontiguousarray(arr[start:start + (1 << 20)],
                                                  dtype="<i8").data)
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
