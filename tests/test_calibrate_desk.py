"""calibrate with a service desk (service level and abandonment solved on the desk alone at
the full market's load) and the churn floor at the prior's most lenient corner."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import womsim as wom
from womsim.analysis.calibrate import DESK_CHECK_RUNS, lenient_corner
from womsim.analysis.calibrate_service import SOLVE_RUNS, desk_load, scaled_market
from womsim.core.errors import CalibrationError
from womsim.model.meanfield import annual_churn, experience_mix

DESK = {"annual_churn": 0.15, "service_level": 0.8, "abandonment": 0.05}
ITA = "complaints.intention_to_action"


@pytest.fixture(scope="module")
def bank():
    return wom.Scenario.preset("retail_bank").today(**{"simulation.horizon_years": 1.0})


@pytest.fixture(scope="module")
def with_desk(bank):
    # 20,000 customers: a 3-agent desk near 80/20, ~5,600 contacts per desk run (the
    # engine's own window), so one run's service level has an SE of about 0.6 points
    return bank.today(**{"market.people": 100_000}, desk=wom.ServiceDesk(agents=3))


@pytest.fixture(scope="module")
def cal(with_desk):
    return wom.calibrate(with_desk, DESK, infer=[ITA], people=1000, sims=16, draws=50,
                         seed=1, executor="serial", progress=False, check_runs=3)


@pytest.mark.slow
def test_desk_targets_land_within_their_se(cal, with_desk):
    sc = cal.scenario
    assert cal.solved["desk.handle_time_minutes"] == "service_level"
    assert cal.solved["desk.patience_minutes"] == "abandonment"
    assert sc.desk.agents == with_desk.desk.agents  # the staffing is the client's
    n = DESK_CHECK_RUNS
    for name in ("service_level", "abandonment"):
        row = cal.check.loc[name]
        se_check = (row["ci_high"] - row["ci_low"]) / 2 / stats.t.ppf(0.975, n - 1)
        # the solve met the target on the mean of SOLVE_RUNS other runs: its own noise
        se_solve = se_check * math.sqrt(n / SOLVE_RUNS)
        assert abs(row["simulated"] - row["target"]) < 3 * math.hypot(se_check, se_solve), \
            (name, row.to_dict())


@pytest.mark.slow
def test_the_scaled_market_holds_the_full_desks_mix(cal):
    sc = cal.scenario
    small = scaled_market(sc, cal.people)
    full = experience_mix(sc, desk_load(sc))
    assert small.desk is None
    assert small.service.problem_rate == pytest.approx(full[2], abs=1e-12)
    assert small.service.delight_rate == pytest.approx(full[0], abs=1e-12)
    # the bug this replaces: the same desk at the small market's load hardly queues
    idle = sc.desk.experience_mix(desk_load(sc) * cal.people / sc.market.people)
    assert idle[2] < 0.8 * full[2]
    # and the baseline churn is solved under that mix, as in the full market
    assert small.baseline_churn() == pytest.approx(sc.baseline_churn(), rel=1e-9)


@pytest.mark.parametrize("agents, targets, words", [
    (3, {"service_level": 0.99, "abandonment": 0.5},
     ["service_level", "abandonment", "more than 1"]),
    (1, {"service_level": 0.99}, ["service_level", "fixed staffing", "1 agent ", "at most"]),
    (1, {"service_level": 0.95, "abandonment": 0.02}, ["service_level", "fixed staffing"]),
    (12, {"abandonment": 0.5}, ["abandonment", "fixed staffing", "at most"]),
])
def test_impossible_desk_targets_say_which_and_why(with_desk, agents, targets, words):
    sc = with_desk.today(desk=wom.ServiceDesk(agents=agents))
    with pytest.raises(CalibrationError) as err:
        wom.calibrate(sc, targets, infer=[ITA], people=500, sims=16, executor="serial")
    for w in words:
        assert w in str(err.value), str(err.value)


@pytest.mark.parametrize("name", ["service_level", "abandonment"])
def test_desk_targets_without_a_desk_are_refused(bank, name):
    with pytest.raises(CalibrationError, match=f"'{name}'.*has none"):
        wom.calibrate(bank, {name: 0.5}, people=500, sims=45, executor="serial")


# ------------------------------------------------------------------ the churn floor
@pytest.fixture(scope="module")
def harsh(bank):
    # many problems: the service alone causes much of the churn, and how much depends on
    # the intention to act (prior 0.25 to 0.75)
    return bank.today(**{"service.problem_rate": 0.3})


def test_floor_is_the_prior_lenient_corner(harsh):
    corner, floor = lenient_corner(harsh, [ITA], np.array([[0.25, 0.75]]))
    assert corner.tolist() == [0.25]
    assert floor == pytest.approx(annual_churn(harsh.today(**{ITA: 0.25}), 0.0), rel=1e-12)
    assert floor < annual_churn(harsh, 0.0)  # the default value is not the most lenient


def test_churn_just_above_the_lenient_floor_is_accepted(harsh):
    _, floor = lenient_corner(harsh, [ITA], np.array([[0.25, 0.75]]))
    target = floor + 0.003
    assert annual_churn(harsh, 0.0) > target  # refused before: the default could not meet it
    cal = wom.calibrate(harsh, {"annual_churn": target}, infer=[ITA], people=500, sims=16,
                        draws=40, seed=2, executor="serial", progress=False, check_runs=2)
    lo, hi = cal.prior.loc[ITA, ["low", "high"]]
    # drawn from the feasible part of the prior: near the lenient corner
    assert lo == 0.25 and hi < 0.75 and "prior" in cal.meta
    assert (cal.posterior[ITA] <= hi).all()
    assert annual_churn(cal.scenario, 0.0) <= target + 1e-9


def test_churn_below_the_lenient_floor_names_it(harsh):
    _, floor = lenient_corner(harsh, [ITA], np.array([[0.25, 0.75]]))
    with pytest.raises(CalibrationError) as err:
        wom.calibrate(harsh, {"annual_churn": floor - 0.003}, infer=[ITA], people=500,
                      sims=16, executor="serial")
    msg = str(err.value)
    assert "annual_churn" in msg and f"{floor:.1%}" in msg and "lenient corner" in msg
    assert "intention_to_action = 0.25" in msg
