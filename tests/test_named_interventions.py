"""Programmes on one segment's or one rival's own values (issue 18): ``segments.<name>.<field>``
and ``rivals.<name>.<field>`` in an Intervention act from its start on that segment or rival
only, or are refused naming the value and why."""

from __future__ import annotations

import math

import numpy as np
import pytest

import womsim as wom
from womsim.core.errors import ScenarioError
from womsim.engine.step import run

# word of mouth that reaches nobody's decisions: what one segment's customers go through
# then cannot move another's records, so "the others' do not change" is exact
QUIET = {"prospect_deter_prob": 0.0, "referral_prob": 0.0, "customer_defect_prob": 0.0,
         "retell_prob": 0.0}
START = 26  # steps (half a year of weeks)


def _segmented(n=4000, **extra):
    return wom.Scenario(
        market={"people": n, "network": "well_mixed"}, word_of_mouth=QUIET,
        simulation={"horizon_years": 1.0},
        segments=[{"name": "consumer", "share": 0.7},
                  {"name": "business", "share": 0.3, "contact_rate": 6.0,
                   "problem_rate": 0.12, "observed_annual_churn": 0.2}], **extra)


def _with_rivals(n=4000):
    rv = {"contact_rate": 4.0, "problem_rate": 0.10, "marketing_rate": 0.2}
    return wom.Scenario(
        market={"people": n, "network": "well_mixed", "customer_share": 0.3},
        word_of_mouth=QUIET, simulation={"horizon_years": 1.0},
        rivals=[{"name": "challenger", "customer_share": 0.2, **rv},
                {"name": "incumbent", "customer_share": 0.2, **rv}])


def _programme(changes, how=None):
    return wom.Intervention("programme", start=START / 52, changes=changes, how=how or {})


def test_a_segment_programme_acts_on_that_segment_only_and_from_its_start():
    """Business problems halved from week 26: business problems fall from then on (by the
    amount the rate says, to a few SE), nothing differs before, and the consumer
    segment's records are identical throughout (paired: same seed)."""
    sc = _segmented()
    iv = _programme({"segments.business.problem_rate": 0.5},
                    {"segments.business.problem_rate": "scale"})
    a, b = run(sc, None, seed=3), run(sc.with_interventions(iv), None, seed=3)
    for name in ("problems", "contacts", "defections", "customers", "revenue"):
        assert np.array_equal(a[f"seg.consumer.{name}"], b[f"seg.consumer.{name}"]), name
        assert np.array_equal(a[f"seg.business.{name}"][:START],
                              b[f"seg.business.{name}"][:START]), name
    # after the start: problems per contact 0.12 -> 0.06; contacts are binomial draws
    after = slice(START, None)
    for rec, rate in ((a, 0.12), (b, 0.06)):
        contacts = rec["seg.business.contacts"][after].sum()
        share = rec["seg.business.problems"][after].sum() / contacts
        assert share == pytest.approx(rate, abs=4 * math.sqrt(rate * (1 - rate) / contacts))
    assert b["seg.business.defect_experience"][after].sum() \
        < a["seg.business.defect_experience"][after].sum()


def test_a_segment_value_left_unset_starts_from_the_market_s():
    sc = _segmented()
    iv = _programme({"segments.consumer.contact_rate": 0.5},
                    {"segments.consumer.contact_rate": "scale"})
    later = sc.with_interventions(iv).at(0.75)
    assert later.get("segments.consumer.contact_rate") == pytest.approx(1.0)  # 2.0 x 0.5
    assert later.service.contact_rate == 2.0
    assert later.get("segments.business.contact_rate") == 6.0
    a, b = run(sc, None, seed=1), run(sc.with_interventions(iv), None, seed=1)
    c_a, c_b = a["seg.consumer.contacts"][START:].sum(), b["seg.consumer.contacts"][START:].sum()
    # half the contacts: the ratio's SE from two Poisson-like counts
    assert c_b / c_a == pytest.approx(0.5, abs=4 * 0.5 * math.sqrt(1 / c_a + 1 / c_b))
    assert np.array_equal(a["seg.business.contacts"], b["seg.business.contacts"])


def test_programmes_on_the_market_and_on_a_segment_apply_in_order():
    """Each acts on the value the ones attached before it left, also across the market and
    a segment's own value."""
    sc = _segmented()
    seg = wom.Intervention("business desk", changes={"segments.business.problem_rate": 0.06})
    market = wom.Intervention("training", changes={"service.problem_rate": 0.5},
                              how={"service.problem_rate": "scale"})
    first = sc.with_interventions(seg, market).at(0.5)
    assert first.get("segments.business.problem_rate") == pytest.approx(0.03)
    assert first.service.problem_rate == pytest.approx(0.05)
    last = sc.with_interventions(market, seg).at(0.5)   # set last wins
    assert last.get("segments.business.problem_rate") == pytest.approx(0.06)
    # one programme naming both: the segment's own value is the one it names
    both = wom.Intervention("both", changes={"service.problem_rate": 0.5,
                                             "segments.business.problem_rate": 0.1},
                            how={"service.problem_rate": "scale"})
    assert sc.with_interventions(both).at(0.5).get(
        "segments.business.problem_rate") == pytest.approx(0.1)


def test_a_rival_programme_acts_on_that_rival_from_its_start():
    """The challenger's service improves and it markets harder from week 26: its problems
    per customer fall to the new rate (SE), its acquisitions rise, nothing differs before;
    the incumbent's problem share per customer-contact stays at its own rate."""
    sc = _with_rivals()
    iv = _programme({"rivals.challenger.problem_rate": 0.02,
                     "rivals.challenger.marketing_rate": 1.0})
    a, b = run(sc, None, seed=2), run(sc.with_interventions(iv), None, seed=2)
    for name in a:
        assert np.array_equal(np.asarray(a[name])[:START], np.asarray(b[name])[:START]), name
    dt = sc.simulation.dt
    after = slice(START, None)

    def problem_share(rec, rival):
        # expected contacts: customers x contact probability per step (4/yr x 1 week)
        contacts = rec[f"rival.{rival}.customers"][after].sum() * 4.0 * dt
        return rec[f"rival.{rival}.problems"][after].sum() / contacts, contacts

    for rec, rival, rate in ((a, "challenger", 0.10), (b, "challenger", 0.02),
                             (b, "incumbent", 0.10)):
        share, contacts = problem_share(rec, rival)
        assert share == pytest.approx(rate, abs=4 * math.sqrt(rate / contacts)), (rival, rate)
    gained = b["rival.challenger.acquisitions"][after].sum()
    assert gained > 2 * a["rival.challenger.acquisitions"][after].sum()


def test_named_programmes_work_in_paired_comparisons():
    # half a year: ~600 business customer-contacts after the start, ~50 fewer problems
    sc = _segmented(n=2000).today(**{"simulation.horizon_years": 0.5})
    iv = wom.Intervention("business desk", start="1 month", cost_per_year=20_000,
                          changes={"segments.business.problem_rate": 0.04})
    cmp = wom.compare({"today": sc, "desk": sc.with_interventions(iv)}, runs=2, seed=1,
                      executor="serial")
    s = cmp.summary()
    # paired, same seeds: fewer business problems, fewer defections in both runs
    assert s.loc[("desk", "problems"), "difference"] < 0
    assert s.loc[("desk", "defections"), "difference"] < 0
    # lost revenue of a scenario carrying it: the counterfactual keeps the programme
    lr = wom.lost_revenue(sc.with_interventions(iv), runs=2, seed=1, executor="serial")
    assert lr.total()["value_lost"] > 0


@pytest.mark.parametrize(("changes", "match"), [
    ({"segments.business.share": 0.5}, r"'segments\.business\.share' cannot change mid-run: "
                                       "who is in which segment"),
    ({"segments.business.customer_share": 0.5}, "drawn once, at the start"),
    ({"segments.business.observed_annual_churn": 0.3}, "solved from, once"),
    ({"segments.business.baseline_churn": 0.3}, "market.extra_churn"),
    ({"segments.business.revenue_sigma": 0.3}, "segments.<name>.revenue_per_year"),
    ({"rivals.challenger.customer_share": 0.3}, "marketing_rate"),
    ({"segments.business.problm_rate": 0.3}, "no value 'problm_rate'.*Did you mean "
                                             "'problem_rate'"),
    ({"segments.problem_rate": 0.3}, r"named segments\.<name>\.<field>"),
    ({"rivals.challenger.name": 0.3}, "no value 'name'"),
])
def test_a_value_fixed_at_the_start_or_misnamed_is_refused_with_why(changes, match):
    with pytest.raises(ScenarioError, match=match):
        wom.Intervention("x", changes=changes)


def test_a_segment_or_rival_the_scenario_lacks_is_refused_listing_its_names():
    seg, riv = _segmented(n=500), _with_rivals(n=500)
    with pytest.raises(ScenarioError, match=r"no segment 'busines'.*Did you mean 'business'"
                                            r".*Its segments: consumer, business"):
        seg.with_interventions(wom.Intervention(
            "x", changes={"segments.busines.problem_rate": 0.05}))
    with pytest.raises(ScenarioError, match=r"no rival 'chalenger'.*challenger, incumbent"):
        riv.with_interventions(wom.Intervention(
            "x", changes={"rivals.chalenger.problem_rate": 0.05}))
    with pytest.raises(ScenarioError, match=r"has no rivals \(add \[\[rivals\]\] first\)"):
        seg.with_interventions(wom.Intervention("x", changes={"rivals.a.problem_rate": 0.05}))
    # a value a programme would push out of range names the programme and the value
    with pytest.raises(ScenarioError, match=r"'too many'.*problem_rate"):
        riv.with_interventions(wom.Intervention(
            "too many", changes={"rivals.challenger.problem_rate": 0.9}))
    # a desk sets the mix: a segment's fixed mix would not act
    desk = wom.Scenario(segments=[{"name": "a", "share": 0.5}, {"name": "b", "share": 0.5}],
                        desk=wom.ServiceDesk())
    with pytest.raises(ScenarioError, match="service desk sets the experience mix"):
        desk.with_interventions(wom.Intervention(
            "x", changes={"segments.a.problem_rate": 0.05}))


def test_named_programmes_survive_a_file(tmp_path):
    sc = _segmented(n=500).with_interventions(
        _programme({"segments.business.resolved": 0.9}))
    assert wom.Scenario.from_toml(sc.to_toml(tmp_path / "s.toml")) == sc


def test_a_file_naming_a_segment_it_lacks_is_refused_with_its_line(tmp_path):
    sc = _segmented(n=500).with_interventions(
        _programme({"segments.business.resolved": 0.9}))
    path = sc.to_toml(tmp_path / "s.toml")
    text = path.read_text()
    assert '[interventions.changes]\n"segments.business.resolved" = 0.9' in text
    path.write_text(text.replace('"segments.business.resolved"', '"segments.busines.resolved"'))
    with pytest.raises(ScenarioError, match=r"s\.toml, line \d+: intervention 'programme' "
                                            r"changes 'segments\.busines\.resolved'.*"
                                            r"Its segments: consumer, business"):
        wom.Scenario.from_toml(path)
