"""Views of an influence-by-reach result (:func:`womsim.influence`): a bar chart and an HTML
table. Duck-typed on the result (``summary()``, ``currency``, ``runs``): nothing here runs a
model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from womsim.views.display import (
    CSS,
    _esc,
    _money_header,
    _table,
    fmt_interval,
    fmt_money,
    html_fragment,
)
from womsim.views.plots import _axes, money_axis, style

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["influence_html", "plot_influence"]


def plot_influence(result: Any, ax: Axes | None = None) -> Axes:
    """Bars: value lost per bad experience by degree bin with their intervals; the dashed line
    is a typical customer. Returns the axes.

    Examples
    --------
    >>> class R:  # any object with summary(), currency and runs
    ...     currency, runs = "USD", 3
    ...     summary = staticmethod(_demo)
    >>> ax = plot_influence(R())
    >>> len(ax.patches)
    2
    """
    s = result.summary()
    bins, typical = s.iloc[:-1], s.iloc[-1]
    ax = _axes(ax, (7.0, 3.6))
    x = range(len(bins))
    err = [bins["value_lost"] - bins["ci_low"], bins["ci_high"] - bins["value_lost"]]
    ax.bar(x, bins["value_lost"], yerr=err, capsize=3, color="#4c6a85", label="degree bin")
    ax.axhline(typical["value_lost"], ls="--", color="#d9541e", label="typical customer")
    ax.set_xticks(list(x), [f"{name.split(' ')[0]}\n{d:.1f} ties" for name, d in
                            zip(bins.index, bins["mean_degree"], strict=True)])
    money_axis(ax)
    return style(ax, title="What one bad experience costs, by the customer's ties",
                 xlabel="degree bin (mean number of ties)",
                 ylabel=_money_header("value lost per bad experience", result.currency),
                 legend=True,
                 subtitle=f"paired runs: {result.runs}; bars show 95% intervals")


def influence_html(result: Any) -> str:
    """The headline ratio and the table by degree bin.

    Examples
    --------
    >>> class R:
    ...     currency, runs = "USD", 3
    ...     summary = staticmethod(_demo)
    >>> "costs 1.20x a typical one" in influence_html(R())
    True
    """
    s = result.summary()
    cur = result.currency
    top, typical = s.iloc[-2], s.iloc[-1]
    head = html_fragment(
        "<p class='wom-head'><b>A bad experience of a customer with {:g}-{:g} ties costs "
        "{:.2f}x a typical one</b> ({} against {}; 95% CI of the ratio {:.2f} to {:.2f}), "
        "from {} paired runs: present values at the start, customers' remaining lifetimes "
        "included.</p>",
        top["degree_low"], top["degree_high"], top["ratio"],
        fmt_money(top["value_lost"], cur), fmt_money(typical["value_lost"], cur),
        top["ratio_low"], top["ratio_high"], result.runs)
    rows = [[_esc(name), f"{r['degree_low']:g}-{r['degree_high']:g}", f"{r['mean_degree']:.1f}",
             fmt_money(r["value_lost"]),
             html_fragment("<span class='ci'>{}</span>",
                           fmt_interval(r["ci_low"], r["ci_high"], "money")),
             f"{r['ratio']:.2f}"] for name, r in s.iterrows()]
    table = _table(rows, ["degree bin", "ties", "mean ties",
                          _money_header("value lost per bad experience", cur), "95% CI",
                          "x typical"], "by degree", css=False)
    return "".join([CSS, head, table])


def _demo() -> pd.DataFrame:
    """A small summary table for the examples above."""
    return pd.DataFrame({"degree_low": [4, 8, 4], "degree_high": [7, 90, 90],
                         "mean_degree": [5.0, 14.0, 9.5], "value_lost": [80.0, 120.0, 100.0],
                         "ci_low": [70.0, 100.0, 92.0], "ci_high": [90.0, 140.0, 108.0],
                         "ratio": [0.8, 1.2, 1.0], "ratio_low": [0.7, 1.0, 1.0],
                         "ratio_high": [0.9, 1.4, 1.0]},
                        index=["1 (fewest ties)", "2 (most ties)", "typical (all customers)"])
