"""HTML for notebooks: compact tables, money and percentages formatted for a client."""

from __future__ import annotations

import html
import math

import pandas as pd

__all__ = ["ensemble_html", "fmt_value", "scenario_html"]

_STYLE = ("<style>.wom td,.wom th{padding:2px 8px;text-align:right}"
          ".wom td:first-child,.wom th:first-child{text-align:left}"
          ".wom caption{text-align:left;font-weight:bold}</style>")


def fmt_value(value, unit: str = "") -> str:
    """Format a number for people: money with separators, shares as percentages.

    Examples
    --------
    >>> fmt_value(0.125, "share")
    '12.5%'
    >>> fmt_value(1234567.8, "money")
    '1,234,568'
    """
    if value is None:
        return "none"
    if isinstance(value, float) and math.isnan(value):
        return "n/a"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return html.escape(str(value))
    if unit.startswith("share") or unit.startswith("probability"):
        return f"{value:.1%}"
    if unit.startswith("money") or abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:,.4g}"


def _table(df: pd.DataFrame, caption: str) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in [df.index.name or "", *df.columns])
    body = "".join(
        "<tr>" + f"<td>{html.escape(str(i))}</td>" + "".join(f"<td>{v}</td>" for v in row)
        + "</tr>" for i, row in zip(df.index, df.itertuples(index=False), strict=True))
    return (f"{_STYLE}<table class='wom'><caption>{html.escape(caption)}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def scenario_html(scenario) -> str:
    """Parameters grouped by part, with unit, status and source."""
    a = scenario.assumptions()
    shown = pd.DataFrame({
        "value": [fmt_value(v, u) for v, u in zip(a["value"], a["unit"], strict=True)],
        "unit": a["unit"], "status": a["status"],
        "source": [s[:60] + ("…" if len(s) > 60 else "") for s in a["source"]]},
        index=a.index)
    return _table(shown, repr(scenario))


def ensemble_html(ens) -> str:
    """Headline metrics with mean and 95% interval."""
    s = ens.summary()
    shown = pd.DataFrame({
        "mean": [fmt_value(v, u) for v, u in zip(s["mean"], s["unit"], strict=True)],
        "95% CI of mean": [f"{fmt_value(lo, u)} – {fmt_value(hi, u)}" for lo, hi, u in
                           zip(s["ci_low"], s["ci_high"], s["unit"], strict=True)],
        "meaning": s["meaning"]}, index=s.index)
    return _table(shown, f"{ens.scenario.name}: {ens.n_runs} runs, "
                         f"{ens.scenario.market.people:,} people, "
                         f"{ens.scenario.simulation.horizon_years:g} years")
