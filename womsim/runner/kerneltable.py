"""The demo path's kernels, each with the one argument type it is compiled for.

One table shared by :mod:`womsim.runner.ahead` (compiling them in two processes when numba's
cache lacks them) and :mod:`womsim.runner.aot` (compiling them at install): each callee
before its caller, in the demo's order of first use (``tests/test_compile_once.py`` checks
both against what the demo compiles).
"""

from __future__ import annotations

from typing import Any

from numba.core import sigutils

from womsim.engine import bernoulli, fused, hearings, kernels, ledger, wholekernel
from womsim.network import bacsr, memberbits

__all__ = ["HELPER_SHARE", "KERNELS", "Kernels", "entries"]

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

_W = "womsim.engine.wholekernel"

KERNELS: tuple[tuple[str, str, str], ...] = (
    ("womsim.network.bacsr", "ba_targets", f"({_F64}, int64, {_I32}, int64, {_I64})"),
    ("womsim.network.bacsr", "csr_from_targets",
     f"({_I32}, int64, int64, {_I64}, int64, {_I32}, {_I32})"),
    # the whole run's callees (numba compiles a callee before its caller), then the run
    ("womsim.engine.bernoulli", "_by_bits", "(uint64, int64, int64)"),
    ("womsim.engine.bernoulli", "_by_gaps", "(uint64, int64, float64)"),
    ("womsim.network.memberbits", "update_ends_bits",
     f"({_I64R}, {_I32R}, {_U64}, {_I64}, {_B}, int64, int64)"),
    ("womsim.engine.fused", "outcomes",
     f"({_I64}, {_I64}, {_I64}, {_I8}, {_BR}, {_I32}, int64, {_U64}, {_I8}, "
     "Array(float64, 2, 'C', False, aligned=True))"),
    ("womsim.engine.kernels", "tell_wave",
     f"({_I64R}, {_I32R}, {_I64}, {_I64}, uint64, uint64, uint64, float64, int64, int64, "
     "bool)"),
    ("womsim.engine.fused", "acquisitions",
     f"({_I64R}, {_I8}, {_I32}, {_I32}, int64, uint64, float64, float64)"),
    ("womsim.engine.ledger", "_group_sums",
     "(Array(float32, 1, 'C', True, aligned=True), " f"{_I64}, {_I64})"),
    (_W, "_union", f"({_I64}, {_I64})"),
    (_W, "_tell", f"({_I64}, uint64, uint64, uint64, uint64, {_I64}, int64, {_F64}, float64, "
     f"{_I64R}, {_I32R}, int64, bool)"),
    (_W, "_cat", f"({_I64}, {_I64}, {_I64})"),
    (_W, "_move", f"({_I64}, int32, int64)"),
    # the whole run's key table (engine.rng.Streams.step_keys)
    ("womsim.engine.kernels", "_splitmix64_inplace", f"({_U64},)"),
    # a plain what-if's steps in one call (engine.wholerun): the compare of the demo
    (_W, "whole_run", _WHOLE_RUN),
)

#: The helper's share of :data:`KERNELS`, in its order: about half of the compiling
#: (measured per kernel, docs/performance.md), first the whole run's callees this process
#: waits for, then what only the network build needs. This process compiles the rest,
#: the whole run last: the longest compile, which must wait for all its callees.
HELPER_SHARE: tuple[str, ...] = (
    "womsim.engine.fused.outcomes", f"{_W}._union", "womsim.engine.ledger._group_sums",
    "womsim.engine.bernoulli._by_gaps", "womsim.network.bacsr.csr_from_targets")

Kernels = tuple[tuple[str, str, str], ...]


def entries(kernels: Kernels = KERNELS, reverse: bool = False) -> list[tuple[Any, tuple]]:
    """The dispatchers and argument types of ``kernels`` (from the end if ``reverse``)."""
    # a kernel renamed since the table was written is skipped (the test of the table fails)
    rows = [(getattr(_MODULES[mod], name), sigutils.normalize_signature(sig)[0])
            for mod, name, sig in kernels if hasattr(_MODULES[mod], name)]
    return rows[::-1] if reverse else rows


