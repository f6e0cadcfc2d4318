"""Paired comparisons, lost revenue by cause, sweeps, sensitivity, break-even, PSA."""

import numpy as np
import pytest
from scipy import stats

import womsim as wom
from womsim.core.errors import ScenarioError, WomsimError


@pytest.fixture(scope="module")
def sc():
    return wom.Scenario.preset("telecom").replace(
        **{"market.people": 6000, "simulation.horizon_years": 1.0})


@pytest.fixture(scope="module")
def net(sc):
    return wom.Network.scale_free(6000, m=5, seed=3)


def test_scenario_against_itself_is_exactly_zero(sc, net):
    cmp = wom.compare({"today": sc, "again": sc}, network=net, runs=4, seed=2,
                      executor="serial")
    s = cmp.summary().loc["again"]
    assert (s["difference"] == 0).all()
    assert (s["sd_paired"] == 0).all()
    lr = cmp.lost_revenue().loc["again"]
    assert (lr["mean"] == 0).all()


def test_paired_differences_have_far_lower_variance(sc, net):
    better = sc.replace(**{"complaints.resolved": 0.85})
    cmp = wom.compare({"today": sc, "better": better}, network=net, runs=10, seed=5,
                      executor="serial")
    s = cmp.summary().loc["better"]
    for metric in ("revenue", "profit", "customers_end"):
        # common random numbers: the paired spread is a fraction of the unpaired one
        assert s.loc[metric, "sd_paired"] < 0.5 * s.loc[metric, "sd_unpaired"], metric
    assert s.loc["defections", "ci_high"] < 0


def test_lost_revenue_has_the_right_sign(sc, net):
    lr = wom.lost_revenue(sc, network=net, runs=6, seed=1, executor="serial")
    bc = lr.by_cause()
    assert bc.loc["total", "ci_low"] > 0  # problems cost money
    assert bc.loc["own experience", "ci_low"] > 0
    assert bc.loc["word of mouth", "ci_low"] > 0
    assert bc.loc["prospects deterred", "ci_low"] > 0
    # the residual the event values miss stays a minor part of the total
    assert abs(bc.loc["other", "mean"]) < 0.35 * bc.loc["total", "mean"]
    pi = lr.per_incident()
    assert (pi["mean"] > 0).all()
    # an unresolved complaint and a silent problem each cost more than one telling
    assert pi.loc["per silent unhappy customer", "mean"] > pi.loc["per negative telling",
                                                                  "mean"]
    # the headline is the difference of the paired runs' own values (their headline metric)
    diff = lr.target.runs["value"] - lr.today.runs["value"]
    assert lr.total()["value_lost"] == pytest.approx(diff.mean(), rel=1e-9)


def test_named_causes_match_a_count_by_count_calculation(net):
    """Each named cause, recomputed from the event counts the runs record, step by step.

    With every customer paying the same revenue (revenue_sigma = 0), a customer lost (or won)
    at step t is worth margin x revenue x w_t, w_t the discounted years of revenue from then on
    at today's churn hazard (womsim.model.valuation.event_worth). So "own experience" must be
    margin x revenue x sum_t (experience defections today - counterfactual) x w_t, and so on
    for each cause: an independent calculation from counts, not from the value records the
    split adds up (whose remainder, "other", makes any split add up).
    """
    from womsim.analysis.whatif import valuation_hazard
    from womsim.model.valuation import event_worth

    flat = wom.Scenario.preset("telecom").replace(
        **{"market.people": 6000, "simulation.horizon_years": 1.0,
           "economics.revenue_sigma": 0.0})
    lr = wom.lost_revenue(flat, network=net, runs=3, seed=4, executor="serial")
    e = flat.economics
    w = event_worth(flat, valuation_hazard(flat))
    unit = e.margin * e.revenue_per_year

    def valued(counts) -> float:
        """Mean over runs of margin x revenue x sum_t count_t x w_t."""
        per_step = counts.to_numpy(dtype=float).reshape(-1, w.size)
        return float((per_step * w).sum(axis=1).mean() * unit)

    today, cf = lr.today.records, lr.target.records
    expect = {
        "own experience": valued(today["defect_experience"] - cf["defect_experience"]),
        "word of mouth": valued(today["defect_wom"] - cf["defect_wom"]),
        "baseline churn": valued(today["defect_baseline"] - cf["defect_baseline"]),
        "prospects deterred": valued(cf["acq_marketing"] + cf["acq_winback"]
                                     - today["acq_marketing"] - today["acq_winback"]),
        "referrals forgone": valued(cf["acq_referral"] - today["acq_referral"]),
    }
    got = lr.by_cause().raw()["mean"]
    for cause, value in expect.items():
        assert abs(value) > 0, cause  # every cause is at work in this market
        assert got[cause] == pytest.approx(value, rel=1e-6), cause
    # and the revenue column is the same without the margin
    rev = lr.by_cause().raw()["revenue"]
    assert rev["own experience"] == pytest.approx(expect["own experience"] / e.margin,
                                                  rel=1e-6)


def test_lost_revenue_against_a_target_service_level(sc, net):
    lr = wom.lost_revenue(sc, network=net, runs=4, seed=1, target={"service.problem_rate": 0.1},
                          executor="serial")
    full = wom.lost_revenue(sc, network=net, runs=4, seed=1, executor="serial")
    assert 0 < lr.total()["value_lost"] < full.total()["value_lost"]


def test_compare_needs_same_market(sc):
    with pytest.raises(ScenarioError, match=r"market.people"):
        wom.compare({"a": sc, "b": sc.replace(**{"market.people": 7000})}, runs=2, seed=1)
    with pytest.raises(WomsimError, match="at least two"):
        wom.compare({"a": sc}, runs=2, seed=1)


def test_sweep_is_monotone_in_problems_with_common_random_numbers(sc, net):
    sw = wom.sweep(sc, {"service.problem_rate": [0.05, 0.10, 0.15, 0.20]}, network=net,
                   runs=4, seed=3, executor="serial")
    t = sw.summary(["value", "defections"])
    assert list(t["service.problem_rate"]) == [0.05, 0.10, 0.15, 0.20]
    assert np.all(np.diff(t["defections"]) > 0)
    assert np.all(np.diff(t["value"]) < 0)
    assert sw.best("value") == {"service.problem_rate": 0.05}


def test_two_parameter_sweep_is_a_full_grid(sc, net):
    sw = wom.sweep(sc, {"service.problem_rate": [0.1, 0.2], "complaints.resolved": [0.5, 0.9]},
                   network=net, runs=2, seed=3, executor="serial")
    assert len(sw.summary()) == 4


def test_sensitivity_ranks_by_swing(sc, net):
    tor = wom.sensitivity(sc, params=["complaints.intention_to_action",
                                      "word_of_mouth.positive_mean"],
                          network=net, runs=3, seed=1, executor="serial")
    t = tor.table()
    assert list(t.index) == sorted(t.index, key=lambda p: -t.loc[p, "swing"])
    # stronger action on stated intentions -> more customers lost -> more value lost
    row = t.loc["complaints.intention_to_action"]
    assert row["at_high"] > tor.base > row["at_low"]
    with pytest.raises(KeyError, match="intention_to_action"):
        wom.sensitivity(sc, params=["complaints.intention_to_actio"], runs=2)


def test_break_even_matches_the_value_it_creates(sc, net):
    be = wom.break_even(sc, {"complaints.resolved": 0.9}, network=net, runs=4, seed=2,
                        executor="serial")
    t = be.table()
    assert t["max_cost_per_year"] > 0
    # the annuity counts the years after the horizon the programme's effect is counted for
    assert t["annuity_factor"] > t["active_years"] * 0.9
    # paying exactly that per year leaves the value unchanged (within the CI) and gives
    # an ROI of 0 on the same basis
    iv = wom.Intervention("programme", cost_per_year=be.max_cost_per_year,
                          changes={"complaints.resolved": 0.9})
    cmp = wom.compare({"today": sc, "paid": sc.with_interventions(iv)}, network=net, runs=4,
                      seed=2, executor="serial")
    v = cmp.summary().loc[("paid", "value")]
    assert v["ci_low"] <= 1e-6 * abs(v["reference"]) and v["ci_high"] >= -1e-6 * abs(
        v["reference"])
    r = cmp.roi().loc["paid"]
    assert r["roi"] == pytest.approx(0.0, abs=1e-9)


def test_roi_and_payback(sc, net):
    iv = wom.Intervention("cheap fix", start="1 month", cost_per_year=1000,
                          changes={"service.problem_rate": 0.5},
                          how={"service.problem_rate": "scale"})
    cmp = wom.compare({"today": sc, "fix": sc.with_interventions(iv)}, network=net, runs=4,
                      seed=1, executor="serial")
    r = cmp.roi().loc["fix"]
    runs = cmp.ensembles["fix"].runs
    dt = sc.simulation.dt
    # within the horizon the running cost is paid while active (cash, not discounted) ...
    active = sum(iv.active(t * dt) for t in range(sc.simulation.steps))
    assert runs["intervention_cost"].mean() == pytest.approx(1000 * active * dt, rel=1e-9)
    # ... and after it for as long as the held customers (who carry its effect) are valued
    rec = cmp.ensembles["fix"].records
    last = rec[rec["step"] == sc.simulation.steps]
    after = 1000 * last["lifetime_after"] * np.exp(-sc.economics.discount_hazard
                                                  * sc.simulation.steps * dt)
    assert last["equity_intervention_cost"].to_numpy() == pytest.approx(after.to_numpy())
    within_pv = (rec["intervention_cost"] * rec["discount"]).sum() / cmp.ensembles["fix"].n_runs
    assert r["extra_cost"] == pytest.approx(within_pv + after.mean(), rel=1e-9)
    assert r["roi"] > 1
    assert 0 < r["payback_years"] <= 1.0


def test_psa_widens_intervals_but_keeps_pairs(sc, net):
    better = sc.replace(**{"complaints.resolved": 0.85})
    runs = 8
    plain = wom.compare({"today": sc, "better": better}, network=net, runs=runs, seed=4,
                        executor="serial")
    psa = wom.compare({"today": sc, "better": better}, network=net, runs=runs, seed=4,
                      executor="serial", psa=True)
    a = plain.ensembles["today"].runs["value"].var()
    b = psa.ensembles["today"].runs["value"].var()
    # assumptions add spread between runs: a one-sided 1% F-test on the variances
    assert b / a > stats.f.ppf(0.99, runs - 1, runs - 1)
    # each run's scenarios share the same draw, so the paired spread stays far smaller
    s = psa.summary().loc[("better", "value")]
    assert s["sd_paired"] < 0.5 * s["sd_unpaired"]


def test_programme_from_day_one_equals_the_changed_scenario(sc, net):
    # a programme that changes the service for good must be valued like the changed
    # scenario itself, including the longer lifetimes of the customers left at the end
    changes = {"complaints.resolved": 0.9, "service.problem_rate": 0.1}
    iv = wom.Intervention("programme", changes=changes)
    a = wom.simulate(sc.with_interventions(iv), network=net, runs=2, seed=3,
                     executor="serial")
    b = wom.simulate(sc.replace(**changes), network=net, runs=2, seed=3, executor="serial")
    for metric in ("profit", "customer_equity", "value", "profit_pv", "defections"):
        assert np.allclose(a.runs[metric], b.runs[metric], rtol=1e-12), metric


# ------------------------------------------- one network per network setting (issue 12.2)
def test_sweep_and_compare_build_one_network_per_setting():
    sc = wom.Scenario.preset("telecom").replace(**{"market.people": 1500,
                                                   "simulation.horizon_years": 0.5})
    sw = wom.sweep(sc, {"market.mean_degree": [2.0, 50.0, 2.0]}, runs=2, seed=3,
                   executor="serial")
    fps = [e.network_fingerprint for e in sw.ensembles]
    assert fps[0] == fps[2] != fps[1]               # equal settings share one network
    assert sw.network_fingerprint == "per scenario"
    a, b, c = (e.runs for e in sw.ensembles)
    assert a.equals(c) and not a.equals(b)          # 2 vs 50 friends: different runs
    cmp = wom.compare({"scale-free": sc, "random": sc.replace(**{"market.network": "random"}),
                       "same": sc}, runs=2, seed=3, executor="serial")
    f = {n: e.network_fingerprint for n, e in cmp.ensembles.items()}
    assert f["scale-free"] == f["same"] != f["random"]
    assert cmp.summary().loc[("same", "profit"), "difference"] == 0.0
    # each ensemble is its own simulate() on its own network, run for run
    alone = wom.simulate(sw.ensembles[1].scenario, runs=2, seed=3, executor="serial")
    assert alone.network_fingerprint == fps[1]
    assert alone.runs["customers_end"].equals(b["customers_end"])


def test_a_given_network_with_differing_settings_is_refused():
    sc = wom.Scenario.preset("telecom").replace(**{"market.people": 500,
                                                   "simulation.horizon_years": 0.1})
    net = wom.Network.random(500, mean_degree=6, seed=1)
    with pytest.raises(ScenarioError, match=r"mean_degree = 50.*network= given"):
        wom.sweep(sc, {"market.mean_degree": [2.0, 50.0]}, network=net, runs=1, seed=1)
    with pytest.raises(ScenarioError, match=r"'random'.*would be ignored"):
        wom.compare({"a": sc, "b": sc.replace(**{"market.network": "random"})},
                    network=net, runs=1, seed=1)
    well = sc.replace(**{"market.network": "well_mixed"})
    with pytest.raises(ScenarioError, match="does nothing in a well-mixed market"):
        wom.sweep(well, {"market.mean_degree": [2.0, 50.0]}, runs=1, seed=1)


def test_compare_refuses_scenarios_in_different_currencies():
    sc = wom.Scenario.preset("telecom").replace(**{"market.people": 500})
    with pytest.raises(ScenarioError, match=r"currency = 'EUR'.*'USD'"):
        wom.compare({"usd": sc, "eur": sc.replace(**{"economics.currency": "EUR"})},
                    runs=1, seed=1)


def test_a_per_setting_sweep_reruns_bit_for_bit(tmp_path):
    sc = wom.Scenario.preset("telecom").replace(**{"market.people": 800,
                                                   "simulation.horizon_years": 0.25})
    sw = wom.sweep(sc, {"market.mean_degree": [4.0, 12.0]}, runs=2, seed=2,
                   executor="serial")
    again = wom.rerun(sw.save(tmp_path / "sw.womsim"), executor="serial", verify=True)
    assert again.network_fingerprint == "per scenario"
