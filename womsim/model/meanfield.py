"""Mean-field rates of a scenario, and the baseline churn solved from observed churn.

A consultant knows the client's annual churn, not the hidden rate at which customers leave
for reasons unrelated to service. Given today's service, the rates below say how much churn
service causes (own experience and word of mouth); the baseline hazard is what is left.
The same per-step probabilities as the engine are used, so the calibration is exact for the
step size in use, up to the mean-field approximation of who hears whom (listeners are
treated as a random sample of the market).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from womsim.core.errors import CalibrationError
from womsim.model.reach import told_shares

# scipy only inside the functions that use it: `import womsim` would pay ~0.4 s CPU for it
# (a third of the import) although most sessions never call them (tests/test_import_cost.py)

if TYPE_CHECKING:
    from womsim.model.scenario import Scenario

__all__ = ["SOLVERS", "Rates", "Solver", "annual_churn_columns", "experience_mix",
           "observables", "rates", "solve_baseline_churn"]


def experience_mix(scenario: Scenario, contacts_per_year: float | np.ndarray) -> np.ndarray:
    """(delighted, satisfied, problem) shares of contacts at a load (contacts per year).

    From the service desk when the scenario has one, else the fixed mix.

    Examples
    --------
    >>> from womsim import Scenario
    >>> experience_mix(Scenario(), 1000.0).round(2).tolist()
    [0.2, 0.7, 0.1]
    """
    if scenario.desk is not None:
        return np.asarray(scenario.desk.experience_mix(contacts_per_year), dtype=float)
    s = scenario.service
    mix = np.array([s.delight_rate, 1.0 - s.delight_rate - s.problem_rate, s.problem_rate])
    return np.broadcast_to(mix, (*np.shape(contacts_per_year), 3)).copy()


@dataclass(frozen=True)
class Rates:
    """Per-customer yearly rates of one scenario at one moment (mean field)."""

    contact_prob_step: float
    contacts_per_year: float
    delighted: float
    satisfied: float
    problem: float
    silent: float
    unresolved: float
    resolved: float
    resolved_quickly: float
    leave: dict
    experience_leave_per_year: float
    negative_tellers_per_year: float
    positive_tellers_per_year: float
    negative_tellings_per_year: float
    positive_tellings_per_year: float
    wom_hearings_per_year: float
    wom_leave_per_year: float


def rates(scenario: Scenario, customers: float | None = None) -> Rates:
    """Mean-field yearly rates per customer at the given number of customers.

    Examples
    --------
    >>> from womsim import Scenario
    >>> r = rates(Scenario())
    >>> round(r.negative_tellings_per_year, 3) > 0
    True
    """
    m, c, w = scenario.market, scenario.complaints, scenario.word_of_mouth
    dt = scenario.simulation.dt
    if customers is None:
        customers = m.people * m.customer_share
    # at most one contact per customer per step, with mean rate x dt: the expected
    # contacts per year do not depend on the step size (Scenario checks rate x dt <= 1)
    p_contact = scenario.service.contact_rate * dt
    contacts = scenario.service.contact_rate
    load = customers * scenario.service.contact_rate
    d, s, p = (float(x) for x in experience_mix(scenario, load))
    silent = p * (1 - c.complain_rate)
    unresolved = p * c.complain_rate * (1 - c.resolved)
    resolved_q = p * c.complain_rate * c.resolved * c.quick_share
    resolved = p * c.complain_rate * c.resolved * (1 - c.quick_share)
    leave = c.leave()
    exp_leave = contacts * (silent * leave["silent"] + unresolved * leave["unresolved"]
                            + resolved * leave["resolved"]
                            + resolved_q * leave["resolved_quickly"])
    neg_tellers = contacts * (silent + unresolved)
    pos_tellers = contacts * (d + resolved + resolved_q)
    # only stories told count: a teller tells at most their friends (womsim.model.reach)
    told_neg, told_pos = told_shares(scenario)
    neg = neg_tellers * w.negative_mean * told_neg
    pos = pos_tellers * w.positive_mean * told_pos
    share = customers / m.people
    hearings = neg * share  # bad stories a customer hears per year
    wom_leave = hearings * w.customer_defect_prob
    return Rates(p_contact, contacts, d, s, p, silent, unresolved, resolved, resolved_q, leave,
                 exp_leave, neg_tellers, pos_tellers, neg, pos, hearings, wom_leave)


def annual_churn(scenario: Scenario, baseline: float, customers: float | None = None) -> float:
    """Expected share of customers leaving within a year, for a baseline hazard."""
    return float(_annual_churn(scenario, baseline, customers))


def annual_churn_columns(scenario: Any, baseline: float) -> np.ndarray:
    """:func:`annual_churn` of many parameter sets at once: ``scenario`` an unvalidated copy
    whose fields that enter by arithmetic alone hold arrays (one value per set).

    Examples
    --------
    >>> from womsim import Scenario
    >>> sc = Scenario.preset("retail_bank")
    >>> c = sc.complaints.model_copy(update={"intention_to_action": np.array([0.3, 0.7])})
    >>> many = annual_churn_columns(sc.model_copy(update={"complaints": c}), 0.1)
    >>> bool(many[0] < many[1])
    True
    """
    return np.asarray(_annual_churn(scenario, baseline, None), dtype=float)


def _annual_churn(scenario: Any, baseline: float, customers: float | None) -> Any:
    r = rates(scenario, customers)
    dt = scenario.simulation.dt
    per_year = 1.0 / dt
    alt = 1.0 - scenario.market.no_alternative_share
    # per-step survival; experience and word of mouth only act on people with an alternative
    base_step = math.exp(-(baseline + scenario.market.extra_churn) * dt)
    # np.minimum, not min: womsim.analysis.calibrate evaluates whole columns of parameter
    # sets at once
    service_step = (1 - np.minimum(1.0, r.experience_leave_per_year * dt)) * \
        (1 - np.minimum(1.0, r.wom_leave_per_year * dt))
    surv_alt = (base_step * service_step) ** per_year
    surv_noalt = base_step ** per_year
    return 1.0 - (alt * surv_alt + (1 - alt) * surv_noalt)


def solve_baseline_churn(scenario: Scenario) -> float:
    """The baseline churn hazard (per year) that makes annual churn match the observed one.

    Raises
    ------
    CalibrationError
        When today's service alone already causes more churn than observed.

    Examples
    --------
    >>> from womsim import Scenario
    >>> sc = Scenario.preset("telecom")
    >>> h = solve_baseline_churn(sc)
    >>> round(annual_churn(sc, h), 6) == sc.market.observed_annual_churn
    True
    """
    from scipy.optimize import brentq

    target = cast(float, scenario.market.observed_annual_churn)  # set when this is solved
    service_only = annual_churn(scenario, 0.0)
    if service_only > target + 1e-12:
        r = rates(scenario)
        raise CalibrationError(
            f"market.observed_annual_churn = {target:.1%}, but today's service alone makes "
            f"{service_only:.1%} of customers leave each year (own experience "
            f"{r.experience_leave_per_year:.1%}/yr, word of mouth {r.wom_leave_per_year:.1%}/yr)"
            ". Lower service.problem_rate, complaints.intention_to_action or "
            "word_of_mouth.customer_defect_prob, or check the observed churn.")
    if abs(service_only - target) < 1e-12:
        return 0.0
    return float(brentq(lambda h: annual_churn(scenario, h) - target, 0.0, 50.0, xtol=1e-12))


@dataclass(frozen=True)
class Solver:
    """How one hidden parameter is solved from what the client observes.

    A scenario that describes today (``state == "today"``) solves ``parameter`` from the
    ``observables`` under its own service whenever it is asked; a what-if keeps the value
    solved for today and records it (:class:`womsim.model.scenario.Solved`). ``live`` solvers are
    cheap and exact, so today's value is never stored; others (e.g. a stochastic
    calibration) store their value in today's scenario too, and describing today
    differently then needs that solver run again (named in the refusal).
    """

    parameter: str
    observables: tuple[str, ...]
    solve: Callable[[Any], float]
    live: bool = True
    how: str = ""

    def applies(self, scenario: Scenario) -> bool:
        """Whether ``scenario`` solves the parameter (it is not given, observables are set)."""
        return scenario.get(self.parameter) is None and all(
            scenario.get(o) is not None for o in self.observables)


# method name -> solver; womsim.analysis.calibrate adds the ones it solves by simulation
SOLVERS: dict[str, Solver] = {
    "baseline_churn": Solver(
        "market.baseline_churn", ("market.observed_annual_churn",), solve_baseline_churn,
        how="total annual churn under the scenario's service (mean field) equals the "
            "observed churn"),
}


def observables() -> set[str]:
    """Every parameter some hidden rate is solved from.

    Examples
    --------
    >>> sorted(observables())
    ['market.observed_annual_churn']
    """
    return {o for s in SOLVERS.values() for o in s.observables}
