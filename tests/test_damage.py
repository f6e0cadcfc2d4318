"""The analytic market-damage model: its arithmetic, its inputs, and the simulation cross-check."""

from __future__ import annotations

import doctest
import math
import re

import numpy as np
import pytest

import womsim as wom
import womsim.analysis.damage
from womsim.analysis.damage import MarketDamage, market_damage, tarp_worked_example
from womsim.core.errors import UnknownKeyError, WomsimError

STEP_DAYS = 7.0
ONE_STEP = {"market.network": "well_mixed", "word_of_mouth.retell_prob": 0.0,
            "simulation.step_days": STEP_DAYS, "simulation.horizon_years": STEP_DAYS / 365}

# Lines where a failure to mirror the engine would show: the engine's record, summed over
# the step, against the analytic line(s) it estimates.
CROSS_CHECK = {
    "contacts": ("contacts",),
    "delighted": ("delighted",),
    "problems": ("problems",),
    "silent": ("silent",),
    "complaints": ("complaints",),
    "resolved_quickly": ("resolved_quickly",),
    "resolved": ("resolved",),
    "unresolved": ("unresolved",),
    "defect_silent": ("lost_silent",),
    "defect_unresolved": ("lost_unresolved",),
    "defect_resolved": ("lost_resolved",),
    "defect_resolved_quickly": ("lost_resolved_quickly",),
    "defect_experience": ("lost_directly",),
    "defect_baseline": ("baseline_churn",),
    "neg_tellers": ("negative_tellers",),
    "neg_tellings": ("negative_tellings",),
    "neg_hearings": ("negative_hearings",),
    "pos_tellings": ("positive_tellings",),
    # the engine's count covers everyone not a customer: prospects and former customers
    "newly_deterred": ("prospects_deterred", "former_deterred"),
    "defect_wom": ("lost_wom",),
    "acq_referral": ("referrals",),
}

# the arithmetic is of one market with no rival (the others are refused, below)
ONE_MARKET = [p for p in wom.Scenario.presets().index
              if not wom.Scenario.preset(p).segments and not wom.Scenario.preset(p).rivals]


def _scenarios() -> dict[str, wom.Scenario]:
    telecom = wom.Scenario.preset("telecom").replace(
        **{"market.people": 30_000, **ONE_STEP})
    # many contacts per step, so people hear several stories each: the regime where
    # 1 - (1 - d)^h differs from d x h, plus former customers and fast churn in the mix
    stressed = wom.Scenario().replace(**{
        "market.people": 30_000, **ONE_STEP,
        "market.customer_share": 0.5, "market.former_share": 0.1,
        "market.observed_annual_churn": None, "market.baseline_churn": 2.0,
        "market.marketing_rate": 2.0, "market.winback_rate": 1.0,
        "service.contact_rate": 52.0, "service.problem_rate": 0.3,
        "complaints.complain_rate": 0.4,
        "word_of_mouth.customer_defect_prob": 0.2, "word_of_mouth.referral_prob": 0.3,
    })
    # each further story heard acts for less: the analytic sum over hearings must follow
    repeat = stressed.replace(**{"word_of_mouth.repeat_factor": 0.4})
    return {"telecom": telecom, "stressed": stressed, "repeat": repeat}


SCENARIOS = _scenarios()


def _per_run(records, column: str) -> np.ndarray:
    if column == "neg_tellings":
        return (records["neg_tellings_strong"] + records["neg_tellings_weak"]).to_numpy()
    if column == "pos_tellings":
        return (records["pos_tellings_strong"] + records["pos_tellings_weak"]).to_numpy()
    return records[column].to_numpy(dtype=float)


# --------------------------------------------------------------------------- (a) 6a
@pytest.mark.slow
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_simulation_agrees_with_analytic_for_one_step(name):
    sc = SCENARIOS[name]
    assert sc.simulation.steps == 1
    runs = 100
    ens = wom.simulate(sc, runs=runs, seed=20240611, executor="serial")
    assert ens.records["step"].max() == 1
    dmg = market_damage(sc, period="1 step")
    failures = []
    for column, keys in CROSS_CHECK.items():
        values = _per_run(ens.records, column)
        analytic = sum(dmg[k] for k in keys)
        # the run mean is a mean of independent runs: by the central limit theorem it is
        # normal around the engine's expectation with standard error sd/sqrt(runs); four of
        # them leave a chance of ~6e-5 per line of a false alarm
        mean = values.mean()
        se = values.std(ddof=1) / math.sqrt(runs)
        assert se > 0, f"{column}: no variation between runs; the check would be empty"
        if abs(mean - analytic) > 4 * se:
            failures.append(f"{column}: simulated {mean:.2f} ± {4 * se:.2f}, analytic "
                            f"{analytic:.2f}")
    assert not failures, "; ".join(failures)

    if name == "stressed":
        # the check has the power to tell the exact expectation from the linearisation
        # d x (stories heard) that a back-of-envelope version would use
        deterred = _per_run(ens.records, "newly_deterred")
        se = deterred.std(ddof=1) / math.sqrt(runs)
        people = dmg["prospects"] + dmg["former_after"]
        linear = people * dmg["deter_prob"] * dmg["negative_tellings"] / dmg["people"]
        assert abs(deterred.mean() - linear) > 4 * se


def test_one_step_period_is_the_engine_step():
    sc = SCENARIOS["telecom"]
    one = market_damage(sc, period="1 step")
    assert one.period_years == pytest.approx(STEP_DAYS / 365)
    assert market_damage(sc, period=STEP_DAYS / 365).to_dict() == one.to_dict()
    assert market_damage(sc, period="2 steps").period_years == pytest.approx(2 * STEP_DAYS / 365)
    # one step: contacts are one Bernoulli draw per customer, as in the engine
    p = sc.service.contact_rate * STEP_DAYS / 365
    assert one["contacts"] == pytest.approx(one["customers"] * p)
    # a deterred prospect loses the chance of buying over the whole memory, as in the
    # engine (whose window is the memory at any step size), even past the period
    assert one["buy_chance"] == pytest.approx(1 - math.exp(
        -sc.market.marketing_rate * sc.word_of_mouth.deter_memory_years))


# --------------------------------------------------------------------------- (b)
def test_worked_example_matches_the_popular_version():
    ex = tarp_worked_example()
    assert isinstance(ex, MarketDamage)
    assert ex.unhappy == 7
    assert ex.tellings == 63
    assert ex.customers_lost == pytest.approx(15.75)
    assert round(ex.customers_lost) == 16
    assert ex.total == pytest.approx(15_750)
    assert round(ex.total, -3) == 16_000
    t = ex.table()
    assert list(t.index) == ex.keys()
    assert t.loc["customers_lost", "working"] == "63 × 25.0% = 15.75"
    assert "USD 15,750" in ex._repr_html_()
    with pytest.raises(WomsimError, match="act_share"):
        tarp_worked_example(act_share=1.5)


# --------------------------------------------------------------------------- (c)
DAMAGE_LINES = ("problems", "silent", "complaints", "resolved_quickly", "resolved",
                "unresolved", "lost_silent", "lost_unresolved", "lost_resolved",
                "lost_resolved_quickly", "lost_directly", "negative_tellers",
                "negative_tellings", "negative_hearings", "hearings_prospects",
                "hearings_former", "hearings_customers", "deterred_share",
                "prospects_deterred", "former_deterred", "lost_wom", "sales_forgone",
                "winbacks_forgone")


@pytest.mark.parametrize("preset", ["telecom", "retail_bank", "saas"])
def test_no_problems_no_damage(preset):
    sc = wom.Scenario.preset(preset).replace(**{"service.problem_rate": 0.0})
    dmg = market_damage(sc)
    for key in DAMAGE_LINES:
        assert dmg[key] == 0.0, key
    # the good word of mouth happens with or without problems: nothing is netted off
    assert dmg.referrals > 0
    assert dmg.referrals_forgone == 0.0
    assert dmg.total == 0.0 and dmg.margin_at_risk == 0.0
    quiet = sc.replace(**{"service.delight_rate": 0.0})
    dmg = market_damage(quiet)
    assert dmg.total == 0.0 and dmg.margin_at_risk == 0.0 and dmg.customers_lost == 0.0


# --------------------------------------------------------------------------- (d)
@pytest.mark.parametrize("preset", ONE_MARKET)
def test_more_problems_more_revenue_at_risk(preset):
    sc = wom.Scenario.preset(preset).pinned()
    totals = [market_damage(sc.replace(**{"service.problem_rate": p})).total
              for p in np.linspace(0.0, 0.6, 13)]
    assert np.all(np.diff(totals) > 0)
    # and the levers a consultant sells move it the right way
    base = market_damage(sc).total
    assert market_damage(sc.replace(**{"complaints.resolved": 0.95})).total < base
    assert market_damage(sc.replace(**{"complaints.quick_share": 0.95})).total < base
    assert market_damage(sc.replace(**{"word_of_mouth.negative_mean": 20.0})).total > base


# --------------------------------------------------------------------------- (e)
@pytest.mark.parametrize("period", ["-1 year", "soon", "1 fortnight", "0 days", 0, -2.0,
                                    "0 steps", None, float("nan")])
def test_bad_period_raises_clear_error(period):
    with pytest.raises(WomsimError, match="period"):
        market_damage(wom.Scenario(), period=period)


@pytest.mark.parametrize("customers", [-1, 1e9, float("nan"), "many", True])
def test_bad_customers_raise_clear_error(customers):
    with pytest.raises(WomsimError, match="customers"):
        market_damage(wom.Scenario(), customers=customers)


def test_bad_inputs_name_the_problem():
    with pytest.raises(WomsimError, match="needs a Scenario"):
        market_damage({"service.problem_rate": 0.1})
    dmg = market_damage(wom.Scenario())
    with pytest.raises(UnknownKeyError, match="lost_directly"):
        dmg["lost_direct"]
    with pytest.raises(AttributeError, match="no line"):
        _ = dmg.lost_direct


# --------------------------------------------------------------------------- the lines
def _evaluate(eq: str, values: list[float]) -> float:
    """Evaluate a line's equation template with full-precision operands."""
    text = eq.format(*(f"({v!r})" for v in values))
    text = (text.replace("×", "*").replace("−", "-").replace("e^(", "exp(")
            .replace("^", "**"))
    assert re.fullmatch(r"[0-9eE.+\-*/() ,a-z]*", text), text
    return eval(text, {"__builtins__": {}}, {"exp": math.exp, "min": min, "round": round})


@pytest.mark.parametrize("preset", ONE_MARKET)
def test_every_equation_shown_reproduces_its_value(preset):
    dmg = market_damage(wom.Scenario.preset(preset))
    value = {ln[0]: ln[3] for ln in dmg._lines}
    derived = 0
    for key, _, _, v, _, eq, ops in dmg._lines:
        if eq is None:
            continue
        derived += 1
        assert _evaluate(eq, [value[o] for o in ops]) == pytest.approx(v, rel=1e-9,
                                                                       abs=1e-9), key
    assert derived > 30


def test_lines_add_up():
    dmg = market_damage(wom.Scenario.preset("telecom"))
    assert dmg.complaints == pytest.approx(dmg.resolved_quickly + dmg.resolved
                                           + dmg.unresolved)
    assert dmg.problems == pytest.approx(dmg.silent + dmg.complaints)
    assert dmg.negative_hearings == pytest.approx(
        dmg.hearings_prospects + dmg.hearings_former + dmg.hearings_customers)
    assert dmg.customers_after + dmg.former_after + dmg.prospects == pytest.approx(dmg.people)
    assert dmg.margin_at_risk == pytest.approx(dmg.total * 0.35)
    # the leave probabilities are the scenario's own (Complaints.leave)
    leave = wom.Scenario.preset("telecom").complaints.leave()
    assert dmg.leave_silent == leave["silent"]
    assert dmg.leave_resolved_quickly == leave["resolved_quickly"]


def test_table_dict_and_html():
    dmg = market_damage(wom.Scenario.preset("telecom"))
    t = dmg.table()
    assert {"name", "value", "unit", "equation"} <= set(t.columns)
    assert len(t) == len(dmg) and t.index.is_unique
    assert t.loc["silent", "equation"] == "S = P × (1 − c)"
    assert t.loc["complain_rate", "basis"] == "figure: complaint_rate"
    assert t.loc["intention_to_action", "basis"] == "illustrative"
    d = dmg.to_dict()
    assert d["revenue_at_risk"] == dmg.total and d["currency"] == "USD"
    html = dmg._repr_html_()
    assert f"USD {dmg.total:,.0f}" in html and "<table" in html
    assert "revenue at risk" in repr(dmg)


def test_customers_override_and_interventions():
    sc = wom.Scenario.preset("telecom")
    small = market_damage(sc, customers=10_000)
    assert small.customers == 10_000 and small.prospects == 90_000
    assert small.problems < market_damage(sc).problems
    train = wom.Intervention("complaint handling", start="3 months",
                             changes={"complaints.resolved": 0.9})
    better = sc.with_interventions(train)
    assert market_damage(better).total < market_damage(sc).total
    assert market_damage(better, at="0 years").total == market_damage(sc).total


def test_longer_period_more_damage():
    sc = wom.Scenario.preset("telecom")
    totals = [market_damage(sc, period=p).total for p in ("1 month", "6 months", "1 year")]
    assert np.all(np.diff(totals) > 0)


def test_doc_examples_run():
    result = doctest.testmod(womsim.analysis.damage, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 10 and result.failed == 0


# --------------------------------------------------------------------------- (f) valuation
@pytest.mark.parametrize("preset", ONE_MARKET)
def test_damage_is_positive_for_every_preset(preset):
    for period in ("1 step", "1 month", "1 year"):
        dmg = market_damage(wom.Scenario.preset(preset), period=period)
        assert dmg.customers_lost > 0, (period, dmg.customers_lost)
        assert dmg.total > 0 and dmg.margin_at_risk > 0, period
        # referrals that would happen without problems are not netted off
        assert dmg.customers_lost == pytest.approx(
            dmg.lost_directly + dmg.lost_wom + dmg.sales_forgone + dmg.winbacks_forgone
            + dmg.referrals_without_problems - dmg.referrals)


@pytest.mark.parametrize("preset", ["telecom", "saas"])
def test_lost_customer_priced_as_lost_revenue_prices_it(preset):
    """The price of a customer lost is lost_revenue's event price (present value of the
    remaining lifetime at the reference's churn hazard), not one period's revenue."""
    from womsim.analysis.whatif import valuation_hazard
    from womsim.model.valuation import event_worth

    sc = wom.Scenario.preset(preset)
    h = valuation_hazard(sc)
    for period, steps in (("1 step", 1), ("1 year", sc.simulation.steps // 2)):
        dmg = market_damage(sc, period=period)
        assert dmg.value_hazard == pytest.approx(h, rel=1e-12)
        worth = float(np.mean(event_worth(sc, h)[:steps]))
        assert dmg.lifetime_years == pytest.approx(worth, rel=1e-12)
        assert dmg.revenue_per_customer == pytest.approx(
            sc.economics.revenue_per_year * worth, rel=1e-12)
        # a lifetime is worth more than the period's revenue
        assert dmg.lifetime_years > dmg.period_years
    horizon = sc.replace(**{"economics.value_horizon": "horizon"})
    assert market_damage(horizon).lifetime_years < market_damage(sc).lifetime_years


def test_referrals_forgone_only_what_problems_cost():
    sc = wom.Scenario.preset("telecom")
    # no deterrence and no resolved complainers: problems change no referral
    plain = sc.replace(**{"word_of_mouth.prospect_deter_prob": 0.0,
                          "complaints.complain_rate": 0.0}).pinned()
    dmg = market_damage(plain)
    assert dmg.referrals > 0 and dmg.referrals_forgone == pytest.approx(0.0, abs=1e-9)
    # deterrence blocks referrals: forgone > 0; resolved complainers' good stories: < 0
    assert market_damage(sc.replace(**{"complaints.complain_rate": 0.0}).pinned()
                         ).referrals_forgone > 0
    resolved = sc.replace(**{"word_of_mouth.prospect_deter_prob": 0.0,
                             "complaints.complain_rate": 1.0, "complaints.resolved": 1.0})
    assert market_damage(resolved.pinned()).referrals_forgone < 0


def test_a_market_with_segments_or_rivals_is_refused():
    with pytest.raises(WomsimError, match="segments, rivals"):
        market_damage(wom.Scenario.preset("retail_bank_challenger"))
