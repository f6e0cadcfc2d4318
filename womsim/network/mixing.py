"""Who knows whom across segments: segment labels placed on a graph with a target mixing.

Friends resemble each other: high-value customers know high-value customers (revenue
assortativity, Haenlein 2010; Haenlein & Libai 2013; ``womsim.figures.get(
"revenue_assortativity")``). Segments are placed on a given graph so that the share of
ties within segments reaches a target *assortativity coefficient* (Newman 2003, for
categories: 0 = ties ignore segments, 1 = no tie crosses a segment).

How: a bandwidth-reducing order of the graph (reverse Cuthill-McKee) puts friends next to
each other; cutting it into blocks of the segments' sizes gives the most assortative
placement this method reaches. Each person takes the block label with probability ``m`` and
an independent random label (same shares) otherwise; ``m`` is found by bisection so that
the graph's assortativity meets the target. A target above what the graph allows is refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from womsim.core.errors import NetworkError
from womsim.core.jitcache import configure

# scipy only inside the functions that use it: `import womsim` would pay ~0.4 s CPU for it
# (a third of the import) although most sessions never call them (tests/test_import_cost.py)

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["assign_segments", "assortativity", "random_labels", "revenue_assortativity"]

_TOL = 0.005  # the assortativity a placement reaches, +- this

configure()  # before the first @njit(cache=True): a read-only install caches elsewhere


def assortativity(indptr: np.ndarray, indices: np.ndarray, labels: np.ndarray,
                  k: int | None = None) -> float:
    """Newman's assortativity coefficient of categorical ``labels`` over a CSR graph.

    Examples
    --------
    >>> import numpy as np
    >>> indptr = np.array([0, 1, 2, 3, 4]); indices = np.array([1, 0, 3, 2])
    >>> assortativity(indptr, indices, np.array([0, 0, 1, 1]))   # two pairs, each alike
    1.0
    """
    k = int(labels.max()) + 1 if k is None else k
    src = np.repeat(labels, np.diff(indptr))
    dst = labels[indices]
    if src.size == 0:
        return 0.0
    e = np.bincount(src.astype(np.int64) * k + dst, minlength=k * k).reshape(k, k)
    e = e / e.sum()
    a = e.sum(axis=1)
    aa = float((a * a).sum())
    if aa >= 1.0 - 1e-15:
        return 1.0
    return float((np.trace(e) - aa) / (1.0 - aa))


def revenue_assortativity(indptr: np.ndarray, indices: np.ndarray,
                          revenue: np.ndarray) -> float:
    """Pearson correlation of revenue at the two ends of a tie (0: friends' revenues are
    unrelated).

    Examples
    --------
    >>> import numpy as np
    >>> indptr = np.array([0, 1, 2, 3, 4]); indices = np.array([1, 0, 3, 2])
    >>> round(revenue_assortativity(indptr, indices, np.array([1., 1., 5., 5.])), 6)
    1.0
    """
    src = np.repeat(revenue, np.diff(indptr)).astype(float)
    dst = revenue[indices].astype(float)
    if src.size < 2 or src.std() == 0:
        return 0.0
    return float(np.corrcoef(src, dst)[0, 1])


def _blocks(order: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Labels cutting ``order`` (people in turn) into consecutive blocks of the shares."""
    n = order.size
    cuts = np.rint(np.cumsum(shares) * n).astype(np.int64)
    cuts[-1] = n
    lab = np.empty(n, dtype=np.int8)
    # position p of the order is in block s where cuts[s-1] <= p < cuts[s]: each block's
    # label repeated over its length (a third of a search of every position in the cuts)
    lab[order] = np.repeat(np.arange(shares.size, dtype=np.int8), np.diff(cuts, prepend=0))
    return lab


@njit(cache=True)
def _urn(u, want):
    # person i draws its label from an urn holding what is left of each segment's count:
    # label s with probability left[s] / (n - i); every labelling with these counts is
    # equally likely, as for a random permutation cut into blocks, at a uniform a person
    lab = np.empty(u.size, dtype=np.int8)
    left = want.copy()
    for i in range(u.size):
        c = u[i] * (u.size - i)
        s = 0
        acc = left[0]
        while c >= acc and s < left.size - 1:
            s += 1
            acc += left[s]
        while left[s] == 0:  # u (n - i) rounded up to n - i: the last segment with some left
            s -= 1
        lab[i] = s
        left[s] -= 1
    return lab


def random_labels(shares: np.ndarray, rng: np.random.Generator, n: int) -> np.ndarray:
    """Segment labels (int8) at random with the shares' exact counts.

    Examples
    --------
    >>> lab = random_labels(np.array([0.25, 0.75]), np.random.default_rng(1), 1000)
    >>> np.bincount(lab).tolist()
    [250, 750]
    """
    return _urn(rng.random(n), _wanted(np.asarray(shares, dtype=float), n).astype(np.int64))


def _wanted(shares: np.ndarray, n: int) -> np.ndarray:
    cuts = np.rint(np.cumsum(shares) * n).astype(np.int64)
    cuts[-1] = n
    return np.diff(np.concatenate([[0], cuts]))


def _refine(indptr: np.ndarray, indices: np.ndarray, lab: np.ndarray, shares: np.ndarray,
            rng: np.random.Generator, rounds: int = 3) -> np.ndarray:
    """Each round, every segment (smallest first) takes the people with the largest share
    of friends in it, up to its size: ties gather within segments (sizes stay exact)."""
    n = lab.size
    want = _wanted(shares, n)
    deg = np.maximum(np.diff(indptr), 1)
    src = np.repeat(np.arange(n), np.diff(indptr))
    noise = rng.random(n) * 1e-9  # breaks ties at random
    order = np.argsort(want, kind="stable")
    for _ in range(rounds):
        new = np.full(n, order[-1], dtype=np.int8)
        free = np.ones(n, dtype=bool)
        for s in order[:-1]:
            frac = np.bincount(src, weights=lab[indices] == s, minlength=n) / deg
            score = np.where(free, frac + noise, -np.inf)
            top = np.argpartition(-score, want[s] - 1)[:want[s]]
            new[top] = s
            free[top] = False
        lab = new
    return lab


def most_assortative(shares: Sequence[float] | np.ndarray, rng: np.random.Generator,
                     indptr: np.ndarray, indices: np.ndarray,
                     block: np.ndarray | None = None) -> np.ndarray:
    """The most assortative placement this module reaches: friends next to each other
    (communities first where the graph has them, then a bandwidth-reducing order), cut into
    blocks of the shares, then refined towards each person's friends' segments."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import reverse_cuthill_mckee

    shares = np.asarray(shares, dtype=float)
    n = indptr.size - 1
    graph = csr_matrix((np.ones(indices.size, dtype=np.int8), indices, indptr), shape=(n, n))
    order = reverse_cuthill_mckee(graph, symmetric_mode=True)
    if block is not None:
        pos = np.empty(n, dtype=np.int64)
        pos[order] = np.arange(n)
        order = np.lexsort((pos, np.asarray(block)))
    cut = _blocks(order, shares)
    refined = _refine(indptr, indices, cut, shares, rng)
    k = shares.size
    # refining helps graphs with communities and can hurt those without (scale-free)
    if assortativity(indptr, indices, refined, k) >= assortativity(indptr, indices, cut, k):
        return refined
    return cut


def assign_segments(shares: Sequence[float] | np.ndarray, rng: np.random.Generator, n: int,
                    indptr: np.ndarray | None = None, indices: np.ndarray | None = None,
                    block: np.ndarray | None = None, target: float | None = None,
                    names: Sequence[str] | None = None) -> np.ndarray:
    """A segment label (int8) per person, with the shares' exact counts; with ``target``,
    placed on the graph so that its segment assortativity is ``target`` (+- 0.005).

    Raises
    ------
    NetworkError
        When the graph cannot reach ``target`` (its reachable maximum is named).

    Examples
    --------
    >>> import numpy as np
    >>> lab = assign_segments([0.25, 0.75], np.random.default_rng(1), 1000)
    >>> np.bincount(lab).tolist()
    [250, 750]
    """
    shares = np.asarray(shares, dtype=float)
    k = shares.size
    if target is None:
        # random placement with exact counts, a person at a time (a fifth of the time of
        # cutting a random permutation into blocks, below)
        return random_labels(shares, rng, n)
    # random placement with exact counts (a permutation cut into blocks)
    random_lab = _blocks(rng.permutation(n), shares)
    if indptr is None or indices is None:
        raise NetworkError("a segment assortativity needs a social graph (the market is "
                           "well mixed)")
    u = rng.random(n)
    if abs(assortativity(indptr, indices, random_lab, k) - target) <= _TOL:
        return random_lab
    ordered = most_assortative(shares, rng, indptr, indices, block)
    best = assortativity(indptr, indices, ordered, k)
    if target > best + _TOL:
        which = "" if names is None else " (" + ", ".join(
            f"{nm} {s:g}" for nm, s in zip(names, shares, strict=True)) + ")"
        raise NetworkError(
            f"market.segment_assortativity = {target:g} cannot be met on this graph: with "
            f"these segment shares{which} its ties reach at most {best:.3f} (a graph with "
            "communities, e.g. market.network = 'communities' or 'small_world', reaches more)")
    lo, hi = 0.0, 1.0
    lab = ordered
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        # each person keeps the assortative label with probability mid, else a random one
        lab = _exact_shares(np.where(u < mid, ordered, random_lab), shares, rng)
        r = assortativity(indptr, indices, lab, k)
        if abs(r - target) <= _TOL:
            break
        lo, hi = (mid, hi) if r < target else (lo, mid)
    return lab


def _exact_shares(lab: np.ndarray, shares: np.ndarray, rng: np.random.Generator
                  ) -> np.ndarray:
    """``lab`` with a random few relabelled so that each segment has its exact size."""
    n = lab.size
    want = _wanted(shares, n)
    have = np.bincount(lab, minlength=shares.size)
    if (have == want).all():
        return lab
    lab = lab.copy()
    spare = [rng.choice(np.flatnonzero(lab == s), have[s] - want[s], replace=False)
             for s in range(shares.size) if have[s] > want[s]]
    pool = rng.permutation(np.concatenate(spare))
    lab[pool] = np.repeat(np.arange(shares.size), np.maximum(want - have, 0)).astype(np.int8)
    return lab
