"""What a calibration's report says: what it was calibrated to, how well the targets are
met, what the data says about each inferred parameter, and what was solved from what."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from womsim.analysis.calibrate import Calibration
from womsim.reporting.content import _CI, BUILDERS, _Chart, _Content, _headline_table, _row, _Table
from womsim.views.display import fmt_value

#: the unit each target is shown in (a share in percent, counts with separators)
_TARGET_UNITS = {"annual_churn": "share/yr", "customer_growth": "share/yr",
                 "customers": "customers", "contacts_per_year": "contacts/customer/yr",
                 "complaints_per_year": "complaints/yr"}


def _unit(name: str) -> str:
    return _TARGET_UNITS.get(name, "share")


def _met(r: pd.Series) -> bool:
    return bool(r["ci_low"] <= r["target"] <= r["ci_high"])


def _from_calibration(cal: Any) -> _Content:
    """The report content of a :class:`womsim.analysis.calibrate.Calibration`."""
    sc = cal.scenario
    cur = sc.economics.currency
    check = cal.check
    diag = cal.diagnostic()
    given = [n for n in check.index if n in cal.targets]
    rows = []
    for name, r in check.iterrows():
        unit = _unit(name)
        rows.append(_row(f"{name.replace('_', ' ')} simulated", r["simulated"], r["ci_low"],
                         r["ci_high"], unit,
                         f"target {fmt_value(r['target'], unit)}"
                         + ("" if name in cal.targets else " (assumed: today at rest)")
                         + f"; {r['meaning']}"))
    met = [n for n in check.index if _met(check.loc[n])]
    missed = [n for n in check.index if n not in met]
    listed = ", ".join(f"{n.replace('_', ' ')} {fmt_value(cal.targets[n][0], _unit(n))}"
                       for n in given)
    inferred = [p for p in diag.index if p in cal.prior.index]
    pinned = [p for p in inferred if diag.loc[p, "width_ratio"] < 0.85]
    loose = [p for p in inferred if p not in pinned]
    answer = [f"'{sc.name}' calibrated to {len(given)} target{'s' * (len(given) != 1)} "
              f"({listed}) with simulations of a market of {cal.people:,} people: "
              + ("**every target is met** within the calibrated scenario's 95% interval."
                 if not missed else
                 f"**{len(missed)} of {len(check)} targets are not met** within the 95% "
                 f"interval ({', '.join(missed)}): read the results with care.")]
    if pinned:
        answer.append("The client's data narrows " + ", ".join(
            f"{p} to {fmt_value(diag.loc[p, 'ci_low'], '')} to "
            f"{fmt_value(diag.loc[p, 'ci_high'], '')} (90%)" for p in pinned) + ".")
    if loose:
        answer.append(f"{len(loose)} of the {len(inferred)} inferred parameters stay about as "
                      f"uncertain as their prior ({', '.join(loose)}): measure them, or "
                      "carry their range into every result (womsim.lost_revenue(cal) does).")
    targets = check.rename_axis("observable").reset_index()
    targets.insert(1, "unit", [_unit(n) for n in targets["observable"]])
    targets.insert(len(targets.columns) - 1, "met", ["yes" if _met(r) else "NO"
                                                     for _, r in check.iterrows()])
    target_table = _Table(
        "targets", "Target vs simulated (the calibrated scenario)",
        targets.rename(columns={"ci_low": _CI[0], "ci_high": _CI[1]}),
        {"observable": "text", "unit": "text", "target": "row", "target_se": "row",
         "simulated": "row", _CI[0]: "row", _CI[1]: "row", "met": "text", "meaning": "text"},
        note=f"{cal.meta.get('sims', len(cal.reference))} reference simulations at "
             f"{cal.people:,} people; the interval is that of the calibrated scenario's own "
             "runs. target_se: the standard error given with the target (0 = taken as exact).")
    d = diag.reset_index()
    post_table = _Table(
        "posterior", "What the data says about each inferred parameter", d.rename(
            columns={"ci_low": "90% low", "ci_high": "90% high"}),
        {"parameter": "text", "prior_low": "number", "prior_high": "number",
         "posterior_mean": "number", "90% low": "number", "90% high": "number",
         "width_ratio": "number", "verdict": "text"},
        note="Prior: uniform over the parameter's range. width_ratio = posterior sd / prior "
             "sd: below 0.5 the data pins the parameter, above 0.85 it stays about as "
             "uncertain as its prior.")
    record = pd.DataFrame(
        [{"parameter": p, "value": float(sc.get(p)) if p != "market.baseline_churn" else
          float(sc.market.observed_annual_churn if sc.market.observed_annual_churn
                is not None else math.nan),
          "solved from": src, "how": "solved exactly" if p != "market.marketing_rate" else
          "inferred (posterior mean)"} for p, src in cal.solved.items()]
        + [{"parameter": p, "value": float(diag.loc[p, "posterior_mean"]),
            "solved from": ", ".join(n for n in cal.targets if n.startswith("leave_")
                                     or n == "referral_share") or
            "no informative target: the prior's range",
            "how": "inferred (posterior mean)"} for p in inferred
           if p != "market.marketing_rate"])
    if "market.baseline_churn" in cal.solved:
        record.loc[record["parameter"] == "market.baseline_churn", "how"] = \
            "solved live from the observed churn (value: the observed annual churn)"
    record_table = _Table("record", "The calibration record: what was solved from what",
                          record, {"parameter": "text", "value": "number",
                                   "solved from": "text", "how": "text"},
                          note="The calibrated scenario keeps this record (Scenario.solved); "
                               "setting one of these parameters by hand drops its entry.")
    charts = [_Chart("Prior range and posterior of each inferred parameter",
                     lambda fig: cal.plot(ax=fig.add_subplot()),
                     (8.0, 0.5 + 0.45 * len(cal.prior) + 1.0))]
    facts = [("scenario", sc.name), ("targets", listed or "none"),
             ("inference population", f"{cal.people:,} people"),
             ("reference simulations", str(cal.meta.get("sims", len(cal.reference)))),
             ("posterior draws", str(len(cal.posterior))), ("seed", str(cal.seed))]
    return _Content(
        title=f"Calibration of '{sc.name}' to the client's observations",
        question="Which settings of the model reproduce what the client observes, and how "
                 "sure can we be of the ones nobody observes?",
        answer=answer, cards=rows[:4], currency=cur,
        tables={"headline": _headline_table(rows), "by cause": target_table,
                "per incident": post_table, "summary": record_table},
        charts=charts, facts=facts,
        headings={"by cause": "3. Target vs simulated",
                  "per incident": "4. What the data says about each parameter",
                  "summary": "6. The calibration record"},
        notes=["Parameters one target fixes are solved exactly; the unobserved ones get a "
               "uniform prior over their range and a posterior by simulation-based inference "
               "(an emulator of the simulated observables, womsim.analysis.inference).",
               "Pass the calibration to womsim.lost_revenue or womsim.compare to carry the "
               "posterior into their intervals."])


BUILDERS[Calibration] = _from_calibration
