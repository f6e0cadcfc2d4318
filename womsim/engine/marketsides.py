"""Our side and the rivals' side of a market's step, on one core or on two.

Within a step of :func:`womsim.engine.wholemarketkernel.market_run`, two stretches of work
touch different people and read nothing the other writes:

* the draws: our and the rivals' contacts (one draw), their baseline churn (another), and
  the candidates of our and the rivals' acquisition, all read the status of the step's
  start and write nothing;
* then, our newcomers' half step, our contacts' outcomes and our tellings
  (:func:`_our_side`) beside the rivals' newcomers, their contacts' outcomes, their churn
  and their tellings (:func:`_rival_side`). Our side changes our customers' status and
  ``changed_at``; the rivals' side changes only its own customers' ``changed_at`` and reads
  only their status; a telling reads the graph alone.

Each stretch is cut in two parts (``c`` 0 and 1) that :func:`_draws` and :func:`_sides` run
one after the other, or, with ``threads=2``, at once on two threads (numba's ``prange``
over the two). Every number drawn is a hash of a key and a person
(:func:`womsim.engine.kernels.uniform_at`), never a stream consumed in order, so who runs
a part, and when, changes nothing: the records are the same bit for bit either way
(``tests/test_marketsides.py``). A part leaves its arrays in the typed list ``out`` at
fixed places (:data:`SLOTS`) and its counts in ``iv``.

The rivals' hearings, their leavers and acquisitions stay after our hearings and
acquisitions, as in :func:`womsim.engine.rivals.rival_step`: they read and change the
status our side leaves.
"""

from __future__ import annotations

import numpy as np
from numba import get_thread_id, njit, prange

from womsim.core.jitcache import configure
from womsim.engine.fused import outcomes
from womsim.engine.kernels import uniform_at as _u
from womsim.engine.rivalkernels import rival_service
from womsim.engine.wholekernel import _candidates, _cat, _union
from womsim.engine.wholemarketparts import _draw, _tells

configure()  # before the first @njit(cache=True): a read-only install caches elsewhere

__all__ = ["RIVAL_SLOT", "SLOTS"]

_CUSTOMER, _RIVAL = 1, 3

#: where each part leaves its arrays in ``out``: the draws (0-5), our side's outcome
#: groups (6-17) and tellings (18-20), the rivals' leavers so far (21); each rival's
#: listeners of bad and of good stories from :data:`RIVAL_SLOT` on, two a rival
SLOTS: tuple[str, ...] = (
    "contacted", "r_contacted", "churn", "r_churned", "acquire", "r_acquire",
    "delighted", "problem", "silent", "complainers", "quick", "slow", "unresolved",
    "l0", "l1", "l2", "l3", "base_left", "neg_silent", "neg_unresolved", "pos",
    "r_left")
RIVAL_SLOT = len(SLOTS)


@njit(cache=True, nogil=True)
def _draw_part(c, t, out, c_keys, c_tiers, c_sizes, members, member_off, status, firm, kt,
               c_q, c_ours, theirs_c, b_keys, b_tiers, b_q, b_ours, theirs_b, a_keys, a_tiers,
               n, kr, ra_keys, ra_tiers):
    if c == 0:  # contacts: the bigger part
        mine, other = _draw(c_keys[t], c_tiers[t], c_sizes, members, member_off, status,
                            firm, kt[0], c_q[t], c_ours[t], theirs_c)
        out[0] = mine
        out[1] = other
        return
    mine, other = _draw(b_keys[t], b_tiers[t], c_sizes, members, member_off, status, firm,
                        kt[1], b_q[t], b_ours[t], theirs_b)
    out[2] = mine
    out[3] = other
    out[4] = _candidates(a_keys[t], n, a_tiers[t])
    if kr and ra_tiers[t] >= 0:
        out[5] = _candidates(ra_keys[t], n, ra_tiers[t])
    else:
        out[5] = np.empty(0, dtype=np.int64)


@njit(cache=True, nogil=True, parallel=True)
def _draws(threads, who, t, out, c_keys, c_tiers, c_sizes, members, member_off, status, firm, kt,
           c_q, c_ours, theirs_c, b_keys, b_tiers, b_q, b_ours, theirs_b, a_keys, a_tiers, n, kr,
           ra_keys, ra_tiers):  # pragma: no cover (compiled)
    """The step's draws into ``out[0:6]`` (:data:`SLOTS`): contacts in one part, churn and
    the acquisitions' candidates in the other; with ``threads > 1`` on two threads.
    ``who[c]`` is numba's id of the thread that ran part ``c``."""
    if threads > 1:
        for c in prange(2):
            _draw_part(c, t, out, c_keys, c_tiers, c_sizes, members, member_off, status,
                       firm, kt, c_q, c_ours, theirs_c, b_keys, b_tiers, b_q, b_ours,
                       theirs_b, a_keys, a_tiers, n, kr, ra_keys, ra_tiers)
            who[c] = get_thread_id()
    else:
        for c in range(2):
            _draw_part(c, t, out, c_keys, c_tiers, c_sizes, members, member_off, status,
                       firm, kt, c_q, c_ours, theirs_c, b_keys, b_tiers, b_q, b_ours,
                       theirs_b, a_keys, a_tiers, n, kr, ra_keys, ra_tiers)
            who[c] = get_thread_id()


@njit(cache=True, nogil=True)
def _our_side(t, out, iv, joined, status, segment, labelled, no_labels, kt, join_c, join_b, forced,
              has_alt, changed_at, rates_t, sn, st_n, g_neg, gs_neg, c_neg, sp, st_p, g_pos, gs_pos,
              c_pos, weak, indptr, indices, n, mixed):
    """Our newcomers' half step, our contacts' outcomes and our tellings: ``out[0]`` and
    ``out[2]`` (the contacted and the churn candidates) grown by the newcomers, the
    outcome groups in ``out[6:18]``, the listeners in ``out[18:21]`` and the tellings'
    counts in ``iv[0:9]`` (strong, weak, untold of the silent, the unresolved, the
    good)."""
    contacted = out[0]
    churn = out[2]
    more_c = np.empty(joined.size, dtype=np.int64)
    more_b = np.empty(joined.size, dtype=np.int64)
    mc = mb = 0
    for j in range(joined.size):
        i = joined[j]
        if status[i] != _CUSTOMER:
            continue
        s = segment[i] if labelled else 0
        if _u(kt[2], i) < join_c[t, s]:
            more_c[mc] = i
            mc += 1
        if _u(kt[3], i) < join_b[t, s]:
            more_b[mb] = i
            mb += 1
    if mc:
        contacted = _union(contacted, more_c[:mc])
    if mb:
        churn = _union(churn, more_b[:mb])
    out[0] = contacted
    out[2] = churn
    (delighted, problem, silent, complainers, quick, slow, unresolved, l0, l1, l2, l3,
     base_left) = outcomes(contacted, forced, churn, status, has_alt, changed_at, t,
                           kt[4:8].copy(), segment if labelled else no_labels, rates_t)
    out[6], out[7], out[8], out[9] = delighted, problem, silent, complainers
    out[10], out[11], out[12], out[13] = quick, slow, unresolved, l0
    out[14], out[15], out[16], out[17] = l1, l2, l3, base_left
    neg_s, a0, a1, a2 = _tells(silent, kt[8], kt[10], kt[12], kt[14], labelled, segment,
                               sn, st_n, g_neg, gs_neg, c_neg, weak, indptr, indices, n,
                               mixed)
    neg_u, b0, b1, b2 = _tells(unresolved, kt[8], kt[10], kt[12], kt[14], labelled, segment,
                               sn, st_n, g_neg, gs_neg, c_neg, weak, indptr, indices, n,
                               mixed)
    pos, p0, p1, p2 = _tells(_cat(delighted, slow, quick), kt[9], kt[11], kt[13], kt[15],
                             labelled, segment, sp, st_p, g_pos, gs_pos, c_pos, weak, indptr,
                             indices, n, mixed)
    out[18], out[19], out[20] = neg_s, neg_u, pos
    iv[0], iv[1], iv[2], iv[3], iv[4], iv[5], iv[6], iv[7], iv[8] = \
        a0, a1, a2, b0, b1, b2, p0, p1, p2


@njit(cache=True, nogil=True)
def _rival_side(t, out, iv, problems, r_joined, status, firm, rk, rkeys_r_t, r_contact_t, r_half_t,
                r_mix_t, r_complain_t, r_resolved_t, r_quick_t, r_leave_t, has_alt, changed_at, kr,
                labelled, segment, sn, st_n, g_neg, gs_neg, c_neg, sp, st_p, g_pos, gs_pos, c_pos,
                weak, indptr, indices, n, mixed):
    """The rivals' newcomers' half step, their contacts' outcomes, their churn and their
    tellings: ``out[1]`` and ``out[3]`` grown by the newcomers, the leavers on experience
    and by churn in ``out[21]`` (marked changed), each rival ``r``'s listeners of bad and
    good stories in ``out[RIVAL_SLOT + 2 r]`` and ``out[RIVAL_SLOT + 2 r + 1]``, its
    tellings (strong and weak, bad then good) in ``iv[9 + 4 r: 13 + 4 r]``, its problems
    added to ``problems[r]``."""
    r_contacted = out[1]
    r_churned = out[3]
    jc = np.empty(r_joined.size, dtype=np.int64)
    jb = np.empty(r_joined.size, dtype=np.int64)
    nj = 0
    for j in range(r_joined.size):
        i = r_joined[j]
        if status[i] == _RIVAL:
            jc[nj] = i
            nj += 1
    still = jc[:nj].copy()
    mc = 0
    for j in range(nj):
        i = still[j]
        if _u(rk[1], i) < r_contact_t[firm[i]] / 2:
            jc[mc] = i
            mc += 1
    if nj:
        r_contacted = _union(r_contacted, jc[:mc])
    out[1] = r_contacted
    unhappy, happy, left0 = rival_service(
        r_contacted, firm, rk[3:7].copy(), r_mix_t, r_complain_t, r_resolved_t, r_quick_t,
        r_leave_t, has_alt, problems)
    for j in range(left0.size):
        changed_at[left0[j]] = t
    if nj:
        mb = 0
        for j in range(nj):
            i = still[j]
            if _u(rk[2], i) < r_half_t[firm[i]]:
                jb[mb] = i
                mb += 1
        r_churned = _union(r_churned, jb[:mb])
    out[3] = r_churned
    kept = np.empty(r_churned.size, dtype=np.int64)
    m = 0
    for j in range(r_churned.size):
        i = r_churned[j]
        if changed_at[i] != t:
            kept[m] = i
            m += 1
    kept = kept[:m]
    for j in range(m):
        changed_at[kept[j]] = t
    out[21] = _cat(left0, kept, left0[:0])
    for r in range(kr):
        kk = rkeys_r_t[r]
        if kr == 1:
            mine_u, mine_h = unhappy, happy
        else:
            mine_u = unhappy[firm[unhappy] == r]
            mine_h = happy[firm[happy] == r]
        neg, rs, rw, _ = _tells(mine_u, kk[2], kk[4], kk[6], kk[8], labelled, segment, sn,
                                st_n, g_neg, gs_neg, c_neg, weak, indptr, indices, n, mixed)
        pos_r, qs, qw, _ = _tells(mine_h, kk[3], kk[5], kk[7], kk[9], labelled, segment, sp,
                                  st_p, g_pos, gs_pos, c_pos, weak, indptr, indices, n,
                                  mixed)
        out[RIVAL_SLOT + 2 * r] = neg
        out[RIVAL_SLOT + 2 * r + 1] = pos_r
        iv[9 + 4 * r], iv[10 + 4 * r], iv[11 + 4 * r], iv[12 + 4 * r] = rs, rw, qs, qw


@njit(cache=True, nogil=True)
def _side(c, t, out, iv, problems, joined, r_joined, status, firm, segment, labelled,
          no_labels, kt, join_c, join_b, forced, has_alt, changed_at, rates_t, rk, rkeys_r_t,
          r_contact_t, r_half_t, r_mix_t, r_complain_t, r_resolved_t, r_quick_t, r_leave_t,
          kr, sn, st_n, g_neg, gs_neg, c_neg, sp, st_p, g_pos, gs_pos, c_pos, weak, indptr,
          indices, n, mixed):
    if c == 0:
        _our_side(t, out, iv, joined, status, segment, labelled, no_labels, kt, join_c,
                 join_b, forced, has_alt, changed_at, rates_t, sn, st_n, g_neg, gs_neg,
                 c_neg, sp, st_p, g_pos, gs_pos, c_pos, weak, indptr, indices, n, mixed)
    elif kr:
        _rival_side(t, out, iv, problems, r_joined, status, firm, rk, rkeys_r_t,
                   r_contact_t, r_half_t, r_mix_t, r_complain_t, r_resolved_t, r_quick_t,
                   r_leave_t, has_alt, changed_at, kr, labelled, segment, sn, st_n, g_neg,
                   gs_neg, c_neg, sp, st_p, g_pos, gs_pos, c_pos, weak, indptr, indices, n,
                   mixed)


@njit(cache=True, nogil=True, parallel=True)
def _sides(threads, who, t, out, iv, problems, joined, r_joined, status, firm, segment, labelled,
           no_labels, kt, join_c, join_b, forced, has_alt, changed_at, rates_t, rk, rkeys_r_t,
           r_contact_t, r_half_t, r_mix_t, r_complain_t, r_resolved_t, r_quick_t, r_leave_t, kr, sn,
           st_n, g_neg, gs_neg, c_neg, sp, st_p, g_pos, gs_pos, c_pos, weak, indptr, indices, n,
           mixed):  # pragma: no cover (compiled)
    """:func:`_our_side` and :func:`_rival_side` (where there are rivals), with
    ``threads > 1`` at once on two threads; ``who[2 + c]`` is numba's id of the thread
    that ran part ``c``."""
    if threads > 1 and kr:
        for c in prange(2):
            _side(c, t, out, iv, problems, joined, r_joined, status, firm, segment,
                  labelled, no_labels, kt, join_c, join_b, forced, has_alt, changed_at,
                  rates_t, rk, rkeys_r_t, r_contact_t, r_half_t, r_mix_t, r_complain_t,
                  r_resolved_t, r_quick_t, r_leave_t, kr, sn, st_n, g_neg, gs_neg, c_neg,
                  sp, st_p, g_pos, gs_pos, c_pos, weak, indptr, indices, n, mixed)
            who[2 + c] = get_thread_id()
    else:
        for c in range(2):
            _side(c, t, out, iv, problems, joined, r_joined, status, firm, segment,
                  labelled, no_labels, kt, join_c, join_b, forced, has_alt, changed_at,
                  rates_t, rk, rkeys_r_t, r_contact_t, r_half_t, r_mix_t, r_complain_t,
                  r_resolved_t, r_quick_t, r_leave_t, kr, sn, st_n, g_neg, gs_neg, c_neg,
                  sp, st_p, g_pos, gs_pos, c_pos, weak, indptr, indices, n, mixed)
            who[2 + c] = get_thread_id()
