"""Plots: matplotlib, ``ax=`` in, axes out, one consistent style.

Every plot takes an optional ``ax`` (a new figure is made when it is None), draws on it,
applies :func:`style` (the house style: no top and right frame, a light grid behind the data,
left-aligned titles, small grey ticks) and returns the axes. Nothing here changes
matplotlib's global settings (``rcParams``) or calls ``plt.show()``: in a notebook the figure
shows itself, in a script call ``plt.show()`` or ``ax.figure.savefig(...)``.

Colours come from one palette (:data:`PALETTE`, :data:`SERIES`): losses and negative word of
mouth in red, gains and positive word of mouth in green, totals in dark slate, scenarios in a
fixed order so that "today" has the same colour in every chart of a report.

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
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.ticker import Formatter, MaxNLocator, PercentFormatter

__all__ = [
    "LABELS",
    "PALETTE",
    "SERIES",
    "MoneyFormatter",
    "WordOfMouthTrace",
    "demo_scenario",
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
    "plot_word_of_mouth",
    "series_colors",
    "style",
    "word_of_mouth_trace",
]

#: Named colours of the house style.
PALETTE: dict[str, str] = {
    "ink": "#264653",        # totals, text-like elements, customers
    "gain": "#2b9348",       # money gained / saved: green
    "loss": "#c0392b",       # money lost: red
    "negative": "#d62828",   # negative word of mouth
    "positive": "#2b9348",   # positive word of mouth
    "accent": "#e9c46a",
    "flag": "#b7791f",       # amber: labels resting on unverified or illustrative numbers
    "low": "#457b9d",        # tornado: parameter at its low end
    "high": "#f4a261",       # tornado: parameter at its high end
    "neutral": "#8d99ae",
    "light": "#d9dee3",
    "grid": "#b8bfc6",
}

#: Scenario colours, in order (the reference scenario first).
SERIES: tuple[str, ...] = ("#264653", "#e09f3e", "#6d597a", "#2a9d8f", "#457b9d", "#9e2a2b",
                           "#8ab17d", "#b5838d", "#577590", "#bc6c25")

_MONEY = {"revenue", "margin", "profit", "discounted_profit", "acquisition_spend",
          "service_cost", "intervention_cost", "customer_equity", "equity_revenue",
          "value_lost_experience", "value_lost_wom", "value_lost_baseline",
          "value_won_marketing", "value_won_referral", "value_won_winback", "value",
          "profit_pv", "fixed_cost", "equity_margin", "equity_service_cost",
          "equity_fixed_cost", "equity_intervention_cost", "equity_alt", "equity_noalt"}
_SHARE = {"problem_share", "annual_churn"}
_FLOW = {"revenue", "margin", "profit", "discounted_profit", "acquisition_spend",
         "service_cost", "fixed_cost", "intervention_cost", "contacts", "delighted",
         "satisfied", "problems",
         "silent", "complaints", "resolved_quickly", "resolved", "unresolved", "defections",
         "defect_experience", "defect_wom", "defect_baseline", "acquisitions", "acq_marketing",
         "acq_referral", "acq_winback", "newly_deterred", "neg_tellings_strong",
         "neg_tellings_weak", "pos_tellings_strong", "pos_tellings_weak"}
_MAX_PICTURE = 2_000
FLAGGED_STATUS = ("unverified", "illustrative")


# --------------------------------------------------------------------------- style
def _money(x: float, _pos: Any = None) -> str:
    """A compact amount for a bar label: 1.2m, 350k, 12.5."""
    a = abs(x)
    for div, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if a >= div:
            return f"{x / div:,.3g}{suffix}" if a < 100 * div else f"{x / div:,.0f}{suffix}"
    return f"{x:,.0f}" if a >= 100 else f"{x:,.3g}"


class MoneyFormatter(Formatter):
    """Money ticks that stay distinct and readable: full amounts with thousands separators
    under 100,000 (``25,000``), above in thousands, millions or billions with as many
    decimals as the tick spacing needs (``160k``, ``2.85m 2.90m 2.95m``, never
    ``2.8m 2.8m 2.9m``).

    Examples
    --------
    >>> f = MoneyFormatter()
    >>> f.set_locs([2.80e6, 2.85e6, 2.90e6])
    >>> [f(x) for x in f.ticks]
    ['2.80m', '2.85m', '2.90m']
    >>> f.set_locs([0, 25_000, 50_000])
    >>> f(25_000)
    '25,000'
    """

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix
        # not ``locs``: matplotlib's own attribute of that name is deprecated
        self._ticks: list[float] = []
        self._div, self._suffix, self._decimals = 1.0, "", 0

    @property
    def ticks(self) -> list[float]:
        """The tick positions last set by :meth:`set_locs`."""
        return list(self._ticks)

    def set_locs(self, locs) -> None:
        self._ticks = [float(x) for x in locs]
        finite = [abs(x) for x in self._ticks if math.isfinite(x)]
        top = max(finite, default=0.0)
        self._div, self._suffix = ((1e9, "bn") if top >= 1e9 else (1e6, "m") if top >= 1e6
                                   else (1e3, "k") if top >= 1e5 else (1.0, ""))
        steps = [abs(b - a) for a, b in zip(self._ticks, self._ticks[1:], strict=False)
                 if b != a]
        step = min(steps, default=top or 1.0) / self._div
        self._decimals = max(0, min(6, -math.floor(math.log10(step) + 1e-9))) if step else 0

    def __call__(self, x: float, pos: Any = None) -> str:
        if not self._ticks:  # called outside a drawing: this one value, 3 significant digits
            a = abs(x)
            if a >= 1e5:
                div, suffix = (1e9, "bn") if a >= 1e9 else (1e6, "m") if a >= 1e6 else (1e3, "k")
                return f"{self.prefix}{x / div:,.3g}{suffix}"
            return self.prefix + (f"{x:,.0f}" if a >= 100 else f"{x:,.3g}")
        v = x / self._div
        text = f"{v:,.{self._decimals}f}{self._suffix}" if x != 0 else "0"
        if text.startswith("-") and not any(ch in "123456789" for ch in text):
            text = text[1:]
        return self.prefix + text


def money_axis(ax, axis: str = "y"):
    """Format an axis as money (``250,000``, ``2.85m``; see :class:`MoneyFormatter`).
    Returns the axes.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> ax = money_axis(plt.figure().add_subplot())
    >>> isinstance(ax.yaxis.get_major_formatter(), MoneyFormatter)
    True
    """
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(MoneyFormatter())
    return ax


def percent_axis(ax, axis: str = "y", decimals: int | None = None):
    """Format an axis whose values are shares (0.25) as percentages (25%). Returns the axes.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> ax = percent_axis(plt.figure().add_subplot(), decimals=0)
    >>> ax.yaxis.get_major_formatter()(0.25)
    '25%'
    """
    fmt = PercentFormatter(1.0, decimals=decimals)
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)
    return ax


#: Parameters in words, for axes and legends (others: see :func:`label`).
LABELS: dict[str, str] = {
    "desk.agents": "agents at the service desk",
    "service.problem_rate": "share of contacts with a problem",
    "service.delight_rate": "share of contacts that delight",
    "service.contact_rate": "service contacts per customer a year",
    "complaints.complain_rate": "share of problems complained about",
    "complaints.resolved": "share of complaints resolved",
    "complaints.quick_share": "share of resolutions that are quick",
    "complaints.large_loss_share": "share of problems that are large losses",
    "complaints.intention_to_action": "share of intentions to leave acted on",
    "word_of_mouth.negative_mean": "people an unhappy customer tells",
    "word_of_mouth.negative_tail_share": "share of unhappy customers telling 20+",
    "word_of_mouth.positive_mean": "people a happy customer tells",
    "word_of_mouth.prospect_deter_prob": "chance bad word of mouth deters a prospect",
    "word_of_mouth.customer_defect_prob": "chance bad word of mouth makes a customer leave",
    "word_of_mouth.weak_tie_share": "share of tellings to acquaintances",
    "word_of_mouth.referral_prob": "chance good word of mouth wins a prospect",
    "word_of_mouth.deter_memory_years": "years a deterred prospect stays away",
    "word_of_mouth.retell_prob": "chance a story is passed on",
    "economics.acquisition_cost_ratio": "acquisition cost (x retention cost)",
    "economics.revenue_per_year": "revenue per customer a year",
    "economics.margin": "margin",
    "economics.discount_rate": "discount rate",
    "market.observed_annual_churn": "observed annual churn",
    "market.mean_degree": "friends per person",
    "market.people": "people in the market",
    "market.marketing_rate": "marketing acquisition rate",
}


def label(param: str) -> str:
    """A parameter's name in words for a chart: ``desk.agents`` -> ``agents at the service
    desk``; unknown names lose their dots and underscores.

    Examples
    --------
    >>> label("service.problem_rate"), label("market.winback_rate")
    ('share of contacts with a problem', 'winback rate (market)')
    """
    if param in LABELS:
        return LABELS[param]
    part, _, leaf = str(param).rpartition(".")
    words = leaf.replace("_", " ")
    return f"{words} ({part.replace('_', ' ')})" if part else words


_TITLE_KW = {"fontsize": 11, "fontweight": "bold", "color": "#1f2a33"}


def _house_set_title(ax, label: str, fontdict: Any = None, loc: str | None = None,
                     pad: float | None = None, *, y: float | None = None, **kwargs: Any):
    """``ax.set_title`` on a house-styled axes: whatever slot the caller asks for, the title
    takes the house title's place (left, above the subtitle), so none prints over another."""
    from matplotlib.axes import Axes

    for slot in ("center", "right"):
        Axes.set_title(ax, "", loc=slot)
    kw = {**_TITLE_KW, **(fontdict or {}), **kwargs}
    return Axes.set_title(ax, label, loc="left", pad=getattr(ax, "_wom_pad", 8), y=y, **kw)


def style(ax, title: str | None = None, xlabel: str | None = None, ylabel: str | None = None,
          grid: str | None = "y", legend: bool | None = None, subtitle: str | None = None):
    """Apply the house style to one axes (only to it: no global settings). Returns the axes.

    A title set later by the caller (``ax.set_title``, ``ax.set(title=...)``, any ``loc``)
    replaces the house title in its place, above the subtitle: titles never print over
    each other.

    Parameters
    ----------
    ax : matplotlib Axes
    title, xlabel, ylabel : str, optional
        Set when given.
    grid : {"y", "x", "both", None}
        Light grid lines behind the data.
    legend : bool, optional
        Draw a frameless legend (default: when some artist has a label).
    subtitle : str, optional
        A smaller grey line under the title (e.g. what the band means).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> ax = style(plt.figure().add_subplot(), title="profit", subtitle="mean of 20 runs")
    >>> _ = ax.set_title("set by the caller")
    >>> ax.get_title(loc="left"), ax.get_title(loc="center")
    ('set by the caller', '')
    """
    import functools

    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#9aa3ab")
        ax.spines[side].set_linewidth(0.8)
    ax.tick_params(colors="#4a545d", labelsize=9, length=3, width=0.8)
    ax.set_axisbelow(True)
    ax.grid(False)
    if grid:
        ax.grid(True, axis=grid, color=PALETTE["grid"], alpha=0.45, lw=0.6)
    old = getattr(ax, "_wom_subtitle", None)
    if subtitle is not None or title is not None:
        if old is not None:  # restyling replaces the subtitle rather than adding one
            old.remove()
            ax._wom_subtitle = None
        ax._wom_pad = 8 + 12 * (subtitle.count("\n") + 1) if subtitle else 8
    if subtitle:
        ax._wom_subtitle = ax.text(0, 1.01, subtitle, transform=ax.transAxes, fontsize=8.5,
                                   color="#5c6770", va="bottom", ha="left")
    ax.set_title = functools.partial(_house_set_title, ax)
    if title is not None:
        ax.set_title(title)
    elif ax.get_title(loc="center") or ax.get_title(loc="right"):
        ax.set_title(ax.get_title(loc="center") or ax.get_title(loc="right"))
    if xlabel is not None:
        ax.set_xlabel(xlabel, fontsize=9.5, color="#33404a")
    if ylabel is not None:
        ax.set_ylabel(ylabel, fontsize=9.5, color="#33404a")
    if legend is None:
        legend = bool([h for h in ax.get_legend_handles_labels()[1] if not h.startswith("_")])
    if legend:
        ax.legend(frameon=False, fontsize=9)
    return ax


def _axes(ax, figsize: tuple[float, float]):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def series_colors(names: Sequence[str]) -> dict[str, str]:
    """A colour per scenario name, in order (cycling through :data:`SERIES`).

    Examples
    --------
    >>> series_colors(["today", "fixed"])["today"] == SERIES[0]
    True
    """
    return {n: SERIES[i % len(SERIES)] for i, n in enumerate(names)}


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
def plot_timeseries(ensembles: Mapping[str, Any] | Any, metric: str = "customers", ax=None,
                    band: float = 0.90):
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
    for label, ens in named.items():
        ts = ens.timeseries([metric], band=band)[metric]
        ax.plot(ts.index, ts["mean"], label=label, lw=2, color=colors[label])
        ax.fill_between(ts.index, ts["low"], ts["high"], color=colors[label], alpha=0.18,
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
                  metrics: Sequence[str] = ("customers", "revenue"), axes=None,
                  band: float = 0.90):
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
def plot_waterfall(table: pd.DataFrame, ax=None, title: str = "", currency: str = "",
                   positive: str = "gain"):
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
        ax.text(xi, top + 0.015 * span, text, ha="center", va="bottom", fontsize=size,
                rotation=rotation, color="#33404a")
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
    frac = min(0.5, tall / max(ax.get_position().height * ax.figure.get_figheight() * 0.8,
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
def plot_tornado(sensitivity: Any, ax=None, base: float | None = None,
                 metric: str | None = None, currency: str = ""):
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
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
    for tick, st in zip(ax.get_yticklabels(), status, strict=True):  # after style's colours
        if st in FLAGGED_STATUS:
            tick.set_color(PALETTE["flag"])
            tick.set_fontweight("bold")
    ax.legend(frameon=False, fontsize=8.5, loc="lower right")
    return ax


# --------------------------------------------------------------------------- sweep
def plot_sweep(sweep: Any, metric: str = "profit", x: str | None = None, ax=None):
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
    from womsim.results import HEADLINES

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
        from womsim.views.display import unit_kind

        if unit_kind(str(base.assumptions().loc[x, "unit"])) == "share":
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
def plot_load_curve(desk: Any, ax=None, loads: Any = None, days: float | None = None,
                    seed: int = 0, mark: float | None = None):
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


def plot_damage(damage: Any, ax=None):
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
    for key, label, kind in _DAMAGE_BARS:
        if key in damage:
            v = float(damage[key])
            labels.append(label)
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


# --------------------------------------------------------------------------- word of mouth
@dataclass
class WordOfMouthTrace:
    """Who told whom over a few steps, and what it did to the listeners.

    Attributes
    ----------
    tellings : DataFrame
        One row per telling: ``step``, ``teller``, ``listener``, ``sign`` ("negative" or
        "positive"), ``tie`` ("strong": a friend on the graph; "weak": a random person),
        ``group`` (the teller's experience: silent, unresolved, delighted, resolved,
        resolved_quickly; "retold" for second-hand stories) and ``hop`` (1 = first-hand).
    people : DataFrame
        One row per person: ``status_start`` and ``status_end`` (prospect, customer,
        former) and what happened to them: ``told_negative``, ``told_positive``,
        ``heard_negative``, ``heard_positive``, ``deterred``, ``left_wom``,
        ``left_experience``, ``left_baseline``, ``referred`` (booleans).
    counts : DataFrame
        Per step, the engine's records for the same events (``neg_tellings_strong``,
        ``neg_tellings_weak``, ``pos_tellings_strong``, ``pos_tellings_weak``,
        ``defect_experience``, ``defect_wom``, ``newly_deterred``, ``acq_referral``,
        ``neg_hearings``, ``pos_hearings``, ``customers``): equal to
        :func:`womsim.engine.step.run`'s with the same seed.
    scenario : Scenario
        The scenario the steps ran with.
    """

    tellings: pd.DataFrame
    people: pd.DataFrame
    counts: pd.DataFrame
    scenario: Any


def demo_scenario(people: int = 150):
    """An illustrative scenario for explaining word of mouth on a small graph.

    Monthly steps and frequent contacts, so that one step on 150 people shows a handful of
    unhappy and happy customers telling others (a weekly step of a real preset on 150 people
    shows almost nothing). Every other number is womsim's default.

    Examples
    --------
    >>> sc = demo_scenario()
    >>> sc.market.people, sc.simulation.step_days
    (150, 30.0)
    """
    from womsim.model.scenario import Scenario

    return Scenario(
        name="word of mouth, explained (illustrative)",
        description="monthly steps and frequent contacts to show the mechanism on a small "
                    "graph; not a client scenario",
        market={"people": people, "customer_share": 0.4, "observed_annual_churn": None,
                "baseline_churn": 0.1},
        service={"contact_rate": 6.0, "problem_rate": 0.2, "delight_rate": 0.25},
        simulation={"step_days": 30.0, "horizon_years": 1.0})


def _as_network(network: Any, seed: int):
    from womsim.network.graph import Network

    if network is None:
        return Network.small_world(150, k=6, p=0.1, seed=seed)
    if isinstance(network, Network):
        return network
    import networkx as nx

    if isinstance(network, nx.Graph):
        return Network.from_networkx(network)
    raise TypeError(f"network must be a womsim Network or a networkx graph, got "
                    f"{type(network).__name__}")


def word_of_mouth_trace(network: Any = None, scenario: Any = None, seed: int = 0,
                        steps: int = 1) -> WordOfMouthTrace:
    """Run the engine's first ``steps`` steps and record who told whom.

    The steps are the engine's own (:func:`womsim.engine.step.step`, as
    :func:`womsim.engine.step.run` calls it) with the same named random streams, so a run with the
    same scenario, network and ``seed`` has exactly these tellings (the trace's ``counts``
    equal that run's records; ``tests/test_plots.py`` checks it); the engine's word of mouth
    records who told whom while the trace runs.

    Parameters
    ----------
    network : Network or networkx graph, optional
        Default: a small world of 150 people (seeded with ``seed``).
    scenario : Scenario, optional
        Default: :func:`demo_scenario`. Its ``market.people`` is set to the network's size.
    seed : int
        The run's seed (as :func:`womsim.engine.step.run` takes it).
    steps : int
        Steps to trace (each of ``scenario.simulation.step_days``).

    Examples
    --------
    >>> tr = word_of_mouth_trace(seed=1)
    >>> sorted(tr.tellings["sign"].unique())
    ['negative', 'positive']
    """
    from womsim.core.errors import WomsimError
    from womsim.engine.rng import Streams
    from womsim.engine.step import CUSTOMER, State, _WordOfMouth, schedule, step

    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise WomsimError(f"steps = {steps!r}: must be a whole number >= 1")
    net = _as_network(network, seed)
    n = net.n
    sc = demo_scenario(n) if scenario is None else scenario
    if sc.market.people != n:
        sc = sc.replace(**{"market.people": n})
    if sc.simulation.steps < steps:
        sc = sc.replace(**{"simulation.horizon_years": steps * sc.simulation.dt})
    streams = Streams(int(seed))
    params, _ = schedule(sc)
    state = State.initial(sc, n, streams, net)
    status = state.status
    wom = _WordOfMouth(net, n, streams)
    wom.log = []
    status_start = status.copy()
    flags = {k: np.zeros(n, dtype=bool) for k in (
        "told_negative", "told_positive", "heard_negative", "heard_positive", "deterred",
        "left_wom", "left_experience", "left_baseline", "referred")}
    tellings: list[pd.DataFrame] = []
    counts = []
    groups_of = np.empty(n, dtype=object)
    for t in range(steps):
        deterred_before = state.deterred_until.copy()
        e = step(state, int(np.count_nonzero(status == CUSTOMER)), params[t], t, streams, wom)
        for ids, g in ((e.silent, "silent"), (e.unresolved, "unresolved"),
                       (e.slow, "resolved"), (e.quick, "resolved_quickly"),
                       (e.delighted, "delighted")):
            groups_of[ids] = g
        for t_, stream, src, dst, weak in wom.log:
            # streams: 0/1 first-hand negative/positive; sign * 16 + hop when retold
            sign, hop = (stream, 1) if stream in (0, 1) else divmod(stream, 16)
            tellings.append(pd.DataFrame({
                "step": t_, "teller": src, "listener": dst,
                "sign": ("negative", "positive")[sign],
                "tie": np.where(weak, "weak", "strong"),
                "group": groups_of[src] if hop == 1 else "retold", "hop": hop}))
        wom.log.clear()
        flags["heard_negative"][e.neg] = True
        flags["heard_positive"][e.pos] = True
        flags["deterred"][state.deterred_until > deterred_before] = True
        flags["told_negative"][np.concatenate([e.silent, e.unresolved])] = True
        flags["told_positive"][np.concatenate([e.delighted, e.slow, e.quick])] = True
        flags["left_experience"][e.exp_left] = True
        flags["left_baseline"][e.base_left] = True
        flags["left_wom"][e.wom_left] = True
        flags["referred"][e.won_ref] = True
        tl = e.tellings
        counts.append({"step": t, "neg_tellings_strong": tl["neg_strong"],
                       "neg_tellings_weak": tl["neg_weak"],
                       "pos_tellings_strong": tl["pos_strong"],
                       "pos_tellings_weak": tl["pos_weak"],
                       "defect_experience": e.exp_left.size, "defect_wom": e.wom_left.size,
                       "newly_deterred": e.newly_deterred.size,
                       "acq_referral": e.won_ref.size, "neg_hearings": e.neg.size,
                       "pos_hearings": e.pos.size,
                       "customers": int(np.count_nonzero(status == CUSTOMER))})

    labels = np.array(["prospect", "customer", "former"])
    people = pd.DataFrame({"status_start": labels[status_start], "status_end": labels[status],
                           **flags})
    people.index.name = "person"
    tell = pd.concat(tellings, ignore_index=True) if tellings else pd.DataFrame(
        columns=["step", "teller", "listener", "sign", "tie", "group", "hop"])
    return WordOfMouthTrace(tell, people, pd.DataFrame(counts).set_index("step"), sc)


def plot_word_of_mouth(network: Any = None, scenario: Any = None, seed: int = 0,
                       steps: int = 1, ax=None):
    """Who told whom on a small network: the word-of-mouth mechanism, for a client.

    Draws the social graph (grey), the people (prospects open circles, customers dark,
    former customers light grey), the tellings of the first ``steps`` steps as arrows
    (negative red, positive green; dashed: to a random person, a weak tie or an online
    review), the tellers (filled red or green) and what the stories did: prospects deterred
    (red X), customers who left on what they heard (red triangle), prospects won by
    referral (green star), tellers who left after their own experience (black ring).

    The tellings are the engine's (see :func:`word_of_mouth_trace`); the layout is
    networkx's spring layout, for graphs of up to 2,000 people. Returns the axes.

    Parameters
    ----------
    network : Network or networkx graph, optional
        Default: a small world of 150 people.
    scenario : Scenario, optional
        Default: :func:`demo_scenario` (illustrative: monthly steps, frequent contacts).
        A real preset with weekly steps shows only a few tellings per step on 150 people;
        raise ``steps`` to see more.
    seed : int
        The run's seed (also seeds the layout and the default network).
    steps : int
        Steps shown together.

    Examples
    --------
    >>> import womsim as wom
    >>> ax = plot_word_of_mouth(wom.Network.small_world(150, k=6, seed=2), seed=2)
    >>> ax.get_title(loc="left").startswith("Word of mouth")
    True
    """
    import networkx as nx
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch

    from womsim.core.errors import WomsimError

    net = _as_network(network, seed)
    if net.n > _MAX_PICTURE:
        raise WomsimError(f"plot_word_of_mouth draws small graphs (up to {_MAX_PICTURE:,} "
                          f"people); this one has {net.n:,}. To explain the mechanism use "
                          "e.g. Network.small_world(150, k=6)")
    tr = word_of_mouth_trace(net, scenario, seed, steps)
    u, v = net.edges()
    G = nx.Graph()
    G.add_nodes_from(range(net.n))
    G.add_edges_from(zip(u.tolist(), v.tolist(), strict=True))
    pos = nx.spring_layout(G, seed=seed, k=1.6 / math.sqrt(max(net.n, 1)), iterations=80)
    xy = np.array([pos[i] for i in range(net.n)])

    ax = _axes(ax, (8, 7.5))
    ax.add_collection(LineCollection(list(np.stack([xy[u], xy[v]], axis=1)), colors="#c9cfd4",
                                     linewidths=0.5, zorder=1))
    ppl = tr.people
    st = ppl["status_start"].to_numpy()
    size = 26 if net.n <= 300 else 10
    for status, face, edge in (("prospect", "white", "#7d8790"),
                               ("customer", PALETTE["ink"], PALETTE["ink"]),
                               ("former", "#c5cbd1", "#9aa3ab")):
        sel = st == status
        ax.scatter(xy[sel, 0], xy[sel, 1], s=size, c=face, edgecolors=edge, linewidths=0.7,
                   zorder=3)
    # tellings: arrows from teller to listener
    t = tr.tellings
    for row in t.itertuples(index=False):
        color = PALETTE["negative"] if row.sign == "negative" else PALETTE["positive"]
        weak = row.tie == "weak"
        ax.add_patch(FancyArrowPatch(
            xy[row.teller], xy[row.listener], arrowstyle="-|>", mutation_scale=7,
            color=color, lw=1.0 if not weak else 0.8, alpha=0.8, ls="--" if weak else "-",
            connectionstyle="arc3,rad=0.18" if weak else "arc3,rad=0.0", shrinkA=3,
            shrinkB=3, zorder=2, gid=f"telling-{row.sign}"))
    big = size * 3.2
    markers = [
        ("told_negative", dict(s=big, c=PALETTE["negative"], edgecolors="white",
                               linewidths=0.8), "unhappy customer telling"),
        ("told_positive", dict(s=big, c=PALETTE["positive"], edgecolors="white",
                               linewidths=0.8), "happy customer telling"),
        ("left_experience", dict(s=big * 1.9, facecolors="none", edgecolors="black",
                                 linewidths=1.3), "left after own experience"),
        ("deterred", dict(s=big * 0.9, c=PALETTE["negative"], marker="X",
                          edgecolors="white", linewidths=0.6), "prospect deterred"),
        ("left_wom", dict(s=big * 1.1, c="#7f1010", marker="v", edgecolors="white",
                          linewidths=0.6), "customer left on word of mouth"),
        ("referred", dict(s=big * 1.5, c=PALETTE["positive"], marker="*",
                          edgecolors="white", linewidths=0.6), "won by referral"),
    ]
    handles = [Line2D([], [], marker="o", ls="", mfc="white", mec="#7d8790", ms=6,
                      label="prospect"),
               Line2D([], [], marker="o", ls="", mfc=PALETTE["ink"], mec=PALETTE["ink"], ms=6,
                      label="customer")]
    for col, kw, label in markers:
        sel = ppl[col].to_numpy()
        if sel.any():
            ax.scatter(xy[sel, 0], xy[sel, 1], zorder=4, label=label, **kw)
    handles += ax.get_legend_handles_labels()[0]
    handles += [Line2D([], [], color=PALETTE["negative"], lw=1.5, label="negative telling"),
                Line2D([], [], color=PALETTE["positive"], lw=1.5, label="positive telling"),
                Line2D([], [], color="#6b7680", lw=1, ls="--",
                       label="to a stranger (weak tie)")]
    ax.set_aspect("equal", adjustable="datalim")
    ax.autoscale_view()
    ax.set_axis_off()
    sc = tr.scenario
    neg, pos_ = t[t["sign"] == "negative"], t[t["sign"] == "positive"]
    days = steps * sc.simulation.step_days
    sub = (f"{ppl['told_negative'].sum()} unhappy customers told {len(neg)} people, "
           f"{ppl['told_positive'].sum()} happy ones told {len(pos_)};\n"
           f"{ppl['deterred'].sum()} prospects deterred, {ppl['left_wom'].sum()} customers "
           f"left on what they heard, {ppl['referred'].sum()} won by referral")
    style(ax, title=f"Word of mouth over {days:g} days on {net.n:,} people", grid=None,
          legend=False, subtitle=sub if len(t) else "nobody told anyone in this period: "
                                                    "try more steps or another seed")
    ax.legend(handles=handles, frameon=False, fontsize=8, loc="upper center",
              bbox_to_anchor=(0.5, 0.0), ncol=3)
    return ax
