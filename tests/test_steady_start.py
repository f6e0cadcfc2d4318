"""Today at rest: a steady-state start (no deterrence transient) and the drift warning."""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest

import womsim as wom
from womsim.engine.rng import Streams
from womsim.engine.steady import deter_rate, steady_deterred
from womsim.runner.drift import DriftWarning, check_drift

#: strong, long deterrence: a cold start's transient is large and easy to see (stories
#: beyond a teller's friends are not told, so deterrence needs the higher chance per story)
HARSH = {"market.people": 3000, "simulation.horizon_years": 1.5,
         "word_of_mouth.prospect_deter_prob": 0.6, "word_of_mouth.deter_memory_years": 1.0}


@pytest.fixture(scope="module")
def harsh():
    return wom.Scenario.preset("telecom").today(**HARSH)


@pytest.fixture(scope="module")
def runs(harsh):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DriftWarning)
        return {s: wom.simulate(harsh.replace(**{"simulation.start": s}), runs=12, seed=4,
                                executor="serial") for s in ("cold", "steady")}


def _per_run(ens, metric: str) -> np.ndarray:
    """(runs, steps) array of one record."""
    r = ens.records
    return r.pivot(index="run", columns="step" if "step" in r else "time",
                   values=metric).to_numpy(float)


def test_steady_start_draws_the_mean_field_share():
    sc = wom.Scenario.preset("retail_bank")
    n = 200_000
    status = np.zeros(n, np.int8)
    status[: n // 5] = 1  # customers never start deterred
    until = steady_deterred(sc, status, 1, Streams(9))
    assert (until[: n // 5] == 0).all()
    q = -math.expm1(-deter_rate(sc) * sc.word_of_mouth.deter_memory_years)
    k = n - n // 5
    got = (until[n // 5:] > 0).mean()
    assert abs(got - q) < 4 * math.sqrt(q * (1 - q) / k)
    # the time left is uniform-ish over the memory: never more than the memory
    assert until.max() <= math.ceil(sc.word_of_mouth.deter_memory_years / sc.simulation.dt)


def test_a_steady_start_has_no_deterrence_transient(runs, harsh):
    """Deterred prospects at the first step match their level a memory later (within the
    runs' standard error); a cold start begins near zero."""
    memory_steps = round(harsh.word_of_mouth.deter_memory_years / harsh.simulation.dt)
    for start, ens in runs.items():
        d = _per_run(ens, "deterred")
        first, late = d[:, 0], d[:, memory_steps:].mean(axis=1)
        diff = first - late
        se = diff.std(ddof=1) / math.sqrt(diff.size)
        if start == "steady":
            assert abs(diff.mean()) < 3 * se + 0.05 * late.mean(), (diff.mean(), se)
        else:
            assert first.mean() < 0.2 * late.mean()


def test_a_steady_start_leaves_no_early_surge(runs, harsh):
    """With a cold start every prospect can buy in the first months: the base grows faster
    then than later. Started at rest, the early and the late growth rates agree within
    their run-to-run standard error."""
    q = round(harsh.word_of_mouth.deter_memory_years / harsh.simulation.dt)
    gaps = {}
    for start, ens in runs.items():
        c = _per_run(ens, "customers")
        s0 = ens.runs["customers_start"].to_numpy(float)
        early = (c[:, q // 2] - s0) / (q // 2)        # per step, first half memory
        late = (c[:, -1] - c[:, q]) / (c.shape[1] - 1 - q)  # per step, after a memory
        gaps[start] = early - late
    g = gaps["steady"]
    assert abs(g.mean()) < 3 * g.std(ddof=1) / math.sqrt(g.size), g
    # the test can see a transient where there is one: the cold start's surge, paired run
    # by run with the steady start (same seeds)
    d = gaps["cold"] - gaps["steady"]
    assert d.mean() > 3 * d.std(ddof=1) / math.sqrt(d.size), d


def test_other_draws_are_the_same_as_a_cold_start(harsh):
    """The steady start draws on its own stream: who is a customer, what each pays and
    who has an alternative are unchanged."""
    from womsim.engine.step import State

    a = State.initial(harsh, 3000, Streams(5))
    b = State.initial(harsh.replace(**{"simulation.start": "steady"}), 3000, Streams(5))
    np.testing.assert_array_equal(a.status, b.status)
    np.testing.assert_array_equal(a.revenue, b.revenue)
    np.testing.assert_array_equal(a.has_alt, b.has_alt)
    assert (a.deterred_until == 0).all() and (b.deterred_until > 0).any()


def test_bad_start_is_refused():
    with pytest.raises(wom.ScenarioError, match=r"simulation\.start"):
        wom.Scenario().replace(**{"simulation.start": "warm"})


def test_a_drifting_today_warns_and_a_what_if_does_not():
    sc = wom.Scenario.preset("retail_bank").today(**{"market.people": 2000})
    with pytest.warns(DriftWarning, match="no cause"):
        ens = wom.simulate(sc, runs=6, seed=1, executor="serial")
    # a what-if has a cause (the change); so has a programme
    assert check_drift(ens) > 0.03
    with warnings.catch_warnings():
        warnings.simplefilter("error", DriftWarning)
        wom.simulate(sc.what_if(**{"service.problem_rate": 0.05}), runs=2, seed=1,
                     executor="serial")
    # fewer than two runs cannot tell drift from noise
    with warnings.catch_warnings():
        warnings.simplefilter("error", DriftWarning)
        wom.simulate(sc, runs=1, seed=1, executor="serial")


@pytest.mark.slow
def test_calibrated_today_stays_flat():
    """The calibrated bank (steady target, started at rest) stays within its runs' interval
    of flat, and simulating it raises no drift warning."""
    bank = wom.Scenario.preset("retail_bank").replace(**{"simulation.horizon_years": 1.0})
    cal = wom.calibrate(bank, {"annual_churn": 0.15, "problem_share": 0.04},
                        infer=["complaints.intention_to_action"], people=2000, sims=30,
                        draws=100, seed=2, executor="serial", check_runs=2)
    sc = cal.scenario.today(**{"market.people": 2000})
    assert sc.simulation.start == "steady"
    with warnings.catch_warnings():
        warnings.simplefilter("error", DriftWarning)
        ens = wom.simulate(sc, runs=16, seed=7, executor="serial")
    rel = ens.runs["customers_end"] / ens.runs["customers_start"] - 1
    se = rel.std(ddof=1) / math.sqrt(len(rel))
    assert abs(rel.mean()) < 3 * se + 0.03, (rel.mean(), se)


def test_compare_and_lost_revenue_warn_of_a_drifting_today_from_their_own_runs():
    """The drift check of ``simulate`` also runs in ``compare`` and ``lost_revenue``, on the
    reference's runs (no extra runs): the same drifting bank as above warns there too, with
    the drift of its paired reference runs (which are ``simulate``'s runs, bit for bit)."""
    sc = wom.Scenario.preset("retail_bank").today(**{"market.people": 2000})
    better = sc.what_if(**{"service.problem_rate": 0.05})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DriftWarning)
        alone = check_drift(wom.simulate(sc, runs=6, seed=1, executor="serial"))
    assert alone > 0.03
    with pytest.warns(DriftWarning, match=re.escape(f"moves {alone:+.1%}")):
        cmp = wom.compare({"today": sc, "better": better}, runs=6, seed=1, executor="serial")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DriftWarning)
        assert check_drift(cmp.ensembles["today"]) == alone
    with pytest.warns(DriftWarning, match=re.escape(f"moves {alone:+.1%}")):
        wom.lost_revenue(sc, runs=6, seed=1, executor="serial")
    # a what-if as the reference has a cause (the change), so has a dated event: no warning
    pulse = wom.Pulse("campaign", start="10 weeks", duration="4 weeks", multiplier=1.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DriftWarning)
        wom.compare({"better": better, "today": sc}, runs=3, seed=1, executor="serial")
        assert check_drift(wom.simulate(sc.replace(calendar={"pulses": [pulse]}), runs=3,
                                        seed=1, executor="serial")) is None
