"""Calibrated posterior intervals: the reference simulations' own ranks correct the emulator's.

A synthetic-likelihood posterior (:func:`womsim.analysis.inference.emulator_posterior`) is an
approximation: a quadratic emulator fitted to a few dozen simulations, a Gaussian
likelihood for shares counted from a handful of contacts. Its 90% intervals need not hold
the truth 90% of the time. The reference table says by how much they miss: treat each
reference simulation as the client (its emulator fitted to the others), and read where its
true parameters fall within the posterior it gets, as a rank ``u`` between 0 and 1. A
calibrated inference gives uniform ranks; an overconfident one piles them up near 0 and 1.

The recalibrated posterior of each parameter has the distribution function ``G(F(x))``:
``F`` the approximate posterior's, ``G`` that of the ranks (Rodrigues, Prangle & Sisson,
"Recalibration: a post-processing method for approximate Bayesian computation",
Computational Statistics & Data Analysis 126, 2018; here the global version, every
reference simulation weighing the same). Its central 90% interval then holds the truth of a
client drawn from the prior 90% of the time, up to how well the reference simulations stand
for the client: ``G`` is read at the plotting positions ``i / (n + 1)`` of the ``n`` sorted
ranks, the expected distribution function at each order statistic, so that a new rank falls
below the ``i``-th with probability ``i / (n + 1)`` exactly. The posterior draws are moved
one parameter at a time by this monotone map, so their joint ranks (the dependence between
parameters) stay as they were.

Examples
--------
Reference ranks piled near 0 and 1 (the truths fall in the posterior's tails too often):
the recalibrated 90% interval runs from the approximate posterior's 0.6th to 99.4th
percentile.

>>> import numpy as np
>>> u = np.concatenate([np.linspace(0, 0.1, 20), np.linspace(0.9, 1, 20)])
>>> rank_quantile(np.array([0.05, 0.95]), u).round(3).tolist()
[0.006, 0.994]
"""

from __future__ import annotations

import numpy as np

from womsim.analysis.inference import Emulator, effective_sample_size, normalised, tempered

__all__ = ["loo_ranks", "rank_quantile", "recalibrated_draws", "weighted_quantile"]


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Quantiles ``q`` of the discrete distribution putting ``weights`` on ``values``
    (interpolated between the mid-points of the cumulative weights).

    Examples
    --------
    >>> weighted_quantile(np.array([0.0, 1.0, 2.0]), np.array([0.25, 0.5, 0.25]),
    ...                   np.array([0.5])).tolist()
    [1.0]
    """
    order = np.argsort(values)
    v, w = np.asarray(values, float)[order], np.asarray(weights, float)[order]
    cw = np.cumsum(w) / w.sum()
    return np.interp(q, cw - w / w.sum() / 2, v)


def rank_quantile(q: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """``G^-1(q)``: the quantiles of the reference simulations' ranks, the ``i``-th smallest
    of ``n`` at plotting position ``i / (n + 1)`` (0 and 1 at the ends).

    Examples
    --------
    Uniform ranks leave every level where it was:

    >>> rank_quantile(np.array([0.05, 0.5]), np.arange(1, 20) / 20).round(3).tolist()
    [0.05, 0.5]
    """
    u = np.sort(np.asarray(ranks, float))
    n = u.size
    pos = np.arange(n + 2) / (n + 1)
    return np.interp(q, pos, np.concatenate([[0.0], u, [1.0]]))


def loo_ranks(theta: np.ndarray, stats: np.ndarray, bounds: np.ndarray, cand: np.ndarray,
              obs_se: np.ndarray | None = None, rng: np.random.Generator | None = None,
              min_ess: float | None = None) -> np.ndarray:
    """Rank of each reference simulation's parameters within the posterior it gets as the
    client: ``(n, p)``, each in [0, 1].

    Simulation ``j`` is weighed with an emulator fitted to the other ``n - 1`` (exactly,
    by the leave-one-out updates of least squares), on the same candidates ``cand`` as the
    client, with ``obs_se`` (a target's own error beyond the simulations' chance) drawn
    onto its observables, as the client's carry it. Its rank in parameter ``k`` is the
    posterior weight of candidates at or below its true value. With ``min_ess``, a
    posterior carried by fewer effective candidates is tempered to that many
    (:func:`womsim.analysis.inference.tempered`), as the client's was: the ranks then
    recalibrate the procedure the client's posterior went through.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(3)
    >>> b = np.array([[0.0, 1.0]])
    >>> theta = rng.uniform(0, 1, (60, 1))
    >>> s = theta + rng.normal(0, 0.1, theta.shape)
    >>> u = loo_ranks(theta, s, b, np.linspace(0, 1, 501)[:, None], rng=rng)
    >>> bool(0.7 < np.mean((u > 0.05) & (u < 0.95)) <= 1)
    True
    """
    rng = rng if rng is not None else np.random.default_rng(0)
    theta, stats = np.asarray(theta, float), np.asarray(stats, float)
    ok = np.all(np.isfinite(stats), axis=1)
    theta, stats = theta[ok], stats[ok]
    full = Emulator.fit(theta, stats, bounds)
    X = full.features(theta)
    F = full.features(cand)
    A = full.xtx_inv
    n, terms = X.shape
    resid = stats - X @ full.coef
    H = X @ A @ X.T
    h = np.clip(np.diag(H), None, 1 - 1e-9)
    lev = np.einsum("ij,jk,ik->i", F, A, F)
    FA = F @ (A @ X.T)  # (candidates, n)
    se = np.zeros(stats.shape[1]) if obs_se is None else np.asarray(obs_se, float)
    observed = stats + rng.normal(0.0, 1.0, stats.shape) * se
    ranks = np.empty((n, theta.shape[1]))
    others = np.ones(n, dtype=bool)
    for j in range(n):
        # least squares without simulation j (Sherman-Morrison): its coefficients, the
        # others' residuals, (X'X)^-1 and every candidate's leverage
        a = A @ X[j]
        e = resid[j] / (1 - h[j])
        others[j] = False
        r = resid[others] + np.outer(H[others, j], e)
        others[j] = True
        em = Emulator(full.coef - np.outer(a, e), r.T @ r / max(n - 1 - terms, 1),
                      A + np.outer(a, a) / (1 - h[j]), full.bounds)
        logw = em.log_likelihood(F, observed[j], obs_se,
                                 lev=lev + FA[:, j] ** 2 / (1 - h[j]))[0]
        w = normalised(logw)
        if min_ess is not None and effective_sample_size(w) < min_ess:
            w = tempered(logw, min_ess)[0]
        ranks[j] = [(w * (cand[:, k] <= theta[j, k])).sum() for k in range(theta.shape[1])]
    return ranks


def recalibrated_draws(cand: np.ndarray, weights: np.ndarray, ranks: np.ndarray, draws: int,
                       rng: np.random.Generator) -> np.ndarray:
    """``draws`` posterior draws from the candidates' weights, each parameter moved to the
    recalibrated quantile ``F^-1(G^-1(F(x)))`` of its rank ``F(x)`` (see the module).

    ``F(x)`` is randomised within a candidate's own weight, so that repeated candidates
    (and the ranks of the draws) are uniform before the map.

    Examples
    --------
    Ranks piled near 0 and 1 (a posterior too narrow) widen it:

    >>> rng = np.random.default_rng(0)
    >>> cand = np.linspace(0, 1, 2001)[:, None]
    >>> w = np.exp(-0.5 * ((cand[:, 0] - 0.5) / 0.05) ** 2)
    >>> w /= w.sum()
    >>> u = np.concatenate([np.linspace(0, 0.1, 20), np.linspace(0.9, 1, 20)])[:, None]
    >>> d = recalibrated_draws(cand, w, u, 4000, rng)
    >>> bool(d[:, 0].std() > 0.05 * 1.3)
    True
    """
    idx = rng.choice(len(cand), size=draws, p=weights)
    out = cand[idx].astype(float).copy()
    for k in range(cand.shape[1]):
        order = np.argsort(cand[:, k], kind="stable")
        place = np.empty_like(order)
        place[order] = np.arange(order.size)
        cw = np.cumsum(weights[order])
        f = cw[place[idx]] - weights[idx] * rng.random(draws)
        out[:, k] = weighted_quantile(cand[:, k], weights, rank_quantile(f, ranks[:, k]))
    return out
