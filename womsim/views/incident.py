"""Views of an incident's cost: the HTML summary and the damage-over-time plot.

Duck-typed on :class:`womsim.analysis.incident.IncidentCost` (``summary()``, ``damage()``,
``duration()``, ``incident``, ``scenario``, ``start``); nothing here runs a model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from womsim.views.display import (
    CSS,
    _esc,
    _money_header,
    _table,
    fmt_count,
    fmt_interval,
    fmt_money,
    html_fragment,
)
from womsim.views.style import PALETTE, SERIES, _axes, money_axis, style

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["incident_html", "plot_incident"]


def incident_html(cost: Any) -> str:
    """The headline sentence and the table of :meth:`IncidentCost.summary`.

    Examples
    --------
    >>> import womsim as wom
    >>> sc = wom.Scenario.preset("telecom").replace(**{"market.people": 2000,
    ...                                                 "simulation.horizon_years": 0.5})
    >>> fault = wom.Incident("fault", raises="problems", multiplier=2, start="4 weeks",
    ...                      duration="2 weeks")
    >>> "value lost" in incident_html(wom.incident_cost(sc, fault, runs=2, seed=1,
    ...                                                 executor="serial"))
    True
    """
    s = cost.summary()
    cur = cost.currency
    v, d = s.loc["value_lost"], s.loc["damage_months"]
    level = f"{cost.level:.0%}"
    head = html_fragment(
        "<p class='wom-head'><b>{} cost {}</b> in value ({} CI {}): a present value at the "
        "start of the {:g} years simulated and the remaining lifetimes of the customers held "
        "at their end, against the same market without it (paired runs). It did its damage "
        "over {} months ({} to {}){}.</p>",
        repr(cost.incident), fmt_money(v["mean"], cur), level,
        fmt_interval(v["ci_low"], v["ci_high"], "money", cur),
        cost.scenario.simulation.horizon_years, f"{d['mean']:.3g}", f"{d['ci_low']:.3g}",
        f"{d['ci_high']:.3g}", ", at least: the horizon cut it short"
        if "censored" in str(d["meaning"]) else "")
    rows = []
    for name, r in s.iterrows():
        unit = str(r["unit"])
        if unit == "money":
            shown, ci = fmt_money(r["mean"]), fmt_interval(r["ci_low"], r["ci_high"], "money")
        elif unit == "months":
            shown = f"{r['mean']:.3g}"
            ci = f"{r['ci_low']:.3g} to {r['ci_high']:.3g}"
        else:
            shown, ci = fmt_count(r["mean"]), fmt_interval(r["ci_low"], r["ci_high"], unit)
        rows.append([_esc(str(name).replace("_", " ")), shown,
                     html_fragment("<span class='ci'>{}</span>", ci),
                     _esc(unit if unit != "money" else cur), _esc(r["meaning"])])
    table = _table(rows, ["figure", _money_header("value", "") or "value", f"{level} CI",
                          "unit", "meaning"], "what the incident cost", text_cols=(0, 3, 4),
                   wrap_cols=(4,), css=False)
    return "".join([CSS, str(head), table])


def plot_incident(cost: Any, ax: Axes | None = None) -> Axes:
    """Cumulative damage over time (mean and interval band), the incident shaded, the end of
    its damage marked and the value lost at the horizon. Returns the axes.

    Examples
    --------
    >>> import womsim as wom
    >>> sc = wom.Scenario.preset("telecom").replace(**{"market.people": 2000,
    ...                                                 "simulation.horizon_years": 0.5})
    >>> fault = wom.Incident("fault", raises="problems", multiplier=2, start="4 weeks",
    ...                      duration="2 weeks")
    >>> ax = wom.incident_cost(sc, fault, runs=2, seed=1, executor="serial").plot()
    >>> ax.get_xlabel()
    'years from the start'
    """
    # views.plots loads matplotlib: only when a plot is drawn
    ax = _axes(ax, (7, 4))
    d = cost.damage()
    s = cost.summary()
    inc = cost.incident
    x = d["time"].to_numpy()
    color = SERIES[1 % len(SERIES)]
    ax.plot(x, d["cumulative"], lw=2, color=color, label="cumulative damage done")
    ax.fill_between(x, d["cumulative_low"], d["cumulative_high"], color=color, alpha=0.2,
                    lw=0, label=f"{cost.level:.0%} interval of the mean")
    end = cost.start + inc.duration
    ax.axvspan(cost.start, end, color=PALETTE.get("grid", "#cccccc"), alpha=0.5, lw=0,
               label=f"'{inc.name}' at full size")
    if inc.ramp_down:
        ax.axvspan(end, end + inc.ramp_down, color=PALETTE.get("grid", "#cccccc"), alpha=0.25,
                   lw=0, label="easing off")
    months = float(s.loc["damage_months", "mean"])
    ax.axvline(cost.start + months / 12, color="#5c6770", lw=1, ls="--",
               label=f"damage done after {months:.3g} month{'' if months == 1 else 's'}")
    v = s.loc["value_lost"]
    horizon = cost.scenario.simulation.horizon_years
    ax.errorbar([horizon], [v["mean"]], yerr=[[v["mean"] - v["ci_low"]],
                                             [v["ci_high"] - v["mean"]]],
                fmt="o", color="#33404a", capsize=3,
                label="value lost (horizon + lifetimes)")
    money_axis(ax)
    style(ax, title=f"What '{inc.name}' cost, over time", xlabel="years from the start",
          ylabel=f"damage ({cost.currency}, present value)", legend=True,
          subtitle=f"paired runs with and without it ({cost.without.n_runs} each); band: "
                   "interval of the mean")
    return ax
