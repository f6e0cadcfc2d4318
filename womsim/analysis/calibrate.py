"""``calibrate``: from what the client observes to a calibrated "today" with a posterior.

Two kinds of parameter are set:

* **solved exactly** from one target each: ``service.contact_rate`` from
  ``contacts_per_year``, ``service.problem_rate`` from ``problem_share`` (or from
  ``complaints_per_year``), ``complaints.complain_rate`` from ``complaint_share`` (or from
  ``complaints_per_year`` when the problem share is given), ``complaints.resolved`` and
  ``complaints.quick_share`` from ``resolved_share`` and ``quick_share``,
  ``market.customer_share`` from ``customers``, the baseline churn from ``annual_churn``
  (:func:`womsim.model.meanfield.solve_baseline_churn`, again under every posterior draw) and
  ``market.marketing_rate`` from ``customer_growth`` (0 = a steady customer base, the
  default: today at rest), by Newton steps on paired simulations;
* **inferred** (what nobody observes: intention to action, word-of-mouth effects, weak
  ties...): a prior from their ranges, a posterior by simulation-based inference
  (:mod:`womsim.analysis.inference`) from the observables that carry information about them: the
  client's own churn by outcome group (``leave_silent``, ...) and ``referral_share``.

The result, a :class:`Calibration`, holds the calibrated scenario, the posterior draws, a
table of target vs simulated and a per-parameter diagnostic; :func:`womsim.lost_revenue`
and :func:`womsim.compare` take it and carry the posterior into their intervals.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from womsim.analysis.calibrate_service import (
    desk_check,
    scaled_market,
    solve_desk,
    solve_recommend,
)
from womsim.analysis.clientdata import synthetic_client
from womsim.analysis.inference import (
    emulator_terms,
    emulator_weights,
    prior_bounds,
    sample_prior,
)
from womsim.analysis.recalibration import loo_ranks, recalibrated_draws, weighted_quantile
from womsim.core.archive import ArchiveReader, ArchiveWriter, jsonable, provenance
from womsim.core.errors import CalibrationError, ScenarioError, WomsimError, unknown_key
from womsim.core.protocol import ResultBase
from womsim.engine.rng import run_seeds
from womsim.engine.step import run
from womsim.model.meanfield import annual_churn, annual_churn_columns, rates
from womsim.model.scenario import Scenario
from womsim.results import interval, scenario_from
from womsim.runner.drift import DriftWarning
from womsim.runner.executors import map_tasks
from womsim.runner.simulate import build_network, check_scenario
from womsim.views.display import calibration_html

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from distributed import Client
    from matplotlib.axes import Axes

__all__ = ["INFERRED", "TARGETS", "Calibration", "DriftWarning", "calibrate",
           "posterior_draws", "split_calibration"]

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
DESK_CHECK_RUNS = 10


# ----------------------------------------------------------------------- targets
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


def _with(sc, names: list[str], row) -> Any:
    """``sc`` with parameters ``names`` set to ``row`` (numbers, or arrays of values for
    :func:`_feasible`): unvalidated copies (the values are inside their prior ranges, hence
    valid) for the mean-field churn only."""
    parts: dict[str, dict[str, Any]] = {}
    for name, v in zip(names, row, strict=True):
        part, field = name.split(".", 1)
        parts.setdefault(part, {})[field] = v if isinstance(v, np.ndarray) else float(v)
    return sc.model_copy(update={part: getattr(sc, part).model_copy(update=fs)
                                 for part, fs in parts.items()})


def lenient_corner(sc: Scenario, names: list[str], bounds: np.ndarray
                   ) -> tuple[np.ndarray, float]:
    """The corner of the prior box where today's service alone causes the least churn, and
    that churn: the floor below which no parameter set of the prior meets a churn target.

    Each inferred parameter moves the service-driven churn one way only (more intention to
    act, more large losses, more defection on a bad story, more stories told over weak ties
    can only add leavers), so the least churn is at a corner of the box.

    Examples
    --------
    >>> from womsim.model.scenario import Scenario
    >>> sc = Scenario.preset("retail_bank")
    >>> x, floor = lenient_corner(sc, ["complaints.intention_to_action"], np.array([[0.25, 0.75]]))
    >>> x.tolist(), floor < annual_churn(sc, 0.0)
    ([0.25], True)
    """
    if not names:
        return np.empty(0), annual_churn(sc, 0.0)
    corners = np.array(list(itertools.product(*bounds.tolist())))
    churn = np.array([annual_churn(_with(sc, names, c), 0.0) for c in corners])
    i = int(np.argmin(churn))
    return corners[i], float(churn[i])


def _check_churn_floor(sc, names: list[str], bounds: np.ndarray) -> np.ndarray | None:
    """Refuse a churn target that no parameter set of the prior can meet; return the
    lenient corner (None without a churn target)."""
    target = sc.market.observed_annual_churn
    if target is None:
        return None
    corner, floor = lenient_corner(sc, names, bounds)
    if floor > target + 1e-12:
        r = rates(_with(sc, names, corner))
        why = (f"own experience {r.experience_leave_per_year:.1%}/yr, word of mouth "
               f"{r.wom_leave_per_year:.1%}/yr")
        at = ", ".join(f"{n.split('.')[-1]} = {v:.3g}" for n, v in zip(names, corner,
                                                                        strict=True))
        raise CalibrationError(
            f"target 'annual_churn' = {target:.1%} is below the churn today's service alone "
            f"causes under every parameter set of the prior (at least {floor:.1%}, at its "
            f"most lenient corner{': ' + at if at else ''}; {why}), so no baseline churn "
            "can meet it; check the churn, or lower problem_share or the leave_* targets")
    return corner


# ------------------------------------------------------------------ simulations
def _stats(rec: dict[str, np.ndarray], horizon: float) -> dict[str, float]:
    """The observables of one simulated run (as the client's data gives them)."""
    c0 = float(rec["initial"][1])
    c1 = float(rec["customers"][-1])
    mean_c = float(np.mean(np.concatenate([[c0], rec["customers"]])))
    s = {k: float(rec[k].sum()) for k in (
        "contacts", "problems", "complaints", "silent", "unresolved", "resolved",
        "resolved_quickly", "defect_silent", "defect_unresolved", "defect_resolved",
        "defect_resolved_quickly", "defections", "acq_referral", "acquisitions",
        "acq_marketing", "delighted")}

    def share(a, b):
        return a / b if b > 0 else math.nan

    return {
        "annual_churn": -math.expm1(-s["defections"] / mean_c / horizon) if mean_c else 0.0,
        "customer_growth": (c1 / c0) ** (1 / horizon) - 1 if c0 > 0 else math.nan,
        "customers": c0,
        "contacts_per_year": share(s["contacts"], mean_c * horizon),
        "problem_share": share(s["problems"], s["contacts"]),
        "complaint_share": share(s["complaints"], s["problems"]),
        "complaints_per_year": s["complaints"] / horizon,
        "resolved_share": share(s["resolved"] + s["resolved_quickly"], s["complaints"]),
        "quick_share": share(s["resolved_quickly"], s["resolved"] + s["resolved_quickly"]),
        "recommend_share": share(s["delighted"] + s["resolved"] + s["resolved_quickly"],
                                 s["contacts"]),
        "referral_share": share(s["acq_referral"], s["acquisitions"]),
        "_c0": c0, "_c1": c1, "_acq_marketing": s["acq_marketing"],
        "_acquisitions": s["acquisitions"], "_churn_hazard": s["defections"] / mean_c / horizon
        if mean_c else 0.0,
    }


#: inferred parameters the mean-field churn reads by plain arithmetic only: a whole column
#: of their values goes through :func:`womsim.model.meanfield.annual_churn_columns` at once (the
#: others, e.g. the weak-tie share, go through a cached lookup and are taken one value at a
#: time)
_ARITHMETIC = frozenset({
    "complaints.intention_to_action", "complaints.large_loss_share",
    "word_of_mouth.customer_defect_prob", "word_of_mouth.prospect_deter_prob",
    "word_of_mouth.referral_prob", "word_of_mouth.deter_memory_years",
    "economics.acquisition_cost_ratio", MARKETING})


def _feasible(sc, names: list[str], theta: np.ndarray) -> np.ndarray:
    """Which parameter sets leave room for a baseline churn under the churn target."""
    target = sc.market.observed_annual_churn
    if target is None:
        return np.ones(len(theta), dtype=bool)
    theta = np.array(theta, dtype=float).reshape(-1, len(names))
    if WEAK in names:
        # the told share of a weak-tie share costs ~20 ms (womsim.model.reach, cached per
        # value): on a 0.001 grid the cache holds every value of the prior, and the churn
        # moves by under 0.01% of itself; a draw that slips through fails its run's
        # baseline solve and is left out there
        j = names.index(WEAK)
        theta[:, j] = np.round(theta[:, j], 3)
    vec = [k for k, n in enumerate(names) if n in _ARITHMETIC]
    rest = [k for k in range(len(names)) if k not in vec]
    out = np.zeros(len(theta), dtype=bool)
    if len(theta) == 0:
        return out
    # one mean-field pass per distinct value of the looked-up parameters, on arrays of
    # the arithmetic ones (the unvalidated copy holds arrays: every value is in its prior)
    keys, group = np.unique(theta[:, rest], axis=0, return_inverse=True)
    group = group.reshape(-1)
    for g in range(len(keys)):
        rows = np.flatnonzero(group == g)
        cols = [theta[rows, k] if k in vec else float(theta[rows[0], k])
                for k in range(len(names))]
        churn = annual_churn_columns(_with(sc, names, cols), 0.0)
        out[rows] = np.broadcast_to(churn, rows.shape) <= target + 1e-12
    return out


def _feasible_box(sc, names: list[str], bounds: np.ndarray, corner: np.ndarray
                  ) -> np.ndarray:
    """The bounding box of the prior's parameter sets that can meet the churn target.

    The service-driven churn rises away from the lenient corner in every parameter
    (:func:`lenient_corner`), so a feasible set reaches along each axis no farther than
    the corner moved along that axis alone: bisected here, on the mean field.
    """
    out = np.array(bounds, dtype=float)
    for j in range(len(names)):
        far = bounds[j, 1] if corner[j] == bounds[j, 0] else bounds[j, 0]

        def ok(v: float, j: int = j) -> bool:
            x = corner.copy()
            x[j] = v
            return bool(_feasible(sc, names, x[None])[0])

        a, b = float(corner[j]), float(far)
        if not ok(b):
            for _ in range(40):
                mid = (a + b) / 2
                a, b = (mid, b) if ok(mid) else (a, mid)
        edge = a if not ok(b) else b
        # at least 1% of the range wide: the emulator works in positions within it
        least = 0.01 * (bounds[j, 1] - bounds[j, 0])
        if abs(edge - corner[j]) < least:
            edge = corner[j] + math.copysign(least, far - corner[j])
        out[j] = sorted((float(corner[j]), float(edge)))
    return out


def _sim_task(task: tuple[int, dict[str, float]], scenario, network, mode: str = ""
              ) -> dict[str, float]:
    """One simulation reduced to observables. ``mode``: ``""`` the engine's counts on
    ``network``; ``"fresh"`` the same on a network of the run's own (the client's network
    is not known: the reference runs spread over networks as clients do); ``"data"`` on a
    network of its own, traced into a customer table and contact log and read by
    :class:`womsim.analysis.clientdata.ClientData`, the client's own estimator (one
    definition of each observable, the ``leave_*`` shares above all)."""
    seed, draw = task
    # each draw is another description of today: the baseline churn is solved under it
    sc = scenario.today(**draw) if draw else scenario
    try:
        net = build_network(sc, seed) if mode else network
        if mode == "data":
            obs = synthetic_client(sc, seed=seed, network=net).observables()["value"]
            return {k: float(v) for k, v in obs.items() if k in TARGETS}
        rec = run(sc, net, seed)
    except CalibrationError:  # this draw cannot meet the churn: it is not in the posterior
        return {"_failed": 1.0}
    return _stats(rec, sc.simulation.horizon_years)


def _newton_marketing(st: dict[str, float], m0: float, growth: float, horizon: float
                      ) -> float:
    """The marketing rate that would have met the growth target in this run (one Newton
    step: marketing acquisitions are proportional to the rate; those won stay, on average,
    for the part of the horizon left at today's churn)."""
    want = st["_c0"] * ((1 + growth) ** horizon - 1)
    got = st["_c1"] - st["_c0"]
    h = st["_churn_hazard"]
    keep = -math.expm1(-h * horizon / 2) / (h * horizon / 2) if h > 0 else 1.0
    slope = st["_acq_marketing"] / m0 * keep if m0 > 0 else 0.0
    if slope <= 0:
        return m0
    return max(0.0, m0 + (want - got) / slope)


# ------------------------------------------------------------------ the result
_TABLES = ("posterior", "prior", "check", "reference")


class Calibration(ResultBase):
    """A calibrated today: the scenario, the posterior draws and how well targets are met.

    Attributes
    ----------
    scenario : Scenario
        Today, calibrated: exact solves plus the posterior mean of the inferred parameters.
    posterior : pandas.DataFrame
        One row per posterior draw: the inferred parameters and the marketing rate that
        keeps today's growth under that draw.
    prior : pandas.DataFrame
        ``low``/``high`` of each inferred parameter's (uniform) prior.
    targets : dict
        name -> (value, standard error) as given.
    solved : dict
        parameter -> the target it was solved from.
    check : pandas.DataFrame
        Target vs simulated (calibrated scenario at the inference population) with intervals.
    reference : pandas.DataFrame
        The reference table: prior draws and their simulated observables.
    people : int
        Market size the simulations ran at.
    """

    kind = "Calibration"

    def __init__(self, scenario, posterior, prior, targets, solved, check, reference,
                 people, seed, meta=None) -> None:
        self.scenario = scenario
        self.posterior = posterior
        self.prior = prior
        self.targets = dict(targets)
        self.solved = dict(solved)
        self.check = check
        self.reference = reference
        self.people = int(people)
        self.seed = seed
        self.meta = {**provenance(), **dict(meta or {})}

    def diagnostic(self, level: float = 0.90) -> pd.DataFrame:
        """Per parameter: prior and posterior, their widths and what the data did.

        ``width_ratio`` = posterior sd / prior sd; below 0.5 the data pins the parameter,
        above 0.85 it stays about as uncertain as its prior.
        """
        rows = {}
        lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
        for p in self.posterior.columns:
            v = self.posterior[p].to_numpy()
            if p in self.prior.index:
                a, b = self.prior.loc[p, "low"], self.prior.loc[p, "high"]
                prior_sd = (b - a) / math.sqrt(12)
            else:
                a = b = prior_sd = math.nan
            ratio = float(v.std(ddof=1) / prior_sd) if prior_sd and prior_sd > 0 else math.nan
            short = p.split(".")[-1]
            if ratio < 0.5:
                verdict = f"the data pins {short}"
            elif ratio < 0.85:
                verdict = f"the data narrows {short}"
            else:
                verdict = f"{short} stays as uncertain as its prior: measure it"
            rows[p] = {"prior_low": a, "prior_high": b, "posterior_mean": float(v.mean()),
                       "ci_low": float(np.quantile(v, lo_q)),
                       "ci_high": float(np.quantile(v, hi_q)),
                       "width_ratio": ratio, "verdict": verdict}
        df = pd.DataFrame.from_dict(rows, orient="index")
        df.index.name = "parameter"
        return df

    def interval(self, param: str, level: float = 0.90) -> tuple[float, float]:
        """The central ``level`` posterior interval of one parameter."""
        if param not in self.posterior.columns:
            raise unknown_key("posterior parameter", param, self.posterior.columns)
        v = self.posterior[param].to_numpy()
        return float(np.quantile(v, (1 - level) / 2)), float(np.quantile(v, (1 + level) / 2))

    def summary(self) -> pd.DataFrame:
        """Target vs simulated (the calibrated scenario's own observables)."""
        return self.check

    def plot(self, ax: Axes | None = None) -> Axes:
        """Prior range and 90% posterior interval of each inferred parameter (scaled to the
        prior range). Returns the axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.5 + 0.45 * len(self.prior)))
        d = self.diagnostic()
        names = [p for p in d.index if p in self.prior.index]
        for i, p in enumerate(names):
            a, b = d.loc[p, "prior_low"], d.loc[p, "prior_high"]
            lo, hi = (d.loc[p, "ci_low"] - a) / (b - a), (d.loc[p, "ci_high"] - a) / (b - a)
            mid = (d.loc[p, "posterior_mean"] - a) / (b - a)
            ax.plot([0, 1], [i, i], color="0.8", lw=6, solid_capstyle="butt")
            ax.plot([lo, hi], [i, i], color="C0", lw=3)
            ax.plot([mid], [i], "o", color="C0")
        ax.set_yticks(range(len(names)))
        ax.set_yticklabels([p.split(".")[-1] for p in names])
        ax.set_xlim(-0.02, 1.02)
        ax.set_xlabel("position within the prior range (grey); 90% posterior interval (blue)")
        ax.set_title("what the client's data says about the unobserved parameters")
        return ax

    def _to_archive(self, w: ArchiveWriter) -> dict[str, Any]:
        # text columns and the index (parameter names) go to JSON beside each table
        tables = {name: w.frame(getattr(self, name), f"calibration/{name}.csv")
                  for name in _TABLES}
        return {"scenario": self.scenario.to_dict(),
                "targets": jsonable({k: list(v) for k, v in self.targets.items()}),
                "solved": jsonable(self.solved), "people": self.people,
                "seed": jsonable(self.seed), "meta": jsonable(self.meta, "meta"),
                "tables": tables}

    @classmethod
    def _from_archive(cls, meta: dict[str, Any], r: ArchiveReader) -> Calibration:
        try:
            scenario = scenario_from(meta["scenario"], r)
            frames = {name: r.frame(meta["tables"][name]) for name in _TABLES}
            targets = {k: (float(v[0]), float(v[1])) for k, v in meta["targets"].items()}
            cal = cls(scenario, frames["posterior"], frames["prior"], targets,
                      meta["solved"], frames["check"], frames["reference"],
                      meta["people"], meta["seed"])
        except (KeyError, TypeError, ValueError, IndexError) as err:
            raise r.error(f"not a readable calibration ({err!r})") from None
        cal.meta = dict(meta.get("meta") or {})
        return cal

    def __repr__(self) -> str:
        return (f"Calibration('{self.scenario.name}': {len(self.targets)} targets, "
                f"{len(self.solved)} parameters solved, {len(self.prior)} inferred, "
                f"{len(self.posterior)} posterior draws)")

    def _repr_html_(self) -> str:
        return calibration_html(self)


def posterior_draws(cal: Calibration, runs: int) -> list[dict[str, float]]:
    """One posterior draw per run (cycling through the draws if runs exceed them)."""
    post = cal.posterior
    idx = np.arange(runs) % len(post)
    return [{k: float(v) for k, v in post.iloc[i].items()} for i in idx]


def split_calibration(scenarios: Any) -> tuple[Any, Calibration | None]:
    """``scenarios`` with a leading Calibration replaced by its scenario, and that
    Calibration (or None). Used by :func:`womsim.compare`."""
    if isinstance(scenarios, Calibration):
        raise WomsimError("compare needs at least two scenarios; pass e.g. "
                          "{'today': cal, 'improved': cal.scenario.replace(...)}")
    if isinstance(scenarios, Mapping):
        items = list(scenarios.items())
    elif isinstance(scenarios, (list, tuple)):
        items = [(None, s) for s in scenarios]
    else:
        return scenarios, None
    for i, (name, s) in enumerate(items):
        if isinstance(s, Calibration) and i > 0:
            raise WomsimError(f"scenario {name or i!r} is a Calibration: a calibration "
                              "describes today, so pass it first")
    if not items or not isinstance(items[0][1], Calibration):
        return scenarios, None
    cal = items[0][1]
    if isinstance(scenarios, Mapping):
        out = dict(scenarios)
        out[items[0][0]] = cal.scenario
        return out, cal
    return [cal.scenario, *scenarios[1:]], cal


# -------------------------------------------------------------------- calibrate
def calibrate(scenario: Scenario, targets: Mapping[str, Any], *, infer: list[str] | None = None,
              people: int = 3000, sims: int = 200, draws: int = 400, seed: int = 0,
              executor: str | Executor | Client | None = None, progress: bool | None = None,
              check_runs: int = 4) -> Calibration:
    """Calibrate ``scenario`` to what the client observes.

    Parameters
    ----------
    scenario : Scenario
        The starting point (a preset or the client's own scenario).
    targets : dict
        Observable -> value or (value, standard error); see :data:`TARGETS`. Unknown
        names raise; :meth:`womsim.analysis.clientdata.ClientData.targets` gives them from data.
        Without ``customer_growth`` today's customer base is taken as steady (0). The
        calibrated today starts at rest (``simulation.start = "steady"``: deterred
        prospects drawn at their steady state, not a market where nobody is deterred).
    infer : list of str, optional
        Parameters to infer (default :data:`INFERRED`); each needs a range in
        :func:`womsim.model.uncertainty.ranges`.
    people : int
        Market size of the inference simulations (the scenario's shares and degrees are
        kept). A client far larger than this gets a posterior wider than its data alone
        would give (the simulations are noisier than the data): conservative.
    sims : int
        Reference simulations drawn from the prior.
    draws : int
        Posterior draws kept.
    seed : int
        Seeds every simulation and draw.
    executor, progress
        As in :func:`womsim.simulate`.
    check_runs : int
        Runs of the calibrated scenario for the target-vs-simulated table.

    Raises
    ------
    CalibrationError
        A target nobody can meet (naming it and why), impossible combinations, targets
        womsim cannot act on yet.

    Examples
    --------
    >>> import womsim as wom
    >>> sc = wom.Scenario.preset("retail_bank").replace(**{"simulation.horizon_years": 1})
    >>> cal = wom.calibrate(sc, {"annual_churn": 0.15, "problem_share": 0.04}, people=800,
    ...                     infer=["complaints.intention_to_action"], sims=12, draws=50,
    ...                     check_runs=2, executor="serial")
    >>> cal.scenario.service.problem_rate
    0.04
    """
    check_scenario(scenario)
    t = _targets(targets)
    growth = t.get("customer_growth", (0.0, 0.0))[0]
    infer = list(INFERRED if infer is None else infer)
    bounds = prior_bounds(infer, scenario)
    if isinstance(people, bool) or not isinstance(people, int) or people < 200:
        raise CalibrationError(f"people = {people!r}: the inference needs a market of at "
                               "least 200 people")
    least = emulator_terms(len(infer) + 1) + 5  # a full quadratic, marketing rate included
    if isinstance(sims, bool) or not isinstance(sims, int) or sims < least:
        raise CalibrationError(f"sims = {sims!r}: need at least {least} reference "
                               f"simulations for {len(infer)} inferred parameters")
    today, solved = _solve_exact(scenario, t)
    more, by = solve_recommend(today, t)  # after the problem and complaint shares
    if more:
        today = today.today(**more)
        solved.update(by)
    # the desk's figures depend on its load: solved on the desk alone at today's full load
    more, by = solve_desk(today, t, seed)
    if more:
        today = today.today(**more)
        solved.update(by)
    # today at rest: deterred prospects start at their steady state (womsim.engine.steady),
    # so the first months hold no transient that the marketing rate would be solved around
    today = today.today(**{"simulation.start": "steady"})
    corner = _check_churn_floor(today, infer, bounds)
    # the scaled-down market holds the full-size desk's mix (its own load would leave a
    # desk idle)
    small = scaled_market(today, people)
    net = build_network(small, seed)
    # the leave_* targets are the client data's own estimator: with them, every reference
    # run is traced into a customer table and contact log and read the same way
    mode = "data" if any(n.startswith("leave_") for n in t) else "fresh"
    if mode == "data" and (small.rivals or small.reviews.enabled):
        raise CalibrationError(
            "targets 'leave_*' with rivals or reviews: womsim cannot yet trace such a market "
            "into a customer table and contact log (womsim.synthetic_client), so the "
            "simulations cannot compute the leave shares as the client's data does; leave "
            "these targets out")
    rng = np.random.default_rng([seed, 0xCA11B])
    horizon = small.simulation.horizon_years
    pilot = bounds.mean(axis=1)
    if corner is not None and not _feasible(small, infer, pilot[None])[0]:
        # the centre cannot meet the churn, the lenient corner can: pilot between them
        for _ in range(30):
            pilot = (pilot + corner) / 2
            if _feasible(small, infer, pilot[None])[0]:
                break
        else:
            pilot = corner
    center = dict(zip(infer, pilot.tolist(), strict=True))

    def simulate_draws(draws_list, seeds, sc, mode=""):
        return map_tasks(_sim_task, list(zip(seeds, draws_list, strict=True)),
                         {"scenario": sc, "network": net, "mode": mode}, executor=executor,
                         work=float(people) * small.simulation.steps * len(seeds),
                         progress=progress, desc="calibrating")

    # pilot: a marketing rate near the growth target at the centre of the prior
    # pilot: Newton steps on the marketing rate at the centre of the prior, so that the
    # marketing rate's own prior (0 to 3x the pilot's) holds the rate that meets the growth
    m0 = small.market.marketing_rate
    pilot_seeds = run_seeds(seed + 1, 2)
    for _ in range(2):
        res = [r for r in simulate_draws([{**center, MARKETING: m0}] * 2, pilot_seeds, small)
               if "_failed" not in r]
        if not res:
            raise CalibrationError("the pilot point of the prior cannot meet target "
                                   "'annual_churn': today's service alone causes more churn")
        m0 = float(np.mean([_newton_marketing(r, m0, growth, horizon) for r in res]))
    names = [*infer, MARKETING]
    bounds = np.vstack([bounds, [0.0, 3 * m0 if m0 > 0 else 0.05]])
    # the churn target rules out parameter sets whose service alone causes more churn:
    # the prior is restricted to those that can meet it (no simulation needed to tell)
    def feasible(x: np.ndarray) -> np.ndarray:
        return _feasible(small, names, x)

    pool = sample_prior(bounds, 4 * sims, rng)
    pool = pool[feasible(pool)]
    box = None
    if corner is not None and len(pool) < emulator_terms(len(names)) + 5:
        # a churn target just above the floor leaves a corner of the prior: draw from the
        # feasible set's bounding box instead (the same prior restricted to the feasible)
        box = _feasible_box(small, infer, bounds[:-1], corner)
        bounds = np.vstack([box, bounds[-1:]])
        pool = sample_prior(bounds, 4 * sims, rng)
        pool = pool[feasible(pool)]
    if len(pool) < emulator_terms(len(names)) + 5:
        raise CalibrationError(
            f"target 'annual_churn' = {today.market.observed_annual_churn:.1%}: under "
            f"{len(pool) / (4 * sims):.0%} of the prior the service alone causes less churn "
            "than that, too few to infer from; check the churn and problem targets")
    theta = pool[:sims]
    draw_list = [dict(zip(names, row.tolist(), strict=True)) for row in theta]
    ref = simulate_draws(draw_list, run_seeds(seed, len(theta)), small, mode)
    ok = np.array(["_failed" not in r for r in ref])
    theta, ref = theta[ok], [r for r, k in zip(ref, ok, strict=True) if k]
    table = pd.DataFrame(ref).drop(columns=[c for c in ref[0] if c.startswith("_")])
    use = [k for k in INFORMATIVE if k in t] + ["customer_growth"]
    observed = np.array([t.get(k, (growth, 0.0))[0] for k in use])
    se = np.array([t.get(k, (growth, 0.0))[1] for k in use])
    cand = sample_prior(bounds, 8000, rng)
    cand = cand[feasible(cand)]
    sim_stats = table[use].to_numpy(float)
    w = emulator_weights(theta, sim_stats, observed, bounds, cand, se)
    # the approximate posterior's intervals are recalibrated by where the reference runs'
    # own truths fall in theirs (womsim.analysis.recalibration)
    ranks = loo_ranks(theta, sim_stats, bounds, cand, se, rng)
    posterior = pd.DataFrame(recalibrated_draws(cand, w, ranks, draws, rng), columns=names)
    reference = pd.concat([pd.DataFrame(theta, columns=names), table.reset_index(drop=True)],
                          axis=1)
    mean = {k: float(posterior[k].mean()) for k in posterior.columns}
    solved[MARKETING] = ("customer_growth" if "customer_growth" in t else
                         "customer_growth = 0 (today at rest)") + \
        ": inferred with the others, its posterior meets the growth"
    calibrated = _record(today.today(**mean), solved, t)
    check = _check(calibrated, people, t, growth, net, seed, check_runs, executor, progress)
    prior = pd.DataFrame(bounds, index=names, columns=["low", "high"])
    prior.index.name = "parameter"
    inside = (ranks >= 0.05) & (ranks <= 0.95)
    meta: dict[str, Any] = {
        "sims": sims, "kind": "calibrate", "observables": use,
        # before recalibration: the approximate posterior's 90% intervals, and how often
        # the reference runs' truths fell inside their own
        "raw_interval_90": {p: weighted_quantile(cand[:, k], w, np.array([0.05, 0.95]))
                            .tolist() for k, p in enumerate(names)},
        "raw_loo_coverage_90": {p: float(inside[:, k].mean()) for k, p in enumerate(names)}}
    if box is not None:
        meta["prior"] = ("the churn target leaves only part of the prior feasible: drawn "
                         "from that part's bounding box (the prior table's ranges)")
    return Calibration(calibrated, posterior, prior, t, solved, check, reference, people,
                       seed, meta=meta)


def _check(calibrated, people, t, growth, net, seed, runs, executor, progress
           ) -> pd.DataFrame:
    """Run the calibrated scenario (at the inference size) and set targets beside it."""
    small = scaled_market(calibrated, people)
    res = map_tasks(_sim_task, [(s, {}) for s in run_seeds(seed + 2, runs)],
                    {"scenario": small, "network": net}, executor=executor,
                    progress=progress, desc="checking")
    sims = pd.DataFrame(res)
    if any(n.startswith("leave_") for n in t):
        # the leave shares as the client's data gives them (the targets' own estimator)
        data = pd.DataFrame(map_tasks(_sim_task, [(s, {}) for s in run_seeds(seed + 2, runs)],
                                      {"scenario": small, "network": net, "mode": "data"},
                                      executor=executor, progress=progress, desc="checking"))
        for name in data.columns:
            if name.startswith("leave_"):
                sims[name] = data[name].to_numpy()
    # the desk's own figures: the desk alone at the full market's load (cheap next to a
    # market run, so more runs)
    desk = desk_check(calibrated, max(runs, DESK_CHECK_RUNS), seed + 3)
    rows = {}
    names = list(t) + (["customer_growth"] if "customer_growth" not in t else [])
    for name in names:
        value, se = t.get(name, (growth, 0.0))
        v = (desk[name] if name in desk else sims[name].to_numpy(float) if name in sims
             else np.array([math.nan]))
        if name in ("customers", "complaints_per_year"):  # counts in the scaled-down market
            v = v / people * calibrated.market.people
        v = v[np.isfinite(v)]
        m, _, lo, hi = interval(v) if v.size else (math.nan,) * 4
        rows[name] = {"target": value, "target_se": se, "simulated": m, "ci_low": lo,
                      "ci_high": hi, "meaning": TARGETS[name][2]}
    df = pd.DataFrame.from_dict(rows, orient="index")
    df.index.name = "target"
    g = df.loc["customer_growth"]
    drift = float(g["simulated"] - growth)
    # only a drift the runs' own noise cannot explain
    outside = not (g["ci_low"] <= growth <= g["ci_high"])
    if math.isfinite(drift) and outside and \
            abs(drift) * calibrated.simulation.horizon_years > 0.03:
        warnings.warn(
            f"the calibrated customer base grows {df.loc['customer_growth', 'simulated']:+.1%}"
            f" a year against a target of {growth:+.1%}: it drifts by more than 3% over the "
            "horizon with no cause (raise sims or people for a closer marketing-rate solve)",
            DriftWarning, stacklevel=3)
    return df
