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
    # fn's value in another thread, or its exception raised here
    got: list = []

    def call():
        try:
            got.append(fn())
        except Exception as exc:
            got.append(exc)

    th = threading.Thread(target=call)
    th.start()
    th.join()
    if isinstance(got[0], Exception):
        raise got[0]
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


def test_two_threads_are_refused_in_a_forked_child_and_auto_takes_one(two_cores,
                                                                      monkeypatch):
    # GNU OpenMP kills a forked child that uses its threads after the parent did
    monkeypatch.setattr(cores, "_forked", [True])
    assert cores.market_threads() == 1
    monkeypatch.setenv(cores.ENV, "2")
    monkeypatch.setattr(cores, "openmp_inherited", lambda: True)
    with pytest.raises(ValueError, match="fork"):
        cores.market_threads()
    monkeypatch.setattr(cores, "openmp_inherited", lambda: False)
    assert cores.market_threads() == 2  # the parent never started them: the child may


def test_openmp_inherited_only_in_a_fork_of_a_process_that_ran_them(monkeypatch):
    monkeypatch.setattr(cores, "_forked", [False])
    assert cores.openmp_inherited() is False
    monkeypatch.setattr(cores, "_forked", [True])
    import numba

    monkeypatch.setattr(numba, "threading_layer", lambda: "omp")
    assert cores.openmp_inherited() is True
    monkeypatch.setattr(numba, "threading_layer", lambda: "tbb")
    assert cores.openmp_inherited() is False


def test_the_cascade_refuses_threads_where_openmp_would_kill_it(monkeypatch):
    from womsim.core.errors import WomsimError
    from womsim.engine import spread

    net = wom.Network.scale_free(500, m=2, seed=1)
    monkeypatch.setattr(spread, "openmp_inherited", lambda: True)
    with pytest.raises(WomsimError, match=r"threads=2 in a process made by fork\(\)"):
        spread.cascade(net, [0], 0.3, 1, threads=2)
    assert spread.cascade(net, [0], 0.3, 1).count >= 1  # one thread is safe


def test_a_real_fork_is_noticed():
    import os

    if not hasattr(os, "fork"):
        pytest.skip("no fork here")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report what it sees, then leave at once
        os.write(write, b"1" if cores._forked[0] else b"0")
        os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(read, 1) == b"1"
    assert cores._forked[0] is False  # the parent is not a child


def test_two_threads_outside_the_main_thread_refused_with_only_workqueue(two_cores,
                                                                        monkeypatch):
    # numba's workqueue layer aborts the process when two threads use it at once
    monkeypatch.setenv(cores.ENV, "2")
    monkeypatch.setattr(cores, "_only_workqueue", lambda: True)
    assert cores.market_threads() == 2  # the main thread alone launches: safe
    with pytest.raises(ValueError, match="workqueue"):
        _in_thread(cores.market_threads)
    monkeypatch.setattr(cores, "_only_workqueue", lambda: False)
    assert _in_thread(cores.market_threads) == 2


def test_last_run_is_none_when_the_run_went_by_the_step(market, monkeypatch):
    monkeypatch.setenv(cores.ENV, "1")
    run_fast(market, None, seed=3)
    assert cores.last_run() is not None
    # a market the compiled run does not cover (online reviews): the step runs it
    run_fast(market.replace(**{"reviews.enabled": True}), None, seed=3)
    assert cores.last_run() is None


def test_a_segments_only_market_draws_on_two_threads(market, monkeypatch):
    if cores._numba_threads() < 2:
        pytest.skip("numba may use one thread here")
    monkeypatch.setenv(cores.ENV, "2")
    run_fast(market.today(rivals=[]), None, seed=3)
    assert cores.last_run()["steps_apart"] == market.simulation.steps


def test_a_wrong_setting_stops_a_market_run_before_it_starts(market, monkeypatch):
    monkeypatch.setenv(cores.ENV, "many")
    with pytest.raises(ValueError, match="WOMSIM_MARKET_THREADS='many'"):
        run_fast(market, None, seed=3)
