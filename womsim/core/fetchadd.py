"""An atomic add on one element of an integer array, inside numba kernels.

Threads of a ``prange`` share work out by claiming the next piece from one counter (the
several-thread cascade, :mod:`womsim.engine.spreadpar`, claims blocks of its bitsets that
way, so a thread that is slowed down -- by heavier blocks or by another process on its
core -- takes fewer of them). numba has no atomic operation of its own on the CPU; this is
LLVM's ``atomicrmw add`` (``lock xadd`` on x86), with ``monotonic`` ordering: each claim
gets a distinct number, and nothing else is ordered by it (the data the threads share is
ordered by the parallel region's own barrier).

Examples
--------
>>> import numpy as np
>>> from numba import njit
>>> @njit
... def claim_three(counter):
...     return fetch_add(counter, 0, 1), fetch_add(counter, 0, 1), fetch_add(counter, 0, 5)
>>> counter = np.zeros(1, dtype=np.int64)
>>> claim_three(counter), int(counter[0])
((0, 1, 2), 7)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

__all__ = ["fetch_add"]


def _typer(typingctx: Any, arr: Any, idx: Any, val: Any) -> Any:
    if not (isinstance(arr, types.Array) and isinstance(arr.dtype, types.Integer)
            and isinstance(idx, types.Integer) and isinstance(val, types.Integer)):
        return None
    sig = arr.dtype(arr, idx, val)

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        arrty = signature.args[0]
        ary = context.make_array(arrty)(context, builder, args[0])
        ptr = cgutils.get_item_pointer(context, builder, arrty, ary, [args[1]])
        v = context.cast(builder, args[2], signature.args[2], arrty.dtype)
        return builder.atomic_rmw("add", ptr, v, "monotonic")

    return sig, codegen


_fetch_add = intrinsic(_typer)

if TYPE_CHECKING:
    def fetch_add(arr: Any, idx: int, val: int) -> int:
        """Atomically ``arr[idx] += val`` and return the value before (inside a numba
        kernel; ``idx`` is not bounds-checked)."""
else:
    fetch_add = _fetch_add
