"""Rates solved from several targets (customers, complaints_per_year, recommend_share) are
drawn per reference run when a target carries an error (womsim.analysis.calibrate_derived)."""

from __future__ import annotations

import numpy as np
import pytest

import womsim as wom
from womsim.analysis.calibrate_derived import solved_rate_candidates
from womsim.analysis.calibrate_targets import _solve_exact, _targets

SC = wom.Scenario.preset("retail_bank")


def _solved(targets):
    t = _targets(targets)
    today, solved = _solve_exact(SC, t)
    return t, today, solved


def test_complaint_volume_and_its_inputs_follow_each_draw():
    """complaints_per_year = (800, 80) with problem_share = (0.04, 0.004): per run the
    complaint rate is the run's complaints / (contacts x its problem rate), the formula
    of the exact solve; its spread is that of the ratio (about 14% of its value: 10% and
    10% in quadrature; 4,000 draws put the sd's own error near 1.1%)."""
    t, today, solved = _solved({"complaints_per_year": (800, 80),
                                "problem_share": (0.04, 0.004)})
    d = solved_rate_candidates(t, solved, 4000, np.random.default_rng(2), today)
    assert sorted(d) == ["complaints.complain_rate", "service.problem_rate"]
    contacts = today.market.customer_share * today.market.people * today.service.contact_rate
    c, p = d["complaints.complain_rate"], d["service.problem_rate"]
    est = today.complaints.complain_rate
    assert abs(np.median(c) / est - 1) < 0.02
    assert 0.12 < np.std(np.log(c)) < 0.16
    # at the estimates the formula gives today's solved rate
    assert est == pytest.approx(800 / contacts / 0.04)
    assert np.all((c > 0) & (c < 1)) and np.all(p > 0)


def test_delight_keeps_the_recommend_share_under_a_drawn_problem_rate():
    """recommend_share given without an error, problem_share with one: each run's delighted
    share is re-solved so that delighted + resolved complaints is the target exactly."""
    t, today, solved = _solved({"problem_share": (0.04, 0.01)})
    more, by = wom.analysis.calibrate_service.solve_recommend(today, {"recommend_share":
                                                                      (0.3, 0.0)})
    today = today.today(**more)
    solved.update(by)
    t["recommend_share"] = (0.3, 0.0)
    d = solved_rate_candidates(t, solved, 500, np.random.default_rng(3), today)
    c = today.complaints
    rec = d["service.delight_rate"] + d["service.problem_rate"] * c.complain_rate * c.resolved
    assert np.allclose(rec, 0.3) and d["service.delight_rate"].std() > 0


def test_targets_without_errors_draw_nothing_and_take_no_random_numbers():
    t, today, solved = _solved({"customers": (20_000, 0.0), "complaints_per_year": 800,
                                "problem_share": 0.04})
    rng = np.random.default_rng(4)
    assert solved_rate_candidates(t, solved, 100, rng, today) == {}
    assert rng.random() == np.random.default_rng(4).random()


@pytest.mark.slow
def test_reference_runs_draw_the_customer_count():
    """customers = (20,000, 3,000): the 12 reference runs draw their customer share
    (sd of 12 draws within 0.45 to 1.55 of the error with probability > 99%)."""
    sc = SC.replace(**{"simulation.horizon_years": 1})
    cal = wom.calibrate(sc, {"annual_churn": 0.15, "problem_share": 0.04,
                             "customers": (20_000, 3_000)}, people=800,
                        infer=["complaints.intention_to_action"], sims=12, draws=40,
                        check_runs=2, executor="serial", seed=3)
    share = cal.reference["market.customer_share"].to_numpy() * sc.market.people
    assert 0.45 * 3_000 < share.std(ddof=1) < 1.55 * 3_000
    assert cal.scenario.market.customer_share * sc.market.people == pytest.approx(20_000)
    assert list(cal.solved_draws.columns) == ["market.customer_share"]
