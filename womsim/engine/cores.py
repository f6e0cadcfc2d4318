"""How many threads a market's compiled run takes: one, or two where a second core is free.

A market with segments or rivals runs each step's draws, and our side beside the rivals'
side, as two parts (:mod:`womsim.engine.marketsides`). On two threads they run at once;
the numbers are the same bit for bit on one or two. Two is the choice only where nothing
else of womsim can be using the second core, and where numba's threads are safe:

* the run is called from the main thread of a process that was not started by another
  (an executor's worker process, a Dask worker's thread, the threads executor's threads
  each run one run on a core of their own: two threads each would only take turns);
* the process is not a ``fork()`` of one (GNU OpenMP, numba's threads on Linux, kills a
  forked child that uses it once its parent has: :func:`openmp_inherited`);
* the machine has two cores or more, and numba may use two threads in this thread
  (``NUMBA_NUM_THREADS``, or ``numba.set_num_threads``).

``WOMSIM_MARKET_THREADS`` sets it: ``1`` (one thread always), ``2`` (two always: refused
where numba may use one thread only, in a forked child of a process that ran them, and
outside the main thread where
numba's only threading layer is its ``workqueue``, which aborts the process when two
threads use it at once) or ``auto`` (the rule above; the default). Set ``1`` where you
run several womsim processes side by side yourself (``subprocess``, a job array, pytest's
workers): each would otherwise take two threads.

Measured on 2 cores (docs/performance.md, "Two segments and a rival", 2026-12-04): the
1M-people market of two segments and a rival, 0.51 s on one thread, 0.38 s on two; its
CPU time rises on two threads (0.68 s), because numba's OpenMP worker waits for the next
part spinning rather than asleep.

Examples
--------
>>> market_threads() in (1, 2)
True
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import threading

__all__ = ["ENV", "last_run", "market_threads", "note_run", "openmp_inherited"]

#: the environment variable that sets it
ENV = "WOMSIM_MARKET_THREADS"
_ALLOWED = ("1", "2", "auto")
_last = threading.local()
_forked = [False]  # set in a child of os.fork (multiprocessing's "fork" included)


def _mark_forked() -> None:
    _forked[0] = True


os.register_at_fork(after_in_child=_mark_forked)


def openmp_inherited() -> bool:
    """Whether this process is a ``fork()`` of one whose numba threads ran on GNU
    OpenMP: such a child is killed ("fork() called from a process already using GNU
    OpenMP") if it uses them, so womsim's kernels take one thread there."""
    if not _forked[0]:
        return False
    import numba  # here: engine.spread imports this module and must work without numba

    try:
        return bool(numba.threading_layer() == "omp")
    except ValueError:  # the parent never started numba's threads
        return False


def _numba_threads() -> int:
    # this thread's: NUMBA_NUM_THREADS, or less after numba.set_num_threads
    import numba

    return int(numba.get_num_threads())


def _only_workqueue() -> bool:
    # whether numba's threads are (or would be) its workqueue layer, which is not safe
    # for two threads at once: the layer in use once launched, else whether the layers
    # that are safe can load here
    import numba

    try:
        return bool(numba.threading_layer() == "workqueue")
    except ValueError:  # not launched yet
        pass
    if getattr(numba.config, "THREADING_LAYER", "default") == "workqueue":
        return True
    for pool in ("tbbpool", "omppool"):
        try:
            importlib.import_module(f"numba.np.ufunc.{pool}")
            return False
        except ImportError:
            continue
    return True


def market_threads() -> int:
    """Threads for the next market run here: 1 or 2 (see the module's rule).

    Raises
    ------
    ValueError
        If ``WOMSIM_MARKET_THREADS`` is set to anything but ``1``, ``2`` or ``auto``, or
        to ``2`` where two threads cannot run (see the module).
    """
    flag = os.environ.get(ENV, "auto").strip().lower()
    if flag not in _ALLOWED:
        raise ValueError(f"{ENV}={os.environ[ENV]!r}: allowed values are '1' (one thread), "
                         "'2' (two where numba allows two) and 'auto' (two in the main "
                         "thread of a process of its own on 2+ cores; the default)")
    if flag == "1":
        return 1
    most = _numba_threads()
    main = threading.current_thread() is threading.main_thread()
    if flag == "2":
        if most < 2:
            raise ValueError(f"{ENV}=2, but numba may use {most} thread here "
                             "(NUMBA_NUM_THREADS, or numba.set_num_threads): allow 2 or "
                             f"more, or set {ENV}=1")
        if openmp_inherited():
            raise ValueError(f"{ENV}=2 in a process made by fork() from one that ran "
                             "numba's OpenMP threads: GNU OpenMP kills such a child when "
                             f"it uses them; set {ENV}=1, or start workers with the "
                             "'spawn' method")
        if not main and _only_workqueue():
            raise ValueError(f"{ENV}=2 outside the main thread, but numba's only "
                             "threading layer here is 'workqueue', which aborts the "
                             "process when two threads use it at once; install tbb or "
                             f"an OpenMP runtime, or set {ENV}=1")
        return 2
    alone = main and not _forked[0] and multiprocessing.parent_process() is None
    return 2 if alone and most >= 2 and (os.cpu_count() or 1) >= 2 else 1


def note_run(threads: int | None, apart: int = 0) -> None:
    """Keep what this thread's last market run did (:func:`last_run`); ``None``: it did
    not go through the compiled market run."""
    _last.run = None if threads is None else {"threads": threads, "steps_apart": apart}


def last_run() -> dict[str, int] | None:
    """What the last market run in this thread did in the compiled market run: the
    ``threads`` it was given and ``steps_apart``, the steps whose two parts (the draws,
    or our side and the rivals' side) ran on two different threads (every step on two
    threads; 0 on one). None before any, and when the last run went by the step
    instead (a market the compiled run does not cover, or one it handed back).

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
