"""The word-of-mouth picture: who told whom on a small network, drawn from a trace.

:func:`draw_word_of_mouth` draws a trace it is given (a
:class:`womsim.engine.trace.WordOfMouthTrace`: its tellings, its people and its network,
duck-typed); it runs nothing. :func:`womsim.plots.plot_word_of_mouth` makes the trace and
draws it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from womsim.core.errors import WomsimError
from womsim.views.style import PALETTE, _axes, style

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["MAX_PICTURE", "check_picture_size", "draw_word_of_mouth"]

#: The largest graph drawn (people): a spring layout of more is a grey blot.
MAX_PICTURE = 2_000


def check_picture_size(n: int) -> None:
    """Refuse a graph too large to draw, before anything is computed for it."""
    if n > MAX_PICTURE:
        raise WomsimError(f"plot_word_of_mouth draws small graphs (up to {MAX_PICTURE:,} "
                          f"people); this one has {n:,}. To explain the mechanism use "
                          "e.g. Network.small_world(150, k=6)")


def draw_word_of_mouth(tr: Any, ax: Axes | None = None, seed: int = 0) -> Axes:
    """Draw a word-of-mouth trace on its network; ``seed`` seeds the spring layout.

    The picture of :func:`womsim.plots.plot_word_of_mouth` (see there for what the marks
    mean). Returns the axes.

    Examples
    --------
    >>> import womsim as wom
    >>> from womsim.engine.trace import word_of_mouth_trace
    >>> tr = word_of_mouth_trace(wom.Network.small_world(150, k=6, seed=2), seed=2)
    >>> draw_word_of_mouth(tr, seed=2).get_title(loc="left").startswith("Word of mouth")
    True
    """
    import networkx as nx
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch

    net = tr.network
    check_picture_size(net.n)
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
    markers: list[tuple[str, dict[str, Any], str]] = [
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
    handles: list[Any] = [Line2D([], [], marker="o", ls="", mfc="white", mec="#7d8790", ms=6,
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
    days = len(tr.counts) * sc.simulation.step_days
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
