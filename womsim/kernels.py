"""Numba kernels for the engine's per-person scans.

Each kernel walks an array once, drawing a counter-based uniform (the same splitmix64
hash as :func:`womsim.rng.hash_uniform`, bit for bit) only for the people who need one.
Measured on a 1M-person telecom scenario: drawing full-length numpy arrays for contacts,
churn and acquisition plus the boolean masks took ~60% of a run; these scans take a few
milliseconds per step. The kernels are compiled once and cached on disk.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["acquire", "hash_uniform_nb", "pick_neighbours", "scan_below", "scan_two",
           "select_below"]

_G = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_UNIT = 2.0 ** -53


@njit(cache=True, inline="always")
def _mix(x):
    x ^= x >> _S30
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    x ^= x >> _S31
    return x


@njit(cache=True, inline="always")
def _u(key, i):
    return float(_mix(np.uint64(i) * _G + key) >> _S11) * _UNIT


@njit(cache=True, inline="always")
def _u2(key, i, j):
    x = _mix(np.uint64(i) * _G + key)
    return float(_mix(x + np.uint64(j) * _G) >> _S11) * _UNIT


@njit(cache=True)
def hash_uniform_nb(key, ids):
    """Uniforms for ``ids`` under ``key`` (same numbers as rng.hash_uniform)."""
    out = np.empty(ids.size, dtype=np.float64)
    for k in range(ids.size):
        out[k] = _u(key, ids[k])
    return out


@njit(cache=True)
def select_below(ids, key, p):
    """The ids whose uniform is below ``p``."""
    out = np.empty(ids.size, dtype=np.int64)
    k = 0
    for i in ids:
        if _u(key, i) < p:
            out[k] = i
            k += 1
    return out[:k]


@njit(cache=True)
def scan_below(status, code, key, p):
    """Everybody with ``status == code`` whose uniform is below ``p``, in id order."""
    out = np.empty(64, dtype=np.int64)
    k = 0
    if p <= 0.0:
        return out[:0]
    for i in range(status.size):
        if status[i] == code and _u(key, i) < p:
            if k == out.size:
                grown = np.empty(out.size * 2, dtype=np.int64)
                grown[:k] = out
                out = grown
            out[k] = i
            k += 1
    return out[:k]


@njit(cache=True)
def scan_two(status, code, key_a, p_a, key_b, p_b):
    """One pass, two independent draws: those with ``status == code`` below ``p_a`` under
    ``key_a``, and those below ``p_b`` under ``key_b`` (e.g. contacts and baseline churn)."""
    a = np.empty(64, dtype=np.int64)
    b = np.empty(64, dtype=np.int64)
    na = 0
    nb = 0
    for i in range(status.size):
        if status[i] != code:
            continue
        if p_a > 0.0 and _u(key_a, i) < p_a:
            if na == a.size:
                g = np.empty(a.size * 2, dtype=np.int64)
                g[:na] = a
                a = g
            a[na] = i
            na += 1
        if p_b > 0.0 and _u(key_b, i) < p_b:
            if nb == b.size:
                g = np.empty(b.size * 2, dtype=np.int64)
                g[:nb] = b
                b = g
            b[nb] = i
            nb += 1
    return a[:na], b[:nb]


@njit(cache=True)
def acquire(status, deterred_until, changed_at, t, key, p_acquire, p_winback):
    """Marketing acquisitions (prospects) and win-backs (former customers) this step.

    Only people not deterred and whose status did not change this step are eligible; one
    uniform per person serves both (the groups are disjoint). Also counts everybody still
    deterred after this step.
    """
    mk = np.empty(64, dtype=np.int64)
    wb = np.empty(64, dtype=np.int64)
    nm = 0
    nw = 0
    deterred = 0
    for i in range(status.size):
        s = status[i]
        if s == 1:
            continue
        d = deterred_until[i]
        if d > t + 1:
            deterred += 1
        if d > t or changed_at[i] == t:
            continue
        u = _u(key, i)
        if s == 0 and u < p_acquire:
            if nm == mk.size:
                g = np.empty(mk.size * 2, dtype=np.int64)
                g[:nm] = mk
                mk = g
            mk[nm] = i
            nm += 1
        elif s == 2 and u < p_winback:
            if nw == wb.size:
                g = np.empty(wb.size * 2, dtype=np.int64)
                g[:nw] = wb
                wb = g
            wb[nw] = i
            nw += 1
    return mk[:nm], wb[:nw], deterred


@njit(cache=True)
def pick_neighbours(indptr, indices, tellers, use, key):
    """``use[k]`` distinct neighbours of each teller: those with the smallest keys.

    A neighbour's key depends only on (key, directed edge), so telling one more person
    keeps the ones already told (nested choices: good for common random numbers).
    """
    total = 0
    for k in range(tellers.size):
        total += use[k]
    out = np.empty(total, dtype=np.int64)
    pos = 0
    for k in range(tellers.size):
        a = indptr[tellers[k]]
        b = indptr[tellers[k] + 1]
        d = b - a
        m = use[k]
        if m >= d:
            for e in range(a, b):
                out[pos] = indices[e]
                pos += 1
            continue
        keys = np.empty(d, dtype=np.float64)
        for e in range(d):
            keys[e] = _u(key, a + e)
        order = np.argsort(keys)
        for j in range(m):
            out[pos] = indices[a + order[j]]
            pos += 1
    return out
