"""Every result of a segmented market split by segment, adding up to the total (issue 18.1).

One small two-segment market (2,000 people, half a year, 3 paired runs) is enough: the
checks are identities between the segments' records and the market's (float rounding
only), not statistics, so their power does not depend on the population.
"""

from __future__ import annotations

import numpy as np
import pytest

import womsim as wom
from womsim.analysis.attribution import _totals
from womsim.analysis.bysegment import MARKET_LEVEL, TOTAL, ensemble_by_segment
from womsim.core.errors import WomsimError

SEGMENTS = [{"name": "consumer", "share": 0.8},
            {"name": "business", "share": 0.2, "revenue_per_year": 2400.0,
             "problem_rate": 0.08, "observed_annual_churn": 0.2}]
OUTAGE = wom.Incident("outage", raises="problems", multiplier=3, start="6 weeks",
                      duration="3 weeks")


def _market(**extra):
    return wom.Scenario(market={"people": 2000, "network": "random", "mean_degree": 8.0},
                        simulation={"horizon_years": 0.5}, segments=SEGMENTS, **extra)


@pytest.fixture(scope="module")
def lost():
    return wom.lost_revenue(_market(), runs=3, seed=2, executor="serial")


@pytest.fixture(scope="module")
def incident():
    return wom.incident_cost(_market(), OUTAGE, runs=3, seed=2, executor="serial")


def _adds_up(t, skip=("CI low", "CI high")):
    """Segment rows plus the market-level row against the total, column by column."""
    raw = t.raw()
    for col in raw.columns:
        if any(s in col for s in skip):  # intervals of parts do not add up
            continue
        parts = raw[col].drop(TOTAL).fillna(0.0).sum()
        total = raw.loc[TOTAL, col]
        assert parts == pytest.approx(total, rel=1e-9, abs=1e-6), col


def _col(t, start):
    (name,) = [c for c in t.columns if c.startswith(start)]
    return name


def test_lost_revenue_by_segment_adds_up_to_its_total(lost):
    t = lost.by_segment()
    assert list(t.index) == ["consumer", "business", MARKET_LEVEL, TOTAL]
    _adds_up(t)
    value = _col(t, "value lost (USD")
    assert t.loc[TOTAL, value] == pytest.approx(lost.total()["value_lost"], rel=1e-12)
    # the causes booked per customer event: the segments' parts are the market's by_cause
    bc = lost.by_cause().raw()
    for cause in ("own experience", "word of mouth", "referrals forgone", "baseline churn"):
        col = _col(t, f"value lost: {cause}")
        seg_sum = t.loc[["consumer", "business"], col].sum()
        assert seg_sum == pytest.approx(bc.loc[cause, "mean"], rel=1e-9, abs=1e-6), cause
    assert t.loc["business", _col(t, "value lost: own experience")] > 0
    # what the segments hold (margin and held customers' value, from the segments' own
    # records) leaves exactly the costs within the horizon, from the market's records
    costs = _col(t, "value lost: costs within")
    ref, alt = _totals(lost.today), _totals(lost.target)
    within = sum((ref[c] - alt[c]).mean() for c in
                 ("acquisition_spend_pv", "service_cost_pv", "intervention_cost_pv"))
    assert t.loc[MARKET_LEVEL, value] == pytest.approx(within, rel=1e-9, abs=1e-6)
    assert t.loc[TOTAL, costs] == pytest.approx(within, rel=1e-9, abs=1e-6)
    assert np.isnan(t.loc["consumer", costs])  # not apportioned to a segment
    # people: the comparison's own totals
    s = lost.comparison.summary().loc["counterfactual"]
    fewer = _col(t, "customers fewer")
    assert t.loc[TOTAL, fewer] == pytest.approx(s.loc["customers_end", "difference"])
    assert t.loc[MARKET_LEVEL, fewer] == 0
    assert "by segment" in lost.tables()


def test_incident_cost_by_segment_adds_up_to_its_summary(incident):
    t = incident.by_segment()
    _adds_up(t)
    s = incident.summary()
    assert t.loc[TOTAL, _col(t, "value lost (USD")] == pytest.approx(
        s.loc["value_lost", "mean"], rel=1e-12)
    for figure, col in (("customers_lost", "customers lost"),
                        ("customers_fewer_at_end", "customers fewer"),
                        ("extra_problems", "extra problems")):
        assert t.loc[TOTAL, _col(t, col)] == pytest.approx(s.loc[figure, "mean"]), figure
    assert t.loc[["consumer", "business"], _col(t, "extra problems")].min() > 0
    assert "by segment" in incident.tables()


def test_an_ensemble_and_a_sweep_split_by_segment(lost):
    ens = lost.today
    t = ensemble_by_segment(ens)
    _adds_up(t)
    s = ens.summary()
    value = _col(t, "value (USD")
    assert t.loc[TOTAL, value] == pytest.approx(s.loc["value", "mean"], rel=1e-12)
    assert t.loc[TOTAL, "customers at the end (people)"] == pytest.approx(
        s.loc["customers_end", "mean"])
    assert "by segment" in ens.tables()
    sw = wom.sweep(_market(), {"service.problem_rate": [0.02, 0.2]}, runs=2, seed=1,
                   executor="serial")
    b = sw.by_segment()
    assert b.shape[0] == 2 * 4 and list(b.columns[:1]) == ["service.problem_rate"]
    for i, e in enumerate(sw.ensembles):
        assert b.loc[(i, TOTAL), value] == pytest.approx(e.runs["value"].mean(), rel=1e-12)
        part = b.loc[i].drop(columns="service.problem_rate")
        assert part.drop(TOTAL).fillna(0).sum()[value] == pytest.approx(
            part.loc[TOTAL, value], rel=1e-9)
    # the consumers' own problems fall with the market's rate (the business sets its own)
    probs = "problems (contacts)"
    assert b.loc[(0, "consumer"), probs] < b.loc[(1, "consumer"), probs]


def test_a_market_without_segments_has_nothing_to_split():
    sc = wom.Scenario(market={"people": 1000}, simulation={"horizon_years": 0.25})
    lr = wom.lost_revenue(sc, runs=2, seed=1, executor="serial")
    with pytest.raises(WomsimError, match="no segments"):
        lr.by_segment()
    assert "by segment" not in lr.tables() and "by segment" not in lr.today.tables()
