"""Rivals in the engine: their customers' service, word of mouth about each firm, switching.

Each rival's customers (status :data:`RIVAL`, ``state.firm`` says whose) have contacts,
experiences, complaints and baseline churn like ours, with the rival's own numbers; its
unhappy customers tell about *it* (deterring prospects from it, moving its customers) and
its delighted ones win it referrals. Our leavers with an alternative go to rival ``j`` with
probability ``takes_leavers[j]`` (else out of the market: former customers of ours); a
rival's leavers come to us with its ``loses_to_us`` (unless negative word of mouth about
us keeps them away), else become prospects. Prospects choose between firms: our
acquisition runs first in the step, then each rival's, from the prospects left (competing
hazards; the mean-field share in :mod:`womsim.model.share` uses the same order).

Records (only for scenarios with rivals): ``rival_customers``, ``lost_to_rival``,
``won_from_rival``, ``market_share`` (ours, of all firms' customers) and per rival
``rival.<name>.<record>``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from womsim.engine.hearings import heard_counts
from womsim.engine.kernels import union_ids
from womsim.engine.listeners import acted
from womsim.engine.rivalkernels import (
    rival_acquire,
    rival_heard_negative,
    rival_heard_positive,
    rival_leave,
    rival_service,
    rival_take,
)
from womsim.engine.rng import THIN, Streams, sparse_candidates
from womsim.engine.segments import member_draw
from womsim.engine.thinning import thin_to_customers

if TYPE_CHECKING:
    from womsim.engine.step import State, StepParams, _WordOfMouth
    from womsim.model.scenario import Scenario

__all__ = ["RIVAL", "RIVAL_RECORDS", "RivalEvents", "RivalParams", "rival_params",
           "rival_step", "shared_draw"]

PROSPECT, CUSTOMER, FORMER, RIVAL = 0, 1, 2, 3

#: Records per rival.
RIVAL_RECORDS: tuple[str, ...] = ("customers", "market_share", "revenue", "acquisitions",
                                  "defections", "problems", "won_from_us", "lost_to_us",
                                  "neg_tellings", "pos_tellings")

# stream ids of tellings about rival j: apart from ours (0, 1 and retelling's below 256)
_STREAM = 1024
# and of their retelling (hops below 16, two signs: 32 a rival), above every first telling
_RETELL = 1 << 20


@dataclass(frozen=True)
class RivalParams:
    """The rivals' per-step numbers (index = rival)."""

    names: tuple[str, ...]
    p_contact: np.ndarray
    mix: np.ndarray          # (rivals, 3): delighted, satisfied, problem
    complain: np.ndarray
    resolved: np.ndarray
    quick: np.ndarray
    leave: np.ndarray        # (4,): today's stay table (the market's psychology)
    p_churn: np.ndarray
    revenue: np.ndarray      # per customer per year
    p_acquire: np.ndarray
    takes: np.ndarray
    loses: np.ndarray
    memory_steps: int


def rival_params(sc: Scenario, base: Scenario) -> RivalParams:
    """The rivals' numbers for a step of ``sc`` (``base``: interventions stripped; our
    programmes do not change how a rival's customers react)."""
    dt = sc.simulation.dt
    rv = sc.rivals
    leave = base.complaints.leave()

    def arr(f) -> np.ndarray:
        return np.array([f(r) for r in rv], dtype=float)

    return RivalParams(
        names=tuple(r.name for r in rv),
        p_contact=arr(lambda r: min(1.0, r.contact_rate * dt)),
        mix=np.array([[r.delight_rate, 1 - r.delight_rate - r.problem_rate, r.problem_rate]
                      for r in rv], dtype=float),
        complain=arr(lambda r: r.complain_rate), resolved=arr(lambda r: r.resolved),
        quick=arr(lambda r: r.quick_share),
        leave=np.array([leave["silent"], leave["unresolved"], leave["resolved"],
                        leave["resolved_quickly"]]),
        p_churn=arr(lambda r: 1 - math.exp(-r.baseline_churn * dt)),
        revenue=arr(lambda r: r.revenue_per_year),
        p_acquire=arr(lambda r: 1 - math.exp(-r.marketing_rate * dt)),
        takes=arr(lambda r: r.takes_leavers), loses=arr(lambda r: r.loses_to_us),
        memory_steps=max(1, round(sc.word_of_mouth.deter_memory_years / dt))
        if sc.word_of_mouth.deter_memory_years > 0 else 0)


@dataclass
class RivalEvents:
    """What the rivals' customers did in one step (per rival counts; ids where needed)."""

    to_rival: np.ndarray     # our leavers who went to a rival (ids)
    won: np.ndarray          # rivals' leavers who came to us (ids)
    to_prospect: int         # rivals' leavers who became prospects
    counts: dict             # record name -> per-rival array


def shared_draw(streams: Streams, mechanism: str, t: int, n: int, ours: float | np.ndarray,
                members: tuple[np.ndarray, ...] | None, theirs: np.ndarray, status: np.ndarray,
                firm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Our customers chosen with probability ``ours`` (a number, or one per segment) and
    the rivals' with ``theirs[firm]``, from one pass of candidates (a person is one
    firm's customer, so one keyed uniform serves whichever they are): a market with
    rivals pays for one sparse draw per mechanism, not one per firm. In a segmented
    market (``members``: each segment's ids) each segment draws among its own members
    (:func:`womsim.engine.segments.member_draw`).

    Examples
    --------
    >>> from womsim.engine.rng import Streams
    >>> status = np.repeat(np.array([CUSTOMER, RIVAL, PROSPECT], dtype=np.int8), 10_000)
    >>> firm = np.zeros(status.size, dtype=np.int8)
    >>> mine, rivals = shared_draw(Streams(1), "contact", 0, status.size, 0.05, None,
    ...                            np.array([0.1]), status, firm)
    >>> bool((status[mine] == CUSTOMER).all() and (status[rivals] == RIVAL).all())
    True
    >>> 400 < mine.size < 600 and 900 < rivals.size < 1100
    True
    """
    if members is not None:
        return member_draw(streams, mechanism, t, members, np.asarray(ours, dtype=float),
                           status, theirs, firm)
    cand, q = sparse_candidates(streams, mechanism, t, n, max(float(ours), float(theirs.max())))
    return thin_to_customers(cand, q, streams.key(mechanism, t, THIN), status, float(ours),
                             theirs=theirs, firm=firm)


def _acting(prob: float, heard: np.ndarray, repeat: float) -> np.ndarray:
    # acted() by the number of stories heard (1 to the most heard; 0 never looked up): a
    # table of a handful of entries that the compiled passes look up per listener
    top = int(heard.max()) if heard.size else 0
    return np.concatenate([[0.0], acted(prob, np.arange(1, top + 1), repeat)])


def rival_step(state: State, rp: RivalParams, p: StepParams, t: int, streams: Streams,
               wom: _WordOfMouth, our_leavers: np.ndarray) -> RivalEvents:
    """Advance the rivals' customers by one step (in place, after our own step)."""
    status, firm, changed_at, has_alt = state.status, state.firm, state.changed_at, \
        state.has_alt
    det_us, det_rv = state.deterred_until, state.deterred_rival
    assert firm is not None and det_rv is not None  # State.initial of a market with rivals
    n, k = status.size, rp.names.__len__()
    counts = {name: np.zeros(k) for name in
              ("acquisitions", "defections", "problems", "won_from_us", "lost_to_us",
               "neg_tellings", "pos_tellings")}

    # our leavers with an alternative: to a rival, or out of the market (former)
    to_rival = rival_take(np.ascontiguousarray(our_leavers, dtype=np.int64), has_alt,
                          np.uint64(streams.key("to_rival", t)), np.cumsum(rp.takes), status,
                          firm, counts["won_from_us"])

    # the rivals' customers' service: contacts, experience, complaints, defection, churn
    # drawn with ours (shared_draw); none of them changed firm since
    contacted, churned = state.rival_draws
    joined = state.rival_joined[status[state.rival_joined] == RIVAL]
    if joined.size:
        # joined half-way through the last step on average: half a step more of contacts
        # and churn, as for our own new customers (step size must not decide their risk)
        fj = firm[joined]
        contacted = union_ids(contacted, joined[
            streams.uniform("rival_contact_join", t, joined) < rp.p_contact[fj] / 2])
    keys = np.array([streams.key(m, t) for m in ("rival_experience", "rival_complaint",
                                                 "rival_resolution", "rival_defection")],
                    dtype=np.uint64)
    unhappy, happy, left0 = rival_service(
        np.ascontiguousarray(contacted, dtype=np.int64), firm, keys, rp.mix, rp.complain,
        rp.resolved, rp.quick, rp.leave, has_alt, counts["problems"])
    # who leaves is marked changed at once (they are at the end of the step anyway): the
    # later draws then pass them over instead of searching the leavers for them
    changed_at[left0] = t
    left = [left0]
    if joined.size:
        half = 1.0 - np.sqrt(1.0 - rp.p_churn[fj])
        churned = union_ids(churned, joined[
            streams.uniform("rival_churn_join", t, joined) < half])
    # none of the churned had changed this step (drawn among the rivals' customers at its
    # start, who joined before it): changed now means they left on their experience
    churned = churned[changed_at[churned] != t]
    changed_at[churned] = t
    left.append(churned)

    new = [to_rival]  # who joins a rival this step
    # word of mouth about each rival, from its unhappy and its delighted customers; in a
    # segmented market each teller (and reteller) tells as its own segment does: how many
    # people one tells is the person's, whichever firm served them
    seg = state.segment if p.segments is not None else None
    neg_t, pos_t = ((p.negative, p.positive) if p.segments is None
                    else (p.segments.negative, p.segments.positive))
    for r in range(k):
        mine_u = unhappy if k == 1 else unhappy[firm[unhappy] == r]
        mine_h = happy if k == 1 else happy[firm[happy] == r]
        neg, ns, nw, _ = wom.tell(mine_u, neg_t, p.weak_share, t, _STREAM + 2 * r,
                                  segment=seg)
        pos, ps, pw, _ = wom.tell(mine_h, pos_t, p.weak_share, t, _STREAM + 2 * r + 1,
                                  segment=seg)
        counts["neg_tellings"][r] = ns + nw
        counts["pos_tellings"][r] = ps + pw
        if p.retell > 0 and p.max_hops > 1:  # stories about a rival are passed on as ours
            neg, pos, _ = wom.retell(neg, pos, p, t, base=_RETELL + 32 * r, segment=seg)
        if neg.size:
            # one sort and a compiled count of the runs (np.unique is a dozen numpy calls)
            heard, h = heard_counts(neg)
            # prospects (and our customers) deterred from this rival for the memory, its
            # own customers moved to leave; the j-th story heard acts as ours do
            # (word_of_mouth.repeat_factor)
            left.append(rival_heard_negative(
                heard, h, r, t, status, firm, changed_at, has_alt, det_rv[r],
                _acting(p.deter, h, p.repeat), _acting(p.wom_defect, h, p.repeat),
                np.uint64(streams.key("rival_deter", t, r)),
                np.uint64(streams.key("rival_wom_defection", t)), t + 1 + rp.memory_steps))
        if pos.size:
            heard, h = heard_counts(pos)
            won = rival_heard_positive(heard, h, r, t, status, firm, changed_at, det_rv[r],
                                       _acting(p.referral, h, p.repeat),
                                       np.uint64(streams.key("rival_referral", t, r)))
            counts["acquisitions"][r] += won.size
            new.append(won)

    # the rivals' leavers: to us (unless deterred from us), else prospects again
    won_us, n_back = rival_leave(np.concatenate(left), firm,
                                 np.uint64(streams.key("from_rival", t)), rp.loses, det_us,
                                 has_alt, status, t, counts["defections"], counts["lost_to_us"])

    # marketing: prospects left buy from a rival, each rival at its own rate
    total = float(rp.p_acquire.sum())
    if total > 0:
        cand, q = sparse_candidates(streams, "rival_acquire", t, n, min(total, 1.0))
        # read-only whether shared by paired runs or not: numba compiles a kernel once per
        # argument type, and read-only is a type of its own
        cand = cand.view()
        cand.flags.writeable = False
        new.append(rival_acquire(cand, q, np.uint64(streams.key("rival_acquire", t, THIN)),
                                 np.cumsum(rp.p_acquire), det_rv, status, firm, changed_at, t,
                                 counts["acquisitions"]))
    state.rival_joined = np.concatenate(new).astype(np.int64)
    return RivalEvents(to_rival, won_us, int(n_back), counts)
