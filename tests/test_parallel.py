"""Executors: the same seed gives the same numbers serially, in processes and on Dask."""

import numpy as np
import pytest

import womsim as wom
from womsim.errors import WomsimError


@pytest.fixture(scope="module")
def sc():
    return wom.Scenario.preset("telecom").replace(
        **{"market.people": 3000, "simulation.horizon_years": 0.5})


@pytest.fixture(scope="module")
def net(sc):
    return wom.Network.scale_free(3000, m=5, seed=8)


def _same(a, b):
    assert a.seeds == b.seeds
    assert a.records.equals(b.records)
    assert a.runs.equals(b.runs)


def test_processes_match_serial_bit_for_bit(sc, net):
    serial = wom.simulate(sc, network=net, runs=4, seed=11, executor="serial")
    procs = wom.simulate(sc, network=net, runs=4, seed=11, executor="processes")
    _same(serial, procs)


def test_concurrent_futures_executor(sc, net):
    from concurrent.futures import ThreadPoolExecutor

    serial = wom.simulate(sc, network=net, runs=3, seed=5, executor="serial")
    with ThreadPoolExecutor(2) as ex:
        threaded = wom.simulate(sc, network=net, runs=3, seed=5, executor=ex)
    _same(serial, threaded)


@pytest.mark.slow
def test_dask_local_cluster_matches_serial(sc, net):
    distributed = pytest.importorskip("distributed")
    serial = wom.compare({"today": sc, "better": sc.replace(**{"complaints.resolved": 0.9})},
                         network=net, runs=3, seed=2, executor="serial")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        remote = wom.compare({"today": sc, "better": sc.replace(**{"complaints.resolved": 0.9})},
                             network=net, runs=3, seed=2, executor=client)
    for name in ("today", "better"):
        _same(serial.ensembles[name], remote.ensembles[name])


def test_unseeded_runs_record_their_seed(sc, net):
    a = wom.simulate(sc, network=net, runs=2, executor="serial")
    b = wom.simulate(sc, network=net, runs=2, seed=a.seed, executor="serial")
    _same(a, b)


def test_bad_executor_and_runs(sc, net):
    with pytest.raises(WomsimError, match="executor='threads'"):
        wom.simulate(sc, network=net, runs=2, seed=1, executor="threads")
    with pytest.raises(WomsimError, match="runs = 0"):
        wom.simulate(sc, network=net, runs=0, seed=1)
    with pytest.raises(WomsimError, match="seed = -1"):
        wom.simulate(sc, network=net, runs=1, seed=-1)


def test_different_run_indices_differ(sc, net):
    ens = wom.simulate(sc, network=net, runs=3, seed=1, executor="serial")
    assert len(set(ens.seeds)) == 3
    assert not np.array_equal(ens.runs.iloc[0].to_numpy(), ens.runs.iloc[1].to_numpy())
