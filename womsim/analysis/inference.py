"""Simulation-based inference for the parameters nobody observes: a reference table and an
emulator.

The parameters a client's data cannot fix directly (how many stated intentions to leave
become real defections, how often a customer hearing a bad story leaves, ...) get a prior
from their ranges (:mod:`womsim.model.uncertainty`). A *reference table* of simulations is drawn
from the prior (a Latin hypercube); each simulation is reduced to the same observables as
the client's data. :func:`emulator_posterior` (what :func:`womsim.calibrate` uses) fits each
observable as a quadratic function of the parameters and weighs prior candidates by the
Gaussian likelihood of the client's observables around it (a synthetic likelihood), with
the regression's own prediction error in the covariance. :func:`abc_posterior` is the
classical alternative: rejection with a local-linear regression adjustment (Beaumont, Zhang
& Balding, Genetics 162, 2002).

Why not a library: pyabc (ABC-SMC) draws from numpy's global random state (womsim's rule:
only Generator streams derived from the run's seed), stores every population in a SQL
database, needs sqlalchemy, scikit-learn, redis and gitpython, and doubles womsim's import
time; elfi brings 76 packages (GPy, ipyparallel, arviz); sbi needs torch. A reference table
also serves every later calibration of the same scenario, which ABC-SMC cannot.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(1)
>>> theta = rng.uniform(0, 1, (2000, 1))
>>> s = theta + rng.normal(0, 0.05, theta.shape)
>>> post = abc_posterior(theta, s, np.array([0.3]), np.array([[0.0, 1.0]]), rng=rng)
>>> bool(abs(post[:, 0].mean() - 0.3) < 0.05)
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from womsim.core.errors import unknown_key
from womsim.model.uncertainty import ranges

# scipy only inside the functions that use it: `import womsim` would pay ~0.4 s CPU for it
# (a third of the import) although most sessions never call them (tests/test_import_cost.py)

if TYPE_CHECKING:
    from collections.abc import Callable

    from womsim.model.scenario import Scenario

__all__ = ["Emulator", "abc_posterior", "effective_sample_size", "emulator_loglik",
           "emulator_posterior", "emulator_terms", "emulator_weights", "normalised",
           "prior_bounds", "sample_prior", "tempered"]


def prior_bounds(params: list[str], scenario: Scenario | None = None) -> np.ndarray:
    """(low, high) of each parameter's prior: its range in :func:`womsim.model.uncertainty.ranges`.

    Examples
    --------
    >>> prior_bounds(["complaints.intention_to_action"]).tolist()
    [[0.25, 0.75]]
    """
    table = ranges(scenario)
    for p in params:
        if p not in table.index:
            raise unknown_key("uncertain parameter", p, table.index)
    return table.loc[params, ["low", "high"]].to_numpy(float)


def sample_prior(bounds: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` draws, uniform over each parameter's prior range (a Latin hypercube, so that
    a small reference table still covers every range evenly)."""
    p = bounds.shape[0]
    u = (rng.permuted(np.tile(np.arange(n), (p, 1)), axis=1).T + rng.random((n, p))) / n
    return bounds[:, 0] + u * (bounds[:, 1] - bounds[:, 0])


def _logit(x: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    z = (x - bounds[:, 0]) / (bounds[:, 1] - bounds[:, 0])
    z = np.clip(z, 1e-6, 1 - 1e-6)
    return np.log(z / (1 - z))


def _expit(y: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    return bounds[:, 0] + (bounds[:, 1] - bounds[:, 0]) / (1 + np.exp(-y))


def abc_posterior(theta: np.ndarray, stats: np.ndarray, observed: np.ndarray,
                  bounds: np.ndarray, accept: float = 0.3, draws: int = 1000,
                  scale: np.ndarray | None = None, obs_se: np.ndarray | None = None,
                  rng: np.random.Generator | None = None) -> np.ndarray:
    """Posterior draws by ABC rejection with local-linear regression adjustment.

    Parameters
    ----------
    theta : (n, p) array
        Parameters of the reference simulations (drawn from the prior).
    stats : (n, q) array
        Their simulated observables.
    observed : (q,) array
        The client's observables.
    bounds : (p, 2) array
        The prior ranges (adjusted draws stay inside them).
    accept : float
        Share of simulations kept (the nearest).
    draws : int
        Posterior draws returned (resampled by kernel weight).
    scale : (q,) array, optional
        Distance scale per observable (default: the median absolute deviation of the
        simulated observables).
    obs_se : (q,) array, optional
        Standard errors of the client's observables: the client's own sampling noise is
        added to each simulation's observables so that the posterior carries it.
    rng : numpy.random.Generator

    Returns
    -------
    (draws, p) array
    """
    rng = rng if rng is not None else np.random.default_rng(0)
    theta, stats = np.asarray(theta, float), np.asarray(stats, float)
    observed = np.asarray(observed, float)
    ok = np.all(np.isfinite(stats), axis=1)
    theta, stats = theta[ok], stats[ok]
    if obs_se is not None:
        stats = stats + rng.normal(0.0, 1.0, stats.shape) * np.asarray(obs_se, float)
    if scale is None:
        med = np.median(stats, axis=0)
        scale = 1.4826 * np.median(np.abs(stats - med), axis=0)
    scale = np.where(np.asarray(scale) > 0, scale, 1.0)
    d = np.sqrt((((stats - observed) / scale) ** 2).sum(axis=1))
    k = max(int(np.ceil(accept * d.size)), min(d.size, theta.shape[1] + 5))
    keep = np.argsort(d)[:k]
    h = d[keep[-1]] if d[keep[-1]] > 0 else 1.0
    w = np.clip(1 - (d[keep] / (h * (1 + 1e-9))) ** 2, 0.0, None)
    w = w / w.sum() if w.sum() > 0 else np.full(k, 1.0 / k)
    y = _logit(theta[keep], bounds)
    x = (stats[keep] - observed) / scale
    X = np.column_stack([np.ones(k), x])
    sw = np.sqrt(w)[:, None]
    beta, *_ = np.linalg.lstsq(X * sw, y * sw, rcond=None)
    adj = y - x @ beta[1:]
    pick = rng.choice(k, size=draws, p=w)
    return _expit(adj[pick], bounds)


def _features(u: np.ndarray) -> np.ndarray:
    """Constant, linear, squared and cross terms of parameters scaled to [0, 1]."""
    p = u.shape[1]
    cross = [u[:, i] * u[:, j] for i in range(p) for j in range(i, p)]
    return np.column_stack([np.ones(len(u)), u, *cross])


def emulator_terms(p: int) -> int:
    """Number of emulator terms for ``p`` parameters (a full quadratic)."""
    return 1 + p + p * (p + 1) // 2


def _unit(x: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    return (x - bounds[:, 0]) / (bounds[:, 1] - bounds[:, 0])


@dataclass(frozen=True)
class Emulator:
    """A quadratic emulator of the observables: ``coef`` (terms x observables) fitted to
    ``n`` reference simulations, their residual covariance ``resid_cov`` and
    ``xtx_inv`` = (X'X)^-1 of their design (the emulator's own error at a point)."""

    coef: np.ndarray
    resid_cov: np.ndarray
    xtx_inv: np.ndarray
    bounds: np.ndarray

    @classmethod
    def fit(cls, theta: np.ndarray, stats: np.ndarray, bounds: np.ndarray) -> Emulator:
        """Least-squares fit of every observable on the full quadratic of the parameters.

        Examples
        --------
        >>> import numpy as np
        >>> x = np.linspace(0, 1, 30)[:, None]
        >>> em = Emulator.fit(x, 1 + 2 * x, np.array([[0.0, 1.0]]))
        >>> np.round(em.coef[:2, 0], 6).tolist()
        [1.0, 2.0]
        """
        X = _features(_unit(np.asarray(theta, float), bounds))
        stats = np.asarray(stats, float)
        if len(X) <= X.shape[1] + 2:
            raise ValueError(f"{len(X)} usable simulations for {X.shape[1]} emulator terms: "
                             "raise sims")
        coef, *_ = np.linalg.lstsq(X, stats, rcond=None)
        resid = stats - X @ coef
        resid_cov = np.atleast_2d(np.cov(resid, rowvar=False, ddof=X.shape[1]))
        return cls(coef, resid_cov, np.linalg.pinv(X.T @ X), np.asarray(bounds, float))

    def features(self, x: np.ndarray) -> np.ndarray:
        """The emulator's terms at parameter sets ``x`` (rows)."""
        return _features(_unit(np.asarray(x, float), self.bounds))

    def log_likelihood(self, F: np.ndarray, observed: np.ndarray,
                       obs_se: np.ndarray | None = None, lev: np.ndarray | None = None
                       ) -> np.ndarray:
        """Log synthetic likelihood (up to a constant) of ``observed`` (``(q,)`` or
        ``(k, q)``) at the candidates whose terms are ``F``: one row per observed set.

        ``lev`` (the candidates' leverage F (X'X)^-1 F') may be given when known."""
        from scipy.linalg import eigh

        q = self.coef.shape[1]
        # the simulations reproduce the client's chance (which customers had which
        # contacts, who left, who referred whom) at every parameter set: their noise is the
        # likelihood's; a target's own standard error is uncertainty beyond that chance
        se = np.zeros(q) if obs_se is None else np.asarray(obs_se, float)
        noise = self.resid_cov + np.diag(se ** 2)
        # a stat that never varies carries no information: keep the matrices invertible
        jitter = np.eye(q) * 1e-9 * max(float(np.trace(noise)), 1e-12)
        noise, resid_cov = noise + jitter, self.resid_cov + jitter
        r = (F @ self.coef)[None] - np.atleast_2d(np.asarray(observed, float))[:, None, :]
        # the emulator's own error: a fit from few simulations is uncertain, more so far
        # from them (the regression's prediction variance, lev x the simulations' noise);
        # the likelihood's covariance at a candidate is noise + lev x resid_cov, inverted
        # for every candidate at once through the generalised eigenvectors of the pair
        if lev is None:
            lev = np.einsum("ij,jk,ik->i", F, self.xtx_inv, F)
        lam, vec = eigh(resid_cov, noise)
        z = r @ vec
        denom = 1 + lev[:, None] * lam[None, :]
        return -0.5 * (z * z / denom[None]).sum(axis=2) - 0.5 * np.log(denom).sum(axis=1)[None]


def normalised(logw: np.ndarray) -> np.ndarray:
    """Weights from log weights, each row summing to 1."""
    w = np.exp(logw - logw.max(axis=-1, keepdims=True))
    return w / w.sum(axis=-1, keepdims=True)


def effective_sample_size(w: np.ndarray) -> float:
    """Kish's effective sample size ``1 / sum(w^2)`` of weights ``w`` (normalised first):
    how many equally weighted candidates would carry the same information.

    Examples
    --------
    >>> effective_sample_size(np.array([1.0, 1.0, 1.0, 1.0]))
    4.0
    >>> effective_sample_size(np.array([1.0, 0.0, 0.0]))
    1.0
    """
    w = np.asarray(w, float)
    w = w / w.sum()
    return float(1.0 / np.sum(w * w))


def tempered(logw: np.ndarray, min_ess: float) -> tuple[np.ndarray, float]:
    """Weights ``exp(beta * logw)`` (normalised) with the largest ``beta`` in (0, 1] whose
    effective sample size is at least ``min_ess``, and that ``beta``.

    A likelihood too sharp for the candidates that sample it (a posterior on one or two
    of them) is flattened just enough that ``min_ess`` candidates carry it; ``beta = 1``
    (the weights unchanged) when they already do.

    Examples
    --------
    >>> w, beta = tempered(np.array([0.0, -50.0, -60.0, -70.0]), 2.0)
    >>> round(effective_sample_size(w), 3), bool(0 < beta < 1)
    (2.0, True)
    >>> tempered(np.zeros(5), 2.0)[1]
    1.0
    """
    logw = np.asarray(logw, float)
    if effective_sample_size(normalised(logw)) >= min_ess:
        return normalised(logw), 1.0
    lo, hi = 0.0, 1.0  # ESS falls as beta grows (beta = 0: every candidate alike)
    for _ in range(60):
        mid = (lo + hi) / 2
        if effective_sample_size(normalised(mid * logw)) >= min_ess:
            lo = mid
        else:
            hi = mid
    return normalised(lo * logw), lo


def emulator_loglik(theta: np.ndarray, stats: np.ndarray, observed: np.ndarray,
                    bounds: np.ndarray, cand: np.ndarray, obs_se: np.ndarray | None = None
                    ) -> np.ndarray:
    """Log synthetic likelihood (up to a constant) of ``observed`` at each candidate of
    ``cand``, by the emulator fitted to the reference table ``theta`` -> ``stats`` (its
    runs with every observable defined); :func:`emulator_weights` normalises it.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(2)
    >>> theta = rng.uniform(0, 1, (300, 1))
    >>> s = 2 * theta + rng.normal(0, 0.05, theta.shape)
    >>> ll = emulator_loglik(theta, s, np.array([1.0]), np.array([[0.0, 1.0]]),
    ...                      np.array([[0.5], [0.9]]))
    >>> bool(ll[0] > ll[1])
    True
    """
    theta, stats = np.asarray(theta, float), np.asarray(stats, float)
    ok = np.all(np.isfinite(stats), axis=1)
    em = Emulator.fit(theta[ok], stats[ok], bounds)
    return em.log_likelihood(em.features(cand), observed, obs_se)[0]


def emulator_weights(theta: np.ndarray, stats: np.ndarray, observed: np.ndarray,
                     bounds: np.ndarray, cand: np.ndarray, obs_se: np.ndarray | None = None
                     ) -> np.ndarray:
    """Normalised posterior weights of prior candidates ``cand`` by a synthetic likelihood
    fitted to the reference table ``theta`` -> ``stats`` (see :func:`emulator_posterior`).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(2)
    >>> theta = rng.uniform(0, 1, (300, 1))
    >>> s = 2 * theta + rng.normal(0, 0.05, theta.shape)
    >>> cand = np.linspace(0, 1, 101)[:, None]
    >>> w = emulator_weights(theta, s, np.array([1.0]), np.array([[0.0, 1.0]]), cand)
    >>> float(cand[np.argmax(w), 0])
    0.5
    """
    return normalised(emulator_loglik(theta, stats, observed, bounds, cand, obs_se))


def emulator_posterior(theta: np.ndarray, stats: np.ndarray, observed: np.ndarray,
                       bounds: np.ndarray, draws: int = 1000, candidates: int = 20000,
                       obs_se: np.ndarray | None = None,
                       feasible: Callable[[np.ndarray], np.ndarray] | None = None,
                       rng: np.random.Generator | None = None) -> np.ndarray:
    """Posterior draws by a synthetic likelihood fitted to the reference table.

    Each observable is regressed on the parameters (a full quadratic in each parameter's
    position within its prior range); the residuals' covariance is the simulations' own
    noise. The likelihood of the client's observables is then Gaussian around the fitted
    mean (Wood, Nature 466, 2010, with a regression emulator in place of fresh
    simulations per point), its covariance the simulations' noise plus the emulator's
    prediction variance plus ``obs_se`` squared (a target's uncertainty beyond the chance
    the simulations reproduce; 0 = none), and the posterior is drawn by importance
    sampling from the prior. ``feasible`` (candidates -> bool array) removes parameter
    sets that cannot meet a target at all. The intervals of this posterior are not
    calibrated by construction: :mod:`womsim.analysis.recalibration` corrects them.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(2)
    >>> theta = rng.uniform(0, 1, (300, 1))
    >>> s = 2 * theta + rng.normal(0, 0.05, theta.shape)
    >>> post = emulator_posterior(theta, s, np.array([1.0]), np.array([[0.0, 1.0]]), rng=rng)
    >>> bool(abs(post[:, 0].mean() - 0.5) < 0.03)
    True
    """
    rng = rng if rng is not None else np.random.default_rng(0)
    cand = sample_prior(bounds, candidates, rng)
    if feasible is not None:
        cand = cand[feasible(cand)]
        if len(cand) == 0:
            raise ValueError("no prior candidate is feasible")
    w = emulator_weights(theta, stats, observed, bounds, cand, obs_se)
    return cand[rng.choice(len(cand), size=draws, p=w)]
