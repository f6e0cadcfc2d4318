"""Plots: matplotlib, ``ax=`` in, axes out, one consistent style."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter

__all__ = ["money_axis", "plot_timeseries"]

_MONEY = {"revenue", "margin", "profit", "discounted_profit", "acquisition_spend",
          "service_cost", "intervention_cost"}


def _money(x: float, _pos=None) -> str:
    a = abs(x)
    for div, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if a >= div:
            return f"{x / div:,.1f}{suffix}"
    return f"{x:,.0f}"


def money_axis(ax, axis: str = "y"):
    """Format an axis as money (1.2m, 350k). Returns the axes."""
    fmt = FuncFormatter(_money)
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)
    return ax


def plot_timeseries(ensembles: Mapping[str, object], metric: str = "customers", ax=None,
                    band: float = 0.90):
    """Mean line and band of runs over time for one or more ensembles. Returns the axes.

    Examples
    --------
    >>> import womsim as wom
    >>> sc = wom.Scenario().replace(**{"market.people": 2000, "simulation.horizon_years": 0.5})
    >>> ax = plot_timeseries({"today": wom.simulate(sc, runs=3, seed=1)}, "customers")
    >>> ax.get_ylabel()
    'customers'
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    for label, ens in ensembles.items():
        ts = ens.timeseries([metric], band=band)[metric]
        line, = ax.plot(ts.index, ts["mean"], label=label, lw=2)
        ax.fill_between(ts.index, ts["low"], ts["high"], color=line.get_color(), alpha=0.2,
                        lw=0)
    ax.set_xlabel("years")
    ax.set_ylabel(metric.replace("_", " "))
    if metric in _MONEY:
        money_axis(ax)
    ax.set_title(f"{metric.replace('_', ' ')}: mean and {band:.0%} of runs")
    ax.grid(alpha=0.3)
    if len(ensembles) > 1 or any(ensembles):
        ax.legend(frameon=False)
    return ax
