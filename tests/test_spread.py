"""The one-chance cascade kernel: theory, edge cases, reproducibility, bad input."""

from __future__ import annotations

import itertools
import math
import random
from collections import deque

import numpy as np
import pytest
import scipy.sparse
from scipy.optimize import brentq
from scipy.sparse.csgraph import connected_components

from womsim import Network, NetworkError, WomsimError, spread
from womsim.engine.spread import CascadeResult, cascade, edge_uniforms

METHODS = ["numpy", *(["numba"] if spread.HAVE_NUMBA else [])]


@pytest.fixture(scope="module")
def ba() -> Network:
    return Network.scale_free(20_000, m=5, seed=3)


def _reference(net: Network, seeds: np.ndarray, p: float, rng: np.random.Generator) -> int:
    """Textbook one-chance cascade: a queue and one ``rng.random()`` per chance.

    Independent of womsim's hashed draws, so agreement in distribution tests the kernel's
    logic and its random numbers together.
    """
    informed = np.zeros(net.n, dtype=bool)
    informed[seeds] = True
    queue = deque(np.unique(seeds).tolist())
    ip, ix = net.indptr, net.indices
    while queue:
        u = queue.popleft()
        nbrs = ix[ip[u]:ip[u + 1]]
        hits = nbrs[rng.random(nbrs.size) < p]
        for v in hits.tolist():
            if not informed[v]:
                informed[v] = True
                queue.append(v)
    return int(informed.sum())


# --------------------------------------------------------------------- percolation theory
def _giant_share(c: float, t: float) -> float:
    """Newman (2002): on G(n, c/n) with transmissibility T, S = 1 - exp(-c T S)."""
    return brentq(lambda s: s - 1 + math.exp(-c * t * s), 1e-9, 1.0)


@pytest.fixture(scope="module")
def er() -> Network:
    return Network.random(200_000, mean_degree=4, seed=11)


@pytest.mark.parametrize("t", [0.5, 0.75])
def test_large_cascades_match_percolation_theory(er: Network, t: float) -> None:
    c = er.mean_degree  # the realised mean degree (within ~0.5% of 4)
    s = _giant_share(c, t)
    rng = np.random.default_rng(20_020 + int(100 * t))
    shares, took_off = [], 0
    runs = 40
    for _ in range(runs):
        seeds = rng.choice(er.n, size=3, replace=False)
        res = cascade(er, seeds, p=t, rng=rng)
        if res.count >= 0.01 * er.n:  # small outbreaks die out: not the giant cluster
            took_off += 1
            shares.append(res.share)
    assert took_off >= runs // 2
    # each large cascade reaches S·n within 1% of n (plus the few a small cluster adds)
    assert np.all(np.abs(np.array(shares) - s) < 0.01), (s, shares)
    # from three seeds, the chance that none lands in the giant cluster is (1 - S)^3
    p_off = 1 - (1 - s) ** 3
    sd = math.sqrt(runs * p_off * (1 - p_off))
    assert abs(took_off - runs * p_off) < 4 * sd + 1


def test_below_threshold_no_large_cascade(er: Network) -> None:
    # c T = 0.8 < 1: subcritical, every outbreak stays small
    res = cascade(er, [0, 1, 2], p=0.2, rng=5)
    assert res.count < 0.01 * er.n


# ------------------------------------------------------------------------ edge cases
@pytest.mark.parametrize("method", METHODS)
def test_p_zero_informs_only_the_seeds(ba: Network, method: str) -> None:
    seeds = np.array([5, 17, 17, 900])
    res = cascade(ba, seeds, p=0.0, rng=1, method=method)
    assert res.count == 3
    assert np.flatnonzero(res.informed).tolist() == [5, 17, 900]
    assert res.generations == 0
    assert res.per_generation.tolist() == [3]


@pytest.mark.parametrize("method", METHODS)
def test_p_one_informs_exactly_the_seeds_components(method: str) -> None:
    # several components of different sizes and some isolated nodes
    net = Network.random(5_000, mean_degree=1.2, seed=4)
    _, label = connected_components(net.to_scipy(np.int8), directed=False)
    seeds = np.array([0, 10, 2_000, 4_999])
    res = cascade(net, seeds, p=1.0, rng=np.random.default_rng(0), method=method)
    expected = np.isin(label, label[seeds])
    assert np.array_equal(res.informed, expected)
    assert res.count == int(expected.sum())


@pytest.mark.parametrize("method", METHODS)
def test_generations_are_bfs_levels(method: str) -> None:
    # a path 0 - 1 - ... - 9: with p = 1 generation g informs node g
    net = Network.from_edges(np.arange(9), np.arange(1, 10))
    res = cascade(net, [0], p=1.0, rng=1, method=method)
    assert res.generations == 9
    assert res.per_generation.tolist() == [1] * 10
    capped = cascade(net, [0], p=1.0, rng=1, method=method, max_generations=3)
    assert np.flatnonzero(capped.informed).tolist() == [0, 1, 2, 3]
    assert capped.generations == 3
    none = cascade(net, [4], p=1.0, rng=1, method=method, max_generations=0)
    assert none.count == 1


@pytest.mark.parametrize("method", METHODS)
def test_no_seeds_and_isolated_seeds(method: str) -> None:
    net = Network.from_edges([0], [1], n=4)
    empty = cascade(net, np.array([], dtype=int), p=0.5, rng=1, method=method)
    assert empty.count == 0 and empty.generations == 0
    assert empty.per_generation.tolist() == [0]
    alone = cascade(net, [3], p=1.0, rng=1, method=method)
    assert alone.count == 1 and alone.generations == 0


def test_result_is_consistent(ba: Network) -> None:
    res = cascade(ba, np.arange(200), p=0.1, rng=2)
    assert isinstance(res, CascadeResult)
    assert res.informed.dtype == np.bool_ and res.informed.size == ba.n
    assert res.count == int(res.informed.sum()) == int(res.per_generation.sum())
    assert res.per_generation.size == res.generations + 1
    assert res.share == res.count / ba.n
    assert "generations" in repr(res)


def test_boolean_mask_seeds(ba: Network) -> None:
    mask = np.zeros(ba.n, dtype=bool)
    mask[[3, 30, 300]] = True
    a = cascade(ba, mask, p=0.2, rng=9)
    b = cascade(ba, [3, 30, 300], p=0.2, rng=9)
    assert np.array_equal(a.informed, b.informed)


def test_csr_arrays_and_scipy_give_the_same_result(ba: Network) -> None:
    seeds = np.arange(0, 20_000, 97)
    a = cascade(ba, seeds, p=0.15, rng=4)
    b = cascade((ba.indptr, ba.indices.astype(np.int64)), seeds, p=0.15, rng=4)
    m = scipy.sparse.csr_matrix((np.ones(ba.indices.size), ba.indices, ba.indptr))
    c = cascade(m, seeds, p=0.15, rng=4)
    assert np.array_equal(a.informed, b.informed)
    assert np.array_equal(a.informed, c.informed)


# ------------------------------------------------------------------ reproducibility
@pytest.mark.parametrize("method", METHODS)
def test_same_seed_same_result(ba: Network, method: str) -> None:
    seeds = np.arange(0, 20_000, 50)
    a = cascade(ba, seeds, 0.1, np.random.default_rng(123), method=method)
    b = cascade(ba, seeds, 0.1, np.random.default_rng(123), method=method)
    c = cascade(ba, seeds, 0.1, 123, method=method)
    assert np.array_equal(a.informed, b.informed)
    assert np.array_equal(a.per_generation, b.per_generation)
    assert np.array_equal(a.informed, c.informed)
    d = cascade(ba, seeds, 0.1, np.random.default_rng(124), method=method)
    assert not np.array_equal(a.informed, d.informed)


def test_draws_exactly_one_number_and_never_global_state(ba: Network) -> None:
    # the legacy global state is what must stay untouched
    np.random.seed(0)  # noqa: NPY002
    random.seed(0)
    before_np, before_py = np.random.get_state()[1].copy(), random.getstate()  # noqa: NPY002
    rng, twin = np.random.default_rng(8), np.random.default_rng(8)
    cascade(ba, [1, 2, 3], 0.3, rng)
    twin.integers(0, 2**64, dtype=np.uint64)
    assert rng.random() == twin.random()  # the caller's stream stays aligned
    assert np.array_equal(np.random.get_state()[1], before_np)  # noqa: NPY002
    assert random.getstate() == before_py


@pytest.mark.skipif(not spread.HAVE_NUMBA, reason="numba not installed")
@pytest.mark.parametrize("p", [0.05, 0.1, 0.3, 0.77, 1.0, 1 / 512, 25 / 256])
def test_numba_and_numpy_kernels_agree_exactly(p: float) -> None:
    # 1/512: every open slot comes through a tie of the leading byte (its next 32 bits
    # decide); 25/256: ties never open (the threshold's low 32 bits are 0)
    # the per-slot hashed draws make the result independent of traversal order
    for gseed, net in enumerate([Network.scale_free(30_000, m=3, seed=5),
                                 Network.random(30_000, mean_degree=3, seed=6),
                                 Network.small_world(10_001, k=4, p=0.05, seed=7)]):
        rng = np.random.default_rng(gseed)
        seeds = rng.choice(net.n, size=30)
        for max_gen in (None, 2):
            a = cascade(net, seeds, p, np.random.default_rng(gseed + 10), method="numba",
                        max_generations=max_gen)
            b = cascade(net, seeds, p, np.random.default_rng(gseed + 10), method="numpy",
                        max_generations=max_gen)
            assert np.array_equal(a.informed, b.informed)
            assert np.array_equal(a.per_generation, b.per_generation)


@pytest.mark.skipif(not spread.HAVE_NUMBA, reason="numba not installed")
@pytest.mark.parametrize("p", [0.5, 1.0])
def test_a_hub_with_more_open_slots_than_a_batch(p: float) -> None:
    # the compiled kernel buffers open slots in batches of 2,048: a star's centre with
    # 6,000 leaves fills several within its one row, and every leaf must be seen once
    leaves = 6_000
    net = Network.from_edges(np.zeros(leaves, dtype=np.int64), np.arange(1, leaves + 1))
    a = cascade(net, [0], p, np.random.default_rng(3), method="numba")
    b = cascade(net, [0], p, np.random.default_rng(3), method="numpy")
    assert np.array_equal(a.informed, b.informed)
    assert a.per_generation.tolist() == b.per_generation.tolist()
    # at p = 0.5 the reached leaves are Binomial(6000, 0.5): 5 SE either side
    want = leaves * p
    assert abs(a.count - 1 - want) <= 5 * math.sqrt(leaves * p * (1 - p))


def _mean_and_se(x: list[int]) -> tuple[float, float]:
    a = np.asarray(x, dtype=float)
    return a.mean(), a.std(ddof=1) / math.sqrt(a.size)


@pytest.mark.skipif(not spread.HAVE_NUMBA, reason="numba not installed")
def test_numba_and_numpy_agree_in_distribution(ba: Network) -> None:
    seeds = np.arange(0, ba.n, 400)  # 50 seeds
    runs = 150
    a = [cascade(ba, seeds, 0.08, np.random.default_rng(i), method="numba").count
         for i in range(runs)]
    b = [cascade(ba, seeds, 0.08, np.random.default_rng(10_000 + i), method="numpy").count
         for i in range(runs)]
    (ma, sa), (mb, sb) = _mean_and_se(a), _mean_and_se(b)
    assert abs(ma - mb) < 4 * math.hypot(sa, sb), (ma, mb)


def test_matches_a_textbook_implementation_in_distribution() -> None:
    net = Network.scale_free(3_000, m=3, seed=9)
    seeds = np.arange(0, 3_000, 300)
    runs = 300
    ours = [cascade(net, seeds, 0.12, np.random.default_rng(i)).count for i in range(runs)]
    rng = np.random.default_rng(99)
    ref = [_reference(net, seeds, 0.12, rng) for _ in range(runs)]
    (mo, so), (mr, sr) = _mean_and_se(ours), _mean_and_se(ref)
    assert abs(mo - mr) < 4 * math.hypot(so, sr), (mo, mr)
    # and the spread of sizes, not just the mean
    assert 0.75 < np.std(ours) / np.std(ref) < 1.33


def test_edge_uniforms_are_uniform_and_independent() -> None:
    u = edge_uniforms(np.arange(400_000), key=2024)
    assert u.min() >= 0 and u.max() < 1
    counts = np.histogram(u, bins=20, range=(0, 1))[0]
    expected = u.size / 20
    chi2 = float(((counts - expected) ** 2 / expected).sum())
    assert chi2 < 45  # 19 degrees of freedom: p ~ 1e-3
    # the bytes of one hash (slots of one word of eight) and neighbouring words are
    # unrelated: 400,000 pairs put a correlation's SE at 0.0016 (0.01 is 6 SE)
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 0.01
    assert abs(np.corrcoef(u[0::8], u[7::8])[0, 1]) < 0.02  # 50,000 pairs: 4.5 SE
    assert abs(np.corrcoef(u[:-8], u[8:])[0, 1]) < 0.01
    # the leading byte and the tie-breaking bits of a slot are unrelated too
    lead = np.floor(u * 256)
    assert abs(np.corrcoef(lead, u * 256 - lead)[0, 1]) < 0.01
    # a different key gives unrelated numbers
    v = edge_uniforms(np.arange(400_000), key=2025)
    assert abs(np.corrcoef(u, v)[0, 1]) < 0.01


@pytest.mark.parametrize("p", [0.001, 0.1, 0.5, 1 / 512])
def test_open_share_is_p(p: float) -> None:
    # 0.001 and 1/512 lie below the leading byte's first step (1/256): only the
    # tie-breaking bits open their slots
    e = np.arange(1_000_000)
    share = float((edge_uniforms(e, key=7) < p).mean())
    assert abs(share - p) < 5 * math.sqrt(p * (1 - p) / e.size)


# ---------------------------------------------------------------------- bad input
@pytest.mark.parametrize("p", [1.3, -0.1, float("nan"), float("inf"), "0.1", None, True])
def test_bad_p_names_p(ba: Network, p: object) -> None:
    with pytest.raises(WomsimError, match=r"^p must be a probability in \[0, 1\]"):
        cascade(ba, [0], p, 1)


@pytest.mark.parametrize("seeds, pattern", [
    ([0, 20_000], "seeds: node id 20000 is out of range"),
    ([-1, 3], "seeds: node id -1 is out of range"),
    ([0.5, 1.0], "seeds must be integer node ids"),
    ([[0, 1]], "seeds must be a 1-D array"),
    (np.ones(10, dtype=bool), "seeds: a boolean mask must have length n"),
])
def test_bad_seeds_name_seeds(ba: Network, seeds: object, pattern: str) -> None:
    with pytest.raises(WomsimError, match=pattern):
        cascade(ba, seeds, 0.1, 1)


@pytest.mark.parametrize("rng", [np.random.RandomState(1), random.Random(1), None, 1.5,
                                 -3, np.random.PCG64(1)])
def test_bad_rng_names_rng(ba: Network, rng: object) -> None:
    with pytest.raises(WomsimError, match=r"^rng"):
        cascade(ba, [0], 0.1, rng)


def test_bad_options(ba: Network) -> None:
    with pytest.raises(WomsimError, match="method must be"):
        cascade(ba, [0], 0.1, 1, method="fast")  # type: ignore[arg-type]
    with pytest.raises(WomsimError, match="max_generations must be"):
        cascade(ba, [0], 0.1, 1, max_generations=-1)


@pytest.mark.parametrize("network, pattern", [
    ("graph.csv", "network must be a womsim Network"),
    ((np.array([0, 1, 2]), np.array([1, 5])), r"network: indices must lie in 0\.\.1"),
    ((np.array([0, 2, 1]), np.array([1, 0])), "network: indptr must end at|"
                                              "network: indptr must start"),
    ((np.array([0, 2, 1, 2]), np.array([1, 0])), "network: indptr must be non-decreasing"),
    ((np.array([0.0, 1.0]), np.array([0])), "network: indptr must be a 1-D integer"),
])
def test_bad_network_names_network(network: object, pattern: str) -> None:
    with pytest.raises(NetworkError, match=pattern):
        cascade(network, [0], 0.1, 1)


def test_without_numba_falls_back_to_numpy(ba: Network,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spread, "HAVE_NUMBA", False)
    res = cascade(ba, [0, 1], 0.1, 3)
    assert res.method == "numpy"
    with pytest.raises(WomsimError, match="method='numba' needs numba"):
        cascade(ba, [0], 0.1, 1, method="numba")


@pytest.mark.slow
@pytest.mark.skipif(not spread.HAVE_NUMBA, reason="numba not installed")
def test_threads_give_the_one_thread_result_exactly() -> None:
    # the several-thread kernel drains and expands the blocks of ids each thread claims,
    # marking in a bitset of its own while the others write the informed set: the same
    # people bit for bit, whatever the number of shares. 3 and 5 shares on numba's 2
    # threads (blocks of 2,048 ids claimed from a counter: the star has 3 blocks, so some
    # shares get none, and its hub's block is expanded while the leaves' are drained);
    # generations after a small one (< _SMALL informed) run on one thread, the others on
    # all, and some cascades here have both (checked below); the star's 6,000 leaves
    # fill several batches of open slots within one share. One test, not one per p: the parallel
    # kernel's first compile costs ~10 s of CPU, paid once per pytest worker
    import numba

    from womsim.engine.spreadpar import _SMALL, _cascade_threads

    before = numba.get_num_threads()
    cascade(Network.complete(5), [0], 0.5, 1, threads=min(2, numba.config.NUMBA_NUM_THREADS))
    assert numba.get_num_threads() == before  # the call puts numba's count back
    star = Network.from_edges(np.zeros(6_000, dtype=np.int64), np.arange(1, 6_001))
    both = False  # some cascade ran generations on one thread and on all
    nets = [Network.scale_free(30_000, m=3, seed=5),
            Network.small_world(10_001, k=4, p=0.05, seed=7), star]
    for p, (gseed, net) in itertools.product([0.1, 0.77, 1.0, 1 / 512, 25 / 256],
                                              enumerate(nets)):
        seeds = np.random.default_rng(gseed).choice(net.n, size=300 if net.n > 10_000 else 1)
        for max_gen in (None, 2):
            a = cascade(net, seeds, p, np.random.default_rng(gseed + 10), method="numpy",
                        max_generations=max_gen)
            b = cascade(net, seeds, p, np.random.default_rng(gseed + 10), threads=2,
                        max_generations=max_gen)
            assert np.array_equal(a.informed, b.informed)
            assert np.array_equal(a.per_generation, b.per_generation)
            both |= {bool(c < _SMALL) for c in b.per_generation[:-1]} == {True, False}
        key = 12345 + gseed
        one = spread._cascade_numba(net._row_starts(), net.indices, seeds.astype(np.int32),
                                    np.uint64(key), np.uint64(round(p * 2**40)),
                                    np.int64(net.n + 1))
        # no seeds (nothing to drain), repeated seeds, a hop limit of 0 (the seeds are
        # drained but never expanded) and one that stops before the cascade dies out
        for seeds_, max_gen in (([], None), ([0, 0, net.n - 1], 0), ([0, 0, net.n - 1], 1)):
            s = np.asarray(seeds_, dtype=np.int64)
            a = cascade(net, s, p, 3, method="numpy", max_generations=max_gen)
            b = cascade(net, s, p, 3, threads=2, max_generations=max_gen)
            assert np.array_equal(a.informed, b.informed)
            assert np.array_equal(a.per_generation, b.per_generation)
        for shares in (3, 5):
            got = _cascade_threads(net._row_starts(), net.indices, seeds.astype(np.int32),
                                   np.uint64(key), np.uint64(spread._tie_key(key)),
                                   np.uint64(round(p * 2**40)), np.int64(net.n + 1),
                                   np.int64(shares), *spread._TABLES)
            assert np.array_equal(got[0], one[0])
            assert np.array_equal(got[1], one[1])
    assert both


@pytest.mark.skipif(not spread.HAVE_NUMBA, reason="numba not installed")
def test_bad_threads_name_threads(ba: Network) -> None:
    import numba

    for bad in (0, -1, 1.5, True, "2", None):
        with pytest.raises(WomsimError, match="threads must be an integer >= 1"):
            cascade(ba, [0], 0.1, 1, threads=bad)  # type: ignore[arg-type]
    with pytest.raises(WomsimError, match="numpy kernel runs on one thread"):
        cascade(ba, [0], 0.1, 1, threads=2, method="numpy")
    most = numba.config.NUMBA_NUM_THREADS
    with pytest.raises(WomsimError, match=f"NUMBA_NUM_THREADS = {most}"):
        cascade(ba, [0], 0.1, 1, threads=most + 1)
