"""Who runs the runs: serially, in local worker processes (the default), or on Dask.

Runs are independent, so any executor gives the same numbers: each run's seed is fixed by
the ensemble seed and the run's index, never by where or when it runs.

* ``"serial"``: in this process.
* ``"processes"``: a pool of local worker processes started with the ``spawn`` method
  through an explicit context (notebook-safe; the global start method is never changed).
  The scenario and network are sent once per worker, not once per run.
* a ``dask.distributed.Client``: the same tasks on a Dask cluster; the network is
  scattered to the workers once.
* ``None`` (default): processes when the job is big enough to repay starting them, else
  serial.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from typing import Any

from womsim.errors import WomsimError

__all__ = ["map_tasks", "resolve_executor"]

# below this many person-steps a pool costs more to start than it saves
_AUTO_THRESHOLD = 3e7

_WORKER: dict[str, Any] = {}


def _cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def resolve_executor(executor: Any, work: float, tasks: int) -> Any:
    """Turn ``executor=`` into ``"serial"``, ``"processes"``, a Dask client or an Executor."""
    if executor is None:
        if tasks >= 2 and work >= _AUTO_THRESHOLD and _cpu_count() > 1:
            return "processes"
        return "serial"
    if isinstance(executor, str):
        if executor not in ("serial", "processes"):
            raise WomsimError(f"executor={executor!r}: use 'serial', 'processes', a "
                              "dask.distributed.Client or a concurrent.futures.Executor")
        return executor
    if _is_dask(executor) or isinstance(executor, Executor):
        return executor
    raise WomsimError(f"executor={executor!r}: use 'serial', 'processes', a "
                      "dask.distributed.Client or a concurrent.futures.Executor")


def _is_dask(obj: Any) -> bool:
    return type(obj).__module__.startswith("distributed") and hasattr(obj, "scatter")


def _init_worker(shared: dict[str, Any]) -> None:
    _WORKER.clear()
    _WORKER.update(shared)


def _call(fn: Callable, arg: Any) -> Any:
    return fn(arg, **_WORKER)


def _call_dask(fn: Callable, arg: Any, shared: dict[str, Any]) -> Any:
    return fn(arg, **shared)


def map_tasks(fn: Callable, args: Sequence[Any], shared: dict[str, Any], executor: Any = None,
              work: float = 0.0, progress: bool | None = None, desc: str = "runs") -> list:
    """``[fn(a, **shared) for a in args]``, run by the chosen executor, in order.

    ``fn`` must be a module-level function (it is pickled to the workers); ``shared`` holds
    the large read-only inputs (scenario, network) sent once per worker.
    """
    ex = resolve_executor(executor, work, len(args))
    bar = _bar(len(args), progress, desc, work)
    try:
        if ex == "serial":
            out = []
            for a in args:
                out.append(fn(a, **shared))
                bar.update()
            return out
        if _is_dask(ex):
            return _map_dask(ex, fn, args, shared, bar)
        if ex == "processes":
            workers = min(_cpu_count(), len(args))
            ctx = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker,
                                     initargs=(shared,)) as pool:
                return _collect(pool, _call, fn, args, bar)
        return _collect(ex, _call_shared, fn, args, bar, shared)
    finally:
        bar.close()


def _call_shared(fn: Callable, arg: Any, shared: dict[str, Any]) -> Any:
    return fn(arg, **shared)


def _collect(pool, call, fn, args, bar, *extra) -> list:
    futures = {pool.submit(call, fn, a, *extra): i for i, a in enumerate(args)}
    out: list[Any] = [None] * len(args)
    for fut in as_completed(futures):
        out[futures[fut]] = fut.result()
        bar.update()
    return out


def _map_dask(client, fn, args, shared, bar) -> list:
    from distributed import as_completed as dask_completed

    remote = {k: client.scatter(v, broadcast=True) for k, v in shared.items()}
    futures = [client.submit(_call_dask, fn, a, remote, pure=False) for a in args]
    index = {f.key: i for i, f in enumerate(futures)}
    out: list[Any] = [None] * len(args)
    for fut in dask_completed(futures):
        out[index[fut.key]] = fut.result()
        bar.update()
    return out


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
