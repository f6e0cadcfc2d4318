"""The initial market of a run drawn on a second thread while its network is built.

At 10M people :meth:`~womsim.engine.state.State.initial` takes about half a second
(uniforms, lognormal revenues, comparisons: numpy calls that release the GIL), and the
scale-free build before it spends as long in :func:`~womsim.network.bacsr.ba_targets`,
one thread (nogil). Neither reads the other: the market of a cold start without
clustering depends on the scenario and the run's seed alone (its own ``"init"``
stream). :func:`draw_behind` starts that draw on a thread before the build;
:func:`take` hands it to the run's start, which otherwise draws it in line. The same
arrays either way: the same stream, the same calls.

Examples
--------
>>> from womsim import Scenario
>>> from womsim.engine.rng import Streams
>>> sc = Scenario().replace(**{"market.people": 1000})
>>> draw_behind(sc, 5)
True
>>> got = take(sc, 1000, Streams(5))
>>> ref = State.initial(sc, 1000, Streams(5))
>>> bool((got.status == ref.status).all() and (got.revenue == ref.revenue).all())
True
>>> take(sc, 1000, Streams(5)) is None  # taken once
True
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from womsim.engine.rng import Streams
from womsim.engine.state import State

if TYPE_CHECKING:
    from womsim.model.scenario import Scenario

__all__ = ["covered", "draw_behind", "take", "take_pack"]

# the one draw under way: (scenario, seed, thread, [state or exception], {key: pack})
_pending: tuple[Scenario, int, threading.Thread, list, dict] | None = None
# the candidate packs of the run whose market was taken: (seed, {key: pack})
_ready: tuple[int, dict] | None = None
_lock = threading.Lock()


def covered(scenario: Scenario) -> bool:
    """Whether the initial market of ``scenario`` needs no network and no other stream:
    a cold start, no segments, rivals or customer clustering."""
    return (not scenario.segments and not scenario.rivals
            and scenario.simulation.start == "cold"
            and scenario.market.customer_clustering == 0)


def draw_behind(scenario: Scenario, seed: int,
                packs: Callable[[Scenario, Streams], dict[tuple, tuple]] | None = None
                ) -> bool:
    """Start drawing the initial market of the run of ``seed`` on a thread; whether it
    was started (a scenario :func:`covered` rules out is drawn in line by the run).

    ``packs``: what else to draw there once the market is drawn, by key
    (:func:`womsim.engine.wholerun.packs_ahead`, passed in by the caller: that module
    imports this one), handed to the run by :func:`take_pack`."""
    global _pending
    if not covered(scenario):
        return False
    box: list = []
    drawn: dict = {}

    def work() -> None:
        streams = Streams(seed)
        try:
            box.append(State.initial(scenario, scenario.market.people, streams))
        except BaseException as exc:  # the run draws it again in line, and raises there
            box.append(exc)
            return
        if packs is None:
            return
        try:  # then the whole run's churn and acquisition candidates (engine.wholerun)
            drawn.update(packs(scenario, streams))
        except BaseException:  # the run makes them in line
            drawn.clear()

    worker = threading.Thread(target=work, name="womsim-initial", daemon=True)
    with _lock:
        _pending = (scenario, int(seed), worker, box, drawn)
    worker.start()
    return True


def take_pack(seed: int, key: tuple) -> tuple | None:
    """The candidates pack ``key`` (:func:`womsim.engine.wholerun.packs_ahead`) drawn
    behind for the run of ``seed`` and handed over by :func:`take`, once; else None."""
    with _lock:
        if _ready is None or _ready[0] != seed:
            return None
        return _ready[1].pop(key, None)


def take(scenario: Scenario, n: int, streams: Streams) -> State | None:
    """The market :func:`draw_behind` drew for this very scenario and seed (waiting for
    it), else None; a draw is handed out once, and one for another run is dropped."""
    global _pending, _ready
    with _lock:
        pending, _pending, _ready = _pending, None, None
    if pending is None:
        return None
    sc, seed, worker, box, packs = pending
    worker.join()
    if sc is not scenario or seed != streams.seed or n != sc.market.people:
        return None
    with _lock:
        _ready = (seed, packs)
    got = box[0] if box else None
    return got if isinstance(got, State) else None
