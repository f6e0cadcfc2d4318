"""The house style of every chart: one palette, money and percent axes, plain-word labels.

:func:`style` gives an axes the house look (no top and right frame, a light grid behind the
data, left-aligned titles, small grey ticks) without touching matplotlib's global settings.
Colours come from one palette (:data:`PALETTE`, :data:`SERIES`): losses and negative word of
mouth in red, gains and positive word of mouth in green, totals in dark slate, scenarios in a
fixed order so that "today" has the same colour in every chart of a report.

Examples
--------
>>> label("service.problem_rate")
'share of contacts with a problem'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.ticker import Formatter

__all__ = ["FLAGGED_STATUS", "LABELS", "PALETTE", "SERIES", "MoneyFormatter", "label",
           "money_axis", "percent_axis", "series_colors", "style"]

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
FLAGGED_STATUS = ("unverified", "illustrative")


# --------------------------------------------------------------------------- style
def _money(x: float, _pos: Any = None) -> str:
    """A compact amount for a bar label: 1.2m, 350k, 12.5."""
    a = abs(x)
    for div, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if a >= div:
            return f"{x / div:,.3g}{suffix}" if a < 100 * div else f"{x / div:,.0f}{suffix}"
    return f"{x:,.0f}" if a >= 100 else f"{x:,.3g}"


class _MoneyTicks:
    """Money ticks that stay distinct and readable: full amounts with thousands separators
    under 100,000 (``25,000``), above in thousands, millions or billions with as many
    decimals as the tick spacing needs (``160k``, ``2.85m 2.90m 2.95m``, never
    ``2.8m 2.8m 2.9m``).

    ``MoneyFormatter`` is this on matplotlib's ``Formatter``, made when first asked for:
    importing matplotlib costs a fifth of a second of every ``import womsim``, and most
    runs draw nothing.

    Examples
    --------
    >>> from womsim.views.style import MoneyFormatter
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

    def set_locs(self, locs: Any) -> None:
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


if TYPE_CHECKING:
    class MoneyFormatter(_MoneyTicks, Formatter):
        """:class:`_MoneyTicks` as a matplotlib ``Formatter``."""


_LAZY: dict[str, type] = {}


def _money_formatter() -> type[MoneyFormatter]:
    if "MoneyFormatter" not in _LAZY:
        from matplotlib.ticker import Formatter

        _LAZY["MoneyFormatter"] = type("MoneyFormatter", (_MoneyTicks, Formatter),
                                       {"__module__": __name__,
                                        "__doc__": _MoneyTicks.__doc__})
    return _LAZY["MoneyFormatter"]


def __getattr__(name: str) -> Any:
    """``MoneyFormatter``, made (and matplotlib imported) on first use (PEP 562).

    Examples
    --------
    >>> from womsim.views import style
    >>> style.MoneyFormatter()(2_850_000)
    '2.85m'
    """
    if name == "MoneyFormatter":
        return _money_formatter()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def money_axis(ax: Axes, axis: str = "y") -> Axes:
    """Format an axis as money (``250,000``, ``2.85m``; see :class:`MoneyFormatter`).
    Returns the axes.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from womsim.views.style import MoneyFormatter
    >>> ax = money_axis(plt.figure().add_subplot())
    >>> isinstance(ax.yaxis.get_major_formatter(), MoneyFormatter)
    True
    """
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(_money_formatter()())
    return ax


def percent_axis(ax: Axes, axis: str = "y", decimals: int | None = None) -> Axes:
    """Format an axis whose values are shares (0.25) as percentages (25%). Returns the axes.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> ax = percent_axis(plt.figure().add_subplot(), decimals=0)
    >>> ax.yaxis.get_major_formatter()(0.25)
    '25%'
    """
    from matplotlib.ticker import PercentFormatter

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


def style(ax: Axes, title: str | None = None, xlabel: str | None = None, ylabel: str | None = None,
          grid: Literal["both", "x", "y"] | None = "y", legend: bool | None = None,
          subtitle: str | None = None) -> Axes:
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
            ax._wom_subtitle = None  # type: ignore[attr-defined]  # house style's own attribute
        ax._wom_pad = (  # type: ignore[attr-defined]  # house style's own attribute
            8 + 12 * (subtitle.count("\n") + 1) if subtitle else 8)
    if subtitle:
        ax._wom_subtitle = ax.text(  # type: ignore[attr-defined]  # house style's own attribute
            0, 1.01, subtitle, transform=ax.transAxes, fontsize=8.5,
            color="#5c6770", va="bottom", ha="left")
    ax.set_title = functools.partial(  # type: ignore[method-assign]  # house-style titles
        _house_set_title, ax)
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
