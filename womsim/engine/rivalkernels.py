"""Compiled passes of the rivals' part of a step (:func:`womsim.engine.rivals.rival_step`).

In numpy the rivals' service and the effect of word of mouth about them took a dozen array
passes each (gather the firm, gather its rate, hash, compare, mask, ...), on arrays of a few
thousand ids: per-call overhead and repeated gathers from the market-sized arrays cost more
than the arithmetic (0.38 s of a 2.6 s 1M-person run, of 0.65 s for the whole rivals' part).
Here each is one loop over its ids. Every uniform is that of
:func:`womsim.engine.rng.hash_uniform` under the same key, and every comparison that of the
numpy version, so a run's numbers are the same bit for bit.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from womsim.core.prefetch import prefetch
from womsim.engine.kernels import uniform_at as _uniform

__all__ = ["rival_acquire", "rival_heard_negative", "rival_heard_positive", "rival_leave",
           "rival_service", "rival_take"]

# a person's status (engine.step, engine.rivals)
_PROSPECT, _CUSTOMER, _RIVAL = 0, 1, 3
# how many listeners ahead their random reads are asked for (core.prefetch), as in
# engine.wholekernel: listeners land anywhere in the market's arrays
_AHEAD = 16


@njit(cache=True)
def rival_service(contacted: np.ndarray, firm: np.ndarray, keys: np.ndarray, mix: np.ndarray,
                  complain: np.ndarray, resolved: np.ndarray, quick: np.ndarray,
                  leave: np.ndarray, has_alt: np.ndarray, problems: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rivals' contacts' outcomes: experience, complaint, resolution, defection.

    ``keys`` holds the four mechanisms' keys (experience, complaint, resolution,
    defection); ``mix`` the (rivals, 3) delighted / satisfied / problem shares, ``leave``
    the stay table by outcome group (silent, unresolved, resolved, resolved quickly).
    Adds each rival's problems to ``problems``; returns the unhappy (silent or
    unresolved) in contact order, the happy (delighted, then resolved complainers) and
    those who leave on their experience (with an alternative).
    """
    m = contacted.size
    delighted = np.empty(m, dtype=np.int64)
    resolved_ids = np.empty(m, dtype=np.int64)
    unhappy = np.empty(m, dtype=np.int64)
    left = np.empty(m, dtype=np.int64)
    nd = nr = nu = nl = 0
    for j in range(m):
        i = contacted[j]
        f = firm[i]
        ue = _uniform(keys[0], i)
        if ue < mix[f, 0]:
            delighted[nd] = i
            nd += 1
        if not ue >= 1.0 - mix[f, 2]:
            continue
        problems[f] += 1
        complained = _uniform(keys[1], i) < complain[f]
        ur = _uniform(keys[2], i)
        if not complained:
            g = 0
        elif ur < resolved[f] * quick[f]:
            g = 3
        elif ur < resolved[f]:
            g = 2
        else:
            g = 1
        if g <= 1:
            unhappy[nu] = i
            nu += 1
        else:
            resolved_ids[nr] = i
            nr += 1
        if _uniform(keys[3], i) < leave[g] and has_alt[i]:
            left[nl] = i
            nl += 1
    happy = np.empty(nd + nr, dtype=np.int64)
    for j in range(nd):  # a loop: slice assignment costs seconds of compiling
        happy[j] = delighted[j]
    for j in range(nr):
        happy[nd + j] = resolved_ids[j]
    return unhappy[:nu], happy, left[:nl]


@njit(cache=True)
def rival_heard_negative(heard: np.ndarray, counts: np.ndarray, r: int, t: int,
                         status: np.ndarray, firm: np.ndarray, changed_at: np.ndarray,
                         has_alt: np.ndarray, deterred: np.ndarray, act_deter: np.ndarray,
                         act_defect: np.ndarray, key_deter: np.uint64, key_defect: np.uint64,
                         until: int) -> np.ndarray:
    """Listeners of bad stories about rival ``r`` (``heard``, each ``counts`` times).

    Anybody not a rival's customer is deterred from ``r`` (``deterred``: its row of
    ``state.deterred_rival``, raised to ``until``) with ``act_deter[count]``; ``r``'s own
    customers who did not change this step leave with ``act_defect[count]`` (with an
    alternative): returned, and marked changed (``changed_at = t``).
    """
    moved = np.empty(heard.size, dtype=np.int64)
    nm = 0
    m = heard.size
    for j in range(m):
        if j + _AHEAD < m:
            ahead = heard[j + _AHEAD]
            prefetch(status, ahead)
            prefetch(deterred, ahead)
            prefetch(changed_at, ahead)
        i = heard[j]
        c = counts[j]
        if status[i] != _RIVAL:
            if _uniform(key_deter, i) < act_deter[c] and deterred[i] < until:
                deterred[i] = until
        elif firm[i] == r and changed_at[i] != t:
            if _uniform(key_defect, i) < act_defect[c] and has_alt[i]:
                moved[nm] = i
                nm += 1
                changed_at[i] = t
    return moved[:nm]


@njit(cache=True)
def rival_heard_positive(heard: np.ndarray, counts: np.ndarray, r: int, t: int,
                         status: np.ndarray, firm: np.ndarray, changed_at: np.ndarray,
                         deterred: np.ndarray, act_referral: np.ndarray, key: np.uint64
                         ) -> np.ndarray:
    """Prospects won by rival ``r`` through good stories (``heard``, each ``counts``
    times): those not deterred from it nor changed this step, with
    ``act_referral[count]``; they become its customers (in place) and are returned."""
    won = np.empty(heard.size, dtype=np.int64)
    nw = 0
    m = heard.size
    for j in range(m):
        if j + _AHEAD < m:
            ahead = heard[j + _AHEAD]
            prefetch(status, ahead)
            prefetch(deterred, ahead)
            prefetch(changed_at, ahead)
        i = heard[j]
        if status[i] == _PROSPECT and deterred[i] <= t and changed_at[i] != t \
                and _uniform(key, i) < act_referral[counts[j]]:
            won[nw] = i
            nw += 1
            status[i] = _RIVAL
            firm[i] = r
            changed_at[i] = t
    return won[:nw]


@njit(cache=True)
def rival_acquire(cand: np.ndarray, q: float, key: np.uint64, cum: np.ndarray,
                  deterred: np.ndarray, status: np.ndarray, firm: np.ndarray,
                  changed_at: np.ndarray, t: int, acquired: np.ndarray) -> np.ndarray:
    """Prospects among the candidates ``cand`` (drawn at rate ``q``) who buy from a rival:
    the uniform ``u q`` picks rival ``j`` where ``cum[j-1] <= u q < cum[j]`` (``cum``: the
    rivals' cumulated rates), unless deterred from it (``deterred``: rivals x people).
    They become its customers (in place; ``acquired[j]`` counts them) and are returned."""
    k = cum.size
    won = np.empty(cand.size, dtype=np.int64)
    nw = 0
    for j in range(cand.size):
        i = cand[j]
        if status[i] != _PROSPECT or changed_at[i] == t:
            continue
        ua = _uniform(key, i) * q
        pick = 0
        while pick < k and cum[pick] <= ua:  # searchsorted(cum, ua, side="right")
            pick += 1
        if pick < k and deterred[pick, i] <= t:
            won[nw] = i
            nw += 1
            status[i] = _RIVAL
            firm[i] = pick
            changed_at[i] = t
            acquired[pick] += 1
    return won[:nw]


@njit(cache=True)
def rival_take(leavers: np.ndarray, has_alt: np.ndarray, key: np.uint64, cum: np.ndarray,
               status: np.ndarray, firm: np.ndarray, taken: np.ndarray) -> np.ndarray:
    """Our ``leavers`` with an alternative who go to a rival: the uniform ``u`` picks rival
    ``j`` where ``cum[j-1] <= u < cum[j]`` (``cum``: the rivals' cumulated shares of our
    leavers); above the last, out of the market. They become its customers (in place;
    ``taken[j]`` counts them) and are returned in the leavers' order."""
    k = cum.size
    out = np.empty(leavers.size, dtype=np.int64)
    m = 0
    for j in range(leavers.size):
        i = leavers[j]
        if not has_alt[i]:
            continue
        u = _uniform(key, i)
        pick = 0
        while pick < k and cum[pick] <= u:  # searchsorted(cum, u, side="right")
            pick += 1
        if pick < k:
            out[m] = i
            m += 1
            status[i] = _RIVAL
            firm[i] = pick
            taken[pick] += 1
    return out[:m]


@njit(cache=True)
def rival_leave(leavers: np.ndarray, firm: np.ndarray, key: np.uint64, loses: np.ndarray,
                deterred_us: np.ndarray, has_alt: np.ndarray, status: np.ndarray, t: int,
                defections: np.ndarray, lost: np.ndarray) -> tuple[np.ndarray, int]:
    """The rivals' ``leavers``: to us with their rival's ``loses[j]`` unless deterred from
    us (or with no alternative), else prospects again (``status`` in place). Counts each
    rival's defections and those it lost to us; returns who came to us and how many
    became prospects."""
    won = np.empty(leavers.size, dtype=np.int64)
    m = 0
    for j in range(leavers.size):
        i = leavers[j]
        f = firm[i]
        defections[f] += 1
        if _uniform(key, i) < loses[f] and deterred_us[i] <= t and has_alt[i]:
            won[m] = i
            m += 1
            lost[f] += 1
            status[i] = _CUSTOMER
        else:
            status[i] = _PROSPECT
    return won[:m], leavers.size - m
