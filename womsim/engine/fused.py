"""The step's chains of small array operations, each fused into one compiled pass.

A step at 100k people touches a few thousand people per mechanism; done with numpy, each
stage (draw the uniforms, compare, mask, gather, concatenate) is a call with its own fixed
cost and temporaries, about a hundred calls a step. Here each chain is one pass over the
people concerned that reads each person's attributes once:

* :func:`outcomes`: contacts -> experience -> complaint -> resolution -> defection by
  outcome group, then baseline churn among those still customers;
* :func:`acquisitions`: marketing and win-back among the acquisition candidates.

The numbers are those of :func:`womsim.engine.rng.hash_uniform` with the same keys, bit for
bit (``tests/test_engine.py`` compares each kernel with the numpy steps it replaced), so the
step's results do not depend on which path ran. A segmented market passes its segment
labels and one row of rates per segment. The listeners' pass is
:mod:`womsim.engine.hearings`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from womsim.core.prefetch import prefetch
from womsim.engine.kernels import uniform_at as _u

__all__ = ["acquisitions", "outcomes"]

# a person's status (engine.state)
_PROSPECT, _CUSTOMER, _FORMER = 0, 1, 2
# people ahead whose attributes are asked for (womsim.core.prefetch): the candidates are
# scattered ids, a cache miss each at ten million people (acquisitions 3.1 -> 1.8 ms there)
_AHEAD = 16


@njit(cache=True)
def outcomes(contacted: np.ndarray, forced: np.ndarray, churn_cand: np.ndarray,
             status: np.ndarray, has_alt: np.ndarray, changed_at: np.ndarray, t: int,
             keys: np.ndarray, seg: np.ndarray, rates: np.ndarray) -> tuple:
    """Experiences of the ``contacted`` (increasing ids), complaints, resolution and
    defection; then baseline churn of ``churn_cand`` still customers. Leavers become
    FORMER (``status``, ``changed_at``) in place.

    ``keys``: the uint64 keys of experience, complaint, resolution, defection; ``forced``
    (increasing, among the contacted) have a problem whatever their draw. ``rates`` has a
    row per segment (one row, and ``seg`` empty, for an unsegmented market): delighted
    share, problem share, complaint rate, resolved share, quick share, and the four
    groups' chances of leaving (silent, unresolved, resolved, resolved quickly).
    Returns ``(delighted, problem, silent, complainers, quick, slow, unresolved, left_silent,
    left_unresolved, left_resolved, left_quick, base_left)``, each increasing.
    """
    m = contacted.size
    delighted = np.empty(m, dtype=np.int64)
    problem = np.empty(m, dtype=np.int64)
    silent = np.empty(m, dtype=np.int64)
    complainers = np.empty(m, dtype=np.int64)
    quick = np.empty(m, dtype=np.int64)
    slow = np.empty(m, dtype=np.int64)
    unresolved = np.empty(m, dtype=np.int64)
    left = np.empty((4, m), dtype=np.int64)
    n_left = np.zeros(4, dtype=np.int64)
    nd = n_p = n_s = n_c = n_q = n_sl = n_u = 0
    labelled = seg.size > 0
    f = 0
    for j in range(m):
        if j + _AHEAD < m:
            prefetch(has_alt, contacted[j + _AHEAD])
        i = contacted[j]
        r = rates[seg[i] if labelled else 0]
        d_share = r[0]
        top = 1.0 - r[1]
        u = _u(keys[0], i)
        hit = False
        while f < forced.size and forced[f] < i:
            f += 1
        if f < forced.size and forced[f] == i:
            hit = True
        # as the numpy step: delighted below d_share, a problem from 1 - p_share on (the two
        # can meet when rounding puts d_share above 1 - p_share)
        if not hit and u < d_share:
            delighted[nd] = i
            nd += 1
        if not hit and u < top:
            continue
        problem[n_p] = i
        n_p += 1
        if not _u(keys[1], i) < r[2]:
            silent[n_s] = i
            n_s += 1
            g = 0
        else:
            complainers[n_c] = i
            n_c += 1
            ur = _u(keys[2], i)
            if ur < r[3] * r[4]:
                quick[n_q] = i
                n_q += 1
                g = 3
            elif ur < r[3]:
                slow[n_sl] = i
                n_sl += 1
                g = 2
            else:
                unresolved[n_u] = i
                n_u += 1
                g = 1
        if _u(keys[3], i) < r[5 + g] and has_alt[i]:
            left[g, n_left[g]] = i
            n_left[g] += 1
    for g in range(4):
        for j in range(n_left[g]):
            status[left[g, j]] = _FORMER
            changed_at[left[g, j]] = t
    base = np.empty(churn_cand.size, dtype=np.int64)
    nb = 0
    for j in range(churn_cand.size):
        if j + _AHEAD < churn_cand.size:
            prefetch(status, churn_cand[j + _AHEAD])
        i = churn_cand[j]
        if status[i] == _CUSTOMER:
            status[i] = _FORMER
            changed_at[i] = t
            base[nb] = i
            nb += 1
    return (delighted[:nd], problem[:n_p], silent[:n_s], complainers[:n_c], quick[:n_q],
            slow[:n_sl], unresolved[:n_u], left[0, :n_left[0]], left[1, :n_left[1]],
            left[2, :n_left[2]], left[3, :n_left[3]], base[:nb])


@njit(cache=True)
def acquisitions(cand: np.ndarray, status: np.ndarray, deterred_until: np.ndarray,
                 changed_at: np.ndarray, t: int, key: np.uint64, p_marketing: float,
                 p_winback: float) -> tuple[np.ndarray, np.ndarray]:
    """Marketing (prospects) and win-back (former customers) among the candidates ``cand``
    (drawn at a rate ``q``): those not deterred and unchanged this step buy when their
    uniform is below ``p_marketing`` (``p_winback``), both already divided by ``q``. Buyers
    become customers in place. Returns ``(marketing, winback)``, each increasing."""
    mk = np.empty(cand.size, dtype=np.int64)
    wb = np.empty(cand.size, dtype=np.int64)
    n_mk = n_wb = 0
    for j in range(cand.size):
        if j + _AHEAD < cand.size:
            ahead = cand[j + _AHEAD]
            prefetch(status, ahead)
            prefetch(deterred_until, ahead)
            prefetch(changed_at, ahead)
        i = cand[j]
        st = status[i]
        if st == _CUSTOMER or st > _FORMER or deterred_until[i] > t or changed_at[i] == t:
            continue
        u = _u(key, i)
        if st == _PROSPECT:
            if u < p_marketing:
                mk[n_mk] = i
                n_mk += 1
        elif u < p_winback:
            wb[n_wb] = i
            n_wb += 1
    for j in range(n_mk):
        status[mk[j]] = _CUSTOMER
        changed_at[mk[j]] = t
    for j in range(n_wb):
        status[wb[j]] = _CUSTOMER
        changed_at[wb[j]] = t
    return mk[:n_mk], wb[:n_wb]
