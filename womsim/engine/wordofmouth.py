"""Word of mouth in a step: who hears whom, how retelling carries stories on, and how
likely a listener is to act on the stories heard."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from womsim.engine.kernels import tell_wave
from womsim.engine.listeners import acted as acted
from womsim.engine.rng import _readonly
from womsim.engine.tellcounts import CountTables, counts_by_segment
from womsim.model.telling import Telling

if TYPE_CHECKING:
    from womsim.engine.rng import Streams
    from womsim.engine.schedule import StepParams

__all__ = ["acted"]  # acted: womsim.engine.listeners, the rule of every firm

_EMPTY = np.empty(0, dtype=np.int64)
# slot ids of tellings that overflow a teller's friends: apart from ordinary slots
_SURPLUS_SLOT = 1 << 24


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
        # the segments' count tables by distribution (the step's tuples live for the run)
        self._tables: dict[int, tuple] = {}
        self.mixed = network is None
        if network is None:
            # read-only like a Network's: the telling kernels compile once for both
            self.indptr = _readonly(np.zeros(n + 1, dtype=np.int64))
            self.indices = _readonly(np.empty(0, dtype=np.int32))
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
            tables = self._tables.get(id(telling))
            if tables is None or tables[0] is not telling:
                tables = self._tables[id(telling)] = (telling, CountTables(telling))
            tellers, k = counts_by_segment(tellers, segment, u, tables[1])
        if segment is None:
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

    def retell(self, neg: np.ndarray, pos: np.ndarray, p: StepParams, step: int,
               base: int = 0, segment: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray, int]:
        """The listeners of ``neg`` and ``pos`` (first-hand) pass the story on with
        ``p.retell``, hop by hop up to ``p.max_hops``; returns every listener (first-hand
        and retold) of each sign and how many retold. ``base`` keeps the draws of
        stories about another firm (engine.rivals) apart from ours (0). In a segmented
        market (``segment``: the labels) a reteller tells as many as its own segment's
        telling distribution draws, as a first-hand teller of that segment does."""
        total = 0
        waves = {0: neg, 1: pos}
        out = {0: [neg], 1: [pos]}
        sg = p.segments if segment is not None else None
        tellings: dict[int, Telling | tuple] = (
            {0: p.negative, 1: p.positive} if sg is None
            else {0: sg.negative, 1: sg.positive})
        for hop in range(2, p.max_hops + 1):
            for sign in (0, 1):
                heard = np.unique(waves[sign])
                if heard.size == 0:
                    waves[sign] = _EMPTY
                    continue
                wave = base + sign * 16 + hop
                re = heard[self.streams.uniform("retell", step, heard, extra=wave) < p.retell]
                total += re.size
                waves[sign], _, _, _ = self.tell(re, tellings[sign], p.weak_share, step, wave,
                                                 segment=None if sg is None else segment)
                out[sign].append(waves[sign])
        return np.concatenate(out[0]), np.concatenate(out[1]), total



def _retell(wom, streams, neg, pos, p, t, segment=None):
    """Listeners pass our stories on, hop by hop, up to the hop limit (each with its own
    segment's telling in a segmented market: ``segment``, the labels)."""
    return wom.retell(neg, pos, p, t, segment=segment)
