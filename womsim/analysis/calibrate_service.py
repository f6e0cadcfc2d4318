"""The service side of ``calibrate``: the delighted share and the service desk.

``recommend_share`` is the share of service contacts after which the customer would
recommend: those that end delighted or with a complaint resolved, womsim's positive tellers
(docs/model.md). With the problem, complaint and resolution shares fixed, it fixes the
delighted share, ``service.delight_rate`` of the fixed mix, exactly.

``service_level`` and ``abandonment`` describe a service desk, a queue whose figures depend
on its load: they are solved on the desk alone at the full market's contact volume
(:func:`solve_desk`), before and apart from the word-of-mouth inference, which runs on a
scaled-down market holding the full-size desk's experience mix (:func:`fixed_mix_of`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from womsim.core.errors import CalibrationError
from womsim.engine.rng import run_seeds as seeds
from womsim.model.meanfield import experience_mix
from womsim.model.scenario import Scenario

# scipy only inside the functions that use it: `import womsim` would pay ~0.4 s CPU for it
# (a third of the import) although most sessions never call them (tests/test_import_cost.py)

if TYPE_CHECKING:
    from womsim.service import ServiceDesk

__all__ = ["DESK_TARGETS", "desk_check", "desk_load", "fixed_mix_of", "recommend_of",
           "scaled_market", "solve_desk", "solve_recommend"]


def recommend_of(delighted: float, problem: float, complain: float, resolved: float
                 ) -> float:
    """Share of contacts after which the customer would recommend (delighted, or a
    complaint resolved).

    Examples
    --------
    >>> round(recommend_of(0.2, 0.1, 0.4, 0.5), 3)
    0.22
    """
    return delighted + problem * complain * resolved


def solve_recommend(sc: Scenario, t: dict[str, tuple[float, float]]) -> tuple[dict, dict[str, str]]:
    """The change ``recommend_share`` fixes (none without the target), and its source.

    Examples
    --------
    >>> from womsim.model.scenario import Scenario
    >>> sc = Scenario()
    >>> ch, _ = solve_recommend(sc, {"recommend_share": (0.3, 0.0)})
    >>> s, c = sc.service, sc.complaints
    >>> round(recommend_of(ch["service.delight_rate"], s.problem_rate, c.complain_rate,
    ...                    c.resolved), 12)
    0.3
    """
    if "recommend_share" not in t:
        return {}, {}
    if sc.desk is not None:
        raise CalibrationError(
            "target 'recommend_share' with a service desk: the desk's delighted share "
            "comes from its simulation (desk.delight_if_quick), which calibrate does not "
            "solve yet; calibrate without the desk or leave the target out")
    s, c = sc.service, sc.complaints
    delight = t["recommend_share"][0] - recommend_of(0.0, s.problem_rate,
                                                     c.complain_rate, c.resolved)
    if not 0 <= delight <= 1 - s.problem_rate:
        raise CalibrationError(
            f"target 'recommend_share' = {t['recommend_share'][0]:g}: with "
            f"{s.problem_rate:.1%} problems, {c.complain_rate:.0%} complained about and "
            f"{c.resolved:.0%} of those resolved it needs a delighted share of "
            f"{delight:.3g}, outside 0 to {1 - s.problem_rate:.3g}")
    return {"service.delight_rate": delight}, {"service.delight_rate": "recommend_share"}


# ------------------------------------------------------------------ the service desk
#: the desk targets and the desk parameter each one solves (agents, hours and shifts - the
#: staffing - are the client's and stay fixed)
DESK_TARGETS = {"service_level": "desk.handle_time_minutes",
                "abandonment": "desk.patience_minutes"}
#: where the solves look: a handled contact of 30 s to 10 h; callers who hang up after a
#: mean of 3 s to a week of waiting
HANDLE_RANGE = (0.5, 600.0)
PATIENCE_RANGE = (0.05, 7 * 24 * 60.0)
_XTOL = 1e-3  # on the log of the parameter: 0.1%, below the simulations' own noise
#: the solves average this many runs (seeds), each as long as a run of the desk's load
#: curve (a longer window is not the same desk: fewer of its repeats come from before it):
#: their own noise, the same common random numbers all along, is half a single run's
SOLVE_RUNS = 4
_FTOL = 5e-4  # service level and abandonment met to 0.05 points


def desk_load(sc: Scenario) -> float:
    """Issues a year at the desk of the full-size market today (customers x contact rate).

    Examples
    --------
    >>> from womsim.model.scenario import Scenario
    >>> desk_load(Scenario.preset("retail_bank"))
    60000.0
    """
    m = sc.market
    return float(m.people * m.customer_share * sc.service.contact_rate)


def _desk_kpis(desk: ServiceDesk, load: float, seed: int) -> tuple[float, float]:
    res = [desk.simulate(load, days=None, seed=s) for s in seeds(seed, SOLVE_RUNS)]
    return (float(np.mean([r.service_level for r in res])),
            float(np.mean([r.abandonment_rate for r in res])))


def _newton(desk: ServiceDesk, load: float, seed: int, sl: float, ab: float
            ) -> tuple[float, float] | None:
    """(handle time, patience) meeting both targets by damped Newton steps on their logs
    (a forward-difference Jacobian, steps wide enough to see through the common random
    numbers' small jumps); None when it does not converge in a dozen steps."""
    lo = np.log([HANDLE_RANGE[0], PATIENCE_RANGE[0]])
    hi = np.log([HANDLE_RANGE[1], PATIENCE_RANGE[1]])
    x = np.log([desk.handle_time_minutes, desk.patience_minutes or 60.0])

    def f(x: np.ndarray) -> np.ndarray:
        d = desk.model_copy(update={"handle_time_minutes": float(np.exp(x[0])),
                                    "patience_minutes": float(np.exp(x[1]))})
        return np.subtract(_desk_kpis(d, load, seed), (sl, ab))

    h = 0.05
    for _ in range(12):
        fx = f(x)
        if np.max(np.abs(fx)) < _FTOL:
            return float(np.exp(x[0])), float(np.exp(x[1]))
        jac = np.column_stack([(f(x + h * e) - fx) / h for e in np.eye(2)])
        step = np.linalg.lstsq(jac, -fx, rcond=None)[0]
        x = np.clip(x + np.clip(step, -1.0, 1.0), lo, hi)
    return None


def solve_desk(sc: Scenario, t: dict[str, tuple[float, float]], seed: int = 0
               ) -> tuple[dict, dict[str, str]]:
    """The desk parameters ``service_level`` and ``abandonment`` fix, and their sources.

    Solved on the desk alone at the full market's load (a queue's service level depends on
    its load, so not on the scaled-down market of the inference), by root finding on
    simulations with common random numbers (seed ``seed``): ``service_level`` (answered
    within ``desk.service_level_seconds`` / offered) sets ``desk.handle_time_minutes``,
    ``abandonment`` (hung up / offered) sets ``desk.patience_minutes``; with both, the
    handle time is solved with the patience re-solved for the abandonment at each step.
    Agents, opening hours and shifts (the staffing) stay as given.

    Raises
    ------
    CalibrationError
        Without a desk; a combination no desk can give (service level + abandonment > 1);
        a target the fixed staffing cannot meet within :data:`HANDLE_RANGE` /
        :data:`PATIENCE_RANGE`, naming the target and the nearest value reachable.

    Examples
    --------
    >>> from womsim.model.scenario import Scenario
    >>> from womsim.service import ServiceDesk
    >>> sc = Scenario.preset("retail_bank").today(**{"market.people": 20_000},
    ...                                           desk=ServiceDesk(agents=1))
    >>> ch, by = solve_desk(sc, {"abandonment": (0.05, 0.0)})
    >>> by
    {'desk.patience_minutes': 'abandonment'}
    >>> desk = sc.desk.model_copy(update={"patience_minutes": ch["desk.patience_minutes"]})
    >>> r = desk.simulate(desk_load(sc), days=None, seed=9)  # another run: its own noise
    >>> abs(r.abandonment_rate - 0.05) < 0.02
    True
    """
    from scipy.optimize import brentq

    want = {k: t[k][0] for k in DESK_TARGETS if k in t}
    if not want:
        return {}, {}
    if sc.desk is None:
        raise CalibrationError(
            f"target{'s' if len(want) > 1 else ''} {' and '.join(map(repr, want))} "
            "describe a service desk, but the scenario has none: give it one "
            "(scenario.today(desk=wom.ServiceDesk(agents=..., ...))) or leave the target out")
    desk, load = sc.desk, desk_load(sc)
    sl, ab = want.get("service_level"), want.get("abandonment")
    if sl is not None and ab is not None and sl + ab > 1 + 1e-12:
        raise CalibrationError(
            f"targets 'service_level' = {sl:g} and 'abandonment' = {ab:g} add to more than 1:"
            " a contact that hangs up is never answered in time, so no desk gives both")
    if sl is not None and load <= 0:
        raise CalibrationError("target 'service_level' needs contacts at the desk "
                               "(customers and service.contact_rate > 0)")
    secs = desk.service_level_seconds
    ab_t = float(want.get("abandonment", 0.0))  # the abandonment target, for the closures
    staff = (f"{desk.agents} agent{'s' if desk.agents != 1 else ''} at {load:,.0f} issues "
             "a year")

    def with_(handle: float | None = None, patience: float | None = None) -> ServiceDesk:
        upd: dict[str, float | None] = {}
        if handle is not None:
            upd["handle_time_minutes"] = handle
        if patience is not None:
            upd["patience_minutes"] = None if math.isinf(patience) else patience
        return desk.model_copy(update=upd)  # values inside the fields' ranges

    def patience_for(d: ServiceDesk) -> tuple[float, float]:
        """The patience meeting the abandonment at desk ``d`` (clipped to
        :data:`PATIENCE_RANGE`) and the abandonment it gives."""
        if ab_t == 0:
            return math.inf, 0.0  # nobody hangs up
        lo, hi = (math.log(x) for x in PATIENCE_RANGE)

        def f(x: float) -> float:
            return _desk_kpis(d.model_copy(update={"patience_minutes": math.exp(x)}), load,
                              seed)[1] - ab_t

        at_lo, at_hi = f(lo), f(hi)
        if at_lo < 0:
            return PATIENCE_RANGE[0], at_lo + ab_t
        if at_hi > 0:
            return PATIENCE_RANGE[1], at_hi + ab_t
        return math.exp(brentq(f, lo, hi, xtol=_XTOL)), ab_t

    def refuse_patience(p: float, got: float, why: str = "") -> None:
        if p == PATIENCE_RANGE[0] and got < ab_t:
            raise CalibrationError(
                f"target 'abandonment' = {ab_t:g}{why}: the fixed staffing ({staff}) "
                "answers so many contacts without a "
                f"wait that even callers who hang up after {PATIENCE_RANGE[0] * 60:g} "
                f"seconds give at most {got:.1%}; lower the target or check the staffing "
                "(desk.agents, agents_by_hour, open_hours)")
        if p == PATIENCE_RANGE[1] and got > ab_t:
            raise CalibrationError(
                f"target 'abandonment' = {ab_t:g}{why}: even callers who wait a week on "
                f"average hang up more often ({got:.1%}) at this desk's load ({load:,.0f} "
                "issues a year); add agents (desk.agents) or check the contact volume")

    if sl is None:
        p, got = patience_for(desk)
        refuse_patience(p, got)
        return {"desk.patience_minutes": _none_if_inf(p)}, {"desk.patience_minutes":
                                                            "abandonment"}

    if ab == 0:  # nobody hangs up: the service level alone sets the handle time
        desk, ab = with_(patience=math.inf), None
    elif ab is not None:
        # the most answered in time: the shortest contacts, callers hanging up at once
        quick = with_(handle=HANDLE_RANGE[0], patience=PATIENCE_RANGE[0])
        best = _desk_kpis(quick, load, seed)[0]
        if best < sl:
            raise CalibrationError(
                f"target 'service_level' = {sl:g}: the fixed staffing ({staff}) answers at "
                f"most {best:.1%} within {secs:g} s, even with contacts of "
                f"{HANDLE_RANGE[0] * 60:g} seconds; add agents (desk.agents) or lower the "
                "target")
        both = _newton(desk, load, seed, sl, ab)
        if both is not None:
            return ({"desk.handle_time_minutes": both[0], "desk.patience_minutes": both[1]},
                    {p: name for name, p in DESK_TARGETS.items()})
        # no convergence: the nested solves below either find the pair or say which
        # target the staffing cannot meet

    def g(x: float) -> float:
        d = with_(handle=math.exp(x))
        if ab is not None:
            d = with_(handle=math.exp(x), patience=patience_for(d)[0])
        return _desk_kpis(d, load, seed)[0] - sl

    lo, hi = (math.log(x) for x in HANDLE_RANGE)
    best = g(lo) + sl
    if best < sl:
        raise CalibrationError(
            f"target 'service_level' = {sl:g}: the fixed staffing ({staff}) answers at "
            f"most {best:.1%} within {secs:g} s, even with contacts of "
            f"{HANDLE_RANGE[0] * 60:g} seconds"
            + (f" and abandonment {ab:g}" if ab is not None else "")
            + "; add agents (desk.agents) or lower the target")
    worst = g(hi) + sl
    if worst > sl:
        raise CalibrationError(
            f"target 'service_level' = {sl:g}: this desk answers {worst:.1%} within {secs:g}"
            f" s even with contacts of {HANDLE_RANGE[1] / 60:g} hours: it has far more "
            "agents than its load needs; check desk.agents and the contact volume")
    x = brentq(g, lo, hi, xtol=_XTOL)
    changes: dict = {"desk.handle_time_minutes": math.exp(x)}
    solved = {"desk.handle_time_minutes": "service_level"}
    if "abandonment" in want and ab is None:
        changes["desk.patience_minutes"] = None
        solved["desk.patience_minutes"] = "abandonment"
    if ab is not None:
        d = with_(handle=math.exp(x))
        p, got = patience_for(d)
        refuse_patience(p, got, f" with 'service_level' = {sl:g} (met by contacts of "
                                f"{math.exp(x):.3g} min)")
        changes["desk.patience_minutes"] = _none_if_inf(p)
        solved["desk.patience_minutes"] = "abandonment"
    return changes, solved


def _none_if_inf(p: float) -> float | None:
    return None if math.isinf(p) else p


def desk_check(sc: Scenario, runs: int, seed: int) -> dict[str, np.ndarray]:
    """``service_level`` and ``abandonment`` of ``runs`` simulations of the desk at the
    full market's load (one value per run; empty without a desk).

    Examples
    --------
    >>> from womsim.model.scenario import Scenario
    >>> from womsim.service import ServiceDesk
    >>> sc = Scenario.preset("retail_bank").today(**{"market.people": 20_000},
    ...                                           desk=ServiceDesk(agents=1))
    >>> desk_check(sc, 3, 1)["service_level"].shape
    (3,)
    """
    if sc.desk is None:
        return {}
    res = [sc.desk.simulate(desk_load(sc), days=None, seed=s) for s in seeds(seed, runs)]
    return {"service_level": np.array([r.service_level for r in res]),
            "abandonment": np.array([r.abandonment_rate for r in res])}


def fixed_mix_of(sc: Scenario) -> dict:
    """Changes that replace ``sc``'s desk by the experience mix it gives at the full
    market's load (none without a desk).

    A scaled-down market (the inference's) puts a fraction of the load on the desk, which
    would then hardly ever keep anyone waiting: its mix is not today's. Holding the
    full-size desk's mix is exact for a today at rest; under a growth target the strain of
    the growing load on the desk is left out of the inference (the calibrated scenario,
    which keeps its desk, has it).

    Examples
    --------
    >>> from womsim.model.scenario import Scenario
    >>> from womsim.service import ServiceDesk
    >>> sc = Scenario.preset("retail_bank").today(**{"market.people": 20_000},
    ...                                           desk=ServiceDesk(agents=1))
    >>> ch = fixed_mix_of(sc)
    >>> ch["desk"] is None and 0 < ch["service.problem_rate"] < 1
    True
    """
    if sc.desk is None:
        return {}
    d, _, p = (float(x) for x in experience_mix(sc, desk_load(sc)))
    return {"desk": None, "service.delight_rate": d, "service.problem_rate": p}


def scaled_market(sc: Scenario, people: int) -> Scenario:
    """``sc`` at ``people`` (shares, degrees and rates kept), a desk replaced by the mix it
    gives at the full market's load (:func:`fixed_mix_of`; with it go the records of desk
    parameters solved by ``calibrate``).

    Examples
    --------
    >>> from womsim.model.scenario import Scenario
    >>> from womsim.service import ServiceDesk
    >>> sc = Scenario.preset("retail_bank").today(**{"market.people": 20_000},
    ...                                           desk=ServiceDesk(agents=1))
    >>> small = scaled_market(sc, 1000)
    >>> small.market.people, small.desk is None
    (1000, True)
    """
    change = fixed_mix_of(sc)
    if change:
        data = sc.model_dump()
        data["solved"] = [r for r in data["solved"] if not r["parameter"].startswith("desk.")]
        sc = Scenario(**data)
    return sc.today(**change, **{"market.people": people})
