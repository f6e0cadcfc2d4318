"""Compiling the kernels ahead, in two processes at once, when numba's cache lacks them.

A first run after install compiles every kernel of the network build and of the whole
run (engine.wholekernel) before any number comes out: all in numba's compiler (its
optimisation level hardly matters). Numba caches compiled kernels as files (written to a
temporary name and renamed, so a reader never sees half a file) and looks in the cache
whenever it needs a kernel it has not got, a callee included. So a helper process can
fill the cache while this one compiles: :func:`compile_ahead` starts one that compiles
:data:`HELPER_SHARE` while this process compiles the rest of :data:`KERNELS`, waiting
before a kernel for its callees of the helper's share (loaded from the cache, not
compiled twice). The whole run alone is about a third of the compiling and can start only
when all its callees are done, so the split is by measured compile times: each process
does half of the callees, then this one the whole run and the helper the network build's
kernels (docs/performance.md, "First demo").

The helper prints nothing, skips what is already cached (it needs nothing loaded), and
imports only the kernels' modules; it is waited for at exit, or stopped there if it is
still compiling. With every kernel cached no helper starts, nor on a busy machine (less
than a core and a half idle: there it would only add its own start, ~2 s of CPU).

:data:`KERNELS` is the demo's path (the flagship what-if: a single firm on a scale-free
network), each callee before its caller, with the one argument type each is compiled for
(``tests/test_compile_once.py`` checks both against what the demo compiles).
"""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

from numba.core.dispatcher import Dispatcher

from womsim.runner import aot
from womsim.runner.executors import _idle_cores
from womsim.runner.kerneltable import HELPER_SHARE, KERNELS, Kernels
from womsim.runner.kerneltable import entries as _entries

__all__ = ["HELPER_SHARE", "KERNELS", "compile_ahead", "compile_kernels", "uncached"]

_helper: subprocess.Popen | None = None
# the longest this process waits for the helper's kernels (a hung helper: then it compiles)
_WAIT_S = 300.0


def _cached(dispatcher: Any, sig: tuple) -> bool:
    """Whether numba's cache holds ``dispatcher`` compiled for ``sig`` (without loading it).

    Reads numba's cache index (not a public API); if that fails the kernel counts as
    cached, so that nothing changes from numba's own behaviour.
    """
    if sig in dispatcher.overloads:
        return True
    try:
        cache = dispatcher._cache
        key = cache._index_key(sig, dispatcher.targetctx.codegen())
        return key in cache._cache_file._load_index()
    except Exception:  # an unknown numba: behave as without this module
        return True


def uncached(kernels: Kernels = KERNELS) -> list[str]:
    """The kernels of ``kernels`` that numba's cache (or this process) does not hold yet.

    Examples
    --------
    >>> isinstance(uncached(), list)
    True
    """
    return [f"{d.py_func.__module__}.{d.py_func.__qualname__}"
            for d, sig in _entries(kernels) if not _cached(d, sig)]


def compile_kernels(kernels: Kernels = KERNELS, reverse: bool = False,
                    skip_cached: bool = False) -> int:
    """Compile (or load from the cache) each of ``kernels``; how many this process compiled.

    ``skip_cached``: only those the cache lacks at the start, leaving cached ones in the
    cache (a helper filling it needs none loaded); going ``reverse``, stop at the first
    of them that another process has saved meanwhile (it compiled from there on).

    Examples
    --------
    >>> compile_kernels() >= 0
    True
    """
    todo = [(d, sig) for d, sig in _entries(kernels, reverse)
            if not (skip_cached and _cached(d, sig))]
    done = 0
    for d, sig in todo:
        if skip_cached and _cached(d, sig):  # the other process got here first
            if reverse:
                break
            continue
        misses = sum(d.stats.cache_misses.values())
        try:
            d.compile(sig)
        except Exception:  # a stale table's type (its test fails): the run compiles it
            continue
        done += sum(d.stats.cache_misses.values()) > misses
    return done


def _reap() -> None:
    """At exit: let the helper finish the kernel it is saving, else stop it."""
    global _helper
    if _helper is not None:
        try:
            _helper.wait(timeout=5)
        except subprocess.TimeoutExpired:
            _helper.kill()
            _helper.wait()
        _helper = None


def _name(dispatcher: Any) -> str:
    return f"{dispatcher.py_func.__module__}.{dispatcher.py_func.__qualname__}"


def _callees(dispatcher: Any, seen: set[str] | None = None) -> set[str]:
    """The kernels ``dispatcher`` calls, directly or through others (the names it reads)."""
    seen = set() if seen is None else seen
    names = dispatcher.py_func.__globals__
    for name in dispatcher.py_func.__code__.co_names:
        v = names.get(name)
        if isinstance(v, Dispatcher) and _name(v) not in seen:
            seen.add(_name(v))
            _callees(v, seen)
    return seen


def _wait(rows: list[tuple[Any, tuple]]) -> None:
    """Until the helper has saved ``rows`` in the cache, or has ended (or hangs)."""
    deadline = time.monotonic() + _WAIT_S
    while (_helper is not None and _helper.poll() is None and time.monotonic() < deadline
           and not all(_cached(d, sig) for d, sig in rows)):
        time.sleep(0.05)


def _start_helper(kernels: Kernels) -> bool:
    """Start a process compiling ``kernels`` into the cache; whether it started."""
    global _helper
    pkg = str(Path(__file__).resolve().parents[1])  # womsim/
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(Path(pkg).parent), *filter(None, [os.environ.get("PYTHONPATH")])]),
        "PYTHONWARNINGS": "ignore"}
    # womsim's package module stood in for, so that the helper imports only the kernels'
    # modules (numpy, numba), not all of womsim's (pandas, scipy.stats, pydantic): its
    # start is on the way of what this process waits for, and ~1.5 s of CPU shorter so
    code = ("import sys, types\n"
            "pkg = types.ModuleType('womsim')\n"
            f"pkg.__path__ = [{pkg!r}]\n"
            "sys.modules['womsim'] = pkg\n"
            "from womsim.runner.ahead import compile_kernels\n"
            f"compile_kernels({kernels!r}, skip_cached=True)\n")
    try:
        _helper = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   env=env)
    except OSError as e:  # no helper: this process compiles them all, as without one
        warnings.warn(f"womsim: could not start a helper to compile kernels ({e})",
                      RuntimeWarning, stacklevel=3)
        return False
    atexit.register(_reap)
    return True


def compile_ahead(helper: bool | None = None, kernels: Kernels = KERNELS,
                  share: tuple[str, ...] = HELPER_SHARE) -> int:
    """Make sure ``kernels`` (the demo path's) are compiled before a run needs them.

    When numba's cache lacks some, a helper process compiles :data:`HELPER_SHARE` while
    this one compiles the rest; before a kernel, this one waits for those of its callees
    that are the helper's (compiling them too would only duplicate the helper's work), and
    at the end for the rest of the helper's, then loads them from the cache. With all
    cached it does nothing (a run loads each kernel when it first needs it). Returns how
    many kernels this process compiled.

    ``share``: the names (``module.kernel``) of those the helper compiles, in its order;
    none of ``kernels`` among them: no helper.

    ``helper``: None (default) starts one when a second core is idle now (on a busy
    machine it would only add its own start, ~2 s of CPU, to everybody's load); True
    whenever there are two cores; False never.

    Examples
    --------
    >>> compile_ahead(helper=False) >= 0
    True
    """
    if kernels is KERNELS and aot.install():  # compiled at install (womsim.runner.aot)
        return 0
    if not uncached(kernels):
        return 0
    names = list(share)
    theirs_k = tuple(sorted((k for k in kernels if f"{k[0]}.{k[1]}" in names),
                            key=lambda k: names.index(f"{k[0]}.{k[1]}")))
    # None: the automatic executor's rule, a core and a half idle (this one counts)
    if not (theirs_k and helper is not False and _helper is None
            and (os.cpu_count() or 1) > 1 and (helper or _idle_cores() >= 1.5)
            and _start_helper(theirs_k)):
        return compile_kernels(kernels)
    theirs = _entries(theirs_k)
    done = 0
    for d, sig in _entries(tuple(k for k in kernels if k not in theirs_k)):
        calls = _callees(d)
        _wait([(e, s) for e, s in theirs if _name(e) in calls])
        misses = sum(d.stats.cache_misses.values())
        try:
            d.compile(sig)
        except Exception:  # a stale table's type (its test fails): the run compiles it
            continue
        done += sum(d.stats.cache_misses.values()) > misses
    _wait(theirs)
    return done + compile_kernels(kernels)  # the helper's loaded (or compiled if it failed)
