"""Who heard a wave of stories, and how often: the listeners' side of word of mouth.

A step's listeners (with repeats, one entry per story heard) are a few hundred ids at
100k people; ``np.unique(..., return_counts=True)`` spends most of its time on the dozen
numpy calls it is made of, not on them. :func:`heard_counts` sorts once with numpy and
counts the runs in one compiled pass: the same arrays, far fewer calls (the step runs it
twice a step, in every scenario of a tornado).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from womsim.core.jitcache import configure

configure()  # before the first @njit(cache=True): a read-only install caches elsewhere

__all__ = ["heard_counts"]


@njit(cache=True)
def _runs(s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # the distinct values of a sorted array and how many times each occurs
    uniq = np.empty(s.size, dtype=np.int64)
    count = np.empty(s.size, dtype=np.int64)
    k = -1
    for j in range(s.size):
        if k < 0 or s[j] != uniq[k]:
            k += 1
            uniq[k] = s[j]
            count[k] = 1
        else:
            count[k] += 1
    return uniq[:k + 1], count[:k + 1]


def heard_counts(listeners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(listeners, return_counts=True)`` of person ids, as int64 arrays.

    Examples
    --------
    >>> heard, times = heard_counts(np.array([7, 2, 7, 7, 3]))
    >>> heard.tolist(), times.tolist()
    ([2, 3, 7], [1, 1, 3])
    """
    return _runs(np.sort(listeners.astype(np.int64, copy=False)))
