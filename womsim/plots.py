"""The documented path ``womsim.plots``: every chart, under one name.

The charts live in their layers (docs/architecture.md): drawing in :mod:`womsim.views`
(:mod:`~womsim.views.style`, :mod:`~womsim.views.plots`, :mod:`~womsim.views.wordofmouth`),
and the word-of-mouth trace, which runs the engine, in :mod:`womsim.engine.trace`. This
module gathers their public names where users and notebooks already import them.

Examples
--------
>>> from womsim.plots import PALETTE, plot_word_of_mouth, style
>>> callable(plot_word_of_mouth) and "loss" in PALETTE
True
"""

from womsim.engine.trace import (
    WordOfMouthTrace,
    demo_scenario,
    plot_word_of_mouth,
    word_of_mouth_trace,
)
from womsim.views.plots import (
    plot_damage,
    plot_load_curve,
    plot_overview,
    plot_sweep,
    plot_timeseries,
    plot_tornado,
    plot_waterfall,
)
from womsim.views.style import (
    FLAGGED_STATUS,
    LABELS,
    PALETTE,
    SERIES,
    MoneyFormatter,
    label,
    money_axis,
    percent_axis,
    series_colors,
    style,
)
from womsim.views.wordofmouth import draw_word_of_mouth

__all__ = [
    "FLAGGED_STATUS",
    "LABELS",
    "PALETTE",
    "SERIES",
    "MoneyFormatter",
    "WordOfMouthTrace",
    "demo_scenario",
    "draw_word_of_mouth",
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
