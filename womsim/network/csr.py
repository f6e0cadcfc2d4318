"""A network's CSR arrays: built from edge pairs, and narrowed for the cascade's kernels.

:func:`_csr_from_pairs` makes the symmetric CSR of :class:`womsim.network.graph.Network`
from edge end points. :func:`row_starts32` gives ``indptr`` in half the bytes where it
fits: the cascade (:mod:`womsim.engine.spread`, :mod:`womsim.engine.spreadpar`) reads one
row start per informed person, at random, and as int32 they take half the cache lines of
int64 (6-9% of the one-thread cascade at a million people, 2026-12-04); a Network keeps
its own (``_row_starts``).
"""

from __future__ import annotations

import numpy as np

from womsim.core.errors import NetworkError
from womsim.network.graphkernels import csr_from_grouped, csr_from_pairs, grouped_later_first

__all__ = ["row_starts32"]

# Squaring n must fit in int64 for the single-key sort of the CSR builder.
_KEY_MAX_N = 3_037_000_499


def _index_dtype(n: int) -> type[np.signedinteger]:
    return np.int32 if n < 2**31 else np.int64


def _csr_from_pairs(u: np.ndarray, v: np.ndarray, n: int
                    ) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Symmetric CSR from edge arrays of valid ids: ``indptr, indices, loops, duplicates``.

    A compiled pass counts each row, scatters both directions of every edge and sorts
    each row in place (rows are short; hubs get a heap sort); a repeated neighbour is a
    repeated edge, dropped.
    """
    u, v = np.asarray(u), np.asarray(v)
    if not (u.dtype == v.dtype and u.dtype in (np.int32, np.int64)):
        u, v = u.astype(np.int64), v.astype(np.int64)  # one compiled variant per dtype
    loop = u == v
    loops = int(np.count_nonzero(loop))
    if loops:
        u, v = u[~loop], v[~loop]
    m = u.size
    if n > _KEY_MAX_N:
        raise NetworkError(f"n = {n:,} nodes is more than womsim supports ({_KEY_MAX_N:,})")
    # one pass that counts, scatters and sorts each (short) row: no sort of all 2m keys;
    # edges grouped as preferential attachment makes them need only their later ends moved
    indices = np.empty(2 * m, dtype=_index_dtype(n))
    build = csr_from_grouped if grouped_later_first(u, v) else csr_from_pairs
    indptr, used = build(u, v, n, indices)
    if used < indices.size:
        # repeats are rare (a few hundredths of a percent): a view, not a copy, unless many
        indices = indices[:used] if used > 0.9 * indices.size else indices[:used].copy()
    return indptr, indices, loops, m - indices.size // 2


def row_starts32(indptr: np.ndarray) -> np.ndarray:
    """``indptr`` as int32 (read-only) where every edge slot's number fits (fewer than
    2**31 slots), else as int64.

    Examples
    --------
    >>> row_starts32(np.array([0, 2, 3])).dtype
    dtype('int32')
    >>> row_starts32(np.array([0, 2**31])).dtype
    dtype('int64')
    """
    wide = np.asarray(indptr)
    dtype = np.int32 if wide.size == 0 or int(wide[-1]) < 2**31 else np.int64
    out = wide.astype(dtype, copy=wide.dtype != dtype)
    out.flags.writeable = False
    return out
