"""Thinning a sparse draw's candidates to each firm's customers, in one compiled pass.

A contact or churn draw (:func:`womsim.engine.rng.sparse_candidates`) proposes people at a
power-of-two rate ``q``; each candidate is kept with probability ``p / q`` by its keyed
uniform, where ``p`` is the rate of whoever they are: our customer (the market's or their
segment's rate), a rival's customer (that rival's rate), or nobody who draws (a prospect,
a former customer). Done with numpy that is a dozen passes over the candidates (gather
the status, compare, mask, hash, gather the firm, compare, mask, ...), which cost more
than drawing the candidates; here it is one pass, and only customers get a uniform.

The uniforms are those of :func:`womsim.engine.rng.hash_uniform` with the key given, bit
for bit: a person's luck does not depend on which way it was drawn.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from womsim.engine.kernels import GOLDEN, splitmix64

__all__ = ["thin_to_customers"]

_G = np.uint64(GOLDEN)
_S11 = np.uint64(11)
_UNIT = 2.0 ** -53
# a person's status (engine.step, engine.rivals)
_CUSTOMER, _RIVAL = 1, 3
_NO_IDS = np.empty(0, dtype=np.int32)
_NO_RATES = np.empty(0, dtype=np.float64)


@njit(cache=True)
def _thin(cand, members, status, firm, key, q, ours, theirs, ids_ours, ids_theirs):
    # cand: positions in members (ids themselves when members is empty); writes the kept
    # ids in candidate order and returns how many of each
    # Without branches on the person: every candidate is hashed and written at the next
    # free place, the count moving on only if it is kept (a status and a uniform are coin
    # flips to the branch predictor; their mispredictions cost more than hashing everyone:
    # 1.2 -> 0.27 ms for a segment's 53k contact candidates at 1M people). The outputs
    # hold one place per candidate, so each write fits; a rival's rate is looked up by
    # ``firm``, a valid index for everybody (0 for those who are no rival's)
    mapped = members.size > 0
    rivals = theirs.size > 0
    n_ours = 0
    n_theirs = 0
    for j in range(cand.size):
        i = members[cand[j]] if mapped else cand[j]
        st = status[i]
        x = float(splitmix64(np.uint64(i) * _G + key) >> _S11) * _UNIT * q
        ids_ours[n_ours] = i
        n_ours += np.int64((st == _CUSTOMER) & (x < ours))
        if rivals:
            ids_theirs[n_theirs] = i
            n_theirs += np.int64((st == _RIVAL) & (x < theirs[firm[i]]))
    return n_ours, n_theirs


def thin_to_customers(cand: np.ndarray, q: float, key: int, status: np.ndarray, ours: float,
                      members: np.ndarray | None = None, theirs: np.ndarray | None = None,
                      firm: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Our customers among the candidates ``cand`` (drawn at rate ``q``) kept with
    probability ``ours``, and the rivals' customers kept with ``theirs[firm[id]]``.

    ``cand`` are ids, or positions in ``members`` (a segment's ids, int32) when given; a
    candidate ``i`` is kept when ``hash_uniform(key, i) * q`` is below its rate. The
    results keep the candidates' order (increasing, for increasing candidates).

    Examples
    --------
    >>> from womsim.engine.rng import hash_uniform
    >>> status = np.array([1, 0, 3, 1, 2, 3], dtype=np.int8)
    >>> cand = np.arange(6)
    >>> ours, theirs = thin_to_customers(cand, 1.0, 7, status, 0.5, theirs=np.array([0.5]),
    ...                                  firm=np.zeros(6, dtype=np.int8))
    >>> u = hash_uniform(7, cand)
    >>> ours.tolist() == [i for i in (0, 3) if u[i] < 0.5]
    True
    >>> theirs.tolist() == [i for i in (2, 5) if u[i] < 0.5]
    True
    """
    c = np.ascontiguousarray(cand, dtype=np.int64)
    # members as int32: half the memory to stream through per candidate (the lookups
    # cost more than the hashing); a market has fewer than 2**31 people
    m = _NO_IDS if members is None else np.ascontiguousarray(members, dtype=np.int32)
    r = _NO_RATES if theirs is None else np.ascontiguousarray(theirs, dtype=np.float64)
    # the rivals' rates are looked up for every candidate (_thin): an index valid for all
    f = status if theirs is None else firm if firm is not None else np.zeros_like(status)
    out_ours = np.empty(c.size, dtype=np.int64)
    out_theirs = np.empty(c.size if r.size else 0, dtype=np.int64)
    n_ours, n_theirs = _thin(c, m, status, f, np.uint64(key & ((1 << 64) - 1)), float(q),
                             float(ours), r, out_ours, out_theirs)
    return out_ours[:n_ours], out_theirs[:n_theirs]
