"""A run's start shared by the scenarios of a pass; listeners and revenue in compiled
passes: the same numbers as before, bit for bit."""

from __future__ import annotations

import numbers
from types import SimpleNamespace

import numpy as np
import pytest

import womsim as wom
from womsim.core.errors import WomsimError
from womsim.engine.hearings import heard_counts, listen_bad, listen_good
from womsim.engine.ledger import group_revenue
from womsim.engine.listeners import acted
from womsim.engine.paired import run_paired
from womsim.engine.rng import PairedStreams, Streams
from womsim.engine.step import CUSTOMER, FORMER, INITIAL_FIELDS, PROSPECT, State, _start, run

N = 2000


@pytest.fixture(scope="module")
def sc():
    return wom.Scenario.preset("telecom").replace(**{"market.people": N,
                                                      "simulation.horizon_years": 0.25})


@pytest.fixture(scope="module")
def net():
    return wom.Network.scale_free(N, m=4, seed=2)


def _same_state(a: State, b: State) -> bool:
    return all(np.array_equal(getattr(a, f), getattr(b, f))
               for f in ("status", "revenue", "deterred_until", "has_alt", "changed_at"))


def _moved(sc, name: str, value):
    # a valid other value of one parameter (None where none is at hand)
    for v in (value * 0.9, value * 1.1, value + 1, value - 0.01, value + 0.01):
        v = type(value)(v) if isinstance(value, int) else v
        if v == value:
            continue
        try:
            return sc.replace(**{name: v})
        except (WomsimError, ValueError, TypeError):
            continue
    return None


def test_initial_fields_are_all_the_start_reads(sc, net):
    """Every numeric parameter outside INITIAL_FIELDS leaves the drawn start unchanged
    (else sharing it across a pass would hand a scenario another's market), and every
    field in it moves the start (else the key splits starts that are one)."""
    ref = State.initial(sc, N, Streams(3), net)
    same, moved = 0, set()
    for name, value in sc.assumptions()["value"].items():
        if isinstance(value, bool) or not isinstance(value, numbers.Real) \
                or name == "market.people":
            continue
        other = _moved(sc, name, value)
        if other is None or other.segments or other.simulation.start != "cold":
            continue
        changed = not _same_state(State.initial(other, N, Streams(3), net), ref)
        if name in INITIAL_FIELDS:
            moved.add(name) if changed else None
        else:
            assert not changed, f"{name} changes State.initial: add it to INITIAL_FIELDS"
            same += 1
    assert same >= 30  # the check reached the scenario's parameters (33 today), not a few
    assert moved == set(INITIAL_FIELDS) - {"market.people"}


def test_shared_start_is_a_fresh_start_and_private(sc, net):
    streams = PairedStreams(5)
    a, fa = _start(sc, N, streams, net)
    b, fb = _start(sc.today(**{"word_of_mouth.negative_mean": 11.0}), N, streams, net)
    fresh = State.initial(sc, N, Streams(5), net)
    assert _same_state(a, fresh) and _same_state(b, fresh)
    assert (fa.same, fa.total) == (fb.same, fb.total)
    # what a run's steps write is its own: the other run's start does not move
    a.status[:] = 0
    fa.flag[:] = 0
    assert np.array_equal(b.status, fresh.status)
    assert fb.flag.any()
    # what no step writes is shared read-only: a write would fail, not leak
    with pytest.raises(ValueError):
        b.revenue[0] = 1.0
    # another market share is another start, drawn for itself
    c, _ = _start(sc.replace(**{"market.customer_share": 0.2}), N, streams, net)
    assert not np.array_equal(c.status, fresh.status)


def test_runs_sharing_a_start_match_separate_runs(sc, net):
    scs = [sc, sc.today(**{"word_of_mouth.positive_mean": 4.5}),
           sc.replace(**{"economics.revenue_sigma": 0.2})]
    for got, sc_i in zip(run_paired(scs, net, 11), scs, strict=True):
        alone = run(sc_i, net, 11)
        assert all(np.array_equal(got[k], alone[k]) for k in alone)
    mixed = run_paired(scs, None, 11)
    assert np.array_equal(mixed[1]["profit"], run(scs[1], None, 11)["profit"])


def test_heard_counts_is_unique_with_counts():
    rng = np.random.default_rng(1)
    for size in (0, 1, 2, 9, 500):
        ids = rng.integers(0, 40, size)
        heard, times = heard_counts(ids)
        want_h, want_t = np.unique(ids, return_counts=True)
        assert np.array_equal(heard, want_h) and np.array_equal(times, want_t)
        assert heard.dtype == np.int64 and times.dtype == np.int64


def _numpy_listeners(neg, pos, status, deterred_until, has_alt, streams, p, t):
    # the step's listeners as numpy wrote them before the compiled pass: the reference
    new_det = won_ref = wom_left = late = late_until = np.empty(0, dtype=np.int64)
    if neg.size:
        heard, h = np.unique(neg, return_counts=True)
        out = status[heard] != CUSTOMER
        who, hh = heard[out], h[out]
        ud = streams.uniform("deter", t, who)
        p_det = acted(p.deter, hh, p.repeat)
        hit = ud < p_det
        det = who[hit]
        new_det = det[deterred_until[det] <= t]
        v = ud[hit] / p_det[hit]
        until = t + np.ceil(v + p.memory_years / p.dt - 0.5).astype(np.int64)
        now = v < 0.5
        deterred_until[det[now]] = np.maximum(deterred_until[det[now]], until[now])
        late, late_until = det[~now], until[~now]
        cw, ch = heard[~out], h[~out]
        wom_left = cw[(streams.uniform("wom_defection", t, cw)
                       < acted(p.wom_defect, ch, p.repeat)) & has_alt[cw]]
        status[wom_left] = FORMER
    if pos.size:
        heard, h = np.unique(pos, return_counts=True)
        ok = (status[heard] == PROSPECT) & (deterred_until[heard] <= t)
        who, hh = heard[ok], h[ok]
        won_ref = who[streams.uniform("referral", t, who) < acted(p.referral, hh, p.repeat)]
    status[won_ref] = CUSTOMER
    return new_det, wom_left, late, late_until, won_ref


@pytest.mark.parametrize("repeat", [1.0, 0.6])
def test_listeners_pass_is_the_numpy_formulation(repeat):
    """Prospects deterred (now and after the step's middle), customers leaving and
    prospects won: the same people and steps as the numpy formulation, bit for bit, on
    a market where every branch is taken many times (stories heard up to ~8 times each)."""
    rng = np.random.default_rng(4)
    n, t = 3000, 9
    streams = Streams(21)
    p = SimpleNamespace(deter=0.4, wom_defect=0.2, referral=0.3, repeat=repeat,
                        memory_years=0.5, dt=7 / 365.25)
    status0 = rng.choice([PROSPECT, CUSTOMER, FORMER], n).astype(np.int8)
    until0 = np.where(rng.random(n) < 0.3, t + rng.integers(-3, 4, n), 0).astype(np.int32)
    has_alt = rng.random(n) < 0.8
    neg, pos = rng.integers(0, 400, 1500), rng.integers(0, 400, 1500)
    s_ref, u_ref = status0.copy(), until0.copy()
    want = _numpy_listeners(neg, pos, s_ref, u_ref, has_alt, streams, p, t)
    s_got, u_got = status0.copy(), until0.copy()
    bad = listen_bad(*heard_counts(neg), s_got, u_got, has_alt,
                     (streams.key("deter", t), streams.key("wom_defection", t)), p, t,
                     CUSTOMER, FORMER)
    good = listen_good(*heard_counts(pos), s_got, u_got, streams.key("referral", t), p, t,
                       PROSPECT, CUSTOMER)
    for w, g in zip(want, (*bad, good), strict=True):
        assert np.array_equal(w, g)
        assert g.size > 5  # each branch taken, not vacuously equal
    assert np.array_equal(s_ref, s_got) and np.array_equal(u_ref, u_got)


def test_group_revenue_is_numpys_sum_bit_for_bit():
    """Groups from empty to past numpy's 8192-element reduction buffer, summed as
    ``revenue[g].sum(dtype=float64)`` sums them: every bit the same."""
    rng = np.random.default_rng(6)
    revenue = (rng.lognormal(0, 1, 50_000) * 613.7).astype(np.float32)
    sizes = [0, 1, 7, 8, 9, 127, 128, 129, 1000, 8191, 8192, 8193, 20_000]
    groups = [rng.choice(revenue.size, k, replace=False) for k in sizes]
    got = group_revenue(revenue, np.concatenate(groups), sizes)
    want = [float(revenue[g].sum(dtype=np.float64)) for g in groups]
    assert got == want
    assert sum(got) != float(np.concatenate(groups).size)  # not a trivial zero
