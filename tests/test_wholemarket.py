"""The compiled market run (engine.wholemarket) gives the step's records, bit for bit:
every record of the market, of each segment and of each rival."""

from __future__ import annotations

import numpy as np
import pytest

import womsim as wom
from womsim.engine import cores, wholemarket, wholerun
from womsim.engine.rng import PairedStreams
from womsim.engine.step import run
from womsim.engine.wholemarket import covered, run_market
from womsim.engine.wholerun import run_fast

N = 3000
SEGMENTS = [
    {"name": "consumer", "share": 0.85},
    {"name": "business", "share": 0.15, "revenue_per_year": 2400.0, "revenue_sigma": 0.9,
     "contact_rate": 5.0, "problem_rate": 0.10, "complain_rate": 0.7, "resolved": 0.7,
     "observed_annual_churn": 0.20, "negative_mean": 12.0},
]
RIVAL = {"name": "challenger", "customer_share": 0.15, "contact_rate": 2.0,
         "problem_rate": 0.08, "delight_rate": 0.3, "complain_rate": 0.4, "resolved": 0.7,
         "baseline_churn": 0.12, "revenue_per_year": 550.0, "marketing_rate": 0.10,
         "takes_leavers": 0.5, "loses_to_us": 0.4}
SECOND = {**RIVAL, "name": "budget", "customer_share": 0.1, "contact_rate": 4.0,
          "takes_leavers": 0.3, "marketing_rate": 0.3, "revenue_per_year": 300.0}


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


def _markets(sc):
    outage = wom.Incident("outage", raises="problems", multiplier=2.0, start="10 weeks",
                          duration="3 weeks", ramp_down="2 weeks")
    calls = wom.Incident("calls", raises="contacts", multiplier=1.5, start="30 weeks",
                         duration="3 weeks")
    train = wom.Intervention("training", start="3 months", cost_per_year=50_000,
                             changes={"service.problem_rate": 0.7},
                             how={"service.problem_rate": "scale"})
    both = sc.today(segments=SEGMENTS, rivals=[RIVAL])
    return {
        "segments": sc.today(segments=SEGMENTS),
        "rival": sc.today(rivals=[RIVAL]),
        "both": both,
        "two rivals": sc.today(rivals=[RIVAL, SECOND]),
        "segments and two rivals": sc.today(segments=SEGMENTS, rivals=[RIVAL, SECOND]),
        "steady": both.replace(**{"simulation.start": "steady"}),
        "calendar": both.replace(**{"calendar.incidents": (outage, calls)}),
        "calendar, rival": sc.today(rivals=[RIVAL]).replace(
            **{"calendar.incidents": (outage, calls)}),
        "intervention": both.with_interventions(train),
        "clustered": both.replace(**{"market.customer_clustering": 0.3}),
    }


NAMES = ("segments", "rival", "both", "two rivals", "segments and two rivals", "steady",
         "calendar", "calendar, rival", "intervention", "clustered")


@pytest.mark.parametrize("threads", ["1", "2"])
@pytest.mark.parametrize("name", NAMES)
def test_every_record_of_every_market_is_the_steps(sc, net, name, threads, monkeypatch):
    # on one thread and with our side and the rivals' side at once on two
    # (engine.marketsides): the same records
    if threads == "2" and cores._numba_threads() < 2:
        pytest.skip("numba may use one thread here")
    monkeypatch.setenv(cores.ENV, threads)
    s = _markets(sc)[name]
    assert covered(s)
    for network in (net, None) if s.market.customer_clustering == 0 else (net,):
        for seed in (7, 8):
            got = run_market(s, network, seed)
            assert got is not None
            assert cores.last_run()["threads"] == int(threads)
            assert _same(got, run(s, network, seed)) == []


def test_the_books_of_segments_and_rivals_are_there_and_move(sc, net):
    got = run_market(_markets(sc)["segments and two rivals"], net, 7)
    assert got is not None
    for key in ("seg.business.customers", "seg.consumer.value_lost_wom",
                "rival.challenger.customers", "rival.budget.won_from_us", "market_share"):
        assert got[key].std() > 0, key  # equal constant books would pass the comparison
    # the segments add up to the market
    assert np.array_equal(got["seg.business.customers"] + got["seg.consumer.customers"],
                          got["customers"])


def test_a_priced_run_and_a_paired_pass_keep_the_numbers(sc, net):
    markets = list(_markets(sc).values())[:4]
    for s in markets:
        assert _same(run_market(s, net, 3, valuation_hazard=0.3),
                     run(s, net, 3, valuation_hazard=0.3)) == []
    streams = PairedStreams(5)
    got = [run_market(s, net, 5, streams=streams) for s in markets]
    for s, g in zip(markets, got, strict=True):
        assert g is not None and _same(g, run(s, net, 5)) == []


def test_what_it_does_not_cover_runs_by_the_step(sc, net):
    both = _markets(sc)["both"]
    desk = wom.ServiceDesk(agents=1).prepare()
    others = [both.replace(**{"reviews.enabled": True}),
              both.replace(**{"word_of_mouth.retell_prob": 0.2}),
              # a desk sets every segment's mix from the load: segments that keep it
              sc.today(segments=[{"name": "home", "share": 0.8},
                                 {"name": "firms", "share": 0.2, "revenue_per_year": 2400.0}],
                       rivals=[RIVAL], desk=desk),
              sc.today(rivals=[RIVAL], desk=desk)]
    for s in others:
        assert not covered(s)
        assert run_market(s, net, 3) is None
        assert _same(run_fast(s, net, 3), run(s, net, 3)) == []
    # a plain market is the plain whole run's, not this one's
    assert not covered(sc) and run_market(sc, net, 3) is None


def test_run_fast_routes_markets_here(sc, net, monkeypatch):
    calls = []
    real = wholemarket.run_market
    monkeypatch.setattr(wholerun, "run_market",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    s = _markets(sc)["both"]
    assert _same(run_fast(s, net, 4), run(s, net, 4)) == []
    assert calls == [1]
    run_fast(sc, net, 4)  # a plain market never asks
    assert calls == [1]


def test_a_listener_past_the_chance_tables_falls_back_to_the_step(sc, net, monkeypatch):
    # tables one story long: anyone who hears two stories in a step is past them
    monkeypatch.setattr(wholemarket, "_WEAK_HEARD", 1 - int(np.diff(net.indptr).max()))
    s = _markets(sc)["both"]
    assert run_market(s, net, 3) is None
    assert _same(run_fast(s, net, 3), run(s, net, 3)) == []


def test_a_step_the_calendar_refuses_is_left_to_the_step(sc, net, monkeypatch):
    # scenarios refuse such calendars when made; should one reach the run, the step
    # (which raises at the step it meets it) runs it, not a half-made table here
    def refuse(*a, **k):
        raise wom.ScenarioError("calendar: at step 3 ...")

    monkeypatch.setattr(wholemarket, "scaled", refuse)
    assert run_market(_markets(sc)["both"], net, 3) is None
    assert run_market(_markets(sc)["rival"], net, 3) is not None  # no segments to scale


def test_a_network_of_another_size_is_refused(sc):
    with pytest.raises(wom.NetworkError, match=r"market\.people"):
        run_market(_markets(sc)["both"], wom.Network.random(N + 1, mean_degree=6, seed=1), 1)
