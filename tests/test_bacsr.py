"""The scale-free graph built straight into CSR against the edge-list path it replaced."""

from __future__ import annotations

import numpy as np
import pytest

from womsim import Network
from womsim.network import bacsr
from womsim.network import generators as gen
from womsim.network.bacsr import ba_targets, csr_from_targets
from womsim.network.graphkernels import _buckets, ba_edges


def _same(a: Network, b: Network) -> None:
    assert np.array_equal(a.indptr, b.indptr) and a.indptr.dtype == b.indptr.dtype
    assert np.array_equal(a.indices, b.indices) and a.indices.dtype == b.indices.dtype
    assert a.info == b.info and a.name == b.name


# m = 1..8: the sorting network (padded, full at 8), 9 and 150 the insertion sort;
# n = 512 / 513: one row per bucket, then the first two-row buckets; m = n - 1: every row
# linked to all earlier ones, with many repeats dropped
@pytest.mark.parametrize(("n", "m"), [(2, 1), (10, 9), (300, 150), (512, 5), (513, 5),
                                      (1025, 1), (3000, 8), (3000, 9), (20_000, 5)])
def test_same_network_as_the_edge_list_path(n, m):
    _same(Network.scale_free(n, m=m, seed=n + m),
          Network._from_source(gen.scale_free(n, m, n + m)))


def test_unseeded_and_generator_seeds_record_and_build_alike():
    net = Network.scale_free(2000, m=3, seed=None)
    _same(net, Network.scale_free(2000, m=3, seed=net.info["seed"]))
    _same(Network.scale_free(2000, m=3, seed=np.random.default_rng(5)),
          Network._from_source(gen.scale_free(2000, 3, np.random.default_rng(5))))


def test_targets_and_wide_packing_match_ba_edges():
    # the int64 packing (used once a row's place and an id need more than 31 bits, from
    # about 2M nodes) gives what the int32 one gives; the targets are ba_edges' own
    n, m = 5000, 4
    pos = np.random.default_rng(7).random(m * (n - m))
    src, tgt = np.empty(pos.size, np.int32), np.empty(pos.size, np.int32)
    ba_edges(pos, m, src, tgt)
    shift, nb = _buckets(n, 512)
    bcount = np.zeros(nb + 1, np.int64)
    mine = np.empty_like(tgt)
    ba_targets(pos, m, mine, shift, bcount)
    assert np.array_equal(mine, tgt)
    assert np.array_equal(bcount[1:], np.bincount(tgt >> shift, minlength=nb))
    out = []
    for packed in (np.empty(tgt.size, np.int32), np.empty(tgt.size, np.int64)):
        indices = np.empty(2 * tgt.size, np.int32)
        indptr, used = csr_from_targets(tgt.copy(), m, n, bcount.copy(), shift, packed,
                                        indices)
        out.append((indptr, indices[:used]))
    assert np.array_equal(out[0][0], out[1][0]) and np.array_equal(out[0][1], out[1][1])
    ref = Network._from_source(gen.EdgeSource(src, tgt, n))
    assert np.array_equal(out[0][0], ref.indptr) and np.array_equal(out[0][1], ref.indices)


def test_bucket_shift_as_the_general_builders():
    # bacsr.scale_free_csr's bucket rule, in Python, against the compiled one it copies
    for n in [*range(1, 2100), 2**20 - 1, 2**20, 2**20 + 1, 10**6, 10**7]:
        shift = max(0, (n - 1).bit_length() - 9)
        assert (shift, ((n - 1) >> shift) + 1) == _buckets(n, 512), n


# one bucket (n <= 512), m = 1, repeats everywhere (m = n - 1), the sorting network and the
# insertion sort, and a graph past bacsr.TWO_THREADS (the size that takes two by default)
@pytest.mark.parametrize(("n", "m"), [(2, 1), (300, 150), (512, 5), (513, 5), (1025, 1),
                                      (3000, 9), (20_000, 5), (210_000, 5)])
def test_two_threads_build_the_one_thread_graph(n, m):
    one = bacsr.scale_free_csr(n, m, np.random.default_rng(n), threads=1)
    two = bacsr.scale_free_csr(n, m, np.random.default_rng(n), threads=2)
    for a, b in zip(one[:2], two[:2], strict=True):
        assert np.array_equal(a, b) and a.dtype == b.dtype
    assert one[2] == two[2]
    if n * m >= bacsr.TWO_THREADS:  # the default there is what threads=2 builds
        auto = bacsr.scale_free_csr(n, m, np.random.default_rng(n))
        assert np.array_equal(auto[1], one[1])


def test_two_threads_with_the_wide_packing():
    # the int64 packing of a large graph, on two threads, at a size that runs quickly
    n, m = 5000, 4
    pos = np.random.default_rng(7).random(m * (n - m))
    tgt = np.empty(pos.size, np.int32)
    shift, nb = _buckets(n, 512)
    bcount = np.zeros(nb + 1, np.int64)
    ba_targets(pos, m, tgt, shift, bcount)
    out = []
    for build, dtype in ((csr_from_targets, np.int32), (bacsr._csr_two_threads, np.int64)):
        indices = np.full(2 * tgt.size, -7, np.int32)
        indptr, used = build(tgt.copy(), m, n, bcount.copy(), shift,
                             np.empty(tgt.size, dtype), indices)
        out.append((indptr, indices[:used], used))
    assert out[0][2] == out[1][2]
    assert np.array_equal(out[0][0], out[1][0]) and np.array_equal(out[0][1], out[1][1])


def test_threads_out_of_range_is_refused():
    with pytest.raises(ValueError, match="threads = 3"):
        bacsr.scale_free_csr(100, 2, np.random.default_rng(1), threads=3)
