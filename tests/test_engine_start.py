"""A run's start shared by the scenarios of a pass, and the listeners' tally: same numbers."""

from __future__ import annotations

import numbers

import numpy as np
import pytest

import womsim as wom
from womsim.core.errors import WomsimError
from womsim.engine.hearings import heard_counts
from womsim.engine.paired import run_paired
from womsim.engine.rng import PairedStreams, Streams
from womsim.engine.step import INITIAL_FIELDS, State, _start, run

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
