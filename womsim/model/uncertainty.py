"""Uncertain parameters: their plausible ranges, and draws from them (probabilistic
sensitivity analysis).

A figure's range comes from :mod:`womsim.figures`; a parameter no figure supports gets an
illustrative range, labelled so. Draws are triangular between low and high with the
scenario's own value as the mode, keyed by (seed, run index, parameter) so that paired
scenarios get the same draw in the same run.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from womsim.core import figures
from womsim.core.errors import unknown_key
from womsim.engine.rng import hash_uniform

__all__ = ["UNCERTAIN", "draw_parameters", "ranges"]

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


def ranges(scenario=None) -> pd.DataFrame:
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


def draw_parameters(scenario, seed: int, run: int, params: list[str] | None = None
                    ) -> dict[str, float]:
    """One joint draw of the uncertain parameters for run ``run`` (triangular, mode = the
    scenario's value clipped into the range).

    Examples
    --------
    >>> from womsim import Scenario
    >>> d = draw_parameters(Scenario(), seed=1, run=0)
    >>> bool(8.6 <= d["word_of_mouth.negative_mean"] <= 10)
    True
    """
    table = ranges(scenario)
    names = list(params or table.index)
    for name in names:
        if name not in table.index:
            raise unknown_key("uncertain parameter", name, table.index)
    out = {}
    for j, name in enumerate(table.index):
        if name not in names:
            continue
        lo, hi = table.loc[name, "low"], table.loc[name, "high"]
        mode = table.loc[name, "value"]
        mode = lo if np.isnan(mode) else float(np.clip(mode, lo, hi))
        u = float(hash_uniform(seed * 1_000_003 + run, np.array([j]))[0])
        out[name] = _triangular(u, lo, mode, hi)
    _cap_tail(scenario, out)
    return out


def _cap_tail(scenario, draws: dict[str, float]) -> None:
    """Keep a drawn tail share within what a negative binomial of the drawn mean can carry."""
    from womsim.model.telling import _peak

    key = "word_of_mouth.negative_tail_share"
    if key not in draws and scenario.word_of_mouth.negative_tail_share is None:
        return
    mean = draws.get("word_of_mouth.negative_mean", scenario.word_of_mouth.negative_mean)
    share = draws.get(key, scenario.word_of_mouth.negative_tail_share)
    cap = 0.995 * _peak(mean, scenario.word_of_mouth.negative_tail_k)[1]
    if share > cap:
        draws[key] = cap


def _triangular(u: float, lo: float, mode: float, hi: float) -> float:
    if hi <= lo:
        return lo
    c = (mode - lo) / (hi - lo)
    if u < c:
        return lo + np.sqrt(u * (hi - lo) * (mode - lo))
    return hi - np.sqrt((1 - u) * (hi - lo) * (hi - mode))
