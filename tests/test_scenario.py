"""Scenario: validation with clear errors, replace, presets, assumptions, TOML, interventions."""

import math

import pytest

import womsim as wom
from womsim.calibration import annual_churn, rates
from womsim.errors import CalibrationError, ScenarioError, UnknownKeyError
from womsim.presets import PRESETS


def test_defaults_are_valid_and_tied_to_figures():
    sc = wom.Scenario()
    a = sc.assumptions()
    assert a.loc["word_of_mouth.negative_mean", "figure"] == "negative_tells"
    assert a.loc["word_of_mouth.negative_tail_share", "status"] == "unverified"
    assert a.loc["economics.acquisition_cost_ratio", "figure"] == "acquisition_cost_ratio"
    assert a.loc["word_of_mouth.retell_prob", "status"] == "illustrative"
    assert a.loc["market.people", "status"] == "client input"
    # every parameter of every part appears
    for name in sc.parameter_names():
        if name not in ("description", "desk"):
            assert name in a.index, name


@pytest.mark.parametrize("name, value, words", [
    ("service.problem_rate", 1.3, ["service.problem_rate", "1.3", "<= 1"]),
    ("service.problem_rate", float("nan"), ["service.problem_rate", "nan"]),
    ("market.people", -5, ["market.people", "-5", ">= 10"]),
    ("complaints.resolved", "lots", ["complaints.resolved", "lots"]),
    ("economics.margin", float("inf"), ["economics.margin", "inf"]),
])
def test_bad_values_name_field_value_and_range(name, value, words):
    with pytest.raises(ScenarioError) as exc:
        wom.Scenario().replace(**{name: value})
    for w in words:
        assert w in str(exc.value)


def test_unknown_parameter_suggests_close_match():
    with pytest.raises(UnknownKeyError, match=r"service.problem_rate"):
        wom.Scenario().replace(**{"service.problem_rat": 0.1})
    with pytest.raises(ScenarioError, match=r"unknown parameter 'market.peple'.*'people'"):
        wom.Scenario(market={"peple": 10})


def test_inconsistent_combinations():
    with pytest.raises(ScenarioError, match="exceeds 1"):
        wom.Scenario().replace(**{"service.problem_rate": 0.6, "service.delight_rate": 0.6})
    with pytest.raises(ScenarioError, match="customer_share"):
        wom.Scenario().replace(**{"market.customer_share": 0.8, "market.former_share": 0.3})


def test_replace_is_a_validated_copy_and_pins_todays_baseline():
    sc = wom.Scenario.preset("telecom")
    sc2 = sc.replace(**{"service.problem_rate": 0.05})
    assert sc.service.problem_rate == 0.15 and sc2.service.problem_rate == 0.05
    # a what-if keeps today's baseline churn instead of re-calibrating better service away
    assert sc2.market.baseline_churn == pytest.approx(sc.baseline_churn())
    assert annual_churn(sc2, sc2.baseline_churn()) < sc.market.observed_annual_churn
    # changing the observable itself re-calibrates
    sc3 = sc.replace(**{"market.observed_annual_churn": 0.30})
    assert sc3.market.baseline_churn is None
    assert annual_churn(sc3, sc3.baseline_churn()) == pytest.approx(0.30, abs=1e-9)


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_presets_land_on_their_observables(name):
    sc = wom.Scenario.preset(name)
    assert PRESETS[name]["rationale"]
    h = sc.baseline_churn()
    assert h >= 0
    assert annual_churn(sc, h) == pytest.approx(sc.market.observed_annual_churn, abs=1e-9)
    r = rates(sc)
    # service must explain part of the churn but not all of it
    assert 0 < r.experience_leave_per_year < sc.market.observed_annual_churn


def test_unknown_preset_lists_close_matches():
    with pytest.raises(UnknownKeyError, match="telecom"):
        wom.Scenario.preset("telecon")


def test_calibration_error_when_service_alone_exceeds_observed_churn():
    sc = wom.Scenario(market={"observed_annual_churn": 0.01},
                      service={"problem_rate": 0.5})
    with pytest.raises(CalibrationError, match="observed_annual_churn"):
        sc.baseline_churn()


def test_toml_round_trip_is_exact(tmp_path):
    iv = wom.Intervention("training", start="6 months", cost_per_year=400_000,
                          changes={"service.problem_rate": 0.8}, how={"service.problem_rate":
                                                                      "scale"})
    sc = wom.Scenario.preset("telecom").with_interventions(iv).replace(
        **{"market.observed_annual_churn": None, "market.baseline_churn": 0.1})
    path = sc.to_toml(tmp_path / "s.toml")
    back = wom.Scenario.from_toml(path)
    assert back == sc
    with pytest.raises(FileExistsError):
        sc.to_toml(path)
    sc.to_toml(path, overwrite=True)


def test_toml_errors_name_key_and_line(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text("name = 'x'\n\n[market]\npeople = 1000\npeeple = 5\n")
    with pytest.raises(ScenarioError, match=r"line 5.*market.peeple"):
        wom.Scenario.from_toml(p)
    p.write_text("[service]\nproblem_rate = 1.5\n")
    with pytest.raises(ScenarioError, match=r"line 2.*service.problem_rate = 1.5"):
        wom.Scenario.from_toml(p)
    p.write_text("[service\nproblem_rate = 0.1\n")
    with pytest.raises(ScenarioError, match="line 1"):
        wom.Scenario.from_toml(p)
    with pytest.raises(FileNotFoundError, match=r"nothere.toml"):
        wom.Scenario.from_toml(tmp_path / "nothere.toml")


def test_intervention_applies_from_start_with_ramp_and_cost():
    iv = wom.Intervention("training", start="6 months", ramp="6 months",
                          changes={"service.problem_rate": 0.5, "complaints.resolved": 0.15},
                          how={"service.problem_rate": "scale", "complaints.resolved": "add"})
    sc = wom.Scenario().with_interventions(iv)
    assert sc.at(0.25).service.problem_rate == pytest.approx(0.10)
    assert sc.at(0.75).service.problem_rate == pytest.approx(0.10 * 0.75)
    assert sc.at(1.5).service.problem_rate == pytest.approx(0.05)
    assert sc.at(1.5).complaints.resolved == pytest.approx(0.75)


def test_intervention_errors():
    with pytest.raises(ValueError, match="6 monts"):
        wom.Intervention("x", start="6 monts")
    with pytest.raises(ValueError, match="cannot change mid-run"):
        wom.Intervention("x", changes={"market.people": 5})
    iv = wom.Intervention("too much", changes={"complaints.resolved": 0.9}, how={
        "complaints.resolved": "add"})
    with pytest.raises(ScenarioError, match="too much"):
        wom.Scenario().with_interventions(iv)


def test_stay_probabilities_follow_tarp_mix():
    c = wom.Scenario().complaints
    s = c.stay()
    assert s["silent"] == pytest.approx(0.75 * 0.37 + 0.25 * 0.09)
    assert s["resolved_quickly"] == pytest.approx(0.75 * 0.95 + 0.25 * 0.82)
    # no recovery paradox built in: resolved quickly is still below a problem-free customer
    assert s["silent"] < s["unresolved"] < s["resolved"] < s["resolved_quickly"] < 1
    assert math.isclose(c.leave()["silent"], (1 - s["silent"]) * c.intention_to_action)
