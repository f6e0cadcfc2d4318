"""Tests for womsim.model.telling: how many people one customer tells."""

from __future__ import annotations

import doctest
import math
import pickle
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import tomli_w
import tomllib
from scipy import stats

from womsim.core.errors import CalibrationError, UnknownKeyError, WomsimError
from womsim.model import telling as telling_module
from womsim.model.telling import TAIL_CUTOFF, Telling

N_SAMPLE = 400_000


@pytest.fixture(scope="module")
def negative() -> Telling:
    return Telling.negative()


# ----------------------------------------------------------------------------- defaults
def test_default_negative_matches_the_figures_exactly(negative):
    assert negative.family == "negative_binomial"
    assert abs(negative.mean() - 9) <= 0.1
    assert abs(negative.sf(20) - 0.13) <= 0.005
    # The solver is far tighter than the stated tolerance.
    assert negative.mean() == pytest.approx(9, abs=1e-8)
    assert negative.sf(20) == pytest.approx(0.13, abs=1e-9)
    assert negative.calibration == {"tail": [20, 0.13], "branch": "moderate"}


def test_default_negative_matches_the_figures_by_sampling(negative):
    draws = negative.sample(np.random.default_rng(20240501), size=N_SAMPLE)
    se_mean = math.sqrt(negative.var() / N_SAMPLE)
    assert abs(draws.mean() - 9) <= 4 * se_mean
    share = 0.13
    se_share = math.sqrt(share * (1 - share) / N_SAMPLE)
    assert abs(np.mean(draws > 20) - share) <= 4 * se_share
    # ... and the figures' own tolerance holds with room to spare.
    assert 4 * se_mean < 0.1 and 4 * se_share < 0.005


def test_default_negative_parameters(negative):
    p = negative.params
    assert p["dispersion"] == pytest.approx(0.59246, abs=1e-4)
    assert p["p"] == pytest.approx(p["dispersion"] / (p["dispersion"] + 9))
    assert negative.pmf(0) == pytest.approx(0.1921, abs=1e-4)
    # Same numbers as scipy's untruncated distribution.
    ref = stats.nbinom(p["dispersion"], p["p"])
    assert negative.var() == pytest.approx(ref.var(), rel=1e-8)
    k = np.arange(negative.table.size)
    np.testing.assert_allclose(negative.pmf(k), ref.pmf(k), rtol=1e-10, atol=1e-13)


def test_default_positive():
    pos = Telling.positive()
    assert pos.family == "poisson"
    assert pos.mean() == pytest.approx(3.5, abs=1e-10)
    assert pos.var() == pytest.approx(3.5, abs=1e-9)
    draws = pos.sample(np.random.default_rng(3), size=N_SAMPLE)
    assert abs(draws.mean() - 3.5) <= 4 * math.sqrt(3.5 / N_SAMPLE)


def test_defaults_come_from_the_figure_registry():
    from womsim.core import figures
    assert Telling.negative().mean() == pytest.approx(figures.get("negative_tells").value)
    assert Telling.negative().sf(20) == pytest.approx(figures.get("negative_tells_tail").value)
    assert Telling.positive().mean() == pytest.approx(figures.get("positive_tells").value)


# ----------------------------------------------------------------------------- calibration
@pytest.mark.parametrize(
    ("mean", "k", "share"),
    [(9, 20, 0.13), (9, 20, 0.01), (9, 10, 0.3), (9, 5, 0.5), (3.5, 10, 0.05), (28, 50, 0.1),
     (0.5, 0, 0.2), (100, 300, 0.02)],
)
@pytest.mark.parametrize("branch", ["moderate", "extreme"])
def test_calibration_hits_its_targets(mean, k, share, branch):
    try:
        t = Telling.from_figures(mean, tail=(k, share), branch=branch)
    except CalibrationError:
        # Only the extreme branch may be out of reach (shares below its r = 0.001 end).
        assert branch == "extreme"
        return
    assert t.mean() == pytest.approx(mean, rel=1e-8)
    assert t.sf(k) == pytest.approx(share, abs=1e-9)


def test_two_branches_match_the_same_figures(negative):
    extreme = Telling.from_figures(9, tail=(20, 0.13), branch="extreme")
    assert extreme.mean() == pytest.approx(9, abs=1e-8)
    assert extreme.sf(20) == pytest.approx(0.13, abs=1e-9)
    assert extreme.params["dispersion"] < negative.params["dispersion"]
    assert extreme.pmf(0) > 2 * negative.pmf(0)  # half the unhappy customers tell nobody


def test_tail_share_is_unimodal_in_dispersion_so_branches_are_well_defined():
    # At mean 9, P(K > 20) rises from the Poisson value as r falls, peaks, then falls to 0.
    alphas = np.concatenate([[0.0], np.logspace(-4, 3, 300)])
    curve = telling_module._tail_curve(9.0, 20, alphas)
    steps = np.sign(np.diff(curve))
    assert np.count_nonzero(np.diff(steps[steps != 0])) == 1
    _, peak = telling_module._peak(9.0, 20)
    assert peak >= curve.max() - 1e-12
    assert curve[0] == pytest.approx(stats.poisson.sf(20, 9))
    # For k below the mean, it only falls: one solution, whatever the branch.
    assert telling_module._peak(9.0, 5)[0] == 0.0
    a = Telling.from_figures(9, tail=(5, 0.5), branch="moderate")
    b = Telling.from_figures(9, tail=(5, 0.5), branch="extreme")
    assert a == b


def test_dispersion_or_nothing():
    nb = Telling.from_figures(4, dispersion=2)
    assert nb.family == "negative_binomial"
    assert nb.var() == pytest.approx(4 + 16 / 2, rel=1e-8)
    assert Telling.from_figures(4) == Telling.poisson(4)


@pytest.mark.parametrize(
    ("kwargs", "fragments"),
    [
        # The popular "1 in 5 tells 20" cannot go with a mean of 9.
        (dict(mean=9, tail=(20, 0.20)), ["mean 9", "P(K > 20) = 0.2", "0.1383", "at least 12"]),
        (dict(mean=9, tail=(20, 0.0001)), ["Poisson value 0.0004393", "less spread"]),
        (dict(mean=9, tail=(10, 0.1)), ["Poisson value 0.294", "branch='extreme'"]),
        (dict(mean=9, tail=(5, 0.95)), ["0.8843", "less spread than Poisson"]),
        (dict(mean=9, tail=(5, 0.001)), ["r below 0.001"]),
        (dict(mean=9, tail=(20, 0.003), branch="extreme"), ["extreme branch", "r below 0.001"]),
        (dict(mean=0, tail=(20, 0.1)), ["mean", "positive"]),
        (dict(mean=-3), ["mean", "positive"]),
        (dict(mean=float("nan")), ["mean"]),
        (dict(mean=9, tail=(-1, 0.1)), ["k", ">= 0"]),
        (dict(mean=9, tail=(2.5, 0.1)), ["k", "whole"]),
        (dict(mean=9, tail=(20, 0.0)), ["share", "between 0 and 1"]),
        (dict(mean=9, tail=(20, 1.0)), ["share", "between 0 and 1"]),
        (dict(mean=9, tail=(20, 13)), ["share", "between 0 and 1"]),
        (dict(mean=9, tail=(20,)), ["pair"]),
        (dict(mean=9, tail=(20, 0.13), dispersion=1.0), ["not both"]),
        (dict(mean=9, dispersion=0.0), ["dispersion", "positive"]),
        (dict(mean=9, dispersion=float("inf")), ["poisson"]),
    ],
)
def test_impossible_calibrations_explain_themselves(kwargs, fragments):
    with pytest.raises(CalibrationError) as info:
        Telling.from_figures(**kwargs)
    for fragment in fragments:
        assert fragment in str(info.value)


def test_extreme_branch_reaches_below_the_poisson_value_when_offered():
    t = Telling.from_figures(9, tail=(10, 0.1), branch="extreme")
    assert t.sf(10) == pytest.approx(0.1, abs=1e-9)
    assert t.pmf(0) > 0.5


def test_unknown_branch_is_named():
    with pytest.raises(UnknownKeyError, match="moderate"):
        Telling.from_figures(9, tail=(20, 0.13), branch="moderat")


# ----------------------------------------------------------------------------- table
def test_table_is_truncated_below_the_cutoff_and_normalised(negative):
    assert negative.table.sum() == pytest.approx(1, abs=1e-14)
    p = negative.params
    ref = stats.nbinom(p["dispersion"], p["p"])
    last = negative.table.size - 1
    assert ref.sf(last) <= TAIL_CUTOFF < ref.sf(last - 1)
    assert negative.cdf_table[-1] == 1.0
    assert np.all(np.diff(negative.cdf_table) >= 0)
    assert not negative.table.flags.writeable
    assert not negative.cdf_table.flags.writeable


def test_pmf_cdf_sf_vectorised_and_consistent(negative):
    k = np.arange(-3, negative.table.size + 5)
    pmf, cdf, sf = negative.pmf(k), negative.cdf(k), negative.sf(k)
    assert pmf.shape == cdf.shape == sf.shape == k.shape
    np.testing.assert_allclose(cdf + sf, 1, atol=1e-14)
    np.testing.assert_allclose(np.diff(cdf), pmf[1:], atol=1e-14)
    assert pmf.sum() == pytest.approx(1, abs=1e-14)
    assert np.all(pmf[:3] == 0) and np.all(cdf[:3] == 0) and np.all(sf[:3] == 1)
    assert cdf[-1] == 1 and sf[-1] == 0
    assert isinstance(negative.sf(20), float)
    assert negative.pmf(2.5) == 0.0
    assert negative.cdf(2.5) == negative.cdf(2)
    assert negative.sf(math.inf) == 0.0 and negative.cdf(-math.inf) == 0.0
    assert math.isnan(negative.pmf(math.nan))
    assert negative.pmf([[0, 1], [2, 3]]).shape == (2, 2)


def test_far_tail_is_precise(negative):
    # 1 - cdf would round these to 0 or to noise.
    k = negative.table.size - 3
    exact = negative.table[k + 1:].sum()
    assert negative.sf(k) == pytest.approx(exact, rel=1e-12)
    assert 0 < negative.sf(k) < 1e-11


# ----------------------------------------------------------------------------- drawing
def test_quantile_is_exactly_the_inverse_cdf(negative):
    u = np.random.default_rng(11).random(1_000_000)
    q = negative.quantile(u)
    assert q.dtype == np.int64 and q.shape == u.shape
    np.testing.assert_array_equal(q, np.searchsorted(negative.cdf_table, u, side="right"))
    cdf = negative.cdf_table
    for k in (0, 1, 5, 20, 100, cdf.size - 2):
        assert negative.quantile(cdf[k]) == k + 1
        assert negative.quantile(np.nextafter(cdf[k], 0)) == k
    assert negative.quantile(0.0) == 0
    assert negative.quantile(np.nextafter(1.0, 0)) == cdf.size - 1


def test_quantile_reproduces_the_pmf(negative):
    n = 1_000_000
    counts = np.bincount(negative.quantile(np.random.default_rng(5).random(n)),
                         minlength=negative.table.size)
    expected = n * negative.table
    # Per count: within 5 binomial standard errors (fixed seed, so deterministic).
    se = np.sqrt(n * negative.table * (1 - negative.table))
    assert np.all(np.abs(counts - expected) <= 5 * se + 1)
    # Overall: chi-square with the sparse tail pooled into one bin of expected >= 5.
    cut = int(np.argmax(expected[::-1].cumsum()[::-1] < 5)) - 1
    obs = np.append(counts[:cut], counts[cut:].sum())
    exp = np.append(expected[:cut], expected[cut:].sum())
    assert stats.chisquare(obs, exp).pvalue > 1e-3


def test_quantile_handles_shapes_and_rejects_bad_uniforms(negative):
    assert isinstance(negative.quantile(0.5), int)
    assert negative.quantile(np.zeros((2, 3))).shape == (2, 3)
    assert negative.quantile(np.array([])).shape == (0,)
    for bad in ([1.0], [-0.1], [0.5, np.nan], [2.0]):
        with pytest.raises(WomsimError, match=r"\[0, 1\)"):
            negative.quantile(bad)


def test_quantile_on_a_table_with_gaps():
    t = Telling.from_pmf([0.25, 0.0, 0.0, 0.75])
    u = np.random.default_rng(0).random(100_000)
    q = t.quantile(u)
    assert set(np.unique(q)) == {0, 3}
    assert t.quantile(0.25) == 3 and t.quantile(np.nextafter(0.25, 0)) == 0


def test_sample_is_reproducible_and_never_uses_global_state(negative):
    np.random.seed(123)  # noqa: NPY002 - the legacy global state is what must stay untouched
    before = np.random.get_state()[1].copy()  # noqa: NPY002
    a = negative.sample(np.random.default_rng(9), size=1000)
    b = negative.sample(np.random.default_rng(9), size=1000)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(np.random.get_state()[1], before)  # noqa: NPY002
    assert a.dtype == np.int64
    assert isinstance(negative.sample(np.random.default_rng(9)), int)
    assert negative.sample(np.random.default_rng(9), size=(3, 4)).shape == (3, 4)


@pytest.mark.parametrize("rng", [None, 7, np.random.RandomState(0), random.Random(0),
                                 np.random.PCG64(0)])
def test_sample_rejects_anything_but_a_generator(negative, rng):
    with pytest.raises(TypeError, match=r"numpy\.random\.Generator"):
        negative.sample(rng, size=3)


# ----------------------------------------------------------------------------- scaling
def test_scaled_keeps_family_and_dispersion(negative):
    half = negative.scaled(0.5)
    assert half.family == "negative_binomial"
    assert half.mean() == pytest.approx(4.5, rel=1e-9)
    assert half.params["dispersion"] == negative.params["dispersion"]
    assert negative.scaled(2).mean() == pytest.approx(18, rel=1e-9)
    pos = Telling.positive().scaled(1.2)
    assert pos.family == "poisson" and pos.mean() == pytest.approx(4.2, rel=1e-9)
    zero = negative.scaled(0)
    assert zero.mean() == 0 and zero.pmf(0) == 1 and zero.sample(np.random.default_rng(1)) == 0


def test_scaled_user_table_is_thinned():
    t = Telling.from_pmf([0.2, 0.3, 0.1, 0.4])
    thin = t.scaled(0.25)
    assert thin.family == "pmf"
    assert thin.mean() == pytest.approx(0.25 * t.mean(), rel=1e-12)
    # Binomial thinning of each count, by hand for K = 3: kept ~ Binomial(3, 0.25).
    expected0 = 0.2 + 0.3 * 0.75 + 0.1 * 0.75**2 + 0.4 * 0.75**3
    assert thin.pmf(0) == pytest.approx(expected0, rel=1e-12)
    assert t.scaled(1) == t
    assert t.scaled(0) == Telling.from_pmf([1.0])
    # Against the definition, on a longer table: sum_k P(K=k) Binomial(k, f).
    p = np.random.default_rng(0).random(60)
    p /= p.sum()
    ref = sum(p[k] * stats.binom.pmf(np.arange(60), k, 0.3) for k in range(60))
    np.testing.assert_allclose(Telling.from_pmf(p).scaled(0.3).pmf(np.arange(60)), ref,
                               rtol=1e-10, atol=1e-15)
    with pytest.raises(CalibrationError, match="cannot scale a user-given table up"):
        t.scaled(1.5)


@pytest.mark.parametrize("factor", [-0.5, math.nan, math.inf, "2", True])
def test_scaled_rejects_bad_factors(negative, factor):
    with pytest.raises(WomsimError, match="factor"):
        negative.scaled(factor)


# ----------------------------------------------------------------------------- user tables
def test_from_pmf_validation():
    t = Telling.from_pmf([0.5, 0.5, 0.0, 0.0])
    assert t.table.size == 2  # trailing zeros dropped
    assert Telling.from_pmf([2, 1, 1], normalize=True) == Telling.from_pmf([0.5, 0.25, 0.25])
    with pytest.raises(WomsimError, match=r"sums to 0\.9"):
        Telling.from_pmf([0.5, 0.4])
    with pytest.raises(WomsimError, match=r"pmf\[1\]"):
        Telling.from_pmf([0.5, -0.1, 0.6])
    with pytest.raises(WomsimError, match=r"pmf\[0\]"):
        Telling.from_pmf([math.nan, 1.0])
    with pytest.raises(WomsimError, match="1-D"):
        Telling.from_pmf([[0.5, 0.5]])
    with pytest.raises(WomsimError, match="1-D"):
        Telling.from_pmf([])
    with pytest.raises(WomsimError, match="sums to 0"):
        Telling.from_pmf([0.0, 0.0])
    with pytest.raises(WomsimError, match="sequence"):
        Telling.from_pmf(["a", "b"])


def test_constructor_validation():
    with pytest.raises(UnknownKeyError, match="negative_binomial"):
        Telling("negbin", mean=3)
    with pytest.raises(UnknownKeyError, match="dispersion"):
        Telling("negative_binomial", mean=3, dispersoin=1)
    with pytest.raises(WomsimError, match="needs dispersion"):
        Telling("negative_binomial", mean=3)
    with pytest.raises(WomsimError, match="mean must be a number"):
        Telling.poisson("3")  # type: ignore[arg-type]
    with pytest.raises(CalibrationError, match="1,000,000"):
        Telling.negative_binomial(1e5, 1e-3)  # tail reaching billions of people


# ----------------------------------------------------------------------------- serialisation
@pytest.mark.parametrize(
    "make",
    [
        Telling.negative,
        Telling.positive,
        lambda: Telling.from_figures(9, tail=(20, 0.13), branch="extreme"),
        lambda: Telling.negative_binomial(2.5, 1.7),
        lambda: Telling.from_pmf([0.1, 0.2, 0.3, 0.4]),
        lambda: Telling.from_pmf([1, 2, 3], normalize=True),
        lambda: Telling.negative().scaled(0.8),
        lambda: Telling.from_pmf([0.2, 0.3, 0.1, 0.4]).scaled(1 / 3),
    ],
)
def test_to_dict_from_dict_round_trip_through_toml(make):
    t = make()
    d = t.to_dict()
    assert Telling.from_dict(d) == t
    text = tomli_w.dumps({"telling": d})  # plain numbers only, so TOML can hold it
    back = Telling.from_dict(tomllib.loads(text)["telling"])
    assert back == t
    np.testing.assert_array_equal(back.table, t.table)
    assert back.calibration == t.calibration
    assert pickle.loads(pickle.dumps(t)) == t


def test_from_dict_solves_from_figures_and_infers_family():
    assert Telling.from_dict({"mean": 9, "tail": [20, 0.13]}) == Telling.negative()
    assert Telling.from_dict({"mean": 3.5}) == Telling.positive()
    assert Telling.from_dict({"pmf": [0.5, 0.5]}) == Telling.from_pmf([0.5, 0.5])
    assert Telling.from_dict({"mean": 9, "dispersion": 2}).params["dispersion"] == 2


def test_from_dict_names_bad_fields():
    with pytest.raises(UnknownKeyError, match="Did you mean 'dispersion'"):
        Telling.from_dict({"mean": 9, "dispresion": 1})
    with pytest.raises(UnknownKeyError, match="telling family"):
        Telling.from_dict({"family": "binomial", "mean": 9})
    with pytest.raises(WomsimError, match="needs mean"):
        Telling.from_dict({"family": "poisson"})
    with pytest.raises(WomsimError, match="needs mean"):
        Telling.from_dict({"family": "negative_binomial", "dispersion": 1})
    with pytest.raises(UnknownKeyError, match="poisson parameter 'dispersion'"):
        Telling.from_dict({"family": "poisson", "mean": 3, "dispersion": 1})
    with pytest.raises(UnknownKeyError, match="pmf parameter 'mean'"):
        Telling.from_dict({"family": "pmf", "pmf": [1.0], "mean": 0})
    with pytest.raises(WomsimError, match="pair"):
        Telling.from_dict({"mean": 9, "tail": 20})
    with pytest.raises(WomsimError, match="'dispersion' or 'tail'"):
        Telling.from_dict({"family": "negative_binomial", "mean": 3})
    with pytest.raises(WomsimError, match="table/dict"):
        Telling.from_dict([("mean", 3)])  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- reporting
def test_equality_and_hash(negative):
    assert negative == Telling.negative()
    assert hash(negative) == hash(Telling.negative())
    assert negative != Telling.positive()
    assert negative != Telling.negative_binomial(9, 0.6)
    assert negative != "negative"
    assert len({negative, Telling.negative(), Telling.positive()}) == 2


def test_summary_and_repr(negative):
    s = negative.summary()
    assert isinstance(s, pd.Series)
    assert s.index.tolist() == ["family", "params", "mean", "sd", "P(K>10)", "P(K>20)", "P(K=0)"]
    assert s["family"] == "negative_binomial"
    assert s["sd"] == pytest.approx(math.sqrt(negative.var()))
    assert s["P(K>20)"] == pytest.approx(0.13, abs=1e-9)
    assert "r=0.5925" in s["params"]
    assert repr(negative) == (
        "Telling(negative_binomial, mean=9, r=0.5925, p=0.06176; calibrated to P(K>20)=0.13)"
    )
    assert repr(Telling.positive()) == "Telling(poisson, mean=3.5)"
    assert repr(Telling.from_pmf([0.5, 0.5])) == "Telling(pmf, 2 values, mean=0.5)"


def test_module_stays_small():
    assert Path(telling_module.__file__).stat().st_size < 40_000


def test_docstring_examples_run():
    result = doctest.testmod(telling_module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 10
    assert result.failed == 0
