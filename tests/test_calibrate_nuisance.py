"""The exactly solved rates are the client's estimates: with a target's standard error the
reference runs draw their own (womsim.analysis.calibrate_targets.nuisance_draws)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
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


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::UserWarning")  # tiny noisy markets: drift, few runs
def test_analyses_run_each_draw_at_its_own_solved_rates(tmp_path):
    """annual_churn = (0.15, 0.04): every posterior draw carries its own churn (60 draws,
    sd within 0.5 to 1.5 of the error: 5 SE of the sd of 60 normal draws either side; the
    conditional on the observables narrows it a little), the
    analyses run it, and lost_revenue's per-run value lost spreads more than with every
    draw at the estimate (the same posterior draws and seeds; 20 runs each: the variance
    ratio beats the F(19, 19) 99.9% quantile, 4.5). Saved and loaded, the draws stay."""
    from scipy.stats import f

    from womsim.analysis.calibrate import Calibration, posterior_draws
    from womsim.views.formatting import drawn_text

    sc = wom.Scenario.preset("retail_bank").replace(**{"simulation.horizon_years": 1})
    cal = wom.calibrate(sc, {"annual_churn": (0.15, 0.04), "problem_share": 0.04},
                        people=800, infer=["complaints.intention_to_action"], sims=12,
                        draws=60, check_runs=2, executor="serial", seed=3)
    drawn = cal.solved_draws
    assert list(drawn.columns) == ["market.observed_annual_churn"] and len(drawn) == 60
    assert 0.5 * 0.04 < drawn.iloc[:, 0].std() < 1.5 * 0.04
    assert posterior_draws(cal, 3)[2]["market.observed_annual_churn"] == drawn.iloc[2, 0]
    back = wom.load(cal.save(tmp_path / "cal.zip"))
    assert np.allclose(back.solved_draws.to_numpy(), drawn.to_numpy())

    small = cal.scenario.replace(**{"market.people": 1500})

    def with_rates(rates):
        return Calibration(small, cal.posterior, cal.prior, cal.targets, cal.solved,
                           cal.check, cal.reference, cal.people, cal.seed,
                           solved_draws=rates)

    lost = {}
    for name, rates in (("drawn", drawn), ("estimates", None)):
        lr = wom.lost_revenue(with_rates(rates), runs=20, seed=2, executor="serial")
        lost[name] = (lr.target.runs["value"] - lr.today.runs["value"]).to_numpy()
        churn = lr.today.runs["annual_churn"].to_numpy()
        said = drawn_text(lr.today.meta)
        if name == "drawn":  # each run's churn follows its draw, and the report says so
            assert np.corrcoef(churn, drawn.iloc[:20, 0])[0, 1] > 0.8
            assert "market.observed_annual_churn drawn from its target's standard error" \
                in said
        else:
            assert "drawn from" not in said
    ratio = lost["drawn"].var(ddof=1) / lost["estimates"].var(ddof=1)
    assert ratio > f.ppf(0.999, 19, 19)
    # targets without an error: nothing drawn, the draws are the posterior's alone
    plain = wom.calibrate(sc, {"annual_churn": 0.15, "problem_share": 0.04}, people=800,
                          infer=["complaints.intention_to_action"], sims=12, draws=20,
                          check_runs=2, executor="serial", seed=3)
    assert plain.solved_draws.columns.empty
    assert set(posterior_draws(plain, 1)[0]) == set(plain.posterior.columns)


def test_a_drawn_churn_below_a_draws_floor_is_never_kept() -> None:
    # notebook 05 failed: a posterior draw's churn, drawn from the target's error, fell
    # below the churn that draw's service makes alone (no baseline churn left to solve)
    from womsim.analysis.calibrate_solved import solved_rate_draws

    rng = np.random.default_rng(0)
    theta = rng.uniform(0, 1, (60, 1))
    churn = rng.normal(0.15, 0.03, 60)
    stats = (churn + rng.normal(0, 0.01, 60))[:, None]
    t = {"annual_churn": (0.15, 0.03)}
    rates = pd.DataFrame({"market.observed_annual_churn": churn})
    args = (rng.uniform(0, 1, (400, 1)), theta, stats, rates,
            np.array([0.15]), np.zeros(1), np.array([[0.0, 1.0]]), t,
            {"market.baseline_churn": "annual_churn"})
    floor = np.where(np.arange(400) % 2 == 0, 0.16, 0.0)
    floor[-1] = 0.5  # no candidate can meet it: the estimate is kept (scenario None: median)
    d = solved_rate_draws(*args, np.random.default_rng(1), floor=floor)
    c = d["market.observed_annual_churn"].to_numpy()
    assert np.all(c[:-1] > floor[:-1])
    free = solved_rate_draws(*args, np.random.default_rng(1))["market.observed_annual_churn"]
    # without the floor about a third of the even draws would sit below 0.16
    assert np.mean(free.to_numpy()[:-1:2] <= 0.16) > 0.25
    assert abs(c[-1] - 0.15) < 0.01
