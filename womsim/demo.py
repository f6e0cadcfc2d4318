"""The flagship what-if, as run by ``womsim demo``: what today's service costs a telecom
operator once word of mouth is counted, and whether a complaint-handling programme pays."""

from __future__ import annotations

import time

import pandas as pd

__all__ = ["flagship"]


def _money(x: float) -> str:
    return f"{x:,.0f}"


def flagship(runs: int = 12, seed: int = 1, people: int = 100_000, executor=None,
             out=print) -> dict:
    """Run the flagship what-if and print it in plain words; return the numbers.

    Examples
    --------
    >>> r = flagship(runs=2, people=3000, executor="serial", out=lambda *a: None)
    >>> sorted(r)
    ['by_cause', 'comparison', 'lost', 'per_incident', 'roi']
    """
    import womsim as wom
    from womsim.lostrev import LostRevenue, counterfactual
    from womsim.whatif import Comparison

    t0 = time.perf_counter()
    today = wom.Scenario.preset("telecom").replace(**{"market.people": people})
    programme = wom.Intervention(
        "complaint-handling programme", start="3 months", cost_per_year=250_000 * people
        / 100_000, changes={"complaints.resolved": 0.80, "complaints.quick_share": 0.70})
    cmp = wom.compare({"today": today, "no problems": counterfactual(today),
                       "programme": today.with_interventions(programme)},
                      runs=runs, seed=seed, executor=executor)
    e = cmp.ensembles
    lost = LostRevenue(Comparison({"today": e["today"], "no problems": e["no problems"]}))
    prog = Comparison({"today": e["today"], "programme": e["programme"]})
    total = lost.total()
    bc = lost.by_cause()
    pi = lost.per_incident()
    roi = prog.roi().loc["programme"]
    s = e["today"].summary()
    m = today.market
    out(f"womsim demo: telecom preset, {m.people:,} people, {m.customer_share:.0%} customers, "
        f"{m.observed_annual_churn:.0%} annual churn, {today.simulation.horizon_years:g} "
        f"years, {runs} paired runs, seed {seed}")
    out("")
    out("1. What today's service costs (against the same market with no service problems)")
    out(f"   Value lost: {_money(total['value_lost'])} "
        f"(95% CI {_money(total['ci_low'])} to {_money(total['ci_high'])}); revenue lost "
        f"{_money(total['revenue_lost'])}.")
    out(f"   Of which within the {today.simulation.horizon_years:g} simulated years (cash, "
        f"before the customers' remaining lifetimes): "
        f"{_money(total['cash_lost_within_horizon'])} (95% CI "
        f"{_money(total['within_ci_low'])} to {_money(total['within_ci_high'])}).")
    out(f"   Customers lost per run today: {s.loc['defect_experience', 'mean']:,.0f} through "
        f"their own experience, {s.loc['defect_wom', 'mean']:,.0f} through word of mouth, "
        f"{s.loc['defect_baseline', 'mean']:,.0f} for other reasons; "
        f"{s.loc['newly_deterred', 'mean']:,.0f} times a prospect was put off.")
    table = pd.DataFrame({"value": bc["mean"].map(_money),
                          "95% CI": [f"{_money(a)} to {_money(b)}" for a, b in
                                     zip(bc["ci_low"], bc["ci_high"], strict=True)]})
    out("\n" + table.to_string() + "\n")
    out("2. Per incident")
    for name, row in pi.iterrows():
        out(f"   {name}: {_money(row['mean'])} (95% CI {_money(row['ci_low'])} to "
            f"{_money(row['ci_high'])})")
    out("")
    out(f"3. {programme.name}: complaints resolved 55% -> 80%, quickly 40% -> 70%, from "
        f"month 3, {_money(programme.cost_per_year)} a year")
    verdict = "pays for itself" if roi["ci_low"] > 0 else (
        "does not pay" if roi["ci_high"] < 0 else "is not distinguishable from break-even")
    out(f"   Net gain {_money(roi['net_gain'])} (95% CI {_money(roi['ci_low'])} to "
        f"{_money(roi['ci_high'])}) on {_money(roi['extra_cost'])} spent: ROI "
        f"{roi['roi']:.1f}x; the programme {verdict}.")
    out("")
    a = today.assumptions()
    weak = a[a["status"].isin(["unverified", "illustrative"])].index
    out(f"Assumptions: {len(a)} numbers, {len(weak)} of them unverified or illustrative "
        "(see Scenario.assumptions() and womsim figures); e.g. 'an unhappy customer tells 9' "
        f"is {a.loc['word_of_mouth.negative_mean', 'status']}, '13% tell more than 20' is "
        f"{a.loc['word_of_mouth.negative_tail_share', 'status']}.")
    out(f"({time.perf_counter() - t0:.1f} s)")
    return {"lost": total, "by_cause": bc, "per_incident": pi, "roi": roi, "comparison": cmp}
