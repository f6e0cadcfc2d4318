"""The flagship what-if, as run by ``womsim demo``: what today's service costs a telecom
operator once word of mouth is counted, and whether a complaint-handling programme pays."""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Any

import pandas as pd

from womsim.analysis.attribution import other_split
from womsim.analysis.lostrev import LostRevenue, counterfactual
from womsim.analysis.whatif import Comparison, compare
from womsim.engine.schedule import value_hazard
from womsim.model.assumptions import NOT_IN_FORCE
from womsim.model.interventions import Intervention
from womsim.model.scenario import Scenario
from womsim.runner.ahead import compile_ahead
from womsim.views.display import fmt_money

if TYPE_CHECKING:
    from collections.abc import Callable
    from concurrent.futures import Executor

    from distributed import Client

__all__ = ["flagship"]


def _money(x: float, currency: str = "USD") -> str:
    return fmt_money(x, currency)


def _span(lo: float, hi: float, currency: str) -> str:
    return f"{_money(lo, currency)} to {_money(hi, currency)}"


def flagship(runs: int = 12, seed: int = 1, people: int = 100_000,
             executor: str | Executor | Client | None = None,
             out: Callable[..., Any] = print, ahead: bool = True) -> dict:
    """Run the flagship what-if and print it in plain words; return the numbers.

    ``ahead``: when numba's cache lacks the kernels (a first run after install), compile
    them first with a helper process if a second core is idle (:func:`~womsim.runner.
    ahead.compile_ahead`; the numbers are the same either way).

    Examples
    --------
    >>> r = flagship(runs=2, people=3000, executor="serial", out=lambda *a: None)
    >>> sorted(r)
    ['by_cause', 'comparison', 'lost', 'per_incident', 'roi']
    """
    t0 = time.perf_counter()
    compile_ahead(helper=None if ahead else False)
    today = Scenario.preset("telecom").replace(**{"market.people": people})
    programme = Intervention(
        "complaint-handling programme", start="3 months", cost_per_year=250_000 * people
        / 100_000, changes={"complaints.resolved": 0.80, "complaints.quick_share": 0.70})
    cmp = compare({"today": today, "no problems": counterfactual(today),
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
    cur = today.economics.currency
    h = today.simulation.horizon_years
    out(f"womsim demo: telecom preset, {m.people:,} people, {m.customer_share:.0%} customers, "
        f"{m.observed_annual_churn:.0%} annual churn, {today.simulation.horizon_years:g} "
        f"years, {runs} paired runs, seed {seed}")
    out(f"(Each 95% CI is the interval of the mean over the {runs} runs: simulation noise "
        "only, not doubt about the assumptions; sensitivity() and psa=True show those.)")
    out("")
    out("1. What today's service costs (against the same market with no service problems, "
        "today's payroll kept)")
    out(f"   Value lost: {_money(total['value_lost'], cur)} "
        f"(95% CI {_span(total['ci_low'], total['ci_high'], cur)}); revenue lost "
        f"{_money(total['revenue_lost'], cur)}. Both are present values today: the "
        f"{h:g} years simulated plus the remaining lifetimes of the customers held at their "
        "end.")
    # value lost = profit lost within the horizon, discounted + equity lost after it: the
    # part after the horizon is stated on that basis, not as value minus undiscounted cash
    out(f"   Profit lost within the {h:g} years (cash, not discounted): "
        f"{_money(total['cash_lost_within_horizon'], cur)} (95% CI "
        f"{_span(total['within_ci_low'], total['within_ci_high'], cur)}); discounted it is "
        f"{_money(total['cash_lost_within_horizon_pv'], cur)} of the value lost, and the "
        f"other {_money(total['value_lost'] - total['cash_lost_within_horizon_pv'], cur)} "
        "is the customers' later years.")
    out(f"   Customers lost per run today over the {h:g} years: "
        f"{s.loc['defect_experience', 'mean']:,.0f} through "
        f"their own experience, {s.loc['defect_wom', 'mean']:,.0f} through word of mouth, "
        f"{s.loc['defect_baseline', 'mean']:,.0f} for other reasons; "
        f"{s.loc['newly_deterred', 'mean']:,.0f} times a prospect was put off.")
    table = pd.DataFrame({f"value lost ({cur}, present value)": bc["mean"].map(
                              lambda x: f"{x:,.0f}"),
                          "95% CI": [f"{a:,.0f} to {b:,.0f}" for a, b in
                                     zip(bc["ci_low"], bc["ci_high"], strict=True)]})
    out("\n" + table.to_string())
    out("   (a negative line is what the world without problems spends or earns less: e.g. "
        "serving the customers it keeps)")
    out(other_line(other_split(e["today"], e["no problems"]), today, cur, h) + "\n")
    out("2. Per incident (value lost, present value)")
    for name, row in pi.iterrows():
        out(f"   {name}: {_money(row['mean'], cur)} (95% CI "
            f"{_span(row['ci_low'], row['ci_high'], cur)})")
    out("")
    c = today.complaints
    out(f"3. {programme.name}: complaints resolved {c.resolved:.0%} -> 80%, quickly "
        f"{c.quick_share:.0%} -> 70%, from month 3, {_money(programme.cost_per_year, cur)} a "
        "year for as long as its effect is counted")
    out(f"   Net gain {_money(roi['net_gain'], cur)} (95% CI "
        f"{_span(roi['ci_low'], roi['ci_high'], cur)}) on {_money(roi['extra_cost'], cur)} "
        f"spent (present values; the running cost is counted after the {h:g} years too, "
        f"alongside the customers kept): ROI {roi['roi']:.0%}.")
    out(f"   {verdict(roi, h, cur)}")
    # the cost counted is linear in the yearly cost: the gain over it, times that cost, is
    # the most a year the programme is worth (ROI 0)
    worth = programme.cost_per_year * roi["gain_before_cost"] / roi["extra_cost"]
    out(f"   It breaks even at a cost of {_money(worth, cur)} a year (ROI 0 on the same "
        "basis: the most it is worth).")
    out("")
    a = today.assumptions()
    idle = int((a["status"] == NOT_IN_FORCE).sum())  # e.g. the reviews' numbers, reviews off
    weak = a[a["status"].isin(["unverified", "illustrative"])].index
    out(f"Assumptions: {len(a) - idle} numbers in force ({idle} more stated but idle), "
        f"{len(weak)} of them unverified or illustrative "
        "(see Scenario.assumptions() and womsim figures); e.g. 'an unhappy customer tells 9' "
        f"is {a.loc['word_of_mouth.negative_mean', 'status']}, '13% tell more than 20' is "
        f"{a.loc['word_of_mouth.negative_tail_share', 'status']}.")
    out(f"({time.perf_counter() - t0:.1f} s)")
    return {"lost": total, "by_cause": bc, "per_incident": pi, "roi": roi, "comparison": cmp}


def other_line(split: pd.DataFrame | None, today: Scenario, currency: str,
               horizon: float) -> str:
    """What the by-cause table's "other" line holds, in one sentence (from
    :func:`~womsim.analysis.attribution.other_split`).

    Examples
    --------
    >>> split = pd.DataFrame({"mean": [2.2e5, 8.3e5], "customers_at_end": [None, 6474.5],
    ...                       "customers_at_end_priced": [None, 4864.0]},
    ...                      index=["within the horizon", "after the horizon"])
    >>> print(other_line(split, Scenario.preset("telecom"), "USD", 2.0))
    ... # doctest: +NORMALIZE_WHITESPACE
       ('other': each customer lost or won is priced at today's churn, 25% a year; the
       customers kept without problems churn less, so they pay for longer within the 2 years
       (USD 220,000) and 6,474 more are customers at the end than today, not the 4,864 the
       prices expect (USD 830,000 after the horizon, at today's lifetimes).)
    """
    if split is None:
        return "   ('other': what the per-event prices miss; see womsim.analysis.attribution.)"
    base = today.at(-1.0)
    hazard = value_hazard(base, base.baseline_churn())
    churn = 1 - math.exp(-hazard)  # the hazard as a share leaving within a year
    within = split.loc["within the horizon", "mean"]
    after = split.loc["after the horizon"]
    return (f"   ('other': each customer lost or won is priced at today's churn, {churn:.0%} "
            "a year; the customers kept without problems churn less, so they pay for longer "
            f"within the {horizon:g} years ({_money(within, currency)}) and "
            f"{after['customers_at_end']:,.0f} more are customers at the end than today, not "
            f"the {after['customers_at_end_priced']:,.0f} the prices expect "
            f"({_money(after['mean'], currency)} after the horizon, at today's lifetimes).)")


def verdict(roi: pd.Series, horizon: float, currency: str) -> str:
    """One sentence on whether a programme pays, with its cash within the horizon beside.

    "Pays for itself" only when the ROI is positive and its interval is clear of zero.

    Examples
    --------
    >>> r = pd.Series({"roi": 0.8, "ci_low": 1e5, "ci_high": 3e5, "payback_years": 2.5,
    ...                "cash_within_horizon": -4.8e5})
    >>> verdict(r, 2.0, "USD")  # doctest: +NORMALIZE_WHITESPACE
    'It pays for itself: it pays back after 2.5 years; within the 2 years simulated its cash
    is USD -480,000 (not discounted).'
    """
    cash = (f"within the {horizon:g} years simulated its cash is "
            f"{_money(roi['cash_within_horizon'], currency)} (not discounted)")
    if roi["roi"] > 0 and roi["ci_low"] > 0:
        back = roi["payback_years"]
        when = (f"it pays back after {back:.1f} years" if back == back
                else "it does not pay back within the years valued")
        return f"It pays for itself: {when}; {cash}."
    if roi["ci_high"] < 0:
        return f"It does not pay for itself (ROI below 0); {cash}."
    return f"It is not distinguishable from break-even; {cash}."
