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



# ----------------------------------------------------------------- weekly seasonality
WEEKLY_HALVES = [1.5] * 26 + [0.5] * 26  # busy first half-year, quiet second; averages 1


@pytest.mark.parametrize("profile, words", [
    ([1.0] * 40, ["calendar.seasonality has 40 values", "12", "52"]),
    ([1.0] * 51, ["has 51 values"]),
    ([2.0, -1.0] + [1.0] * 50, ["week 2 = -1", "weekly multiplier must be a number > 0"]),
    ([0.0] * 52, ["all 52 weekly multipliers are 0"]),
    ([1.1] * 52, ["averages 1.1", "not 1", "divide each value by 1.1"]),
    ([1.0] * 51 + [float("nan")], ["week 52 = nan"]),
    ([1.0] * 51 + [True], ["expected a number", "bool"]),
])
def test_a_bad_weekly_profile_is_refused_naming_the_week(profile, words):
    with pytest.raises(ScenarioError) as err:
        wom.Scenario(calendar={"start_date": "2027-01-01", "seasonality": profile})
    for w in words:
        assert w in str(err.value), (w, str(err.value))


def test_weekly_multipliers_follow_the_weeks_of_the_year():
    """Week k is the k-th 52nd of the calendar year from 1 January (7.02 days; 7.04 in a
    leap year). A step inside a week gets its value exactly; a weekly engine step from 1
    January is a week; the plain mean of the 52 values is 1, as for the 12 months, and
    here that is also the year's day-weighted mean: a year's contacts are unchanged."""
    profile = [1.0 + 0.5 * math.sin(2 * math.pi * k / 52) for k in range(52)]
    profile = [x / (sum(profile) / 52) for x in profile]
    cal = Calendar(start_date="2027-01-01", seasonality=profile)
    np.testing.assert_array_equal(step_multipliers(cal, 1 / 52, 52).contacts, profile)
    day = step_multipliers(cal, 1 / 365, 365).contacts
    assert day[0] == profile[0] and day[8] == profile[1] and day[364] == profile[51]
    assert float(day.mean()) == pytest.approx(1.0, rel=1e-12)
    leap = step_multipliers(Calendar(start_date="2028-01-01", seasonality=profile),
                            1 / 365, 366).contacts
    assert leap[365] == profile[51] and leap[6] == profile[0] and leap[8] == profile[1]
    # a run starting mid-year starts in its week: 2027-03-10 (day 68) is in week 10
    mid = step_multipliers(Calendar(start_date="2027-03-10", seasonality=profile), 1 / 365, 2)
    assert mid.contacts.tolist() == [profile[9], profile[9]]
    # the assumptions table names the weeks; a file gives the profile back exactly
    row = wom.Scenario(calendar=cal).assumptions(solve=False).loc["calendar.seasonality"]
    assert row["unit"] == "x contacts by week" and row["value"].startswith("w1 ")
    assert "w52" in row["value"]


def _weekly_spread(monthly, start="2027-01-01"):
    """The weekly profile equal to a monthly one: each week the mean of the monthly
    multiplier over its days (integrated over the week, in steps of 1/5 of a week)."""
    fine = step_multipliers(Calendar(start_date=start, seasonality=monthly), 1 / 260,
                            260).contacts
    return fine.reshape(52, 5).mean(axis=1).tolist()


def test_a_weekly_profile_spreading_a_monthly_one_gives_the_same_contacts():
    """A monthly profile spread over the weeks (each week the mean of the months its days
    fall in: what the monthly profile gives a weekly step) gives the same multiplier at
    every weekly step, so the engine gives the very same contacts, step by step and over
    the year (same seed). Its non-1 months are both 31 days, so the monthly profile's
    day-weighted mean is 1 too and the spread passes the weekly profile's mean check."""
    monthly = [1.3, 1.0, 0.7] + [1.0] * 9
    cm = Calendar(start_date="2027-01-01", seasonality=monthly)
    weekly = step_multipliers(cm, 1 / 52, 52).contacts.tolist()
    np.testing.assert_allclose(weekly, _weekly_spread(monthly), rtol=1e-12)
    cw = Calendar(start_date="2027-01-01", seasonality=weekly)
    np.testing.assert_array_equal(step_multipliers(cw, 1 / 52, 52).contacts, weekly)
    a = run(small(**{"calendar.start_date": "2027-01-01", "calendar.seasonality": monthly}),
            NET, 5)
    b = run(small(**{"calendar.start_date": "2027-01-01", "calendar.seasonality": weekly}),
            NET, 5)
    np.testing.assert_array_equal(a["contacts"], b["contacts"])
    assert a["contacts"][:4].sum() > a["contacts"][9:13].sum()  # January above March


def test_weekly_contacts_follow_the_profile():
    """Contacts per customer-step in the busy and the quiet half-year against the
    profile's 1.5 and 0.5 (contacts are sums of Bernoulli draws with small p: var ~ mean,
    4 SE), and their ratio 3 (delta method)."""
    sc = small(**{"calendar.start_date": "2027-01-01", "calendar.seasonality": WEEKLY_HALVES})
    r = run(sc, NET, 6)
    p = sc.service.contact_rate * sc.simulation.dt
    # customers at the start of each step: the record of the step before
    before = np.concatenate([[r["customers"][0]], r["customers"][:-1]])
    level, count = {}, {}
    for name, k, want in (("busy", slice(1, 26), 1.5), ("quiet", slice(27, 52), 0.5)):
        count[name] = r["contacts"][k].sum()
        level[name] = count[name] / (before[k].sum() * p)
        assert level[name] == pytest.approx(want, abs=4 * want / math.sqrt(count[name])), name
    se = 3.0 * math.sqrt(1 / count["busy"] + 1 / count["quiet"])
    assert level["busy"] / level["quiet"] == pytest.approx(3.0, abs=4 * se)


# --------------------------------------- overlaps that leave a valid range (issue 18)
@pytest.mark.parametrize("make, words", [
    # a programme raising the problem rate while a fault multiplies it: 0.4 x 3 > 1
    (lambda: small(**{"calendar.incidents": (outage(raises="problems", multiplier=3.0),)})
     .with_interventions(wom.Intervention("worse", start="10 weeks",
                                          changes={"service.problem_rate": 0.4})),
     ["intervention 'worse'", "problems x3", "problem_rate = 0.4", "above 1"]),
    # a segment's own problem rate under the same fault: 0.3 x 4 > 1
    (lambda: small(segments=[{"name": "consumer", "share": 0.7},
                             {"name": "business", "share": 0.3, "problem_rate": 0.3}],
                   **{"calendar.incidents": (outage(raises="problems", multiplier=4.0),)}),
     ["segment 'business'", "problems x4", "0.3", "above 1"]),
    # a segment's own contact rate under an outage: more than one contact per step
    (lambda: small(segments=[{"name": "consumer", "share": 0.7},
                             {"name": "business", "share": 0.3, "contact_rate": 24.0}],
                   **{"calendar.incidents": (outage(multiplier=2.5),)}),
     ["segment 'business'", "contacts x2.5", "at most one per step"]),
    # an outage in the seasonality's peak month: 2.5/yr x 1.25 x 20 in a weekly step
    (lambda: small(**{"calendar.start_date": "2027-01-01", "calendar.seasonality": "winter_peak",
                      "calendar.incidents": (outage(start="1 week", multiplier=20.0,
                                                    duration="2 weeks"),)}),
     ["2027-01", "contacts x25", "at most one per step"]),
])
def test_an_incident_on_top_of_other_changes_beyond_range_is_refused(make, words):
    with pytest.raises(ScenarioError) as err:
        make()
    for w in words:
        assert w in str(err.value), (w, str(err.value))


def _with_rival(**calendar):
    """A market with a rival whose unhappy customers are many (so its problems, counted per
    step, measure its contacts closely); stories do not act, so nothing else moves."""
    return wom.Scenario(
        market={"people": 4000, "network": "well_mixed", "customer_share": 0.3,
                "observed_annual_churn": None, "baseline_churn": 0.1},
        word_of_mouth={"prospect_deter_prob": 0.0, "customer_defect_prob": 0.0,
                       "referral_prob": 0.0},
        simulation={"horizon_years": 1.0},
        rivals=[{"name": "challenger", "customer_share": 0.3, "contact_rate": 6.0,
                 "problem_rate": 0.5, "delight_rate": 0.1}],
        calendar={"start_date": "2027-01-01", **calendar})


def _rival_problem_rate(rec, steps):
    """The rival's problems per rival customer-step over ``steps`` (and its Poisson SE)."""
    k = rec["rival.challenger.problems"][steps].sum()
    per = k / rec["rival.challenger.customers"][steps].sum()
    return per, per / math.sqrt(k)


def test_the_season_moves_the_rivals_contacts_and_our_incident_does_not():
    """The seasonality is the market's: a rival's contacts follow it as ours do (its
    problems per customer in the high half-year x1.5, in the low one x0.5: a ratio of 3).
    An outage at our firm raises our contacts, not the rival's: over its weeks the rival's
    problems per customer match the run without it. Thousands of problems per half-year:
    the ratios' SE are a few %, the tolerance 4 SE."""
    season = (1.5,) * 6 + (0.5,) * 6
    rec = run(_with_rival(seasonality=season), None, 3)
    high, se_h = _rival_problem_rate(rec, slice(1, 25))  # whole weeks inside each half
    low, se_l = _rival_problem_rate(rec, slice(27, 51))
    se = 3 * math.hypot(se_h / high, se_l / low)
    assert abs(high / low - 3.0) < 4 * se, (high / low, se)
    out = wom.Incident("outage", raises="contacts", multiplier=3.0, start="10 weeks",
                       duration="8 weeks")
    a, b = run(_with_rival(), None, 3), run(_with_rival(incidents=[out]), None, 3)
    weeks = slice(11, 18)
    ours = b["contacts"][weeks].sum() / a["contacts"][weeks].sum()
    assert abs(ours - 3.0) < 4 * 3 * math.sqrt(1 / b["contacts"][weeks].sum()
                                               + 1 / a["contacts"][weeks].sum())
    (ra, sa), (rb, sb) = _rival_problem_rate(a, weeks), _rival_problem_rate(b, weeks)
    assert abs(rb / ra - 1.0) < 4 * math.hypot(sa / ra, sb / rb), rb / ra


def test_a_season_beyond_one_rival_contact_a_step_is_refused_naming_the_rival():
    with pytest.raises(ScenarioError, match=r"rival 'challenger' 1\.\d+ contacts per customer"):
        _with_rival(seasonality=(1.5,) * 6 + (0.5,) * 6).replace(
            **{"rivals.challenger.contact_rate": 40.0})
