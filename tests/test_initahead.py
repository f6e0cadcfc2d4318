"""The initial market drawn beside the network's build (womsim.engine.initahead): the same
records as drawn in line, and handed only to its own run."""

import warnings

import numpy as np

import womsim
import womsim.runner.simulate as sim
from womsim.engine import initahead
from womsim.engine.rng import Streams
from womsim.engine.state import State


def _records(sc, monkeypatch, behind: bool):
    if not behind:
        monkeypatch.setattr(sim, "draw_behind", lambda *a, **k: False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ens = womsim.simulate(sc, runs=1, seed=3, executor="serial", progress=False)
    monkeypatch.undo()
    assert initahead._pending is None  # taken by the run
    return ens.records


def test_same_records_as_in_line(monkeypatch):
    sc = womsim.Scenario.preset("telecom").replace(**{"market.people": 30_000})
    a = _records(sc, monkeypatch, True)
    b = _records(sc, monkeypatch, False)
    assert list(a.columns) == list(b.columns)
    for k in a.columns:
        assert np.array_equal(a[k].to_numpy(), b[k].to_numpy()), k


def test_other_run_or_scenario_gets_none():
    sc = womsim.Scenario().replace(**{"market.people": 500})
    assert initahead.draw_behind(sc, 1)
    assert initahead.take(sc, 500, Streams(2)) is None  # another seed: dropped
    assert initahead.take(sc, 500, Streams(1)) is None
    assert initahead.draw_behind(sc, 1)
    other = sc.replace(**{"market.customer_share": 0.5})
    assert initahead.take(other, 500, Streams(1)) is None


def test_not_covered_is_drawn_in_line():
    steady = womsim.Scenario().replace(**{"market.people": 500, "simulation.start": "steady"})
    assert not initahead.draw_behind(steady, 1)
    assert initahead._pending is None


def test_same_state_as_in_line():
    sc = womsim.Scenario().replace(**{"market.people": 2000})
    initahead.draw_behind(sc, 9)
    got = initahead.take(sc, 2000, Streams(9))
    ref = State.initial(sc, 2000, Streams(9))
    for name in ("status", "revenue", "has_alt", "deterred_until", "changed_at"):
        assert np.array_equal(getattr(got, name), getattr(ref, name)), name


def test_packs_drawn_behind_are_the_run_packs():
    # the churn and acquisition packs of the whole run, drawn on the thread, handed over
    # once to the run of that seed: the same arrays as made in line
    from womsim.engine import wholerun

    sc = womsim.Scenario.preset("telecom").replace(**{"market.people": 20_000})
    assert initahead.draw_behind(sc, 4, packs=wholerun.packs_ahead)
    assert initahead.take(sc, 20_000, Streams(4)) is not None
    made = wholerun.packs_ahead(sc, Streams(4))
    assert {k[1] for k in made} == {"churn", "acquire"}
    for key, (cand, off) in made.items():
        assert initahead.take_pack(5, key) is None  # another seed
        got = initahead.take_pack(4, key)
        assert got is not None
        assert np.array_equal(got[0], cand) and np.array_equal(got[1], off)
        assert initahead.take_pack(4, key) is None  # once
