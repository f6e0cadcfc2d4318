"""A market's run on one thread or two (engine.cores, engine.marketsides): who gets two,
that the setting acts, and that a wrong setting is refused with a message. That the
records are the same either way is checked market by market in test_wholemarket.py."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import womsim as wom
from womsim.engine import cores
from womsim.engine.wholerun import run_fast

RIVAL = {"name": "challenger", "customer_share": 0.15, "contact_rate": 2.0,
         "problem_rate": 0.08, "baseline_churn": 0.12, "marketing_rate": 0.10}


@pytest.fixture(scope="module")
def market():
    sc = wom.Scenario.preset("telecom").replace(**{"market.people": 4000,
                                                    "simulation.horizon_years": 0.5})
    return sc.today(segments=[{"name": "home", "share": 0.8},
                              {"name": "firms", "share": 0.2, "contact_rate": 5.0}],
                    rivals=[RIVAL])


@pytest.fixture
def two_cores(monkeypatch):
    monkeypatch.setattr(cores.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(cores, "_numba_threads", lambda: 2)
    monkeypatch.delenv(cores.ENV, raising=False)


def _in_thread(fn):
    got = []
    th = threading.Thread(target=lambda: got.append(fn()))
    th.start()
    th.join()
    return got[0]


def test_two_threads_in_the_main_thread_one_in_any_other(two_cores):
    assert cores.market_threads() == 2
    # the threads executor's and Dask's workers run one run a core each
    assert _in_thread(cores.market_threads) == 1


def test_one_thread_on_one_core_or_where_numba_allows_one(two_cores, monkeypatch):
    monkeypatch.setattr(cores.os, "cpu_count", lambda: 1)
    assert cores.market_threads() == 1
    monkeypatch.setattr(cores.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(cores, "_numba_threads", lambda: 1)
    assert cores.market_threads() == 1


def test_one_thread_in_a_worker_process(two_cores, monkeypatch):
    monkeypatch.setattr(cores.multiprocessing, "parent_process", lambda: object())
    assert cores.market_threads() == 1


def test_the_setting_overrides_the_rule(two_cores, monkeypatch):
    monkeypatch.setenv(cores.ENV, "1")
    assert cores.market_threads() == 1
    monkeypatch.setenv(cores.ENV, "2")
    assert _in_thread(cores.market_threads) == 2
    monkeypatch.setenv(cores.ENV, " Auto ")
    assert cores.market_threads() == 2


@pytest.mark.parametrize("value", ["3", "two", "", "0"])
def test_a_wrong_setting_is_refused_naming_the_allowed_values(two_cores, monkeypatch, value):
    monkeypatch.setenv(cores.ENV, value)
    with pytest.raises(ValueError, match=r"WOMSIM_MARKET_THREADS=.*'1'.*'2'.*'auto'"):
        cores.market_threads()


def test_two_threads_where_numba_allows_one_is_refused(two_cores, monkeypatch):
    monkeypatch.setattr(cores, "_numba_threads", lambda: 1)
    monkeypatch.setenv(cores.ENV, "2")
    with pytest.raises(ValueError, match="NUMBA_NUM_THREADS"):
        cores.market_threads()


def test_the_setting_acts_every_step_on_two_threads_or_none(market, monkeypatch):
    if cores._numba_threads() < 2:
        pytest.skip("numba may use one thread here")
    steps = market.simulation.steps
    got = {}
    for threads in ("1", "2"):
        monkeypatch.setenv(cores.ENV, threads)
        got[threads] = run_fast(market, None, seed=3)
        # steps_apart counts the steps whose two sides ran on two different threads
        assert cores.last_run() == {"threads": int(threads),
                                    "steps_apart": 0 if threads == "1" else steps}
    assert all(np.array_equal(got["1"][k], got["2"][k]) for k in got["1"])
    assert got["2"]["rival_customers"].std() > 0  # the rival's side did something


def test_a_wrong_setting_stops_a_market_run_before_it_starts(market, monkeypatch):
    monkeypatch.setenv(cores.ENV, "many")
    with pytest.raises(ValueError, match="WOMSIM_MARKET_THREADS='many'"):
        run_fast(market, None, seed=3)
