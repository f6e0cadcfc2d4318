"""``sweep`` warns of a today that drifts with no cause, from its own runs (issue 14 point 4).

The drifting bank of ``tests/test_steady_start.py`` (2,000 people, its marketing rate not
solved for today: its base grows some 8% a year, beyond its 6 runs' 95% interval): a sweep
point that is today (observables only, or each grid value today's own) warns with the drift
``simulate`` finds for the same runs; points that change something (a what-if: a cause)
do not.
"""

from __future__ import annotations

import re
import warnings

import pytest

import womsim as wom
from womsim.runner.drift import DriftWarning, check_drift


@pytest.fixture(scope="module")
def bank():
    return wom.Scenario.preset("retail_bank").today(**{"market.people": 2000})


def test_a_sweep_point_that_is_today_warns_of_its_drift(bank):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DriftWarning)
        alone = check_drift(wom.simulate(bank, runs=6, seed=1, executor="serial"))
    assert alone is not None and alone > 0.03
    today = bank.get("service.problem_rate")
    point = re.escape(f"sweep point {{'service.problem_rate': {today!r}}}")
    with pytest.warns(DriftWarning, match=point + ".*" + re.escape(f"moves {alone:+.1%}")):
        sw = wom.sweep(bank, {"service.problem_rate": [today, 0.03]}, runs=6, seed=1,
                       executor="serial")
    # the warning is the point's own runs' drift; the what-if point is not checked
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DriftWarning)
        assert check_drift(sw.ensembles[0], scenario=bank) == alone
    assert check_drift(sw.ensembles[1]) is None


def test_a_sweep_of_what_ifs_only_does_not_warn_and_an_observed_today_does(bank):
    # 3 runs suffice to see this drift: its runs spread by some 4 points, so a 3-run 95%
    # interval reaches 4.3 x 4 / sqrt(3) = 10 points either side of a 15% drift, not 0
    with warnings.catch_warnings():
        warnings.simplefilter("error", DriftWarning)
        wom.sweep(bank, {"service.problem_rate": [0.03, 0.05]}, runs=3, seed=1,
                  executor="serial")
    # a point of observables only is a today (re-solved; here the bank's own 12% churn):
    # checked as such, with today's 6 runs
    with pytest.warns(DriftWarning, match=re.escape("sweep point {'market.observed_annual_"
                                                    "churn': 0.12}")):
        wom.sweep(bank, {"market.observed_annual_churn": [0.12]}, runs=6, seed=1,
                  executor="serial")
