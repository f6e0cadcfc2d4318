"""The targets :func:`womsim.analysis.calibrate.calibrate` accepts, and the parameters one
target each fixes exactly (solved before any simulation).

Each target is a number or ``(value, standard error)``; :data:`TARGETS` bounds what makes
sense. :data:`INFERRED` are the parameters inferred by default (nobody observes them) and
:data:`INFORMATIVE` the observables that carry information on them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from womsim.core.errors import CalibrationError, ScenarioError, unknown_key
from womsim.model.scenario import Scenario

__all__ = ["DIRECT", "INFERRED", "INFORMATIVE", "MARKETING", "TARGETS", "WEAK", "nuisance_draws"]

#: target -> (low, high, meaning); low/high bound the values that make sense.
TARGETS: dict[str, tuple[float, float, str]] = {
    "annual_churn": (0.0, 0.999, "share of customers leaving per year"),
    "customer_growth": (-0.9, 10.0, "growth of the customer base per year (0 = steady)"),
    "customers": (1.0, 2e8, "customers today"),
    "contacts_per_year": (0.0, 365.0, "service contacts per customer per year"),
    "problem_share": (0.0, 1.0, "share of contacts that end with a problem"),
    "complaint_share": (0.0, 1.0, "share of problems complained about"),
    "complaints_per_year": (0.0, 1e12, "complaints per year"),
    "resolved_share": (0.0, 1.0, "share of complaints resolved"),
    "quick_share": (0.0, 1.0, "share of resolved complaints resolved quickly"),
    "referral_share": (0.0, 1.0, "share of new customers won through a referral"),
    # the leave_* shares are excess shares (ClientData.group_churn): an estimate can fall
    # below 0 by chance, and is kept so (clipped to 0 it would be biased upwards)
    "leave_silent": (-1.0, 1.0, "excess share leaving after a problem not complained about"),
    "leave_unresolved": (-1.0, 1.0, "excess share leaving after an unresolved complaint"),
    "leave_resolved": (-1.0, 1.0, "excess share leaving after a complaint resolved slowly"),
    "leave_resolved_quickly": (-1.0, 1.0, "excess share leaving after a complaint resolved "
                                          "quickly"),
    "recommend_share": (0.0, 1.0, "share of contacts after which the customer would recommend "
                                  "(delighted, or a complaint resolved)"),
    "service_level": (0.0, 1.0, "share of desk contacts answered within "
                                "desk.service_level_seconds"),
    "abandonment": (0.0, 1.0, "share of desk contacts hanging up before an answer"),
}
#: the observables the inference compares (they carry information on the unobserved)
INFORMATIVE = ("leave_silent", "leave_unresolved", "leave_resolved", "leave_resolved_quickly",
               "referral_share")
#: parameters inferred by default
INFERRED = ("complaints.intention_to_action", "complaints.large_loss_share",
            "word_of_mouth.customer_defect_prob", "word_of_mouth.prospect_deter_prob",
            "word_of_mouth.referral_prob", "word_of_mouth.weak_tie_share")
MARKETING = "market.marketing_rate"
WEAK = "word_of_mouth.weak_tie_share"

def _targets(targets: Mapping[str, Any]) -> dict[str, tuple[float, float]]:
    """Validated targets: name -> (value, standard error)."""
    if not isinstance(targets, Mapping) or not targets:
        raise CalibrationError("targets must be a dict of observable -> value (or (value, "
                               "standard error)), e.g. {'annual_churn': 0.15}; known: "
                               + ", ".join(TARGETS))
    out = {}
    for name, raw in targets.items():
        if name not in TARGETS:
            raise unknown_key("calibration target", name, TARGETS)
        value, se = (raw if isinstance(raw, (tuple, list)) else (raw, 0.0))
        try:
            value, se = float(value), float(se)
        except (TypeError, ValueError):
            raise CalibrationError(f"target '{name}' = {raw!r}: expected a number or "
                                   "(value, standard error)") from None
        lo, hi, meaning = TARGETS[name]
        if not (math.isfinite(value) and lo <= value <= hi):
            raise CalibrationError(f"target '{name}' = {value!r} ({meaning}): allowed "
                                   f"{lo:g} to {hi:g}")
        if not (math.isfinite(se) and se >= 0):
            raise CalibrationError(f"target '{name}': standard error {se!r} must be >= 0")
        out[name] = (value, se)
    return out


def _solve_exact(sc, t: dict[str, tuple[float, float]]) -> tuple[Any, dict[str, str]]:
    """Apply the parameters one target fixes; return the scenario and what came from what."""
    changes: dict[str, float] = {}
    solved: dict[str, str] = {}
    m = sc.market
    if "customers" in t:
        share = t["customers"][0] / m.people
        if share > 1 - m.former_share:
            raise CalibrationError(
                f"target 'customers' = {t['customers'][0]:,.0f} but the market has "
                f"{m.people:,} people (former share {m.former_share:g}); raise market.people")
        changes["market.customer_share"] = share
        solved["market.customer_share"] = "customers"
    if "contacts_per_year" in t:
        changes["service.contact_rate"] = t["contacts_per_year"][0]
        solved["service.contact_rate"] = "contacts_per_year"
    if sc.desk is not None and ({"problem_share", "complaints_per_year"} & set(t)):
        raise CalibrationError(
            "targets 'problem_share'/'complaints_per_year' with a service desk: the desk "
            "makes the experience mix, so there is no problem rate to solve; calibrate "
            "without the desk (desk=None) or leave these targets out")
    rate = t.get("contacts_per_year", (sc.service.contact_rate, 0))[0]
    if "problem_share" in t:
        p = t["problem_share"][0]
        if p + sc.service.delight_rate > 1:
            raise CalibrationError(
                f"target 'problem_share' = {p:g} with service.delight_rate = "
                f"{sc.service.delight_rate:g}: problems and delight exceed all contacts")
        changes["service.problem_rate"] = p
        solved["service.problem_rate"] = "problem_share"
    if "complaint_share" in t:
        changes["complaints.complain_rate"] = t["complaint_share"][0]
        solved["complaints.complain_rate"] = "complaint_share"
    if "complaints_per_year" in t:
        cust = changes.get("market.customer_share", m.customer_share) * m.people
        contacts = cust * rate
        if contacts <= 0:
            raise CalibrationError("target 'complaints_per_year' needs customers and "
                                   "contacts > 0")
        per_contact = t["complaints_per_year"][0] / contacts
        if "problem_share" in t and "complaint_share" not in t:
            p = changes["service.problem_rate"]
            c = per_contact / p if p > 0 else math.inf
            if c > 1:
                raise CalibrationError(
                    f"target 'complaints_per_year' = {t['complaints_per_year'][0]:,.0f} "
                    f"exceeds the problems ({p:.1%} of {contacts:,.0f} contacts a year): "
                    "more complaints than problems")
            changes["complaints.complain_rate"] = c
            solved["complaints.complain_rate"] = "complaints_per_year"
        elif "problem_share" not in t:
            c = changes.get("complaints.complain_rate", sc.complaints.complain_rate)
            p = per_contact / c if c > 0 else math.inf
            if p + sc.service.delight_rate > 1:
                raise CalibrationError(
                    f"target 'complaints_per_year' = {t['complaints_per_year'][0]:,.0f}: "
                    f"with complaints.complain_rate = {c:g} it needs {p:.1%} of contacts to "
                    "end with a problem, more than the contacts not delighted")
            changes["service.problem_rate"] = p
            solved["service.problem_rate"] = "complaints_per_year"
        else:
            raise CalibrationError("targets 'problem_share', 'complaint_share' and "
                                   "'complaints_per_year' together over-determine the "
                                   "complaint rate; give two of them")
    if "resolved_share" in t:
        changes["complaints.resolved"] = t["resolved_share"][0]
        solved["complaints.resolved"] = "resolved_share"
    if "quick_share" in t:
        changes["complaints.quick_share"] = t["quick_share"][0]
        solved["complaints.quick_share"] = "quick_share"
    if "annual_churn" in t:
        changes["market.observed_annual_churn"] = t["annual_churn"][0]
        solved["market.baseline_churn"] = "annual_churn"
    try:
        out = sc.today(**changes)  # the targets describe today: hidden rates re-solved
    except ScenarioError as err:
        raise CalibrationError(f"the targets give an invalid scenario: {err}") from None
    return out, solved


def _record(sc, solved: dict[str, str], t: dict[str, tuple[float, float]]):
    """``sc`` with a record (:class:`womsim.model.scenario.Solved`) of every parameter calibrate
    solved, naming the targets it came from (method ``"calibrate"``); the baseline churn
    stays solved live from ``market.observed_annual_churn``. The method is not a live
    solver of :data:`womsim.model.meanfield.SOLVERS` (it needs simulations), so the values are
    stored: a what-if keeps them, and setting one of them by hand drops its record."""
    data = sc.model_dump()
    records = [r for r in data["solved"] if r["parameter"] not in solved]
    for param, source in solved.items():
        if param == "market.baseline_churn" or sc.get(param) is None:
            continue  # live: solved again under every description of today; or "no limit"
        names = [n for n in TARGETS if n in source and n in t] or \
            (["customer_growth"] if param == MARKETING else [])
        obs = {n: float(t.get(n, (0.0, 0.0))[0]) for n in names}
        records.append({"parameter": param, "value": float(sc.get(param)),
                        "observables": obs, "method": "calibrate", "under": sc.name})
    data["solved"] = records
    return Scenario(**data)



#: targets solved exactly into one parameter each, by plain assignment: with a standard
#: error, the reference runs draw that parameter from the target's sampling distribution
DIRECT = {"annual_churn": "market.observed_annual_churn",
          "contacts_per_year": "service.contact_rate",
          "problem_share": "service.problem_rate",
          "complaint_share": "complaints.complain_rate",
          "resolved_share": "complaints.resolved",
          "quick_share": "complaints.quick_share"}


def nuisance_draws(t: dict[str, tuple[float, float]], solved: dict[str, str], n: int,
                   rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Per reference run, a value of each exactly solved parameter whose target carries a
    standard error: drawn from the normal of the target's value and error, truncated to
    the target's allowed range (:data:`TARGETS`).

    A target estimated from the client's data (e.g. the annual churn of 200 customers, a
    standard error of 2 points) is not its true rate: set to the estimate in every
    reference run, the runs would all share one error the client's own data does not
    have, and the posterior of the parameters it moves would be too sure. Drawn per run,
    the target's error becomes part of the runs' spread, which the emulator's noise holds
    (the solved rates are integrated out). Targets without a standard error draw nothing
    (and take no random numbers).

    Examples
    --------
    >>> d = nuisance_draws({"annual_churn": (0.15, 0.02), "problem_share": (0.04, 0.0)},
    ...                    {"market.baseline_churn": "annual_churn",
    ...                     "service.problem_rate": "problem_share"}, 4000,
    ...                    np.random.default_rng(1))
    >>> list(d), round(float(d["market.observed_annual_churn"].std()), 2)
    (['market.observed_annual_churn'], 0.02)
    """
    out: dict[str, np.ndarray] = {}
    for name, param in DIRECT.items():
        if name not in t or t[name][1] <= 0:
            continue
        source = "market.baseline_churn" if name == "annual_churn" else param
        if solved.get(source) != name:
            continue  # solved from another target (or not at all)
        value, se = t[name]
        lo, hi, _ = TARGETS[name]
        # a rate of exactly 0 or a share of 1 is allowed for a target but not a draw
        lo, hi = max(lo, 1e-9), min(hi, 1 - 1e-9) if hi <= 1 else hi
        out[param] = _truncated_normal(value, se, lo, hi, n, rng)
    return out


def _truncated_normal(value: float, se: float, lo: float, hi: float, n: int,
                      rng: np.random.Generator) -> np.ndarray:
    # out-of-range values drawn again (up to 100 rounds), what is left clipped
    x = rng.normal(value, se, n)
    for _ in range(100):
        bad = (x < lo) | (x > hi)
        if not bad.any():
            break
        x[bad] = rng.normal(value, se, int(bad.sum()))
    return np.clip(x, lo, hi)
