"""Segments (issue 18, point 1): own values per segment, results split exactly, mixing."""

from __future__ import annotations

import math

import numpy as np
import pytest

import womsim as wom
from womsim.core.errors import CalibrationError, NetworkError, ScenarioError, UnknownKeyError
from womsim.engine.segments import SEGMENT_RECORDS
from womsim.engine.step import run
from womsim.network.mixing import assign_segments, assortativity, revenue_assortativity

SEGMENTS = [
    {"name": "consumer", "share": 0.8},
    {"name": "business", "share": 0.2, "revenue_per_year": 2400.0, "revenue_sigma": 0.8,
     "contact_rate": 6.0, "problem_rate": 0.08, "complain_rate": 0.8, "resolved": 0.7,
     "observed_annual_churn": 0.20, "negative_mean": 12.0, "positive_mean": 5.0},
]


def _market(n=3000, years=1.0, **extra):
    return wom.Scenario(market={"people": n, "network": "random", "mean_degree": 8.0},
                        simulation={"horizon_years": years}, segments=SEGMENTS, **extra)


def test_a_segment_sees_its_own_values_and_the_market_for_the_rest():
    sc = _market()
    from womsim.model.market import segment_view

    b = segment_view(sc, sc.segments[1])
    c = segment_view(sc, sc.segments[0])
    assert b.economics.revenue_per_year == 2400.0 and b.service.contact_rate == 6.0
    assert c.economics.revenue_per_year == sc.economics.revenue_per_year
    assert b.market.observed_annual_churn == 0.20
    assert c.market.observed_annual_churn == sc.market.observed_annual_churn
    assert sc.get("segments.business.resolved") == 0.7
    assert "segments.business.negative_mean" in sc.parameter_names()


def test_every_split_record_adds_up_to_the_market_exactly():
    """Counts and money, step by step, also with a programme in force part of the time."""
    iv = wom.Intervention("training", start="3 months", changes={"service.problem_rate": 0.5},
                          how={"service.problem_rate": "scale"}, cost_per_year=10_000)
    sc = _market().with_interventions(iv)
    net = wom.Network.random(3000, mean_degree=8, seed=1)
    rec = run(sc, net, seed=4, check=True)
    for name in SEGMENT_RECORDS:
        parts = rec[f"seg.consumer.{name}"] + rec[f"seg.business.{name}"]
        assert np.array_equal(parts, rec[name]), name
    assert rec["seg.business.customers"][0] > 0 and rec["seg.business.revenue"].sum() > 0


def test_revenue_follows_each_segment():
    sc = _market(n=20_000, years=0.25)
    ens = wom.simulate(sc, runs=3, seed=2, executor="serial")
    r = ens.records
    first = r[r.step == 1]
    per = {}
    for s in ("consumer", "business"):
        per[s] = (first[f"seg.{s}.revenue"] / first[f"seg.{s}.customers"]).mean() / sc.simulation.dt
    # mean-preserving lognormal: the mean revenue per customer is the segment's, within
    # the spread of a few thousand draws (sigma 0.8 -> sd ~ 0.95 x mean; 4 SE)
    n_b = first["seg.business.customers"].mean() * 3
    assert per["business"] == pytest.approx(2400.0, rel=4 * 0.95 / math.sqrt(n_b))
    assert per["consumer"] == pytest.approx(600.0, rel=4 * 0.53 / math.sqrt(
        first["seg.consumer.customers"].mean() * 3))
    table = ens.by_segment()
    tot = table.loc[("total", "revenue"), "mean"]
    assert tot == pytest.approx(table.loc[("consumer", "revenue"), "mean"]
                                + table.loc[("business", "revenue"), "mean"], rel=1e-12)


@pytest.mark.slow
def test_each_segment_lands_on_its_own_observed_churn():
    """Baseline churn solved per segment (mean field): with word of mouth not moving
    customers, the simulated churn of each segment is its observed churn within SE."""
    segs = [{"name": "consumer", "share": 0.5, "observed_annual_churn": 0.10},
            {"name": "business", "share": 0.5, "observed_annual_churn": 0.30,
             "problem_rate": 0.2}]
    sc = wom.Scenario(market={"people": 20_000, "network": "well_mixed",
                              "marketing_rate": 0.0, "winback_rate": 0.0},
                      word_of_mouth={"customer_defect_prob": 0.0},
                      simulation={"horizon_years": 1.0}, segments=segs)
    runs = 6
    ens = wom.simulate(sc, runs=runs, seed=3, executor="serial")
    g = ens.records.groupby("run")
    for s, target in (("consumer", 0.10), ("business", 0.30)):
        gone = g[f"seg.{s}.defections"].sum().to_numpy()
        lasted = g[f"seg.{s}.customers"].mean().to_numpy()
        churn = 1 - np.exp(-gone / lasted)
        se = churn.std(ddof=1) / math.sqrt(runs)
        assert abs(churn.mean() - target) < 4 * se, (s, churn.mean(), se)


def test_a_what_if_keeps_each_segments_baseline_churn():
    sc = _market()
    better = sc.what_if(**{"segments.business.problem_rate": 0.05})
    today_b = next(s for s in sc.segments if s.name == "business")
    kept = next(s for s in better.segments if s.name == "business").baseline_churn
    from womsim.model.market import segment_view

    assert kept == pytest.approx(segment_view(sc, today_b).baseline_churn(), rel=1e-12)
    assert segment_view(better, better.segments[1]).simulated_annual_churn() < 0.20
    # described as today again: solved afresh, so back on the observed churn
    again = better.today()
    assert again.segments[1].baseline_churn is None
    assert segment_view(again, again.segments[1]).simulated_annual_churn() == \
        pytest.approx(0.20, abs=1e-9)
    # an observable of a segment says what today is: a what-if cannot change it
    with pytest.raises(ScenarioError, match="observable"):
        better.what_if(**{"segments.business.observed_annual_churn": 0.3})
    assert sc.replace(**{"segments.business.observed_annual_churn": 0.3}).state == "today"


def test_a_programme_reaches_the_values_segments_set_themselves():
    iv = wom.Intervention("fewer problems", start=0.5, changes={"service.problem_rate": 0.5},
                          how={"service.problem_rate": "scale"})
    sc = _market().with_interventions(iv)
    late = sc.at(0.75)
    assert late.service.problem_rate == pytest.approx(0.05)
    assert late.get("segments.business.problem_rate") == pytest.approx(0.04)
    # a segment's membership cannot change mid-run (its own rates can:
    # tests/test_named_interventions.py)
    with pytest.raises(ValueError, match="cannot change mid-run"):
        wom.Intervention("x", changes={"segments.business.share": 0.1})


def test_a_calibration_failure_names_the_segment():
    segs = [dict(SEGMENTS[0]), {**SEGMENTS[1], "observed_annual_churn": 0.01}]
    sc = wom.Scenario(market={"people": 1000}, simulation={"horizon_years": 0.5},
                      segments=segs)
    with pytest.raises(CalibrationError, match="segment 'business'"):
        run(sc, None, seed=1)


@pytest.mark.parametrize(("segments", "extra", "match"), [
    ([{"name": "a", "share": 0.5}, {"name": "b", "share": 0.4}], {},
     r"shares a 0.5 \+ b 0.4 = 0.9, not 1"),
    ([{"name": "a", "share": 0.5}, {"name": "a", "share": 0.5}], {}, "'a' is named twice"),
    ([{"name": "a", "share": 1.0}], {}, "one segment"),
    ([{"name": "a", "share": 0.5}, {"name": "b", "share": 0.5}],
     {"rivals": [{"name": "b", "customer_share": 0.1}]}, "names both a segment and a rival"),
    ([{"name": "us", "share": 0.5}, {"name": "b", "share": 0.5}], {}, "reserved"),
    ([{"name": "a", "share": 0.5, "customer_share": 0.95}, {"name": "b", "share": 0.5}],
     {"market": {"former_share": 0.1}}, "customer_share"),
    ([{"name": "a", "share": 0.5}, {"name": "b", "share": 0.5}],
     {"market": {"segment_assortativity": 0.3, "network": "well_mixed"}}, "well_mixed"),
])
def test_bad_segments_are_refused_by_name(segments, extra, match):
    with pytest.raises(ScenarioError, match=match):
        wom.Scenario(segments=segments, **extra)


def test_a_setting_that_cannot_act_is_refused():
    with pytest.raises(ScenarioError, match="no segments"):
        wom.Scenario(market={"segment_assortativity": 0.2})
    both = [{"name": "a", "share": 0.5, "contact_rate": 3.0},
            {"name": "b", "share": 0.5, "contact_rate": 1.0}]
    sc = wom.Scenario(segments=both)
    with pytest.raises(ScenarioError, match=r"every segment .* sets its own contact_rate"):
        sc.replace(**{"service.contact_rate": 5.0})
    with pytest.raises(UnknownKeyError, match=r"segments\.nobody\.contact_rate"):
        sc.replace(**{"segments.nobody.contact_rate": 5.0})


def test_segments_are_placed_with_exact_shares_and_the_mixing_asked_for():
    net = wom.Network.communities([500] * 8, mean_degree_in=8, mean_degree_out=2, seed=3)
    shares = [0.7, 0.2, 0.1]
    free = assign_segments(shares, np.random.default_rng(1), net.n)
    assert np.bincount(free).tolist() == [2800, 800, 400]
    r_free = assortativity(net.indptr, net.indices, free)
    # random placement: about 0 (its sd over ~16k tie ends is about 0.01)
    assert abs(r_free) < 0.04
    for target in (0.2, 0.5):
        lab = assign_segments(shares, np.random.default_rng(1), net.n, net.indptr,
                              net.indices, net.block, target=target)
        assert np.bincount(lab).tolist() == [2800, 800, 400]
        assert assortativity(net.indptr, net.indices, lab) == pytest.approx(target, abs=0.005)
    with pytest.raises(NetworkError, match=r"cannot be met on this graph.*at most"):
        assign_segments(shares, np.random.default_rng(1), net.n, net.indptr, net.indices,
                        net.block, target=0.99)


def test_segment_mixing_makes_high_value_customers_know_high_value_customers():
    """Haenlein & Libai's revenue assortativity: friends' revenues correlate once business
    customers (4x the revenue) know each other."""
    n = 4000
    sc = wom.Scenario(market={"people": n, "network": "communities", "mean_degree": 10.0},
                      simulation={"horizon_years": 0.1},
                      segments=[SEGMENTS[0], {**SEGMENTS[1], "revenue_sigma": 0.0}])
    net = wom.Network.communities([500] * 8, mean_degree_in=8, mean_degree_out=2, seed=3)
    from womsim.engine.rng import Streams
    from womsim.engine.step import State

    loose = State.initial(sc, n, Streams(1), net)
    tight = State.initial(sc.replace(**{"market.segment_assortativity": 0.5}), n,
                          Streams(1), net)
    r_loose = revenue_assortativity(net.indptr, net.indices, loose.revenue)
    r_tight = revenue_assortativity(net.indptr, net.indices, tight.revenue)
    assert abs(r_loose) < 0.04 < 0.2 < r_tight
    with pytest.raises(NetworkError, match="cannot be met"):
        run(sc.replace(**{"market.segment_assortativity": 0.99}), net, seed=1)


def test_segments_and_rivals_survive_a_file(tmp_path):
    sc = _market(rivals=[{"name": "challenger", "customer_share": 0.1}])
    back = wom.Scenario.from_toml(sc.to_toml(tmp_path / "m.toml"))
    assert back == sc
    what_if = sc.what_if(**{"segments.business.resolved": 0.9})
    assert wom.Scenario.from_toml(what_if.to_toml(tmp_path / "w.toml")) == what_if


@pytest.mark.parametrize("value", [1.5, -0.2])
def test_a_mixing_setting_outside_its_range_is_refused_by_name(value):
    with pytest.raises(ScenarioError, match=rf"market\.segment_assortativity = {value}.*"
                                            r"allowed: >= 0 and <= 1"):
        wom.Scenario(market={"people": 500, "network": "random",
                             "segment_assortativity": value}, segments=SEGMENTS)


def test_a_mixing_setting_the_graph_cannot_meet_names_it_and_the_most_it_reaches():
    """A random graph has no communities: the most assortative placement of a 80/20 split
    reaches far less than 0.9; refused before the first step, naming the setting, the
    segment shares and the most the graph reaches."""
    sc = _market(n=2000, years=0.1).replace(**{"market.segment_assortativity": 0.9})
    net = wom.Network.random(2000, mean_degree=8, seed=1)
    with pytest.raises(NetworkError, match=r"market\.segment_assortativity = 0\.9 cannot be "
                                           r"met on this graph.*consumer 0\.8, business 0\.2"
                                           r".*at most 0\.\d+"):
        run(sc, net, seed=1)
