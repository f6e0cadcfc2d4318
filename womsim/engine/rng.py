"""Named random streams for common random numbers.

Every random number in a run is keyed by ``(run seed, mechanism, step, person)``.
Two scenarios run with the same seed therefore give each person the same luck in
each mechanism, even when a parameter change alters *who* needs a draw: raising
the complaint rate changes who complains, but nobody's contact or telling draws.
That is what keeps paired differences (scenario minus counterfactual) nearly
free of noise.

Two kinds of draw are used, chosen per mechanism (never per call, so the numbers
for a person do not depend on how many others drew):

* :meth:`Streams.uniform` — a counter-based generator: a splitmix64 hash of the
  key, vectorised over the ids that need a draw. Cost is proportional to the
  number of people drawing, which is what mechanisms touching a few people per
  step (experiences, complaints, tellings) want.
* :func:`sparse_draw` — for events of small probability among everybody (contacts,
  baseline churn, acquisition): a Bernoulli subset of all ids drawn directly (hashed
  bits or geometric gaps, :mod:`womsim.engine.bernoulli`), then thinned with hashed
  uniforms. Cost is proportional to the people chosen, not to the market; a 1M-person
  run went from 5 s (a full pass per mechanism and step) to under 2 s.

No global random state is touched anywhere.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, Any

import numpy as np

from womsim.engine.bernoulli import bernoulli_subset
from womsim.engine.kernels import (
    GOLDEN,
    hash_uniform_1d,
    hash_uniform_1d_sub,
    splitmix64_array,
    splitmix64_int,
)
from womsim.engine.thinning import thin_to_customers

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["PAIRED_BUDGET_MB", "PairedStreams", "Streams", "hash_uniform", "run_seeds",
           "sparse_candidates", "sparse_draw", "sparse_draw_among"]

_GOLDEN = np.uint64(GOLDEN)
_CUSTOMER = 1  # a person's status (engine.step), as engine.thinning keeps it
_S11 = np.uint64(11)
_TO_UNIT = 2.0 ** -53


def _mechanism_id(name: str) -> int:
    # a checksum of the name, not a position in a list: adding a mechanism must not
    # change the numbers of the others
    return zlib.crc32(name.encode())


def _readonly(a: np.ndarray) -> np.ndarray:
    """A read-only view of ``a``: numba compiles a kernel once per argument type, and
    read-only is a type of its own, so the step's mix of frozen (shared) and fresh arrays
    would compile each hash kernel twice (a quarter of a second each, on every first run)."""
    if not a.flags.writeable:
        return a
    v = a.view()
    v.flags.writeable = False
    return v


def hash_uniform(key: int, ids: np.ndarray, sub: np.ndarray | None = None) -> np.ndarray:
    """Uniform numbers in [0, 1) that depend only on ``key`` and each id.

    Parameters
    ----------
    key : int
        A 64-bit key (run, mechanism and step already mixed in).
    ids : array of int
        Who draws; the result has the same shape.
    sub : array of int, optional
        A second index per draw (e.g. which of a teller's tellings), broadcast
        against ``ids``.

    Examples
    --------
    >>> import numpy as np
    >>> u = hash_uniform(12345, np.array([0, 1, 2]))
    >>> bool(((u >= 0) & (u < 1)).all())
    True
    >>> float(hash_uniform(12345, np.array([2]))[0]) == float(u[2])
    True
    """
    a = np.asarray(ids)
    if a.ndim == 1 and a.dtype.kind in "iu" and a.size:
        # compiled: one pass instead of a dozen numpy temporaries (the step makes
        # thousands of these calls on small arrays, where numpy's per-call cost dominates)
        if sub is None:
            return hash_uniform_1d(np.uint64(key & ((1 << 64) - 1)), _readonly(a))
        b = np.asarray(sub)
        if b.shape == a.shape and b.dtype.kind in "iu":
            return hash_uniform_1d_sub(np.uint64(key & ((1 << 64) - 1)), _readonly(a),
                                       _readonly(b))
    x = a.astype(np.uint64) * _GOLDEN
    x += np.uint64(key & ((1 << 64) - 1))
    x = splitmix64_array(x)
    if sub is not None:
        x += np.asarray(sub).astype(np.uint64) * _GOLDEN
        x = splitmix64_array(x)
    return (x >> _S11).astype(np.float64) * _TO_UNIT


def run_seeds(seed: int | None, runs: int) -> list[int]:
    """One 63-bit seed per run, derived from the ensemble seed with SeedSequence.

    Run ``i`` of two ensembles with the same ``seed`` gets the same seed, which
    is what makes paired comparisons use common random numbers.

    Examples
    --------
    >>> run_seeds(7, 3) == run_seeds(7, 3)
    True
    >>> len(set(run_seeds(7, 100)))
    100
    """
    ss = np.random.SeedSequence(seed)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in ss.spawn(runs)]


class Streams:
    """The random streams of one run.

    Parameters
    ----------
    seed : int
        The run's seed (see :func:`run_seeds`).

    Examples
    --------
    >>> import numpy as np
    >>> s = Streams(42)
    >>> a = s.uniform("experience", step=3, ids=np.array([10, 20]))
    >>> b = s.uniform("experience", step=3, ids=np.array([20]))
    >>> bool(a[1] == b[0])        # a person's draw does not depend on who else drew
    True
    """

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        self._base: dict[str, int] = {}

    def key(self, mechanism: str, step: int, extra: int = 0) -> int:
        """The 64-bit key of ``(seed, mechanism, step, extra)``."""
        k = self._base.get(mechanism)
        if k is None:  # a run asks thousands of times for the same few mechanisms
            k = self._base[mechanism] = splitmix64_int(self.seed ^ (_mechanism_id(mechanism) << 20))
        k = splitmix64_int(k + step * GOLDEN)
        return splitmix64_int(k + extra * 0xD1B54A32D192ED03)

    def step_keys(self, mechanism: str, steps: int, extra: int | np.ndarray = 0
                  ) -> np.ndarray:
        """``[key(mechanism, t, extra) for t in range(steps)]`` as uint64, in a few array
        operations (a whole run asks for some two thousand keys: one by one in Python
        integers, 40 ms of a million-person run). ``extra``: one for all steps, or one per
        step.

        Examples
        --------
        >>> s = Streams(42)
        >>> [int(k) for k in s.step_keys("experience", 3, extra=[0, 1, 5])] == [
        ...     s.key("experience", t, extra=x) for t, x in enumerate([0, 1, 5])]
        True
        """
        if mechanism not in self._base:
            Streams.key(self, mechanism, 0)  # makes the mechanism's base key
        # uint64 arrays wrap modulo 2**64, as key() masks its Python integers
        x = np.arange(steps, dtype=np.uint64) * _GOLDEN + np.uint64(self._base[mechanism])
        ex = np.broadcast_to(np.asarray(extra, dtype=np.int64), (steps,)).astype(np.uint64)
        return splitmix64_array(splitmix64_array(x) + ex * np.uint64(0xD1B54A32D192ED03))

    def uniform(self, mechanism: str, step: int, ids: np.ndarray,
                sub: np.ndarray | None = None, extra: int = 0) -> np.ndarray:
        """Counter-based uniforms for ``ids`` (and optional second index ``sub``)."""
        return hash_uniform(self.key(mechanism, step, extra), ids, sub)

    def shared(self, key: tuple, make: Callable[[], Any]) -> Any:
        """``make()``, a draw that depends on ``key`` and this run's seed alone (never on a
        scenario), returned read-only; :class:`PairedStreams` makes each such draw once."""
        return _frozen(make())

    def generator(self, mechanism: str, step: int = 0, extra: int = 0) -> np.random.Generator:
        """A ``numpy.random.Generator`` for one mechanism and step."""
        ss = np.random.SeedSequence([self.seed, _mechanism_id(mechanism), step, extra])
        return np.random.Generator(np.random.PCG64(ss))


#: Memory (MB) the draws shared by scenarios of one pass may hold (:class:`PairedStreams`).
PAIRED_BUDGET_MB = 256.0


def _frozen(value):
    # a shared draw is handed to every scenario of a pass: one that wrote into it would
    # change the others' luck, so a write fails loudly instead
    for a in value if isinstance(value, tuple) else (value,):
        if isinstance(a, np.ndarray):
            a.flags.writeable = False
    return value


class PairedStreams(Streams):
    """The streams of one seed, shared by scenarios run with it one after the other.

    Scenarios of a comparison, a sweep or a tornado run with the same seed draw many of the
    same numbers: the candidates for contacts, baseline churn and acquisition of every step
    (:func:`sparse_candidates`, :func:`sparse_draw`) and the 64-bit keys of every (mechanism,
    step). These depend on the seed, the mechanism, the step, the market's size and the
    rate's tier only, so they are made once, kept (read-only) and handed to every scenario
    that asks again: the numbers are those of separate runs, bit for bit. Draws that
    depend on a scenario's state (who is a customer, who tells whom) are not kept. Past
    ``budget_mb`` of kept arrays, further draws are made afresh each time (the same
    numbers, only slower).

    Examples
    --------
    >>> s = PairedStreams(42)
    >>> a = sparse_draw(s, "contact", 0, 100_000, 0.05)
    >>> b = sparse_draw(s, "contact", 0, 100_000, 0.05)   # a second scenario asks
    >>> a is b, s.hits
    (True, 1)
    >>> bool((a == sparse_draw(Streams(42), "contact", 0, 100_000, 0.05)).all())
    True
    """

    def __init__(self, seed: int, budget_mb: float | None = None) -> None:
        super().__init__(seed)
        mb = PAIRED_BUDGET_MB if budget_mb is None else float(budget_mb)
        self._budget = int(mb * 2**20)
        self._memo: dict[tuple, object] = {}
        self._keys: dict[tuple, int] = {}
        #: bytes of arrays kept, and how many draws were handed out again
        self.held = 0
        self.hits = 0

    def key(self, mechanism: str, step: int, extra: int = 0) -> int:
        k = (mechanism, step, extra)
        v = self._keys.get(k)
        if v is None:
            v = self._keys[k] = super().key(mechanism, step, extra)
        return v

    def shared(self, key: tuple, make: Callable[[], Any]) -> Any:
        hit = self._memo.get(key)
        if hit is not None:
            self.hits += 1
            return hit
        value = _frozen(make())
        size = sum(a.nbytes for a in (value if isinstance(value, tuple) else (value,))
                   if isinstance(a, np.ndarray))
        if self.held + size <= self._budget:
            self._memo[key] = value
            self.held += size
        return value


# extra key of the thinning uniforms of sparse draws (apart from any other use)
THIN = 1 << 20


def sparse_candidates(streams: Streams, mechanism: str, step: int, n: int, p: float,
                      part: int = 0) -> tuple[np.ndarray, float]:
    """Candidates for a draw of probability ``p`` among ``n`` people, and their rate ``q``.

    Scanning everybody to find the few who, say, have a service contact this week costs a
    pass over the whole market per step. Instead a Bernoulli(``q``) subset of all ids is
    drawn directly (hashed bits or geometric gaps, :mod:`womsim.engine.bernoulli`) with
    ``q`` the smallest power of two >= ``p``; thinning it with :data:`THIN` uniforms at
    ``p / q`` gives each person probability ``p``, keyed by (run, mechanism, step, person)
    only. Scenarios whose ``p`` share a power-of-two tier
    draw the same candidates, so a higher ``p`` selects a superset (common random numbers).

    ``part`` (above 0) draws among the ``n`` members of a fixed part of the market (a
    segment) instead, from a stream of its own: the result is positions in its member list.
    """
    if p <= 0.0:
        return np.empty(0, dtype=np.int64), 1.0
    tier = int(np.floor(-np.log2(min(p, 1.0))))
    q = 2.0 ** -tier

    def make() -> np.ndarray:
        # tiers stay below 1100 (2**-1074 is the smallest double): parts cannot collide; a
        # mechanism of its own, apart from the mechanism's uniforms
        return bernoulli_subset(streams.key(mechanism + ".candidates", step,
                                            extra=tier + 4096 * part), n, tier)

    return streams.shared(("candidates", mechanism, step, n, tier, part), make), q


def sparse_draw(streams: Streams, mechanism: str, step: int, n: int, p: float) -> np.ndarray:
    """The ids (in increasing order) chosen with probability ``p`` each; see
    :func:`sparse_candidates`.

    Examples
    --------
    >>> s = Streams(3)
    >>> ids = sparse_draw(s, "contact", 0, 100_000, 0.05)
    >>> 4500 < ids.size < 5500
    True
    >>> bool(set(sparse_draw(s, "contact", 0, 100_000, 0.04)) <= set(ids))  # same tier
    True
    """
    def make() -> np.ndarray:
        cand, q = sparse_candidates(streams, mechanism, step, n, p)
        if q == p or cand.size == 0:
            return cand
        return cand[streams.uniform(mechanism, step, cand, extra=THIN) < p / q]

    return streams.shared(("draw", mechanism, step, n, p), make)


def sparse_draw_among(streams: Streams, mechanism: str, step: int, n: int, p: float,
                      status: np.ndarray, value: int) -> np.ndarray:
    """The ids of :func:`sparse_draw` whose ``status`` is ``value``, in increasing order.

    The same ids as filtering :func:`sparse_draw`; a run of its own (not a pass of paired
    scenarios, which share the whole draw) thins only the members, in one compiled pass.

    Examples
    --------
    >>> s, status = Streams(3), (np.arange(100_000) % 3 == 0).astype(np.int8)
    >>> ids = sparse_draw_among(s, "contact", 0, 100_000, 0.05, status, 1)
    >>> bool((ids == (d := sparse_draw(s, "contact", 0, 100_000, 0.05))[status[d] == 1]).all())
    True
    """
    if isinstance(streams, PairedStreams):
        d = sparse_draw(streams, mechanism, step, n, p)
        return d[status[d] == value]
    cand, q = sparse_candidates(streams, mechanism, step, n, p)
    if q == p or cand.size == 0:
        return cand[status[cand] == value]
    key = streams.key(mechanism, step, extra=THIN)
    if value != _CUSTOMER:
        return cand[(status[cand] == value) & (hash_uniform(key, cand) < p / q)]
    # u * q < p is u < p / q exactly (q is a power of two): the same ids, one compiled pass
    return thin_to_customers(cand, q, key, status, p)[0]
