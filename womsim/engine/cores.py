"""How many threads a market's compiled run takes: one, or two where a second core is free.

A market with segments or rivals runs each step's draws, and our side beside the rivals'
side, as two parts (:mod:`womsim.engine.marketsides`). On two threads they run at once;
the numbers are the same bit for bit on one or two. Two is the choice only where nothing
else of womsim can be using the second core:

* the run is called from the main thread of a process that was not started by another
  (an executor's worker process, a Dask worker's thread, the threads executor's threads
  each run one run on a core of their own: two threads each would only take turns);
* the machine has two cores or more, and numba may use two threads in this thread
  (``NUMBA_NUM_THREADS``, or ``numba.set_num_threads``).

``WOMSIM_MARKET_THREADS`` sets it: ``1`` (one thread always), ``2`` (two always: refused
where numba may use one thread only) or ``auto`` (the rule above; the default).

Measured on 2 cores (docs/performance.md, "Two segments and a rival"): the 1M-people
market of two segments and a rival, 0.61 s on one thread, 0.46 s on two; its CPU time
rises on two threads (0.82 s), because numba's OpenMP worker waits for the next part
spinning rather than asleep.

Examples
--------
>>> market_threads() in (1, 2)
True
"""

from __future__ import annotations

import multiprocessing
import os
import threading

__all__ = ["ENV", "last_run", "market_threads", "note_run"]

#: the environment variable that sets it
ENV = "WOMSIM_MARKET_THREADS"
_ALLOWED = ("1", "2", "auto")
_last = threading.local()


def _numba_threads() -> int:
    # this thread's: NUMBA_NUM_THREADS, or less after numba.set_num_threads
    from numba import get_num_threads

    return int(get_num_threads())


def market_threads() -> int:
    """Threads for the next market run here: 1 or 2 (see the module's rule).

    Raises
    ------
    ValueError
        If ``WOMSIM_MARKET_THREADS`` is set to anything but ``1``, ``2`` or ``auto``, or
        to ``2`` where numba may use one thread only.
    """
    flag = os.environ.get(ENV, "auto").strip().lower()
    if flag not in _ALLOWED:
        raise ValueError(f"{ENV}={os.environ[ENV]!r}: allowed values are '1' (one thread), "
                         "'2' (two where numba allows two) and 'auto' (two in the main "
                         "thread of a process of its own on 2+ cores; the default)")
    if flag == "1":
        return 1
    most = _numba_threads()
    if flag == "2":
        if most < 2:
            raise ValueError(f"{ENV}=2, but numba may use {most} thread here "
                             "(NUMBA_NUM_THREADS, or numba.set_num_threads): allow 2 or "
                             f"more, or set {ENV}=1")
        return 2
    if most < 2:
        return 1
    alone = (threading.current_thread() is threading.main_thread()
             and multiprocessing.parent_process() is None)
    return 2 if alone and (os.cpu_count() or 1) >= 2 else 1


def note_run(threads: int, apart: int) -> None:
    """Keep what this thread's last market run did (:func:`last_run`)."""
    _last.run = {"threads": threads, "steps_apart": apart}


def last_run() -> dict[str, int] | None:
    """What the last compiled market run in this thread did: the ``threads`` it was given
    and ``steps_apart``, the steps whose two sides ran on two different threads (every
    step of a market with rivals on two threads; 0 on one), or None before any.

    Examples
    --------
    >>> from womsim import Scenario
    >>> from womsim.engine.wholemarket import run_market
    >>> sc = Scenario().replace(**{"market.people": 2000, "simulation.horizon_years": 0.5})
    >>> _ = run_market(sc.today(rivals=[{"name": "b", "customer_share": 0.1}]), None, 3)
    >>> last_run()["steps_apart"] in (0, sc.simulation.steps)
    True
    """
    return getattr(_last, "run", None)
