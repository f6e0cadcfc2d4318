"""``executor="threads"``: the runs of a grid in threads of this process (issue 16).

The compiled whole run (womsim.engine.wholekernel.whole_run) releases the GIL, so a
tornado's seeds run side by side in threads with nothing to start or send. Threads must
not change a number: each task has its own streams and writes only its own state arrays,
so the tables are those of serial runs to the last bit. Small markets suffice: the claims
are exact equalities, which a shared-state bug breaks at any size.
"""

from __future__ import annotations

import pandas as pd
import pytest

import womsim as wom
from womsim.engine.wholekernel import whole_run
from womsim.runner.executors import close_pool, resolve_executor


@pytest.fixture(scope="module")
def small():
    sc = wom.Scenario.preset("telecom").replace(**{"market.people": 2000,
                                                   "simulation.horizon_years": 0.5})
    return sc, wom.Network.scale_free(2000, m=5, seed=1)


def test_tornado_in_threads_is_the_serial_tornado(small):
    sc, net = small
    # runs=4: one task per seed (tornado.ONE_PASS_RUNS), four tasks on the threads
    kw = dict(scenario=sc, params=["word_of_mouth.negative_mean",
                                   "complaints.intention_to_action"],
              network=net, runs=4, seed=5, progress=False)
    serial = wom.sensitivity(executor="serial", **kw)
    threads = wom.sensitivity(executor="threads", **kw)
    pd.testing.assert_frame_equal(threads.table(), serial.table(), check_exact=True)
    assert threads.base == serial.base


def test_simulate_in_threads_is_serial(small):
    sc, net = small
    a = wom.simulate(sc, network=net, runs=3, seed=2, executor="serial", progress=False)
    b = wom.simulate(sc, network=net, runs=3, seed=2, executor="threads", progress=False)
    pd.testing.assert_frame_equal(a.records, b.records, check_exact=True)
    pd.testing.assert_frame_equal(a.runs, b.runs, check_exact=True)


def test_the_whole_run_releases_the_gil():
    # without it "threads" would run one run at a time: accepted but not acting
    assert whole_run.targetoptions.get("nogil") is True


def test_the_thread_pool_is_kept_and_closed():
    first = resolve_executor("threads", work=0.0, tasks=2)
    assert resolve_executor("threads", work=0.0, tasks=2) is first
    close_pool()
    again = resolve_executor("threads", work=0.0, tasks=2)
    assert again is not first
    close_pool()
