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

import math
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from womsim.analysis.calibrate_derived import solved_rate_candidates
from womsim.analysis.calibrate_prior import (
    _check_churn_floor,
    _feasible,
    _feasible_box,
    churn_floor,
    lenient_corner,
)
from womsim.analysis.calibrate_runs import _newton_marketing, _sim_task
from womsim.analysis.calibrate_service import (
    desk_check,
    scaled_market,
    solve_desk,
    solve_recommend,
)
from womsim.analysis.calibrate_solved import solved_rate_draws
from womsim.analysis.calibrate_targets import (
    INFERRED,
    INFORMATIVE,
    MARKETING,
    TARGETS,
    _record,
    _solve_exact,
    _targets,
)
from womsim.analysis.calibrate_weights import MIN_ESS, posterior_weights
from womsim.analysis.calibration_result import Calibration, posterior_draws, split_calibration
from womsim.analysis.inference import (
    emulator_terms,
    prior_bounds,
    sample_prior,
)
from womsim.analysis.recalibration import loo_ranks, recalibrated_draws, weighted_quantile
from womsim.core.errors import CalibrationError, CalibrationWarning
from womsim.engine.rng import run_seeds
from womsim.model.scenario import Scenario
from womsim.results import interval
from womsim.runner.drift import DriftWarning
from womsim.runner.executors import map_tasks
from womsim.runner.simulate import build_network, check_scenario

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from distributed import Client

# the result, the targets and the prior's feasible part live in modules of their own
# (calibration_result, calibrate_targets, calibrate_prior, calibrate_runs); their public
# names stay importable from here
__all__ = ["INFERRED", "MIN_ESS", "TARGETS", "Calibration", "CalibrationWarning",
           "DriftWarning", "calibrate",
           "lenient_corner", "posterior_draws", "split_calibration"]
DESK_CHECK_RUNS = 10


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
    # the exactly solved rates are the client's estimates, not its truths: with a target's
    # standard error, each reference run draws its own (a stream of its own, so targets
    # without errors keep every number as before)
    nuisance = solved_rate_candidates(t, solved, len(theta),
                                      np.random.default_rng([seed, 0x5E7]), today)
    for k, d in enumerate(draw_list):
        d.update({p: float(v[k]) for p, v in nuisance.items()})
    ref = simulate_draws(draw_list, run_seeds(seed, len(theta)), small, mode)
    ok = np.array(["_failed" not in r for r in ref])
    theta, ref = theta[ok], [r for r, k in zip(ref, ok, strict=True) if k]
    table = pd.DataFrame(ref).drop(columns=[c for c in ref[0] if c.startswith("_")])
    use = [k for k in INFORMATIVE if k in t] + ["customer_growth"]
    observed = np.array([t.get(k, (growth, 0.0))[0] for k in use])
    se = np.array([t.get(k, (growth, 0.0))[1] for k in use])
    cand = sample_prior(bounds, 8000, rng)
    cand = cand[feasible(cand)]
    # the weights, checked for how many candidates carry them (womsim.analysis.
    # calibrate_weights: a remedy acts only where fewer than MIN_ESS do)
    wt = posterior_weights(theta, table[use].to_numpy(float), use, observed, se, bounds,
                           cand)
    w, kept = wt.w, [use.index(n) for n in wt.use]
    # the approximate posterior's intervals are recalibrated by where the reference runs'
    # own truths fall in theirs (womsim.analysis.recalibration)
    ranks = loo_ranks(theta, table[wt.use].to_numpy(float), bounds, cand, se[kept], rng,
                      min_ess=wt.min_ess)
    posterior = pd.DataFrame(recalibrated_draws(cand, w, ranks, draws, rng), columns=names)
    # each draw carries its own solved rates where a target had an error, drawn given the
    # draw and the client's observables, so that the analyses hold that error too (a
    # stream of its own: calibrations without such targets are unchanged)
    rates = solved_rate_draws(posterior.to_numpy(float), theta, table[wt.use].to_numpy(float),
                              pd.DataFrame({p: v[ok] for p, v in nuisance.items()}),
                              observed[kept], se[kept], bounds, t, solved,
                              np.random.default_rng([seed, 0x50D]), scenario=today,
                              floor=churn_floor(small, names, posterior.to_numpy(float))
                              if "market.observed_annual_churn" in nuisance else None)
    reference = pd.concat([pd.DataFrame(theta, columns=names),
                           pd.DataFrame({p: v[ok] for p, v in nuisance.items()}),
                           table.reset_index(drop=True)], axis=1)
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
        "sims": sims, "kind": "calibrate", "observables": wt.use,
        # how many candidates carry the approximate posterior (1 / sum w^2)
        "ess": wt.ess, "ess_raw": wt.ess_raw, "candidates": wt.candidates,
        "min_ess": MIN_ESS,
        # before recalibration: the approximate posterior's 90% intervals, and how often
        # the reference runs' truths fell inside their own
        "raw_interval_90": {p: weighted_quantile(cand[:, k], w, np.array([0.05, 0.95]))
                            .tolist() for k, p in enumerate(names)},
        "raw_loo_coverage_90": {p: float(inside[:, k].mean()) for k, p in enumerate(names)}}
    if wt.fired:
        meta["weights_check"] = wt.note()
        meta["dropped_observables"] = wt.dropped
        meta["tempering_beta"] = wt.beta
    if box is not None:
        meta["prior"] = ("the churn target leaves only part of the prior feasible: drawn "
                         "from that part's bounding box (the prior table's ranges)")
    return Calibration(calibrated, posterior, prior, t, solved, check, reference, people,
                       seed, meta=meta, solved_draws=rates)


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
