"""The calendar in the engine: per-step multipliers applied to the step's parameters.

:func:`womsim.model.calendar.step_multipliers` gives, once per run, the multipliers of
contacts, of the problem share and of the marketing hazard at every step;
:func:`apply_calendar` folds them into the schedule's parameters (steps they do not reach
keep the very same parameter object, so their draws are unchanged: common random numbers
hold up to the first step an event reaches) and :func:`calendar_mix` applies the problem
multiplier to the experience mix inside the step.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from womsim.core.errors import ScenarioError
from womsim.model.calendar import step_multipliers

if TYPE_CHECKING:
    from womsim.engine.rivals import RivalParams
    from womsim.engine.step import StepParams
    from womsim.model.scenario import Scenario

__all__ = ["apply_calendar", "calendar_mix"]


def apply_calendar(scenario: Scenario, params: list, costs: np.ndarray) -> tuple[list, np.ndarray]:
    """The schedule's per-step parameters and costs with the scenario's calendar applied.

    Contacts: the contact probability and the desk's load (``contact_rate``) x the step's
    contact multiplier. Marketing: the hazard x the multiplier (``1 - (1 - p)^m``). The
    problem multiplier is carried to the step (``problem_scale``). A pulse's one-off cost is
    booked with the programme costs at its start step. The seasonality is the market's: the
    rivals' contact probabilities follow it too; incidents and pulses are our firm's and
    leave the rivals alone.
    """
    sim = scenario.simulation
    m = step_multipliers(scenario.calendar, sim.dt, sim.steps)
    if m is None:
        return params, costs
    out = list(params)
    cache: dict[tuple, object] = {}
    for t in np.nonzero(m.active)[0]:
        p = params[t]
        c, q, k = float(m.contacts[t]), float(m.problems[t]), float(m.marketing[t])
        season = float(m.season[t]) if m.season is not None else 1.0
        key = (id(p), c, q, k, season)
        if key not in cache:
            p_contact = p.p_contact * c
            if p_contact > 1 + 1e-12:
                raise ScenarioError(
                    f"calendar: at {scenario.calendar.date_text(t * sim.dt)} contacts x{c:.3g} "
                    f"give {p_contact:.2f} contacts per customer per step (with the "
                    "interventions in force), but the engine draws at most one per step: "
                    "shorten simulation.step_days or lower the multiplier")
            cache[key] = replace(
                p, p_contact=min(p_contact, 1.0), contact_rate=p.contact_rate * c,
                contact_scale=c, problem_scale=q,
                p_acquire=-math.expm1(k * math.log1p(-p.p_acquire)) if p.p_acquire < 1
                else 1.0, rivals=_rivals_in_season(scenario, p.rivals, season, int(t)))
        out[t] = cache[key]
    return out, costs + m.costs


def _rivals_in_season(scenario: Scenario, rivals: RivalParams | None, season: float,
                      t: int) -> RivalParams | None:
    """The rivals' numbers at a step of the season: their contacts x its multiplier."""
    if rivals is None or season == 1.0:
        return rivals
    p = rivals.p_contact * season
    worst = int(np.argmax(p))
    if p[worst] > 1 + 1e-12:
        raise ScenarioError(
            f"calendar: at {scenario.calendar.date_text(t * scenario.simulation.dt)} the "
            f"seasonality x{season:.3g} gives rival '{rivals.names[worst]}' {p[worst]:.2f} "
            "contacts per customer per step, but the engine draws at most one per step: "
            "shorten simulation.step_days or flatten the profile")
    return replace(rivals, p_contact=np.minimum(p, 1.0))


def calendar_mix(p: StepParams, load: float, delighted: float, problem: float, t: int
                 ) -> tuple[float, float]:
    """The step's (delighted, problem) shares with the calendar's problem multiplier.

    Extra problems come out of satisfied contacts first, then out of delighted ones.
    With a service desk, a load the calendar moves beyond the desk's simulated load curve
    (where its mix would be clipped, so the extra contacts would not strain it) is refused.
    """
    desk = getattr(p.mix_scenario, "desk", None)
    if desk is not None and p.contact_scale != 1.0:
        top = float(desk.mix_table().loads[-1])
        if max(load, load / p.contact_scale) > top:
            raise ScenarioError(
                f"calendar: at step {t} contacts x{p.contact_scale:.3g} put the service desk's "
                f"load at {load:,.0f} contacts a year, beyond its simulated load curve (up to "
                f"{top:,.0f}, where its experience mix is held constant), so part of the "
                "change would not act: lower the multiplier or add agents (desk.agents)")
    if p.problem_scale == 1.0:
        return delighted, problem
    raised = problem * p.problem_scale
    if raised > 1 + 1e-12:
        raise ScenarioError(
            f"calendar: at step {t} an incident raising problems x{p.problem_scale:.3g} on a "
            f"problem share of {problem:.3g} gives {raised:.3g}, above 1: lower its multiplier")
    raised = min(raised, 1.0)
    return min(delighted, 1.0 - raised), raised
