"""Customers on the graph: how much customers' friends are customers, and a clustered start.

In real markets customers are not scattered at random over the social graph: friends of
customers are customers more often than the market share says (referral, shared
circumstances, local marketing). This module measures that and can build it.

The measure is the **friend share**: over every customer and each of their friends, the
share of those friends who are customers, ``f = 2 E_cc / sum of customers' degrees``
(``E_cc``: friendships between two customers). Where who is a customer does not depend on
the graph, ``f`` is the market share ``s``; the **homophily** ``(f - s) / (1 - s)`` is 0
then and 1 when customers' friends are all customers.

A clustered start (:func:`cluster`) begins from the independent draw and swaps a customer
with a non-customer of the **same degree** whenever that does not lower the number of
friendships between customers, until the friend share reaches ``s + h (1 - s)``. Swapping
equal degrees keeps the customers' degrees exactly those of the independent draw (hubs are
customers as often as before: clustering does not make customers better connected), and the
number of customers exactly as drawn.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from womsim.core.errors import NetworkError
from womsim.core.jitcache import configure

configure()

__all__ = ["ClusteringError", "cluster", "friend_share", "friend_share_update",
           "homophily", "member_ends"]

_G = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_UNIT = 2.0 ** -53


class ClusteringError(NetworkError):
    """The network cannot hold the customer clustering asked for (names the setting)."""


@njit(cache=True)
def _u(key, i):
    # splitmix64 of (key, i), as womsim.rng.hash_uniform
    x = np.uint64(i) * _G + key
    x ^= x >> _S30
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    x ^= x >> _S31
    return float(x >> _S11) * _UNIT


@njit(cache=True)
def member_ends(indptr: np.ndarray, indices: np.ndarray, member: np.ndarray) -> tuple[int, int]:
    """``(2 x friendships between members, sum of members' degrees)``: the friend share's
    numerator and denominator (``member``: a bool array, one entry per person)."""
    same = 0
    total = 0
    for i in range(member.size):
        if member[i]:
            a = indptr[i]
            b = indptr[i + 1]
            total += b - a
            for e in range(a, b):
                if member[indices[e]]:
                    same += 1
    return same, total


@njit(cache=True)
def _swap_kernel(indptr, indices, status, value, order, gstart, gend, target_same, key,
                 max_proposals):
    # greedy swaps of a member (status == value) with an equal-degree non-member
    n = status.size
    cn = np.zeros(n, dtype=np.int64)   # member friends of each person
    members = np.empty(n, dtype=np.int64)
    pos = np.full(n, -1, dtype=np.int64)
    m = 0
    for i in range(n):
        if status[i] == value:
            members[m] = i
            pos[i] = m
            m += 1
            for e in range(indptr[i], indptr[i + 1]):
                cn[indices[e]] += 1
    same = 0
    for j in range(m):
        same += cn[members[j]]
    tried = 0
    swaps = 0
    while same < target_same and tried < max_proposals:
        a = members[int(_u(key, 2 * tried) * m)]
        g0 = gstart[a]
        size = gend[a] - g0
        tried += 1
        if size < 2:
            continue
        b = order[g0 + int(_u(key, 2 * tried + 1) * size)]
        if status[b] == value:
            continue
        linked = 0
        for e in range(indptr[b], indptr[b + 1]):
            if indices[e] == a:
                linked = 1
                break
        gain = cn[b] - cn[a] - linked
        if gain < 0:
            continue
        tmp = status[b]
        status[b] = value
        status[a] = tmp
        for e in range(indptr[a], indptr[a + 1]):
            cn[indices[e]] -= 1
        for e in range(indptr[b], indptr[b + 1]):
            cn[indices[e]] += 1
        k = pos[a]
        members[k] = b
        pos[b] = k
        pos[a] = -1
        same += 2 * gain
        swaps += 1
    return same, swaps, tried


def friend_share(indptr: np.ndarray, indices: np.ndarray, member: np.ndarray) -> float:
    """Share of members among members' friends (NaN when members have no friends).

    Parameters
    ----------
    indptr, indices : arrays of int
        The graph in CSR form (:attr:`Network.indptr`, :attr:`Network.indices`).
    member : array of bool
        Who is a member (e.g. a customer), one entry per person.

    Examples
    --------
    >>> import numpy as np
    >>> indptr, indices = np.array([0, 1, 3, 5, 6]), np.array([1, 0, 2, 1, 3, 2])
    >>> friend_share(indptr, indices, np.array([True, True, False, False]))  # path 0-1-2-3
    0.6666666666666666
    """
    same, total = member_ends(indptr, indices, np.ascontiguousarray(member, dtype=np.bool_))
    return same / total if total else float("nan")


def homophily(share_among_friends: float, market_share: float) -> float:
    """How far the friend share is above the market share, as a fraction of the way to 1.

    Examples
    --------
    >>> round(homophily(0.65, 0.3), 12)
    0.5
    """
    if market_share >= 1:
        return float("nan")
    return (share_among_friends - market_share) / (1 - market_share)


def cluster(indptr: np.ndarray, indices: np.ndarray, status: np.ndarray, value: int,
            strength: float, key: int, setting: str = "market.customer_clustering",
            max_sweeps: float = 30.0, groups: np.ndarray | None = None
            ) -> tuple[float, int]:
    """Move members (``status == value``) together on the graph, in place.

    Swaps a member with a non-member of the same degree (and, with ``groups``, the same
    group: a segment keeps its members) whenever that does not lower the friendships
    between members (random proposals keyed by ``key``), until the friend share reaches
    ``s + strength (1 - s)`` with ``s`` the members' share. The two swap their whole
    ``status`` values, so other codes in ``status`` move with the person. Returns the
    friend share reached and the number of swaps. Raises :class:`ClusteringError`
    (naming ``setting``) when ``max_sweeps`` proposals per person do not get there.

    Examples
    --------
    >>> import numpy as np
    >>> from womsim import Network
    >>> net = Network.small_world(2000, k=10, p=0.05, seed=1)
    >>> status = (np.random.default_rng(2).random(2000) < 0.3).astype(np.int8)
    >>> f, swaps = cluster(net.indptr, net.indices, status, 1, 0.5, key=7)
    >>> s = status.mean()
    >>> bool(f >= s + 0.5 * (1 - s)), bool(status.sum() == 600 or swaps >= 0)
    (True, True)
    """
    n = status.size
    member = status == value
    m = int(member.sum())
    deg = np.diff(indptr)
    total = int(deg[member].sum())
    # swap partners share a degree (the friendships counted stay the same) and a group
    part = deg.astype(np.int64) if groups is None else \
        np.asarray(groups, dtype=np.int64) * (int(deg.max(initial=0)) + 1) + deg
    if m == 0 or m == n or total == 0:
        raise ClusteringError(
            f"{setting} = {strength:g} needs customers with friends and non-customers to "
            f"cluster; this market has {m:,} customers of {n:,} people whose friendships "
            f"number {total:,}: set {setting} to 0")
    s = m / n
    goal = s + strength * (1 - s)
    target_same = int(np.ceil(goal * total - 1e-9))
    order = np.argsort(part, kind="stable")
    ds = part[order]
    gstart = np.searchsorted(ds, part, side="left")
    gend = np.searchsorted(ds, part, side="right")
    proposals = int(max_sweeps * n) + 100_000
    same, swaps, tried = _swap_kernel(indptr, indices, status, np.int8(value), order,
                                      gstart.astype(np.int64), gend.astype(np.int64),
                                      target_same, np.uint64(key & ((1 << 64) - 1)),
                                      proposals)
    reached = same / total
    if same < target_same:
        raise ClusteringError(
            f"{setting} = {strength:g} asks that {goal:.1%} of customers' friends be "
            f"customers (market share {s:.1%}); on this network ({n:,} people, mean degree "
            f"{deg.mean():.3g}) the assignment reached {reached:.1%} "
            f"({setting} = {homophily(reached, s):.2f}) after {tried:,} proposed swaps: "
            f"lower {setting} or use a network with more local structure (clustering)")
    return reached, int(swaps)


@njit(cache=True)
def friend_share_update(indptr: np.ndarray, indices: np.ndarray, flag: np.ndarray,
                        changed: np.ndarray, now: np.ndarray, same: int, total: int
                        ) -> tuple[int, int]:
    """Keep ``(2 E_mm, sum of members' degrees)`` up to date as people change.

    ``flag`` holds who was a member when last counted (updated in place); ``changed`` the
    people who may have changed and ``now`` whether each is a member now. Exact whatever
    the order, since each change is counted against the flags of that moment.
    """
    for j in range(changed.size):
        i = changed[j]
        new = now[j]
        if flag[i] == new:
            continue
        c = 0
        for e in range(indptr[i], indptr[i + 1]):
            if flag[indices[e]]:
                c += 1
        d = indptr[i + 1] - indptr[i]
        if new:
            same += 2 * c
            total += d
        else:
            same -= 2 * c
            total -= d
        flag[i] = new
    return same, total
