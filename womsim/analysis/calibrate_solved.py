"""The solved rates of each posterior draw, for the analyses that take a Calibration.

A target given with a standard error and solved into one rate
(:data:`womsim.analysis.calibrate_targets.DIRECT`: the annual churn, the contact rate, the
problem share...) is an estimate: the reference runs draw that rate from the target's
error (:func:`~womsim.analysis.calibrate_targets.nuisance_draws`), and the posterior of the
inferred parameters is their marginal over it. An analysis run at the estimates would
leave that error out of its outcome interval. So each posterior draw ``theta_r`` carries its
own solved rates, drawn from their conditional given ``theta_r`` and the client's
observables: ``k`` candidates from the targets' errors, weighed by the likelihood of the
observables at ``(theta_r, nu)`` and one of them kept (sampling importance resampling).

The likelihood's mean is the emulator's at ``theta_r`` plus a linear effect of the rates
(the reference runs' residuals regressed on their drawn rates); its covariance is what is
left of those residuals (their covariance once the rates' effect is out, on the degrees
of freedom left) plus the targets' errors squared. With too few runs for that (fewer
than the observables + 2 degrees of freedom) the emulator's whole residual covariance
is used, which holds the rates' spread too: a wider conditional, nearer the targets'
errors alone (conservative). What it keeps is the dependence that matters, e.g. between a
drawn churn and the marketing rate that holds the client's growth, so that a draw's
today stays at rest. The emulator's own prediction error is left out of this step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from womsim.analysis.calibrate_derived import solved_rate_candidates
from womsim.analysis.inference import Emulator, normalised

if TYPE_CHECKING:
    from womsim.model.scenario import Scenario

__all__ = ["CANDIDATES", "solved_rate_draws"]

#: candidates of the solved rates per posterior draw
CANDIDATES = 64


def solved_rate_draws(draws: np.ndarray, theta: np.ndarray, stats: np.ndarray,
                      rates: pd.DataFrame, observed: np.ndarray, se: np.ndarray,
                      bounds: np.ndarray, t: dict[str, tuple[float, float]],
                      solved: dict[str, str], rng: np.random.Generator,
                      k: int = CANDIDATES, scenario: Scenario | None = None,
                      floor: np.ndarray | None = None) -> pd.DataFrame:
    """One set of solved rates per posterior draw (rows of ``draws``); see the module.

    ``theta``, ``stats`` and ``rates`` are the reference runs' parameters, observables and
    drawn rates (one column per rate, aligned rows); ``scenario`` (today at the
    estimates) lets the rates solved from several targets be drawn too
    (:mod:`womsim.analysis.calibrate_derived`). ``floor``: each draw's churn with no
    baseline churn (:func:`womsim.analysis.calibrate_prior.churn_floor`); a drawn churn at
    or below it leaves no baseline churn to solve, so such candidates get no weight (a
    draw with none left keeps the estimates). An empty frame (no column) when no target
    carries an error.

    Examples
    --------
    An observable that is the drawn churn itself pulls each draw's churn towards the
    client's value (0.15, the target 0.15 +- 0.03, the simulations' noise 0.01):

    >>> rng = np.random.default_rng(0)
    >>> b = np.array([[0.0, 1.0]])
    >>> theta = rng.uniform(0, 1, (60, 1))
    >>> churn = rng.normal(0.15, 0.03, 60)
    >>> stats = (churn + rng.normal(0, 0.01, 60))[:, None]
    >>> t = {"annual_churn": (0.15, 0.03)}
    >>> d = solved_rate_draws(theta[:200], theta, stats,
    ...                       pd.DataFrame({"market.observed_annual_churn": churn}),
    ...                       np.array([0.15]), np.zeros(1), b, t,
    ...                       {"market.baseline_churn": "annual_churn"}, rng)
    >>> bool(d["market.observed_annual_churn"].std() < 0.025)
    True
    """
    n = len(draws)
    cols = list(rates.columns)
    if not cols:
        return pd.DataFrame(index=range(n))
    cand = solved_rate_candidates(t, solved, n * k, rng, scenario)
    theta, stats = np.asarray(theta, float), np.asarray(stats, float)
    nu = rates[cols].to_numpy(float)
    ok = np.all(np.isfinite(stats), axis=1)
    em = Emulator.fit(theta[ok], stats[ok], bounds)
    resid = stats[ok] - em.features(theta[ok]) @ em.coef
    centre, scale = nu[ok].mean(axis=0), nu[ok].std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    z_ref = (nu[ok] - centre) / scale
    design = np.column_stack([np.ones(len(z_ref)), z_ref])
    effect, *_ = np.linalg.lstsq(design, resid, rcond=None)  # (1 + rates, observables)
    q = stats.shape[1]
    # the noise left once the rates' effect is out, where enough runs estimate it;
    # otherwise the emulator's own (which holds the rates' spread: a wider conditional)
    left = resid - design @ effect
    dof = len(left) - em.coef.shape[0] - design.shape[1]
    spread = left.T @ left / dof if dof >= q + 2 else em.resid_cov
    noise = np.atleast_2d(spread) + np.diag(np.asarray(se, float) ** 2)
    noise = noise + np.eye(q) * 1e-9 * max(float(np.trace(noise)), 1e-12)
    prec = np.linalg.inv(noise)
    z = (np.column_stack([cand[c] for c in cols]) - centre) / scale  # (n * k, rates)
    z = z.reshape(n, k, len(cols))
    mean = (em.features(np.asarray(draws, float)) @ em.coef + effect[0])[:, None, :] \
        + z @ effect[1:]
    r = np.asarray(observed, float)[None, None, :] - mean
    logw = -0.5 * np.einsum("nkq,qp,nkp->nk", r, prec, r)
    churn = "market.observed_annual_churn"
    if floor is not None and churn in cand:
        # the calibration's prior holds only draws the estimated churn can meet; a drawn
        # churn below a draw's floor would fail its analysis' baseline solve
        room = cand[churn].reshape(n, k) > np.asarray(floor, float)[:, None] + 1e-9
        logw = np.where(room, logw, -np.inf)
        none = ~room.any(axis=1)
        logw[none] = 0.0  # no candidate meets it: this draw keeps the estimates
    else:
        none = np.zeros(n, dtype=bool)
    w = normalised(logw)
    u = rng.random(n)[:, None]
    pick = np.minimum((np.cumsum(w, axis=1) < u).sum(axis=1), k - 1)
    chosen = {c: cand[c].reshape(n, k)[np.arange(n), pick] for c in cols}
    if none.any():
        for c in cols:
            chosen[c][none] = _estimate(c, scenario, cand[c])
    return pd.DataFrame(chosen)


def _estimate(col: str, scenario: Scenario | None, values: np.ndarray) -> float:
    """The value of drawn rate ``col`` at the targets' estimates."""
    if scenario is not None:
        return float(scenario.get(col))
    return float(np.median(values))
