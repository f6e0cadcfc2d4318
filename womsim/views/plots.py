"""Plots: matplotlib, ``ax=`` in, axes out, one consistent style.

Every plot takes an optional ``ax`` (a new figure is made when it is None), draws on it,
applies :func:`style` (the house style: no top and right frame, a light grid behind the data,
left-aligned titles, small grey ticks) and returns the axes. Nothing here changes
matplotlib's global settings (``rcParams``) or calls ``plt.show()``: in a notebook the figure
shows itself, in a script call ``plt.show()`` or ``ax.figure.savefig(...)``.

Colours come from one palette (:data:`PALETTE`, :data:`SERIES`): losses and negative word of
mouth in red, gains and positive word of mouth in green, totals in dark slate, scenarios in a
fixed order so that "today" has the same colour in every chart of a report. The palette and
the style are :mod:`womsim.views.style`'s; the word-of-mouth picture is
:mod:`womsim.views.wordofmouth`'s.

A plot draws what it is given (results are duck-typed) and never runs a model: units come
from the scenario's static parameter metadata (``assumptions(solve=False)``).

Examples
--------
>>> import womsim as wom
>>> from womsim.views.plots import plot_load_curve
>>> ax = plot_load_curve(wom.ServiceDesk(agents=2), loads=[0, 20_000, 40_000], days=1)
>>> ax.get_ylabel()
'share'
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from womsim.core.metrics import HEADLINES
from womsim.views.formatting import unit_kind
from womsim.views.style import (
    _FLOW,
    _MONEY,
    _SHARE,
    FLAGGED_STATUS,
    LABELS,
    PALETTE,
    SERIES,
    _axes,
    _money,
    _money_formatter,
    label,
    money_axis,
    percent_axis,
    series_colors,
    style,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from womsim.views.style import MoneyFormatter

# the style's names are re-exported: this module was their home before views/style.py
__all__ = [
    "FLAGGED_STATUS",
    "LABELS",
    "PALETTE",
    "SERIES",
    "MoneyFormatter",
    "label",
    "money_axis",
    "percent_axis",
    "plot_damage",
    "plot_load_curve",
    "plot_overview",
    "plot_sweep",
    "plot_timeseries",
    "plot_tornado",
    "plot_waterfall",
    "series_colors",
    "style",
]


def __getattr__(name: str) -> Any:
    """``MoneyFormatter``, re-exported without importing matplotlib before a chart needs
    it (see :mod:`womsim.views.style`).

    Examples
    --------
    >>> from womsim.views.plots import MoneyFormatter
    >>> MoneyFormatter()(25_000)
    '25,000'
    """
    if name == "MoneyFormatter":
        return _money_formatter()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _ensembles(obj: Any) -> dict[str, Any]:
    """A mapping name -> Ensemble from an Ensemble, a Comparison, a LostRevenue or a dict."""
    if isinstance(obj, Mapping):
        return dict(obj)
    if hasattr(obj, "comparison"):  # LostRevenue
        obj = obj.comparison
    if hasattr(obj, "ensembles") and isinstance(obj.ensembles, Mapping):  # Comparison
        return dict(obj.ensembles)
    if hasattr(obj, "timeseries") and hasattr(obj, "scenario"):  # Ensemble
        return {obj.scenario.name: obj}
    raise TypeError(f"expected ensembles (a dict, an Ensemble or a Comparison), got "
                    f"{type(obj).__name__}")


def _step_text(ens: Any) -> str:
    days = ens.scenario.simulation.step_days
    return "per week" if days == 7 else f"per {days:g} days"


# --------------------------------------------------------------------------- time series
def plot_timeseries(ensembles: Mapping[str, Any] | Any, metric: str = "customers",
                    ax: Axes | None = None, band: float = 0.90) -> Axes:
    """Mean line and band of runs over time for one or more ensembles. Returns the axes.

    Parameters
    ----------
    ensembles : dict of name -> Ensemble, or an Ensemble, Comparison or LostRevenue
        One line per scenario, coloured in order (the reference first).
    metric : str
        A per-step record (see :data:`womsim.engine.step.RECORDS`): ``customers``, ``revenue``...
        Flows (revenue, defections...) are per step, stocks (customers) at the step's end.
    band : float
        The central share of runs shaded around the mean (0.90: from the 5th to the 95th
        percentile of runs at each step). It shows how much one run varies, not the
        uncertainty of the mean.

    Examples
    --------
    >>> import womsim as wom
    >>> sc = wom.Scenario().replace(**{"market.people": 2000, "simulation.horizon_years": 0.5})
    >>> ax = plot_timeseries({"today": wom.simulate(sc, runs=3, seed=1)}, "customers")
    >>> ax.get_ylabel()
    'customers'
    """
    named = _ensembles(ensembles)
    ax = _axes(ax, (7, 4))
    colors = series_colors(list(named))
    first = next(iter(named.values()))
    for series, ens in named.items():
        ts = ens.timeseries([metric], band=band)[metric]
        ax.plot(ts.index, ts["mean"], label=series, lw=2, color=colors[series])
        ax.fill_between(ts.index, ts["low"], ts["high"], color=colors[series], alpha=0.18,
                        lw=0)
    name = metric.replace("_", " ")
    ylabel = name
    if metric in _MONEY:
        money_axis(ax)
        cur = first.scenario.economics.currency
        ylabel = f"{name} ({cur} {_step_text(first)})" if metric in _FLOW else f"{name} ({cur})"
    elif metric in _SHARE:
        percent_axis(ax)
    elif metric in _FLOW:
        ylabel = f"{name} {_step_text(first)}"
    style(ax, title=name[:1].upper() + name[1:] + " over time", xlabel="years",
          ylabel=ylabel, legend=True,
          subtitle=f"line: mean of {first.n_runs} runs; band: {band:.0%} of runs")
    return ax


def plot_overview(ensembles: Mapping[str, Any] | Any,
                  metrics: Sequence[str] = ("customers", "revenue"), axes: Any = None,
                  band: float = 0.90) -> np.ndarray:
    """Several metrics over time side by side (default: customers and revenue), one line and
    band per scenario. Returns the array of axes.

    Examples
    --------
    >>> import womsim as wom
    >>> sc = wom.Scenario().replace(**{"market.people": 2000, "simulation.horizon_years": 0.5})
    >>> axes = plot_overview(wom.simulate(sc, runs=2, seed=1))
    >>> [a.get_ylabel() for a in axes]
    ['customers', 'revenue (USD per week)']
    """
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(1, len(metrics), figsize=(5.2 * len(metrics), 3.8),
                               layout="constrained", squeeze=False)
        axes = axes[0]
    axes = np.atleast_1d(axes)
    if len(axes) != len(metrics):
        raise ValueError(f"{len(metrics)} metrics need {len(metrics)} axes, got {len(axes)}")
    for ax, metric in zip(axes, metrics, strict=True):
        plot_timeseries(ensembles, metric, ax=ax, band=band)
    return axes


# --------------------------------------------------------------------------- waterfall
def plot_waterfall(table: pd.DataFrame, ax: Axes | None = None, title: str = "", currency: str = "",
                   positive: str = "gain") -> Axes:
    """Waterfall of a by-cause table (rows = causes and ``total``; columns ``mean``,
    ``ci_low``, ``ci_high``). Returns the axes.

    Losses are red, gains green, the total dark with its 95% interval. ``positive`` says
    what a positive number is: ``"gain"`` (a comparison's difference, the default) or
    ``"loss"`` (value lost, as in :meth:`womsim.LostRevenue.by_cause`).
    Causes that are exactly zero (e.g. no intervention cost) are left out; the bars still add
    up to the total.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"mean": [70.0, 40.0, -10.0, 100.0], "ci_low": [0.0, 0, 0, 90],
    ...                   "ci_high": [0.0, 0, 0, 110]},
    ...                  index=["own experience", "word of mouth", "service cost", "total"])
    >>> ax = plot_waterfall(t, title="profit by cause")
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['own experience', 'word of mouth', 'service cost', 'total']
    """
    ax = _axes(ax, (8, 4.5))
    causes = [c for c in table.index if c != "total" and float(table.loc[c, "mean"]) != 0.0]
    vals = table.loc[causes, "mean"].to_numpy(dtype=float)
    starts = np.concatenate([[0.0], np.cumsum(vals)[:-1]])
    if positive not in ("gain", "loss"):
        raise ValueError(f"positive = {positive!r}: 'gain' or 'loss'")
    other = "loss" if positive == "gain" else "gain"
    colors = [PALETTE[positive] if v >= 0 else PALETTE[other] for v in vals]
    x = np.arange(len(causes) + 1)
    ax.bar(x[:-1], vals, bottom=starts, color=colors, width=0.7)
    total = table.loc["total"] if "total" in table.index else pd.Series(
        {"mean": vals.sum(), "ci_low": math.nan, "ci_high": math.nan})
    tmean = float(total["mean"])
    ax.bar(x[-1], tmean, color=PALETTE["ink"], width=0.7)
    # connectors: where each bar ends, the next begins
    ends = np.concatenate([starts + vals, [tmean]])
    for i in range(len(causes)):
        ax.plot([x[i] + 0.35, x[i + 1] - 0.35], [ends[i], ends[i]], color="#9aa3ab", lw=0.7)
    if not (math.isnan(float(total["ci_low"])) or math.isnan(float(total["ci_high"]))):
        ax.errorbar(x[-1], tmean, yerr=[[tmean - float(total["ci_low"])],
                                        [float(total["ci_high"]) - tmean]],
                    color="black", capsize=4, lw=1)
    span = max(float(np.max(np.abs(np.concatenate([ends, starts, [0.0]])))), 1e-12)
    texts = [_money(v) for v in np.concatenate([vals, [tmean]])]
    size, rotation = _label_fit(ax, len(x), max(len(t) for t in texts))
    ci_top = float(total["ci_high"]) if not math.isnan(float(total["ci_high"])) else tmean
    for xi, top, text in zip(x, np.concatenate([starts + np.maximum(vals, 0),
                                                [max(tmean, ci_top, 0.0)]]), texts,
                             strict=True):  # the total's label clears its interval
        ax.text(xi, top + 0.015 * span, text, ha="center", va="bottom",  # type: ignore[arg-type]  # numpy integer x: stubs want float
                fontsize=size, rotation=rotation, color="#33404a")
    ax.axhline(0, color="#6b7680", lw=0.8)
    ax.margins(y=0.12)
    ax.set_xticks(x, [*causes, "total"], rotation=30, ha="right")
    money_axis(ax)
    what = ("value lost" if positive == "loss" else "value gained") + ", present value"
    style(ax, title=title or None, ylabel=what + (f" ({currency})" if currency else ""),
          grid="y", legend=False,
          subtitle=("red: value lost, green: value won" if positive == "loss" else
                    "green: value gained, red: value lost")
          + "; the causes add up to the total (bar with its 95% CI)")
    # room above the tallest bar for its label and below the lowest (never touching)
    both = np.concatenate([starts, ends, [ci_top]])
    lo, hi = min(0.0, float(np.min(both))), max(0.0, float(np.max(both)))
    pad = 0.1 * max(hi - lo, 1e-12)
    # the labels' own height, as a share of the axes (upright: one line; turned: its length)
    tall = (0.6 * size * max(len(t) for t in texts) if rotation else 1.4 * size) / 72
    fig_h = ax.figure.get_figheight()  # type: ignore[union-attr]  # stubs: Figure | SubFigure
    frac = min(0.5, tall / max(ax.get_position().height * fig_h * 0.8,
                               1e-3))
    top = hi + max(pad, (hi - lo) * (frac + 0.04) / (1 - frac - 0.04))
    ax.set_ylim(lo - (pad if lo < 0 else 0.0), top)
    return ax


def _label_fit(ax, bars: int, chars: int) -> tuple[float, float]:
    """Font size and rotation for labels above ``bars`` bars so that neighbours never touch
    (a character is about 0.6 of the font size wide; the axes lose ~15% to the layout)."""
    fig = ax.figure
    width_in = ax.get_position().width * fig.get_figwidth() * 0.85
    per_bar = width_in / max(bars, 1)
    size = min(8.0, 0.9 * per_bar * 72 / (0.6 * max(chars, 1)))
    return (size, 0.0) if size >= 6 else (7.0, 90.0)


# --------------------------------------------------------------------------- tornado
def plot_tornado(sensitivity: Any, ax: Axes | None = None, base: float | None = None,
                 metric: str | None = None, currency: str = "") -> Axes:
    """Tornado chart of a one-at-a-time sensitivity, widest swing on top. Returns the axes.

    Parameters
    ----------
    sensitivity : Sensitivity or DataFrame
        :func:`womsim.sensitivity`'s result, or its table (then give ``base``).
    base, metric
        The result at today's values and its name (taken from a Sensitivity).

    Parameters whose range rests on an unverified figure or an illustrative choice are
    labelled in amber with a ``*``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"low": [5.0], "high": [13.0], "at_low": [80.0], "at_high": [120.0],
    ...                   "swing": [40.0], "status": ["verified"]},
    ...                  index=pd.Index(["word_of_mouth.negative_mean"], name="parameter"))
    >>> ax = plot_tornado(t, base=100.0, metric="profit_lost")
    >>> ax.get_xlabel()
    'profit lost'
    """
    if isinstance(sensitivity, pd.DataFrame):
        table = sensitivity
        if base is None:
            raise ValueError("plot_tornado: give base= with a table")
        metric = metric or "result"
    else:
        table = sensitivity.table()
        base = sensitivity.base if base is None else base
        metric = metric or sensitivity.metric
    t = table.sort_values("swing", ascending=True)
    ax = _axes(ax, (10, 0.45 * len(t) + 1.9))
    y = np.arange(len(t))
    ax.barh(y, t["at_low"] - base, left=base, color=PALETTE["low"], height=0.6,
            label="parameter at its low end")
    ax.barh(y, t["at_high"] - base, left=base, color=PALETTE["high"], height=0.6,
            label="parameter at its high end")
    ax.axvline(base, color="black", lw=1)
    status = t["status"] if "status" in t.columns else pd.Series("", index=t.index)
    labels = [f"{label(p)}  [{lo:g} – {hi:g}]" + (" *" if s in FLAGGED_STATUS else "")
              for p, lo, hi, s in zip(t.index, t["low"], t["high"], status, strict=True)]
    ax.set_yticks(y, labels)
    money_axis(ax, "x")
    name = metric.replace("_", " ")
    flagged = bool(status.isin(list(FLAGGED_STATUS)).any())
    style(ax, title=f"What moves {name} most", xlabel=name + (f" ({currency})" if currency
                                                                  else ""),
          grid="x", legend=False,
          subtitle=f"line: today's values ({_money(base)}{' ' + currency if currency else ''})"
          + ("\n* amber: the range rests on an unverified or illustrative number" if flagged
             else ""))
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
    for tick, st in zip(ax.get_yticklabels(), status, strict=True):  # after style's colours
        if st in FLAGGED_STATUS:
            tick.set_color(PALETTE["flag"])
            tick.set_fontweight("bold")
    ax.legend(frameon=False, fontsize=8.5, loc="lower right")
    return ax


# --------------------------------------------------------------------------- sweep
def plot_sweep(sweep: Any, metric: str = "profit", x: str | None = None,
               ax: Axes | None = None) -> Axes:
    """A metric against a swept parameter (one line per value of a second one), with the
    95% interval of the mean as a band. Returns the axes.

    Examples
    --------
    >>> import womsim as wom
    >>> sc = wom.Scenario.preset("telecom").replace(**{"market.people": 2000,
    ...                                                 "simulation.horizon_years": 0.5})
    >>> sw = wom.sweep(sc, {"service.problem_rate": [0.05, 0.15]}, runs=2, seed=1,
    ...                executor="serial")
    >>> plot_sweep(sw).get_xlabel()
    'share of contacts with a problem'
    """
    x = x or sweep.params[0]
    ax = _axes(ax, (7, 4))
    s = sweep.summary([metric])
    others = [p for p in sweep.params if p != x]
    groups = list(s.groupby(others)) if others else [(None, s)]
    for i, (key, g) in enumerate(groups):
        g = g.sort_values(x)
        name = None if key is None else ", ".join(
            f"{label(o)} = {v:g}" if isinstance(v, (int, float, np.number)) else
            f"{label(o)} = {v}" for o, v in zip(others, np.atleast_1d(key), strict=True))
        color = SERIES[i % len(SERIES)]
        ax.plot(g[x], g[metric], marker="o", ms=4, lw=2, color=color, label=name)
        ax.fill_between(g[x], g[f"{metric}_ci_low"], g[f"{metric}_ci_high"], color=color,
                        alpha=0.18, lw=0)
    unit = HEADLINES.get(metric, ("",))[0]
    base = sweep.ensembles[0].scenario
    try:
        if unit_kind(str(base.assumptions(solve=False).loc[x, "unit"])) == "share":
            percent_axis(ax, "x")
    except KeyError:
        pass
    name = metric.replace("_", " ")
    ylabel = name
    if metric in _MONEY or unit == "money":
        money_axis(ax)
        ylabel = f"{name} ({sweep.ensembles[0].scenario.economics.currency})"
    elif unit.startswith("share"):
        percent_axis(ax)
    n = sweep.ensembles[0].n_runs
    style(ax, title=f"{name[:1].upper() + name[1:]} by {label(x)}", xlabel=label(x),
          ylabel=ylabel,
          legend=bool(others), subtitle=f"mean of {n} runs per point; band: 95% CI")
    return ax


# --------------------------------------------------------------------------- service desk
def plot_load_curve(desk: Any, ax: Axes | None = None, loads: Any = None, days: float | None = None,
                    seed: int = 0, mark: float | None = None) -> Axes:
    """The service desk under load: problem share, service level and agent utilisation (and
    abandonment) against the load, with the desk's nominal capacity marked. Returns the axes.

    Parameters
    ----------
    desk : ServiceDesk
    loads, days, seed
        As in :meth:`womsim.ServiceDesk.load_curve` (default: the cached curve the engine
        uses).
    mark : float, optional
        A load to mark (e.g. today's: customers x contact rate), in issues per year.

    Examples
    --------
    >>> import womsim as wom
    >>> ax = plot_load_curve(wom.ServiceDesk(agents=2), loads=[0, 20_000, 40_000], days=1,
    ...                      mark=25_000)
    >>> [l.get_label() for l in ax.get_lines()][:3]
    ['problem share', 'service level', 'utilisation']
    """
    curve = desk.load_curve(loads=loads, days=days, seed=seed)
    ax = _axes(ax, (7, 4))
    x = curve.index.to_numpy(dtype=float)
    ax.plot(x, curve["problem"], color=PALETTE["loss"], lw=2.2, label="problem share")
    ax.plot(x, curve["service_level"], color=PALETTE["gain"], lw=2, label="service level")
    ax.plot(x, curve["utilisation"], color=PALETTE["ink"], lw=2, label="utilisation")
    ax.plot(x, curve["abandonment_rate"], color=PALETTE["loss"], lw=1.2, ls="--",
            label="abandoned")
    cap = desk.capacity_contacts_per_year()
    if math.isfinite(cap) and x.min() <= cap <= x.max():
        ax.axvline(cap, color="#6b7680", lw=0.9, ls=":")
        ax.text(cap, 0.99, " capacity", color="#4a545d", fontsize=8, va="top",
                transform=ax.get_xaxis_transform())
    if mark is not None:
        ax.axvline(mark, color=PALETTE["accent"], lw=2, alpha=0.9)
        ax.text(mark, 0.5, f" load {_money(mark)}/yr", color="#7a5c00", fontsize=8,
                rotation=90, va="center", transform=ax.get_xaxis_transform())
    ax.set_ylim(0, 1.05)
    percent_axis(ax, decimals=0)
    money_axis(ax, "x")
    ax.legend(frameon=False, fontsize=8.5, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    style(ax, title=f"Service desk of {desk.agents} agents under load",
          xlabel="load (issues per year)", ylabel="share", legend=False,
          subtitle=f"service level: answered within {desk.service_level_seconds:g} s; "
                   "simulated (SimPy) at each load, interpolated in between")
    return ax


# --------------------------------------------------------------------------- market damage
_DAMAGE_BARS = (("lost_directly", "own experience", "loss"),
                ("lost_wom", "word of mouth (customers)", "loss"),
                ("sales_forgone", "prospects deterred", "loss"),
                ("winbacks_forgone", "win-backs forgone", "loss"),
                ("referrals", "referrals won", "gain"))


def plot_damage(damage: Any, ax: Axes | None = None) -> Axes:
    """The analytic market damage as bars: customers lost by route, referrals won, and the
    revenue at risk in the title. Returns the axes.

    Examples
    --------
    >>> import womsim as wom
    >>> ax = plot_damage(wom.market_damage(wom.Scenario.preset("telecom")))
    >>> len(ax.patches)
    5
    """
    ax = _axes(ax, (6.5, 3.2))
    labels, vals, colors = [], [], []
    for key, bar, kind in _DAMAGE_BARS:
        if key in damage:
            v = float(damage[key])
            labels.append(bar)
            vals.append(-v if kind == "gain" else v)
            colors.append(PALETTE[kind])
    y = np.arange(len(vals))[::-1]
    ax.barh(y, vals, color=colors, height=0.6)
    span = max(max((abs(v) for v in vals), default=0.0), 1e-12)
    for yi, v in zip(y, vals, strict=True):
        ax.text(v + (0.01 if v >= 0 else -0.01) * span, yi, f"{abs(v):,.0f}", va="center",
                ha="left" if v >= 0 else "right", fontsize=8, color="#33404a")
    ax.set_yticks(y, labels)
    ax.axvline(0, color="#6b7680", lw=0.8)
    ax.set_xlim(min(min(vals, default=0) * 1.25, 0), max(max(vals, default=0) * 1.25,
                                                         1e-9))
    head = ""
    if "revenue_at_risk" in damage:
        head = f"{_money(float(damage['revenue_at_risk']))} {damage.currency} revenue at risk"
    style(ax, title=head or "Market damage", xlabel="customers (referrals won count against)",
          grid="x", legend=False, subtitle=getattr(damage, "title", None))
    return ax
