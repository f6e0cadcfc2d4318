"""The numbers each step needs, from the scenario in force at that step.

A run derives them once (:func:`schedule`): a step's parameters change only where an
intervention ramps in or the calendar scales contacts and problems, so steps share them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from womsim.engine.calendar import apply_calendar
from womsim.engine.rivals import RivalParams, rival_params
from womsim.engine.segments import SegmentParams, segment_params
from womsim.model.meanfield import rates
from womsim.model.reviews import Reviews
from womsim.model.telling import Telling

if TYPE_CHECKING:
    from womsim.model.scenario import Scenario

__all__ = ["StepParams", "schedule", "step_params", "value_hazard"]


@lru_cache(maxsize=64)
def _telling(mean: float, tail_k: int | None, tail_share: float | None,
             dispersion: float | None) -> Telling:
    if mean <= 0:
        return Telling.from_pmf(np.array([1.0]))
    if tail_share is not None and tail_k is not None:
        return Telling.from_figures(mean=mean, tail=(tail_k, tail_share))
    return Telling.from_figures(mean=mean, dispersion=dispersion)



@dataclass(frozen=True)
class StepParams:
    """The numbers one step needs, from the scenario in force at that step."""

    p_contact: float
    contact_rate: float
    complain: float
    resolved: float
    quick: float
    leave: tuple[float, float, float, float]  # silent, unresolved, resolved, resolved quickly
    p_churn: float
    negative: Telling
    positive: Telling
    weak_share: float
    repeat: float
    retell: float
    max_hops: int
    deter: float
    wom_defect: float
    referral: float
    memory_years: float
    dt: float
    p_acquire: float
    p_winback: float
    revenue_scale: float
    margin: float
    retention_cost: float
    acquisition_cost: float
    cost_per_contact: float
    desk_cost: float
    fixed_cost: float
    mix_scenario: Scenario
    segments: SegmentParams | None = None  # of a segmented scenario
    rivals: RivalParams | None = None      # of a scenario with rivals
    reviews: Reviews | None = None  # the Reviews part in force
    # the calendar's multipliers at this step (womsim.engine.calendar)
    contact_scale: float = 1.0
    problem_scale: float = 1.0


def step_params(sc: Scenario, base: Scenario, baseline: float) -> StepParams:
    """Derive a step's numbers from the scenario ``sc`` in force (``base``: before changes)."""
    dt = base.simulation.dt
    m, s, c, w, e = sc.market, sc.service, sc.complaints, sc.word_of_mouth, sc.economics
    leave = c.leave()
    # the baseline is today's (solved once); interventions move churn through extra_churn
    churn = baseline + m.extra_churn
    return StepParams(
        p_contact=min(1.0, s.contact_rate * dt),  # mean-exact; Scenario keeps it <= 1
        contact_rate=s.contact_rate,
        complain=c.complain_rate, resolved=c.resolved, quick=c.quick_share,
        leave=(leave["silent"], leave["unresolved"], leave["resolved"],
               leave["resolved_quickly"]),
        p_churn=1 - math.exp(-max(churn, 0.0) * dt),
        negative=_telling(w.negative_mean, w.negative_tail_k, w.negative_tail_share, None),
        positive=_telling(w.positive_mean, None, None, w.positive_dispersion),
        weak_share=w.weak_tie_share, repeat=w.repeat_factor, retell=w.retell_prob,
        max_hops=w.max_hops,
        deter=w.prospect_deter_prob, wom_defect=w.customer_defect_prob,
        referral=w.referral_prob,
        memory_years=w.deter_memory_years, dt=dt,
        p_acquire=1 - math.exp(-m.marketing_rate * dt),
        p_winback=1 - math.exp(-m.winback_rate * dt),
        revenue_scale=(e.revenue_per_year / base.economics.revenue_per_year
                       if base.economics.revenue_per_year > 0 else 0.0),
        margin=e.margin, retention_cost=e.retention_cost_per_year,
        acquisition_cost=e.acquisition_cost, cost_per_contact=e.cost_per_contact,
        desk_cost=sc.desk.cost_per_year() if sc.desk is not None else 0.0,
        fixed_cost=e.fixed_service_cost_per_year,
        mix_scenario=sc,
        segments=segment_params(sc, base, step_params) if sc.segments else None,
        rivals=rival_params(sc, base) if sc.rivals else None,
        reviews=sc.reviews,
    )


def value_hazard(base: Scenario, baseline: float) -> float:
    """Today's total churn hazard per year: how fast a customer's future revenue runs out
    (the price of an event, see :func:`womsim.model.valuation.event_worth`)."""
    r = rates(base)
    alt = 1 - base.market.no_alternative_share
    return (baseline + base.market.extra_churn
            + alt * (r.experience_leave_per_year + r.wom_leave_per_year))


def schedule(scenario: Scenario, base: Scenario | None = None, baseline: float | None = None
             ) -> tuple[list[StepParams], np.ndarray]:
    """Parameters for every step, and the intervention cost booked at each step.

    ``base`` (the scenario with interventions stripped) and its solved ``baseline`` churn
    may be passed in by a caller that already has them.
    """
    sim = scenario.simulation
    dt, steps = sim.dt, sim.steps
    if base is None:
        base = scenario.at(-1.0)  # interventions stripped
    if baseline is None:
        baseline = base.baseline_churn()
    params: list[StepParams] = []
    costs = np.zeros(steps)
    cache: dict[tuple, StepParams] = {}
    for t in range(steps):
        time = t * dt
        strengths = tuple(iv.strength(time) for iv in scenario.interventions)
        if strengths not in cache:
            cache[strengths] = step_params(scenario.at(time), base, baseline)
        params.append(cache[strengths])
        for iv in scenario.interventions:
            if iv.active(time):
                costs[t] += iv.cost_per_year * dt
            if time <= iv.start < time + dt:
                costs[t] += iv.one_off_cost
    return apply_calendar(scenario, params, costs)

