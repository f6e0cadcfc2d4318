"""Compare the eight bytes of a 64-bit word with one byte at once, inside numba kernels.

The cascade draws one 64-bit hash per eight edge slots and reads each byte as the leading
bits of that slot's uniform number (:mod:`womsim.engine.spread`). Which bytes fall below
the threshold byte is one SIMD compare and a move of the lanes' sign bits to an 8-bit
mask (``vpcmpeqb``/``vpmovmskb`` on x86, ``cmhi`` on ARM), where a byte-by-byte loop costs
some thirty scalar instructions a word. Written as LLVM vector operations, so LLVM picks
the instructions for the machine; the results are the same on every machine.

Examples
--------
>>> import numpy as np
>>> from numba import njit
>>> @njit
... def masks(z, t):
...     return bytes_below(z, t), bytes_equal(z, t)
>>> below, equal = masks(np.uint64(0x00FF_1003_0A00_0502), np.uint64(3))
>>> bin(below), bin(equal)  # bytes 2, 5, 0, 10, 3, 16, 255, 0 from the lowest
('0b10000101', '0b10000')
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

__all__ = ["bytes_below", "bytes_equal", "store_places"]

_V8 = ir.VectorType(ir.IntType(8), 8)


def _lanes(builder: Any, z: Any, t: Any) -> tuple[Any, Any]:
    # z as eight byte lanes (byte j = bits 8j..8j+7, little-endian), t's low byte in each
    zv = builder.bitcast(z, _V8)
    t8 = builder.trunc(t, ir.IntType(8))
    tv = builder.insert_element(ir.Constant(_V8, ir.Undefined), t8, ir.Constant(ir.IntType(32), 0))
    tv = builder.shuffle_vector(tv, ir.Constant(_V8, ir.Undefined),
                                ir.Constant(ir.VectorType(ir.IntType(32), 8), [0] * 8))
    return zv, tv


def _compare(op: str) -> Any:
    def typer(typingctx: Any, z: Any, t: Any) -> Any:
        if not (isinstance(z, types.Integer) and isinstance(t, types.Integer)):
            return None
        sig = types.uint64(types.uint64, types.uint64)

        def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
            z64 = context.cast(builder, args[0], signature.args[0], types.uint64)
            t64 = context.cast(builder, args[1], signature.args[1], types.uint64)
            zv, tv = _lanes(builder, z64, t64)
            mask = builder.bitcast(builder.icmp_unsigned(op, zv, tv), ir.IntType(8))
            return builder.zext(mask, ir.IntType(64))

        return sig, codegen

    return typer


_bytes_below = intrinsic(_compare("<"))
_bytes_equal = intrinsic(_compare("=="))

@intrinsic
def _store_places(typingctx: Any, out: Any, at: Any, table: Any, row: Any, base: Any) -> Any:
    # out[at + j] = base + table[8 row + j] for j < 8: one 8-byte load, a widening to eight
    # 64-bit lanes, one add and one 64-byte store (vpmovsxbq, vpaddq, vmovdqu64 on x86)
    # where the loop is eight loads, eight adds and eight stores
    if not (isinstance(out, types.Array) and out.ndim == 1 and out.dtype == types.int64
            and isinstance(table, types.Array) and table.ndim == 1
            and table.dtype == types.int8 and isinstance(at, types.Integer)
            and isinstance(row, types.Integer) and isinstance(base, types.Integer)):
        return None
    sig = types.void(out, at, table, row, base)

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        outty, atty, tabty, rowty, basety = signature.args
        o = context.make_array(outty)(context, builder, args[0])
        t = context.make_array(tabty)(context, builder, args[2])
        i64 = ir.IntType(64)
        row8 = builder.shl(context.cast(builder, args[3], rowty, types.int64), ir.Constant(i64, 3))
        src = cgutils.get_item_pointer(context, builder, tabty, t, [row8], wraparound=False)
        dst = cgutils.get_item_pointer(context, builder, outty, o,
                                       [context.cast(builder, args[1], atty, types.int64)],
                                       wraparound=False)
        v8 = builder.load(builder.bitcast(src, _V8.as_pointer()), align=1)
        v64 = ir.VectorType(i64, 8)
        wide = builder.sext(v8, v64)
        b = context.cast(builder, args[4], basety, types.int64)
        zero = ir.Constant(ir.IntType(32), 0)
        bv = builder.insert_element(ir.Constant(v64, ir.Undefined), b, zero)
        bv = builder.shuffle_vector(bv, ir.Constant(v64, ir.Undefined),
                                    ir.Constant(ir.VectorType(ir.IntType(32), 8), [0] * 8))
        builder.store(builder.add(wide, bv), builder.bitcast(dst, v64.as_pointer()), align=8)
        return context.get_dummy_value()

    return sig, codegen


if TYPE_CHECKING:
    def bytes_below(z: int, t: int) -> int:
        """Bit ``j`` set when byte ``j`` of ``z`` (bits ``8j .. 8j+7``) is below the low
        byte of ``t``, both unsigned (inside a numba kernel)."""

    def bytes_equal(z: int, t: int) -> int:
        """Bit ``j`` set when byte ``j`` of ``z`` equals the low byte of ``t`` (inside a
        numba kernel)."""

    def store_places(out: Any, at: int, table: Any, row: int, base: int) -> None:
        """``out[at + j] = base + table[8 * row + j]`` for ``j`` in 0..7 (``out`` int64,
        ``table`` int8, 1-d; inside a numba kernel; no bounds check)."""
else:
    bytes_below = _bytes_below
    bytes_equal = _bytes_equal
    store_places = _store_places
