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
