"""The mean field's thinning of a telling table (model.reach._thinned) is the binomial
mixture it replaces: each of K stories kept with probability q, K from the table."""

import numpy as np
import pytest
from scipy import stats

import womsim as wom
from womsim.model.reach import _thinned, told_share
from womsim.model.telling import Telling


def _reference(pk: np.ndarray, q: float) -> np.ndarray:
    k = np.arange(pk.size)
    return (stats.binom.pmf(k[:, None], k[None, :], q) * pk[None, :]).sum(axis=1)


@pytest.mark.parametrize("q", [0.0, 0.3, 0.9, 1.0])
def test_thinning_equals_the_binomial_mixture(q):
    w = wom.Scenario.preset("telecom").word_of_mouth
    tables = [Telling.from_figures(mean=9.0, tail=(w.negative_tail_k, w.negative_tail_share)),
              Telling.from_figures(mean=4.0, dispersion=w.positive_dispersion),
              Telling.poisson(3.0)]
    for t in tables:
        pk = np.asarray(t.table, dtype=np.float64)
        pk = pk / pk.sum()
        got, want = _thinned(pk, q), _reference(pk, q)
        # a sum of a few hundred products: rounding, nothing else
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-15)
        assert got.sum() == pytest.approx(1.0, abs=1e-12)
        # the mean of the kept stories is q times the mean told
        k = np.arange(pk.size)
        assert np.dot(k, got) == pytest.approx(q * np.dot(k, pk), rel=1e-12, abs=1e-12)


def test_told_share_of_a_wide_table_is_the_binomial_one():
    # the 13% tail at a mean of 20: a 7,000-entry table, the case the scipy grid took 8 s
    # of CPU on. Tellers have 2, 10 or 30 friends; a teller with k >= 600 stories keeps
    # fewer than 31 of them with a probability below 1e-300, so the reference mixture of the
    # first 600 entries gives E[min(strong, d)] exactly
    w = wom.Scenario.preset("telecom").word_of_mouth
    t = Telling.from_figures(mean=20.0, tail=(w.negative_tail_k, w.negative_tail_share))
    pk = np.asarray(t.table, dtype=np.float64)
    pk = pk / pk.sum()
    assert pk.size > 5000
    degrees = np.zeros(31)
    degrees[[2, 10, 30]] = [0.5, 0.3, 0.2]
    sf = 1.0 - np.cumsum(_reference(pk[:600], 0.9))     # P(strong > j)
    told = sum(p * sf[:d].sum() for d, p in ((2, 0.5), (10, 0.3), (30, 0.2)))
    mean = float(np.dot(np.arange(pk.size), pk))
    assert told_share(t, 0.1, degrees) == pytest.approx((told + 0.1 * mean) / mean,
                                                          rel=1e-12)
