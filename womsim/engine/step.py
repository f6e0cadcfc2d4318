"""The vectorised step: one array per person attribute, one named random stream per mechanism.

Each step, in order (DESIGN section 1): contacts, experience, complaints, defection by outcome
group (gated by having an alternative) and baseline churn, word of mouth (negative and
positive, to neighbours and to random people, optional retelling), its effect on listeners,
acquisition (marketing, referral, win-back), accounting. Nothing loops over people in
Python; every draw is keyed by (run seed, mechanism, step, person) so that two scenarios run
with the same seed share their luck (see :mod:`womsim.engine.rng`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from womsim.core.errors import NetworkError
from womsim.engine.book import MarketBook
from womsim.engine.calendar import calendar_mix
from womsim.engine.fused import acquisitions, outcomes
from womsim.engine.hearings import heard_counts, listen_bad, listen_good
from womsim.engine.initahead import take
from womsim.engine.kernels import count_above, union_ids
from womsim.engine.ledger import group_revenue
from womsim.engine.reviews import ReviewState
from womsim.engine.rivals import RIVAL, shared_draw
from womsim.engine.rng import (
    THIN,
    Streams,
    sparse_candidates,
    sparse_draw_among,
)

# the step's parts live in modules of their own; their names stay importable from here
from womsim.engine.schedule import StepParams as StepParams
from womsim.engine.schedule import _telling as _telling
from womsim.engine.schedule import schedule as schedule
from womsim.engine.schedule import step_params as step_params
from womsim.engine.schedule import value_hazard as value_hazard
from womsim.engine.segments import member_draw, scaled, segment_mix, tell_by_segment
from womsim.engine.state import CUSTOMER, FORMER, PROSPECT, State
from womsim.engine.wordofmouth import _retell
from womsim.engine.wordofmouth import _WordOfMouth as _WordOfMouth
from womsim.engine.wordofmouth import acted as acted
from womsim.model.meanfield import experience_mix
from womsim.model.valuation import discount_factors, event_worth, held_value
from womsim.network.assortment import member_ends
from womsim.network.memberbits import member_bits, member_ends_bits, update_ends_bits

if TYPE_CHECKING:
    from collections.abc import Callable

    from womsim.model.scenario import Scenario
    from womsim.network.graph import Network

__all__ = ["CUSTOMER", "FORMER", "PROSPECT", "RECORDS", "State", "run", "step"]

#: Per-step records, in the order they appear in results tables.
RECORDS: tuple[str, ...] = (
    "prospects", "customers", "former", "deterred",
    "contacts", "delighted", "satisfied", "problems",
    "silent", "complaints", "resolved_quickly", "resolved", "unresolved",
    "defect_silent", "defect_unresolved", "defect_resolved", "defect_resolved_quickly",
    "defect_experience", "defect_wom", "defect_baseline", "defections",
    "acq_marketing", "acq_referral", "acq_winback", "acquisitions",
    "newly_deterred", "neg_tellers", "pos_tellers",
    "neg_tellings_strong", "neg_tellings_weak", "pos_tellings_strong", "pos_tellings_weak",
    "neg_hearings", "pos_hearings", "retellers",
    "neg_tellings_silent",
    # stories tellers meant to tell beyond their friends: not told (no overflow to strangers)
    "neg_untold", "pos_untold",
    # share of customers among customers' friends at the end of the step (a well-mixed
    # market: among everybody else); see womsim.network.assortment
    "customer_friend_share",
    "value_lost_experience", "value_lost_wom", "value_lost_baseline",
    "value_won_marketing", "value_won_referral", "value_won_winback",
    "load", "problem_share",
    "revenue", "margin", "acquisition_spend", "service_cost", "fixed_cost",
    "intervention_cost", "profit", "discount", "discounted_profit",
    # the customers held at the end, valued after the horizon (womsim.model.valuation); present
    # values at the start, booked at the last step (0 before it)
    "customer_equity", "equity_revenue", "equity_margin", "equity_service_cost",
    "equity_fixed_cost",
    "equity_intervention_cost", "lifetime_after", "equity_alt", "equity_noalt",
    "equity_decay_alt", "equity_decay_noalt",
    # online reviews (womsim.engine.reviews): the average shown at the end of the step, the
    # decayed number of reviews it rests on, this step's posts, and the factor on prospects'
    # marketing conversion this step (0, 0, 0, 0 and 1 with the channel off)
    "review_rating", "review_count", "review_negative", "review_positive",
    "review_conversion",
)

_EMPTY = np.empty(0, dtype=np.int64)
_NO_LABELS = np.empty(0, dtype=np.int8)  # segment labels of an unsegmented market

#: What :meth:`State.initial` reads of a scenario without segments, rivals or a steady
#: start (``tests/test_engine_start.py`` changes every other parameter and checks it).
INITIAL_FIELDS: tuple[str, ...] = (
    "market.people", "market.customer_share", "market.former_share",
    "market.no_alternative_share", "market.customer_clustering",
    "economics.revenue_per_year", "economics.revenue_sigma")


def _start(scenario: Scenario, n: int, streams: Streams, network: Network | None
           ) -> tuple[State, _FriendShare]:
    """The initial state and the friend-share tally of a run.

    Scenarios of one pass (:class:`~womsim.engine.rng.PairedStreams`) that agree on
    :data:`INITIAL_FIELDS` start from the same market: it is drawn once, and each run gets
    its own copy of what its steps write (who is what, the tally's bits)."""
    if scenario.segments or scenario.rivals or scenario.simulation.start != "cold":
        state = State.initial(scenario, n, streams, network)
        return state, _FriendShare(network, state.status)

    def make() -> tuple:
        # drawn beside the network's build where the runner could (engine.initahead)
        st = take(scenario, n, streams)
        if st is None:
            st = State.initial(scenario, n, streams, network)
        fr = _FriendShare(network, st.status)
        if network is None:
            return st.status, st.revenue, st.has_alt
        return st.status, st.revenue, st.has_alt, fr.flag, fr.same, fr.total

    key = ("initial", id(network), *(scenario.get(f) for f in INITIAL_FIELDS))
    status, revenue, has_alt, *tally = streams.shared(key, make)
    state = State(status.copy(), revenue, np.zeros(n, dtype=np.int32), has_alt,
                  np.full(n, -1, dtype=np.int32))
    return state, _FriendShare(network, state.status, tally)



@dataclass
class Events:
    """Who did what in one step (person ids), as :func:`step` returns them."""

    load: float
    problem_share: float
    contacted: np.ndarray
    delighted: np.ndarray
    problem: np.ndarray
    silent: np.ndarray
    complainers: np.ndarray
    quick: np.ndarray
    slow: np.ndarray
    unresolved: np.ndarray
    left_by_group: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    exp_left: np.ndarray
    base_left: np.ndarray
    neg: np.ndarray
    pos: np.ndarray
    tellings: dict[str, int]
    retellers: int
    newly_deterred: np.ndarray
    wom_left: np.ndarray
    won_ref: np.ndarray
    marketing: np.ndarray
    winback: np.ndarray
    deterred: int
    reviews: tuple[float, float, int, int, float] = (0.0, 0.0, 0, 0, 1.0)


def step(state: State, customers: int, p: StepParams, t: int, streams: Streams,
         wom: _WordOfMouth) -> Events:
    """Advance ``state`` by one step (in place) and say who did what.

    ``customers`` is the number of customers at the start of the step (the desk's load).
    """
    status, deterred_until, has_alt, changed_at = (state.status, state.deterred_until,
                                                   state.has_alt, state.changed_at)
    n = status.size
    sg = p.segments
    # labels and counts exist exactly when the scenario has segments (State.initial); where
    # sg is None they are never read, so an empty array stands in for the type checker
    seg: np.ndarray = state.segment if state.segment is not None else _EMPTY
    seg_customers: np.ndarray = (state.seg_customers if state.seg_customers is not None
                                 else _EMPTY)
    d_share: float | np.ndarray
    p_share: float | np.ndarray
    if sg is None:
        load = float(customers) * p.contact_rate
        d_share, _, p_share = (float(x) for x in experience_mix(p.mix_scenario, load))
        if p.contact_scale != 1.0 or p.problem_scale != 1.0:
            d_share, p_share = calendar_mix(p, load, d_share, p_share, t)
    else:
        # the calendar's multipliers act on every segment (engine.calendar)
        sg = scaled(sg, p.contact_scale, p.problem_scale, t)
        load = float(seg_customers @ sg.contact_rate)
        mix = segment_mix(sg, load, p.problem_scale, t)

    def own(value, per_segment, ids, col=None):
        # a person's number: the market's, or their segment's in a segmented market
        if sg is None:
            return value
        v = getattr(sg, per_segment)
        return (v if col is None else v[:, col])[seg[ids]]

    # 1-2. contacts and their outcome; baseline churn is drawn now too and applies below
    #      to those still customers after their own experience
    rv = p.rivals
    if rv is not None:
        # one pass of candidates for our customers and the rivals' (engine.rivals)
        members = state.members if sg is not None else None
        assert state.firm is not None  # a scenario with rivals has their customers' firms
        contacted, r_contacted = shared_draw(streams, "contact", t, n, p.p_contact if sg is None
                                             else sg.p_contact, members, rv.p_contact,
                                             status, state.firm)
        churn_cand, r_churned = shared_draw(streams, "churn", t, n, p.p_churn if sg is None
                                            else sg.p_churn, members, rv.p_churn,
                                            status, state.firm)
        state.rival_draws = (r_contacted, r_churned)
    elif sg is None:
        contacted = sparse_draw_among(streams, "contact", t, n, p.p_contact, status, CUSTOMER)
        churn_cand = sparse_draw_among(streams, "churn", t, n, p.p_churn, status, CUSTOMER)
    else:
        contacted, _ = member_draw(streams, "contact", t, state.members, sg.p_contact, status)
        churn_cand, _ = member_draw(streams, "churn", t, state.members, sg.p_churn, status)
    # every draw above keeps our customers only (the rivals' come apart)
    joined = state.joined[status[state.joined] == CUSTOMER]
    if joined.size:
        # the half of their joining step they were customers in: half a step more of
        # contacts and of churn (1 - exp(-h dt / 2)), so that step size does not decide how
        # long a new customer is safe
        more = joined[streams.uniform("contact_join", t, joined)
                      < own(p.p_contact, "p_contact", joined) / 2]
        contacted = union_ids(contacted, more)
        half = 1.0 - np.sqrt(1.0 - own(p.p_churn, "p_churn", joined)) if sg is not None \
            else 1.0 - math.sqrt(1.0 - p.p_churn)
        churn_cand = union_ids(churn_cand,
                                joined[streams.uniform("churn_join", t, joined) < half])
    forced = state.forced
    if forced.size:  # an extra bad experience: a contact that ends in a problem
        state.forced = _EMPTY
        forced = np.unique(forced[status[forced] == CUSTOMER]).astype(np.int64)
        contacted = union_ids(contacted, forced)
    # 2-4. experience, complaints (one uniform per stage so a better resolution rate moves
    #      the same people from unresolved to resolved: monotone coupling), defection after
    #      the experience (only with an alternative), then baseline churn: one compiled pass
    if sg is None:
        rates_ = np.array([[d_share, p_share, p.complain, p.resolved, p.quick, *p.leave]])
    else:
        rates_ = np.column_stack([mix[:, 0], mix[:, 2], sg.complain, sg.resolved, sg.quick,
                                  sg.leave])
        p_share = float(mix[:, 2] @ seg_customers / max(seg_customers.sum(), 1))
    keys = np.array([streams.key(m, t) for m in ("experience", "complaint", "resolution",
                                                 "defection")], dtype=np.uint64)
    (delighted, problem, silent, complainers, quick, slow, unresolved, *groups,
     base_left) = outcomes(contacted.astype(np.int64, copy=False), forced,
                           churn_cand.astype(np.int64, copy=False), status, has_alt, changed_at,
                           t, keys, seg if sg is not None else _NO_LABELS, rates_)
    left = tuple(groups)
    exp_left = np.concatenate(left)

    # 5. word of mouth (silent and unresolved told apart to price each incident)
    if sg is None:
        neg_s, ns_s, nw_s, nu_s = wom.tell(silent, p.negative, p.weak_share, t, 0)
        neg_u, ns, nw, nu = wom.tell(unresolved, p.negative, p.weak_share, t, 0)
        pos, ps, pw, pu = wom.tell(np.concatenate([delighted, slow, quick]), p.positive,
                                   p.weak_share, t, 1)
    else:
        neg_s, ns_s, nw_s, nu_s = tell_by_segment(wom, silent, sg.negative, seg, p.weak_share,
                                                  t, 0)
        neg_u, ns, nw, nu = tell_by_segment(wom, unresolved, sg.negative, seg, p.weak_share,
                                            t, 0)
        pos, ps, pw, pu = tell_by_segment(wom, np.concatenate([delighted, slow, quick]),
                                          sg.positive, seg, p.weak_share, t, 1)
    neg = np.concatenate([neg_s, neg_u])
    tellings = {"neg_strong": ns + ns_s, "neg_weak": nw + nw_s, "neg_silent": ns_s + nw_s,
                "pos_strong": ps, "pos_weak": pw, "neg_untold": nu + nu_s, "pos_untold": pu}
    n_retell = 0
    if p.retell > 0 and p.max_hops > 1:
        neg, pos, n_retell = _retell(wom, streams, neg, pos, p, t,
                                     seg if sg is not None else None)

    # 6. effect on listeners
    new_det = won_ref = wom_left = late = _EMPTY
    late_until = _EMPTY
    if neg.size:
        # one compiled pass per sign (engine.hearings): deterred prospects, customers
        # who leave, prospects won; the numbers of the numpy formulation, bit for bit
        new_det, wom_left, late, late_until = listen_bad(
            *heard_counts(neg), status, deterred_until, has_alt,
            (streams.key("deter", t), streams.key("wom_defection", t)), p, t,
            CUSTOMER, FORMER)
    if pos.size:
        won_ref = listen_good(*heard_counts(pos), status, deterred_until,
                              streams.key("referral", t), p, t, PROSPECT, CUSTOMER)
    for changed in (exp_left, base_left, wom_left, won_ref):
        changed_at[changed] = t

    # 7. acquisition: prospects (marketing) and former customers (win-back) who are not
    #    deterred and did not change status this step; one uniform serves both groups
    p_mk = p_top = p.p_acquire
    factor, rs = 1.0, state.reviews
    if rs is not None:
        assert p.reviews is not None  # a review state exists only for a scenario with reviews
        # the rating at the start of the step scales the marketing hazard; candidates are
        # drawn at the best rating's rate so that paired runs share them whatever the rating
        factor, best = rs.conversion(p.reviews), rs.best(p.reviews)
        if factor != 1.0:
            p_mk = 1.0 - (1.0 - p.p_acquire) ** factor
        if best != 1.0:
            p_top = 1.0 - (1.0 - p.p_acquire) ** best
    cand, q = sparse_candidates(streams, "acquire", t, n, max(p_top, p.p_winback))
    mk, wb = acquisitions(cand, status, deterred_until, changed_at, t,
                          np.uint64(streams.key("acquire", t, extra=THIN)), p_mk / q,
                          p.p_winback / q)
    state.joined = np.concatenate([won_ref, mk, wb]).astype(np.int64)
    # blocked from buying in this step
    deterred = int(count_above(deterred_until, t))
    if late.size:
        keep = status[late] != CUSTOMER  # bought this step, before they heard
        late, late_until = late[keep], late_until[keep]
        deterred_until[late] = np.maximum(deterred_until[late], late_until)
    review = (0.0, 0.0, 0, 0, 1.0)
    if rs is not None:  # this step's reviews count from the next step on
        assert p.reviews is not None
        n_neg, n_pos = rs.post(p.reviews, np.concatenate([silent, unresolved]),
                               np.concatenate([delighted, slow, quick]), streams, t, p.dt)
        review = (rs.rating(), rs.count(), n_neg, n_pos, factor)
    return Events(load, float(p_share), contacted, delighted, problem, silent, complainers, quick,
                  slow, unresolved, left, exp_left, base_left, neg, pos, tellings, n_retell,
                  new_det, wom_left, won_ref, mk, wb, deterred, review)


def run(scenario: Scenario, network: Network | None, seed: int, check: bool = False,
        valuation_hazard: float | tuple[float, ...] | None = None,
        extra_problems: Callable[[np.ndarray, np.ndarray], Any] | None = None,
        streams: Streams | None = None) -> dict[str, np.ndarray]:
    """Simulate one run of ``scenario`` on ``network`` (None = well mixed) with ``seed``.

    Returns a dict of per-step arrays (see :data:`RECORDS`) plus ``"time"`` (years at the
    end of each step). With ``check=True`` conservation and revenue are verified every step
    against a full recount (slower; used by the tests). ``valuation_hazard`` prices events
    (see :mod:`womsim.analysis.lostrev`) at another scenario's churn so paired runs share one price;
    default: this scenario's own. ``streams`` (of ``seed``) lets scenarios run one after
    another share the draws that do not depend on them (see :mod:`womsim.engine.paired`).

    Examples
    --------
    >>> from womsim import Scenario, Network
    >>> sc = Scenario().replace(**{"market.people": 2000, "simulation.horizon_years": 0.5})
    >>> rec = run(sc, Network.random(2000, mean_degree=8, seed=1), seed=3)
    >>> int(rec["prospects"][-1] + rec["customers"][-1] + rec["former"][-1])
    2000
    """
    n = scenario.market.people
    if network is not None and network.n != n:
        raise NetworkError(f"the network has {network.n:,} people but market.people is "
                           f"{n:,}; pass a network of the market's size or set market.people")
    sim = scenario.simulation
    dt, steps = sim.dt, sim.steps
    if streams is None:
        streams = Streams(seed)
    elif streams.seed != int(seed):
        raise ValueError(f"streams of seed {streams.seed} given for a run of seed {seed}")
    state, friends = _start(scenario, n, streams, network)
    wom = _WordOfMouth(network, n, streams)
    rec: dict[str, np.ndarray] = {name: np.zeros(steps) for name in RECORDS}
    if scenario.reviews.enabled:
        state.reviews = ReviewState.initial(scenario.reviews)
    if extra_problems is not None:
        # called with the initial status and the degrees: ids given an extra bad experience
        state.forced = np.asarray(extra_problems(state.status, wom.degree), dtype=np.int64)
        rec["extra_problem_ids"] = state.forced
    status, revenue = state.status, state.revenue
    counts = np.bincount(status, minlength=4).astype(np.int64)  # [RIVAL]: rivals' customers
    initial = counts[:3].copy()
    rev_sum = float(revenue[status == CUSTOMER].sum(dtype=np.float64))
    # value of an event = present value of the revenue the person brings from then on,
    # used to split a difference between scenarios by cause (womsim.model.valuation)
    base = scenario.at(-1.0)
    baseline = base.baseline_churn()
    params, iv_costs = schedule(scenario, base, baseline)
    price = value_hazard(base, baseline) if valuation_hazard is None \
        or isinstance(valuation_hazard, tuple) else valuation_hazard  # tuple: per segment
    rem = event_worth(scenario, price)
    discount = discount_factors(scenario)
    book = MarketBook(scenario, state, steps, valuation_hazard, value_hazard, step_params) \
        if scenario.segments or scenario.rivals else None

    for t in range(steps):
        p = params[t]
        e = step(state, int(counts[CUSTOMER]), p, t, streams, wom)
        rv = book.rivals_step(p, t, streams, wom, e) if book is not None else None

        # 8. accounting
        lost = (e.exp_left, e.base_left, e.wom_left)
        gained = (e.won_ref, e.marketing, e.winback) + ((rv.won,) if rv is not None else ())
        n_lost = sum(x.size for x in lost)
        n_gain = sum(x.size for x in gained)
        # each group's revenue once: it moves the total and prices the group's value
        changed = np.concatenate((*lost, *gained))
        sums = group_revenue(revenue, changed, [x.size for x in (*lost, *gained)])
        p_lost, p_gained = sums[:3], sums[3:]
        rev_sum += sum(p_gained) - sum(p_lost)
        counts[CUSTOMER] += n_gain - n_lost
        counts[FORMER] += n_lost - e.winback.size
        counts[PROSPECT] -= e.won_ref.size + e.marketing.size
        if rv is not None:
            acq = int(rv.counts["acquisitions"].sum())
            counts[FORMER] -= rv.to_rival.size
            counts[RIVAL] += rv.to_rival.size + acq - int(rv.counts["defections"].sum())
            counts[PROSPECT] += rv.to_prospect - acq
        revenue_step = rev_sum * p.revenue_scale * dt
        if book is not None:
            revenue_step = book.revenue(revenue_step, p, e, rv, dt)
        worth = p.revenue_scale * rem[t]
        acq_spend = (e.marketing.size + e.winback.size) * p.acquisition_cost
        fixed = (p.desk_cost + p.fixed_cost) * dt
        service = (counts[CUSTOMER] * p.retention_cost * dt
                   + e.contacted.size * p.cost_per_contact + fixed)
        margin = revenue_step * p.margin
        profit = margin - acq_spend - service - iv_costs[t]
        tl = e.tellings
        r = {
            "prospects": counts[PROSPECT], "customers": counts[CUSTOMER],
            "former": counts[FORMER], "deterred": e.deterred,
            "contacts": e.contacted.size, "delighted": e.delighted.size,
            "satisfied": e.contacted.size - e.delighted.size - e.problem.size,
            "problems": e.problem.size, "silent": e.silent.size,
            "complaints": e.complainers.size, "resolved_quickly": e.quick.size,
            "resolved": e.slow.size, "unresolved": e.unresolved.size,
            "defect_silent": e.left_by_group[0].size,
            "defect_unresolved": e.left_by_group[1].size,
            "defect_resolved": e.left_by_group[2].size,
            "defect_resolved_quickly": e.left_by_group[3].size,
            "defect_experience": e.exp_left.size, "defect_wom": e.wom_left.size,
            "defect_baseline": e.base_left.size, "defections": n_lost,
            "acq_marketing": e.marketing.size, "acq_referral": e.won_ref.size,
            "acq_winback": e.winback.size, "acquisitions": n_gain,
            "newly_deterred": e.newly_deterred.size,
            "neg_tellers": e.silent.size + e.unresolved.size,
            "pos_tellers": e.delighted.size + e.slow.size + e.quick.size,
            "neg_tellings_strong": tl["neg_strong"], "neg_tellings_weak": tl["neg_weak"],
            "pos_tellings_strong": tl["pos_strong"], "pos_tellings_weak": tl["pos_weak"],
            "neg_tellings_silent": tl["neg_silent"],
            "neg_untold": tl["neg_untold"], "pos_untold": tl["pos_untold"],
            "customer_friend_share": friends.update(state.status, changed,
                                                    int(counts[CUSTOMER])),
            "value_lost_experience": p_lost[0] * worth,
            "value_lost_wom": p_lost[2] * worth,
            "value_lost_baseline": p_lost[1] * worth,
            "value_won_marketing": p_gained[1] * worth,
            "value_won_referral": p_gained[0] * worth,
            "value_won_winback": p_gained[2] * worth,
            "neg_hearings": e.neg.size, "pos_hearings": e.pos.size,
            "retellers": e.retellers, "load": e.load, "problem_share": e.problem_share,
            "revenue": revenue_step, "margin": margin, "acquisition_spend": acq_spend,
            "service_cost": service, "fixed_cost": fixed, "intervention_cost": iv_costs[t],
            "profit": profit, "discount": discount[t], "discounted_profit": profit * discount[t],
        }
        (r["review_rating"], r["review_count"], r["review_negative"], r["review_positive"],
         r["review_conversion"]) = e.reviews
        if t == steps - 1 and not scenario.segments:
            r.update(_held(scenario, base, baseline, state))
        if book is not None:
            book.record(t, r, p, e, rv, worth, t == steps - 1, base)
        for name, value in r.items():
            rec[name][t] = value
        if check:
            _check(status, revenue, counts, rev_sum, t)
            if network is not None:
                exact = member_ends(network.indptr, network.indices, status == CUSTOMER)
                if exact != (friends.same, friends.total):
                    raise AssertionError(f"step {t}: tracked friend ends "
                                         f"{(friends.same, friends.total)} != {exact}")
    rec["time"] = (np.arange(steps) + 1) * dt
    rec["initial"] = initial
    if book is not None:
        rec.update(book.rec)
    return rec


class _FriendShare:
    """The share of customers among customers' friends, kept up to date from who changed
    (a pass over each changed person's friends, not over the graph)."""

    def __init__(self, network, status: np.ndarray, start: list | None = None) -> None:
        self.n = status.size
        self.network = network
        if network is None:
            return
        if start:  # the bits and counts of this initial status, made by another run
            self.flag = start[0].copy()
            self.same, self.total = start[1], start[2]
            return
        self.flag = member_bits(status == CUSTOMER)
        self.same, self.total = member_ends_bits(network.indptr, network.indices, self.flag)

    def update(self, status: np.ndarray, changed: np.ndarray, customers: int) -> float:
        """The share after the people ``changed`` (lost and won this step) changed."""
        if self.network is None:  # everybody else is a potential listener
            return (customers - 1) / (self.n - 1) if customers > 0 and self.n > 1 else 0.0
        changed = changed.astype(np.int64, copy=False)
        self.same, self.total = update_ends_bits(
            self.network.indptr, self.network.indices, self.flag, changed,
            status[changed] == CUSTOMER, self.same, self.total)
        return self.same / self.total if self.total else 0.0


def _held(scenario, base, baseline: float, state: State) -> dict[str, float]:
    """The last step's after-horizon records: the customers held, valued after it."""
    cust = state.status == CUSTOMER
    alt = cust & state.has_alt
    noalt = cust & ~state.has_alt
    h = held_value(scenario, base, baseline, int(alt.sum()), int(noalt.sum()),
                   float(state.revenue[alt].sum(dtype=np.float64)),
                   float(state.revenue[noalt].sum(dtype=np.float64)), step_params)
    return {"customer_equity": h.value, "equity_revenue": h.revenue, "equity_margin": h.margin,
            "equity_service_cost": h.service_cost, "equity_fixed_cost": h.fixed_cost,
            "equity_intervention_cost": h.intervention_cost, "lifetime_after": h.lifetime,
            "equity_alt": h.value_alt, "equity_noalt": h.value_noalt,
            "equity_decay_alt": h.decay_alt, "equity_decay_noalt": h.decay_noalt}



def _check(status, revenue, counts, rev_sum, t) -> None:
    true = np.bincount(status, minlength=counts.size)
    if not np.array_equal(true, counts):
        raise AssertionError(f"step {t}: tracked counts {counts.tolist()} != recount "
                             f"{true.tolist()}")
    if counts.sum() != status.size:
        raise AssertionError(f"step {t}: people not conserved")
    exact = float(revenue[status == CUSTOMER].sum(dtype=np.float64))
    if not math.isclose(exact, rev_sum, rel_tol=1e-9, abs_tol=1e-6):
        raise AssertionError(f"step {t}: tracked revenue {rev_sum} != recount {exact}")
