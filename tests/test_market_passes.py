"""The compiled passes of a segmented or competitive market give the numbers of the numpy
formulas they replace (issue 18 point 5): tellers' counts by segment, the step's tallies
by segment, the start's status, firm and revenue, and each segment's member list."""

from __future__ import annotations

import numpy as np

from womsim.engine.segments import segment_members
from womsim.engine.state import CUSTOMER, FORMER, PROSPECT, _assign, _exponent, _times
from womsim.engine.tally import tally, tally_groups
from womsim.engine.tellcounts import CountTables, counts_by_segment
from womsim.model.telling import Telling


def test_counts_by_segment_are_each_segments_quantile():
    # uniforms on the tables' edges too: a comparison the wrong way round moves them
    tellings = (Telling.negative_binomial(mean=3.0, dispersion=0.8),
                Telling.from_pmf([0.2, 0.3, 0.5]), Telling.poisson(mean=12.0))
    tables = CountTables(tellings)
    rng = np.random.default_rng(5)
    n = 20_000
    seg = rng.integers(0, 3, n).astype(np.int8)
    tellers = rng.permutation(n)[:5000]
    u = rng.random(tellers.size)
    u[:3] = [0.2, 0.5, 0.0]
    seg[tellers[:3]] = 1
    kept, k = counts_by_segment(tellers, seg, u, tables)
    want = np.zeros(tellers.size, dtype=np.int64)
    for g, t in enumerate(tellings):
        mine = seg[tellers] == g
        want[mine] = t.quantile(u[mine])
    assert kept.tolist() == tellers[want > 0].tolist()
    assert k.tolist() == want[want > 0].tolist()


def test_tally_groups_is_tally_of_each_group():
    rng = np.random.default_rng(2)
    seg = rng.integers(0, 3, 1000).astype(np.int8)
    w = rng.random(1000).astype(np.float32) * 100
    groups = [rng.integers(0, 1000, m) for m in (50, 0, 7, 300)]
    c, v = np.zeros((4, 3)), np.zeros((2, 3))
    tally_groups(groups, seg, w, c, v, 2)
    for g, ids in enumerate(groups):
        cg, vg = np.zeros(3), np.zeros(3)
        tally(ids, seg, w, cg, vg if g >= 2 else None)
        assert c[g].tolist() == cg.tolist()
        if g >= 2:
            assert v[g - 2].tolist() == vg.tolist()  # same sums in the same order: exact


def test_start_pass_is_the_array_formula():
    rng = np.random.default_rng(3)
    n = 50_000
    u = rng.random(n)
    seg = rng.integers(0, 2, n).astype(np.int8)
    shares, former, rivals = np.array([0.3, 0.45]), 0.1, np.array([0.15, 0.05])
    status, firm = np.empty(n, dtype=np.int8), np.zeros(n, dtype=np.int8)
    _assign(u, seg, shares, former, rivals, status, firm)
    share = shares[seg]
    want = np.where(u < share, CUSTOMER, np.where(u < share + former, FORMER, PROSPECT))
    want_firm = np.zeros(n, dtype=np.int8)
    lo = share + former
    for j, r in enumerate(rivals):
        hit = (u >= lo) & (u < lo + r)
        want[hit], want_firm[hit] = 3, j
        lo = lo + r
    assert np.array_equal(status, want) and np.array_equal(firm, want_firm)
    assert 0 < (status == 3).sum() and (firm == 1).sum() > 0
    # revenue: mean * exp(sigma z - sigma^2 / 2) by segment, to the bit
    z = rng.standard_normal(n)
    mean, sig = np.array([600.0, 2400.0]), np.array([0.5, 0.9])
    x = z.copy()
    _exponent(x, seg, sig)
    np.exp(x, out=x)
    rev = np.empty(n, dtype=np.float32)
    _times(x, seg, mean, rev)
    m, s = mean[seg], sig[seg]
    assert np.array_equal(rev, (m * np.exp(s * z - s * s / 2)).astype(np.float32))


def test_segment_members_are_each_labels_ids():
    seg = np.random.default_rng(4).integers(0, 4, 10_000).astype(np.int8)
    seg[seg == 2] = 1  # a label nobody has
    members = segment_members(seg, 4)
    for s, ids in enumerate(members):
        assert ids.dtype == np.int32 and ids.tolist() == np.flatnonzero(seg == s).tolist()
