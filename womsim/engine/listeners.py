"""How listeners act on the stories they hear in a step, for every firm's stories.

Our customers' stories (:mod:`womsim.engine.step`) and the rivals' (:mod:`womsim.engine.rivals`)
act on their listeners by the same rule, so that ``word_of_mouth.repeat_factor`` means the
same whoever the story is about.
"""

from __future__ import annotations

import numpy as np

__all__ = ["acted"]


def acted(prob: float, heard: np.ndarray, repeat: float) -> np.ndarray:
    """Chance that a listener who heard ``heard`` stories (each >= 1) acts on them.

    The j-th story acts with probability ``prob x repeat^(j-1)``: with ``repeat = 1`` every
    story as likely as the first, ``1 - (1 - prob)^h``; below 1 each further story counts
    for less (``word_of_mouth.repeat_factor``).

    Examples
    --------
    >>> acted(0.5, np.array([1, 2]), 1.0).tolist(), acted(0.5, np.array([2]), 0.5).tolist()
    ([0.5, 0.75], [0.625])
    """
    if repeat == 1.0:
        return 1 - (1 - prob) ** heard
    # one entry per count of stories heard: a loop over counts (a handful), not people
    miss = np.cumprod(1 - prob * repeat ** np.arange(int(heard.max()) if heard.size else 0))
    return 1 - miss[heard - 1]
