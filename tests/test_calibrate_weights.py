"""The effective-sample-size check on calibrate's importance weights
(womsim.analysis.calibrate_weights) and the recalibration's matching rule."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from womsim.analysis.calibrate_weights import MIN_ESS, posterior_weights
from womsim.analysis.inference import (
    effective_sample_size,
    emulator_weights,
    sample_prior,
    tempered,
)
from womsim.analysis.recalibration import loo_ranks, weighted_quantile
from womsim.core.errors import CalibrationWarning

B4 = np.array([[0.0, 1.0]] * 4)


def _table(seed: int, missing: int):
    """Client 319's shape: 34 reference runs of 4 parameters (15 emulator terms), 6
    observables linear in them, the fourth undefined in ``missing`` runs; the client sits
    at the centre (0.5 each)."""
    rng = np.random.default_rng(seed)
    theta = sample_prior(B4, 34, rng)
    a = rng.normal(0, 1, (4, 6))
    s = theta @ a + rng.normal(0, 0.3, (34, 6))
    s[:missing, 3] = np.nan
    return theta, s, np.full(4, 0.5) @ a, sample_prior(B4, 4000, rng)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_an_observable_undefined_in_many_runs_no_longer_collapses_the_posterior(seed):
    """15 of 34 runs without the fourth observable leave 19 runs for 15 terms: 4 degrees
    of freedom for a 6 x 6 residual covariance, singular, and all the weight on one
    candidate (what client 319 of the coverage benchmark got). Left out of the
    likelihood, the 34 runs fit the other five and the 90% intervals hold the truth."""
    theta, s, obs, cand = _table(seed, 15)
    se = np.zeros(6)
    before = emulator_weights(theta, s, obs, B4, cand, se)
    assert effective_sample_size(before) < 5  # the collapse the check is for
    with pytest.warns(CalibrationWarning) as rec:
        wt = posterior_weights(theta, s, list("abcdef"), obs, se, B4, cand)
    msg = str(rec[0].message)
    assert "effective candidates of 4,000" in msg and "Raise sims" in msg
    assert "No target lies outside" in msg
    assert wt.fired and wt.dropped == ["d"] and wt.use == list("abcef")
    assert wt.beta == 1.0 and wt.ess >= MIN_ESS and wt.ess_raw < 5
    for k in range(4):
        lo, hi = weighted_quantile(cand[:, k], wt.w, np.array([0.05, 0.95]))
        assert lo < 0.5 < hi and hi - lo > 0.05, k
    assert "left out of the likelihood" in wt.note() and "d" in wt.note()


def test_ordinary_weights_are_untouched():
    """A table whose posterior rests on many candidates: the same weights as before, to
    the bit, no warning, nothing dropped (ordinary calibrations keep their numbers)."""
    theta, s, obs, cand = _table(3, 2)  # two runs short of one observable: no collapse
    se = np.full(6, 0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        wt = posterior_weights(theta, s, list("abcdef"), obs, se, B4, cand)
    assert not wt.fired and wt.ess >= MIN_ESS and wt.dropped == [] and wt.note() == ""
    assert np.array_equal(wt.w, emulator_weights(theta, s, obs, B4, cand, se))


def test_a_target_beyond_the_runs_is_named_and_the_likelihood_tempered():
    """A client value (1.5) beyond every run's (0 to 1) on an emulator with almost no
    noise: all the weight on the edge candidate, no observable to leave out, so the
    likelihood is tempered to MIN_ESS effective candidates, the best candidate stays the
    best, and the warning names the target and the runs' range."""
    rng = np.random.default_rng(4)
    b = np.array([[0.0, 1.0]])
    theta = sample_prior(b, 40, rng)
    s = theta + rng.normal(0, 1e-4, theta.shape)
    cand = sample_prior(b, 2000, rng)
    before = emulator_weights(theta, s, np.array([1.5]), b, cand)
    with pytest.warns(CalibrationWarning, match=r"x = 1\.5 outside the runs' "):
        wt = posterior_weights(theta, s, ["x"], np.array([1.5]), np.zeros(1), b, cand)
    assert effective_sample_size(before) < 2 and wt.dropped == []
    assert 0 < wt.beta < 1 and abs(wt.ess - MIN_ESS) < 0.5
    assert np.argmax(wt.w) == np.argmax(before)
    assert "tempered" in wt.note()


def test_tempering_reaches_the_asked_ess_and_keeps_order():
    logw = -np.linspace(0, 400, 1000) ** 1.5
    w, beta = tempered(logw, 20.0)
    assert abs(effective_sample_size(w) - 20.0) < 0.05 and 0 < beta < 1
    assert np.all(np.diff(w) <= 0)  # tempering is monotone: the order of candidates stays
    w1, b1 = tempered(np.zeros(30), 20.0)
    assert b1 == 1.0 and np.allclose(w1, 1 / 30)


def test_loo_ranks_follow_the_clients_rule_only_when_asked():
    """Without min_ess the ranks are as before (the same random numbers); with it, the
    reference runs' posteriors that rest on fewer candidates are tempered, which pulls
    their ranks off 0 and 1 (a point mass puts a truth at 0 or 1 almost always)."""
    rng = np.random.default_rng(5)
    b = np.array([[0.0, 1.0]])
    theta = sample_prior(b, 40, rng)
    s = theta + rng.normal(0, 1e-4, theta.shape)
    cand = sample_prior(b, 2000, rng)
    plain = loo_ranks(theta, s, b, cand, rng=np.random.default_rng(1))
    again = loo_ranks(theta, s, b, cand, rng=np.random.default_rng(1), min_ess=None)
    assert np.array_equal(plain, again)
    ruled = loo_ranks(theta, s, b, cand, rng=np.random.default_rng(1), min_ess=MIN_ESS)
    extreme = lambda u: np.mean((u < 0.01) | (u > 0.99))  # noqa: E731
    assert extreme(plain) > 0.5 and extreme(ruled) < extreme(plain) / 2


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::womsim.runner.drift.DriftWarning")
def test_client_319_of_the_coverage_benchmark_gets_a_posterior_again(tmp_path):
    """The client whose posterior collapsed onto one candidate (90% intervals 0.0002 of
    the prior's width, two of three truths missed): through calibrate the check fires,
    leave_resolved_quickly is left out, and every interval is wide again and holds its
    truth (measured: widths 0.91, 1.07, 0.98 of the prior's)."""
    from benchmarks import calibration_coverage as cc

    with pytest.warns(CalibrationWarning, match="leave_resolved_quickly"):
        out = cc.one_client(319, cc.truths(319, 1)[0], tmp_path)
    assert out["ess_raw"] < 5 and out["ess"] >= MIN_ESS
    for p in cc.INFER:
        assert out[p]["covered"] and out[p]["interval_ratio"] > 0.5, p
