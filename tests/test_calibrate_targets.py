"""Service targets of calibrate: recommend_share acts (an exact solve); the desk targets
without a desk are refused with the reason (with one: tests/test_calibrate_desk.py)."""

from __future__ import annotations

import pytest

import womsim as wom
from womsim.analysis.calibrate_service import recommend_of, solve_recommend
from womsim.core.errors import CalibrationError


@pytest.fixture(scope="module")
def bank():
    return wom.Scenario.preset("retail_bank").today(**{"simulation.horizon_years": 1.0})


def test_recommend_share_fixes_the_delighted_share(bank):
    ch, by = solve_recommend(bank, {"recommend_share": (0.25, 0.0)})
    s, c = bank.service, bank.complaints
    assert recommend_of(ch["service.delight_rate"], s.problem_rate, c.complain_rate,
                        c.resolved) == pytest.approx(0.25, abs=1e-12)
    assert by == {"service.delight_rate": "recommend_share"}


def test_calibrated_today_lands_on_its_recommend_share(bank):
    cal = wom.calibrate(bank, {"annual_churn": 0.15, "problem_share": 0.05,
                               "recommend_share": 0.3},
                        infer=["complaints.intention_to_action"], people=600, sims=16,
                        draws=50, seed=1, executor="serial", check_runs=3)
    sc = cal.scenario
    assert cal.solved["service.delight_rate"] == "recommend_share"
    want = 0.3 - 0.05 * sc.complaints.complain_rate * sc.complaints.resolved
    assert sc.service.delight_rate == pytest.approx(want, abs=1e-12)
    row = cal.check.loc["recommend_share"]
    assert row["ci_low"] <= 0.3 <= row["ci_high"], row.to_dict()


@pytest.mark.parametrize("targets, words", [
    ({"recommend_share": 0.01, "problem_share": 0.2, "annual_churn": 0.5},
     ["recommend_share", "delighted share"]),
    ({"recommend_share": 0.99}, ["recommend_share", "outside"]),
    ({"service_level": 0.8}, ["service_level", "has none"]),
    ({"abandonment": 0.05}, ["abandonment", "has none"]),
])
def test_unmeetable_or_refused_service_targets_say_why(bank, targets, words):
    with pytest.raises(CalibrationError) as err:
        wom.calibrate(bank, targets, people=500, sims=45, executor="serial")
    for w in words:
        assert w in str(err.value)


def test_recommend_share_with_a_desk_is_refused(bank):
    sc = bank.replace(desk=wom.ServiceDesk(agents=5))
    with pytest.raises(CalibrationError, match="delight_if_quick"):
        solve_recommend(sc, {"recommend_share": (0.3, 0.0)})
