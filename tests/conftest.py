import matplotlib

matplotlib.use("Agg")  # tests never open windows


import pytest

import womsim as wom

#: a small telecom market: enough to exercise every result type in seconds
SMALL = {"market.people": 2000, "simulation.horizon_years": 0.5}


@pytest.fixture(scope="module")
def sc():
    """The small telecom scenario (test modules may define their own ``sc``)."""
    return wom.Scenario.preset("telecom").replace(**SMALL)


@pytest.fixture(scope="module")
def lr(sc):
    """Today's lost revenue for ``sc``: 3 paired runs."""
    return wom.lost_revenue(sc, runs=3, seed=1, executor="serial")


@pytest.fixture(scope="module")
def sw(sc):
    """A two-point sweep of ``sc``'s problem rate: 2 runs per point."""
    return wom.sweep(sc, {"service.problem_rate": [0.05, 0.15]}, runs=2, seed=1,
                     executor="serial")


@pytest.fixture(scope="module")
def tor(sc):
    """A two-parameter tornado of ``sc``: 2 runs."""
    return wom.sensitivity(sc, params=["word_of_mouth.negative_mean",
                                       "complaints.intention_to_action"], runs=2, seed=1,
                           executor="serial")


@pytest.fixture(scope="session")
def tiny_calibration():
    """The smallest calibration the API allows: 200 people, one inferred parameter."""
    bank = wom.Scenario.preset("retail_bank").replace(**{"simulation.horizon_years": 1})
    return wom.calibrate(bank, {"annual_churn": 0.15, "problem_share": 0.04}, people=200,
                         infer=["complaints.intention_to_action"], sims=12, draws=50,
                         check_runs=2, executor="serial", progress=False)


@pytest.fixture(scope="session")
def dask_client():
    """A Dask client on a 2-worker LocalCluster (worker processes), shared by the Dask tests
    of one pytest worker: each cluster start costs two interpreters that import womsim and
    load its kernels (about 12 s of CPU each), more than the tests' own work."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        yield client
