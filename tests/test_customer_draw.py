"""The fused contact draw of a networked whole run (womsim.engine.wholekernel
._customer_draw): the candidates of bernoulli_subset kept to customers and thinned, as the
one-by-one filter has them, at every tier drawn by bits, however small its buffer."""

import numpy as np
import pytest

from womsim.engine.bernoulli import BITS_TIERS, bernoulli_subset
from womsim.engine.kernels import uniform_at
from womsim.engine.wholekernel import _customer_draw, _spread_table
from womsim.network.memberbits import member_bits


@pytest.mark.parametrize("tier", range(1, BITS_TIERS + 1))
@pytest.mark.parametrize("n", [1, 63, 64, 65, 1000, 20_011])
def test_same_people_as_filtered_candidates(tier, n):
    rng = np.random.default_rng(n * 10 + tier)
    group = np.array([j // tier for j in range(64)], dtype=np.int64)
    for share in (0.0, 0.35, 1.0):
        member = rng.random(n) < share
        key, ku = (int(x) for x in rng.integers(0, 2 ** 63, size=2))
        p = float(rng.random())
        cand = bernoulli_subset(key, n, tier)
        keep = [i for i in cand.tolist()
                if member[i] and uniform_at(np.uint64(ku), i) < p]
        out, k = np.empty(0, dtype=np.int64), -1
        while k < 0:  # as the whole run does: a buffer too small is grown, and drawn again
            out = np.empty(2 * out.size + 1, dtype=np.int64)
            k = _customer_draw(np.uint64(key), n, tier, member_bits(member), np.uint64(ku),
                               p, _spread_table(tier), group, out)
        assert out[:k].tolist() == keep
