"""A market with segments or rivals in one compiled call: the step's records, fast.

:func:`womsim.engine.step.run` of a market with two segments and a rival makes a few
hundred Python and numpy calls a step (each segment's draws, its telling counts, the
rivals' passes, the books by segment and by rival); at a million people that is a
sixth of the run. :func:`run_market` runs every step in one call of
:func:`womsim.engine.wholemarketkernel.market_run`, which calls the step's own compiled
parts in the step's order with the step's keys, and books the records afterwards with
the step's own arithmetic (:class:`womsim.engine.book.MarketBook` for the segments' and
rivals' records): the records are those of the step, bit for bit
(``tests/test_wholemarket.py``).

It covers markets with segments, rivals or both, with a calendar and a steady start;
not a service desk (its mix moves with the load), online reviews, retelling or extra
problems: :func:`covered` says which, and :func:`womsim.engine.wholerun.run_fast` runs
the others with the step.
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import numpy as np

from womsim.core.errors import NetworkError, ScenarioError
from womsim.engine.book import MarketBook
from womsim.engine.calendar import calendar_mix
from womsim.engine.cores import market_threads, note_run
from womsim.engine.listeners import acted
from womsim.engine.rng import THIN, Streams, _readonly
from womsim.engine.schedule import StepParams, schedule, step_params, value_hazard
from womsim.engine.segments import scaled, segment_mix
from womsim.engine.state import CUSTOMER, FORMER, PROSPECT
from womsim.engine.step import RECORDS, _held, _start
from womsim.engine.tellcounts import CountTables
from womsim.engine.wholekernel import INTS
from womsim.engine.wholemarketkernel import _RK, MARKET_INTS, RIVAL_COUNTS, market_run
from womsim.engine.wholeparts import _keys, _tiers, _unique
from womsim.model.meanfield import experience_mix
from womsim.model.valuation import discount_factors, event_worth

if TYPE_CHECKING:
    from womsim.model.scenario import Scenario
    from womsim.network.graph import Network

__all__ = ["covered", "run_market"]

_I = {name: j for j, name in enumerate((*INTS, *MARKET_INTS))}
# stream ids of the tellings about rival r (engine.rivals._STREAM)
_STREAM = 1024
# beyond a listener's friends, stories over weak ties the chance tables allow for in a
# step (engine.wholerun's; a listener past it sends the run to the step)
_WEAK_HEARD = 64


def covered(scenario: Scenario, params: list[StepParams] | None = None) -> bool:
    """Whether :func:`run_market` covers ``scenario``: segments or rivals (or both),
    without a service desk, online reviews or retelling (``params``: its schedule, if
    made). A calendar and a steady start are covered.

    Examples
    --------
    >>> from womsim import Scenario
    >>> sc = Scenario.preset("telecom").today(rivals=[{"name": "b", "customer_share": 0.1}])
    >>> covered(sc)
    True
    >>> covered(Scenario.preset("telecom"))  # a plain market: engine.wholerun's
    False
    """
    if not (scenario.segments or scenario.rivals) or scenario.reviews.enabled:
        return False
    if params is None:
        params, _ = schedule(scenario)
    for p in params:
        if (p.retell > 0 and p.max_hops > 1) or (p.reviews is not None and p.reviews.enabled):
            return False
        mixes = p.segments.mix_scenarios if p.segments is not None else (p.mix_scenario,)
        if p.mix_scenario.desk is not None or any(m.desk is not None for m in mixes):
            return False
    return True


def run_market(scenario: Scenario, network: Network | None, seed: int,
               valuation_hazard: float | tuple[float, ...] | None = None,
               streams: Streams | None = None) -> dict[str, np.ndarray] | None:
    """:func:`womsim.engine.step.run` of a :func:`covered` market in one compiled call, or
    None where it does not cover the scenario (the caller runs the step instead).

    Parameters are those of :func:`womsim.engine.step.run`; the records are its records,
    bit for bit, on one thread or two (:func:`womsim.engine.cores.market_threads`:
    ``WOMSIM_MARKET_THREADS``, checked before anything else).

    Examples
    --------
    >>> import numpy as np
    >>> from womsim import Scenario
    >>> from womsim.engine.step import run
    >>> sc = Scenario().replace(**{"market.people": 2000, "simulation.horizon_years": 0.5})
    >>> sc = sc.today(rivals=[{"name": "b", "customer_share": 0.1}])
    >>> rec = run_market(sc, None, 3)
    >>> all(np.array_equal(rec[k], v) for k, v in run(sc, None, 3).items())
    True
    """
    threads = market_threads()
    note_run(None)  # until the compiled run has run it
    n = scenario.market.people
    if network is not None and network.n != n:
        raise NetworkError(f"the network has {network.n:,} people but market.people is "
                           f"{n:,}; pass a network of the market's size or set market.people")
    if not (scenario.segments or scenario.rivals):
        return None
    base = scenario.at(-1.0)
    baseline = base.baseline_churn()
    params, iv_costs = schedule(scenario, base, baseline)
    if not covered(scenario, params):
        return None
    try:
        tables = _step_tables(scenario, params)
    except ScenarioError:
        return None  # the step raises it, at the step where it meets it
    if streams is None:
        streams = Streams(seed)
    elif streams.seed != int(seed):
        raise ValueError(f"streams of seed {streams.seed} given for a run of seed {seed}")
    sim = scenario.simulation
    steps = sim.steps
    state, friends = _start(scenario, n, streams, network)
    status = state.status
    initial = np.bincount(status, minlength=4).astype(np.int64)[:3].copy()
    rev0 = float(state.revenue[status == CUSTOMER].sum(dtype=np.float64))
    book = MarketBook(scenario, state, steps, valuation_hazard, value_hazard, step_params)
    k, kr = len(scenario.segments), len(scenario.rivals)

    members = state.members if k else ()
    sizes = np.array([m.size for m in members] if k else [n], dtype=np.int64)
    flat = np.concatenate(members).astype(np.int32) if k else np.empty(0, dtype=np.int32)
    member_off = np.zeros(sizes.size + 1, dtype=np.int64)
    if k:  # unsegmented: one part, everybody, drawn by id (no member list)
        np.cumsum(sizes, out=member_off[1:])
    draws = {m: _draw_tables(streams, m, params, tables, sizes, k) for m in ("contact", "churn")}
    a_tiers, a_q = _tiers([max(p.p_acquire, p.p_winback) for p in params])
    a_keys = streams.step_keys("acquire.candidates", steps,
                               np.array([max(x, 0) for x in a_tiers]))
    par = np.zeros((steps, 17))
    for t, p in enumerate(params):
        par[t, 13:] = p.weak_share, p.p_acquire, p.p_winback, p.memory_years / p.dt

    kinds, kind_step = _unique(params, lambda p: p)
    most = int(np.diff(network.indptr).max()) if network is not None and n else 0
    heard = np.arange(1, most + _WEAK_HEARD + 1, dtype=np.int64)
    chances = np.array([[acted(p.deter, heard, p.repeat), acted(p.wom_defect, heard, p.repeat),
                         acted(p.referral, heard, p.repeat)] for p in kinds])
    hist = max(steps + math.ceil(max(p.memory_years / p.dt for p in params)) + 3,
               int(state.deterred_until.max(initial=0)) + 2)
    rv = _rival_tables(streams, params, kr, steps)
    firm = state.firm if state.firm is not None else np.zeros(n, dtype=np.int8)
    det_rv = state.deterred_rival if state.deterred_rival is not None \
        else np.zeros((0, n), dtype=np.int32)
    segment = state.segment if state.segment is not None else np.empty(0, dtype=np.int8)

    mixed = network is None
    # read-only like a Network's arrays: one compiled kernel (and the one compiled at
    # install) serves a well-mixed market too; writable, each would compile again
    indptr = network.indptr if network is not None else _readonly(np.zeros(n + 1, np.int64))
    indices = network.indices if network is not None else _readonly(np.empty(0, np.int32))
    bits = friends.flag if not mixed else np.zeros(1, dtype=np.uint64)
    same, total = (int(friends.same), int(friends.total)) if not mixed else (0, 0)
    ck, ct, cq, co = draws["contact"]
    bk, bt, bq, bo = draws["churn"]
    tel_step, guides, guide_off, guide_size, cdfs, cdf_off, seg_cdf, seg_cdf_off, seg_start \
        = _telling_tables(params, k)
    (r_contact, r_churn, r_half, r_mix, r_complain, r_resolved, r_quick, r_leave, r_takes,
     r_loses, r_acq, r_memory, ra_keys, ra_tiers, ra_q, rkeys, rkeys_r) = rv
    ints, floats, seg_c, seg_v, rc, won, won_off, code, apart = market_run(
        n, indptr, indices, mixed, status, state.revenue, state.has_alt, state.changed_at,
        state.deterred_until, bits, same, total, segment, flat, member_off, ck, ct, sizes,
        cq, co, bk, bt, bq, bo, a_keys, np.array(a_tiers, dtype=np.int64), a_q,
        _keys(streams, steps), par, tables["rates"], tables["join_c"], tables["join_b"],
        tel_step, guides, guide_off, guide_size, cdfs, cdf_off, seg_cdf, seg_cdf_off,
        seg_start, np.asarray(kind_step, dtype=np.int64), chances, hist, firm, det_rv,
        r_contact, r_churn, r_half, r_mix, r_complain, r_resolved, r_quick, r_leave, r_takes,
        r_loses, r_acq, r_memory, ra_keys, ra_tiers, ra_q, rkeys, rkeys_r,
        len(INTS) + len(MARKET_INTS), threads)
    if code != 0:
        return None  # a listener heard more stories than the tables hold: the step runs it
    note_run(threads, int(apart))
    return _records(scenario, network, params, iv_costs, base, baseline, valuation_hazard,
                    state, book, tables, ints, floats, seg_c, seg_v, rc, won, won_off,
                    initial, rev0)


def _step_tables(scenario: Scenario, params: list[StepParams]) -> dict[str, Any]:
    """Per step (and segment) the outcome rates, our draws' rates and the newcomers'
    half-step chances, from the step's formulas (a calendar's refusal raises)."""
    k = len(scenario.segments)
    steps, rows = len(params), max(k, 1)
    rates = np.zeros((steps, rows, 9))
    ours_c, ours_b = np.zeros((steps, rows)), np.zeros((steps, rows))
    join_c, join_b = np.zeros((steps, rows)), np.zeros((steps, rows))
    sgs: list[Any] = []
    for t, p in enumerate(params):
        if k:
            assert p.segments is not None  # a segmented scenario's steps have their numbers
            sg = scaled(p.segments, p.contact_scale, p.problem_scale, t)
            mix = segment_mix(sg, 0.0, p.problem_scale, t)  # no desk: the load does not act
            rates[t] = np.column_stack([mix[:, 0], mix[:, 2], sg.complain, sg.resolved,
                                        sg.quick, sg.leave])
            ours_c[t], ours_b[t] = sg.p_contact, sg.p_churn
            join_c[t] = sg.p_contact / 2
            join_b[t] = 1.0 - np.sqrt(1.0 - sg.p_churn)
            sgs.append((sg, mix))
        else:
            d, _, q = (float(x) for x in experience_mix(p.mix_scenario, 0.0))
            if p.contact_scale != 1.0 or p.problem_scale != 1.0:
                d, q = calendar_mix(p, 0.0, d, q, t)
            rates[t, 0] = [d, q, p.complain, p.resolved, p.quick, *p.leave]
            ours_c[t, 0], ours_b[t, 0] = p.p_contact, p.p_churn
            join_c[t, 0] = p.p_contact / 2
            join_b[t, 0] = 1.0 - math.sqrt(1.0 - p.p_churn)
    return {"rates": rates, "ours_c": ours_c, "ours_b": ours_b, "join_c": join_c,
            "join_b": join_b, "segments": sgs}


def _draw_tables(streams: Streams, mechanism: str, params: list[StepParams],
                 tables: dict[str, Any], sizes: np.ndarray, k: int) -> tuple[np.ndarray, ...]:
    """The keys, tiers and rates of each step's and part's candidates (member_draw or
    shared_draw: a part's rate is raised to the rivals' largest), and our rates."""
    steps, parts = len(params), sizes.size
    ours = tables["ours_c" if mechanism == "contact" else "ours_b"]
    top = np.zeros(steps)
    for t, p in enumerate(params):
        if p.rivals is not None:
            theirs = p.rivals.p_contact if mechanism == "contact" else p.rivals.p_churn
            top[t] = float(theirs.max()) if theirs.size else 0.0
    keys = np.zeros((steps, parts), dtype=np.uint64)
    tiers = np.zeros((steps, parts), dtype=np.int64)
    q = np.ones((steps, parts))
    for s in range(parts):
        tier, qs = _tiers([max(float(ours[t, s]), top[t]) for t in range(steps)])
        tiers[:, s], q[:, s] = tier, qs
        part = s + 1 if k else 0
        keys[:, s] = streams.step_keys(mechanism + ".candidates", steps,
                                       np.maximum(tiers[:, s], 0) + 4096 * part)
    return keys, tiers, q, np.ascontiguousarray(ours)


def _telling_tables(params: list[StepParams], k: int) -> tuple[np.ndarray, ...]:
    """Each step's negative and positive telling (an index into the tables), and the
    tables: the guide and cdf of a market's telling, or the segments' cumulative tables
    (dummies of one entry for the kind not used)."""
    if k:
        def what(p: StepParams, sign: int) -> Any:
            assert p.segments is not None
            return p.segments.negative if sign == 0 else p.segments.positive
    else:
        def what(p: StepParams, sign: int) -> Any:
            return p.negative if sign == 0 else p.positive
    tellings, neg_index = _unique(params, lambda p: what(p, 0))
    pos_list, pos_index = _unique(params, lambda p: what(p, 1))
    index = {id(x): j for j, x in enumerate(tellings)}
    for x in pos_list:
        if id(x) not in index:
            index[id(x)] = len(tellings)
            tellings.append(x)
    tel_step = np.column_stack([neg_index, [index[id(pos_list[j])] for j in pos_index]]
                               ).astype(np.int64)
    m = len(tellings)
    one_i, one_f = np.zeros(1, dtype=np.int64), np.ones(1)
    if k:
        counts = [CountTables(x) for x in tellings]
        guides, cdfs = [one_i] * m, [one_f] * m
        guide_size = np.ones(m, dtype=np.int64)
        seg_cdf = [c.cdf for c in counts]
        seg_start = np.array([c.start for c in counts], dtype=np.int64)
    else:
        guides = [x._guide.astype(np.int64) for x in tellings]
        cdfs = [x._cdf.astype(np.float64) for x in tellings]
        guide_size = np.array([x._guide_size for x in tellings], dtype=np.int64)
        seg_cdf, seg_start = [one_f] * m, np.zeros((m, 1), dtype=np.int64)

    def ends(parts: list[np.ndarray]) -> np.ndarray:
        return np.concatenate([[0], np.cumsum([x.size for x in parts])]).astype(np.int64)

    return (tel_step, np.concatenate(guides), ends(guides), guide_size, np.concatenate(cdfs),
            ends(cdfs), np.concatenate(seg_cdf), ends(seg_cdf), seg_start)


def _rival_tables(streams: Streams, params: list[StepParams], kr: int, steps: int
                  ) -> tuple[np.ndarray, ...]:
    """The rivals' numbers of each step (engine.rivals.RivalParams) and their keys."""
    w = max(kr, 1)
    contact, churn, half = np.zeros((steps, kr)), np.zeros((steps, kr)), np.zeros((steps, w))
    mix = np.zeros((steps, w, 3))
    complain, resolved, quick = (np.zeros((steps, w)) for _ in range(3))
    leave, takes, loses, acq = np.zeros((steps, 4)), *(np.zeros((steps, w)) for _ in range(3))
    memory = np.zeros(steps, dtype=np.int64)
    totals = []
    for t, p in enumerate(params):
        rp = p.rivals
        if rp is None:
            totals.append(0.0)
            continue
        contact[t], churn[t], half[t] = rp.p_contact, rp.p_churn, 1.0 - np.sqrt(1.0 - rp.p_churn)
        mix[t], complain[t], resolved[t], quick[t] = rp.mix, rp.complain, rp.resolved, rp.quick
        leave[t], takes[t], loses[t] = rp.leave, np.cumsum(rp.takes), rp.loses
        acq[t], memory[t] = np.cumsum(rp.p_acquire), rp.memory_steps
        total = float(rp.p_acquire.sum())
        totals.append(min(total, 1.0) if total > 0 else 0.0)
    ra_tiers, ra_q = _tiers(totals)
    ra_keys = streams.step_keys("rival_acquire.candidates", steps,
                                np.array([max(x, 0) for x in ra_tiers]))
    rkeys = np.column_stack([streams.step_keys(m, steps, THIN if m == "rival_acquire" else 0)
                             for m in _RK])
    rkeys_r = np.zeros((steps, w, 10), dtype=np.uint64)
    for r in range(kr):
        cols = [("rival_deter", r), ("rival_referral", r)]
        for m in ("tell_count", "tell_slot", "weak_target", "listener"):
            cols += [(m, _STREAM + 2 * r), (m, _STREAM + 2 * r + 1)]
        rkeys_r[:, r] = np.column_stack([streams.step_keys(m, steps, x) for m, x in cols])
    return (contact, churn, half, mix, complain, resolved, quick, leave, takes, loses, acq,
            memory, ra_keys, np.array(ra_tiers, dtype=np.int64), ra_q, rkeys, rkeys_r)


def _records(scenario: Scenario, network: Network | None, params: list[StepParams],
             iv_costs: np.ndarray, base: Scenario, baseline: float,
             valuation_hazard: float | tuple[float, ...] | None, state: Any,
             book: MarketBook, tables: dict[str, Any], ints: np.ndarray, floats: np.ndarray,
             seg_c: np.ndarray, seg_v: np.ndarray, rc: np.ndarray, won: np.ndarray,
             won_off: np.ndarray, initial: np.ndarray, rev0: float) -> dict[str, np.ndarray]:
    """The step's records from the kernel's counts and sums, step by step with the
    step's own arithmetic (:func:`womsim.engine.step.run` and its book's)."""
    sim = scenario.simulation
    dt, steps, n = sim.dt, sim.steps, scenario.market.people
    k, kr = len(scenario.segments), len(scenario.rivals)
    rec: dict[str, np.ndarray] = {name: np.zeros(steps) for name in RECORDS}
    price = value_hazard(base, baseline) if valuation_hazard is None \
        or isinstance(valuation_hazard, tuple) else valuation_hazard
    rem = event_worth(scenario, price)
    discount = discount_factors(scenario)
    rev_sum = rev0
    customers = int(initial[CUSTOMER])
    seg_customers = state.seg_customers
    col = {name: ints[:, j].tolist() for name, j in _I.items()}
    for t in range(steps):
        p = params[t]
        g = {name: x[t] for name, x in col.items()}
        if k:
            sg, mix = tables["segments"][t]
            load = float(seg_customers @ sg.contact_rate)
            p_share = float(mix[:, 2] @ seg_customers / max(seg_customers.sum(), 1))
        else:
            load = float(customers) * p.contact_rate
            p_share = float(tables["rates"][t, 0, 1])
        s = floats[t].tolist()
        p_lost, p_gained = s[:3], s[3:7] if kr else s[3:6]
        rev_sum += sum(p_gained) - sum(p_lost)
        customers = g["customers"]
        revenue_step = rev_sum * p.revenue_scale * dt
        rv = None
        if kr:
            counts = {name: rc[t, j, :kr].copy() for j, name in enumerate(RIVAL_COUNTS)}
            rv = SimpleNamespace(counts=counts, to_rival=np.empty(g["to_rival"]),
                                 won=won[won_off[t]:won_off[t + 1]])
            book.rival_customers += counts["won_from_us"] + counts["acquisitions"] \
                - counts["defections"]
        if k:
            assert p.segments is not None
            c, v = book._counts, book._values
            c[:] = seg_c[t]
            v[:] = seg_v[t]
            seg_customers += c[7] + c[8] + c[9] + c[10] - (c[4] + c[6] + c[5])
            book.seg_revenue += v[3] + v[4] + v[5] + v[6] - (v[0] + v[2] + v[1])
            book._revenue = book.seg_revenue * p.segments.revenue_scale * dt
            revenue_step = float(np.sum(book._revenue))
        worth = p.revenue_scale * rem[t]
        acq_spend = (g["acq_marketing"] + g["acq_winback"]) * p.acquisition_cost
        fixed = (p.desk_cost + p.fixed_cost) * dt
        service = (customers * p.retention_cost * dt + g["contacts"] * p.cost_per_contact
                   + fixed)
        margin = revenue_step * p.margin
        profit = margin - acq_spend - service - iv_costs[t]
        if network is None:
            share = (customers - 1) / (n - 1) if customers > 0 and n > 1 else 0.0
        else:
            share = g["friend_same"] / g["friend_total"] if g["friend_total"] else 0.0
        r: dict[str, Any] = {
            "prospects": g["prospects"], "customers": customers, "former": g["former"],
            "deterred": g["deterred"], "contacts": g["contacts"], "delighted": g["delighted"],
            "satisfied": g["contacts"] - g["delighted"] - g["problems"],
            "problems": g["problems"], "silent": g["silent"], "complaints": g["complaints"],
            "resolved_quickly": g["resolved_quickly"], "resolved": g["resolved"],
            "unresolved": g["unresolved"], "defect_silent": g["defect_silent"],
            "defect_unresolved": g["defect_unresolved"],
            "defect_resolved": g["defect_resolved"],
            "defect_resolved_quickly": g["defect_resolved_quickly"],
            "defect_experience": g["defect_experience"], "defect_wom": g["defect_wom"],
            "defect_baseline": g["defect_baseline"],
            "defections": g["defect_experience"] + g["defect_baseline"] + g["defect_wom"],
            "acq_marketing": g["acq_marketing"], "acq_referral": g["acq_referral"],
            "acq_winback": g["acq_winback"],
            "acquisitions": g["acq_referral"] + g["acq_marketing"] + g["acq_winback"]
            + g["won_from_rival"],
            "newly_deterred": g["newly_deterred"],
            "neg_tellers": g["silent"] + g["unresolved"],
            "pos_tellers": g["delighted"] + g["resolved"] + g["resolved_quickly"],
            "neg_tellings_strong": g["neg_tellings_strong"],
            "neg_tellings_weak": g["neg_tellings_weak"],
            "pos_tellings_strong": g["pos_tellings_strong"],
            "pos_tellings_weak": g["pos_tellings_weak"],
            "neg_tellings_silent": g["neg_tellings_silent"], "neg_untold": g["neg_untold"],
            "pos_untold": g["pos_untold"], "customer_friend_share": share,
            "value_lost_experience": p_lost[0] * worth, "value_lost_wom": p_lost[2] * worth,
            "value_lost_baseline": p_lost[1] * worth,
            "value_won_marketing": p_gained[1] * worth,
            "value_won_referral": p_gained[0] * worth,
            "value_won_winback": p_gained[2] * worth,
            "neg_hearings": g["neg_hearings"], "pos_hearings": g["pos_hearings"],
            "retellers": 0, "load": load, "problem_share": p_share, "revenue": revenue_step,
            "margin": margin, "acquisition_spend": acq_spend, "service_cost": service,
            "fixed_cost": fixed, "intervention_cost": iv_costs[t], "profit": profit,
            "discount": discount[t], "discounted_profit": profit * discount[t],
            "review_rating": 0.0, "review_count": 0.0, "review_negative": 0,
            "review_positive": 0, "review_conversion": 1.0,
        }
        last = t == steps - 1
        if last and not scenario.segments:
            r.update(_held(scenario, base, baseline, state))
        book.record(t, r, p, None, rv, worth, last, base)  # type: ignore[arg-type]
        for name, value in r.items():
            rec[name][t] = value
    rec["time"] = (np.arange(steps) + 1) * dt
    rec["initial"] = initial
    rec.update(book.rec)
    return rec


# the statuses the records count (kept here so that a renumbering fails loudly)
assert (PROSPECT, CUSTOMER, FORMER) == (0, 1, 2)
