"""Who runs the runs: serially, in local worker processes (the default), or on Dask.

Runs are independent, so any executor gives the same numbers: each run's seed is fixed by
the ensemble seed and the run's index, never by where or when it runs.

* ``"serial"``: in this process.
* ``"processes"``: local worker processes started with the ``spawn`` method through an
  explicit context (notebook-safe; the global start method is never changed), kept for
  the session so that only the first call pays for starting them (:func:`close_pool`
  stops them). The scenario and network travel with each run (milliseconds per 100k
  people).
* ``"threads"``: threads of this process, one per core, kept for the session. Nothing
  to start or to send: a run in one compiled call (:mod:`womsim.engine.wholerun`, the plain
  market's runs of a comparison, sweep or tornado) releases the GIL, so such runs share the
  cores; the rest of a run (its set-up, the step of a market it does not cover) holds the
  GIL and runs one thread at a time. The same numbers as serially.
* a ``dask.distributed.Client``: the same tasks on a Dask cluster; the network is
  scattered to the workers once.
* a ``concurrent.futures.Executor`` (threads or processes of your own).
* ``None`` (default): in a notebook or an interactive session, processes where they
  measurably win now (:func:`auto_executor`: a big enough job and idle cores), else
  serial. In a script the default stays serial: worker processes re-import the script,
  and one without an ``if __name__ == "__main__":`` guard would hang; pass
  ``executor="processes"`` from a guarded script. ``executor="processes"`` from an
  unguarded script, or from a program read from standard input, is refused at once with
  a message saying so (:func:`check_main_guard`), instead of hanging.

Faults: a task that raises anything but a womsim input error (:class:`WomsimError`, which is
deterministic and reported at once) is retried up to ``retries`` times; a worker process
that dies (``BrokenProcessPool``) is replaced by a fresh pool and the tasks it may have
been running are retried. A task that still fails is reported with what it was (the
``describe`` text: a grid point and run), as :class:`TaskFailedError`.
"""

from __future__ import annotations

import ast
import atexit
import multiprocessing
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    BrokenExecutor,
    Executor,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from dataclasses import dataclass
from types import FrameType
from typing import Any

from womsim.core.errors import WomsimError
from womsim.runner import aot

__all__ = ["TaskFailedError", "auto_executor", "check_main_guard", "close_pool", "map_tasks",
           "resolve_executor"]

# The automatic choice (see auto_executor) compares the serial time with the time in
# worker processes, from these costs measured on a 2-core machine (docs/performance.md):
# one person-step of a run ~2.3e-8 s of CPU; starting the pool 3-8 s (each spawned
# worker imports numpy, pandas, scipy and numba and loads the kernels) on a quiet machine;
# each call on a started pool ~0.5 s (the inputs travel with each task).
_STEP_COST_S = 2.3e-8
_POOL_START_S = 5.0
_MAP_OVERHEAD_S = 0.5
# processes only for a clear win: at most this share of the serial time
_WIN = 0.8

#: Test hook: path of a marker file. A worker process of the ``"processes"`` pool that finds
#: this variable set creates the marker and dies (``os._exit(1)``), once for all workers,
#: on its call number ``WOMSIM_TEST_KILL_AFTER + 1`` (default: its first call).
KILL_WORKER_ENV = "WOMSIM_TEST_KILL_WORKER"
KILL_AFTER_ENV = "WOMSIM_TEST_KILL_AFTER"

_WORKER: dict[str, Any] = {}
_WORKER_CALLS = [0]


class TaskFailedError(RuntimeError):
    """A task still failed after its retries (or a worker process kept dying under it).

    Attributes
    ----------
    failures : list of (index, description, exception)
        Every task that failed, in task order; the first one's exception is the cause.
    """

    def __init__(self, message: str, failures: list[tuple[int, str, BaseException]]) -> None:
        super().__init__(message)
        self.failures = failures


@dataclass
class _Failure:
    index: int
    exc: BaseException
    attempts: int


def _cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def resolve_executor(executor: Any, work: float, tasks: int) -> Any:
    """Turn ``executor=`` into ``"serial"``, ``"processes"``, a Dask client or an Executor."""
    if executor is None:
        return auto_executor(work, tasks) if _interactive() else "serial"
    if isinstance(executor, str):
        if executor not in ("serial", "processes", "threads"):
            raise WomsimError(f"executor={executor!r}: use 'serial', 'processes', 'threads', "
                              "a dask.distributed.Client or a concurrent.futures.Executor")
        if executor == "processes":
            check_main_guard()
        if executor == "threads":
            return _Pool.threads(_cpu_count())
        return executor
    if _is_dask(executor) or isinstance(executor, Executor):
        return executor
    raise WomsimError(f"executor={executor!r}: use 'serial', 'processes', 'threads', a "
                      "dask.distributed.Client or a concurrent.futures.Executor")


def _idle_cores(window: float = 0.1) -> float:
    """Cores idle right now (other users' load counts), from two reads of /proc/stat."""
    def read() -> tuple[int, int]:
        with open("/proc/stat") as fh:
            f = [int(x) for x in fh.readline().split()[1:]]
        return sum(f), f[3] + (f[4] if len(f) > 4 else 0)  # total, idle + iowait
    try:
        t0, i0 = read()
        time.sleep(window)
        t1, i1 = read()
    except (OSError, ValueError, IndexError):  # not Linux: assume the cores are free
        return float(_cpu_count())
    if t1 <= t0:
        return float(_cpu_count())
    return _cpu_count() * (i1 - i0) / (t1 - t0)


def auto_executor(work: float, tasks: int) -> str:
    """``"processes"`` where worker processes measurably beat serial now, else ``"serial"``.

    The serial time is estimated from ``work`` (person-steps) at ~2.3e-8 s each; in
    processes it is that over the cores idle right now (at most one per task and
    worker), plus the pool's start (3-8 s; nothing once this session's pool runs) and a
    per-call cost. Processes are picked only when they take at most 80% of the serial
    time: on a busy machine (other users' load) or for short jobs serial wins, as
    measured (docs/performance.md, "Workers").

    Examples
    --------
    >>> auto_executor(work=1e6, tasks=4)    # a fraction of a second: never worth a pool
    'serial'
    """
    cpus = _cpu_count()
    serial = work * _STEP_COST_S
    start = _POOL_START_S if _Pool.pool is None else 0.0
    if tasks < 2 or cpus < 2 or serial <= _WIN * (start + _MAP_OVERHEAD_S):
        return "serial"
    workers = min(cpus, tasks, _idle_cores())
    if workers < 1.5:
        return "serial"
    parallel = serial / workers + start + _MAP_OVERHEAD_S
    return "processes" if parallel <= _WIN * serial else "serial"


def _interactive() -> bool:
    """Whether the main program is a notebook, a REPL or ``python -c``.

    A script's worker processes re-import it; without an ``if __name__ == "__main__":``
    guard they would start the simulation again instead of working. So the default only
    picks processes where that cannot happen; a script asks with ``executor="processes"``.
    """
    import __main__

    spec = getattr(__main__, "__spec__", None)
    return not hasattr(__main__, "__file__") or (
        spec is not None and spec.name.startswith(("ipykernel", "IPython")))


def _is_guard(node: ast.stmt) -> bool:
    """Whether ``node`` is ``if __name__ == "__main__":`` (either way round)."""
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
        return False
    t = node.test
    if len(t.ops) != 1 or not isinstance(t.ops[0], ast.Eq):
        return False
    sides = [t.left, t.comparators[0]]
    return (any(isinstance(x, ast.Name) and x.id == "__name__" for x in sides)
            and any(isinstance(x, ast.Constant) and x.value == "__main__" for x in sides))


def check_main_guard() -> None:
    """Refuse worker processes where they would hang or die at start.

    ``spawn`` workers re-run the main program's top-level code before they work. A script
    calling womsim at its top level, outside ``if __name__ == "__main__":``, would start
    its workers' workers (Python refuses, and the pool never finishes); a program read from
    standard input cannot be re-read at all. Both are refused here, at once, with the fix.
    Notebooks, the REPL and ``python -c`` have nothing to re-run and are fine.

    Raises
    ------
    WomsimError
        The caller is such a script or a program from standard input.

    Examples
    --------
    >>> check_main_guard()  # under the doctest runner: its entry point is guarded
    """
    import __main__

    if _interactive():
        return
    path = getattr(__main__, "__file__", None)
    if path is None:
        return
    fix = ("run it with executor='serial', or save it as a file that does its work under "
           "if __name__ == \"__main__\":")
    if not os.path.isfile(path):
        raise WomsimError(f"executor='processes' cannot be used from a program read from "
                          f"standard input ({path}): worker processes start by re-reading "
                          f"the main program, and this one cannot be re-read; {fix}")
    main_globals = vars(__main__)
    frame: FrameType | None = sys._getframe(1)
    line = None
    while frame is not None:  # the outermost frame running the script's top-level code
        if frame.f_globals is main_globals and frame.f_code.co_name == "<module>":
            line = frame.f_lineno
        frame = frame.f_back
    if line is None:
        return
    try:
        with open(path, "rb") as fh:
            tree = ast.parse(fh.read(), filename=path)
    except (OSError, SyntaxError, ValueError):  # cannot tell: let it run
        return
    for node in tree.body:
        if node.lineno <= line <= (node.end_lineno or node.lineno):
            if _is_guard(node):
                return
            raise WomsimError(
                f"executor='processes' called from the top level of {path} (line {line}) "
                "without an if __name__ == \"__main__\": guard: each worker process would "
                "run the script again and the runs would never finish. Put the script's "
                "work under if __name__ == \"__main__\": (or use executor='serial')")


def _is_dask(obj: Any) -> bool:
    return type(obj).__module__.startswith("distributed") and hasattr(obj, "scatter")


class _Pool:
    """The session's worker processes, started on first use and kept for the next calls.

    Starting ``spawn`` workers costs seconds (each imports numpy, pandas, scipy and numba
    and loads the compiled kernels); a notebook that runs ten what-ifs pays it once. The
    inputs a map shares (scenario, network) travel with each task (a few milliseconds per
    100k people; nothing is unpickled from files).
    """

    pool: ProcessPoolExecutor | None = None
    workers = 0
    token = 0
    # executor="threads": one thread per core, kept likewise (starting one is cheap, but a
    # map must not leave threads behind each call)
    thread_pool: ThreadPoolExecutor | None = None

    @classmethod
    def threads(cls, workers: int) -> ThreadPoolExecutor:
        if cls.thread_pool is None:
            cls.thread_pool = ThreadPoolExecutor(workers, thread_name_prefix="womsim")
        return cls.thread_pool

    @classmethod
    def get(cls, workers: int) -> ProcessPoolExecutor:
        if cls.pool is None or cls.workers < workers:
            cls.discard_processes()
            cls.pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(
                "spawn"))
            cls.workers = workers
        return cls.pool

    @classmethod
    def discard(cls) -> None:
        """Forget a broken pool (its processes are gone or going)."""
        if cls.pool is not None:
            cls.pool.shutdown(wait=False, cancel_futures=True)
        cls.pool, cls.workers = None, 0

    @classmethod
    def discard_processes(cls) -> None:
        if cls.pool is not None:
            cls.pool.shutdown(wait=True, cancel_futures=True)
        cls.pool, cls.workers = None, 0

    @classmethod
    def close(cls) -> None:
        cls.discard_processes()
        if cls.thread_pool is not None:
            cls.thread_pool.shutdown(wait=True, cancel_futures=True)
            cls.thread_pool = None


def close_pool() -> None:
    """Stop the worker processes (and threads) kept for this session (they start again
    when needed).

    ``executor="processes"`` keeps its workers between calls so that only the first call
    pays for starting them; call this to free their memory sooner. Python calls it at exit.

    Examples
    --------
    >>> close_pool()
    """
    _Pool.close()


atexit.register(close_pool)


def _test_kill_hook(hook: tuple[str | None, int]) -> None:
    """Die once (for tests of worker loss): see :data:`KILL_WORKER_ENV`."""
    # the parent's settings at the time of the map: a kept worker's own environment is
    # that of when it started
    marker, after = hook
    if not marker:
        return
    _WORKER_CALLS[0] += 1
    if _WORKER_CALLS[0] <= after:
        return
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return
    os.close(fd)
    os._exit(1)


def _call(fn: Callable, arg: Any, token: int, shared: dict[str, Any],
          hook: tuple[str | None, int]) -> Any:
    # runs only in the worker processes of the kept pool; a kept worker counts its calls
    # per map (``token``), as a fresh pool's worker would
    if _WORKER.get("token") != token:
        _WORKER.clear()
        _WORKER["token"] = token
        _WORKER_CALLS[0] = 0
    _test_kill_hook(hook)
    aot.install()  # a new worker: the kernels compiled at install, as in the parent
    return fn(arg, **shared)


def _call_shared(fn: Callable, arg: Any, shared: dict[str, Any]) -> Any:
    aot.install()  # (a caller's own process pool: its workers are new processes)
    return fn(arg, **shared)


def _retryable(exc: BaseException) -> bool:
    # input errors are deterministic: running them again cannot help
    return not isinstance(exc, WomsimError)


class _Tracker:
    """Results, attempts and failures of one map; hands results to ``on_result``."""

    def __init__(self, n: int, retries: int, on_result, bar, keep_going: bool) -> None:
        self.out: list[Any] = [None] * n
        self.attempts = [0] * n
        self.failures: list[_Failure] = []
        self.retries = retries
        self.on_result = on_result
        self.bar = bar
        self.keep_going = keep_going

    def done(self, i: int, result: Any) -> None:
        if self.on_result is not None:
            self.on_result(i, result)
        else:
            self.out[i] = result
        self.bar.update()

    def failed(self, i: int, exc: BaseException) -> bool:
        """Record a failed attempt; True if the task should run again."""
        self.attempts[i] += 1
        if _retryable(exc) and self.attempts[i] <= self.retries:
            return True
        self.failures.append(_Failure(i, exc, self.attempts[i]))
        return False

    @property
    def stop(self) -> bool:
        return bool(self.failures) and not self.keep_going


def map_tasks(fn: Callable, args: Sequence[Any], shared: dict[str, Any], executor: Any = None,
              work: float = 0.0, progress: bool | None = None, desc: str = "runs", *,
              retries: int = 2, on_result: Callable[[int, Any], None] | None = None,
              describe: Callable[[int], str] | None = None,
              keep_going: bool = False) -> list:
    """``[fn(a, **shared) for a in args]``, run by the chosen executor, in order.

    ``fn`` must be a module-level function (it is pickled to the workers); ``shared`` holds
    the large read-only inputs (scenario, network), sent with each task to worker processes
    (a Dask cluster gets them once, scattered).

    Parameters
    ----------
    retries : int
        How often a task that raised (anything but a :class:`WomsimError`) or whose worker
        process died is run again before it counts as failed.
    on_result : callable(index, result), optional
        Called in this process as each task finishes (in completion order), e.g. to save
        finished work; the results are then handed over, not kept (the list returned holds
        None).
    describe : callable(index) -> str, optional
        Names a task in error messages ("point {...}, run 3").
    keep_going : bool
        After a task has failed for good, finish the others (so ``on_result`` sees them)
        before raising; default: stop at once.

    Raises
    ------
    TaskFailedError
        With ``describe``: a task failed after its retries; the message names it. Also,
        whatever ``describe``, when worker processes kept dying under a task.
    WomsimError
        A task raised an input error (not retried); same type, its message prefixed with
        the task's description when ``describe`` is given.
    Exception
        Without ``describe``: the failed task's own exception, as raised.

    Examples
    --------
    >>> map_tasks(pow, [1, 2, 3], {"exp": 2}, executor="serial")
    [1, 4, 9]
    """
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise WomsimError(f"retries = {retries!r}: must be a whole number >= 0")
    ex = resolve_executor(executor, work, len(args))
    # every run path comes here: the kernels compiled at install (womsim.runner.aot) serve
    # its first run, which would otherwise wait 20-40 s for numba's compiler (they served
    # only `womsim demo` before); a no-op once done, or without a module that matches
    aot.install()
    bar = _bar(len(args), progress, desc, work)
    track = _Tracker(len(args), retries, on_result, bar, keep_going)
    try:
        if not args:
            return []
        if ex == "serial":
            _map_serial(fn, args, shared, track)
        elif _is_dask(ex):
            _map_dask(ex, fn, args, shared, track)
        elif ex == "processes":
            _map_processes(fn, args, shared, track)
        else:
            _map_executor(ex, fn, args, shared, track)
    finally:
        bar.close()
    if track.failures:
        _raise(track, describe)
    return track.out


def _raise(track: _Tracker, describe: Callable[[int], str] | None) -> None:
    fails = sorted(track.failures, key=lambda f: f.index)
    def name(i: int) -> str:
        return describe(i) if describe is not None else f"task {i}"
    first = fails[0]
    others = ""
    if len(fails) > 1:
        more = "; ".join(f"{name(f.index)}: {type(f.exc).__name__}: {f.exc}" for f in fails[1:4])
        others = f" ({len(fails) - 1} other task(s) failed too: {more}" + \
            ("; ..." if len(fails) > 4 else "") + ")"
    exc = first.exc
    if describe is None and not isinstance(exc, BrokenExecutor):
        # nothing to name the task by: the task's own exception, as it was raised
        if first.attempts > 1 and hasattr(exc, "add_note"):
            exc.add_note(f"(task {first.index} failed {first.attempts} times{others})")
        raise exc
    if isinstance(exc, WomsimError):
        try:
            named = type(exc)(f"{name(first.index)}: {exc}{others}")
        except Exception:  # an error type that takes other arguments: name it anyway
            named = None
        if isinstance(named, WomsimError):
            raise named from exc
    if isinstance(exc, BrokenExecutor):
        what = (f"the worker process running it died {first.attempts} time(s) (killed, out "
                "of memory or crashed)")
    else:
        what = (f"it raised {type(exc).__name__}: {exc} (after {first.attempts} "
                f"attempt{'s' if first.attempts > 1 else ''})")
    raise TaskFailedError(f"{name(first.index)} failed: {what}{others}",
                          [(f.index, name(f.index), f.exc) for f in fails]) from exc


def _map_serial(fn, args, shared, track: _Tracker) -> None:
    for i, a in enumerate(args):
        while True:
            try:
                result = fn(a, **shared)
            except Exception as exc:  # reported with the task's name
                if track.failed(i, exc):
                    continue
                break
            track.done(i, result)
            break
        if track.stop:
            return


def _map_processes(fn, args, shared, track: _Tracker) -> None:
    """The kept spawn pool: replaced when a worker dies, with the lost tasks retried."""
    pending = deque(range(len(args)))
    workers = _cpu_count()
    _Pool.token += 1
    hook = (os.environ.get(KILL_WORKER_ENV) or None, int(os.environ.get(KILL_AFTER_ENV, "0")))
    try:
        while pending and not track.stop:
            pool = _Pool.get(workers)
            if not _drain(pool, _call, fn, args, (_Pool.token, shared, hook), pending, track,
                          limit=2 * workers):
                _Pool.discard()
    except BaseException:
        # interrupted (Ctrl-C in a notebook): tasks still queued must not run later
        _Pool.discard()
        raise


def _drain(pool, call, fn, args, extra, pending: deque, track: _Tracker, limit: int) -> bool:
    """Run ``pending`` tasks on ``pool``, at most ``limit`` at a time; False if it broke.

    Tasks in flight when the pool breaks are put back (retried) on a fresh pool; keeping
    few in flight keeps the suspects of a worker's death few.
    """
    inflight: dict[Any, int] = {}
    broken = False
    while (pending or inflight) and not track.stop:
        while pending and len(inflight) < limit and not broken:
            i = pending.popleft()
            try:
                inflight[pool.submit(call, fn, args[i], *extra)] = i
            except BrokenExecutor:
                pending.appendleft(i)
                broken = True
        if not inflight:
            break
        done, _ = wait(list(inflight), return_when=FIRST_COMPLETED)
        if broken or any(isinstance(f.exception(), BrokenExecutor) for f in done):
            # the rest of the in-flight tasks fail (or finish) with the pool: settle them
            done, _ = wait(list(inflight))
            broken = True
        for fut in done:
            i = inflight.pop(fut)
            exc = fut.exception()
            if exc is None:
                track.done(i, fut.result())
            elif track.failed(i, exc):
                pending.append(i)
        if broken:
            return False
    if inflight:
        # stopped on a failure: what has not started is dropped, what runs is waited for,
        # so a kept pool starts its next map idle
        for fut in inflight:
            fut.cancel()
        wait(list(inflight))
    return not broken


def _map_executor(ex, fn, args, shared, track: _Tracker) -> None:
    """A concurrent.futures Executor you passed: retried tasks, but it cannot be restarted."""
    pending = deque(range(len(args)))
    limit = max(2 * getattr(ex, "_max_workers", _cpu_count()), 2)
    if not _drain(ex, _call_shared, fn, args, (shared,), pending, track, limit) and pending:
        # no fresh pool to move to: report what is left
        for i in pending:
            track.failures.append(_Failure(i, BrokenExecutor(
                "the executor you passed is broken (a worker died); pass a new one or "
                "executor='processes'"), track.attempts[i]))
        pending.clear()


def _call_dask(fn: Callable, arg: Any, shared: dict[str, Any]) -> Any:
    aot.install()  # on the cluster's worker
    return fn(arg, **shared)


def _map_dask(client, fn, args, shared, track: _Tracker) -> None:
    """Dask reschedules tasks of lost workers itself; failed tasks are resubmitted."""
    from distributed import as_completed as dask_completed

    remote = {k: client.scatter(v, broadcast=True) for k, v in shared.items()}

    def submit(i: int):
        return client.submit(_call_dask, fn, args[i], remote, pure=False)

    futures = [submit(i) for i in range(len(args))]
    index = {f.key: i for i, f in enumerate(futures)}
    queue = dask_completed(futures)
    for fut in queue:
        i = index[fut.key]
        try:
            result = fut.result()
        except Exception as exc:  # reported with the task's name
            if track.failed(i, exc):
                again = submit(i)
                index[again.key] = i
                queue.add(again)
            elif track.stop:
                for f in futures:
                    f.cancel()
                return
            continue
        track.done(i, result)


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def _bar(total: int, progress: bool | None, desc: str, work: float):
    # a bar only where a run takes long enough to be worth watching
    show = progress if progress is not None else (total > 1 and work > 2e8)
    if not show:
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, leave=False)
