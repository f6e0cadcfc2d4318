"""The compiled whole run (engine.wholerun) gives the step's records, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

import womsim as wom
from womsim.engine import wholerun
from womsim.engine.rng import PairedStreams
from womsim.engine.step import run
from womsim.engine.wholerun import plain, run_fast, run_whole

N = 3000


@pytest.fixture(scope="module")
def sc():
    return wom.Scenario.preset("telecom").replace(**{"market.people": N,
                                                      "simulation.horizon_years": 1.0})


@pytest.fixture(scope="module")
def net():
    return wom.Network.scale_free(N, m=4, seed=2)


def _same(a: dict, b: dict) -> list[str]:
    # the records that differ (keys in another order count as a difference)
    if list(a) != list(b):
        return ["<keys>"]
    return [k for k in a if not np.array_equal(a[k], b[k])]


def _variants(sc):
    train = wom.Intervention("training", start="3 months", cost_per_year=50_000,
                             changes={"service.problem_rate": 0.7,
                                      "word_of_mouth.negative_mean": 1.1},
                             how={"service.problem_rate": "scale",
                                  "word_of_mouth.negative_mean": "scale"})
    return [
        sc,
        sc.what_if(**{"service.problem_rate": 0.0}),       # the counterfactual's kind
        sc.what_if(**{"service.contact_rate": 9.0}),       # another candidates' tier
        sc.with_interventions(train),                      # step parameters that change
        sc.today(**{"word_of_mouth.negative_mean": 11.0, "word_of_mouth.repeat_factor": 0.7}),
        sc.replace(**{"market.customer_clustering": 0.3, "economics.revenue_sigma": 0.0}),
    ]


def test_every_record_of_every_variant_is_the_steps(sc, net):
    for s in _variants(sc):
        assert plain(s)
        # customers clustered together need a graph to cluster on
        for network in (net, None) if s.market.customer_clustering == 0 else (net,):
            got = run_whole(s, network, 7, valuation_hazard=0.3 if network is None else None)
            assert got is not None
            want = run(s, network, 7, valuation_hazard=0.3 if network is None else None)
            assert _same(got, want) == []


def test_a_pass_of_paired_scenarios_shares_draws_and_keeps_the_numbers(sc, net):
    streams = PairedStreams(5)
    got = [run_whole(s, net, 5, streams=streams) for s in _variants(sc)]
    assert streams.hits > 0
    for s, g in zip(_variants(sc), got, strict=True):
        assert _same(g, run(s, net, 5)) == []
    # the variants differ: sharing a pass proves nothing otherwise
    assert len({float(g["profit"].sum()) for g in got}) == len(got)


def _outage(**kw):
    spec = {"raises": "problems", "multiplier": 2.0, "start": "10 weeks", "duration": "3 weeks",
            "ramp_down": "2 weeks"} | kw
    return wom.Incident(kw.pop("name", "outage"), **spec)


@pytest.fixture(scope="module")
def desk():
    # a desk the market's load strains (the curve is read between its grid points, not at
    # its clipped ends: the interpolation itself is what the kernel must match)
    d = wom.ServiceDesk(agents=1).prepare()
    return d


def _covered(sc, desk):
    calendar = {"calendar.incidents": (_outage(), _outage(name="calls", raises="contacts",
                                                          multiplier=1.5, start="30 weeks"))}
    pulse = {"calendar.pulses": (wom.Pulse("spring", multiplier=2, start="20 weeks",
                                           duration="6 weeks"),)}
    hire = wom.Intervention("hire", start="20 weeks", changes={"desk.agents": 2})
    with_desk = sc.today(desk=desk)
    return [
        sc.replace(**{"simulation.start": "steady"}),
        sc.replace(**{"simulation.start": "steady", "word_of_mouth.deter_memory_years": 1.0}),
        sc.replace(**calendar),
        sc.replace(**pulse),
        with_desk,
        with_desk.replace(**calendar),
        with_desk.with_interventions(hire),
        with_desk.replace(**{"simulation.start": "steady"}),
    ]


def test_a_desk_a_calendar_and_a_steady_start_give_the_steps_records(sc, net, desk):
    for s in _covered(sc, desk):
        assert plain(s)
        for network in (net, None):
            got = run_whole(s, network, 7)
            assert got is not None
            assert _same(got, run(s, network, 7)) == []
    # the desk's mix moved with its load (a fixed mix would pass the above too)
    got = run_whole(sc.today(desk=desk), net, 7)
    assert got["problem_share"].min() < got["problem_share"].max()


def test_a_desk_in_a_paired_pass_keeps_the_numbers(sc, net, desk):
    streams = PairedStreams(5)
    scenarios = _covered(sc, desk)
    got = [run_whole(s, net, 5, streams=streams) for s in scenarios]
    for s, g in zip(scenarios, got, strict=True):
        assert _same(g, run(s, net, 5)) == []


def test_a_calendar_past_what_the_step_allows_raises_the_steps_error(sc, net, desk):
    # (a fixed mix's is refused when the scenario is made) problems x50 on the desk's
    # share is above 1; 2,550 customers contacting 20 times a year, twice that in the
    # incident's first week, take the one-agent desk past its curve (75k contacts a year)
    busy = sc.today(desk=desk).replace(**{"market.customer_share": 0.85,
                                          "service.contact_rate": 20.0})
    for s in (busy.replace(**{"calendar.incidents": (_outage(raises="contacts", start="1 week",
                                                             multiplier=2.0),)}),
              sc.today(desk=desk).replace(**{"calendar.incidents": (
                  _outage(multiplier=50.0),)})):
        assert run_whole(s, net, 3) is None
        with pytest.raises(wom.ScenarioError, match="calendar: at step") as fast:
            run_fast(s, net, 3)
        with pytest.raises(wom.ScenarioError) as step:
            run(s, net, 3)
        assert str(fast.value) == str(step.value)


def test_what_it_does_not_cover_runs_by_the_step(sc, net):
    others = [sc.replace(**{"reviews.enabled": True}),
              sc.replace(**{"word_of_mouth.retell_prob": 0.2})]
    for s in others:
        assert not plain(s)
        assert run_whole(s, net, 3) is None
        assert _same(run_fast(s, net, 3), run(s, net, 3)) == []


def test_a_listener_past_the_chance_tables_falls_back_to_the_step(sc, net, monkeypatch):
    # tables one story long: anyone who hears two stories in a step is past them
    monkeypatch.setattr(wholerun, "_WEAK_HEARD", 1 - int(np.diff(net.indptr).max()))
    assert run_whole(sc, net, 3) is None
    assert _same(run_fast(sc, net, 3), run(sc, net, 3)) == []


def test_a_network_of_another_size_is_refused(sc):
    with pytest.raises(wom.NetworkError, match=r"market\.people"):
        run_whole(sc, wom.Network.random(N + 1, mean_degree=6, seed=1), 1)


def _by_the_step(scenario, network, seed, valuation_hazard=None, streams=None):
    # what simulate and sweep ran before they went through run_fast
    return run(scenario, network, seed, valuation_hazard=valuation_hazard, streams=streams)


def test_simulate_through_the_whole_run_gives_the_steps_ensemble(sc, net, monkeypatch):
    import womsim.runner.simulate as simulate_mod

    calls = []
    real = wholerun.run_whole
    monkeypatch.setattr(wholerun, "run_whole",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    got = wom.simulate(sc, net, runs=2, seed=11, executor="serial")
    assert len(calls) == 2  # both runs went through the compiled whole run
    monkeypatch.setattr(simulate_mod, "run_fast", _by_the_step)
    want = wom.simulate(sc, net, runs=2, seed=11, executor="serial")
    assert got.equals(want)
    assert got.summary().equals(want.summary())


def test_a_sweep_through_the_whole_run_gives_the_steps_sweep(sc, net, monkeypatch):
    import womsim.analysis.sweep as sweep_mod

    grid = {"service.problem_rate": [0.04, 0.12], "word_of_mouth.negative_mean": [9.0, 12.0]}
    calls = []
    real = wholerun.run_whole
    monkeypatch.setattr(wholerun, "run_whole",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    got = wom.sweep(sc, grid, network=net, runs=2, seed=3, executor="serial")
    assert len(calls) == 8  # every point's runs went through the compiled whole run
    monkeypatch.setattr(sweep_mod, "run_fast", _by_the_step)
    want = wom.sweep(sc, grid, network=net, runs=2, seed=3, executor="serial")
    assert got.equals(want)
    assert got.summary().equals(want.summary())
    # the points differ: equal sweeps would prove nothing otherwise
    assert got.summary()["profit"].nunique() == 4
