"""Draws of the uncertain parameters, one joint draw per run (probabilistic sensitivity
analysis).

Draws are triangular between the low and high of each range
(:func:`womsim.model.uncertainty.ranges`) with the scenario's own value as the mode, keyed by
(seed, run index, parameter) so that paired scenarios get the same draw in the same run. They
are random numbers of a run, so they live with the engine's named streams.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from womsim.core.errors import unknown_key
from womsim.engine.rng import hash_uniform
from womsim.model.telling import _peak
from womsim.model.uncertainty import ranges

if TYPE_CHECKING:
    from womsim.model.scenario import Scenario

__all__ = ["draw_parameters"]


def draw_parameters(scenario: Scenario, seed: int, run: int, params: list[str] | None = None
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
