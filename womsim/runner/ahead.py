"""Compiling the kernels ahead, in two processes at once, when numba's cache lacks them.

A first run after install compiles every kernel of the network build and of the step
(~17 s of CPU, all in numba's compiler: its optimisation level hardly matters) before any
number comes out. Numba caches compiled kernels as files (written to a temporary name and
renamed, so a reader never sees half a file) and looks in the cache whenever it needs a
kernel it has not got. So a helper process can fill the cache while this one compiles:
:func:`compile_ahead` starts one that compiles :data:`KERNELS` from the end while this
process compiles them from the start; each loads what the other has already saved, and
they meet in the middle: this process compiles about half of them (under load 13.1 s of
CPU instead of 20.4 s; the helper's own start, ~3 s of CPU, comes on top, on the other core).

The helper prints nothing, skips what is already cached (it needs nothing loaded), and
ends when it reaches a cached kernel; it is waited for at exit, or stopped there if it is
still compiling. With every kernel cached no helper starts, nor on a busy machine (less
than a core and a half idle: there it would only add its own start, ~3 s of CPU).

:data:`KERNELS` is the demo's path (the flagship what-if: a single firm on a scale-free
network) in the order it first calls them, with the one argument type each is compiled for
(``tests/test_compile_once.py`` checks both against what the demo compiles).
"""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

from numba.core import sigutils

from womsim.engine import bernoulli, fused, hearings, kernels, ledger, wholekernel
from womsim.network import bacsr, memberbits
from womsim.runner.executors import _idle_cores

__all__ = ["KERNELS", "compile_ahead", "compile_kernels", "uncached"]

_MODULES = {m.__name__: m for m in (bacsr, memberbits, bernoulli, kernels, fused,
                                    hearings, ledger, wholekernel)}

_I32 = "Array(int32, 1, 'C', False, aligned=True)"
_I32R = "Array(int32, 1, 'C', True, aligned=True)"
_I64 = "Array(int64, 1, 'C', False, aligned=True)"
_I64R = "Array(int64, 1, 'C', True, aligned=True)"
_I8 = "Array(int8, 1, 'C', False, aligned=True)"
_BR = "Array(bool, 1, 'C', True, aligned=True)"
_B = "Array(bool, 1, 'C', False, aligned=True)"
_F64 = "Array(float64, 1, 'C', False, aligned=True)"
_U64 = "Array(uint64, 1, 'C', False, aligned=True)"

#: (module, kernel, argument types as numba prints them), in the demo's order of first use
_WHOLE_RUN = "(" + ", ".join((
    'int64',
    "Array(int64, 1, 'C', True, aligned=True)",
    "Array(int32, 1, 'C', True, aligned=True)",
    'bool',
    "Array(int8, 1, 'C', False, aligned=True)",
    "Array(float32, 1, 'C', True, aligned=True)",
    "Array(bool, 1, 'C', True, aligned=True)",
    "Array(int32, 1, 'C', False, aligned=True)",
    "Array(int32, 1, 'C', False, aligned=True)",
    "Array(uint64, 1, 'C', False, aligned=True)",
    'int64',
    'int64',
    "Array(int64, 1, 'C', True, aligned=True)",
    "Array(int64, 1, 'C', True, aligned=True)",
    "Array(int64, 1, 'C', True, aligned=True)",
    "Array(int64, 1, 'C', True, aligned=True)",
    "Array(int64, 1, 'C', True, aligned=True)",
    "Array(int64, 1, 'C', True, aligned=True)",
    "Array(uint64, 2, 'C', True, aligned=True)",
    "Array(float64, 2, 'C', False, aligned=True)",
    "Array(float64, 2, 'C', False, aligned=True)",
    "Array(int64, 2, 'C', False, aligned=True)",
    "Array(int64, 1, 'C', False, aligned=True)",
    "Array(int64, 1, 'C', False, aligned=True)",
    "Array(int64, 1, 'C', False, aligned=True)",
    "Array(float64, 1, 'C', False, aligned=True)",
    "Array(int64, 1, 'C', False, aligned=True)",
    "Array(int64, 1, 'C', False, aligned=True)",
    "Array(float64, 3, 'C', False, aligned=True)",
    'int64',
    "Array(uint64, 1, 'C', False, aligned=True)",
    "Array(int64, 1, 'C', False, aligned=True)",
    "Array(int64, 1, 'C', False, aligned=True)",
    "Array(float64, 2, 'C', False, aligned=True)",
    "Array(float64, 1, 'C', False, aligned=True)",
    "Array(float64, 2, 'C', False, aligned=True)",
    "Array(int64, 1, 'C', False, aligned=True)",
)) + ")"  # as the demo calls it (tests/test_compile_once.py)

KERNELS: tuple[tuple[str, str, str], ...] = (
    ("womsim.network.bacsr", "ba_targets", f"({_F64}, int64, {_I32}, int64, {_I64})"),
    ("womsim.network.bacsr", "csr_from_targets",
     f"({_I32}, int64, int64, {_I64}, int64, {_I32}, {_I32})"),
    ("womsim.network.memberbits", "update_ends_bits",
     f"({_I64R}, {_I32R}, {_U64}, {_I64}, {_B}, int64, int64)"),
    ("womsim.engine.bernoulli", "_by_bits", "(uint64, int64, int64)"),
    ("womsim.engine.kernels", "hash_uniform_1d", f"(uint64, {_I64R})"),
    ("womsim.engine.bernoulli", "_by_gaps", "(uint64, int64, float64)"),
    ("womsim.engine.fused", "outcomes",
     f"({_I64}, {_I64}, {_I64}, {_I8}, {_BR}, {_I32}, int64, {_U64}, {_I8}, "
     "Array(float64, 2, 'C', False, aligned=True))"),
    ("womsim.engine.kernels", "tell_wave",
     f"({_I64R}, {_I32R}, {_I64}, {_I64}, uint64, uint64, uint64, float64, int64, int64, "
     "bool)"),
    ("womsim.engine.hearings", "_runs", f"({_I64},)"),
    ("womsim.engine.hearings", "_bad_news",
     f"({_I64}, {_I64}, {_I8}, {_I32}, {_BR}, uint64, uint64, {_F64}, {_F64}, int64, "
     "float64, int64, int64)"),
    ("womsim.engine.hearings", "_good_news",
     f"({_I64}, {_I64}, {_I8}, {_I32}, uint64, {_F64}, int64, int64, int64)"),
    ("womsim.engine.fused", "acquisitions",
     f"({_I64R}, {_I8}, {_I32}, {_I32}, int64, uint64, float64, float64)"),
    ("womsim.engine.kernels", "count_above", f"({_I32}, int64)"),
    ("womsim.engine.ledger", "_group_sums",
     "(Array(float32, 1, 'C', True, aligned=True), " f"{_I64}, {_I64})"),
    ("womsim.engine.kernels", "_union_sorted", f"({_I64}, {_I64})"),
    # a plain what-if's steps in one call (engine.wholerun): the compare of the demo
    ("womsim.engine.wholekernel", "whole_run", _WHOLE_RUN),
)

_helper: subprocess.Popen | None = None


Kernels = tuple[tuple[str, str, str], ...]


def _entries(kernels: Kernels = KERNELS, reverse: bool = False) -> list[tuple[Any, tuple]]:
    """The dispatchers and argument types of ``kernels`` (from the end if ``reverse``)."""
    # a kernel renamed since the table was written is skipped (the test of the table fails)
    rows = [(getattr(_MODULES[mod], name), sigutils.normalize_signature(sig)[0])
            for mod, name, sig in kernels if hasattr(_MODULES[mod], name)]
    return rows[::-1] if reverse else rows


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


def compile_ahead(helper: bool | None = None, kernels: Kernels = KERNELS) -> int:
    """Make sure ``kernels`` (the demo path's) are compiled before a run needs them.

    When numba's cache lacks some, a helper process compiles them from the end while this
    one compiles them from the start; this one returns when it has every kernel. With all
    cached it does nothing (a run loads each kernel when it first needs it). Returns how
    many kernels this process compiled.

    ``helper``: None (default) starts one when a second core is idle now (on a busy
    machine it would only add its own start, ~3 s of CPU, to everybody's load); True
    whenever there are two cores; False never.

    Examples
    --------
    >>> compile_ahead(helper=False) >= 0
    True
    """
    global _helper
    if not uncached(kernels):
        return 0
    # None: the automatic executor's rule, a core and a half idle (this one counts)
    if (helper is not False and _helper is None and (os.cpu_count() or 1) > 1
            and (helper or _idle_cores() >= 1.5)):
        root = str(Path(__file__).resolve().parents[2])  # the directory holding womsim/
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [root, *filter(None, [os.environ.get("PYTHONPATH")])]),
            "PYTHONWARNINGS": "ignore"}
        try:
            _helper = subprocess.Popen(
                [sys.executable, "-c", "from womsim.runner.ahead import compile_kernels; "
                 f"compile_kernels({kernels!r}, reverse=True, skip_cached=True)"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, env=env)
            atexit.register(_reap)
        except OSError as e:  # no helper: this process compiles them all, as without one
            warnings.warn(f"womsim: could not start a helper to compile kernels ({e})",
                          RuntimeWarning, stacklevel=2)
    return compile_kernels(kernels)
