"""The assumptions table: every number of a scenario and what it rests on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd
from pydantic import BaseModel

from womsim.core import figures as _figures
from womsim.model.calendar import calendar_rows
from womsim.model.meanfield import rates
from womsim.model.parts import PARTS
from womsim.model.reviews import steady_count, steady_rating

if TYPE_CHECKING:
    from womsim.model.scenario import Scenario

__all__ = ["NOT_IN_FORCE", "assumptions_table"]

# figures a parameter is derived from rather than equal to (compare no values)
_DERIVED_FROM = {"negative_deters_prospects_ratio", "repurchase_by_outcome",
                 "negative_tells_tail"}


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(b))


_STATUS = {"client": "client input", "illustrative": "illustrative", "setting": "model setting",
           "derived": "derived"}


def _rows(model: BaseModel, prefix: str) -> list[dict[str, Any]]:
    rows = []
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        if name == "interventions" or (isinstance(value, BaseModel) and prefix == ""):
            continue
        extra: dict[str, Any] = (field.json_schema_extra
                                 if isinstance(field.json_schema_extra, dict) else {})
        basis = extra.get("basis", "client")
        fig_key = extra.get("figure")
        row = {"parameter": prefix + name, "value": value, "unit": extra.get("unit", ""),
               "meaning": field.description or "", "basis": basis, "figure": fig_key or "",
               "status": _STATUS.get(basis, basis), "source": ""}
        if fig_key:
            fig = _figures.get(fig_key)
            row["status"] = fig.status
            row["source"] = fig.source
            # a number that rests on a figure but differs from it is the client's choice:
            # say so rather than lend it the figure's authority
            if (fig.value is not None and isinstance(value, (int, float))
                    and fig_key not in _DERIVED_FROM and not _close(value, fig.value)):
                row["status"] = "client input"
                row["meaning"] += f" (figure: {fig.value:g})"
            if value is None and name.startswith("stay_"):
                row["meaning"] += " (TARP small/large-loss mix)"
        rows.append(row)
    return rows


NOT_IN_FORCE = "not in force"


def _idle(scenario: Scenario) -> dict[str, str]:
    """Parameters this scenario states but never reads, each with the setting that idles it.

    They stay in the table (a reader sees the whole scenario) but not as assumptions the
    result rests on: a report's count of unverified and illustrative numbers leaves them out.
    """
    idle: dict[str, str] = {}
    if not scenario.reviews.enabled:
        for name in type(scenario.reviews).model_fields:
            if name != "enabled":
                idle[f"reviews.{name}"] = "reviews.enabled is false"
    if scenario.word_of_mouth.retell_prob == 0:
        idle["word_of_mouth.max_hops"] = "word_of_mouth.retell_prob is 0"
    if scenario.market.network == "well_mixed":
        idle["market.mean_degree"] = "market.network is well_mixed"
    return idle


def _solved_rows(scenario) -> list[tuple[str, float, str, str]]:
    """The rows the mean field derives (solving the hidden rates, running a desk if any)."""
    r = rates(scenario)
    hidden = scenario.hidden_rates()
    how = {"solved": "solved from {obs} under this scenario's own service",
           "kept from today": "kept from today ('{under}'), solved there from {obs}",
           "stored": "solved by '{method}' from {obs} under the service of '{under}'",
           "given": "given directly", "none": "no observed churn: none"}
    b = hidden.loc["market.baseline_churn"]
    return [
        ("derived.baseline_churn", scenario.baseline_churn(), "1/yr",
         "hazard of leaving for non-service reasons, " + how[b["source"]].format(
             obs=b["observables"], under=b["under"], method=b["method"])),
        ("derived.experience_leave_per_year", r.experience_leave_per_year, "1/yr",
         "customers lost through their own bad experience, per customer-year"),
        ("derived.wom_leave_per_year", r.wom_leave_per_year, "1/yr",
         "customers lost through word of mouth, per customer-year (mean field)"),
    ]


def assumptions_table(scenario: Scenario, solve: bool = True) -> pd.DataFrame:
    """Build the table behind :meth:`womsim.Scenario.assumptions`.

    With ``solve=False`` only what the scenario states and what follows from it without a
    model: no hidden rate is solved and no service desk simulated (the rows the mean field
    derives, ``derived.baseline_churn`` and the leave rates, are left out). That is what a
    view shows.
    """
    rows: list[dict[str, Any]] = [
        {"parameter": "name", "value": scenario.name, "unit": "", "meaning": scenario.description,
         "basis": "setting", "figure": "", "status": "model setting", "source": ""},
        # which kind of scenario this is, and what its hidden rates were solved from
        {"parameter": "state", "value": scenario.state, "unit": "", "basis": "setting",
         "meaning": scenario.state_text(solve=solve), "figure": "", "status": "model setting",
         "source": ""}]
    for part in PARTS:
        rows += _rows(getattr(scenario, part), part + ".")
    if scenario.state == "what-if":
        for row in rows:
            if row["parameter"] == "market.observed_annual_churn":
                row["meaning"] = ("today's observed annual churn, which today's baseline churn "
                                  "was solved from; this what-if's own churn differs")
    idle = _idle(scenario)
    for row in rows:
        why = idle.get(row["parameter"])
        if why is not None:
            row["status"] = NOT_IN_FORCE
            row["meaning"] += f" (not in force here: {why})"
    if scenario.desk is not None:
        rows += _rows(scenario.desk, "desk.")
    # what the engine actually uses, derived from the numbers above
    stay = scenario.complaints.stay()
    for group, s in stay.items():
        rows.append({"parameter": f"derived.stay_{group}", "value": round(s, 6),
                     "unit": "probability", "basis": "figure", "figure": "repurchase_by_outcome",
                     "status": _figures.get("repurchase_by_outcome").status,
                     "source": _figures.get("repurchase_by_outcome").source,
                     "meaning": f"stated probability of buying again, {group.replace('_', ' ')}"})
    derived = [("derived.acquisition_cost", scenario.economics.acquisition_cost, "money",
                "cost of one marketing acquisition (ratio x retention cost)")]
    if solve:  # the order of the full table: baseline churn, acquisition cost, leave rates
        solved = _solved_rows(scenario)
        derived = [solved[0], *derived, *solved[1:]]
        if scenario.reviews.enabled:  # the rating's long-run state, by the mean field
            derived += [
                ("derived.review_steady_rating", steady_rating(scenario), "stars",
                 "average rating today's service and post shares hold in the long run (mean "
                 "field); the rating drifts there from reviews.initial_rating"),
                ("derived.review_steady_count", steady_count(scenario), "reviews",
                 "reviews today's posting keeps standing in the long run, at the start's "
                 "customers (compare reviews.initial_reviews)")]
    for name, value, unit, meaning in derived:
        rows.append({"parameter": name, "value": value, "unit": unit, "meaning": meaning,
                     "basis": "derived", "figure": "", "status": "derived", "source": ""})
    rows += calendar_rows(scenario.calendar)
    for i, iv in enumerate(scenario.interventions):
        for key, v in iv.changes.items():
            rows.append({"parameter": f"interventions[{i}].{key}", "value": v,
                         "unit": iv.how.get(key, "set"), "basis": "client", "figure": "",
                         "status": "client input", "source": "",
                         "meaning": f"'{iv.name}' from {iv.start:g} yr, "
                                    f"{iv.cost_per_year:,.0f}/yr + {iv.one_off_cost:,.0f} once"})
    df = pd.DataFrame(rows).set_index("parameter")
    return df[["value", "unit", "status", "figure", "source", "basis", "meaning"]]
