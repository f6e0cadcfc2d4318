"""Intervals with assumption uncertainty (psa=True): the Monte Carlo interval of the mean and
the uncertainty interval of the outcome are both shown, and only the first narrows with runs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import womsim as wom
from womsim.results import interval, outcome_interval, with_outcome

# cheap to draw (no telling distribution to refit per run) and each moves the value lost
PSA_PARAMS = ["word_of_mouth.prospect_deter_prob", "complaints.large_loss_share",
              "complaints.intention_to_action", "word_of_mouth.customer_defect_prob"]
LEVEL = 0.95


def _scenario():
    return wom.Scenario.preset("telecom").replace(**{
        "market.people": 1000, "market.network": "well_mixed",
        "simulation.horizon_years": 0.25})


def _compare(runs: int, seed: int):
    sc = _scenario()
    return wom.compare({"today": sc, "better": sc.replace(**{"service.problem_rate": 0.05})},
                       runs=runs, seed=seed, executor="serial", psa=True,
                       psa_params=PSA_PARAMS, progress=False)


def _expected_coverage(n: int, level: float = LEVEL) -> float:
    """Chance that a fresh run falls inside the percentile interval of n runs (linear
    interpolation between order statistics; distribution-free: E F(x_(j)) = j / (n + 1))."""
    return (n - 1) * level / (n + 1)


def test_outcome_interval_is_percentiles_of_runs():
    v = np.arange(1.0, 1002.0)
    lo, hi = outcome_interval(v, 0.9)
    assert (lo, hi) == (np.quantile(v, 0.05), np.quantile(v, 0.95))
    assert all(math.isnan(x) for x in outcome_interval(np.array([3.0])))
    assert with_outcome({"a": 1}, v, 0.9, psa=False) == {"a": 1}
    assert with_outcome({}, v, 0.9, psa=True) == {"outcome_low": lo, "outcome_high": hi}


@pytest.mark.slow
def test_mean_interval_narrows_outcome_interval_does_not():
    small, large = _compare(10, seed=21), _compare(40, seed=21)
    fresh = _compare(40, seed=22)  # independent draws and chance: where new outcomes fall
    s10 = small.summary(LEVEL).loc[("better", "value")]
    s40 = large.summary(LEVEL).loc[("better", "value")]
    d10 = small.differences("better")["value"].to_numpy()
    d40 = large.differences("better")["value"].to_numpy()
    # the first 10 paired runs are the same in both (run seeds and draws are per run)
    np.testing.assert_array_equal(d10, d40[:10])

    # Monte Carlo interval of the mean: width 2 t sd / sqrt(n), a quarter of the runs gives
    # twice the width up to the sd estimates, whose ratio is known to sqrt(1/18 + 1/78)
    w10, w40 = s10["ci_high"] - s10["ci_low"], s40["ci_high"] - s40["ci_low"]
    t10, t40 = stats.t.ppf(0.975, 9), stats.t.ppf(0.975, 39)
    assert w10 == pytest.approx(2 * t10 * d10.std(ddof=1) / math.sqrt(10), rel=1e-9)
    shrink = (w40 / w10) / (t40 / t10 * d40.std(ddof=1) / d10.std(ddof=1))
    assert shrink == pytest.approx(0.5, rel=1e-9)
    sd_ratio = d40.std(ddof=1) / d10.std(ddof=1)
    assert abs(math.log(sd_ratio)) < 3 * math.sqrt(1 / 18 + 1 / 78)

    # uncertainty interval of the outcome: percentiles of the paired per-run differences
    assert (s40["outcome_low"], s40["outcome_high"]) == outcome_interval(d40, LEVEL)
    # it covers fresh outcomes at its distribution-free rate whatever the run count (the
    # interval of the mean, at 40 runs, would cover about a quarter of them)
    new = fresh.differences("better")["value"].to_numpy()
    for n, s in ((10, s10), (40, s40)):
        inside = np.mean((new >= s["outcome_low"]) & (new <= s["outcome_high"]))
        c = _expected_coverage(n)
        se = math.sqrt(c * (1 - c) * (1 / new.size + 1 / (n + 2)))
        assert abs(inside - c) <= 3 * se, (n, inside, c, se)
    mc_inside = np.mean((new >= s40["ci_low"]) & (new <= s40["ci_high"]))
    assert mc_inside < _expected_coverage(40) - 3 * math.sqrt(
        0.9 * 0.1 * (1 / new.size + 1 / 42))
    # and it does not narrow: not a quarter of the runs' worth smaller at 4x the runs
    wo10 = s10["outcome_high"] - s10["outcome_low"]
    wo40 = s40["outcome_high"] - s40["outcome_low"]
    assert wo40 > w40 * 3 and wo40 > 0.5 * wo10


@pytest.mark.slow
def test_lost_revenue_and_roi_show_both_intervals_with_psa_only():
    sc = _scenario()
    lr = wom.lost_revenue(sc, runs=4, seed=3, executor="serial", psa=True,
                          psa_params=PSA_PARAMS, progress=False)
    t = lr.total()
    for col in ("ci_low", "ci_high", "outcome_low", "outcome_high", "within_outcome_low",
                "within_outcome_high"):
        assert col in t.index
    assert t["outcome_low"] <= t["value_lost"] <= t["outcome_high"]
    assert {"outcome_low", "outcome_high"} <= set(lr.by_cause().columns)
    assert {"outcome_low", "outcome_high"} <= set(lr.today.summary().columns)
    plain = wom.lost_revenue(sc, runs=3, seed=3, executor="serial", progress=False)
    assert "outcome_low" not in plain.total().index
    assert "outcome_low" not in plain.by_cause().columns
    assert "outcome_low" not in plain.comparison.summary().columns


def test_interval_of_the_mean_unchanged():
    m, sd, lo, hi = interval(np.array([1.0, 2.0, 3.0]))
    assert (m, sd) == (2.0, 1.0)
    assert hi - lo == pytest.approx(2 * stats.t.ppf(0.975, 2) / math.sqrt(3))
