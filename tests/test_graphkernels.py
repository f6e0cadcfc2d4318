"""The CSR builder against a plain numpy reference, on the inputs that stress each path."""

from __future__ import annotations

import numpy as np
import pytest

from womsim.network.graphkernels import (
    ba_edges,
    csr_from_grouped,
    csr_from_pairs,
    grouped_later_first,
)


def _reference(u, v, n):
    # both directions of every edge, sorted by (row, neighbour), repeats dropped
    keys = np.unique(np.concatenate([u.astype(np.int64) * n + v, v.astype(np.int64) * n + u]))
    indptr = np.concatenate([[0], np.cumsum(np.bincount(keys // n, minlength=n))])
    return indptr, keys % n


def _check(u, v, n, build=csr_from_pairs):
    indices = np.empty(2 * u.size, dtype=u.dtype)
    indptr, used = build(u, v, n, indices)
    ref_ptr, ref_idx = _reference(u, v, n)
    assert np.array_equal(indptr, ref_ptr)
    assert np.array_equal(indices[:used], ref_idx)


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
@pytest.mark.parametrize("n", [1, 2, 5, 1023, 1024, 1025, 5000])
def test_random_edges_in_no_order_with_repeats(n, dtype):
    rng = np.random.default_rng(n)
    for m in (0, 1, 3 * n, 20 * n):
        u, v = rng.integers(0, n, m), rng.integers(0, n, m)
        keep = u != v
        _check(u[keep].astype(dtype), v[keep].astype(dtype), n)


def test_hubs_in_every_order():
    # a star (one row of 3000: the heap-sort path) given shuffled, and ascending
    rng = np.random.default_rng(1)
    leaves = np.arange(1, 3000, dtype=np.int32)
    hub = np.zeros_like(leaves)
    p = rng.permutation(leaves.size)
    for u, v in ((hub[p], leaves[p]), (leaves[p], hub[p]), (hub, leaves), (leaves[::-1], hub)):
        _check(u, v, 3000)


def test_preferential_attachment_rows():
    # rows with an unsorted head (a node's own edges) and a sorted tail: the merge path
    n, m = 20_000, 5
    src = np.empty(m * (n - m), dtype=np.int32)
    tgt = np.empty_like(src)
    ba_edges(np.random.default_rng(3).random(src.size), m, src, tgt)
    _check(src, tgt, n)


@pytest.mark.parametrize("m", [1, 2, 5, 8, 9])
def test_grouped_builder_on_preferential_attachment(m):
    # m <= 8: a row's own ends go through the sorting network (padded, or full at 8);
    # m = 9: through the insertion sort
    # the builder for edges grouped by a later node: repeats (a node choosing a target
    # twice) dropped, hubs with thousands of later ends, rows across bucket edges (the
    # grouped builder has at most 512 buckets: 512 rows one each, 513 the first two-row ones)
    for n in (m + 1, 512, 513, 1025, 20_000):
        src = np.empty(m * (n - m), dtype=np.int32)
        tgt = np.empty_like(src)
        ba_edges(np.random.default_rng(n).random(src.size), m, src, tgt)
        assert grouped_later_first(src, tgt)
        _check(src, tgt, n, build=csr_from_grouped)


def test_grouped_builder_long_own_rows_and_what_it_refuses():
    # node u linked to every earlier node: own rows far longer than its first buffer
    n = 300
    u, v = np.tril_indices(n, k=-1)
    u, v = u.astype(np.int64), v.astype(np.int64)
    assert grouped_later_first(u, v)
    _check(u, v, n, build=csr_from_grouped)
    assert not grouped_later_first(v, u)                        # earlier node first
    assert not grouped_later_first(u[::-1].copy(), v[::-1].copy())  # not grouped
    assert not grouped_later_first(np.array([1, 1]), np.array([0, 1]))  # a loop


def test_member_bits_count_as_the_flag_kernels():
    # the friend share's counts kept on bits equal those kept on one flag per person,
    # through changes that repeat people and leave some unchanged (n not a multiple of 64)
    from womsim import Network
    from womsim.network.assortment import friend_share_update, member_ends
    from womsim.network.memberbits import member_bits, member_ends_bits, update_ends_bits

    net = Network.scale_free(5003, m=3, seed=2)
    rng = np.random.default_rng(4)
    flag = rng.random(net.n) < 0.3
    bits = member_bits(flag)
    a = member_ends(net.indptr, net.indices, flag)
    b = member_ends_bits(net.indptr, net.indices, bits)
    assert a == b and a[0] > 0
    for _ in range(20):
        changed = rng.integers(0, net.n, 300)
        now = rng.random(changed.size) < 0.5
        a = friend_share_update(net.indptr, net.indices, flag, changed, now, *a)
        b = update_ends_bits(net.indptr, net.indices, bits, changed, now, *b)
        assert a == b
    assert np.array_equal(bits, member_bits(flag))
    assert b == member_ends(net.indptr, net.indices, flag)
