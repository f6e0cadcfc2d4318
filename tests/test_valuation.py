"""The one valuation (womsim.model.valuation, docs/model.md "Valuation"): what every money headline
means, that it does not depend on the horizon setting where it should not, and that costs
and benefits are counted over the same period."""

import math
from pathlib import Path

import numpy as np
import pytest

import womsim as wom
from womsim.analysis.lostrev import counterfactual
from womsim.engine.step import step_params
from womsim.model.meanfield import rates
from womsim.model.valuation import MAX_LIFETIME_YEARS, discount_factors, event_worth, held_value


@pytest.fixture(scope="module")
def closed_market():
    """A market without acquisition: no marketing, no win-back, no referrals."""
    return wom.Scenario.preset("telecom").replace(**{
        "market.people": 2000, "market.marketing_rate": 0.0, "market.winback_rate": 0.0,
        "word_of_mouth.referral_prob": 0.0})


def _flat(**extra):
    """No service churn, a fixed baseline hazard: lifetimes in closed form."""
    return wom.Scenario().replace(**{
        "market.observed_annual_churn": None, "market.baseline_churn": 0.2,
        "service.problem_rate": 0.0, **extra})


def test_held_customers_carry_their_costs_in_closed_form():
    sc = _flat(**{"economics.retention_cost_per_year": 30.0,
                  "economics.cost_per_contact": 5.0, "service.contact_rate": 2.0,
                  "economics.fixed_service_cost_per_year": 1000.0})
    e, dt = sc.economics, sc.simulation.dt
    h = held_value(sc, sc, 0.2, 0, 100, 0.0, 100 * 600.0, step_params)
    # the engine's steps: survive, then pay for the step at its end, discounted mid-step
    s, q = math.exp(-0.2 * dt), math.exp(-(0.2 + e.discount_hazard) * dt)
    k = round(MAX_LIFETIME_YEARS / dt)
    life = dt * s * math.exp(-e.discount_hazard * dt / 2) * (1 - q ** k) / (1 - q)
    assert h.lifetime == pytest.approx(life, rel=1e-12)
    assert h.lifetime == pytest.approx(1 / (0.2 + e.discount_hazard), rel=0.01)
    d = math.exp(-e.discount_hazard * sc.simulation.steps * dt)
    assert h.revenue == pytest.approx(100 * 600 * life * d, rel=1e-12)
    # retention and the expected contacts follow every held customer; the fixed cost is
    # shared among them for as long as they stay
    # (contacts are paid by those held at a step's start, as in the engine)
    assert h.service_cost == pytest.approx(100 * (30 + 2 * 5 / s) * life * d, rel=1e-12)
    assert h.fixed_cost == pytest.approx(1000 * life * d, rel=1e-12)
    assert h.value == pytest.approx(h.revenue * e.margin - h.service_cost - h.fixed_cost)
    assert held_value(sc.replace(**{"economics.value_horizon": "horizon"}), sc, 0.2, 0, 100,
                      0.0, 6e4, step_params).value == 0.0


def test_an_end_after_the_horizon_ends_effect_and_cost():
    sc = _flat(**{"market.extra_churn": 0.1})
    iv = wom.Intervention("retention desk", cost_per_year=5000, end="3 years",
                          changes={"market.extra_churn": 0.0})
    forever = iv.model_copy(update={"end": None})
    ended = held_value(sc.with_interventions(iv), sc, 0.2, 0, 100, 0.0, 6e4, step_params)
    kept = held_value(sc.with_interventions(forever), sc, 0.2, 0, 100, 0.0, 6e4, step_params)
    none = held_value(sc, sc, 0.2, 0, 100, 0.0, 6e4, step_params)
    assert none.revenue < ended.revenue < kept.revenue
    assert 0 < ended.intervention_cost < kept.intervention_cost
    # one year of the programme after the two-year horizon, at its lower churn
    delta = sc.economics.discount_hazard
    d = math.exp(-delta * sc.simulation.steps * sc.simulation.dt)
    first_year = 5000 * (1 - math.exp(-(0.2 + delta))) / (0.2 + delta) * d
    assert ended.intervention_cost == pytest.approx(first_year, rel=0.02)


def test_event_worth_is_the_present_value_of_the_rest_of_a_lifetime():
    sc = _flat()
    w = event_worth(sc, 0.2)
    delta = sc.economics.discount_hazard
    t = (np.arange(sc.simulation.steps) + 0.5) * sc.simulation.dt
    # memoryless: from any step, about exp(-delta t) / (hazard + delta)
    assert w == pytest.approx(np.exp(-delta * t) / (0.2 + delta), rel=0.01)


def test_value_is_discounted_profit_plus_customer_equity(closed_market):
    ens = wom.simulate(closed_market.replace(**{"simulation.horizon_years": 0.5}), runs=2,
                       seed=1, executor="serial")
    r = ens.runs
    assert np.allclose(r["value"], r["profit_pv"] + r["customer_equity"], rtol=1e-12)
    rec = ens.records
    pv = (rec["profit"] * rec["discount"]).groupby(rec["run"]).sum()
    assert np.allclose(r["profit_pv"], pv, rtol=1e-12)
    assert (r["profit_pv"] < r["profit"]).all()  # discounting shrinks positive cash


@pytest.mark.slow
def test_value_lost_does_not_depend_on_the_horizon_without_acquisition(closed_market):
    net = wom.Network.scale_free(2000, m=5, seed=3)
    runs = 8
    lost, value, cash = {}, {}, {}
    for years in (1, 2, 5, 10):
        # monthly steps: the claim is about the horizon, whatever the step (test_step_size
        # checks steps agree); 4.3x fewer steps than weekly, the same runs and tolerance
        sc = closed_market.replace(**{"simulation.horizon_years": years,
                                      "simulation.step_days": 30})
        lr = wom.lost_revenue(sc, network=net, runs=runs, seed=11, executor="serial")
        d = (lr.target.runs["value"] - lr.today.runs["value"]).to_numpy()
        lost[years] = d
        value[years] = lr.today.runs["value"].to_numpy()
        cash[years] = lr.total()["cash_lost_within_horizon"]
    for years in (2, 5, 10):
        for name, x in (("value lost", lost), ("today's value", value)):
            a, b = x[1], x[years]
            se = math.sqrt(a.var(ddof=1) / runs + b.var(ddof=1) / runs)
            assert abs(b.mean() - a.mean()) < 3 * se, (name, years, a.mean(), b.mean(), se)
    # the cash within the horizon does grow with it: the headline is not that
    assert cash[1] < cash[2] < cash[5] < cash[10]


@pytest.mark.slow
def test_value_grows_with_the_horizon_and_converges_with_acquisition():
    sc0 = wom.Scenario.preset("telecom").replace(**{"market.people": 2000,
                                                     "simulation.step_days": 30})
    net = wom.Network.scale_free(2000, m=5, seed=3)
    v = {}
    for years in (1, 2, 5, 10, 20):
        ens = wom.simulate(sc0.replace(**{"simulation.horizon_years": years}), network=net,
                           runs=6, seed=5, executor="serial")
        v[years] = ens.runs["value"].to_numpy()
    means = [v[y].mean() for y in (1, 2, 5, 10, 20)]
    assert np.all(np.diff(means) > 0)  # customers won after a short horizon add value
    # ... less and less per year: the present value converges
    per_year = np.diff(means) / np.diff([1, 2, 5, 10, 20])
    assert np.all(np.diff(per_year) < 0)


def test_a_programme_that_changes_nothing_has_roi_minus_one(closed_market):
    sc = closed_market.replace(**{"simulation.horizon_years": 0.5})
    idle = wom.Intervention("idle", start="1 month", cost_per_year=20_000, one_off_cost=5000)
    cmp = wom.compare({"today": sc, "idle": sc.with_interventions(idle)}, runs=2, seed=3,
                      executor="serial")
    r = cmp.roi().loc["idle"]
    assert r["roi"] == -1.0
    assert r["gain_before_cost"] == 0.0
    # its cost runs on after the horizon alongside the customers held
    assert r["extra_cost"] > -r["cash_within_horizon_pv"] > 0
    assert math.isnan(r["payback_years"])


def test_staffing_is_an_investment():
    sc = wom.Scenario.preset("telecom").replace(**{
        "market.people": 2000, "simulation.horizon_years": 0.5,
        "economics.fixed_service_cost_per_year": 100_000.0})
    more = sc.replace(**{"economics.fixed_service_cost_per_year": 150_000.0})
    cmp = wom.compare({"today": sc, "more": more}, runs=2, seed=3, executor="serial")
    r = cmp.roi().loc["more"]
    # the payroll difference is the cost of the change: here it buys nothing
    assert r["extra_cost"] > 0
    assert r["roi"] == pytest.approx(-1.0, rel=1e-12)


def test_no_problems_keeps_todays_payroll():
    desk = wom.ServiceDesk(agents=3, wage_per_agent_year=40_000)
    sc = wom.Scenario.preset("telecom").replace(**{"market.people": 2000,
                                                    "simulation.horizon_years": 0.5},
                                                 desk=desk)
    cf = counterfactual(sc)
    assert cf.desk is None
    assert cf.economics.fixed_service_cost_per_year == desk.cost_per_year()
    lr = wom.lost_revenue(sc, runs=2, seed=1, executor="serial")
    today, target = lr.today.records, lr.target.records
    # the same payroll in both worlds within the horizon: not booked as value lost
    assert np.allclose(today["fixed_cost"], target["fixed_cost"])
    assert today["fixed_cost"].iloc[0] == pytest.approx(desk.cost_per_year()
                                                         * sc.simulation.dt)
    # after the horizon both worlds share the same payroll among the customers they hold,
    # for as long as those stay (dropping the desk would book all of it as value lost)
    d = np.exp(-sc.economics.discount_hazard * sc.simulation.steps * sc.simulation.dt)
    for rec in (today, target):
        last = rec[rec["step"] == sc.simulation.steps]
        assert np.allclose(last["equity_fixed_cost"],
                           desk.cost_per_year() * last["lifetime_after"] * d, rtol=1e-9)


# ------------------------------------------------------------------ the worked example
# docs/valuation.md: a small market whose value, value lost, programme ROI and price per
# incident have a closed form (stories move nobody, no acquisition, everybody alike)

def worked_example(people: int = 5000):
    """The docs' worked example: a closed market of equal customers whom stories do not move."""
    return wom.Scenario().replace(**{
        "market.people": people, "market.network": "well_mixed", "market.customer_share": 1.0,
        "market.no_alternative_share": 0.0, "market.observed_annual_churn": None,
        "market.baseline_churn": 0.10, "market.marketing_rate": 0.0,
        "market.winback_rate": 0.0, "service.contact_rate": 2.0,
        "service.problem_rate": 0.10, "complaints.complain_rate": 0.5,
        "complaints.resolved": 0.5, "complaints.quick_share": 0.5,
        "word_of_mouth.customer_defect_prob": 0.0, "word_of_mouth.prospect_deter_prob": 0.0,
        "word_of_mouth.referral_prob": 0.0, "economics.revenue_per_year": 600.0,
        "economics.revenue_sigma": 0.0, "economics.margin": 0.30,
        "economics.retention_cost_per_year": 30.0, "economics.cost_per_contact": 5.0,
        "economics.discount_rate": 0.08})


def closed_form(sc, programme_cost: float) -> dict[str, float]:
    """docs/valuation.md, section by section."""
    m, s, c, e, sim = sc.market, sc.service, sc.complaints, sc.economics, sc.simulation
    dt, steps, n = sim.dt, sim.steps, m.people
    delta = e.discount_hazard
    leave = c.leave()
    groups = {"silent": 1 - c.complain_rate,
              "unresolved": c.complain_rate * (1 - c.resolved),
              "resolved": c.complain_rate * c.resolved * (1 - c.quick_share),
              "resolved_quickly": c.complain_rate * c.resolved * c.quick_share}
    k_all = steps + round(MAX_LIFETIME_YEARS / dt)

    def leave_rate(problem):  # experience defections per customer-year
        return s.contact_rate * problem * sum(g * leave[k] for k, g in groups.items())

    def survival(problem):
        return math.exp(-m.baseline_churn * dt) * (1 - leave_rate(problem) * dt)

    def years(S, k):  # sum_{j=1..k} S^j exp(-delta (j - 1/2) dt) dt
        q = S * math.exp(-delta * dt)
        return dt * S * math.exp(-delta * dt / 2) * (1 - q ** k) / (1 - q)

    def value(problem):
        S = survival(problem)
        life = years(S, k_all)
        # margin and retention at a step's end, contacts at its start
        return n * ((e.revenue_per_year * e.margin - e.retention_cost_per_year) * life
                    - s.contact_rate * e.cost_per_contact * life / S)

    def cash(problem):  # profit within the horizon, not discounted
        S = survival(problem)
        k = np.arange(1, steps + 1)
        return n * dt * float(((e.revenue_per_year * e.margin - e.retention_cost_per_year)
                               * S ** k - s.contact_rate * e.cost_per_contact
                               * S ** (k - 1)).sum())

    p = s.problem_rate
    today, none, half = value(p), value(0.0), value(p / 2)
    # the programme's cost within the horizon and after it, alongside the held customers
    d = np.exp(-delta * (np.arange(steps) + 0.5) * dt)
    cost = programme_cost * (float((d * dt).sum()) + math.exp(-delta * steps * dt)
                             * years(survival(p / 2), round(MAX_LIFETIME_YEARS / dt)))
    # price of a silent problem: its chance of a defection x what a defection loses, on
    # average over when problems happen (as many as there are customers at a step's start)
    hazard = m.baseline_churn + leave_rate(p)
    q = math.exp(-(hazard + delta) * dt)
    t = np.arange(steps)
    worth = dt * d * (1 - q ** (k_all - t)) / (1 - q)
    when = survival(p) ** t
    price = e.revenue_per_year * e.margin * float((worth * when).sum() / when.sum())
    # payback: the cumulative present value of the programme's gain, step by step; after the
    # horizon its cost follows the held customers (their survival since the horizon)
    j = np.arange(1, k_all + 1)
    S0, S1 = survival(p), survival(p / 2)
    unit = e.revenue_per_year * e.margin - e.retention_cost_per_year
    flows = n * (unit * (S1 ** j - S0 ** j) - s.contact_rate * e.cost_per_contact
                 * (S1 ** (j - 1) - S0 ** (j - 1)))
    paid = programme_cost * np.where(j <= steps, 1.0, S1 ** np.maximum(j - steps, 0))
    cum = np.cumsum((flows - paid) * np.exp(-delta * (j - 0.5) * dt) * dt)
    below = np.nonzero(cum <= 0)[0]
    payback = (below[-1] + 2) * dt if below.size else dt
    slope = (flows - paid)[below[-1] + 1] * math.exp(-delta * payback) if below.size else 0.0
    return {"value": today, "value_lost": none - today, "cash_lost": cash(0.0) - cash(p),
            "payback": payback, "payback_slope": slope,
            "roi": (half - today) / cost - 1, "extra_cost": cost,
            "per_silent": leave["silent"] * price, "per_unresolved": leave["unresolved"] * price}


def _within(x: np.ndarray, expected: float, k: float = 3.0) -> None:
    m, sd = x.mean(), x.std(ddof=1)
    assert abs(m - expected) <= k * sd / math.sqrt(x.size), (m, expected, sd / math.sqrt(x.size))


VALUATION_PAGE = Path(__file__).resolve().parents[1] / "docs" / "valuation.md"


def test_the_valuation_page_prints_today_s_closed_form():
    """docs/valuation.md's closed-form column is the closed form's value now: a change of the
    step length or of the valuation's cut-off once left every figure of the page stale."""
    text = VALUATION_PAGE.read_text(encoding="utf-8")
    cf = closed_form(worked_example(), 40_000.0)
    for key, fmt in (("value", "{:,.0f}"), ("value_lost", "{:,.0f}"), ("cash_lost", "{:,.0f}"),
                     ("extra_cost", "{:,.0f}"), ("per_silent", "{:.2f}"),
                     ("per_unresolved", "{:.2f}")):
        shown = fmt.format(cf[key])
        assert f"| {shown} |" in text or f"= {shown} |" in text, (key, shown)
    assert f"{cf['payback']:.1f} years |" in text
    assert f"= {cf['roi']:.2f} |" in text


def test_worked_example_matches_its_closed_form():
    sc = worked_example()
    cost = 40_000.0
    cf = closed_form(sc, cost)
    programme = wom.Intervention("halve problems", cost_per_year=cost,
                                 changes={"service.problem_rate": 0.5},
                                 how={"service.problem_rate": "scale"})
    cmp = wom.compare({"today": sc, "no problems": counterfactual(sc),
                       "programme": sc.with_interventions(programme)}, runs=8, seed=4,
                      executor="serial")
    e = cmp.ensembles
    _within(e["today"].runs["value"].to_numpy(), cf["value"])
    lost = wom.LostRevenue(wom.Comparison({"today": e["today"], "none": e["no problems"]}))
    _within((e["no problems"].runs["value"] - e["today"].runs["value"]).to_numpy(),
            cf["value_lost"])
    _within((e["no problems"].runs["profit"] - e["today"].runs["profit"]).to_numpy(),
            cf["cash_lost"])
    assert lost.total()["value_lost"] == pytest.approx(
        (e["no problems"].runs["value"] - e["today"].runs["value"]).mean())
    r = wom.Comparison({"today": e["today"], "programme": e["programme"]}).roi().loc[
        "programme"]
    # the cost side is exact (every customer alike: the held customers' lifetime is known)
    assert r["extra_cost"] == pytest.approx(cf["extra_cost"], rel=1e-6)
    gain = (e["programme"].runs["value"] - e["today"].runs["value"]).to_numpy()
    _within(gain / cf["extra_cost"], cf["roi"])
    # payback: the cumulative gain crosses zero where it rises at `payback_slope` a year;
    # it is known to within its standard error (at most the net gain's) over that slope
    se = gain.std(ddof=1) / math.sqrt(gain.size)
    assert abs(r["payback_years"] - cf["payback"]) <= 3 * se / cf["payback_slope"] + 2 * \
        sc.simulation.dt, (r["payback_years"], cf["payback"])
    pi = lost.per_incident()
    _within_rows = {"per silent unhappy customer": cf["per_silent"],
                    "per unresolved complaint": cf["per_unresolved"]}
    for name, expected in _within_rows.items():
        row = pi.loc[name]
        half = (row["ci_high"] - row["ci_low"]) / 2
        # the 95% interval, widened to 3 SE
        assert abs(row["mean"] - expected) <= half * 3 / 2.36, (name, row["mean"], expected)


def _d_end(sc) -> float:
    return math.exp(-sc.economics.discount_hazard * sc.simulation.steps * sc.simulation.dt)


def _last(ens):
    rec = ens.records
    return rec[rec["step"] == ens.scenario.simulation.steps]


def test_desks_that_differ_report_the_payroll_difference_as_the_cost():
    desk = wom.ServiceDesk(agents=3, wage_per_agent_year=40_000)
    sc = wom.Scenario.preset("telecom").replace(**{"market.people": 2000,
                                                    "simulation.horizon_years": 0.5},
                                                 desk=desk)
    cmp = wom.compare({"today": sc, "4 agents": sc.what_if(**{"desk.agents": 4})}, runs=2,
                      seed=2, executor="serial")
    r = cmp.roi().loc["4 agents"]
    d = discount_factors(sc) * sc.simulation.dt
    after = {k: _last(e)["lifetime_after"].mean() * _d_end(sc)
             for k, e in cmp.ensembles.items()}
    expected = 40_000 * d.sum() + 160_000 * after["4 agents"] - 120_000 * after["today"]
    assert r["extra_cost"] == pytest.approx(expected, rel=1e-9)
    assert math.isfinite(r["roi"])
    assert r["roi"] == pytest.approx(r["gain_before_cost"] / r["extra_cost"] - 1)


def test_readme_training_example_agrees_with_the_hand_calculation():
    # docs/valuation.md, "The README's agent training": the same programme on a tenth of the
    # market at a tenth of the cost
    sc = wom.Scenario.preset("telecom").replace(**{"market.people": 10_000})
    train = wom.Intervention("agent training", start="6 months", cost_per_year=40_000,
                             changes={"service.problem_rate": 0.8, "complaints.resolved": 0.15},
                             how={"service.problem_rate": "scale", "complaints.resolved": "add"})
    cmp = wom.compare({"today": sc, "training": sc.with_interventions(train)}, runs=3, seed=7,
                      executor="serial")
    r = cmp.roi().loc["training"]
    sim, e = sc.simulation, sc.economics
    dt = sim.dt
    # paid from the first step at or after 6 months to the end: with 104 steps of exactly
    # 2/104 years, step 26 starts at 0.5 years, so steps 26..103 (78 of 104) pay
    active = np.array([t * dt >= 0.5 for t in range(sim.steps)])
    assert active.sum() == 78
    runs = cmp.ensembles["training"].runs
    assert runs["intervention_cost"].mean() == pytest.approx(40_000 * 78 * dt, rel=1e-12)
    within_pv = 40_000 * float((discount_factors(sc) * dt)[active].sum())
    # after the horizon, for as long as the customers held (whom it keeps) stay
    life = _last(cmp.ensembles["training"])["lifetime_after"]
    assert r["extra_cost"] == pytest.approx(within_pv + 40_000 * life.mean() * _d_end(sc),
                                            rel=1e-9)
    # that lifetime is a mix of those with an alternative (who also leave on service) and
    # those without, each about 1 / (hazard + discount)
    trained = sc.with_interventions(train).at(sim.horizon_years)
    rt = rates(trained)
    b = sc.baseline_churn()
    h_alt = b - math.log(1 - rt.experience_leave_per_year * dt) / dt \
        - math.log(1 - rt.wom_leave_per_year * dt) / dt
    assert 1 / (h_alt + e.discount_hazard) < life.min() <= life.max() < 1 / (
        b + e.discount_hazard)
    # ROI, net gain and cash within the horizon on one basis
    assert r["roi"] == pytest.approx(r["gain_before_cost"] / r["extra_cost"] - 1, rel=1e-12)
    assert r["net_gain"] == pytest.approx(r["gain_before_cost"] - r["extra_cost"], rel=1e-9)
    d = cmp.differences("training")
    assert r["cash_within_horizon"] == pytest.approx(d["profit"].mean(), rel=1e-12)
    assert r["cash_within_horizon_pv"] == pytest.approx(d["profit_pv"].mean(), rel=1e-12)
    # payback: never while the net gain is negative; else once the cumulative gain is
    if r["net_gain"] <= 0:
        assert math.isnan(r["payback_years"])
    else:
        assert r["payback_years"] > 0
