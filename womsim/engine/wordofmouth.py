"""Word of mouth in a step: who hears whom, how retelling carries stories on, and how
likely a listener is to act on the stories heard."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from womsim.engine.kernels import tell_wave
from womsim.model.telling import Telling

if TYPE_CHECKING:
    from womsim.engine.rng import Streams

__all__ = ["acted"]

_EMPTY = np.empty(0, dtype=np.int64)
# slot ids of tellings that overflow a teller's friends: apart from ordinary slots
_SURPLUS_SLOT = 1 << 24


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



class _WordOfMouth:
    """Tellings from tellers to listeners: friends, weak ties (random people, redrawn each
    step), and in a well-mixed market (no network) random people for every telling.

    Set ``log`` to a list to also record who told whom: each wave appends
    ``(step, stream, tellers, listeners, weak)`` arrays (used to draw the mechanism).
    """

    def __init__(self, network, n: int, streams: Streams) -> None:
        self.n = n
        self.streams = streams
        self.log: list | None = None
        self.mixed = network is None
        if network is None:
            self.indptr = np.zeros(n + 1, dtype=np.int64)
            self.indices = np.empty(0, dtype=np.int32)
        else:
            self.indptr = network.indptr
            self.indices = network.indices
        self.degree = np.diff(self.indptr)

    def tell(self, tellers: np.ndarray, telling: Telling | tuple, weak_share: float, step: int,
             stream: int, segment: np.ndarray | None = None
             ) -> tuple[np.ndarray, int, int, int]:
        """Listeners (with repeats) of one wave of tellings; also the strong and weak
        counts, and the stories not told for want of friends.

        With ``segment`` (labels), ``telling`` holds one distribution per segment."""
        if tellers.size == 0:
            return _EMPTY, 0, 0, 0
        s = self.streams
        u = s.uniform("tell_count", step, tellers, extra=stream)
        if segment is None:
            assert isinstance(telling, Telling)
            k = telling.quantile(u)
        else:  # each teller's count from its segment's distribution (keyed by teller)
            assert isinstance(telling, tuple)
            lab = segment[tellers]
            k = np.zeros(tellers.size, dtype=np.int64)
            for g, tg in enumerate(telling):
                mine = lab == g
                k[mine] = tg.quantile(u[mine])
        keep = k > 0
        tellers, k = tellers[keep], k[keep]
        if tellers.size == 0:
            return _EMPTY, 0, 0, 0
        # one compiled pass: slot draws, friends (smallest listener keys), weak ties
        out, src, count, n_strong, n_weak, n_untold = tell_wave(
            self.indptr, self.indices, tellers.astype(np.int64), k.astype(np.int64),
            np.uint64(s.key("tell_slot", step, stream)),
            np.uint64(s.key("weak_target", step, stream)),
            np.uint64(s.key("listener", step, stream)), float(weak_share), self.n,
            _SURPLUS_SLOT, self.mixed)
        out, src = out[:count], src[:count]
        if self.log is not None:
            self.log.append((step, stream, src, out, np.arange(out.size) >= n_strong))
        return out, int(n_strong), int(n_weak), int(n_untold)



def _retell(wom, streams, neg, pos, p, t):
    """Listeners pass stories on, hop by hop, up to the hop limit."""
    total = 0
    waves = {0: neg, 1: pos}
    out = {0: [neg], 1: [pos]}
    tellings = {0: p.negative, 1: p.positive}
    for hop in range(2, p.max_hops + 1):
        for sign in (0, 1):
            heard = np.unique(waves[sign])
            if heard.size == 0:
                waves[sign] = _EMPTY
                continue
            re = heard[streams.uniform("retell", t, heard, extra=sign * 16 + hop) < p.retell]
            total += re.size
            waves[sign], _, _, _ = wom.tell(re, tellings[sign], p.weak_share, t,
                                            sign * 16 + hop)
            out[sign].append(waves[sign])
    return np.concatenate(out[0]), np.concatenate(out[1]), total

