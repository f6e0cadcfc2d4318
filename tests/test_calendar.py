"""The calendar: seasonality, dated incidents and marketing pulses (issue 18, point 3).

Validation with errors naming what is wrong, the per-step multipliers (exact averages over a
step, step-size independent), TOML round trips, assumptions, and the engine: common random
numbers up to the first step an event reaches, and a service desk whose load follows an
outage.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import womsim as wom
from womsim.core.errors import ScenarioError
from womsim.engine.step import run
from womsim.model.calendar import SEASONALITY_PRESETS, Calendar, step_multipliers

SMALL = {"market.people": 3000, "simulation.horizon_years": 1.0}


def small(**extra):
    return wom.Scenario.preset("telecom").replace(**{**SMALL, **extra})


def outage(**kw):
    spec = {"raises": "contacts", "multiplier": 3.0, "start": "12 weeks",
            "duration": "1 week", "ramp_down": "2 weeks"}
    spec.update(kw)
    return wom.Incident(spec.pop("name", "outage"), **spec)


# ----------------------------------------------------------------------- validation
@pytest.mark.parametrize("spec, words", [
    ({"seasonality": [1.0] * 11, "start_date": "2027-01-01"}, ["seasonality", "11", "12"]),
    ({"seasonality": [1.1] * 12, "start_date": "2027-01-01"}, ["averages 1.1", "not 1"]),
    ({"seasonality": [1.0] * 11 + [0.0], "start_date": "2027-01-01"}, ["Dec = 0", "> 0"]),
    ({"seasonality": [2.0] + [-1.0] + [1.0] * 10, "start_date": "2027-01-01"},
     ["Feb = -1", "> 0"]),
    ({"seasonality": "wintr_peak", "start_date": "2027-01-01"}, ["no such profile",
                                                                  "winter_peak"]),
    ({"seasonality": "winter_peak"}, ["calendar.seasonality needs calendar.start_date"]),
    ({"incidents": [{"name": "x", "raises": "contacts", "multiplier": 0, "start": 0.1,
                     "duration": 0.1}]}, ["incident 'x'", "multiplier = 0", "> 0"]),
    ({"incidents": [{"name": "x", "raises": "contacts", "multiplier": -2, "start": 0.1,
                     "duration": 0.1}]}, ["multiplier = -2"]),
    ({"pulses": [{"name": "p", "multiplier": 0, "start": 0.1, "duration": 0.1}]},
     ["pulse 'p'", "multiplier = 0"]),
    ({"incidents": [{"name": "x", "raises": "volume", "multiplier": 2, "start": 0.1,
                     "duration": 0.1}]}, ["raises", "'contacts' or 'problems'"]),
    ({"incidents": [{"name": "x", "raises": "contacts", "multiplier": 2,
                     "start": "2027-03-01", "duration": 0.1}]},
     ["incident 'x'", "2027-03-01", "calendar.start_date is not set"]),
    ({"start_date": "2027-03-01",
      "incidents": [{"name": "x", "raises": "contacts", "multiplier": 2,
                     "start": "2027-01-01", "duration": 0.1}]},
     ["incident 'x'", "before calendar.start_date"]),
    ({"incidents": [{"name": "a", "raises": "contacts", "multiplier": 2, "start": 0.1,
                     "duration": 0.1},
                    {"name": "b", "raises": "contacts", "multiplier": 2, "start": 0.15,
                     "duration": 0.1}]}, ["overlap", "'a'", "'b'", "ambiguous"]),
    # the ramp-down counts: b starts while a is still easing off
    ({"incidents": [{"name": "a", "raises": "problems", "multiplier": 2, "start": 0.1,
                     "duration": 0.1, "ramp_down": 0.1},
                    {"name": "b", "raises": "problems", "multiplier": 2, "start": 0.25,
                     "duration": 0.1}]}, ["incidents raising problems overlap"]),
    ({"incidents": [{"name": "a", "raises": "contacts", "multiplier": 2, "start": 0.1,
                     "duration": 0.1},
                    {"name": "a", "raises": "problems", "multiplier": 2, "start": 0.5,
                     "duration": 0.1}]}, ["'a' is named twice"]),
    ({"incidents": [{"name": "x", "raises": "contacts", "multiplier": 2, "start": "soon",
                     "duration": 0.1}]}, ["start", "'soon'"]),
])
def test_bad_calendar_is_refused_naming_it(spec, words):
    with pytest.raises(ScenarioError) as exc:
        small(calendar=spec)
    for w in words:
        assert w in str(exc.value), (w, str(exc.value))
    with pytest.raises(ScenarioError):  # also when built on its own
        Calendar(**spec)


def test_different_targets_may_overlap():
    cal = {"incidents": [{"name": "a", "raises": "contacts", "multiplier": 2, "start": 0.1,
                          "duration": 0.1},
                         {"name": "b", "raises": "problems", "multiplier": 2, "start": 0.15,
                          "duration": 0.1}]}
    assert len(small(calendar=cal).calendar.incidents) == 2


@pytest.mark.parametrize("kw, words", [
    ({"start": "60 weeks"}, ["outside the 1-year horizon", "never act"]),
    ({"start": "50 weeks", "duration": "1 week", "ramp_down": "4 weeks"},
     ["past the end of the 1-year horizon"]),
    ({"multiplier": 40.0}, ["contacts per customer per step", "at most one"]),
])
def test_events_that_could_not_act_are_refused(kw, words):
    with pytest.raises(ScenarioError) as exc:
        small(**{"calendar.incidents": (outage(**kw),)})
    for w in words:
        assert w in str(exc.value), str(exc.value)


def test_problem_share_above_one_is_refused():
    fault = outage(raises="problems", multiplier=8.0)  # telecom: 15% problems -> 120%
    with pytest.raises(ScenarioError, match=r"problems x8 .* problem share of 1\.2, above 1"):
        small(**{"calendar.incidents": (fault,)})


def test_a_pulse_outside_the_horizon_is_refused():
    with pytest.raises(ScenarioError, match=r"pulse 'spring'.*outside"):
        small(**{"calendar.pulses": (wom.Pulse("spring", multiplier=2, start="2 years",
                                               duration="2 weeks"),)})


def test_interventions_cannot_change_the_calendar():
    with pytest.raises(ScenarioError, match=r"calendar\.seasonality"):
        wom.Intervention("x", changes={"calendar.seasonality": 1.0})


def test_presets_average_one():
    for name, values in SEASONALITY_PRESETS.items():
        assert len(values) == 12 and math.isclose(sum(values) / 12, 1.0, abs_tol=1e-12), name


# ----------------------------------------------------------------------- multipliers
def test_step_average_of_a_partial_step_and_of_a_ramp():
    dt = 1 / 52
    cal = Calendar(incidents=[wom.Incident("f", raises="problems", multiplier=3,
                                           start=0.5 * dt, duration=dt, ramp_down=2 * dt)])
    m = step_multipliers(cal, dt, 6).problems
    # step 0: half at full size; step 1: half full, then the first half-step of the ramp
    # (from 1 to 3/4 of the excess: mean 7/8); steps 2-3 the rest of the ramp
    excess = np.array([0.5, 0.5 + 0.5 * 7 / 8, (3 / 4 + 1 / 4) / 2, 1 / 8 * 0.5, 0, 0])
    np.testing.assert_allclose(m, 1 + 2 * excess, rtol=1e-12)
    assert m[4] == 1.0 and m[5] == 1.0  # exactly: nothing after the ramp


def test_multipliers_do_not_depend_on_the_step_size():
    """The area under each multiplier (extra contact-years) is the same for any step."""
    def area(step_days):
        sc = small(**{"simulation.step_days": step_days,
                      "calendar.start_date": "2027-02-10",
                      "calendar.seasonality": "december_peak",
                      "calendar.incidents": (outage(),)})
        sim = sc.simulation
        m = step_multipliers(sc.calendar, sim.dt, sim.steps)
        return float((m.contacts * sim.dt).sum())
    areas = [area(d) for d in (1, 7, 30)]
    np.testing.assert_allclose(areas, areas[0], rtol=1e-12)
    # one year from 10 February: the seasonality's day-weighted mean, plus the outage's
    # excess (2 x (1 week + 2 weeks / 2)) at February-March's multipliers
    assert 1.0 < areas[0] < 1.0 + 2 * 14 / 365 * 0.95


def test_seasonality_within_a_month_is_exact():
    cal = Calendar(start_date="2027-01-01", seasonality="winter_peak")
    m = step_multipliers(cal, 1 / 365, 365).contacts
    assert m[0] == 1.25 and m[31] == 1.15 and m[364] == 1.2


def test_an_empty_calendar_changes_nothing():
    assert step_multipliers(Calendar(), 1 / 52, 52) is None


# ----------------------------------------------------------------------- scenario files
def test_toml_round_trip_with_every_part(tmp_path):
    cal = wom.Calendar(
        start_date="2027-01-01", seasonality=[1.2, 1.1, 1, 1, 0.9, 0.8, 0.8, 0.9, 1, 1, 1.1,
                                              1.2],
        incidents=[outage(start="2027-03-15"),
                   outage(name="fault", raises="problems", multiplier=1.5, start="30 weeks",
                          duration="4 weeks", ramp_down=0)],
        pulses=[wom.Pulse("spring", multiplier=2, start="2027-04-01", duration="6 weeks",
                          cost=50_000)])
    sc = small().today(calendar=cal)
    path = sc.to_toml(tmp_path / "s.toml")
    text = path.read_text()
    assert "[[calendar.incidents]]" in text and 'start = "2027-03-15"' in text
    assert wom.Scenario.from_toml(path) == sc
    # a file that writes a TOML date (no quotes) reads the same
    path.write_text(text.replace('start_date = "2027-01-01"', "start_date = 2027-01-01"))
    assert wom.Scenario.from_toml(path) == sc


def test_bad_calendar_in_a_file_names_it(tmp_path):
    path = small(**{"calendar.incidents": (outage(),)}).to_toml(tmp_path / "s.toml")
    path.write_text(path.read_text().replace("multiplier = 3.0", "multiplier = -3.0"))
    with pytest.raises(ScenarioError, match=r"line \d+: calendar.incidents.0: incident 'outage': "
                                            r"multiplier = -3"):
        wom.Scenario.from_toml(path)


def test_assumptions_and_html_show_the_calendar():
    sc = small(**{"calendar.start_date": "2027-01-01", "calendar.seasonality": "winter_peak",
                  "calendar.incidents": (outage(),),
                  "calendar.pulses": (wom.Pulse("spring", multiplier=2, start="20 weeks",
                                                duration="4 weeks", cost=10_000),)})
    a = sc.assumptions()
    assert a.loc["calendar.seasonality", "status"] == "illustrative"
    assert a.loc["calendar.incidents[0]", "value"] == 3.0
    assert "'outage': contact volume x3" in a.loc["calendar.incidents[0]", "meaning"]
    assert "costs 10,000 once" in a.loc["calendar.pulses[0]", "meaning"]
    assert "outage" in sc._repr_html_()


# ----------------------------------------------------------------------- engine
NET = wom.Network.random(3000, mean_degree=8, seed=2)


def _first_diff(a, b):
    steps = a["contacts"].size
    for t in range(steps):
        if any(a[k][t] != b[k][t] for k in a if k not in ("initial", "time")):
            return t
    return steps


@pytest.mark.parametrize("event", [
    {"calendar.incidents": (outage(),)},
    {"calendar.incidents": (outage(raises="problems", multiplier=2.0),)},
    {"calendar.pulses": (wom.Pulse("spring", multiplier=3, start="12 weeks",
                                   duration="4 weeks"),)},
])
def test_runs_share_every_step_before_the_event(event):
    sc = small()
    with_ = small(**event)
    a, b = run(sc, NET, 5), run(with_, NET, 5)
    first = int(np.floor((12 * 7 / 365) / sc.simulation.dt))  # the step the event starts in
    # identical up to it (a sliver of the event in its first step may change no draw)
    assert first <= _first_diff(a, b) <= first + 1


def test_an_incident_of_size_zero_changes_nothing_at_all():
    a = run(small(), NET, 5)
    b = run(small(**{"calendar.incidents": (outage(multiplier=1.0),)}), NET, 5)
    c = run(small(**{"calendar.incidents": (outage(duration=0, ramp_down=0),)}), NET, 5)
    for k in a:
        assert np.array_equal(a[k], b[k]) and np.array_equal(a[k], c[k]), k


def test_an_outage_raises_contacts_by_its_multiplier():
    """Over the outage's full-size weeks, contacts rise x3 (binomial SE tolerance)."""
    sc = small(**{"simulation.step_days": 1.0})
    inc = outage(start="12 weeks", duration="4 weeks", ramp_down=0)
    a, b = run(sc, NET, 7), run(sc.replace(**{"calendar.incidents": (inc,)}), NET, 7)
    t0 = round(12 * 7 / 365 / sc.simulation.dt)
    days = slice(t0 + 1, t0 + 27)
    ratio = b["contacts"][days].sum() / a["contacts"][days].sum()
    se = 3 * math.sqrt(1 / b["contacts"][days].sum() + 1 / a["contacts"][days].sum())
    assert abs(ratio - 3.0) < 3 * se, ratio
    _load_scaled_exactly(a, b, with_=sc.replace(**{"calendar.incidents": (inc,)}))


def _load_scaled_exactly(a, b, with_):
    """At the first step the load differs, the customers at its start are the same: the
    load (what a desk is asked about) is exactly the step's contact multiplier times."""
    t = int(np.nonzero(a["load"] != b["load"])[0][0])
    sim = with_.simulation
    m = step_multipliers(with_.calendar, sim.dt, sim.steps).contacts[t]
    assert m > 1 and b["load"][t] == pytest.approx(m * a["load"][t], rel=1e-12)


def test_a_fault_raises_the_problem_share():
    sc = small()
    b = run(sc.replace(**{"calendar.incidents": (outage(raises="problems", multiplier=2.5,
                                                        ramp_down=0, duration="4 weeks"),)}),
            NET, 7)
    t0 = int(np.floor((12 * 7 / 365) / sc.simulation.dt))
    assert b["problem_share"][t0 + 1] == pytest.approx(2.5 * sc.service.problem_rate)
    assert b["problem_share"][t0 + 10] == pytest.approx(sc.service.problem_rate)


def test_a_pulse_wins_more_customers_and_books_its_cost():
    sc = small()
    pulse = wom.Pulse("spring", multiplier=4, start="12 weeks", duration="8 weeks",
                      cost=25_000)
    a, b = run(sc, NET, 7), run(sc.replace(**{"calendar.pulses": (pulse,)}), NET, 7)
    t0 = int(np.floor((12 * 7 / 365) / sc.simulation.dt))
    weeks = slice(t0 + 1, t0 + 8)  # at full size: marketing acquisitions x4 (Poisson SE)
    na, nb = a["acq_marketing"][weeks].sum(), b["acq_marketing"][weeks].sum()
    assert abs(nb / na - 4) < 3 * 4 * math.sqrt(1 / na + 1 / nb), (na, nb)
    assert b["intervention_cost"][t0] - a["intervention_cost"][t0] == 25_000
    assert b["intervention_cost"].sum() - a["intervention_cost"].sum() == 25_000


def test_seasonality_moves_contacts_between_months():
    sc = small(**{"calendar.start_date": "2027-01-01", "calendar.seasonality": "winter_peak"})
    r = run(sc, NET, 3)
    jan, jul = r["contacts"][:4].sum(), r["contacts"][26:30].sum()
    base = run(small(), NET, 3)
    ratio = (jan / base["contacts"][:4].sum()) / (jul / base["contacts"][26:30].sum())
    assert ratio == pytest.approx(1.25 / 0.8, rel=0.15)


@pytest.mark.slow
def test_an_outage_strains_the_service_desk():
    """With a desk, an outage's extra contacts raise the desk's load, and its mix follows."""
    desk = wom.ServiceDesk(agents=2)
    sc = small(**{"market.people": 2000}).today(desk=desk)
    net = wom.Network.random(2000, mean_degree=8, seed=2)
    inc = outage(multiplier=3.0, duration="3 weeks", ramp_down=0)
    with_ = sc.replace(**{"calendar.incidents": (inc,)})
    a, b = run(sc, net, 4), run(with_, net, 4)
    t0 = int(np.floor((12 * 7 / 365) / sc.simulation.dt))
    _load_scaled_exactly(a, b, with_)
    assert b["problem_share"][t0 + 1] > a["problem_share"][t0 + 1]
    np.testing.assert_array_equal(b["problem_share"][:t0], a["problem_share"][:t0])
    # a load beyond the desk's simulated curve would not act: refused (a bigger market, so
    # that the multiplier needed stays under one contact per customer per step)
    big_market = sc.replace(**{"market.people": 30_000})
    cap = desk.mix_table().loads[-1]
    load = 30_000 * big_market.market.customer_share * big_market.service.contact_rate
    huge = big_market.replace(**{"calendar.incidents": (
        outage(multiplier=1.5 * cap / load, ramp_down=0),)})
    with pytest.raises(ScenarioError, match="beyond its simulated load curve"):
        run(huge, None, 4)
