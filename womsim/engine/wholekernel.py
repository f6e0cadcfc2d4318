"""The compiled loop of :mod:`womsim.engine.wholerun`: every step of a plain run in one call.

At 100k people a step's work is a few thousand people per mechanism, but the step in
:mod:`womsim.engine.step` makes about a hundred Python and numpy calls to do it, which is
most of its millisecond; a tornado makes 38 runs per seed of 104 steps each. Here the
whole loop over steps runs compiled, calling the step's own kernels (:func:`outcomes`,
:func:`tell_wave`, :func:`acquisitions`, the friend tally, the revenue sums) in the
step's order with the step's keys, so the numbers are the step's, bit for bit
(``tests/test_wholerun.py`` compares every record with :func:`womsim.engine.step.run`).

Only what does not depend on the run's own state comes in from outside: the shared
candidates of the sparse draws, the keys of every (mechanism, step), and tables made by
the Python formulas (telling counts, the chance of acting on h stories) so that no
floating-point formula is re-implemented here.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numba.cpython.unsafe.numbers import trailing_zeros

from womsim.core.jitcache import configure
from womsim.core.prefetch import prefetch
from womsim.engine.bernoulli import BITS_TIERS, _by_bits, _by_gaps, _zero_groups
from womsim.engine.fused import acquisitions, outcomes
from womsim.engine.kernels import GOLDEN, splitmix64, tell_wave
from womsim.engine.kernels import uniform_at as _u
from womsim.engine.ledger import _group_sums
from womsim.network.memberbits import update_ends_bits

configure()  # before the first @njit(cache=True): a read-only install caches elsewhere

__all__ = ["FLOATS", "INTS", "KEYS", "PARAMS", "whole_run"]

# a person's status (engine.state)
_PROSPECT, _CUSTOMER, _FORMER = 0, 1, 2
# slot ids of tellings beyond a teller's friends (engine.wordofmouth)
_SURPLUS_SLOT = 1 << 24
# how many people ahead the listeners' random reads are asked for (core.prefetch)
_AHEAD = 16

#: The keys of each step, in the order of the key table's columns: (mechanism, extra).
KEYS: tuple[tuple[str, int], ...] = (
    ("contact", -1), ("churn", -1), ("contact_join", 0), ("churn_join", 0),
    ("experience", 0), ("complaint", 0), ("resolution", 0), ("defection", 0),
    ("tell_count", 0), ("tell_count", 1), ("tell_slot", 0), ("tell_slot", 1),
    ("weak_target", 0), ("weak_target", 1), ("listener", 0), ("listener", 1),
    ("deter", 0), ("wom_defection", 0), ("referral", 0), ("acquire", -1))  # -1: THIN

#: The columns of the per-step parameter table.
PARAMS: tuple[str, ...] = (
    "p_contact/q", "p_churn/q", "p_contact/2", "half_churn", "d_share", "p_share",
    "complain", "resolved", "quick", "leave_silent", "leave_unresolved", "leave_resolved",
    "leave_quick", "weak_share", "p_marketing/q", "p_winback/q", "memory_steps")

#: The integer records of each step the kernel returns, in column order.
INTS: tuple[str, ...] = (
    "prospects", "customers", "former", "deterred", "contacts", "delighted", "problems",
    "silent", "complaints", "resolved_quickly", "resolved", "unresolved",
    "defect_silent", "defect_unresolved", "defect_resolved", "defect_resolved_quickly",
    "defect_experience", "defect_wom", "defect_baseline", "acq_marketing",
    "acq_referral", "acq_winback", "newly_deterred", "neg_tellings_strong",
    "neg_tellings_weak", "pos_tellings_strong", "pos_tellings_weak",
    "neg_tellings_silent", "neg_untold", "pos_untold", "neg_hearings", "pos_hearings",
    "friend_same", "friend_total")

#: The float records: the revenue per year of each group (lost to experience, baseline
#: and word of mouth; won by referral, marketing and win-back).
FLOATS: tuple[str, ...] = ("lost_experience", "lost_baseline", "lost_wom",
                           "won_referral", "won_marketing", "won_winback")

@njit(cache=True)
def _quantile(u, guide, size, cdf):
    # Telling.quantile of one uniform: the guide's first guess, else a binary search
    idx = guide[np.int64(u * size)]
    if cdf[idx] <= u:
        # np.searchsorted(cdf, u, side="right") for a cdf without NaN, written out: numba's
        # searchsorted costs a first run ~1.5 s of compiling (its NaN and dtype cases)
        lo, hi = idx + 1, cdf.size
        while lo < hi:
            mid = (lo + hi) >> 1
            if cdf[mid] <= u:
                lo = mid + 1
            else:
                hi = mid
        idx = lo
    return idx


@njit(cache=True)
def _tell(tellers, key_count, key_slot, key_weak, key_listener, guide, size, cdf,
          weak_share, indptr, indices, n, mixed):
    # _WordOfMouth.tell: each teller's count by its uniform, then one wave of tellings
    m = tellers.size
    who = np.empty(m, dtype=np.int64)
    k = np.empty(m, dtype=np.int64)
    c = 0
    for j in range(m):
        kk = _quantile(_u(key_count, tellers[j]), guide, size, cdf)
        if kk > 0:
            who[c] = tellers[j]
            k[c] = kk
            c += 1
    if c == 0:
        return np.empty(0, dtype=np.int64), 0, 0, 0
    out, _, count, n_strong, n_weak, n_untold = tell_wave(
        indptr, indices, who[:c], k[:c], key_slot, key_weak, key_listener, weak_share, n,
        np.int64(_SURPLUS_SLOT), mixed)
    return out[:count], n_strong, n_weak, n_untold


@njit(cache=True)
def _sorted(a):
    # np.sort of person ids (int64), as a radix sort by 11 bits of (id - the least): numba's
    # np.sort (a generic quicksort of a dozen nested functions) costs a first run ~1.5 s of
    # compiling in each process that compiles a caller; ids are ints, so any order-correct
    # sort gives np.sort's array
    m = a.size
    out = a.copy()
    if m < 2:
        return out
    lo = out.min()
    span = out.max() - lo
    if m <= 32 or span == 0:  # insertion sort: too few for the counting passes to pay
        for i in range(1, m):
            x = out[i]
            j = i - 1
            while j >= 0 and out[j] > x:
                out[j + 1] = out[j]
                j -= 1
            out[j + 1] = x
        return out
    tmp = np.empty(m, dtype=np.int64)
    count = np.empty(2048, dtype=np.int64)
    shift = 0
    while (span >> shift) > 0:  # each pass stable, least significant digit first
        for d in range(2048):
            count[d] = 0
        for i in range(m):
            count[((out[i] - lo) >> shift) & 2047] += 1
        at = 0
        for d in range(2048):
            c = count[d]
            count[d] = at
            at += c
        for i in range(m):
            d = ((out[i] - lo) >> shift) & 2047
            tmp[count[d]] = out[i]
            count[d] += 1
        out, tmp = tmp, out
        shift += 11
    return out


@njit(cache=True)
def _union(a, b):
    # np.union1d of an increasing array and any other: sorted distinct ids
    bs = _sorted(b)
    out = np.empty(a.size + bs.size, dtype=np.int64)
    i = j = k = 0
    while i < a.size or j < bs.size:
        if j == bs.size or (i < a.size and a[i] <= bs[j]):
            x = a[i]
            i += 1
        else:
            x = bs[j]
            j += 1
        if k == 0 or x != out[k - 1]:
            out[k] = x
            k += 1
    return out[:k]


@njit(cache=True)
def _cat(parts_a, parts_b, parts_c):
    out = np.empty(parts_a.size + parts_b.size + parts_c.size, dtype=np.int64)
    k = 0
    for x in parts_a:
        out[k] = x
        k += 1
    for x in parts_b:
        out[k] = x
        k += 1
    for x in parts_c:
        out[k] = x
        k += 1
    return out


@njit(cache=True)
def _tally(first, second, count):
    # who heard the stories told to the people of first and second, in order of first
    # hearing, and how many each; ``count`` (zeros, one per person) is left as found. Two
    # random touches per story, where sorting the stories (as the step does) cost a
    # third of the run at a million people; the listeners' decisions depend on the person
    # alone, so the order they are taken in changes no number.
    heard = np.empty(first.size + second.size, dtype=np.int64)
    k = 0
    for part in (first, second):
        m = part.size
        for j in range(m):
            if j + _AHEAD < m:
                prefetch(count, part[j + _AHEAD])
            x = part[j]
            if count[x] == 0:
                heard[k] = x
                k += 1
            count[x] += 1
    times = np.empty(k, dtype=np.int64)
    for j in range(k):
        times[j] = count[heard[j]]
        count[heard[j]] = 0
    return heard[:k], times


@njit(cache=True)
def _candidates(key, n, tier):
    # bernoulli_subset(key, n, tier), or none (tier -1: a rate of 0)
    if tier < 0:
        return np.empty(0, dtype=np.int64)
    if tier == 0:
        return np.arange(n, dtype=np.int64)
    if tier <= BITS_TIERS:
        return _by_bits(key, n, tier)
    return _by_gaps(key, n, 2.0 ** -tier)


_G = np.uint64(GOLDEN)
_ONE64 = np.uint64(1)
_TOP = np.uint64(1) << np.uint64(63)


@njit(cache=True)
def _spread_table(tier):
    # bit j of a byte -> bit j * tier: a word's people (one bit each) onto its groups' lowest
    # bits, one lookup per 8 people
    sp = np.zeros(256, dtype=np.uint64)
    for b in range(256):
        v = np.uint64(0)
        for j in range(8):
            if (b >> j) & 1:
                v |= _ONE64 << np.uint64(j * tier)
        sp[b] = v
    return sp


@njit(cache=True)
def _draw4(key, n, bits, key_u, p, sp, out):
    # _customer_draw at tier 4, written out: a member word's 64 people are four hashed
    # words' 16 groups, with constant shifts
    words = (n + 15) // 16
    low = np.uint64(0x1111111111111111)
    k = 0
    cap = out.size
    for q in range((words + 3) // 4):
        if k + 64 > cap:
            return -1
        cw = bits[q]
        for sub in range(4):
            w = 4 * q + sub
            c = (cw >> np.uint64(16 * sub)) & np.uint64(0xFFFF)
            s = sp[c & np.uint64(255)] | (sp[c >> np.uint64(8)] << np.uint64(32))
            x = splitmix64(np.uint64(w + 1) * _G + key)
            y = x | (x >> _ONE64)
            y |= y >> np.uint64(2)
            s &= ~y & low
            base = w * 16
            while s != 0:
                i = base + (trailing_zeros(s) >> 2)
                out[k] = i
                k += np.int64(_u(key_u, i) < p)
                s &= s - _ONE64
    return k


@njit(cache=True)
def _customer_draw(key, n, tier, bits, key_u, p, sp, group, out):
    # the contact draw of a networked run, fused: bernoulli_subset(key, n, tier) (by bits,
    # 1 <= tier <= BITS_TIERS) kept to the customers of ``bits`` (one bit per person, none
    # at or past n) whose uniform under ``key_u`` is below ``p``, in increasing order: the
    # people of the candidates filtered one by one, without taking out the others (the
    # spread table ``sp`` puts a word's customer bits on its groups' lowest bits). Writes
    # them to ``out`` and returns how many, or -1 if ``out`` may be too small (the caller
    # grows it and draws again: a buffer grown in the loop took twice the time)
    if tier == 4:
        return _draw4(key, n, bits, key_u, p, sp, out)
    g = 64 // tier
    words = (n + g - 1) // g
    low = np.uint64(0)
    for j in range(g):
        low |= _ONE64 << np.uint64(j * tier)
    gmask = (_ONE64 << np.uint64(g)) - _ONE64 if g < 64 else ~np.uint64(0)
    nb = bits.size
    k = 0
    cap = out.size
    for w in range(words):
        if k + g > cap:
            return -1
        base = w * g
        q = base >> 6
        off = base & 63
        c = bits[q] >> np.uint64(off)
        if off + g > 64 and q + 1 < nb:
            c |= bits[q + 1] << np.uint64(64 - off)
        c &= gmask
        if tier == 1:
            s = c
        else:
            s = np.uint64(0)
            for b in range((g + 7) >> 3):
                s |= sp[(c >> np.uint64(8 * b)) & np.uint64(255)] << np.uint64(8 * b * tier)
        s &= _zero_groups(splitmix64(np.uint64(w + 1) * _G + key), tier, low)
        while s != 0:
            i = base + group[trailing_zeros(s)]
            out[k] = i
            k += np.int64(_u(key_u, i) < p)
            s &= s - _ONE64
    return k


@njit(cache=True)
def _move(hist, old, new):
    # a person's deterred-until step moves: the tally of who is deterred past each step
    if old > 0:
        hist[old] -= 1
    if new > 0:
        hist[new] += 1


@njit(cache=True, inline="always")
def _bad_news(heard, times, cap, status, has_alt, deterred_until, hist, chance, key_deter,
              key_wom, t, memory, new_det, late, late_until, wom_left):
    # engine.hearings._bad_news of the step's listeners (``times[j]`` stories each, from
    # 1; ``chance``: the deter and defect rows of the step's chance table): who is newly
    # deterred, whose deterrence ends later than the step can say yet (``late``, applied
    # after acquisition), who leaves us; returns how many of each, or -1s when a listener
    # heard more stories than the table holds (the caller runs the step instead). Inlined
    # into both whole runs: one copy of the rule, no call per step
    na = nl = nw = 0
    m = heard.size
    for j in range(m):
        if times[j] > cap:
            return -1, -1, -1
        if j + _AHEAD < m:
            ahead = heard[j + _AHEAD]
            prefetch(status, ahead)
            prefetch(deterred_until, ahead)
            prefetch(has_alt, ahead)
        i = heard[j]
        if status[i] != _CUSTOMER:
            pd = chance[0, times[j] - 1]
            ud = _u(key_deter, i)
            if ud < pd:
                if deterred_until[i] <= t:
                    new_det[na] = i
                    na += 1
                v = ud / pd
                until = t + np.int64(np.ceil(v + memory - 0.5))
                if v < 0.5:
                    if until > deterred_until[i]:
                        _move(hist, deterred_until[i], until)
                        deterred_until[i] = until
                else:
                    late[nl] = i
                    late_until[nl] = until
                    nl += 1
        elif has_alt[i] and _u(key_wom, i) < chance[1, times[j] - 1]:
            wom_left[nw] = i
            nw += 1
    return na, nl, nw


@njit(cache=True, inline="always")
def _over(times, cap):
    # whether a listener heard more stories than the chance tables hold (``cap``)
    for x in times:
        if x > cap:
            return True
    return False


@njit(cache=True)
def _desk_mix(load, grid, rows):
    # MixTable's scalar lookup: linear per column, clipped to the grid's ends and to
    # [0, 1], renormalised; the same operations in the same order, so the same floats
    m = grid.size
    if load <= grid[0]:
        a, b, c = rows[0, 0], rows[0, 1], rows[0, 2]
    elif load >= grid[m - 1]:
        a, b, c = rows[m - 1, 0], rows[m - 1, 1], rows[m - 1, 2]
    else:
        j = np.searchsorted(grid, load, side="right") - 1
        f = (load - grid[j]) / (grid[j + 1] - grid[j])
        a = rows[j, 0] + (rows[j + 1, 0] - rows[j, 0]) * f
        b = rows[j, 1] + (rows[j + 1, 1] - rows[j, 1]) * f
        c = rows[j, 2] + (rows[j + 1, 2] - rows[j, 2]) * f
    a, b, c = min(max(a, 0.0), 1.0), min(max(b, 0.0), 1.0), min(max(c, 0.0), 1.0)
    total = a + b + c
    return a / total, c / total


# nogil: the runs of a grid can share a process's cores in threads (the kernel touches no
# Python object; each run writes only its own state arrays)
@njit(cache=True, nogil=True)
def whole_run(n: int, indptr: np.ndarray, indices: np.ndarray, mixed: bool,
              status: np.ndarray, revenue: np.ndarray, has_alt: np.ndarray,
              changed_at: np.ndarray, deterred_until: np.ndarray, bits: np.ndarray,
              same: int, total: int, cand_contact: np.ndarray, off_contact: np.ndarray,
              cand_churn: np.ndarray, off_churn: np.ndarray, cand_acquire: np.ndarray,
              off_acquire: np.ndarray, keys: np.ndarray, par: np.ndarray, rates: np.ndarray,
              tel_step: np.ndarray, guides: np.ndarray, guide_off: np.ndarray,
              guide_size: np.ndarray, cdfs: np.ndarray, cdf_off: np.ndarray,
              chance_step: np.ndarray, chances: np.ndarray, hist_size: int,
              contact_keys: np.ndarray, contact_tiers: np.ndarray,
              desk_step: np.ndarray, desk_par: np.ndarray, loads: np.ndarray,
              table: np.ndarray, table_off: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, int]:
    """Every step of a plain run, in place on the state arrays given (copies of the
    initial state). Returns ``(ints, floats, code)``: per step the :data:`INTS` and
    :data:`FLOATS` records (and a seventh float, the problem share of a desk's step), and
    0, or 1 when a listener heard more stories in a step than the chance tables hold, 2
    when a calendar's multiplier takes a desk's load past its curve or problems above 1
    (the caller then runs the scenario with the step instead, which says why).

    ``cand_*``/``off_*``: each step's sparse candidates, concatenated (step t's are
    ``cand[off[t]:off[t + 1]]``); ``keys[t]``: the :data:`KEYS`; ``par[t]``: the
    :data:`PARAMS`; ``rates[t]``: the outcome kernel's row; ``tel_step[t]``: the negative
    and positive telling's index into the guide and cdf tables; ``chance_step[t]``: the
    row of ``chances`` (deter, defect, referral by the number of stories heard, from 1).
    ``contact_keys[t]`` and ``contact_tiers[t]`` (both empty: the contacts' candidates
    come packed in ``cand_contact``): the key and tier of each step's contact candidates
    (:func:`womsim.engine.rng.sparse_candidates`), drawn here.
    ``desk_step[t]``: the step's desk table (-1: the fixed mix of ``rates[t]``), whose
    load grid is ``loads[table_off[k]:table_off[k + 1]]`` and mix rows the same rows of
    ``table``; ``desk_par[t]``: the step's contact rate, contact and problem multipliers.
    """
    steps = keys.shape[0]
    ints = np.zeros((steps, len(INTS)), dtype=np.int64)
    floats = np.zeros((steps, 7), dtype=np.float64)
    counts = np.zeros(3, dtype=np.int64)
    for i in range(n):
        counts[status[i]] += 1
    hist = np.zeros(hist_size, dtype=np.int64)
    tally = np.zeros(n, dtype=np.int32)  # stories heard this step, by person (kept at 0)
    for i in range(n):
        if deterred_until[i] > 0:
            hist[deterred_until[i]] += 1
    joined = np.empty(0, dtype=np.int64)
    forced = np.empty(0, dtype=np.int64)
    no_labels = np.empty(0, dtype=np.int8)
    row = np.empty((1, rates.shape[1]), dtype=np.float64)
    bounds = np.zeros(7, dtype=np.int64)
    cap = chances.shape[2]
    # the fused contact draw's spread table (made for the tier in use), group table and
    # buffer: allocated once per run, a fifth over the expected contacts of the first step
    sp = np.zeros(256, dtype=np.uint64)
    sp_tier = 0
    group = np.empty(64, dtype=np.int64)
    buf = np.empty(0, dtype=np.int64)
    if not mixed and contact_keys.size:
        lo = BITS_TIERS
        for t in range(steps):
            if 1 <= contact_tiers[t] < lo:
                lo = contact_tiers[t]
        buf = np.empty((n >> lo) // 2 + 1024, dtype=np.int64)
    for t in range(steps):
        kt = keys[t]
        pt = par[t]
        # 1. contacts and baseline churn: the shared candidates thinned to our customers
        ct = contact_tiers[t] if contact_keys.size else -1
        if not mixed and 1 <= ct <= BITS_TIERS:
            # fused: only the candidates who are customers (the member bits, kept up to
            # date with the status) are taken out of the hashed words
            if ct != sp_tier:
                sp = _spread_table(ct)
                for j in range(64):
                    group[j] = j // ct
                sp_tier = ct
            nc = _customer_draw(contact_keys[t], n, ct, bits, kt[0], pt[0], sp, group, buf)
            while nc < 0:
                buf = np.empty(2 * buf.size, dtype=np.int64)
                nc = _customer_draw(contact_keys[t], n, ct, bits, kt[0], pt[0], sp, group,
                                    buf)
            contacted = buf[:nc]
        elif contact_keys.size:
            # drawn here, step by step: a run of its own keeps no pack of every step's
            # candidates (50 MB at a million people, half a gigabyte at ten million)
            cand = _candidates(contact_keys[t], n, contact_tiers[t])
            contacted = np.empty(cand.size, dtype=np.int64)
            nc = 0
            for j in range(cand.size):
                i = cand[j]
                # the status first: only our customers (a third) need their hash
                if status[i] == _CUSTOMER and _u(kt[0], i) < pt[0]:
                    contacted[nc] = i
                    nc += 1
            contacted = contacted[:nc]
        else:
            a, b = off_contact[t], off_contact[t + 1]
            contacted = np.empty(b - a, dtype=np.int64)
            nc = 0
            for j in range(a, b):
                i = cand_contact[j]
                if status[i] == _CUSTOMER and _u(kt[0], i) < pt[0]:
                    contacted[nc] = i
                    nc += 1
            contacted = contacted[:nc]
        a, b = off_churn[t], off_churn[t + 1]
        churn = np.empty(b - a, dtype=np.int64)
        nb = 0
        for j in range(a, b):
            i = cand_churn[j]
            if status[i] == _CUSTOMER and _u(kt[1], i) < pt[1]:
                churn[nb] = i
                nb += 1
        churn = churn[:nb]
        # the last step's newcomers: half a step more of contacts and of churn
        more_c = np.empty(joined.size, dtype=np.int64)
        more_b = np.empty(joined.size, dtype=np.int64)
        mc = mb = 0
        for j in range(joined.size):
            i = joined[j]
            if status[i] != _CUSTOMER:
                continue
            if _u(kt[2], i) < pt[2]:
                more_c[mc] = i
                mc += 1
            if _u(kt[3], i) < pt[3]:
                more_b[mb] = i
                mb += 1
        if joined.size:
            contacted = _union(contacted, more_c[:mc])
            churn = _union(churn, more_b[:mb])
        # 2-4. experience, complaints, defection by outcome group, baseline churn
        for j in range(rates.shape[1]):
            row[0, j] = rates[t, j]
        k = desk_step[t]
        if k >= 0:
            # the desk's mix at the load of the customers at the step's start
            grid = loads[table_off[k]:table_off[k + 1]]
            load = float(counts[_CUSTOMER]) * desk_par[t, 0]
            d_share, p_share = _desk_mix(load, grid, table[table_off[k]:table_off[k + 1]])
            c_scale, p_scale = desk_par[t, 1], desk_par[t, 2]
            if c_scale != 1.0 and max(load, load / c_scale) > grid[grid.size - 1]:
                return ints, floats, 2
            if p_scale != 1.0:
                raised = p_share * p_scale
                if raised > 1 + 1e-12:
                    return ints, floats, 2
                raised = min(raised, 1.0)
                d_share, p_share = min(d_share, 1.0 - raised), raised
            row[0, 0], row[0, 1] = d_share, p_share
            floats[t, 6] = p_share
        (delighted, problem, silent, complainers, quick, slow, unresolved, l0, l1, l2, l3,
         base_left) = outcomes(contacted, forced, churn, status, has_alt, changed_at, t,
                               kt[4:8].copy(), no_labels, row)
        # 5. word of mouth: silent and unresolved apart, then the good stories
        gn = tel_step[t, 0]
        gp = tel_step[t, 1]
        g_neg = guides[guide_off[gn]:guide_off[gn + 1]]
        c_neg = cdfs[cdf_off[gn]:cdf_off[gn + 1]]
        g_pos = guides[guide_off[gp]:guide_off[gp + 1]]
        c_pos = cdfs[cdf_off[gp]:cdf_off[gp + 1]]
        neg_s, ns_s, nw_s, nu_s = _tell(silent, kt[8], kt[10], kt[12], kt[14], g_neg,
                                        guide_size[gn], c_neg, pt[13], indptr, indices, n,
                                        mixed)
        neg_u, ns, nw, nu = _tell(unresolved, kt[8], kt[10], kt[12], kt[14], g_neg,
                                  guide_size[gn], c_neg, pt[13], indptr, indices, n, mixed)
        pos, ps, pw, pu = _tell(_cat(delighted, slow, quick), kt[9], kt[11], kt[13], kt[15],
                                g_pos, guide_size[gp], c_pos, pt[13], indptr, indices, n,
                                mixed)
        # 6. listeners of bad stories (engine.hearings._bad_news), then of good ones
        ch = chance_step[t]
        n_neg = neg_s.size + neg_u.size
        new_det = np.empty(0, dtype=np.int64)
        wom_left = np.empty(0, dtype=np.int64)
        late = np.empty(0, dtype=np.int64)
        late_until = np.empty(0, dtype=np.int64)
        if n_neg:
            heard, times = _tally(neg_s, neg_u, tally)
            h = heard.size
            new_det = np.empty(h, dtype=np.int64)
            late = np.empty(h, dtype=np.int64)
            late_until = np.empty(h, dtype=np.int64)
            wom_left = np.empty(h, dtype=np.int64)
            na, nl, nw_ = _bad_news(heard, times, cap, status, has_alt, deterred_until, hist,
                                    chances[ch], kt[16], kt[17], t, pt[16], new_det, late,
                                    late_until, wom_left)
            if na < 0:
                return ints, floats, 1
            for j in range(nw_):
                status[wom_left[j]] = _FORMER
            # in increasing order, as the step has them (their revenue is summed in order)
            new_det, late, late_until, wom_left = (new_det[:na], late[:nl],
                                                   late_until[:nl], _sorted(wom_left[:nw_]))
        won_ref = np.empty(0, dtype=np.int64)
        if pos.size:
            heard, times = _tally(pos, pos[:0], tally)
            won_ref = np.empty(heard.size, dtype=np.int64)
            c = 0
            m = heard.size
            for j in range(m):
                if times[j] > cap:
                    return ints, floats, 1
                if j + _AHEAD < m:
                    prefetch(status, heard[j + _AHEAD])
                    prefetch(deterred_until, heard[j + _AHEAD])
                i = heard[j]
                if status[i] == _PROSPECT and deterred_until[i] <= t \
                        and _u(kt[18], i) < chances[ch, 2, times[j] - 1]:
                    won_ref[c] = i
                    c += 1
            won_ref = _sorted(won_ref[:c])
            for j in range(c):
                status[won_ref[j]] = _CUSTOMER
        for j in range(wom_left.size):
            changed_at[wom_left[j]] = t
        for j in range(won_ref.size):
            changed_at[won_ref[j]] = t
        # 7. acquisition: marketing and win-back among the shared candidates
        mk, wb = acquisitions(cand_acquire[off_acquire[t]:off_acquire[t + 1]], status,
                              deterred_until, changed_at, t, kt[19], pt[14], pt[15])
        joined = _cat(won_ref, mk, wb)
        deterred = 0
        for later in range(t + 1, hist_size):
            deterred += hist[later]
        for j in range(late.size):
            i = late[j]
            if status[i] != _CUSTOMER and late_until[j] > deterred_until[i]:
                _move(hist, deterred_until[i], late_until[j])
                deterred_until[i] = late_until[j]
        # 8. accounting: the groups' revenue, the counts and the friend tally
        n_exp = l0.size + l1.size + l2.size + l3.size
        sizes = (n_exp, base_left.size, wom_left.size, won_ref.size, mk.size, wb.size)
        changed = np.empty(n_exp + base_left.size + wom_left.size + won_ref.size + mk.size
                           + wb.size, dtype=np.int64)
        k = 0
        for part in (l0, l1, l2, l3, base_left, wom_left, won_ref, mk, wb):
            for x in part:
                changed[k] = x
                k += 1
        for j in range(6):
            bounds[j + 1] = bounds[j] + sizes[j]
        # element by element: an array assigned to a row compiles numba's shape-mismatch
        # message (its int and str formatting), ~2.5 s of a first run's compiling
        sums = _group_sums(revenue, changed, bounds)
        for j in range(6):
            floats[t, j] = sums[j]
        n_lost = n_exp + base_left.size + wom_left.size
        n_gain = won_ref.size + mk.size + wb.size
        counts[_CUSTOMER] += n_gain - n_lost
        counts[_FORMER] += n_lost - wb.size
        counts[_PROSPECT] -= won_ref.size + mk.size
        if not mixed:
            now = np.empty(changed.size, dtype=np.bool_)
            for j in range(changed.size):
                now[j] = status[changed[j]] == _CUSTOMER
            same, total = update_ends_bits(indptr, indices, bits, changed, now, same, total)
        r = ints[t]
        r[0], r[1], r[2], r[3] = counts[_PROSPECT], counts[_CUSTOMER], counts[_FORMER], \
            deterred
        r[4], r[5], r[6], r[7] = contacted.size, delighted.size, problem.size, silent.size
        r[8], r[9], r[10], r[11] = complainers.size, quick.size, slow.size, unresolved.size
        r[12], r[13], r[14], r[15] = l0.size, l1.size, l2.size, l3.size
        r[16], r[17], r[18] = n_exp, wom_left.size, base_left.size
        r[19], r[20], r[21], r[22] = mk.size, won_ref.size, wb.size, new_det.size
        r[23], r[24], r[25], r[26] = ns + ns_s, nw + nw_s, ps, pw
        r[27], r[28], r[29] = ns_s + nw_s, nu + nu_s, pu
        r[30], r[31], r[32], r[33] = n_neg, pos.size, same, total
    return ints, floats, 0
