"""Tests of the SimPy service desk, the fixed mix and the queueing formulas."""

from __future__ import annotations

import math
import pickle
import sys

import numpy as np
import pytest
from scipy import stats

from womsim.core.errors import ScenarioError
from womsim.service import (
    DeskResult,
    FixedMix,
    MixTable,
    ServiceDesk,
    agents_for_service_level,
    cache_info,
    clear_cache,
    erlang_a,
    erlang_b,
    erlang_c,
    erlang_c_mean_wait,
    erlang_c_service_level,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

HANDLE = 6.0  # minutes


def erlang_desk(agents: int, patience: float = math.inf, **kw) -> ServiceDesk:
    """A desk under the M/M/n(+M) assumptions: 24/7, flat, exponential, no repeats."""
    base = dict(agents=agents, open_hours=(0, 24), open_days=7, handle_time_minutes=HANDLE,
                handle_time_dist="exponential", handle_time_cv=1.0,
                patience_minutes=patience, first_contact_resolution=1.0,
                self_service_share=0.0, wait_tolerance_seconds=math.inf,
                delight_if_quick=0.0)
    base.update(kw)
    return ServiceDesk(**base)


def per_year(per_minute: float) -> float:
    return per_minute * 1440.0 * 365.0


def replicate(desk: ServiceDesk, load: float, attrs: list[str], reps: int = 10,
              days: float = 7, warmup_days: float = 1) -> dict[str, tuple[float, float]]:
    """Mean and 99% CI half-width of each attribute over independent replications."""
    runs = [desk.simulate(load, days=days, seed=100 + r, warmup_days=warmup_days)
            for r in range(reps)]
    t = stats.t.ppf(0.995, reps - 1)
    out = {}
    for a in attrs:
        x = np.array([getattr(r, a) for r in runs])
        out[a] = (float(x.mean()), float(t * x.std(ddof=1) / math.sqrt(reps)))
    return out


# --------------------------------------------------------------------------- queueing
def test_erlang_formulas_known_values():
    assert erlang_b(5.0, 8) == pytest.approx(0.0700479, rel=1e-6)
    # Textbook: 10 Erlangs on 12 agents -> P(wait) 0.4493
    assert erlang_c(10.0, 1.0, 12) == pytest.approx(0.449, abs=1e-3)
    assert erlang_c(0.0, 1.0, 3) == 0.0
    assert erlang_c(5.0, 1.0, 5) == 1.0  # at capacity the queue never settles
    assert erlang_c_mean_wait(5.0, 1.0, 5) == math.inf
    lam, mu, n = 1.0, 1 / 6, 8
    c = erlang_c(lam, mu, n)
    assert erlang_c_mean_wait(lam, mu, n) == pytest.approx(c / (n * mu - lam))
    assert erlang_c_service_level(lam, mu, n, 0.0) == pytest.approx(1 - c)
    n80 = agents_for_service_level(lam, mu, 20 / 60, target=0.8)
    assert erlang_c_service_level(lam, mu, n80, 20 / 60) >= 0.8
    assert erlang_c_service_level(lam, mu, n80 - 1, 20 / 60) < 0.8
    np.testing.assert_allclose(erlang_c(np.array([1.0, 1.0]), mu, n), [c, c])


def test_erlang_stable_for_many_servers():
    c = erlang_c(950.0, 1.0, 1000)
    assert 0.0 < c < 0.2 and math.isfinite(c)
    a = erlang_a(950.0, 1.0, 1000, 0.5)
    assert 0.0 <= a.p_abandon < 0.01 and a.p_wait <= c + 1e-12


def test_erlang_a_limits():
    lam, mu, n = 1.0, 1 / 6, 8
    # Almost infinite patience: Erlang C.
    a = erlang_a(lam, mu, n, 1e-9)
    assert a.p_wait == pytest.approx(erlang_c(lam, mu, n), rel=1e-6)
    assert a.mean_wait == pytest.approx(erlang_c_mean_wait(lam, mu, n), rel=1e-5)
    # Heavily overloaded: the agents serve n*mu, everybody else hangs up.
    big = erlang_a(10 * n * mu, mu, n, 1.0)
    assert big.p_abandon == pytest.approx(0.9, abs=0.01)
    assert big.occupancy == pytest.approx(1.0, abs=1e-3)
    # Flow balance: served + abandoned = arrivals.
    lam2 = 1.5
    a = erlang_a(lam2, mu, n, 0.4)
    assert a.occupancy * n * mu == pytest.approx(lam2 * (1 - a.p_abandon))
    with pytest.raises(ScenarioError, match="servers"):
        erlang_c(1.0, 1.0, 0)
    with pytest.raises(ScenarioError, match="too small"):
        erlang_a(2.0, mu, n, 1e-12)


# --------------------------------------------------------------------------- validation vs theory
@pytest.mark.parametrize("agents, rho, days", [(8, 0.7, 7), (8, 0.9, 14)])
def test_simulation_matches_erlang_c(agents, rho, days):
    """P(wait > 0) and mean wait within 99% CIs of 10 independent replications."""
    lam = rho * agents / HANDLE  # per minute
    desk = erlang_desk(agents)
    sim = replicate(desk, per_year(lam), ["p_wait", "mean_wait_seconds", "service_level"],
                    days=days)
    theory = {
        "p_wait": erlang_c(lam, 1 / HANDLE, agents),
        "mean_wait_seconds": erlang_c_mean_wait(lam, 1 / HANDLE, agents) * 60.0,
        "service_level": erlang_c_service_level(lam, 1 / HANDLE, agents, 20 / 60),
    }
    for k, (mean, half) in sim.items():
        print(f"rho={rho} {k}: simulated {mean:.4f} +- {half:.4f}, Erlang C {theory[k]:.4f}")
        assert abs(mean - theory[k]) <= half, (k, mean, half, theory[k])
        assert half < 0.2 * theory[k]  # the CI is narrow enough to mean something


def test_simulation_matches_erlang_a():
    """Abandonment, P(wait) and mean time in queue against the M/M/n+M chain."""
    agents, patience = 8, 3.0
    lam = 1.0 * agents / HANDLE  # offered load = capacity
    desk = erlang_desk(agents, patience=patience)
    sim = replicate(desk, per_year(lam), ["abandonment_rate", "p_wait", "mean_wait_seconds"])
    ea = erlang_a(lam, 1 / HANDLE, agents, 1 / patience)
    theory = {"abandonment_rate": ea.p_abandon, "p_wait": ea.p_wait,
              "mean_wait_seconds": ea.mean_wait * 60.0}
    for k, (mean, half) in sim.items():
        print(f"Erlang A {k}: simulated {mean:.4f} +- {half:.4f}, theory {theory[k]:.4f}")
        assert abs(mean - theory[k]) <= half, (k, mean, half, theory[k])


def test_window_boundaries_are_unbiased():
    """Short windows lean on the boundary treatment of repeats; long ones hardly do."""
    desk = ServiceDesk(agents=10)
    load = desk.capacity_contacts_per_year()
    long = [desk.simulate(load, days=28, seed=s) for s in range(2)]
    short = [desk.simulate(load, days=2, seed=10 + s) for s in range(24)]
    for a in ("problem", "problem_unresolved", "abandonment_rate", "utilisation"):
        x = np.array([getattr(r, a) for r in long])
        y = np.array([getattr(r, a) for r in short])
        # Standard errors from the short runs' spread, scaled to each side's volume.
        se_short = y.std(ddof=1) / math.sqrt(y.size)
        se_long = y.std(ddof=1) * math.sqrt(2 / 28) / math.sqrt(x.size)
        assert abs(x.mean() - y.mean()) <= 3.5 * math.hypot(se_short, se_long), a
    # The repeat flow is steady: repeats per first contact = answered share x (1 - FCR).
    r = long[0]
    first = r.contacts_offered - r.repeat_contacts
    assert r.repeat_contacts / first == pytest.approx(
        (1 - desk.first_contact_resolution) * (1 - r.abandonment_rate), rel=0.06)


@pytest.mark.parametrize("days", [1, 3, 7, 10])
def test_issue_counts_follow_the_calendar(days):
    """Issues in a window starting Monday: only open days carry arrivals."""
    desk = ServiceDesk(agents=20, open_days=5)
    load = 0.5 * desk.capacity_contacts_per_year()
    open_days = 5 * (days // 7) + min(days % 7, 5)
    expected = load * 7 / 365 / 5 * open_days
    n = np.mean([desk.simulate(load, days=days, seed=s).issues for s in range(3)])
    assert n == pytest.approx(expected, abs=4 * math.sqrt(expected / 3))


def test_low_load_reaches_the_empty_desk_limit():
    desk = ServiceDesk(agents=20, first_contact_resolution=0.7, delight_if_quick=0.3,
                       self_service_share=0.2)
    limit = desk.simulate(0.0)
    assert limit.problem == pytest.approx(0.8 * 0.3**2)
    assert limit.delighted == pytest.approx(0.8 * 0.7 * 0.3)
    assert limit.problem_unresolved == limit.problem
    r = desk.simulate(0.02 * desk.capacity_contacts_per_year(), days=28, seed=5)
    n = r.issues
    for a in ("delighted", "problem"):
        p = getattr(limit, a)
        assert abs(getattr(r, a) - p) <= 4 * math.sqrt(p * (1 - p) / n) + 0.002, a
    assert r.self_served / r.issues == pytest.approx(0.2, abs=4 * math.sqrt(0.16 / n))


# --------------------------------------------------------------------------- behaviour
def test_more_agents_fewer_problems_paired_seeds():
    load = ServiceDesk(agents=10).capacity_contacts_per_year()
    for seed in (1, 2):
        few = ServiceDesk(agents=9).simulate(load, days=14, seed=seed)
        many = ServiceDesk(agents=12).simulate(load, days=14, seed=seed)
        assert many.problem < few.problem
        assert many.service_level > few.service_level
        assert many.utilisation < few.utilisation
        assert many.cost_per_year > few.cost_per_year
        assert many.issues == few.issues  # same arrivals: the seeds are paired


def test_same_seed_identical_other_seed_differs():
    desk = ServiceDesk(agents=5)
    load = 0.9 * desk.capacity_contacts_per_year()
    a, b = desk.simulate(load, days=7, seed=4), desk.simulate(load, days=7, seed=4)
    assert a == b
    assert desk.simulate(load, days=7, seed=5) != a


def test_result_accounting():
    desk = ServiceDesk(agents=4, self_service_share=0.1)
    r = desk.simulate(1.1 * desk.capacity_contacts_per_year(), days=7, seed=2)
    assert r.delighted + r.satisfied + r.problem == pytest.approx(1.0)
    assert r.problem == pytest.approx(r.problem_abandoned + r.problem_waited
                                      + r.problem_unresolved)
    assert r.contacts_handled + r.contacts_abandoned == r.contacts_offered
    assert r.abandonment_rate == pytest.approx(r.contacts_abandoned / r.contacts_offered)
    assert 0 < r.repeat_contacts < r.contacts_offered
    assert 0.8 < r.utilisation < 1.1
    assert r.cost_per_year == 4 * 45_000.0
    s = r.to_series()
    assert s["problem"] == r.problem and s.name == r.contacts_per_year
    assert "service level" in r._repr_html_()
    assert isinstance(r, DeskResult)


def test_utilisation_tracks_offered_load():
    desk = ServiceDesk(agents=10, patience_minutes=math.inf)
    r = desk.simulate(0.6 * desk.capacity_contacts_per_year(), days=28, seed=3)
    assert r.utilisation == pytest.approx(0.6, abs=0.03)
    assert r.abandonment_rate == 0.0


def test_shift_pattern():
    # The pattern with every agent on duty is the plain desk.
    full = ServiceDesk(agents=6, agents_by_hour=[6] * 24)
    plain = ServiceDesk(agents=6)
    load = 0.9 * plain.capacity_contacts_per_year()
    assert full.simulate(load, days=7, seed=1) == plain.simulate(load, days=7, seed=1)
    # Six on the payroll, three on the phones: behaves like a three-agent desk.
    half = ServiceDesk(agents=6, agents_by_hour=[3] * 24)
    three = ServiceDesk(agents=3)
    assert half.capacity_contacts_per_year() == pytest.approx(
        three.capacity_contacts_per_year())
    load3 = 0.9 * three.capacity_contacts_per_year()
    a = half.simulate(load3, days=28, seed=2)
    b = three.simulate(load3, days=28, seed=2)
    assert a.problem == pytest.approx(b.problem, abs=0.02)
    assert a.utilisation == pytest.approx(b.utilisation, abs=0.03)
    assert a.cost_per_year == 2 * b.cost_per_year
    # Thin staffing in the afternoon hurts.
    thin = ServiceDesk(agents=6, agents_by_hour=[6] * 14 + [3] * 10)
    assert thin.simulate(load, days=7, seed=1).problem > plain.simulate(
        load, days=7, seed=1).problem


def test_profiles_shape_the_load():
    flat = ServiceDesk(agents=8)
    load = 0.8 * flat.capacity_contacts_per_year()
    peaky = ServiceDesk(agents=8, hourly_profile=[0] * 8 + [3, 3, 1, 1, 1, 1] + [1] * 6
                        + [0] * 4, daily_profile=[2, 1, 1, 1, 1, 0, 0])
    a = flat.simulate(load, days=14, seed=1)
    b = peaky.simulate(load, days=14, seed=1)
    assert b.problem > a.problem  # same volume squeezed into peaks
    # Weight on hours the desk is shut is deferred to the opening, not lost.
    night = ServiceDesk(agents=8, hourly_profile=[1] * 24)
    c = night.simulate(load, days=14, seed=1)
    assert c.issues == pytest.approx(a.issues, rel=0.05)
    assert c.p_wait > a.p_wait


def test_zero_load_and_empty_desk():
    desk = ServiceDesk(agents=3)
    r = desk.simulate(0.0)
    assert r.issues == 0 and r.service_level == 1.0 and r.utilisation == 0.0
    assert r.mix.sum() == pytest.approx(1.0)
    curve = desk.load_curve(loads=[0.0])  # exact, no simulation
    np.testing.assert_allclose(curve.loc[0.0, ["delighted", "satisfied", "problem"]], r.mix)
    allself = ServiceDesk(self_service_share=1.0)
    assert allself.simulate(1e5, days=2).satisfied == 1.0


# --------------------------------------------------------------------------- validation
@pytest.mark.parametrize("kw, field, value", [
    ({"agents": 0}, "agents", "0"),
    ({"agents": 2.5}, "agents", "2.5"),
    ({"first_contact_resolution": 1.3}, "first_contact_resolution", "1.3"),
    ({"handle_time_minutes": float("nan")}, "handle_time_minutes", "nan"),
    ({"handle_time_minutes": -1}, "handle_time_minutes", "-1"),
    ({"patience_minutes": float("nan")}, "patience_minutes", "nan"),
    ({"open_days": 8}, "open_days", "8"),
    ({"open_hours": (20, 8)}, "open_hours", "(20, 8)"),
    ({"open_hours": (8, 25)}, "open_hours", "(8, 25)"),
    ({"hourly_profile": [1.0] * 23}, "hourly_profile", "23"),
    ({"hourly_profile": [-1.0] + [1.0] * 23}, "hourly_profile", "-1.0"),
    ({"daily_profile": [0.0] * 7}, "daily_profile", "0.0"),
    ({"daily_profile": [1.0] * 6 + [float("inf")]}, "daily_profile", "inf"),
    ({"agents_by_hour": [11] * 24}, "agents_by_hour", "11"),
    ({"agents_by_hour": [0] * 24}, "agents_by_hour", "0"),
    ({"handle_time_cv": 0.5, "handle_time_dist": "exponential"}, "handle_time_cv", "0.5"),
    ({"handle_time_dist": "gamma"}, "handle_time_dist", "gamma"),
    ({"agent": 5}, "agent", "5"),
    ({"self_service_share": -0.1}, "self_service_share", "-0.1"),
])
def test_bad_parameters_name_field_and_value(kw, field, value):
    with pytest.raises(ScenarioError) as err:
        ServiceDesk(**kw)
    msg = str(err.value)
    assert field in msg and value in msg, msg


def test_error_messages_state_the_range_and_validate_paths():
    with pytest.raises(ScenarioError, match=r"agents = 0.*>= 1"):
        ServiceDesk(agents=0)
    with pytest.raises(ScenarioError, match="first_contact_resolution"):
        ServiceDesk.model_validate({"first_contact_resolution": 2})
    with pytest.raises(ScenarioError, match="agents"):
        ServiceDesk.model_validate_json('{"agents": -3}')
    desk = ServiceDesk()
    with pytest.raises(Exception, match="frozen"):
        desk.agents = 3  # type: ignore[misc]
    with pytest.raises(ScenarioError, match="contacts_per_year"):
        desk.simulate(-5.0)
    with pytest.raises(ScenarioError, match="days"):
        desk.simulate(1000.0, days=0)


def test_no_limit_is_none_and_toml_round_trip():
    import tomli_w

    desk = ServiceDesk(agents=7, patience_minutes=math.inf, hourly_profile=[1.0] * 24,
                       open_hours=(7.5, 19), wait_tolerance_seconds=None)
    assert desk.patience_minutes is None  # inf is stored as None: TOML has no inf...
    assert desk == ServiceDesk(agents=7, patience_minutes=None, hourly_profile=[1.0] * 24,
                               open_hours=(7.5, 19), wait_tolerance_seconds=math.inf)
    text = tomli_w.dumps({k: "none" if v is None else v for k, v in desk.model_dump().items()})
    back = ServiceDesk.model_validate(tomllib.loads(text))
    assert back == desk
    assert ServiceDesk.model_validate_json(desk.model_dump_json()) == desk


# --------------------------------------------------------------------------- fixed mix
def test_fixed_mix():
    mix = FixedMix(delighted=0.1, problem=0.15)
    assert mix.satisfied == pytest.approx(0.75)
    assert mix.experience_mix(1e4).tolist() == pytest.approx([0.1, 0.75, 0.15])
    assert mix.experience_mix(np.zeros((4, 2))).shape == (4, 2, 3)
    assert mix.problem_causes([1.0, 2.0]).shape == (2, 3)
    assert mix.cost_per_year() == 0.0
    assert FixedMix(delighted=0.2, satisfied=0.7, problem=0.1).satisfied == pytest.approx(0.7)
    assert FixedMix.model_validate(mix.model_dump()) == mix
    with pytest.raises(ScenarioError, match=r"delighted = 0.3, satisfied = 0.5, problem = 0.3"):
        FixedMix(delighted=0.3, satisfied=0.5, problem=0.3)
    with pytest.raises(ScenarioError, match=r"problem = 0\.7"):
        FixedMix(delighted=0.5, problem=0.7)
    with pytest.raises(ScenarioError, match=r"problem = 1.3"):
        FixedMix(delighted=0.0, problem=1.3)
    with pytest.raises(ScenarioError, match="delighted = missing"):
        FixedMix(problem=0.1)


# --------------------------------------------------------------------------- load curve
def test_load_curve_is_cached_and_not_resimulated():
    clear_cache()
    kw = dict(agents=3, first_contact_resolution=0.8)
    loads = [0.0, 20_000.0, 40_000.0, 60_000.0]
    curve = ServiceDesk(**kw).load_curve(loads=loads, days=7)
    n_sim = cache_info()["simulations"]
    assert n_sim == 3  # the zero load is exact, not simulated
    again = ServiceDesk(**kw).load_curve(loads=loads[::-1], days=7)  # an equal desk
    assert again is curve
    assert cache_info()["simulations"] == n_sim and cache_info()["hits"] == 1
    other = ServiceDesk(**kw).load_curve(loads=loads, days=7, seed=1)
    assert other is not curve
    assert list(curve.index) == loads
    assert {"delighted", "satisfied", "problem", "service_level", "asa_seconds",
            "abandonment_rate", "utilisation", "cost_per_year"} <= set(curve.columns)


def test_experience_mix_interpolates_without_resimulating():
    clear_cache()
    desk = ServiceDesk(agents=2)
    table = desk.mix_table()
    n_sim = cache_info()["simulations"]
    curve = desk.load_curve()  # the default curve, from the cache
    assert cache_info()["simulations"] == n_sim
    loads = curve.index.to_numpy()
    mix = curve[["delighted", "satisfied", "problem"]].to_numpy()
    # On grid points: the curve itself; between them: the linear interpolation.
    np.testing.assert_allclose(desk.experience_mix(loads), mix, atol=1e-12)
    mid = 0.5 * (loads[6] + loads[7])
    np.testing.assert_allclose(desk.experience_mix(mid), 0.5 * (mix[6] + mix[7]), atol=1e-12)
    # Scalar and array paths agree; clipped beyond the grid.
    x = np.array([0.0, mid, loads[-1], 10 * loads[-1]])
    arr = desk.experience_mix(x)
    for i, xi in enumerate(x):
        np.testing.assert_allclose(desk.experience_mix(float(xi)), arr[i], atol=1e-12)
    np.testing.assert_allclose(arr[3], arr[2])
    np.testing.assert_allclose(arr.sum(axis=1), 1.0)
    assert desk.experience_mix(np.ones((3, 4))).shape == (3, 4, 3)
    # Problems grow with load (allowing a little Monte Carlo wobble), strongly overall.
    p = curve["problem"].to_numpy()
    assert np.all(np.diff(p) > -0.01) and p[-1] > p[1] + 0.3
    causes = desk.problem_causes(x)
    np.testing.assert_allclose(causes.sum(axis=1), arr[:, 2], atol=1e-9)
    for _ in range(1000):
        desk.experience_mix(12_345.0)
    assert cache_info()["simulations"] == n_sim
    assert desk.mix_table() is table
    with pytest.raises(ScenarioError, match="contacts_per_year"):
        desk.experience_mix(float("nan"))
    with pytest.raises(ScenarioError, match="contacts_per_year"):
        desk.experience_mix(np.array([1.0, -2.0]))


def test_pickled_desk_carries_its_curve_and_equality_ignores_it():
    clear_cache()
    desk = ServiceDesk(agents=2).prepare()
    blob = pickle.dumps(desk)
    assert len(blob) < 5_000  # cheap to ship to worker processes
    clear_cache()  # a fresh worker process has an empty cache
    worker_desk = pickle.loads(blob)
    worker_desk.experience_mix(5_000.0)
    assert cache_info()["simulations"] == 0
    assert worker_desk == desk == ServiceDesk(agents=2)
    # A copy with other parameters must not reuse the curve.
    bigger = desk.model_copy(update={"agents": 3})
    assert bigger._slot.table is None


def test_mix_table_checks():
    with pytest.raises(ScenarioError):
        MixTable.from_arrays([1.0, 0.0], [[1, 0, 0], [0, 1, 0]])
    t = MixTable.from_arrays([5.0], [[0.2, 0.7, 0.1]])
    assert t.experience_mix(0.0).tolist() == pytest.approx([0.2, 0.7, 0.1])
    assert t.experience_mix([1.0, 9.0]).shape == (2, 3)


@pytest.mark.slow
def test_default_load_curve_is_smooth():
    """Checks the default curve end to end (its time is measured in benchmarks/desk.py)."""
    clear_cache()
    desk = ServiceDesk()
    curve = desk.load_curve(progress=False)
    assert len(curve) == 17
    p = curve["problem"].to_numpy()
    assert np.all(np.diff(p) > -0.01)
    sl = curve["service_level"].to_numpy()
    assert sl[0] == 1.0 and sl[-1] < 0.2
