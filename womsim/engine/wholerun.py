"""A plain run in one compiled call: the scenarios of a tornado or a comparison, fast.

A tornado at 100k people runs 38 scenarios per seed, 104 steps each, and the step of
:mod:`womsim.engine.step` spends most of its millisecond on its hundred-odd Python and
numpy calls, not on the few thousand people it moves. :func:`run_whole` runs all the steps
of one scenario in one call of :func:`womsim.engine.wholekernel.whole_run`, which calls
the step's own compiled parts in the step's order with the step's keys: the records are
those of :func:`womsim.engine.step.run`, bit for bit (``tests/test_wholerun.py``). What
depends only on the seed (the sparse draws' candidates, every step's keys) comes from the
run's streams; with :class:`~womsim.engine.rng.PairedStreams` the scenarios of a seed
share them, made once.

It covers one firm's market: no segments, rivals, online reviews, retelling or extra
problems. A service desk's experience mix is read off its load curve inside the kernel at
each step's load (the desk table's own interpolation, done with the same floating-point
operations); a calendar's multipliers and a steady start need nothing the step does not
give the kernel already. :func:`plain` says whether a scenario is covered; :func:`run_fast`
runs it here, a market with segments or rivals by :mod:`womsim.engine.wholemarket` where
that covers it, and any other with the step.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from womsim.core.errors import NetworkError, ScenarioError
from womsim.engine.calendar import calendar_mix
from womsim.engine.initahead import take_pack
from womsim.engine.listeners import acted
from womsim.engine.rng import PairedStreams, Streams, _readonly, sparse_candidates
from womsim.engine.schedule import StepParams, schedule, value_hazard
from womsim.engine.state import CUSTOMER, State
from womsim.engine.step import RECORDS, _held, _start, run
from womsim.engine.wholekernel import FLOATS, INTS, whole_run
from womsim.engine.wholemarket import run_market
from womsim.engine.wholeparts import _keys, _tiers, _unique
from womsim.model.meanfield import experience_mix
from womsim.model.valuation import discount_factors, event_worth

if TYPE_CHECKING:
    from womsim.model.scenario import Scenario
    from womsim.network.graph import Network

__all__ = ["plain", "run_fast", "run_whole"]

_I = {name: j for j, name in enumerate(INTS)}
_F = {name: j for j, name in enumerate(FLOATS)}
# beyond a listener's friends, stories over weak ties the chance tables allow for in a step
_WEAK_HEARD = 64
# the contact pack of a run that draws its candidates in the kernel (read-only, as packs are)
_NO_PACK = np.empty(0, dtype=np.int64)
_NO_PACK.flags.writeable = False
_NO_OFFSETS = np.zeros(1, dtype=np.int64)
_NO_OFFSETS.flags.writeable = False


def plain(scenario: Scenario, params: list[StepParams] | None = None) -> bool:
    """Whether :func:`run_whole` covers ``scenario``: no segments, rivals, online reviews
    or retelling (``params``: its schedule, if made). A service desk, a calendar and a
    steady start are covered.

    Examples
    --------
    >>> from womsim import Scenario
    >>> plain(Scenario.preset("telecom"))
    True
    >>> plain(Scenario.preset("telecom").replace(**{"simulation.start": "steady"}))
    True
    >>> plain(Scenario.preset("telecom").replace(**{"reviews.enabled": True}))
    False
    """
    if scenario.segments or scenario.rivals or scenario.reviews.enabled:
        return False
    if params is None:
        params, _ = schedule(scenario)
    return all(not (p.retell > 0 and p.max_hops > 1)
               and (p.reviews is None or not p.reviews.enabled) for p in params)


def run_fast(scenario: Scenario, network: Network | None, seed: int,
             valuation_hazard: float | tuple[float, ...] | None = None,
             streams: Streams | None = None) -> dict[str, np.ndarray]:
    """:func:`womsim.engine.step.run` of ``scenario``: by :func:`run_whole` where it covers
    the scenario, else by the step. The same records either way.

    Examples
    --------
    >>> import numpy as np
    >>> from womsim import Scenario
    >>> sc = Scenario().replace(**{"market.people": 2000, "simulation.horizon_years": 0.5})
    >>> bool(np.array_equal(run_fast(sc, None, 3)["profit"], run(sc, None, 3)["profit"]))
    True
    """
    rec = run_whole(scenario, network, seed, valuation_hazard, streams)
    if rec is None and (scenario.segments or scenario.rivals):
        rec = run_market(scenario, network, seed, valuation_hazard, streams)
    if rec is None:
        return run(scenario, network, seed, valuation_hazard=valuation_hazard,
                   streams=streams)
    return rec


def _pack_rates(params: list[StepParams]) -> dict[str, list[float]]:
    # each step's rate of the draws packed for the kernel: churn and acquisition
    return {"churn": [p.p_churn for p in params],
            "acquire": [max(p.p_acquire, p.p_winback) for p in params]}


def _make_pack(streams: Streams, mechanism: str, n: int, ps: list[float]
               ) -> tuple[np.ndarray, np.ndarray]:
    parts = [sparse_candidates(streams, mechanism, t, n, p)[0] for t, p in enumerate(ps)]
    off = np.zeros(len(ps) + 1, dtype=np.int64)
    np.cumsum([x.size for x in parts], out=off[1:])
    return np.concatenate(parts).astype(np.int64, copy=False), off


def packs_ahead(scenario: Scenario, streams: Streams) -> dict[tuple, tuple]:
    """The churn and acquisition packs of :func:`run_whole` for ``scenario`` (none where
    it does not cover it), by their keys: drawn beside the network's build
    (:mod:`womsim.engine.initahead`) and taken by the run when its key matches. A pack
    depends on the seed, the market's size and each step's tier alone."""
    if scenario.segments or scenario.rivals:
        return {}
    base = scenario.at(-1.0)
    params, _ = schedule(scenario, base, base.baseline_churn())
    if not plain(scenario, params):
        return {}
    n = scenario.market.people
    out = {}
    for mechanism, ps in _pack_rates(params).items():
        key = ("whole_pack", mechanism, n, tuple(_tiers(ps)[0]))
        out[key] = _make_pack(streams, mechanism, n, ps)
    return out


def _tier_pack(streams: Streams, mechanism: str, n: int, ps: list[float]
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # each step's candidates at its rate's tier, end to end, with offsets and each rate q
    tiers, qs = _tiers(ps)
    key = ("whole_pack", mechanism, n, tuple(tiers))

    def make() -> tuple[np.ndarray, np.ndarray]:
        got = take_pack(streams.seed, key)  # drawn beside the network's build
        return got if got is not None else _make_pack(streams, mechanism, n, ps)

    cand, off = streams.shared(key, make)
    return cand, off, qs


def run_whole(scenario: Scenario, network: Network | None, seed: int,
              valuation_hazard: float | tuple[float, ...] | None = None,
              streams: Streams | None = None) -> dict[str, np.ndarray] | None:
    """:func:`womsim.engine.step.run` of a :func:`plain` scenario in one compiled call, or
    None where it does not cover the scenario (the caller runs the step instead).

    Parameters are those of :func:`womsim.engine.step.run`; the records are its records,
    bit for bit.

    Examples
    --------
    >>> import numpy as np
    >>> from womsim import Scenario, Network
    >>> sc = Scenario().replace(**{"market.people": 2000, "simulation.horizon_years": 0.5})
    >>> net = Network.random(2000, mean_degree=8, seed=1)
    >>> rec = run_whole(sc, net, 3)
    >>> all(np.array_equal(rec[k], v) for k, v in run(sc, net, 3).items())
    True
    """
    n = scenario.market.people
    if network is not None and network.n != n:
        raise NetworkError(f"the network has {network.n:,} people but market.people is "
                           f"{n:,}; pass a network of the market's size or set market.people")
    if scenario.segments or scenario.rivals:
        return None
    base = scenario.at(-1.0)
    baseline = base.baseline_churn()
    params, iv_costs = schedule(scenario, base, baseline)
    if not plain(scenario, params):
        return None
    if streams is None:
        streams = Streams(seed)
    elif streams.seed != int(seed):
        raise ValueError(f"streams of seed {streams.seed} given for a run of seed {seed}")
    sim = scenario.simulation
    _dt, steps = sim.dt, sim.steps
    state, friends = _start(scenario, n, streams, network)
    status = state.status
    initial = np.bincount(status, minlength=3)[:3].astype(np.int64)
    rev0 = float(state.revenue[status == CUSTOMER].sum(dtype=np.float64))

    contact = [p.p_contact for p in params]
    if isinstance(streams, PairedStreams):  # scenarios of a pass share the pack
        cc, oc, qc = _tier_pack(streams, "contact", n, contact)
        c_keys, c_tiers = np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
    else:  # the kernel draws each step's (the same candidates)
        tiers, qc = _tiers(contact)
        cc, oc = _NO_PACK, _NO_OFFSETS
        c_keys = streams.step_keys("contact.candidates", len(tiers), np.array(tiers))
        c_tiers = np.array(tiers, dtype=np.int64)
    rates_of = _pack_rates(params)
    cb, ob, qb = _tier_pack(streams, "churn", n, rates_of["churn"])
    ca, oa, qa = _tier_pack(streams, "acquire", n, rates_of["acquire"])
    par = np.array([[p.p_contact / qc[t], p.p_churn / qb[t], p.p_contact / 2,
                     1.0 - math.sqrt(1.0 - p.p_churn), 0.0, 0.0, p.complain, p.resolved,
                     p.quick, *p.leave, p.weak_share, p.p_acquire / qa[t],
                     p.p_winback / qa[t], p.memory_years / p.dt]
                    for t, p in enumerate(params)])
    kinds, kind_step = _unique(params, lambda p: p)
    try:
        desk_step, desk_par, loads, table, table_off = _desk_tables(params, kinds, kind_step,
                                                                    par)
    except ScenarioError:
        return None  # the step raises it, at the step where it meets it
    rates = np.ascontiguousarray(par[:, [4, 5, 6, 7, 8, 9, 10, 11, 12]])

    tellings, neg_index = _unique(params, lambda p: p.negative)
    pos_list, pos_index = _unique(params, lambda p: p.positive)
    index = {id(x): j for j, x in enumerate(tellings)}
    for x in pos_list:
        if id(x) not in index:
            index[id(x)] = len(tellings)
            tellings.append(x)
    tel_step = np.column_stack([neg_index, [index[id(pos_list[j])] for j in pos_index]]
                               ).astype(np.int64)
    guides = np.concatenate([x._guide for x in tellings]).astype(np.int64)
    cdfs = np.concatenate([x._cdf for x in tellings]).astype(np.float64)
    guide_off = np.concatenate([[0], np.cumsum([x._guide.size for x in tellings])])
    cdf_off = np.concatenate([[0], np.cumsum([x._cdf.size for x in tellings])])
    guide_size = np.array([x._guide_size for x in tellings], dtype=np.int64)

    most = int(np.diff(network.indptr).max()) if network is not None and n else 0
    cap = most + _WEAK_HEARD
    heard = np.arange(1, cap + 1, dtype=np.int64)
    chance_step = kind_step
    chances = np.array([[acted(p.deter, heard, p.repeat), acted(p.wom_defect, heard, p.repeat),
                         acted(p.referral, heard, p.repeat)] for p in kinds])
    # a steady start's deterred count from before the first step, up to one memory ahead
    hist = max(steps + math.ceil(max(p.memory_years / p.dt for p in params)) + 3,
               int(state.deterred_until.max(initial=0)) + 2)

    mixed = network is None
    # read-only like a Network's arrays: one compiled kernel (and the one compiled at
    # install) serves a well-mixed market too; writable, each would compile again
    indptr = network.indptr if network is not None else _readonly(np.zeros(n + 1, np.int64))
    indices = network.indices if network is not None else _readonly(np.empty(0, np.int32))
    bits = friends.flag if not mixed else np.zeros(1, dtype=np.uint64)
    same, total = (int(friends.same), int(friends.total)) if not mixed else (0, 0)
    ints, floats, code = whole_run(
        n, indptr, indices, mixed, status, _readonly(state.revenue), _readonly(state.has_alt),
        state.changed_at,
        state.deterred_until, bits, same, total, cc, oc, cb, ob, ca, oa, _keys(streams, steps),
        par, rates, tel_step, guides, guide_off.astype(np.int64), guide_size, cdfs,
        cdf_off.astype(np.int64), chance_step, chances, hist, c_keys, c_tiers, desk_step,
        desk_par, loads, table, table_off)
    if code != 0:
        # a listener heard more stories in a step than the tables hold, or a calendar
        # pushed the desk past its load curve or problems above 1: the step runs it (and
        # raises the latter with its message)
        return None
    # the desk's steps: the problem share the kernel read off the load curve
    par[:, 5] = np.where(desk_step >= 0, floats[:, 6], par[:, 5])
    return _records(scenario, network, params, iv_costs, base, baseline, valuation_hazard,
                    state, ints, floats[:, :6], initial, rev0, par)


def _desk_tables(params: list[StepParams], kinds: list[StepParams], kind_step: np.ndarray,
                 par: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each step's experience mix: a fixed mix's shares (with the calendar's problem
    multiplier) written into ``par``; for a desk, its load curve for the kernel.

    Returns ``(desk_step, desk_par, loads, table, table_off)``: the step's desk table (-1:
    fixed mix), its (contact rate, contact multiplier, problem multiplier), and the desks'
    load grids and mix rows end to end with their offsets.
    """
    steps = len(params)
    first = np.full(len(kinds), -1, dtype=np.int64)
    for t in range(steps - 1, -1, -1):
        first[kind_step[t]] = t
    mixes = np.zeros((len(kinds), 2))
    desks: dict[int, int] = {}
    grids: list[np.ndarray] = []
    rows: list[np.ndarray] = []
    kind_desk = np.full(len(kinds), -1, dtype=np.int64)
    for j, p in enumerate(kinds):
        desk = p.mix_scenario.desk
        if desk is None:
            # the fixed mix, as the step has it (floats), the calendar's multiplier on it
            d, _, q = (float(x) for x in experience_mix(p.mix_scenario, 0.0))
            if p.contact_scale != 1.0 or p.problem_scale != 1.0:
                d, q = calendar_mix(p, 0.0, d, q, int(first[j]))
            mixes[j] = d, q
            continue
        mt = desk.mix_table()
        if id(mt) not in desks:
            desks[id(mt)] = len(grids)
            grids.append(np.asarray(mt.loads, dtype=np.float64))
            rows.append(np.asarray(mt.mix, dtype=np.float64))
        kind_desk[j] = desks[id(mt)]
    par[:, 4], par[:, 5] = mixes[kind_step, 0], mixes[kind_step, 1]
    table_off = np.zeros(len(grids) + 1, dtype=np.int64)
    np.cumsum([g.size for g in grids], out=table_off[1:])
    loads = np.concatenate(grids) if grids else np.zeros(0)
    table = np.concatenate(rows) if rows else np.zeros((0, 3))
    desk_par = np.array([[p.contact_rate, p.contact_scale, p.problem_scale] for p in params])
    return kind_desk[kind_step], desk_par, loads, np.ascontiguousarray(table), table_off


def _records(scenario: Scenario, network: Network | None, params: list[StepParams],
             iv_costs: np.ndarray, base: Scenario, baseline: float,
             valuation_hazard: float | tuple[float, ...] | None, state: State,
             ints: np.ndarray, floats: np.ndarray, initial: np.ndarray, rev0: float,
             par: np.ndarray) -> dict[str, np.ndarray]:
    """The step's records from the kernel's counts and sums, by the step's own arithmetic
    (element by element the same operations, so the same numbers)."""
    sim = scenario.simulation
    dt, steps, n = sim.dt, sim.steps, scenario.market.people
    rec: dict[str, np.ndarray] = {name: np.zeros(steps) for name in RECORDS}
    col = {name: ints[:, j] for name, j in _I.items()}
    for name in ("prospects", "customers", "former", "deterred", "contacts", "delighted",
                 "problems", "silent", "complaints", "resolved_quickly", "resolved",
                 "unresolved", "defect_silent", "defect_unresolved", "defect_resolved",
                 "defect_resolved_quickly", "defect_experience", "defect_wom",
                 "defect_baseline", "acq_marketing", "acq_referral", "acq_winback",
                 "newly_deterred", "neg_tellings_strong", "neg_tellings_weak",
                 "pos_tellings_strong", "pos_tellings_weak", "neg_tellings_silent",
                 "neg_untold", "pos_untold", "neg_hearings", "pos_hearings"):
        rec[name][:] = col[name]
    cust = col["customers"]
    mk, wb = col["acq_marketing"], col["acq_winback"]
    rec["satisfied"][:] = col["contacts"] - col["delighted"] - col["problems"]
    rec["defections"][:] = col["defect_experience"] + col["defect_baseline"] + col["defect_wom"]
    rec["acquisitions"][:] = col["acq_referral"] + mk + wb
    rec["neg_tellers"][:] = col["silent"] + col["unresolved"]
    rec["pos_tellers"][:] = col["delighted"] + col["resolved"] + col["resolved_quickly"]
    if network is None:
        rec["customer_friend_share"][:] = [(c - 1) / (n - 1) if c > 0 and n > 1 else 0.0
                                           for c in cust.tolist()]
    else:
        rec["customer_friend_share"][:] = [s / tot if tot else 0.0 for s, tot in
                                           zip(col["friend_same"].tolist(),
                                               col["friend_total"].tolist(), strict=True)]
    # the customers at each step's start price its load; the revenue total moves by
    # each step's groups, summed as the step sums them
    start = np.concatenate([[initial[CUSTOMER]], cust[:-1]])
    contact_rate = np.array([p.contact_rate for p in params])
    rec["load"][:] = start.astype(np.float64) * contact_rate
    rec["problem_share"][:] = par[:, 5]
    rev_sum, totals = rev0, np.empty(steps)
    for t, s in enumerate(floats.tolist()):
        rev_sum += sum(s[3:]) - sum(s[:3])
        totals[t] = rev_sum
    scale = np.array([p.revenue_scale for p in params])
    price = value_hazard(base, baseline) if valuation_hazard is None \
        or isinstance(valuation_hazard, tuple) else valuation_hazard
    worth = scale * event_worth(scenario, price)
    discount = discount_factors(scenario)
    acq_spend = (mk + wb) * np.array([p.acquisition_cost for p in params])
    fixed = (np.array([p.desk_cost for p in params])
             + np.array([p.fixed_cost for p in params])) * dt
    service = (cust * np.array([p.retention_cost for p in params]) * dt
               + col["contacts"] * np.array([p.cost_per_contact for p in params]) + fixed)
    revenue = totals * scale * dt
    margin = revenue * np.array([p.margin for p in params])
    profit = margin - acq_spend - service - iv_costs
    rec["value_lost_experience"][:] = floats[:, _F["lost_experience"]] * worth
    rec["value_lost_wom"][:] = floats[:, _F["lost_wom"]] * worth
    rec["value_lost_baseline"][:] = floats[:, _F["lost_baseline"]] * worth
    rec["value_won_marketing"][:] = floats[:, _F["won_marketing"]] * worth
    rec["value_won_referral"][:] = floats[:, _F["won_referral"]] * worth
    rec["value_won_winback"][:] = floats[:, _F["won_winback"]] * worth
    rec["revenue"][:] = revenue
    rec["margin"][:] = margin
    rec["acquisition_spend"][:] = acq_spend
    rec["service_cost"][:] = service
    rec["fixed_cost"][:] = fixed
    rec["intervention_cost"][:] = iv_costs
    rec["profit"][:] = profit
    rec["discount"][:] = discount
    rec["discounted_profit"][:] = profit * discount
    rec["review_conversion"][:] = 1.0  # no review channel: marketing converts as it is
    for name, value in _held(scenario, base, baseline, state).items():
        rec[name][steps - 1] = value
    rec["time"] = (np.arange(steps) + 1) * dt
    rec["initial"] = initial
    return rec
