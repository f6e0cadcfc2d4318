"""The tornado's shortcuts give the numbers of running everything (issue 16).

A tornado re-prices the runs of an acquisition-cost swing and takes a bad-story-only
swing's counterfactual from the base's instead of simulating them (womsim.engine.reuse).
Each shortcut is checked here against the runs made afresh, record for record, and the
whole tornado against one with the shortcuts switched off: the same table to the last bit,
so the bars and their ranking cannot have moved (not even within Monte Carlo noise).
Small markets (2,000 people, half a year) suffice: the claims are exact equalities, which
a bug breaks at any size.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import womsim as wom
import womsim.analysis.tornado as tornado
from womsim.analysis.lostrev import counterfactual
from womsim.analysis.whatif import paired_scenarios
from womsim.engine.reuse import differs_only_in, no_bad_stories, reprice_acquisition
from womsim.engine.step import run

ACQ = "economics.acquisition_cost_ratio"
DETER = "word_of_mouth.prospect_deter_prob"
MEMORY = "word_of_mouth.deter_memory_years"
NEG = "word_of_mouth.negative_mean"


@pytest.fixture(scope="module")
def small():
    sc = wom.Scenario.preset("telecom").replace(**{"market.people": 2000,
                                                   "simulation.horizon_years": 0.5})
    return sc, wom.Network.scale_free(2000, m=5, seed=1)


def _pair(today):
    return paired_scenarios([today, counterfactual(today)], False, 0, 1)[0]


def _same(a: dict, b: dict) -> list[str]:
    return [k for k in a if not np.array_equal(a[k], b[k])]


def test_repriced_runs_are_fresh_runs(small):
    sc, net = small
    base = _pair(sc)
    for value in (2.0, 20.0):
        swung = _pair(sc.today(**{ACQ: value}))
        for b, s in zip(base, swung, strict=True):
            assert differs_only_in(s, b, ACQ)
            assert _same(reprice_acquisition(run(b, net, 4), s), run(s, net, 4)) == []


def test_bad_story_only_counterfactual_is_the_base_one(small):
    sc, net = small
    base_cf = _pair(sc)[1]
    fresh = run(base_cf, net, 5)
    assert no_bad_stories(fresh)
    for name, value in ((DETER, 0.4), (MEMORY, 1.0)):
        cf = _pair(sc.today(**{name: value}))[1]
        assert differs_only_in(cf, base_cf, name)
        assert _same(run(cf, net, 5), fresh) == []
    # today has bad stories: there the same parameter acts
    today = run(sc, net, 5)
    assert not no_bad_stories(today)
    assert _same(run(sc.today(**{DETER: 0.4}), net, 5), today) != []


def test_a_swing_that_resolves_today_again_is_not_reused(small):
    sc, _ = small
    # the observed churn is the fact: more bad stories leave less baseline churn
    assert not differs_only_in(sc.today(**{NEG: 9.9}), sc.today(), NEG)
    assert differs_only_in(sc.today(**{ACQ: 20.0}), sc.today(), ACQ)


def _full(monkeypatch, **kw) -> wom.Sensitivity:
    # the same tornado with every scenario simulated
    with monkeypatch.context() as m:
        m.setattr(tornado, "PRICE_ONLY", frozenset())
        m.setattr(tornado, "BAD_STORY_ONLY", frozenset())
        return wom.sensitivity(**kw)


def _counting(monkeypatch) -> list[int]:
    seen: list[int] = []
    real = tornado.run_grid

    def counted(rows, *a, **k):
        seen.append(len(rows[0]))
        return real(rows, *a, **k)

    monkeypatch.setattr(tornado, "run_grid", counted)
    return seen


@pytest.mark.slow
def test_tornado_equals_running_everything(small, monkeypatch):
    sc, net = small
    kw = dict(scenario=sc, params=[ACQ, DETER, MEMORY, NEG], network=net, runs=3, seed=3,
              executor="serial", progress=False)
    seen = _counting(monkeypatch)
    fast = wom.sensitivity(**kw)
    # 9 variants x (today, counterfactual) = 18 scenarios; acquisition cost's 4 re-priced,
    # the deterrence parameters' 4 counterfactuals reused: 10 simulated, in one call
    assert seen == [10]
    full = _full(monkeypatch, **kw)
    assert seen[1:] == [18]
    pd.testing.assert_frame_equal(fast.table(), full.table(), check_exact=True)
    assert fast.base == full.base
    again = wom.sensitivity(**kw)  # a seed fixes the bars and their order
    assert again.table().index.tolist() == fast.table().index.tolist()
    pd.testing.assert_frame_equal(again.table(), fast.table(), check_exact=True)


def test_counterfactual_with_bad_stories_runs_the_swings(small, monkeypatch):
    sc, net = small
    # a target that leaves problems: its counterfactual has bad stories, so the deterrence
    # swing acts in it and must be simulated after all
    kw = dict(scenario=sc, params=[DETER], network=net, runs=2, seed=3, executor="serial",
              progress=False, target={"service.problem_rate": 0.5 * sc.service.problem_rate})
    seen = _counting(monkeypatch)
    fast = wom.sensitivity(**kw)
    assert seen == [4, 2]
    full = _full(monkeypatch, **kw)
    pd.testing.assert_frame_equal(fast.table(), full.table(), check_exact=True)
