"""What an incident's report says: what the incident cost, for how long, by cause, and its
damage over time (:func:`womsim.incident_cost`)."""

from __future__ import annotations

import math

from womsim.analysis.attribution import by_cause
from womsim.analysis.incident import IncidentCost
from womsim.reporting.content import (
    BUILDERS,
    _by_cause_table,
    _cards,
    _Chart,
    _Content,
    _facts,
    _few_runs,
    _headline_table,
    _interval_note,
    _na_table,
    _row,
    _Table,
)
from womsim.views.display import fmt_count, fmt_interval, fmt_money
from womsim.views.incident import plot_incident

__all__: list[str] = []

#: the summary's figures shown as headline numbers, with their labels
_HEADLINES = {"value_lost": "value lost (present value: horizon + customers' lifetimes)",
              "cash_lost_within_horizon": "profit lost within the horizon (cash)",
              "customers_lost": "customers lost",
              "damage_months": "months of damage",
              "revenue_lost": "revenue lost (same basis as the value)",
              "customers_fewer_at_end": "customers fewer at the end",
              "prospects_deterred": "prospects deterred",
              "extra_problems": "extra problems"}
_UNITS = {"people": "people", "contacts": "count", "months": "number", "money": "money"}


def _from_incident(cost: IncidentCost) -> _Content:
    """The report content of an :class:`~womsim.analysis.incident.IncidentCost`."""
    sc, inc = cost.scenario, cost.incident
    cur = cost.currency
    s = cost.summary()
    rows = [_row(label, s.loc[k, "mean"], s.loc[k, "ci_low"], s.loc[k, "ci_high"],
                 _UNITS.get(str(s.loc[k, "unit"]), str(s.loc[k, "unit"])),
                 str(s.loc[k, "meaning"]))
            for k, label in _HEADLINES.items()]
    v, d = s.loc["value_lost"], cost.duration()
    start = inc.start_years(sc.calendar.start_date)
    answer = [f"'{inc.name}' cost {sc.name} **{fmt_money(v['mean'], cur)}** in value (95% CI "
              f"{fmt_interval(v['ci_low'], v['ci_high'], 'money', cur)}): present values today "
              f"of the {sc.simulation.horizon_years:g} years simulated and the remaining "
              "lifetimes of the customers held at their end, against the same market without "
              "it.",
              f"It cost {fmt_count(s.loc['customers_lost', 'mean'])} customers and deterred "
              f"{fmt_count(s.loc['prospects_deterred', 'mean'])} prospects; its damage "
              f"lasted {d['months']:.3g} months from its start at {start:.3g} years"
              + (" (still going at the horizon: at least that long)" if d["censored"] else "")
              + f", until the monthly damage stayed below {cost.share:.0%} of its peak."]
    bc = by_cause(cost.with_, cost.without, cost.level)
    dmg = cost.damage()
    keep = ["time", *(["date"] if "date" in dmg.columns else []), "since_start",
            "damage", "damage_low", "damage_high", "cumulative", "cumulative_low",
            "cumulative_high", "customers_fewer"]
    units = {c: "money" for c in keep if c.startswith(("damage", "cumulative"))}
    units.update(time="number", since_start="number", customers_fewer="count", date="text")
    over_time = _Table("summary", "The damage over time (per step, present values at the "
                                  "start)", dmg[keep].reset_index(drop=True).assign(
                                      date=dmg["date"].dt.date.astype(str))
                       if "date" in keep else dmg[keep].reset_index(drop=True), units,
                       note="damage: the value of what the incident did in the step "
                            "(customers lost, sales forgone, extra costs); cumulative runs "
                            "up to nearly the value lost, the rest is booked at the horizon.")
    charts = [_Chart(f"What '{inc.name}' cost, over time",
                     lambda fig: plot_incident(cost, ax=fig.add_subplot()), (8, 4.2))]
    n = cost.with_.n_runs
    return _Content(
        title=f"What '{inc.name}' cost {sc.name}",
        question=f"What did '{inc.name}' cost {sc.name}, and for how long?",
        answer=answer, cards=_cards(rows), currency=cur,
        tables={"headline": _headline_table(rows),
                "by cause": _by_cause_table(bc, f"Value lost to '{inc.name}', by cause"),
                "per incident": _na_table(
                    "per incident", "Per incident",
                    "The incident is one event: its price is the headline. Prices per "
                    "unhappy customer: report womsim.lost_revenue(scenario)."),
                "summary": over_time},
        charts=charts,
        facts=_facts(cost.with_, [("incident", f"'{inc.name}': {inc.raises} x"
                                               f"{inc.multiplier:g} from {start:.3g} years "
                                               f"for {inc.duration:.3g} years"),
                                  ("damage ends", f"below {cost.share:.0%} of the peak month")]),
        notes=[f"Paired runs: the scenario with and without '{inc.name}' share their random "
               "numbers run by run, so nothing differs before it starts.",
               _interval_note(n), *_few_runs(n),
               "How long: a bootstrap interval over runs"
               + ("." if not math.isnan(d["low_months"]) else " (too few runs for one).")])


def _register() -> None:
    BUILDERS[IncidentCost] = _from_incident


_register()
