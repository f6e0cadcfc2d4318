"""Uncertain parameters: their plausible ranges (for probabilistic sensitivity analysis).

A figure's range comes from :mod:`womsim.figures`; a parameter no figure supports gets an
illustrative range, labelled so. The draws from these ranges are random numbers of a run, so
they are the engine's: :func:`womsim.engine.psa.draw_parameters`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from womsim.core import figures

if TYPE_CHECKING:
    from womsim.model.scenario import Scenario

__all__ = ["UNCERTAIN", "ranges"]

#: parameter -> (figure key or None, low, high); None low/high = the figure's own range.
UNCERTAIN: dict[str, tuple[str | None, float | None, float | None]] = {
    # the figure's low end (8) cannot carry a 13% tail above 20 (needs a mean >= 8.52), and
    # its 20% variant needs a mean >= 12.3: the ranges keep the two figures compatible
    "word_of_mouth.negative_mean": ("negative_tells", 8.6, 10.0),
    "word_of_mouth.negative_tail_share": ("negative_tells_tail", 0.10, 0.135),
    "word_of_mouth.positive_mean": ("positive_tells", None, None),
    "word_of_mouth.prospect_deter_prob": ("act_on_wom", 0.10, 0.40),
    "word_of_mouth.customer_defect_prob": ("negative_deters_prospects_ratio", 0.03, 0.125),
    "word_of_mouth.weak_tie_share": (None, 0.05, 0.30),
    "word_of_mouth.referral_prob": (None, 0.02, 0.10),
    "word_of_mouth.deter_memory_years": (None, 0.25, 1.0),
    "complaints.large_loss_share": (None, 0.10, 0.50),
    "complaints.intention_to_action": (None, 0.25, 0.75),
    "economics.acquisition_cost_ratio": ("acquisition_cost_ratio", None, None),
}


def ranges(scenario: Scenario | None = None) -> pd.DataFrame:
    """The uncertain parameters with low, high, basis and source.

    Examples
    --------
    >>> r = ranges()
    >>> r.loc["word_of_mouth.negative_mean", ["low", "high"]].tolist()
    [8.6, 10.0]
    """
    rows = {}
    for name, (key, lo, hi) in UNCERTAIN.items():
        fig = figures.get(key) if key else None
        if lo is None:
            assert fig is not None, name  # a range without numbers names its figure
            lo, hi = fig.low, fig.high
        assert lo is not None and hi is not None, name
        rows[name] = {
            "low": float(lo), "high": float(hi),
            "value": float(scenario.get(name)) if scenario is not None and
            scenario.get(name) is not None else np.nan,
            "basis": ("figure range" if key and UNCERTAIN[name][1] is None
                      else "narrowed figure range" if key else "illustrative range"),
            "figure": key or "", "status": fig.status if fig else "illustrative",
            "source": fig.source if fig else "",
        }
    df = pd.DataFrame.from_dict(rows, orient="index")
    df.index.name = "parameter"
    return df
