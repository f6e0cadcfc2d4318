"""The processor's cycle counter, inside numba kernels.

The several-thread cascade (:mod:`womsim.engine.spreadpar`) compares when its threads
entered a parallel region with how long they worked in it, to notice that one of them was
put aside by the scheduler (another process on its core) and to go on alone rather than
wait for it at every generation. Only differences of two readings on this machine are
used, and only to choose between ways that give the same result. LLVM's
``readcyclecounter`` (``rdtsc`` on x86); on a processor without one it reads 0.

Examples
--------
>>> from numba import njit
>>> @njit
... def elapsed():
...     t0 = cycles()
...     s = 0
...     for i in range(1000):
...         s += i
...     return cycles() - t0, s
>>> dt, s = elapsed()
>>> dt >= 0, s
(True, 499500)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llvmlite import ir
from numba import types
from numba.extending import intrinsic

__all__ = ["cycles"]


def _typer(typingctx: Any) -> Any:
    sig = types.int64()

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        fn = builder.module.declare_intrinsic("llvm.readcyclecounter",
                                              fnty=ir.FunctionType(ir.IntType(64), []))
        return builder.call(fn, [])

    return sig, codegen


_cycles = intrinsic(_typer)

if TYPE_CHECKING:
    def cycles() -> int:
        """The cycle counter now (inside a numba kernel; only differences mean anything)."""
else:
    cycles = _cycles
