"""The compiled loop of :mod:`womsim.engine.wholemarket`: a market with segments or rivals.

The step of :mod:`womsim.engine.step` and the rivals' part of it
(:func:`womsim.engine.rivals.rival_step`) make a few hundred Python and numpy calls a step
in a market with segments and a rival; here every step runs in one compiled call that
calls the same compiled parts (the thinning of each segment's candidates, the outcomes,
the tellings and their counts by segment, the rivals' passes, the tallies by segment) in
the step's order with the step's keys, so the numbers are the step's, bit for bit
(``tests/test_wholemarket.py``). The plain market's loop is
:func:`womsim.engine.wholekernel.whole_run`; its helpers are reused here.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numba.typed import List

from womsim.core.jitcache import configure
from womsim.core.prefetch import prefetch
from womsim.engine.fused import acquisitions
from womsim.engine.kernels import uniform_at as _u
from womsim.engine.ledger import _group_sums
from womsim.engine.marketsides import RIVAL_SLOT, _draws, _sides
from womsim.engine.rivalkernels import (
    rival_acquire,
    rival_heard_negative,
    rival_heard_positive,
    rival_leave,
    rival_take,
)
from womsim.engine.tally import _tally_groups
from womsim.engine.wholekernel import (
    _AHEAD,
    _bad_news,
    _cat,
    _move,
    _over,
    _sorted,
    _tally,
)
from womsim.engine.wholemarketparts import _ahead
from womsim.network.memberbits import update_ends_bits

configure()  # before the first @njit(cache=True): a read-only install caches elsewhere

__all__ = ["MARKET_INTS", "RIVAL_COUNTS", "market_run"]

_PROSPECT, _CUSTOMER, _FORMER, _RIVAL = 0, 1, 2, 3

#: The integer records of each step beyond :data:`womsim.engine.wholekernel.INTS` (which
#: come first, in its order): our leavers taken by a rival, the rivals' leavers who came to
#: us, those who became prospects, and the rivals' acquisitions and defections in all.
MARKET_INTS: tuple[str, ...] = ("to_rival", "won_from_rival", "to_prospect",
                                "rival_acquisitions", "rival_defections")

#: The per-rival counts of each step (``counts[t, j, r]``), the rivals' step's own.
RIVAL_COUNTS: tuple[str, ...] = ("acquisitions", "defections", "problems", "won_from_us",
                                 "lost_to_us", "neg_tellings", "pos_tellings")

# columns of the rivals' per-step keys (``rkeys[t]``), then per rival (``rkeys_r[t, r]``)
_RK = ("to_rival", "rival_contact_join", "rival_churn_join", "rival_experience",
       "rival_complaint", "rival_resolution", "rival_defection", "rival_wom_defection",
       "from_rival", "rival_acquire")


# nogil: the runs of a grid can share a process's cores in threads
@njit(cache=True, nogil=True)
def market_run(n: int, indptr: np.ndarray, indices: np.ndarray, mixed: bool, status: np.ndarray,
               revenue: np.ndarray, has_alt: np.ndarray, changed_at: np.ndarray,
               deterred_until: np.ndarray, bits: np.ndarray, same: int, total: int,
               segment: np.ndarray, members: np.ndarray, member_off: np.ndarray,
               c_keys: np.ndarray, c_tiers: np.ndarray, c_sizes: np.ndarray, c_q: np.ndarray,
               c_ours: np.ndarray, b_keys: np.ndarray, b_tiers: np.ndarray, b_q: np.ndarray,
               b_ours: np.ndarray, a_keys: np.ndarray, a_tiers: np.ndarray, a_q: np.ndarray,
               keys: np.ndarray, par: np.ndarray, rates: np.ndarray, join_c: np.ndarray,
               join_b: np.ndarray, tel_step: np.ndarray, guides: np.ndarray,
               guide_off: np.ndarray, guide_size: np.ndarray, cdfs: np.ndarray,
               cdf_off: np.ndarray, seg_cdf: np.ndarray, seg_cdf_off: np.ndarray,
               seg_start: np.ndarray, chance_step: np.ndarray, chances: np.ndarray,
               hist_size: int, firm: np.ndarray, det_rv: np.ndarray, r_contact: np.ndarray,
               r_churn: np.ndarray, r_half: np.ndarray, r_mix: np.ndarray, r_complain: np.ndarray,
               r_resolved: np.ndarray, r_quick: np.ndarray, r_leave: np.ndarray,
               r_takes: np.ndarray, r_loses: np.ndarray, r_acq_cum: np.ndarray,
               r_memory: np.ndarray, ra_keys: np.ndarray, ra_tiers: np.ndarray, ra_q: np.ndarray,
               rkeys: np.ndarray, rkeys_r: np.ndarray, n_ints: int, threads: int = 1
               ) -> tuple:
    """Every step of a market with segments or rivals, in place on the state arrays.

    Returns ``(ints, floats, seg_counts, seg_values, rival_counts, won, won_off, code,
    apart)``:
    per step the integer records (:data:`womsim.engine.wholekernel.INTS`, then
    :data:`MARKET_INTS`), the revenue of the step's seven groups (lost to experience,
    baseline and word of mouth; won by referral, marketing, win-back and from the rivals),
    the book's tallies by segment (eleven groups counted, the last seven valued), the
    rivals' :data:`RIVAL_COUNTS`, the ids won from the rivals (step t's are
    ``won[won_off[t]:won_off[t + 1]]``), and 0, or 1 when a listener heard more stories in
    a step than the chance tables hold (the caller then runs the step instead); ``apart``:
    the steps whose two parts (the draws, or our side and the rivals' side:
    :mod:`womsim.engine.marketsides`) ran on two threads (``threads=2``: every step; else
    none).

    Our draws: ``c_*`` (contacts) and ``b_*`` (churn) per step and part (a segment, or the
    market: one part) the candidates' key, tier, size and rate, and our rate ``*_ours``;
    the rivals' rates are ``r_contact`` and ``r_churn``. ``join_c``/``join_b``: per step
    and segment (one column unsegmented) the newcomers' half-step chances.
    """
    steps = keys.shape[0]
    k = seg_start.shape[1] - 1
    labelled = segment.size > 0
    kr = r_contact.shape[1]
    ints = np.zeros((steps, n_ints), dtype=np.int64)
    floats = np.zeros((steps, 7), dtype=np.float64)
    seg_c = np.zeros((steps, 11, max(k, 1)), dtype=np.float64)
    seg_v = np.zeros((steps, 7, max(k, 1)), dtype=np.float64)
    rc = np.zeros((steps, 7, max(kr, 1)), dtype=np.float64)
    won_all = np.empty(1024, dtype=np.int64)
    won_off = np.zeros(steps + 1, dtype=np.int64)
    code = 0
    counts = np.zeros(4, dtype=np.int64)
    for i in range(n):
        counts[status[i]] += 1
    hist = np.zeros(hist_size, dtype=np.int64)
    tally = np.zeros(n, dtype=np.int32)
    for i in range(n):
        if deterred_until[i] > 0:
            hist[deterred_until[i]] += 1
    joined = np.empty(0, dtype=np.int64)
    r_joined = np.empty(0, dtype=np.int64)
    forced = np.empty(0, dtype=np.int64)
    no_labels = np.empty(0, dtype=np.int8)
    cap = chances.shape[2]
    bounds = np.zeros(8, dtype=np.int64)
    ends = np.zeros(11, dtype=np.int64)
    out = List()
    for _ in range(RIVAL_SLOT + 2 * kr):
        out.append(np.empty(0, dtype=np.int64))
    iv = np.zeros(9 + 4 * kr, dtype=np.int64)
    who = np.zeros(4, dtype=np.int64)  # the threads of the draws' parts, the sides'
    apart = 0  # steps whose parts ran on two threads
    for t in range(steps):
        kt = keys[t]
        pt = par[t]
        theirs_c = r_contact[t]  # empty without rivals
        theirs_b = r_churn[t]
        # 1. contacts and baseline churn (ours and the rivals' customers from one draw
        # each), the acquisitions' candidates
        _draws(threads, who, t, out, c_keys, c_tiers, c_sizes, members, member_off, status,
               firm, kt, c_q, c_ours, theirs_c, b_keys, b_tiers, b_q, b_ours, theirs_b,
               a_keys, a_tiers, n, kr, ra_keys, ra_tiers)
        # 2-5 (ours: the last step's newcomers' half step, experience, complaints,
        # defection by outcome group, baseline churn, word of mouth) beside the rivals'
        # newcomers, service, churn and tellings (engine.marketsides)
        gn = tel_step[t, 0]
        gp = tel_step[t, 1]
        g_neg = guides[guide_off[gn]:guide_off[gn + 1]]
        c_neg = cdfs[cdf_off[gn]:cdf_off[gn + 1]]
        g_pos = guides[guide_off[gp]:guide_off[gp + 1]]
        c_pos = cdfs[cdf_off[gp]:cdf_off[gp + 1]]
        sn = seg_cdf[seg_cdf_off[gn]:seg_cdf_off[gn + 1]]
        sp = seg_cdf[seg_cdf_off[gp]:seg_cdf_off[gp + 1]]
        problems = np.zeros(kr, dtype=np.float64)
        rk = rkeys[t]
        _sides(threads, who, t, out, iv, problems, joined, r_joined, status, firm, segment,
               labelled, no_labels, kt, join_c, join_b, forced, has_alt, changed_at,
               rates[t], rk, rkeys_r[t], r_contact[t], r_half[t], r_mix[t], r_complain[t],
               r_resolved[t], r_quick[t], r_leave[t], kr, sn, seg_start[gn], g_neg,
               guide_size[gn], c_neg, sp, seg_start[gp], g_pos, guide_size[gp], c_pos,
               pt[13], indptr, indices, n, mixed)
        apart += who[0] != who[1] or who[2] != who[3]
        contacted = out[0]
        delighted, problem, silent, complainers = out[6], out[7], out[8], out[9]
        quick, slow, unresolved, l0 = out[10], out[11], out[12], out[13]
        l1, l2, l3, base_left = out[14], out[15], out[16], out[17]
        neg_s, neg_u, pos = out[18], out[19], out[20]
        ns_s, nw_s, nu_s, ns, nw, nu, ps, pw, pu = (iv[0], iv[1], iv[2], iv[3], iv[4],
                                                    iv[5], iv[6], iv[7], iv[8])
        # 6. listeners of bad stories, then of good ones (as engine.wholekernel)
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
                code = 1
                break
            for j in range(nw_):
                status[wom_left[j]] = _FORMER
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
                    code = 1
                    break
                if j + _AHEAD < m:  # as engine.wholekernel: listeners land anywhere
                    prefetch(status, heard[j + _AHEAD])
                    prefetch(deterred_until, heard[j + _AHEAD])
                i = heard[j]
                if status[i] == _PROSPECT and deterred_until[i] <= t \
                        and _u(kt[18], i) < chances[ch, 2, times[j] - 1]:
                    won_ref[c] = i
                    c += 1
            if code:
                break
            won_ref = _sorted(won_ref[:c])
            for j in range(c):
                status[won_ref[j]] = _CUSTOMER
        for j in range(wom_left.size):
            changed_at[wom_left[j]] = t
        for j in range(won_ref.size):
            changed_at[won_ref[j]] = t
        # 7. acquisition: marketing and win-back among the step's candidates
        mk, wb = acquisitions(out[4], status, deterred_until, changed_at, t, kt[19],
                              pt[14] / a_q[t], pt[15] / a_q[t])
        joined = _cat(won_ref, mk, wb)
        deterred = 0
        for later in range(t + 1, hist_size):  # (v is a float above)
            deterred += hist[later]
        for j in range(late.size):
            i = late[j]
            if status[i] != _CUSTOMER and late_until[j] > deterred_until[i]:
                _move(hist, deterred_until[i], late_until[j])
                deterred_until[i] = late_until[j]
        n_exp = l0.size + l1.size + l2.size + l3.size
        exp_left = np.empty(n_exp, dtype=np.int64)
        m = 0
        for part in (l0, l1, l2, l3):
            for x in part:
                exp_left[m] = x
                m += 1
        # the rivals' part of the step (engine.rivals.rival_step), after ours
        r_won = np.empty(0, dtype=np.int64)
        n_to_rival = n_back = 0
        if kr:
            rct = rc[t]
            leavers = _cat(exp_left, base_left, wom_left)
            won_from_us = np.zeros(kr, dtype=np.float64)
            to_rival = rival_take(leavers, has_alt, rk[0], r_takes[t], status, firm,
                                  won_from_us)
            n_to_rival = to_rival.size
            left = out[21]
            new = to_rival
            acquired = np.zeros(kr, dtype=np.float64)
            for r in range(kr):
                kk = rkeys_r[t, r]
                neg = out[RIVAL_SLOT + 2 * r]
                pos_r = out[RIVAL_SLOT + 2 * r + 1]
                rct[5, r] = iv[9 + 4 * r] + iv[10 + 4 * r]
                rct[6, r] = iv[11 + 4 * r] + iv[12 + 4 * r]
                if neg.size:
                    # in order of first hearing, not sorted (as heard_counts has them): each
                    # listener's draws are its own, so only the order of who leaves shows,
                    # and that is sorted below (a sort of every listener cost a sixth of
                    # the rivals' part at a million people)
                    heard, times = _tally(neg, neg[:0], tally)
                    if _over(times, cap):
                        code = 1
                        break
                    moved = rival_heard_negative(
                        heard, times, r, t, status, firm, changed_at, has_alt, det_rv[r],
                        _ahead(cap, chances[ch, 0]), _ahead(cap, chances[ch, 1]), kk[0],
                        rk[7], t + 1 + r_memory[t])
                    left = _cat(left, _sorted(moved), moved[:0])
                if pos_r.size:
                    # order-free: who is won goes to the newcomers, whose order never shows
                    heard, times = _tally(pos_r, pos_r[:0], tally)
                    if _over(times, cap):
                        code = 1
                        break
                    w = rival_heard_positive(heard, times, r, t, status, firm, changed_at,
                                             det_rv[r], _ahead(cap, chances[ch, 2]), kk[1])
                    acquired[r] += w.size
                    new = _cat(new, w, w[:0])
            if code:
                break
            defections = np.zeros(kr, dtype=np.float64)
            lost_to_us = np.zeros(kr, dtype=np.float64)
            r_won, n_back = rival_leave(left, firm, rk[8], r_loses[t], deterred_until,
                                        has_alt, status, t, defections, lost_to_us)
            if ra_tiers[t] >= 0:
                w = rival_acquire(out[5], ra_q[t], rk[9], r_acq_cum[t], det_rv, status, firm,
                                  changed_at, t, acquired)
                new = _cat(new, w, w[:0])
            r_joined = new
            for r in range(kr):
                rct[0, r] = acquired[r]
                rct[1, r] = defections[r]
                rct[2, r] = problems[r]
                rct[3, r] = won_from_us[r]
                rct[4, r] = lost_to_us[r]
            joined = _cat(joined, r_won, r_won[:0])
            at = won_off[t]
            if at + r_won.size > won_all.size:
                grown = np.empty(2 * (at + r_won.size), dtype=np.int64)
                grown[:at] = won_all[:at]
                won_all = grown
            for j in range(r_won.size):
                won_all[at + j] = r_won[j]
        won_off[t + 1] = won_off[t] + r_won.size
        # 8. accounting: the groups' revenue, the counts, the friend tally, the book
        changed = _cat(_cat(exp_left, base_left, wom_left), _cat(won_ref, mk, wb), r_won)
        sizes = (n_exp, base_left.size, wom_left.size, won_ref.size, mk.size, wb.size,
                 r_won.size)
        for j in range(7):
            bounds[j + 1] = bounds[j] + sizes[j]
        sums = _group_sums(revenue, changed, bounds)
        for j in range(7):
            floats[t, j] = sums[j]
        n_lost = n_exp + base_left.size + wom_left.size
        n_gain = won_ref.size + mk.size + wb.size + r_won.size
        counts[_CUSTOMER] += n_gain - n_lost
        counts[_FORMER] += n_lost - wb.size
        counts[_PROSPECT] -= won_ref.size + mk.size
        r_acq = r_def = 0
        if kr:
            for r in range(kr):
                r_acq += int(rc[t, 0, r])
                r_def += int(rc[t, 1, r])
            counts[_FORMER] -= n_to_rival
            counts[_RIVAL] += n_to_rival + r_acq - r_def
            counts[_PROSPECT] += n_back - r_acq
        if labelled:
            groups = (contacted, problem, complainers, unresolved, exp_left, wom_left,
                      base_left, mk, won_ref, wb, r_won)
            m = 0
            for g in range(11):
                m += groups[g].size
                ends[g] = m
            ids = np.empty(m, dtype=np.int64)
            m = 0
            for g in range(11):
                for x in groups[g]:
                    ids[m] = x
                    m += 1
            _tally_groups(ids, ends, segment, revenue, seg_c[t], seg_v[t], 4)
        if not mixed:
            now = np.empty(changed.size, dtype=np.bool_)
            for j in range(changed.size):
                now[j] = status[changed[j]] == _CUSTOMER
            same, total = update_ends_bits(indptr, indices, bits, changed, now, same, total)
        r_ = ints[t]
        r_[0], r_[1], r_[2], r_[3] = counts[_PROSPECT], counts[_CUSTOMER], counts[_FORMER], \
            deterred
        r_[4], r_[5], r_[6], r_[7] = contacted.size, delighted.size, problem.size, silent.size
        r_[8], r_[9], r_[10], r_[11] = complainers.size, quick.size, slow.size, unresolved.size
        r_[12], r_[13], r_[14], r_[15] = l0.size, l1.size, l2.size, l3.size
        r_[16], r_[17], r_[18] = n_exp, wom_left.size, base_left.size
        r_[19], r_[20], r_[21], r_[22] = mk.size, won_ref.size, wb.size, new_det.size
        r_[23], r_[24], r_[25], r_[26] = ns + ns_s, nw + nw_s, ps, pw
        r_[27], r_[28], r_[29] = ns_s + nw_s, nu + nu_s, pu
        r_[30], r_[31], r_[32], r_[33] = n_neg, pos.size, same, total
        r_[34], r_[35], r_[36], r_[37], r_[38] = n_to_rival, r_won.size, n_back, r_acq, r_def
    return ints, floats, seg_c, seg_v, rc, won_all[:won_off[steps]], won_off, code, apart
