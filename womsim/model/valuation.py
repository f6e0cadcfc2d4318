"""The one valuation every money headline uses (docs/model.md, "Valuation").

A money headline is a **present value at the start of the horizon**:

    value = discounted cash within the horizon + discounted value after it of the customers
            then held (their remaining lifetimes, with the costs that follow them).

Cash of step ``t`` (0-based, length ``dt`` years) is discounted at its middle,
``exp(-delta (t + 1/2) dt)`` with ``delta = ln(1 + discount_rate)``. The customers held at
the end of the horizon ``T`` are then followed step by step in expectation: a customer who
stays pays for a step at its end, and survives a step with the probability the engine gives
(baseline churn for everybody; for those with an alternative also their own experience and
word of mouth, at the service in force then and at the number of customers held at ``T``).
What follows them after ``T``:

* their margin, retention cost and the cost of their expected contacts;
* running costs that do not scale with customers (a desk's payroll, a programme's yearly
  cost): each held customer carries ``cost / customers held`` a year for as long as they
  stay, so these costs are counted exactly as long as the customers they serve;
* interventions act after ``T`` as they are set: one that ends (or starts) after ``T``
  changes both its effect and its cost from then on.

Their value is cut off 50 years after the horizon (``MAX_LIFETIME_YEARS``). With
``economics.value_horizon = "horizon"`` nothing after ``T`` counts.

An event (a customer lost or won at step ``t``) is priced on the same basis: the present
value of the revenue the person brings from that step on, at one churn hazard shared by the
runs being compared (:func:`event_worth`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from womsim.model.meanfield import rates

if TYPE_CHECKING:
    from womsim.model.scenario import Scenario

__all__ = ["MAX_LIFETIME_YEARS", "Held", "discount_factors", "event_worth", "held_value"]

#: Longest time after the horizon over which held customers are valued (years).
MAX_LIFETIME_YEARS = 50.0


def discount_factors(scenario: Scenario) -> np.ndarray:
    """Mid-step discount factor of every step: ``exp(-delta (t + 1/2) dt)``.

    Examples
    --------
    >>> from womsim import Scenario
    >>> sc = Scenario().replace(**{"economics.discount_rate": 0.1})   # weekly, 2 years
    >>> d = discount_factors(sc)
    >>> len(d), round(float(d[0]), 5), round(float(d[-1]), 3)
    (104, 0.99908, 0.827)
    """
    sim = scenario.simulation
    return np.exp(-scenario.economics.discount_hazard * (np.arange(sim.steps) + 0.5) * sim.dt)


def _geometric(q: float, k: int) -> float:
    """``sum_{j=0}^{k-1} q^j``."""
    if k <= 0:
        return 0.0
    return float(k) if abs(1.0 - q) < 1e-15 else (1.0 - q ** k) / (1.0 - q)


def event_worth(scenario: Scenario, hazard: float) -> np.ndarray:
    """Present value at the start of 1 a year of revenue from a customer present at the end
    of each step, who leaves at ``hazard`` per year (years, discounted).

    The customer pays for that step and every later one they stay, within the horizon and,
    with ``value_horizon = "lifetime"``, after it (up to ``MAX_LIFETIME_YEARS``).

    Examples
    --------
    >>> from womsim import Scenario
    >>> sc = Scenario().replace(**{"economics.discount_rate": 0.0,
    ...                            "economics.value_horizon": "horizon"})
    >>> w = event_worth(sc, 0.0)          # no churn, no discounting: the years left
    >>> round(float(w[0]), 3), round(float(w[-1]), 3)     # 104 and 1 weekly steps
    (2.0, 0.019)
    """
    sim, e = scenario.simulation, scenario.economics
    dt, steps = sim.dt, sim.steps
    q = math.exp(-(max(hazard, 0.0) + e.discount_hazard) * dt)
    after = round(MAX_LIFETIME_YEARS / dt) if e.value_horizon == "lifetime" else 0
    left = steps - np.arange(steps) + after
    geo = np.array([_geometric(q, int(k)) for k in np.unique(left)])
    index = np.searchsorted(np.unique(left), left)
    return dt * discount_factors(scenario) * geo[index]


@dataclass(frozen=True)
class Held:
    """What the customers held at the end of the horizon are worth after it.

    Every money field is a present value at the start of the horizon; ``lifetime`` is the
    mean discounted years a held customer stays on after the horizon (valued at the end of
    the horizon); ``decay`` is each group's per-step factor (survival x discount) right after
    the horizon, so that the value accrued ``k`` steps after it is about
    ``value * (1 - decay**k) / (1 - decay**K)`` (``K``: the steps valued).
    """

    revenue: float = 0.0
    margin: float = 0.0
    service_cost: float = 0.0
    fixed_cost: float = 0.0
    intervention_cost: float = 0.0
    lifetime: float = 0.0
    value_alt: float = 0.0
    value_noalt: float = 0.0
    decay_alt: float = 0.0
    decay_noalt: float = 0.0

    @property
    def value(self) -> float:
        """Margin less the costs that follow the held customers."""
        return self.margin - self.service_cost - self.fixed_cost - self.intervention_cost


def _survival(p, sc, customers: float) -> tuple[float, float]:
    """Per-step survival of a held customer without and with an alternative."""
    r = rates(sc, customers)
    dt = sc.simulation.dt
    stay = 1.0 - p.p_churn
    service = (1 - min(1.0, r.experience_leave_per_year * dt)) * \
        (1 - min(1.0, r.wom_leave_per_year * dt))
    return stay, stay * service


def held_value(scenario: Scenario, base, baseline: float, n_alt: float, n_noalt: float,
               revenue_alt: float, revenue_noalt: float, step_params: Callable,
               cost_share: float = 1.0) -> Held:
    """Value after the horizon of the customers held at its end (see the module doc).

    ``n_*`` count the held customers with and without an alternative provider and
    ``revenue_*`` what they pay per year at today's prices; ``base`` is the scenario with
    interventions stripped and ``baseline`` its solved baseline churn hazard;
    ``step_params(scenario, base, baseline)`` gives the per-step parameters the engine would
    use (:func:`womsim.engine.step.step_params`: passed in, since the engine calls this module).
    ``cost_share``: the share of the market-wide fixed and programme costs these customers
    carry (a segment's share of the customers held; 1 for the whole market).

    Examples
    --------
    >>> from womsim import Scenario
    >>> sc = Scenario().replace(**{"market.observed_annual_churn": None,
    ...     "market.baseline_churn": 0.2, "service.problem_rate": 0.0,
    ...     "economics.retention_cost_per_year": 0.0, "economics.cost_per_contact": 0.0})
    >>> from womsim.engine.step import step_params
    >>> h = held_value(sc, sc, 0.2, 0, 100, 0, 60_000.0, step_params)
    >>> round(h.lifetime, 2)      # about 1 / (0.2 + ln 1.08) = 3.62, in weekly steps
    3.6
    """
    e = scenario.economics
    if e.value_horizon != "lifetime":
        return Held()
    sim = scenario.simulation
    dt, steps = sim.dt, sim.steps
    horizon = steps * dt
    delta = e.discount_hazard
    held = n_alt + n_noalt
    if held <= 0:
        return Held()
    total_steps = round(MAX_LIFETIME_YEARS / dt)
    # phases after the horizon: a new one wherever an intervention starts, ends or finishes
    # ramping in, so that an `end` stops both its effect and its cost
    cuts = {0}
    for iv in scenario.interventions:
        for when in (iv.start, iv.end, iv.start + iv.ramp if iv.ramp > 0 else None):
            if when is not None and when > horizon:
                cuts.add(min(total_steps, math.ceil((when - horizon) / dt - 1e-9)))
    phases = [*sorted(c for c in cuts if c < total_steps), total_steps]
    groups = ((n_alt, revenue_alt, 1), (n_noalt, revenue_noalt, 0))
    alive = [1.0, 1.0]  # share of each group still held at the start of a phase
    out = dict(revenue=0.0, margin=0.0, service_cost=0.0, fixed_cost=0.0,
               intervention_cost=0.0, lifetime=0.0, value_alt=0.0, value_noalt=0.0)
    decay = [0.0, 0.0]
    start_discount = math.exp(-delta * horizon)
    for j, (a, b) in enumerate(itertools.pairwise(phases)):
        t0 = horizon + a * dt
        sc = scenario.at(t0) if scenario.interventions else base
        p = step_params(sc, base, baseline)
        survive = _survival(p, sc, held)
        running = sum(iv.cost_per_year for iv in scenario.interventions if iv.active(t0))
        # a programme that starts after the horizon pays its one-off cost when it starts
        one_off = sum(iv.one_off_cost for iv in scenario.interventions
                      if iv.start > horizon and a <= (iv.start - horizon) / dt < b)
        fixed = (p.desk_cost + p.fixed_cost) * cost_share
        running, one_off = running * cost_share, one_off * cost_share
        # retention is paid by those held at a step's end, contacts by those held at its
        # start (as in the engine): one step's survival apart
        contact = p.contact_rate * p.cost_per_contact
        disc0 = start_discount * math.exp(-delta * a * dt)
        for g, (n, rev, has) in enumerate(groups):
            s = survive[has]
            q = s * math.exp(-delta * dt)
            per_customer = p.retention_cost + (contact / s if s > 0 else 0.0)
            if j == 0:
                decay[has] = q
            # sum over the phase's steps k = 1..K of alive * s^k * exp(-delta (k - 1/2) dt) dt
            w = disc0 * alive[g] * dt * s * math.exp(-delta * dt / 2) * _geometric(q, b - a)
            rv = rev * p.revenue_scale * w
            share = n / held
            lump = one_off * share * disc0 * alive[g]
            value = rv * p.margin - n * per_customer * w - (fixed + running) * share * w - lump
            out["revenue"] += rv
            out["margin"] += rv * p.margin
            out["service_cost"] += n * per_customer * w
            out["fixed_cost"] += fixed * share * w
            out["intervention_cost"] += running * share * w + lump
            out["lifetime"] += share * w / start_discount
            out["value_alt" if has else "value_noalt"] += value
            alive[g] *= s ** (b - a)
    return Held(**out, decay_alt=decay[1], decay_noalt=decay[0])
