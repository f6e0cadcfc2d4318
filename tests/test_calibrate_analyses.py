"""A Calibration's posterior carried into sweep and sensitivity: run r is today under draw r."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import womsim as wom
from womsim.analysis.calibrate import Calibration
from womsim.analysis.sweep import point_scenario
from womsim.app.store import RecipeMismatchError
from womsim.engine.rng import run_seeds
from womsim.engine.step import run

ITA, REF, MKT = ("complaints.intention_to_action", "word_of_mouth.referral_prob",
                 "market.marketing_rate")


@pytest.fixture(scope="module")
def sc():
    # today at this size (a replace would be a what-if pinned at the preset's size)
    return wom.Scenario.preset("telecom").today(
        **{"market.people": 1000, "simulation.horizon_years": 0.3})


@pytest.fixture(scope="module")
def net(sc):
    return wom.Network.scale_free(1000, m=5, seed=3)


def _cal(sc, rows: list[dict[str, float]]) -> Calibration:
    """A Calibration holding ``rows`` as its posterior (no inference needed to test how
    analyses use it)."""
    post = pd.DataFrame(rows)
    prior = pd.DataFrame({"low": [0.25, 0.02, 0.0], "high": [0.75, 0.10, 1.0]},
                         index=pd.Index([ITA, REF, MKT], name="parameter"))
    return Calibration(sc, post, prior, {"annual_churn": (0.25, 0.0)}, {}, pd.DataFrame(),
                       pd.DataFrame(), 1000, 0)


@pytest.fixture(scope="module")
def draws():
    rng = np.random.default_rng(4)
    return [{ITA: float(rng.uniform(0.25, 0.75)), REF: float(rng.uniform(0.02, 0.10)),
             MKT: float(rng.uniform(0.1, 0.4))} for _ in range(3)]


def test_sweep_runs_each_point_under_posterior_draw_r(sc, net, draws):
    cal = _cal(sc, draws)
    grid = {"service.problem_rate": [0.05, 0.15], ITA: [0.4]}
    sw = wom.sweep(cal, grid, network=net, runs=3, seed=8, executor="serial")
    seeds = run_seeds(8, 3)
    for j, p in enumerate(sw.points):
        for r in (0, 2):
            # draw r describes today (re-solved); the grid's values override the draw
            want = run(point_scenario(sc.today(**draws[r]), p), net, seeds[r])
            got = sw.ensembles[j].records.query("run == @r")["customers"].to_numpy()
            np.testing.assert_array_equal(got, want["customers"])
        assert sw.ensembles[j].meta["posterior_draws"] == 3
    s = sw.summary(["profit"])
    assert {"profit_outcome_low", "profit_outcome_high"} <= set(s.columns)
    assert (s["profit_outcome_low"] <= s["profit_outcome_high"]).all()
    # a plain scenario has no posterior and no outcome interval
    plain = wom.sweep(sc, grid, network=net, runs=3, seed=8, executor="serial")
    assert "profit_outcome_low" not in plain.summary(["profit"]).columns


@pytest.mark.slow
def test_a_posterior_of_todays_own_values_changes_nothing(sc, net):
    """Draws equal to the scenario's own values: the same runs as without a calibration
    (the posterior path adds no randomness of its own)."""
    same = _cal(sc, [{ITA: sc.get(ITA), REF: sc.get(REF), MKT: sc.get(MKT)}] * 2)
    grid = {"service.problem_rate": [0.05, 0.15]}
    a = wom.sweep(same, grid, network=net, runs=2, seed=3, executor="serial")
    b = wom.sweep(sc, grid, network=net, runs=2, seed=3, executor="serial")
    for ea, eb in zip(a.ensembles, b.ensembles, strict=True):
        pd.testing.assert_frame_equal(ea.records, eb.records)
    ta = wom.sensitivity(same, params=[ITA, "word_of_mouth.negative_mean"], network=net,
                         runs=2, seed=3, executor="serial")
    tb = wom.sensitivity(sc, params=["word_of_mouth.negative_mean"], network=net, runs=2,
                         seed=3, executor="serial")
    assert ta.base == tb.base
    for col in ("at_low", "at_high"):
        assert ta.table().loc["word_of_mouth.negative_mean", col] == \
            tb.table().loc["word_of_mouth.negative_mean", col]


def test_sweep_checkpoint_holds_the_posterior(sc, net, draws, tmp_path):
    grid = {"service.problem_rate": [0.05, 0.15]}
    a = wom.sweep(_cal(sc, draws), grid, network=net, runs=3, seed=1, executor="serial",
                  checkpoint=tmp_path)
    b = wom.sweep(_cal(sc, draws), grid, network=net, runs=3, seed=1, executor="serial",
                  checkpoint=tmp_path)  # loaded, nothing re-run
    assert a.equals(b)
    other = [{**d, ITA: 0.3} for d in draws]
    with pytest.raises(RecipeMismatchError, match="posterior draws differ"):
        wom.sweep(_cal(sc, other), grid, network=net, runs=3, seed=1, executor="serial",
                  checkpoint=tmp_path)


@pytest.mark.slow
def test_sensitivity_swings_inferred_parameters_over_their_posterior(sc, net, draws,
                                                                    tmp_path):
    cal = _cal(sc, draws)
    tor = wom.sensitivity(cal, params=[ITA, "word_of_mouth.negative_mean"], network=net,
                          runs=3, seed=2, executor="serial")
    t = tor.table()
    lo, hi = cal.interval(ITA, 0.90)
    assert (t.loc[ITA, "low"], t.loc[ITA, "high"]) == (lo, hi)
    assert t.loc[ITA, "basis"] == "posterior 90% interval"
    assert t.loc["word_of_mouth.negative_mean", "basis"] != "posterior 90% interval"
    for end in ("at_low", "at_high"):
        assert (t[f"{end}_outcome_low"] <= t[f"{end}_outcome_high"]).all()
    lo_o, hi_o = tor.base_outcome
    assert lo_o < hi_o  # three different draws: three different outcomes
    assert "95% outcome interval" in tor._repr_html_()
    back = wom.load(tor.save(tmp_path / "tornado.zip"))
    assert back.base_outcome == tor.base_outcome
    pd.testing.assert_frame_equal(back.table(), t)
    # the variant at ITA's low end runs every draw with ITA held at that end
    fixed = wom.sensitivity(cal.scenario, params=["word_of_mouth.negative_mean"],
                            network=net, runs=3, seed=2, executor="serial")
    assert fixed.base_outcome is None and tor.base != fixed.base
