"""Paired scenarios in one pass: shared draws made once give the numbers of separate runs."""

from __future__ import annotations

import numpy as np
import pytest

import womsim as wom
from womsim.analysis import sweep as sweep_mod
from womsim.analysis import whatif
from womsim.engine.paired import run_paired
from womsim.engine.rng import PairedStreams, Streams, sparse_candidates, sparse_draw
from womsim.engine.step import run

N = 3000


@pytest.fixture(scope="module")
def sc():
    return wom.Scenario.preset("telecom").replace(**{"market.people": N,
                                                      "simulation.horizon_years": 1.0})


@pytest.fixture(scope="module")
def net():
    return wom.Network.scale_free(N, m=4, seed=2)


def _variants(sc):
    train = wom.Intervention("training", start="3 months", cost_per_year=50_000,
                             changes={"service.problem_rate": 0.7},
                             how={"service.problem_rate": "scale"})
    return [
        sc,
        sc.what_if(**{"service.problem_rate": 0.02}),
        # a contact rate in another power-of-two tier: other candidates, other memo entries
        sc.what_if(**{"service.contact_rate": 9.0}),
        sc.with_interventions(train),
        sc.today(**{"word_of_mouth.negative_mean": 11.0}),
    ]


def _same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def test_paired_pass_gives_the_numbers_of_separate_runs(sc, net):
    scs = _variants(sc)
    alone = [run(s, net, 11) for s in scs]
    together = run_paired(scs, net, 11, valuation_hazards=[None] * len(scs))
    assert all(_same(a, b) for a, b in zip(alone, together, strict=True))
    # the scenarios differ (else sharing proves nothing)
    assert len({float(r["profit"].sum()) for r in alone}) == len(scs)


def test_shared_draws_are_made_once_and_reused(sc, net):
    streams = PairedStreams(5)
    for s in _variants(sc)[:2]:
        run(s, net, 5, streams=streams)
    assert streams.hits > 0 and streams.held > 0


def test_over_budget_the_rest_is_drawn_per_scenario_with_the_same_numbers(sc, net):
    scs = _variants(sc)[:3]
    alone = [run(s, net, 3) for s in scs]
    for budget in (0.0, 0.05):
        got = run_paired(scs, net, 3, budget_mb=budget)
        assert all(_same(a, b) for a, b in zip(alone, got, strict=True))
    streams = PairedStreams(3, budget_mb=0.0)
    run(scs[0], net, 3, streams=streams)
    assert streams.held == 0


def test_a_shared_draw_cannot_be_changed_in_place():
    # a step that wrote into a draw would leak into every later scenario of the pass
    for streams in (Streams(1), PairedStreams(1)):
        ids = sparse_draw(streams, "contact", 0, 10_000, 0.05)
        cand, _ = sparse_candidates(streams, "acquire", 0, 10_000, 0.01)
        for a in (ids, cand):
            with pytest.raises(ValueError, match="read-only"):
                a[0] = 1


def test_paired_pass_refuses_scenarios_of_other_markets(sc, net):
    other = sc.replace(**{"market.people": N + 1})
    with pytest.raises(wom.ScenarioError, match="one market size"):
        run_paired([sc, other], None, 1)


def test_compare_runs_in_paired_batches_with_separate_numbers(sc, net, monkeypatch):
    better = sc.what_if(**{"service.problem_rate": 0.02})
    seen = []
    real = whatif.run_fast

    def spy(scenario, network, seed, **kw):
        seen.append(kw.get("streams"))
        return real(scenario, network, seed, **kw)

    monkeypatch.setattr(whatif, "run_fast", spy)
    cmp = wom.compare({"today": sc, "better": better}, network=net, runs=3, seed=2,
                      executor="serial")
    # both scenarios of a run share one set of streams
    assert len(seen) == 6 and len({id(s) for s in seen}) == 3
    price = whatif.valuation_hazard(sc)
    for name, s in (("today", sc), ("better", better)):
        recs = cmp.ensembles[name].records
        for r, seed in enumerate(cmp.ensembles[name].seeds):
            alone = run(s, net, seed, valuation_hazard=price)
            mine = recs[recs["run"] == r]
            assert np.array_equal(mine["profit"].to_numpy(), alone["profit"])
            assert np.array_equal(mine["customers"].to_numpy(), alone["customers"])


def test_sweep_in_paired_batches_matches_separate_runs(sc, net):
    grid = {"service.problem_rate": [0.03, 0.08, 0.12]}
    sw = wom.sweep(sc, grid, network=net, runs=2, seed=4, executor="serial")
    for point, ens in zip(sw.points, sw.ensembles, strict=True):
        s = sweep_mod.point_scenario(sc, point)
        recs = ens.records
        for r, seed in enumerate(ens.seeds):
            alone = run(s, net, seed)
            assert np.array_equal(recs[recs["run"] == r]["profit"].to_numpy(),
                                  alone["profit"])


def test_a_failing_point_does_not_take_the_others_of_its_batch(sc, net, monkeypatch):
    real = sweep_mod.run_fast

    def flaky(scenario, network, seed, **kw):
        if scenario.service.problem_rate == 0.08 and kw.get("streams") is not None:
            raise MemoryError("lost in the batch")
        return real(scenario, network, seed, **kw)

    monkeypatch.setattr(sweep_mod, "run_fast", flaky)
    grid = {"service.problem_rate": [0.03, 0.08, 0.12]}
    got = wom.sweep(sc, grid, network=net, runs=2, seed=4, executor="serial")
    monkeypatch.setattr(sweep_mod, "run_fast", real)
    ref = wom.sweep(sc, grid, network=net, runs=2, seed=4, executor="serial")
    assert got.equals(ref)


def test_batches_cover_every_point_and_run_once():
    batches = whatif.paired_batches(points=37, runs=3, size=16)
    cells = [(j, r) for r, js in batches for j in js]
    assert sorted(cells) == sorted((j, r) for j in range(37) for r in range(3))
    assert max(len(js) for _, js in batches) <= 16
