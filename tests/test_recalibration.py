"""Recalibration of the emulator's posterior by the reference runs' own ranks."""

from __future__ import annotations

import math

import numpy as np

from womsim.analysis.inference import Emulator, normalised, sample_prior
from womsim.analysis.recalibration import (
    loo_ranks,
    rank_quantile,
    recalibrated_draws,
    weighted_quantile,
)

B = np.array([[0.0, 1.0], [0.0, 1.0]])


def _shares(theta: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Three shares counted from 10 contacts each, as the client's leave shares are: a
    Gaussian likelihood of one covariance is too confident where they are large."""
    p = np.column_stack([0.02 + 0.3 * theta[:, 0] * theta[:, 1], 0.02 + 0.2 * theta[:, 1],
                         0.05 + 0.1 * theta[:, 0]])
    return rng.binomial(10, p) / 10


def test_loo_emulator_is_the_fit_without_that_simulation():
    """The leave-one-out updates give the ranks an emulator refitted without the run gives."""
    rng = np.random.default_rng(4)
    theta = sample_prior(B, 30, rng)
    s = _shares(theta, rng)
    cand = sample_prior(B, 500, rng)
    u = loo_ranks(theta, s, B, cand, rng=rng)
    for j in (0, 17):
        keep = np.arange(30) != j
        em = Emulator.fit(theta[keep], s[keep], B)
        w = normalised(em.log_likelihood(em.features(cand), s[j]))[0]
        want = [(w * (cand[:, k] <= theta[j, k])).sum() for k in range(2)]
        np.testing.assert_allclose(u[j], want, rtol=1e-7, atol=1e-9)


def test_recalibrated_intervals_cover_fresh_clients():
    """On shares counted from few contacts the emulator's 90% intervals cover ~86% of fresh
    clients drawn from the prior; recalibrated, 90%. 32 reference tables of 40 runs, 40
    fresh clients each (1,280 per parameter). The coverage's SE has two parts: the clients'
    binomial sqrt(0.09 / 1280) and the tables' own (a coverage read off n ranks varies by
    sqrt(0.09 / (n + 2)) between tables, over 32 tables); the band is 3 SE wide each side
    (+-3.5 points), which the approximate posterior misses."""
    tables, sims, clients = 32, 40, 40
    se = math.sqrt(0.09 / (sims + 2) / tables + 0.09 / (tables * clients))
    raw, rec = [], []
    for table in range(tables):
        rng = np.random.default_rng(table)
        theta = sample_prior(B, sims, rng)
        s = _shares(theta, rng)
        cand = sample_prior(B, 2000, rng)
        ranks = loo_ranks(theta, s, B, cand, rng=rng)
        levels = np.array([0.05, 0.95])
        truth = sample_prior(B, clients, rng)
        em = Emulator.fit(theta, s, B)
        weights = normalised(em.log_likelihood(em.features(cand), _shares(truth, rng)))
        for t, w in zip(truth, weights, strict=True):
            for k in range(2):
                lo, hi = weighted_quantile(cand[:, k], w, levels)
                raw.append([k, lo <= t[k] <= hi])
                lo, hi = weighted_quantile(cand[:, k], w, rank_quantile(levels, ranks[:, k]))
                rec.append([k, lo <= t[k] <= hi])
    raw_a, rec_a = np.array(raw, float), np.array(rec, float)
    for k in range(2):
        got = rec_a[rec_a[:, 0] == k, 1].mean()
        assert abs(got - 0.9) < 3 * se, (k, got, se)
    # the approximate posterior is too confident here: what the recalibration corrects
    assert raw_a[:, 1].mean() < 0.9 - 2 * se


def test_uniform_ranks_leave_the_posterior_as_it_was():
    """A calibrated inference (ranks evenly spread) keeps its quantiles; the draws keep the
    posterior's dependence between parameters (their joint ranks)."""
    rng = np.random.default_rng(5)
    cand = sample_prior(B, 4000, rng)
    a, b, rho = (cand[:, 0] - 0.4) / 0.08, (cand[:, 1] - 0.6) / 0.08, 0.6
    w = np.exp(-0.5 * (a * a - 2 * rho * a * b + b * b) / (1 - rho * rho))
    w /= w.sum()
    n = 199
    ranks = np.tile(np.arange(1, n + 1)[:, None] / (n + 1), (1, 2))
    d = recalibrated_draws(cand, w, ranks, 4000, rng)
    for k in range(2):
        want = weighted_quantile(cand[:, k], w, np.array([0.05, 0.5, 0.95]))
        np.testing.assert_allclose(np.quantile(d[:, k], [0.05, 0.5, 0.95]), want, atol=0.01)
    plain = cand[rng.choice(len(cand), 4000, p=w)]
    assert abs(np.corrcoef(d.T)[0, 1] - np.corrcoef(plain.T)[0, 1]) < 0.05


def test_ranks_in_the_tails_widen_the_interval():
    """Truths that fall beyond the posterior's 5% and 95% points 20 times in 48 (instead
    of about 5) widen the 90% interval to about its 1st to 99th percentiles."""
    u = np.concatenate([np.linspace(0.0, 0.05, 10), np.linspace(0.05, 0.95, 30)[1:-1],
                        np.linspace(0.95, 1.0, 10)])
    lo, hi = rank_quantile(np.array([0.05, 0.95]), u)
    n = u.size
    # plotting positions i / (n + 1): the 5% level is at 0.05 x 49 = 2.45, between the
    # 2nd and 3rd smallest of the 48 ranks
    assert np.sort(u)[1] <= lo <= np.sort(u)[2] and lo < 0.02
    assert np.sort(u)[n - 3] <= hi <= np.sort(u)[n - 2] and hi > 0.98
