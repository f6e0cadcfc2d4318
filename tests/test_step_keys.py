"""Streams.step_keys: every step's key of a mechanism at once, the keys of Streams.key.

The whole run (engine.wholerun) takes its ~2,000 keys from it; a key off by one bit would
change every number of a run without failing anything else but the step-vs-whole test,
so the keys themselves are compared here, over the edge cases of the arithmetic: seeds
near 2**63, extras that are negative (a zero rate's tier, -1), large (THIN) or per step.
"""

import numpy as np
import pytest

from womsim.engine.rng import THIN, PairedStreams, Streams


@pytest.mark.parametrize("kind", [Streams, PairedStreams])
@pytest.mark.parametrize("seed", [0, 7, 2**63 - 1])
def test_step_keys_are_the_keys(kind, seed):
    s = kind(seed)
    per_step = np.array([4, -1, 8, 0] * 10)
    for mechanism in ("contact", "contact.candidates", "acquire"):
        for extra in (0, 1, THIN, -1, per_step):
            got = s.step_keys(mechanism, per_step.size, extra)
            ex = np.broadcast_to(extra, per_step.shape)
            want = [s.key(mechanism, t, int(ex[t])) for t in range(per_step.size)]
            assert got.dtype == np.uint64
            assert [int(k) for k in got] == want, (mechanism, extra)


def test_step_keys_before_any_key():
    # the mechanism's base key is made by step_keys itself when nothing asked for it yet
    a, b = Streams(3), Streams(3)
    assert int(a.step_keys("churn", 2)[1]) == b.key("churn", 1)
