"""What did the incident cost, and for how long? (issue 18, point 3.)

``incident_cost`` compares the scenario with and without one incident, with common random
numbers: a zero-size incident costs exactly nothing, nothing differs before the incident,
the damage grows with the incident's size and duration, and the result saves and loads
exactly.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import womsim as wom
from womsim.core.errors import ScenarioError, UnknownKeyError, WomsimError

PEOPLE = 2000
NET = wom.Network.random(PEOPLE, mean_degree=8, seed=3)
RUNS = 8


def scenario(**extra):
    return wom.Scenario.preset("telecom").replace(**{
        "market.people": PEOPLE, "simulation.horizon_years": 1.0, **extra})


def fault(multiplier=3.0, duration="3 weeks", **kw):
    return wom.Incident("fault", raises="problems", multiplier=multiplier, start="10 weeks",
                        duration=duration, **kw)


def cost(incident, runs=RUNS, sc=None, **kw):
    return wom.incident_cost(scenario() if sc is None else sc, incident, network=NET,
                             runs=runs, seed=11, executor="serial", **kw)


@pytest.fixture(scope="module")
def priced():
    return cost(fault())


def test_a_zero_size_incident_costs_exactly_nothing():
    c = cost(fault(multiplier=1.0), runs=3)
    s = c.summary()
    for name in ("value_lost", "revenue_lost", "cash_lost_within_horizon", "customers_lost",
                 "customers_fewer_at_end", "prospects_deterred", "extra_contacts",
                 "extra_problems"):
        assert s.loc[name, "mean"] == 0.0, name
    d = c.damage()
    assert (d["cumulative"] == 0).all() and (d["customers_fewer"] == 0).all()
    assert s.loc["damage_months", "mean"] == 0.0


def test_nothing_differs_before_the_incident(priced):
    w = priced.with_.records
    wo = priced.without.records
    start_step = int(np.floor(priced.start / priced.scenario.simulation.dt))  # 0-based
    before_w = w[w["step"] <= start_step].drop(columns=["time"])
    before_wo = wo[wo["step"] <= start_step].drop(columns=["time"])
    assert before_w.equals(before_wo)
    assert not w.equals(wo)
    d = priced.damage()
    assert (d.loc[d["since_start"] <= 0, ["damage", "cumulative"]] == 0).all().all()


def test_the_headline_is_on_the_valuation_basis(priced):
    """value lost = the paired change in value (profit_pv + customer_equity), as compare
    gives it, and the cumulative damage plus what is booked at the horizon adds up to it."""
    s = priced.summary()
    diff = priced.comparison.summary().loc[("with the incident", "value"), "difference"]
    assert s.loc["value_lost", "mean"] == pytest.approx(-diff, rel=1e-12)
    assert s.loc["value_lost", "ci_low"] < s.loc["value_lost", "mean"] < \
        s.loc["value_lost", "ci_high"]
    assert s.loc["value_lost", "ci_low"] > 0  # a tripled problem rate for 3 weeks hurts
    assert s.loc["customers_lost", "mean"] > 0 and s.loc["prospects_deterred", "mean"] > 0
    assert s.loc["extra_problems", "mean"] > 0


def _paired_gap(small, big):
    """Per-run value lost by the bigger incident less by the smaller (same seeds)."""
    lost = []
    for c in (small, big):
        t = c.comparison.differences("with the incident")["value"].to_numpy()
        lost.append(-t)
    return lost[1] - lost[0]


@pytest.mark.slow
@pytest.mark.parametrize("small, big", [
    ({"multiplier": 2.0}, {"multiplier": 4.0}),
    ({"duration": "2 weeks"}, {"duration": "6 weeks"}),
])
def test_damage_grows_with_size_and_duration(small, big):
    gap = _paired_gap(cost(fault(**small)), cost(fault(**big)))
    se = gap.std(ddof=1) / math.sqrt(gap.size)
    assert gap.mean() > 3 * se, (gap.mean(), se)


def test_the_damage_over_time(priced):
    d = priced.damage()
    assert list(d.columns[:2]) == ["time", "since_start"]
    assert {"damage", "damage_low", "damage_high", "cumulative", "cumulative_low",
            "cumulative_high", "customers_fewer"} <= set(d.columns)
    np.testing.assert_allclose(d["cumulative"], d["damage"].cumsum(), rtol=1e-9, atol=1e-6)
    assert (d["cumulative_low"] <= d["cumulative"]).all()
    assert (d["cumulative"] <= d["cumulative_high"]).all()
    # most of the damage is done within the months after the fault
    peak = d["cumulative"].max()
    assert d.loc[d["since_start"] < 0.25, "cumulative"].max() > 0.5 * peak


def test_for_how_long(priced):
    dur = priced.duration()
    assert 1 <= dur["months"] <= 12 and dur["low_months"] <= dur["months"] <= \
        dur["high_months"]
    assert dur["share_of_peak"] == 0.10
    s = priced.summary()
    assert s.loc["damage_months", "mean"] == dur["months"]
    # a stricter threshold cannot end the damage sooner
    assert cost(fault(), share=0.02).duration()["months"] >= dur["months"]


def test_dates_are_shown_with_a_start_date():
    sc = scenario(**{"calendar.start_date": "2027-01-04"})
    inc = wom.Incident("outage", raises="contacts", multiplier=3, start="2027-03-15",
                       duration="1 week", ramp_down="2 weeks")
    c = cost(inc, runs=3, sc=sc)
    d = c.damage()
    assert str(d["date"].iloc[0].date()) == "2027-01-11"
    assert c.summary().loc["extra_contacts", "mean"] > 0
    assert "outage" in repr(c) and "value lost" in repr(c)


def test_an_incident_already_in_the_scenario_is_priced_by_name(priced):
    sc = scenario(**{"calendar.incidents": (fault(),)})
    again = cost("fault", sc=sc)
    assert again.summary().equals(priced.summary())
    # with the only incident, no name is needed
    assert wom.incident_cost(sc, network=NET, runs=2, seed=11, executor="serial"
                             ).incident == fault()


def test_bad_requests_are_refused_naming_them():
    sc = scenario(**{"calendar.incidents": (fault(), wom.Incident(
        "outage", raises="contacts", multiplier=2, start="30 weeks", duration="1 week"))})
    with pytest.raises(ScenarioError, match=r"2 incidents.*'fault', 'outage'.*name the one"):
        wom.incident_cost(sc, runs=3)
    with pytest.raises(UnknownKeyError, match="fautl"):
        wom.incident_cost(sc, "fautl", runs=3)
    with pytest.raises(ScenarioError, match="0 incidents"):
        wom.incident_cost(scenario(), runs=3)
    with pytest.raises(WomsimError, match=r"share = 1\.5"):
        wom.incident_cost(scenario(), fault(), share=1.5, runs=3)
    with pytest.raises(ScenarioError, match="already has an incident named 'fault'"):
        wom.incident_cost(sc, fault(multiplier=5), runs=3)


def test_save_and_load_exactly(priced, tmp_path):
    path = priced.save(tmp_path / "fault.zip")
    back = wom.load(path)
    assert isinstance(back, wom.IncidentCost) and back.equals(priced)
    assert back.summary().equals(priced.summary())
    assert wom.IncidentCost.load(path).damage().equals(priced.damage())
    with pytest.raises(FileExistsError):
        priced.save(path)


def test_views(priced):
    import matplotlib

    matplotlib.use("Agg")
    html = priced._repr_html_()
    assert "what the incident cost" in html and "value lost" in html
    ax = priced.plot()
    assert ax.get_xlabel() == "years from the start"
    labels = ax.get_legend_handles_labels()[1]
    assert any("value lost" in lab for lab in labels)
