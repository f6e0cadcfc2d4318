"""What a report says: headline, tables and charts built from a result (no HTML, no Excel).

The blocks they are made of are in :mod:`womsim.reporting.blocks`, the appendices (assumptions,
research figures) in :mod:`womsim.reporting.appendix`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd

from womsim.analysis.damage import MarketDamage
from womsim.analysis.lostrev import LostRevenue
from womsim.analysis.sweep import Sensitivity, SweepResult
from womsim.analysis.whatif import Comparison
from womsim.core.errors import WomsimError
from womsim.model.scenario import Scenario
from womsim.reporting.appendix import _assumptions_table, _figures_table, _scenarios_of
from womsim.reporting.blocks import (
    _CI,
    _cards,
    _changes,
    _Chart,
    _Content,
    _facts,
    _few_runs,
    _fmt_param,
    _headline_table,
    _interval_note,
    _na_table,
    _outcome_sentence,
    _row,
    _Table,
    outcome_meaning,
)
from womsim.results import HEADLINES, Ensemble, draws_assumptions
from womsim.views.display import (
    FLAGGED,
    fmt_count,
    fmt_interval,
    fmt_money,
    fmt_pct,
    unit_kind,
)
from womsim.views.plots import plot_damage, plot_overview, plot_sweep, plot_tornado, plot_waterfall

#: File formats :func:`report` writes.
#: The workbook's sheets, in order (``roi`` only for comparisons that spend more on
#: programmes or payroll; ``tornado`` when a sensitivity is added to the report; ``by
#: segment`` for a segmented market).
SHEETS = ("report", "headline", "by cause", "per incident", "summary", "roi", "tornado",
          "by segment", "assumptions", "figures", "charts")

_KEY_METRICS = ("customers_end", "customers_change", "revenue", "profit", "value", "profit_pv",
                "annual_churn")
_LOST_AND_WON = ("defect_experience", "defect_wom", "defect_baseline", "acq_marketing",
                 "acq_referral", "acq_winback", "newly_deterred")


def _summary_table(s: pd.DataFrame) -> _Table:
    df = s.reset_index().rename(columns={"mean": "mean", "ci_low": _CI[0],
                                         "ci_high": _CI[1]})
    cols = ["metric", "mean", *_CI, "sd", "p05", "p95", "unit", "meaning"]
    df = df[[c for c in cols if c in df.columns]]
    units = {c: "row" for c in ("mean", *_CI, "sd", "p05", "p95")}
    units.update(metric="text", unit="text", meaning="text")
    return _Table("summary", "Summary of every metric (mean over runs)", df, units,
                  note="sd: spread between runs; p05-p95: where 90% of single runs fall.")


def _from_ensemble(ens) -> _Content:
    sc = ens.scenario
    cur = sc.economics.currency
    s = ens.summary()
    rows = []
    labels = {"customers_end": "customers at the end", "customers_change": "change in customers",
              "revenue": "revenue within the horizon (cash)",
              "profit": "profit within the horizon (cash)",
              "value": "value (present value: horizon + customers' remaining lifetimes)",
              "profit_pv": "profit within the horizon (present value)",
              "annual_churn": "annual churn"}
    for k in _KEY_METRICS:
        r = s.loc[k]
        rows.append(_row(labels[k], r["mean"], r["ci_low"], r["ci_high"], r["unit"],
                         r["meaning"]))
    lost = s.loc["defections", "mean"]
    won = s.loc["acquisitions", "mean"]
    cause = []
    for k in _LOST_AND_WON:
        r = s.loc[k]
        total = lost if k.startswith("defect") else won if k.startswith("acq") else math.nan
        cause.append({"cause": r["meaning"], "people": r["mean"], _CI[0]: r["ci_low"],
                      _CI[1]: r["ci_high"],
                      "share": r["mean"] / total if total and not math.isnan(total)
                      else math.nan})
    by_cause = _Table("by cause", "Customers lost and won, by cause", pd.DataFrame(cause),
                      {"cause": "text", "people": "count", _CI[0]: "count", _CI[1]: "count",
                       "share": "share"},
                      note="share: of all customers lost, or of all customers won.")
    h = sc.simulation.horizon_years
    ce, cs = s.loc["customers_end"], s.loc["customers_start"]
    answer = [f"Over {h:g} years {sc.name} goes from {fmt_count(cs['mean'])} to "
              f"{fmt_count(ce['mean'])} customers (95% CI "
              f"{fmt_interval(ce['ci_low'], ce['ci_high'], 'people')}), with "
              f"{fmt_money(s.loc['revenue', 'mean'], cur)} in revenue and "
              f"{fmt_money(s.loc['profit', 'mean'], cur)} in profit (cash within the "
              f"horizon, not discounted; its value, the present value of the {h:g} years and "
              f"of the customers' remaining lifetimes, is {fmt_money(s.loc['value', 'mean'], cur)}"
              "); "
              f"{fmt_pct(s.loc['annual_churn', 'mean'])} of customers leave each year, "
              f"{fmt_pct(s.loc['defect_wom', 'mean'] / lost if lost else math.nan)} of those "
              "who leave because of what they heard."]
    charts = [_Chart("Customers and revenue over time",
                     lambda fig: plot_overview({sc.name: ens}, axes=fig.subplots(1, 2)),
                     (11, 4))]
    psa = draws_assumptions(ens.meta)
    return _Content(
        title=f"{sc.name}: customers and revenue over {h:g} years",
        question=f"What happens to {sc.name}'s customers and revenue over {h:g} years, once "
                 "word of mouth is counted?",
        answer=answer, cards=_cards(rows), currency=cur,
        tables={"headline": _headline_table(rows), "by cause": by_cause,
                "per incident": _na_table(
                    "per incident", "Per incident",
                    "Prices per incident need a counterfactual: run "
                    "womsim.lost_revenue(scenario) and report that."),
                "summary": _summary_table(s)},
        charts=charts, facts=_facts(ens),
        notes=[_interval_note(ens.n_runs, psa, ens.meta), *_few_runs(ens.n_runs)])


def _per_incident_table(lr, cur: str) -> _Table:
    pi = lr.per_incident().reset_index().rename(columns={
        "mean": "value lost", "ci_low": _CI[0], "ci_high": _CI[1],
        "incidents_today": "incidents today"})
    return _Table("per incident", "What each incident costs", pi,
                  {"incident": "text", "value lost": "money", _CI[0]: "money",
                   _CI[1]: "money", "incidents today": "count"},
                  note="Value (profit and customer equity) lost per incident today, counting "
                       "the customer's own chance of leaving and the damage of what they tell "
                       "others.")


def _by_cause_table(bc: pd.DataFrame, title: str, scenario_col: bool = False) -> _Table:
    df = bc.reset_index().rename(columns={"mean": "value", "ci_low": _CI[0],
                                          "ci_high": _CI[1], "share": "share of total",
                                          "revenue": "of which revenue"})
    units = {"scenario": "text", "cause": "text", "value": "money", _CI[0]: "money",
             _CI[1]: "money", "share of total": "share", "of which revenue": "money"}
    note = ("The causes add up exactly to the total; 'other' holds the knock-on effects the "
            "event values miss. Money causes (acquisition spend, service cost) have no revenue "
            "part.")
    return _Table("by cause", title, df, units, note=note)


def _meta(cmp) -> dict:
    """What the comparison's runs drew (its reference's run record)."""
    return cmp.ensembles[cmp.reference].meta


def _counterfactuals(cmp) -> list[str]:
    """Scenarios that remove every service problem (their differences price incidents)."""
    out = []
    for name in cmp.names[1:]:
        sc = cmp.ensembles[name].scenario
        if sc.desk is None and sc.service.problem_rate == 0 and not sc.interventions:
            out.append(name)
    return out


def _from_lost_revenue(lr) -> _Content:
    today, target = lr.today.scenario, lr.target.scenario
    cur = today.economics.currency
    cmp = lr.comparison
    alt = cmp.names[1]
    t = lr.total()
    s = cmp.summary().loc[alt]
    pi = lr.per_incident()
    rows = [_row("value lost (profit + customer equity)", t["value_lost"], t["ci_low"],
                 t["ci_high"], "money",
                 f"what today's service costs against '{alt}' over "
                 f"{t['horizon_years']:g} years, customers' remaining lifetime included"),
            _row("revenue lost", t["revenue_lost"], math.nan, math.nan, "money",
                 "the revenue part of the value lost (before margin and costs)"),
            _row("profit lost within the horizon", s.loc["profit", "difference"],
                 s.loc["profit", "ci_low"], s.loc["profit", "ci_high"], "money",
                 "cash profit only, without the customers' value after the horizon"),
            _row("customers fewer at the end", s.loc["customers_end", "difference"],
                 s.loc["customers_end", "ci_low"], s.loc["customers_end", "ci_high"],
                 "people", f"customers '{alt}' has more than today at the end")]
    for name, r in pi.iterrows():
        rows.append(_row(f"value lost {name}", r["mean"], r["ci_low"], r["ci_high"], "money",
                         f"{fmt_count(r['incidents_today'])} such incidents today"))
    if cmp.psa:
        rows.insert(1, _row("value lost: where it falls (chance and assumptions)",
                            t["value_lost"], t["outcome_low"], t["outcome_high"], "money",
                            outcome_meaning(lr.today.meta)))
    changes = _changes(today, target)
    answer = [f"Today's service costs **{fmt_money(t['value_lost'], cur)}** in value "
              f"(95% CI {fmt_interval(t['ci_low'], t['ci_high'], 'money', cur)}) and "
              f"{fmt_money(t['revenue_lost'], cur)} in revenue, against the same market with "
              f"{_describe(changes)}: present values today of the "
              f"{t['horizon_years']:g} years simulated and the remaining lifetimes of the "
              f"customers held at their end.",
              f"Within the {t['horizon_years']:g} years it costs "
              f"{fmt_money(t['cash_lost_within_horizon'], cur)} of profit (cash; 95% CI "
              f"{fmt_interval(t['within_ci_low'], t['within_ci_high'], 'money', cur)})."]
    if cmp.psa:
        answer.append(_outcome_sentence(t["outcome_low"], t["outcome_high"], cur,
                                        lr.today.meta))
    if not pi.empty and not math.isnan(pi["mean"].iloc[0]):
        parts = [f"{name.removeprefix('per ')} costs {fmt_money(r['mean'], cur)}"
                 for name, r in pi.iterrows() if not math.isnan(r["mean"])]
        answer.append("Each " + "; each ".join(parts) + ".")
    bc = lr.by_cause()
    top = bc.drop(index="total")["mean"]
    if len(top) and t["value_lost"]:
        answer.append(f"Largest single cause: {top.idxmax()} "
                      f"({fmt_money(top.max(), cur)}, {fmt_pct(top.max() / t['value_lost'])} "
                      "of the total; section 3).")
    summary = cmp.summary().loc[alt].reset_index().rename(columns={
        "reference": cmp.reference, "value": alt, "ci_low": _CI[0], "ci_high": _CI[1]})
    summary = summary[["metric", cmp.reference, alt, "difference", *_CI, "unit"]]
    charts = [
        _Chart("Value lost to today's service, by cause",
               lambda fig: plot_waterfall(bc, ax=fig.add_subplot(),
                                          title="Value lost to today's service, by cause",
                                          currency=cur, positive="loss")),
        _Chart("Customers and revenue: today and without problems",
               lambda fig: plot_overview(cmp, axes=fig.subplots(1, 2)), (11, 4))]
    n = lr.today.n_runs
    return _Content(
        title=f"What today's service costs {today.name}",
        question=f"What does today's customer service cost {today.name} once word of mouth "
                 "is counted?",
        answer=answer, cards=_cards(rows), currency=cur,
        tables={"headline": _headline_table(rows),
                "by cause": _by_cause_table(bc, "Value lost, by cause"),
                "per incident": _per_incident_table(lr, cur),
                "summary": _Table("summary", f"Today against '{alt}' (paired runs)", summary,
                                  {"metric": "text", cmp.reference: "row", alt: "row",
                                   "difference": "row", _CI[0]: "row", _CI[1]: "row",
                                   "unit": "text"})},
        charts=charts,
        facts=_facts(lr.today, [("counterfactual", "; ".join(changes) or "none")]),
        notes=[f"Paired runs: today and '{alt}' share their random numbers run by run "
               "(common random numbers), so the difference holds the effect of the service "
               "and little else.",
               _interval_note(n, bool(cmp.psa), _meta(cmp)), *_few_runs(n)])


def _describe(changes: list[str]) -> str:
    if not changes:
        return "no change"
    if len(changes) == 1 and changes[0].startswith("service.problem_rate") and \
            changes[0].endswith("-> 0.0%"):
        return "no service problems"
    return "; ".join(changes)


def _from_comparison(cmp) -> _Content:
    ref = cmp.ensembles[cmp.reference]
    cur = ref.scenario.economics.currency
    s = cmp.summary()
    rows = []
    answer = []
    # programmes and payroll (a desk's extra agents) are both what a change spends
    roi = cmp.roi()
    has_cost = [n for n in cmp.names[1:] if roi.loc[n, "extra_cost"] > 0]
    h = ref.scenario.simulation.horizon_years
    for name in cmp.names[1:]:
        for metric, label in (("value", "value (present value, lifetimes included)"),
                              ("profit", "profit within the horizon (cash)"),
                              ("customers_end", "customers at the end")):
            r = s.loc[(name, metric)]
            rows.append(_row(f"'{name}' vs '{cmp.reference}': {label}", r["difference"],
                             r["ci_low"], r["ci_high"], r["unit"],
                             f"difference of paired runs ({name} - {cmp.reference})"))
        r = s.loc[(name, "value")]
        if cmp.psa:
            rows.append(_row(f"'{name}' vs '{cmp.reference}': value, where it falls (chance "
                             "and assumptions)", r["difference"], r["outcome_low"],
                             r["outcome_high"], r["unit"], outcome_meaning(_meta(cmp))))
        word = "more" if r["difference"] >= 0 else "less"
        p = s.loc[(name, "profit")]
        answer.append(f"'{name}' earns **{fmt_money(abs(r['difference']), cur)}"
                      f"** {word} value than '{cmp.reference}' (present value "
                      f"today: {h:g} years simulated and the customers' remaining lifetimes; "
                      f"95% CI {fmt_interval(r['ci_low'], r['ci_high'], 'money', cur)}); "
                      f"within the {h:g} years, {fmt_money(p['difference'], cur)} in cash "
                      f"profit (95% CI {fmt_interval(p['ci_low'], p['ci_high'], 'money', cur)}).")
        if name in has_cost:
            q = roi.loc[name]
            rows.append(_row(f"'{name}': net gain on its spend", q["net_gain"], q["ci_low"],
                             q["ci_high"], "money",
                             f"after {fmt_money(q['extra_cost'], cur)} spent on programmes "
                             "and payroll (present value, as long as the effect is counted)"))
            rows.append(_row(f"'{name}': return on investment", q["roi"], math.nan, math.nan,
                             "share", "net gain / extra cost (ROI)"))
            pay = ("never" if math.isnan(q["payback_years"]) else
                   f"{q['payback_years']:.2g} years")
            verdict = "pays for itself" if q["roi"] > 0 and q["ci_low"] > 0 else (
                "does not pay" if q["ci_high"] < 0 else "is not distinguishable from "
                                                        "break-even")
            answer.append(f"'{name}' {verdict}: net gain "
                          f"{fmt_money(q['net_gain'], cur)} on {fmt_money(q['extra_cost'], cur)}"
                          f" spent, ROI {q['roi']:.0%}, payback {pay}; within the {h:g} "
                          f"years its cash is {fmt_money(q['cash_within_horizon'], cur)}.")
    lrt = cmp.lost_revenue()
    by_cause = _by_cause_table(lrt, "Difference in value from the reference, by cause")
    cfs = _counterfactuals(cmp)
    if cfs:
        frames = []
        for name in cfs:
            lr = LostRevenue(Comparison({cmp.reference: ref, name: cmp.ensembles[name]}))
            frames.append(lr.per_incident().assign(scenario=name))
        pi = pd.concat(frames).reset_index().rename(columns={
            "mean": "value lost", "ci_low": _CI[0], "ci_high": _CI[1],
            "incidents_today": "incidents today"})
        pi = pi[["scenario", "incident", "value lost", *_CI, "incidents today"]]
        per_incident = _Table("per incident", "What each incident costs", pi,
                              {"scenario": "text", "incident": "text", "value lost": "money",
                               _CI[0]: "money", _CI[1]: "money", "incidents today": "count"},
                              note="Priced against the scenario(s) without service problems.")
    else:
        per_incident = _na_table("per incident", "Per incident",
                                 "Prices per incident need a scenario without service "
                                 "problems: use womsim.lost_revenue(scenario).")
    summ = s.reset_index().rename(columns={"reference": cmp.reference, "value": "scenario value",
                                           "ci_low": _CI[0], "ci_high": _CI[1]})
    summ = summ[["scenario", "metric", cmp.reference, "scenario value", "difference", *_CI,
                 "sd_paired", "sd_unpaired", "unit"]]
    units = {c: "row" for c in (cmp.reference, "scenario value", "difference", *_CI,
                                "sd_paired", "sd_unpaired")}
    units.update(scenario="text", metric="text", unit="text")
    extra = []
    if has_cost:
        # only scenarios that spend: a return on nothing spent is no number
        r = roi.loc[has_cost].reset_index().rename(columns={"ci_low": _CI[0],
                                                            "ci_high": _CI[1]})
        extra.append(_Table("roi", "Return on the spend on programmes and payroll (present "
                                   "values; cash within the horizon beside)", r,
                            {"scenario": "text", "extra_cost": "money",
                             "gain_before_cost": "money", "net_gain": "money", _CI[0]: "money",
                             _CI[1]: "money", "roi": "number", "payback_years": "number",
                             "cash_within_horizon": "money",
                             "cash_within_horizon_pv": "money"}))
    charts = [_Chart("Customers and revenue over time",
                     lambda fig: plot_overview(cmp, axes=fig.subplots(1, 2)), (11, 4))]
    for name in cmp.names[1:5]:
        charts.append(_Chart(
            f"'{name}' against '{cmp.reference}', by cause",
            lambda fig, name=name: plot_waterfall(  # type: ignore[misc]
                lrt.loc[name], ax=fig.add_subplot(), currency=cur,
                title=f"'{name}' against '{cmp.reference}': value by cause")))
    facts = _facts(ref, [(f"'{n}'", "; ".join(_changes(ref.scenario, cmp.ensembles[n].scenario))
                          or "same as the reference") for n in cmp.names[1:]])
    n = ref.n_runs
    others = ", ".join(f"'{x}'" for x in cmp.names[1:])
    return _Content(
        title=f"{others} compared with '{cmp.reference}'",
        question=f"What do {others} earn compared with '{cmp.reference}', once word of mouth "
                 "is counted?",
        answer=answer, cards=_cards(rows), currency=cur,
        tables={"headline": _headline_table(rows), "by cause": by_cause,
                "per incident": per_incident,
                "summary": _Table("summary", "Every metric, paired differences", summ, units)},
        extra=extra, charts=charts, facts=facts,
        notes=["Paired runs: every scenario shares its random numbers run by run (common "
               "random numbers), so differences hold the effect of the change.",
               _interval_note(n, bool(cmp.psa), _meta(cmp)), *_few_runs(n)])


def _sweep_units(sweep, base) -> dict[str, str]:
    a = base.assumptions()
    units: dict[str, str] = {}
    for p in sweep.params:
        units[p] = unit_kind(str(a.loc[p, "unit"])) if p in a.index else "number"
    for m, (u, _) in HEADLINES.items():
        for c in (m, f"{m}_ci_low", f"{m}_ci_high"):
            units[c] = unit_kind(u)
    return units


def _from_sweep(sweep) -> _Content:
    base = getattr(sweep, "scenario", None) or sweep.ensembles[0].scenario
    cur = base.economics.currency
    s = sweep.summary()
    units = _sweep_units(sweep, base)
    best = int(s["profit"].to_numpy().argmax())
    worst = int(s["profit"].to_numpy().argmin())

    def where(i: int) -> str:
        return ", ".join(f"{p} = {_fmt_param(s.loc[i, p], units[p])}" for p in sweep.params)

    rows = [_row(f"profit at the best point ({where(best)})", s.loc[best, "profit"],
                 s.loc[best, "profit_ci_low"], s.loc[best, "profit_ci_high"], "money",
                 "the grid point with the highest mean profit"),
            _row(f"profit at the worst point ({where(worst)})", s.loc[worst, "profit"],
                 s.loc[worst, "profit_ci_low"], s.loc[worst, "profit_ci_high"], "money",
                 "the grid point with the lowest mean profit"),
            _row("value at the best point", s.loc[best, "value"], s.loc[best, "value_ci_low"],
                 s.loc[best, "value_ci_high"], "money",
                 "present value at the start, customers' remaining lifetimes included")]
    ci = fmt_interval(s.loc[best, "profit_ci_low"], s.loc[best, "profit_ci_high"], "money")
    answer = [f"Profit is highest at {where(best)}: "
              f"**{fmt_money(s.loc[best, 'profit'], cur)}** (95% CI {ci}"
              f"); lowest at {where(worst)}: "
              f"{fmt_money(s.loc[worst, 'profit'], cur)}."]
    units_t = {c: units.get(c, "number") for c in s.columns}
    charts = [_Chart("Profit across the grid",
                     lambda fig: plot_sweep(sweep, "profit", ax=fig.add_subplot())),
              _Chart("Customers at the end across the grid",
                     lambda fig: plot_sweep(sweep, "customers_end", ax=fig.add_subplot()))]
    e0 = sweep.ensembles[0]
    grid = "; ".join(f"{p}: {len(set(s[p]))} values" for p in sweep.params)
    return _Content(
        title=f"{base.name}: sweep over {', '.join(sweep.params)}",
        question=f"How do {base.name}'s profit and customers depend on "
                 f"{', '.join(sweep.params)}?",
        answer=answer, cards=_cards(rows), currency=cur,
        tables={"headline": _headline_table(rows),
                "by cause": _na_table("by cause", "By cause",
                                      "A sweep has no split by cause: compare two of its "
                                      "points with womsim.compare for one."),
                "per incident": _na_table("per incident", "Per incident",
                                          "Prices per incident need a counterfactual: use "
                                          "womsim.lost_revenue(scenario)."),
                "summary": _Table("summary", "Every grid point (mean and 95% CI)", s, units_t)},
        charts=charts, facts=_facts(e0, [("grid", grid)]),
        notes=["Every point runs with the same seeds (common random numbers), so the curve is "
               "smooth in its parameter and differences between points are paired.",
               _interval_note(e0.n_runs), *_few_runs(e0.n_runs),
               "The assumptions in appendix A are those of the first grid point; the swept "
               "parameters take the values in the summary."])


def _from_sensitivity(sens, scenario) -> _Content:
    cur = scenario.economics.currency if scenario is not None else ""
    t = sens.table()
    metric = sens.metric.replace("_", " ")
    top = t.index[0] if len(t) else None
    rows = [_row(f"{metric} at today's values", sens.base, math.nan, math.nan, "money",
                 "the result with every parameter at its value")]
    for p, r in t.head(3).iterrows():
        rows.append(_row(f"swing from {p}", r["swing"], math.nan, math.nan, "money",
                         f"{metric} from {fmt_money(r['at_low'], cur)} (at {r['low']:g}) to "
                         f"{fmt_money(r['at_high'], cur)} (at {r['high']:g}); "
                         f"status {r['status']}"))
    answer = [f"At today's values {metric} is **{fmt_money(sens.base, cur)}**."]
    if top is not None:
        r = t.loc[top]
        answer.append(f"{top} moves it most: from "
                      f"{fmt_money(r['at_low'], cur)} at {r['low']:g} to "
                      f"{fmt_money(r['at_high'], cur)} at {r['high']:g}"
                      + (f" (its range is {r['status']})" if r["status"] in FLAGGED else "")
                      + ".")
    flagged = [p for p, s in t["status"].items() if s in FLAGGED]
    if flagged:
        verb = "rests" if len(flagged) == 1 else "rest"
        answer.append(f"{len(flagged)} of the {len(t)} ranges {verb} on unverified or "
                      "illustrative numbers: the swing they cause is a reason to verify them.")
    df = t.reset_index()
    units = {"parameter": "text", "low": "number", "high": "number", "value": "number",
             "at_low": "money", "at_high": "money", "swing": "money", "swing_sd": "money",
             "basis": "text", "status": "text"}
    charts = [_Chart("What moves the result most",
                     lambda fig: plot_tornado(sens, ax=fig.add_subplot(), currency=cur),
                     (8.5, 0.45 * len(t) + 1.8))]
    facts = [("metric", metric)]
    if scenario is not None:
        facts = [("scenario", scenario.name), *facts]
    return _Content(
        title=f"What moves {metric} most" + (f": {scenario.name}" if scenario is not None
                                            else ""),
        question=f"Which assumptions move {metric} most?",
        answer=answer, cards=_cards(rows), currency=cur,
        tables={"headline": _headline_table(rows),
                "by cause": _na_table("by cause", "By cause",
                                      "A sensitivity analysis has no split by cause: report "
                                      "womsim.lost_revenue(scenario) for one."),
                "per incident": _na_table("per incident", "Per incident",
                                          "Prices per incident: report "
                                          "womsim.lost_revenue(scenario)."),
                "summary": _Table("summary", "Each parameter at the ends of its range", df,
                                  units, status_col="status",
                                  note="swing_sd: run-to-run spread of the paired swing.")},
        charts=charts, facts=facts,
        notes=["One parameter at a time is set to the low and the high end of its range, the "
               "others at their values; today is re-calibrated to the observed churn and "
               "compared with its counterfactual, with common random numbers."])


def _from_damage(dmg, scenario) -> _Content:
    t = dmg.table()
    cur = dmg.currency
    rows = []
    for key, label in (("revenue_at_risk", "revenue at risk"),
                       ("margin_at_risk", "margin at risk"),
                       ("customers_lost", "customers lost, net of referrals"),
                       ("negative_tellings", "negative tellings")):
        if key in t.index:
            rows.append(_row(label, t.loc[key, "value"], math.nan, math.nan,
                             t.loc[key, "unit"], t.loc[key, "equation"]))
    route = []
    rpc = float(dmg["revenue_per_customer"]) if "revenue_per_customer" in dmg else math.nan
    for key, label, sign in (("lost_directly", "own experience", 1),
                             ("lost_wom", "word of mouth (customers)", 1),
                             ("sales_forgone", "prospects deterred", 1),
                             ("winbacks_forgone", "win-backs forgone", 1),
                             ("referrals", "referrals won", -1)):
        if key in t.index:
            v = sign * float(t.loc[key, "value"])
            route.append({"cause": label, "customers": v, "revenue": v * rpc})
    by_cause = _Table("by cause", "Customers lost, by route", pd.DataFrame(route),
                      {"cause": "text", "customers": "count", "revenue": "money"},
                      note="Referrals won count against the loss.")
    df = t.reset_index()
    summary = _Table("summary", "Every line of the calculation", df,
                     {"key": "text", "symbol": "text", "name": "text", "value": "row",
                      "unit": "text", "equation": "text", "working": "text", "basis": "text"})
    head = rows[0] if rows else None
    answer = [f"{dmg.title}: **{fmt_money(head['value'], cur)}** of revenue at "
              "risk." if head else dmg.title]
    charts = [_Chart("Customers lost by route", lambda fig: plot_damage(dmg,
                                                                        ax=fig.add_subplot()),
                     (7, 3.4))]
    return _Content(
        title=dmg.title, question="What does today's service put at risk in one period "
                                  "(TARP's arithmetic)?",
        answer=answer, cards=_cards(rows), currency=cur,
        tables={"headline": _headline_table(rows), "by cause": by_cause,
                "per incident": _na_table("per incident", "Per incident",
                                          "The analytic model prices the period, not single "
                                          "incidents: use womsim.lost_revenue(scenario)."),
                "summary": summary},
        charts=charts,
        facts=[("scenario", scenario.name)] if scenario is not None else [],
        notes=["One period, one hop, mean field: no second-hand stories and a customer base "
               "that does not move; each customer lost is priced at the present value of "
               "their remaining lifetime, as womsim.lost_revenue prices one. The simulation "
               "(womsim.lost_revenue) adds word of mouth over time."])


def _add_sensitivity(c: _Content, sens: Any, scenario: Any) -> None:
    """Add a tornado to another result's report: its chart, table and top mover."""
    if not isinstance(sens, Sensitivity):
        raise WomsimError(f"sensitivity= takes womsim.sensitivity()'s result, got "
                          f"{type(sens).__name__}")
    sc = scenario if scenario is not None else sens.scenario
    s = _from_sensitivity(sens, sc)
    c.answer.extend(s.answer[1:])
    c.charts.extend(s.charts)
    t = s.tables["summary"]
    c.extra.append(_Table("tornado", "What moves the value lost most (one at a time)", t.df,
                          t.units, note=t.note, status_col=t.status_col))
    c.notes.extend(s.notes)


# --------------------------------------------------------------------------- build
# builders of report content kept in modules that build on this one (report_calibration
# registers the Calibration's), so that this module never imports them back
BUILDERS: dict[type, Callable[[Any], _Content]] = {}


def _content(result: Any, question: str | None, scenario: Any) -> tuple[_Content, _Table,
                                                                        _Table]:
    fallback = None
    if isinstance(result, LostRevenue):
        c = _from_lost_revenue(result)
    elif isinstance(result, Comparison):
        c = _from_comparison(result)
    elif isinstance(result, Ensemble):
        c = _from_ensemble(result)
    elif isinstance(result, SweepResult):
        c = _from_sweep(result)
    elif isinstance(result, Sensitivity):
        scenario = scenario if scenario is not None else getattr(result, "scenario", None)
        c = _from_sensitivity(result, scenario)
        t = result.table()
        fallback = pd.DataFrame({"parameter": t.index, "value": t["value"], "unit": "",
                                 "status": t["status"], "figure": "", "source": "",
                                 "basis": t["basis"],
                                 "meaning": [f"range {lo:g} to {hi:g}" for lo, hi in
                                             zip(t["low"], t["high"], strict=True)]})
    elif isinstance(result, MarketDamage):
        src = getattr(result, "_sources", None)
        scenario = scenario if scenario is not None else (src if isinstance(src, Scenario)
                                                          else None)
        c = _from_damage(result, scenario)
    elif type(result) in BUILDERS:
        c = BUILDERS[type(result)](result)
    else:
        raise WomsimError(
            f"report() takes an Ensemble, a Comparison, a LostRevenue, an IncidentCost, a "
            f"SweepResult, a Sensitivity, a MarketDamage or a Calibration, got "
            f"{type(result).__name__}")
    if question:
        c.question = str(question)
    scs = _scenarios_of(result, scenario) if not isinstance(result, Sensitivity) or \
        scenario is not None else []
    assumptions = _assumptions_table(scs, fallback)
    used = assumptions.df["figure"].tolist() if "figure" in assumptions.df.columns else []
    return c, assumptions, _figures_table(used)


# --------------------------------------------------------------------------- html
