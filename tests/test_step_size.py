"""Step size changes the noise, not the answer (DESIGN section 1, "Time").

Every rate is stated per year and converted to the step, the deterrence window equals the
memory, whole steps cover the horizon exactly, and people who change status within a step
are counted the same way whatever its length. So monthly, weekly and daily runs of every
preset must agree on churn, defections, deterrences and value lost within 3 standard errors
of the difference (the runs of two step sizes are independent: different steps draw
different numbers).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import womsim as wom
from womsim.presets import PRESETS

STEPS = {"monthly": 365 / 12, "weekly": 7.0, "daily": 1.0}
RUNS = 5
# the cost of a run is mostly per step, not per person: a market big enough for the counts
# to tell a one-step-longer deterrence window (+33% monthly) from noise costs little more
PEOPLE = 20_000
HORIZON = 0.5
# a quarter-year memory (within its uncertainty range) so that windows end within the
# horizon, and one month more would show
MEMORY = 0.25


def _measure(preset: str, step_days: float) -> dict[str, np.ndarray]:
    sc = wom.Scenario.preset(preset).replace(**{
        "market.people": PEOPLE, "simulation.horizon_years": HORIZON,
        "simulation.step_days": step_days, "word_of_mouth.deter_memory_years": MEMORY})
    lr = wom.lost_revenue(sc, runs=RUNS, seed=11, executor="serial", progress=False)
    today = lr.today.runs
    return {"annual churn": today["annual_churn"].to_numpy(),
            "defections": today["defections"].to_numpy(),
            "deterrences": today["newly_deterred"].to_numpy(),
            # how many are deterred at a time: what the length of the window shows in
            "deterred at a time": lr.today.records.groupby("run")["deterred"].mean().to_numpy(),
            "value lost": (lr.target.runs["value"] - today["value"]).to_numpy()}


@pytest.mark.slow
@pytest.mark.parametrize("preset", list(PRESETS))
def test_monthly_weekly_daily_agree(preset):
    got = {name: _measure(preset, days) for name, days in STEPS.items()}
    bad = []
    for metric in got["daily"]:
        ref = got["daily"][metric]
        for name in ("monthly", "weekly"):
            v = got[name][metric]
            se = math.sqrt(v.var(ddof=1) / v.size + ref.var(ddof=1) / ref.size)
            diff = v.mean() - ref.mean()
            if abs(diff) > 3 * se:
                bad.append(f"{metric}: {name} {v.mean():,.4g} vs daily {ref.mean():,.4g} "
                           f"({diff / se:+.1f} SE)")
    assert not bad, f"{preset}: " + "; ".join(bad)


def test_whole_steps_cover_the_horizon():
    for days in (*STEPS.values(), 10.0, 30.0):
        sim = wom.Scenario().replace(**{"simulation.step_days": days,
                                        "simulation.horizon_years": 2.0}).simulation
        assert sim.steps * sim.dt == pytest.approx(2.0, rel=1e-12)
        assert sim.dt * 365 == pytest.approx(days, rel=0.5 / sim.steps + 1e-12)


def test_deterrence_lasts_the_memory_at_every_step_size():
    """A prospect deterred in step t is blocked for memory / dt steps on average (the
    fraction of a step drawn), not one step more."""
    from womsim.engine import State, _WordOfMouth, schedule, step
    from womsim.rng import Streams

    memory = 0.3
    for days in STEPS.values():
        sc = wom.Scenario().replace(**{
            "market.people": 20_000, "market.network": "well_mixed",
            "market.customer_share": 0.5, "simulation.step_days": days,
            "simulation.horizon_years": 1.0, "word_of_mouth.deter_memory_years": memory,
            "word_of_mouth.prospect_deter_prob": 1.0, "service.contact_rate": 12.0,
            "service.problem_rate": 0.3})
        params, _ = schedule(sc)
        streams = Streams(3)
        state = State.initial(sc, sc.market.people, streams)
        wom_ = _WordOfMouth(None, sc.market.people, streams)
        e = step(state, int((state.status == 1).sum()), params[0], 0, streams, wom_)
        blocked = state.deterred_until[e.newly_deterred]
        assert blocked.size > 500
        dt = sc.simulation.dt
        mean_years = blocked.mean() * dt  # blocked in steps 0 .. until - 1
        # the drawn fraction is Bernoulli per person: its standard error
        frac = memory / dt % 1.0
        se = math.sqrt(frac * (1 - frac) / blocked.size) * dt
        assert abs(mean_years - memory) <= 3 * se + 1e-12, (days, mean_years)
