"""How a break-even result shows: its table in a notebook and its chart.

Duck-typed on the result (``table()``, ``comparison``); never runs a model.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from womsim.views.display import _table, fmt_money, fmt_value
from womsim.views.plots import money_axis

__all__ = ["break_even_html", "plot_break_even"]


def _currency(be: Any) -> str:
    try:
        ref = be.comparison.ensembles[be.comparison.reference]
        return str(ref.scenario.economics.currency)
    except (AttributeError, KeyError):
        return ""


def break_even_html(be: Any) -> str:
    """The break-even yearly cost with its interval and the figures it rests on.

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace
    >>> t = pd.Series({"gain_pv": 900.0, "active_years": 1.0, "annuity_factor": 0.9,
    ...                "max_cost_per_year": 1000.0, "ci_low": 800.0, "ci_high": 1200.0})
    >>> "1,000" in break_even_html(SimpleNamespace(table=lambda: t, comparison=None))
    True
    """
    t = be.table()
    cur = _currency(be)
    rows = [["worth paying per year, at most", fmt_money(t["max_cost_per_year"], cur),
             f"{fmt_money(t['ci_low'], cur)} to {fmt_money(t['ci_high'], cur)}"],
            ["gain in value (present value at the start, remaining lifetimes included)",
             fmt_money(t["gain_pv"], cur), ""],
            ["discounted years of paying (paying 1 a year is worth this)",
             fmt_value(t["annuity_factor"]), ""],
            ["years the improvement is active within the horizon",
             fmt_value(t["active_years"]), ""]]
    return _table(rows, ["", "value", "95% interval"],
                  caption="Break-even: the most the improvement is worth per year "
                          "(paying it gives an ROI of 0)", wrap_cols=(0,))


def plot_break_even(be: Any, ax: Any = None) -> Any:
    """Net gain in value against what the improvement costs per year: it crosses zero at
    the break-even cost (shaded: its 95% interval). Returns the axes.

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace
    >>> t = pd.Series({"gain_pv": 900.0, "active_years": 1.0, "annuity_factor": 0.9,
    ...                "max_cost_per_year": 1000.0, "ci_low": 800.0, "ci_high": 1200.0})
    >>> ax = plot_break_even(SimpleNamespace(table=lambda: t, comparison=None))
    >>> ax.get_xlabel()
    'cost of the improvement per year'
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    t = be.table()
    m, a = float(t["max_cost_per_year"]), float(t["annuity_factor"])
    top = max(1.5 * m, float(t["ci_high"]) * 1.1, 1.0) if np.isfinite(m) else 1.0
    cost = np.linspace(0.0, top, 50)
    ax.plot(cost, float(t["gain_pv"]) - cost * a, color="C0",
            label="net gain (present value at the start)")
    ax.axhline(0.0, color="0.5", lw=0.8)
    if np.isfinite(t["ci_low"]) and np.isfinite(t["ci_high"]):
        ax.axvspan(float(t["ci_low"]), float(t["ci_high"]), color="C0", alpha=0.15,
                   label="95% interval of the break-even cost")
    ax.axvline(m, color="C0", ls="--", lw=1)
    cur = _currency(be)
    ax.set_xlabel("cost of the improvement per year")
    ax.set_ylabel(f"net gain in value ({cur})" if cur else "net gain in value")
    ax.set_title(f"break-even at {fmt_money(m, cur)} per year")
    money_axis(ax, "x")
    money_axis(ax, "y")
    ax.legend(loc="best", fontsize="small")
    return ax
