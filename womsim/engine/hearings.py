"""Who heard a wave of stories, and how often: the listeners' side of word of mouth.

A step's listeners (with repeats, one entry per story heard) are a few hundred ids at
100k people; ``np.unique(..., return_counts=True)`` spends most of its time on the dozen
numpy calls it is made of, not on them. :func:`heard_counts` sorts once with numpy and
counts the runs in one compiled pass: the same arrays, far fewer calls (the step runs it
twice a step, in every scenario of a tornado).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from womsim.core.jitcache import configure
from womsim.core.prefetch import prefetch
from womsim.engine.kernels import _u
from womsim.engine.listeners import acted

configure()  # before the first @njit(cache=True): a read-only install caches elsewhere

__all__ = ["heard_counts", "listen_bad", "listen_good"]

_MASK = (1 << 64) - 1
# listeners ahead whose status and deterrence are asked for: the heard are scattered ids,
# each a cache miss at ten million people (a quarter off the good news' pass there)
_AHEAD = 16


@njit(cache=True)
def _runs(s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # the distinct values of a sorted array and how many times each occurs
    uniq = np.empty(s.size, dtype=np.int64)
    count = np.empty(s.size, dtype=np.int64)
    k = -1
    for j in range(s.size):
        if k < 0 or s[j] != uniq[k]:
            k += 1
            uniq[k] = s[j]
            count[k] = 1
        else:
            count[k] += 1
    return uniq[:k + 1], count[:k + 1]


def heard_counts(listeners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(listeners, return_counts=True)`` of person ids, as int64 arrays.

    Examples
    --------
    >>> heard, times = heard_counts(np.array([7, 2, 7, 7, 3]))
    >>> heard.tolist(), times.tolist()
    ([2, 3, 7], [1, 1, 3])
    """
    return _runs(np.sort(listeners.astype(np.int64, copy=False)))


@njit(cache=True)
def _bad_news(heard, times, status, deterred_until, has_alt, key_deter, key_defect, p_deter,
              p_defect, t, memory_steps, customer, former):
    # step 6 of the step for the listeners of bad stories; see listen_bad
    n = heard.size
    new_det = np.empty(n, dtype=np.int64)
    late = np.empty(n, dtype=np.int64)
    late_until = np.empty(n, dtype=np.int64)
    left = np.empty(n, dtype=np.int64)
    a = b = c = 0
    for j in range(n):
        if j + _AHEAD < n:
            prefetch(status, heard[j + _AHEAD])
            prefetch(deterred_until, heard[j + _AHEAD])
        i = heard[j]
        if status[i] != customer:
            pd = p_deter[times[j] - 1]
            ud = _u(key_deter, i)
            if ud < pd:
                if deterred_until[i] <= t:
                    new_det[a] = i
                    a += 1
                # the story lands at a uniform moment v of the step (the deter uniform,
                # which given a deterrence is uniform on [0, 1)); every step whose middle
                # (where its acquisition stands) falls within the memory from then is
                # blocked: memory / dt steps on average, starting half a step on, whatever
                # the step size; heard after the middle, blocked from the next step on
                v = ud / pd
                until = t + np.int64(np.ceil(v + memory_steps - 0.5))
                if v < 0.5:
                    if until > deterred_until[i]:
                        deterred_until[i] = until
                else:
                    late[b] = i
                    late_until[b] = until
                    b += 1
        elif _u(key_defect, i) < p_defect[times[j] - 1] and has_alt[i]:
            left[c] = i
            c += 1
    for j in range(c):
        status[left[j]] = former
    return new_det[:a], left[:c], late[:b], late_until[:b]


@njit(cache=True)
def _good_news(heard, times, status, deterred_until, key, p_referral, t, prospect, customer):
    # step 6 of the step for the listeners of good stories; see listen_good
    won = np.empty(heard.size, dtype=np.int64)
    c = 0
    for j in range(heard.size):
        if j + _AHEAD < heard.size:
            prefetch(status, heard[j + _AHEAD])
            prefetch(deterred_until, heard[j + _AHEAD])
        i = heard[j]
        if status[i] == prospect and deterred_until[i] <= t \
                and _u(key, i) < p_referral[times[j] - 1]:
            won[c] = i
            c += 1
    for j in range(c):
        status[won[j]] = customer
    return won[:c]


def _chances(prob: float, times: np.ndarray, repeat: float) -> np.ndarray:
    # the chance of acting after 1, 2, ... stories, by the step's own formula (numpy's
    # numbers: an entry is the one the formula gives for that count wherever it stands)
    return acted(prob, np.arange(1, int(times.max()) + 1, dtype=np.int64), repeat)


def listen_bad(heard: np.ndarray, times: np.ndarray, status: np.ndarray,
               deterred_until: np.ndarray, has_alt: np.ndarray, keys: tuple[int, int],
               p: Any, t: int, customer: int, former: int
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What bad stories do to their listeners this step, in one compiled pass.

    ``heard`` and ``times`` are :func:`heard_counts` of the step's bad stories; ``keys``
    the step's ``deter`` and ``wom_defection`` keys; ``p`` the step's parameters (its
    ``deter``, ``wom_defect``, ``repeat``, ``memory_years`` and ``dt``). A listener who is
    not a customer is deterred with the chance
    :func:`~womsim.engine.listeners.acted` gives; one deterred before the
    middle of the step is blocked from now on (``deterred_until`` raised in place), one
    deterred after it is returned in ``late`` with the step it is blocked until. A customer
    with an alternative leaves with :func:`acted`'s chance (``status`` set to ``former`` in
    place). Returns ``(newly_deterred, left, late, late_until)``, each in id order: the
    numbers of the step's numpy formulation, bit for bit (``tests/test_engine_start.py``).
    """
    if heard.size == 0:
        e = np.empty(0, dtype=np.int64)
        return e, e, e, e
    return _bad_news(heard, times, status, deterred_until, has_alt,
                     np.uint64(keys[0] & _MASK), np.uint64(keys[1] & _MASK),
                     _chances(p.deter, times, p.repeat),
                     _chances(p.wom_defect, times, p.repeat), t,
                     p.memory_years / p.dt, customer, former)


def listen_good(heard: np.ndarray, times: np.ndarray, status: np.ndarray,
                deterred_until: np.ndarray, key: int, p: Any, t: int, prospect: int,
                customer: int) -> np.ndarray:
    """The prospects won by this step's good stories (not deterred, each with the chance
    :func:`~womsim.engine.listeners.acted` gives ``p.referral``), made ``customer`` in
    place; in id order."""
    if heard.size == 0:
        return np.empty(0, dtype=np.int64)
    return _good_news(heard, times, status, deterred_until, np.uint64(key & _MASK),
                      _chances(p.referral, times, p.repeat), t, prospect, customer)
