"""The by-cause table's "other" line, split at the horizon (attribution.other_split): the
two parts add up to it exactly, run by run, and the demo says what it holds."""

from __future__ import annotations

import numpy as np
import pytest

import womsim as wom
from womsim.analysis.attribution import _parts, _totals, by_cause, other_split
from womsim.analysis.lostrev import counterfactual
from womsim.app.demo import other_line


@pytest.fixture(scope="module")
def pair():
    sc = wom.Scenario.preset("telecom").replace(**{"market.people": 4000})
    cmp = wom.compare({"today": sc, "no problems": counterfactual(sc)}, runs=3, seed=5,
                      executor="serial", progress=False)
    return sc, cmp.ensembles["today"], cmp.ensembles["no problems"]


def test_parts_add_up_to_other(pair):
    _, ref, alt = pair
    split = other_split(ref, alt)
    assert split is not None
    other = by_cause(ref, alt).loc["other", "mean"]
    assert split["mean"].sum() == pytest.approx(other, rel=1e-12, abs=1e-6)
    # the customers at the end: the records' own difference
    end = (alt.records.groupby("run")["customers"].last()
           - ref.records.groupby("run")["customers"].last()).mean()
    assert split.loc["after the horizon", "customers_at_end"] == end


def test_other_is_the_kept_customers_lower_churn(pair):
    """Without problems more customers are left at the end than the events' prices (at
    today's churn) expect, and both parts of other are then gains."""
    _, ref, alt = pair
    split = other_split(ref, alt)
    after = split.loc["after the horizon"]
    assert after["customers_at_end"] > after["customers_at_end_priced"] > 0
    assert (split["mean"] > 0).all()


def test_horizon_only_leaves_nothing_after(pair):
    sc, _, _ = pair
    short = sc.replace(**{"economics.value_horizon": "horizon"})
    cmp = wom.compare({"today": short, "no problems": counterfactual(short)}, runs=2, seed=5,
                      executor="serial", progress=False)
    ref, alt = cmp.ensembles["today"], cmp.ensembles["no problems"]
    split = other_split(ref, alt)
    p = _parts(_totals(ref), _totals(alt), short.economics.margin)
    assert split.loc["within the horizon", "mean"] == pytest.approx(p["other"].mean())
    assert abs(split.loc["after the horizon", "mean"]) < 1e-6 * max(1.0, abs(p["total"].mean()))


def test_segmented_market_has_no_single_price():
    bank = wom.Scenario.preset("retail_bank_challenger").replace(**{"market.people": 1500})
    ens = wom.simulate(bank, runs=1, seed=1, executor="serial", progress=False)
    assert other_split(ens, ens) is None
    assert "other" in other_line(None, bank, "USD", 2.0)


def test_demo_says_what_other_holds(pair):
    sc, ref, alt = pair
    line = other_line(other_split(ref, alt), sc, "USD", 2.0)
    assert "25% a year" in line and "after the horizon" in line
    assert np.isfinite(other_split(ref, alt)["mean"]).all()
