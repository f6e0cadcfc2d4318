"""The exactly solved rates are the client's estimates: with a target's standard error the
reference runs draw their own (womsim.analysis.calibrate_targets.nuisance_draws)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import womsim as wom
from womsim.analysis.calibrate_targets import DIRECT, TARGETS, nuisance_draws


def test_draws_follow_each_targets_error_and_only_theirs():
    """4,000 draws: the mean's SE is se / 63 and the sd's about se / 89, so 4 SE bounds
    (0.06 se and 0.05 se) catch a wrong centre or spread; targets without an error, or
    solved from another target, draw nothing."""
    t = {"annual_churn": (0.15, 0.02), "problem_share": (0.04, 0.0),
         "resolved_share": (0.6, 0.05), "complaint_share": (0.3, 0.04)}
    solved = {"market.baseline_churn": "annual_churn", "service.problem_rate": "problem_share",
              "complaints.resolved": "resolved_share",
              "complaints.complain_rate": "complaints_per_year"}
    d = nuisance_draws(t, solved, 4000, np.random.default_rng(7))
    assert sorted(d) == ["complaints.resolved", "market.observed_annual_churn"]
    for param, (v, se) in (("market.observed_annual_churn", t["annual_churn"]),
                           ("complaints.resolved", t["resolved_share"])):
        x = d[param]
        assert abs(x.mean() - v) < 0.06 * se
        assert abs(x.std(ddof=1) - se) < 0.05 * se
    assert nuisance_draws({"annual_churn": (0.15, 0.0)},
                          {"market.baseline_churn": "annual_churn"}, 10,
                          np.random.default_rng(7)) == {}


def test_draws_stay_inside_the_targets_range():
    """A share near 1 with a wide error: the draws are truncated (drawn again), never
    outside the range a target allows."""
    d = nuisance_draws({"quick_share": (0.97, 0.05)}, {"complaints.quick_share": "quick_share"},
                       2000, np.random.default_rng(1))["complaints.quick_share"]
    lo, hi, _ = TARGETS["quick_share"]
    assert d.min() > lo and d.max() < hi
    # truncated at 1, the mean falls below 0.97 (a clipped normal would pile up at 1)
    assert d.mean() < 0.97 and np.mean(d > 1 - 1e-6) < 0.01
    assert set(DIRECT) <= set(TARGETS)


@pytest.mark.slow
def test_reference_runs_carry_the_churn_targets_error():
    """calibrate with annual_churn = (0.15, 0.03): each of the 12 reference runs is solved
    at its own drawn churn (the table holds it, spread ~0.01: the sd of 12 normal draws
    lies within 0.45 to 1.55 se with probability > 99%), and its simulated churn follows
    it (correlation > 0: 12 runs, each run's churn noise about half the drawn spread)."""
    sc = wom.Scenario.preset("retail_bank").replace(**{"simulation.horizon_years": 1})
    cal = wom.calibrate(sc, {"annual_churn": (0.15, 0.03), "problem_share": 0.04},
                        people=800, infer=["complaints.intention_to_action"], sims=12,
                        draws=50, check_runs=2, executor="serial", seed=3)
    ref = cal.reference
    drawn = ref["market.observed_annual_churn"].to_numpy()
    assert 0.45 * 0.03 < drawn.std(ddof=1) < 1.55 * 0.03
    assert math.isclose(cal.scenario.market.observed_annual_churn, 0.15)
    assert np.corrcoef(drawn, ref["annual_churn"].to_numpy())[0, 1] > 0
