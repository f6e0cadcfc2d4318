"""Small helpers the two compiled whole runs share (:mod:`womsim.engine.wholerun` for a plain
market, :mod:`womsim.engine.wholemarket` for segments and rivals): each step's tier of the
sparse draws, the key table of every (mechanism, step), the distinct values of a step
parameter. A module of their own because wholerun routes markets to wholemarket.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from womsim.engine.rng import THIN, Streams
from womsim.engine.schedule import StepParams
from womsim.engine.wholekernel import KEYS

__all__: list[str] = []


def _tiers(ps: list[float]) -> tuple[list[int], np.ndarray]:
    # each step's tier of sparse_candidates (-1: a rate of 0) and its rate q
    qs = np.ones(len(ps))
    tiers = []
    for t, p in enumerate(ps):
        if p > 0.0:
            tier = int(np.floor(-np.log2(min(p, 1.0))))
            tiers.append(tier)
            qs[t] = 2.0 ** -tier
        else:
            tiers.append(-1)
    return tiers, qs


def _keys(streams: Streams, steps: int) -> np.ndarray:
    # the step's keys of wholekernel.KEYS, shared by the scenarios of a pass
    def make() -> np.ndarray:
        return np.column_stack([streams.step_keys(m, steps, THIN if x < 0 else x)
                                for m, x in KEYS])

    return streams.shared(("whole_keys", steps), make)


def _unique(params: list[StepParams], what: Callable[[StepParams], Any]
            ) -> tuple[list, np.ndarray]:
    # the distinct values of what(p) over the steps (by identity) and each step's index
    seen: dict[int, int] = {}
    values: list = []
    index = np.empty(len(params), dtype=np.int64)
    for t, p in enumerate(params):
        v = what(p)
        j = seen.get(id(v))
        if j is None:
            j = seen[id(v)] = len(values)
            values.append(v)
        index[t] = j
    return values, index
