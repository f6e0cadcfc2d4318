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


def comparison_html(cmp) -> str:
    """Differences from the reference for the main metrics, with paired intervals."""
    s = cmp.summary()
    keep = ["customers_end", "revenue", "profit", "npv", "annual_churn", "defections",
            "acquisitions"]
    s = s[s.index.get_level_values("metric").isin(keep)]
    shown = pd.DataFrame({
        "reference": [fmt_value(v, u) for v, u in zip(s["reference"], s["unit"], strict=True)],
        "scenario": [fmt_value(v, u) for v, u in zip(s["value"], s["unit"], strict=True)],
        "difference": [fmt_value(v, u) for v, u in zip(s["difference"], s["unit"],
                                                       strict=True)],
        "95% CI": [f"{fmt_value(lo, u)} – {fmt_value(hi, u)}" for lo, hi, u in
                   zip(s["ci_low"], s["ci_high"], s["unit"], strict=True)]},
        index=[" / ".join(i) for i in s.index])
    shown.index.name = "scenario / metric"
    return _table(shown, f"compared with '{cmp.reference}' (paired runs)")


def lost_revenue_html(lr) -> str:
    """The headline, the split by cause and the per-incident prices."""
    t = lr.total()
    head = (f"<p><b>Today's service costs {t['profit_lost']:,.0f} in profit</b> "
            f"(95% CI {t['ci_low']:,.0f} to {t['ci_high']:,.0f}) and "
            f"{t['revenue_lost']:,.0f} in revenue over {t['horizon_years']:g} years.</p>")
    bc = lr.by_cause()
    causes = pd.DataFrame({
        "profit": [fmt_value(v, "money") for v in bc["mean"]],
        "95% CI": [f"{fmt_value(lo, 'money')} – {fmt_value(hi, 'money')}" for lo, hi in
                   zip(bc["ci_low"], bc["ci_high"], strict=True)],
        "share": [fmt_value(v, "share") for v in bc["share"]]}, index=bc.index)
    pi = lr.per_incident()
    inc = pd.DataFrame({
        "profit lost": [fmt_value(v, "money") for v in pi["mean"]],
        "95% CI": [f"{fmt_value(lo, 'money')} – {fmt_value(hi, 'money')}" for lo, hi in
                   zip(pi["ci_low"], pi["ci_high"], strict=True)]}, index=pi.index)
    return head + _table(causes, "by cause") + _table(inc, "per incident")
