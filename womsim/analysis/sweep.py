"""Sweeps and break-even: grids of paired runs (the tornado is :mod:`womsim.analysis.tornado`).

Every point of a grid runs with the same seeds (common random numbers), so the curve a
sweep draws is smooth in its parameter and differences between points are paired.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from womsim.analysis.bysegment import ensemble_by_segment
from womsim.analysis.calibrate import Calibration, posterior_draws
from womsim.analysis.checkpoint import SweepCheckpoint
from womsim.analysis.tornado import Sensitivity, sensitivity
from womsim.analysis.whatif import Comparison, compare, paired_batches
from womsim.core.archive import ArchiveReader, ArchiveWriter, jsonable, normal
from womsim.core.errors import ScenarioError, WomsimError
from womsim.core.protocol import ResultBase
from womsim.engine.rng import PairedStreams, run_seeds
from womsim.engine.wholerun import run_fast
from womsim.model.interventions import Intervention
from womsim.model.meanfield import SOLVERS, observables
from womsim.results import (
    Ensemble,
    Saved,
    draws_assumptions,
    ensemble_diff,
    ensemble_entry,
    ensemble_from,
    interval,
    outcome_interval,
    scenario_from,
)
from womsim.runner.drift import check_drift
from womsim.runner.executors import TaskFailedError, map_tasks
from womsim.runner.simulate import (
    PER_SCENARIO,
    check_network,
    check_runs_seed,
    check_scenario,
    fingerprint,
    networks_for,
    prepare_desks,
)
from womsim.views.breakeven import break_even_html, plot_break_even
from womsim.views.display import sweep_html
from womsim.views.plots import plot_sweep

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from distributed import Client
    from matplotlib.axes import Axes

    from womsim.model.scenario import Scenario
    from womsim.network.graph import Network

__all__ = ["BreakEven", "Sensitivity", "SweepResult", "break_even", "point_scenario",
           "sensitivity", "sweep"]


def _grid_lists(grid: Mapping[str, Iterable]) -> dict[str, list]:
    """The grid with each parameter's values listed; a scalar or text is refused."""
    if not isinstance(grid, Mapping):
        raise WomsimError(f"sweep: the grid must be a dict of parameter -> values, got "
                          f"{type(grid).__name__}")
    if not grid:
        raise WomsimError("sweep needs at least one parameter with values, e.g. "
                          "{'desk.agents': range(8, 16)}")
    out = {}
    for name, raw in grid.items():
        vals = None
        if not isinstance(raw, (str, bytes, Mapping)) and isinstance(raw, Iterable):
            try:
                vals = list(raw)
            except TypeError:  # a 0-d numpy array is iterable in name only
                vals = None
        if vals is None:
            what = "a dict" if isinstance(raw, Mapping) else "one value"
            raise WomsimError(f"sweep: '{name}' = {raw!r} is {what}, not a list of "
                              f"values: write {{'{name}': [{raw!r}]}} (or several values, "
                              "or a range)")
        if not vals:
            raise WomsimError(f"sweep: '{name}' has no values")
        out[name] = vals
    return out


def _grid(grid: Mapping[str, Iterable]) -> list[dict[str, Any]]:
    grid = _grid_lists(grid)
    names = list(grid)
    return [dict(zip(names, combo, strict=True))
            for combo in itertools.product(*grid.values())]


def point_scenario(scenario: Scenario, point: Mapping[str, Any]) -> Scenario:
    """The scenario at one grid point: observables describe today, the rest is a what-if.

    The point's observables (e.g. ``market.observed_annual_churn``) and hidden rates given
    directly are today's facts (:meth:`Scenario.today`: re-solved under the scenario's
    service), and its other values are a what-if of that today (:meth:`Scenario.what_if`:
    today's hidden rates kept, so more agents show up as less churn).

    Examples
    --------
    >>> from womsim import Scenario
    >>> sc = Scenario.preset("telecom")
    >>> p = point_scenario(sc, {"market.observed_annual_churn": 0.3,
    ...                         "service.problem_rate": 0.05})
    >>> p.state, p.solved[0].observables
    ('what-if', {'market.observed_annual_churn': 0.3})
    """
    facts_names = observables() | {s.parameter for s in SOLVERS.values()}
    facts = {k: v for k, v in point.items() if k in facts_names or k == "market"}
    rest = {k: v for k, v in point.items() if k not in facts}
    today = scenario.today(**facts) if facts else scenario
    return today.what_if(**rest) if rest else today


def _is_today(scenario: Scenario, point: Mapping[str, Any]) -> bool:
    """Whether a grid point of a today changes nothing: each value is today's own."""
    if scenario.state != "today":
        return False
    try:
        return all(bool(scenario.get(k) == v) for k, v in point.items())
    except (KeyError, ValueError, TypeError, WomsimError):
        return False


class SweepResult(Saved):
    """One ensemble per grid point; :meth:`summary` is the tidy table.

    Attributes
    ----------
    points : list of dict
        Parameter values of each point.
    ensembles : list of Ensemble
    scenario : Scenario or None
        The base scenario the grid changes.
    grid : dict of parameter -> list, or None
        The grid as given (values listed).
    seed : int or None
        The sweep's seed (every point shares its run seeds).
    network_fingerprint : str or None
        The network all points ran on, or ``"per scenario"`` when points differing in
        their market's network settings each ran on their own (each ensemble records its
        own).
    """

    def __init__(self, params: list[str], points: list[dict], ensembles: list[Ensemble],
                 *, scenario=None, grid: Mapping[str, Iterable] | None = None,
                 seed: int | None = None, network_fingerprint: str | None = None) -> None:
        self.params = params
        self.points = points
        self.ensembles = ensembles
        self.scenario = scenario
        self.grid = {k: list(v) for k, v in grid.items()} if grid is not None else None
        self.seed = seed
        self.network_fingerprint = network_fingerprint

    kind = "SweepResult"

    def _to_archive(self, w: ArchiveWriter) -> dict[str, Any]:
        entries = [ensemble_entry(ens, w, f"ensembles/{i}/")
                   for i, ens in enumerate(self.ensembles)]
        base = self.scenario.to_dict() if self.scenario is not None else None
        return {"params": list(self.params), "points": jsonable(self.points, "points"),
                "grid": jsonable(self.grid, "grid") if self.grid is not None else None,
                "scenario": base, "seed": jsonable(self.seed), "runs": self.n_runs,
                "network_fingerprint": self.network_fingerprint, "ensembles": entries}

    @classmethod
    def _from_archive(cls, meta: dict[str, Any], r: ArchiveReader) -> SweepResult:
        entries, points = meta["ensembles"], meta["points"]
        if not (isinstance(entries, list) and isinstance(points, list)
                and len(entries) == len(points)):
            raise r.error("meta.json: bad sweep entries")
        base = meta.get("scenario")
        return cls(list(meta["params"]), points, [ensemble_from(e, r) for e in entries],
                   scenario=scenario_from(base, r, "base scenario") if base else None,
                   grid=meta.get("grid"), seed=meta.get("seed"),
                   network_fingerprint=meta.get("network_fingerprint"))

    def _difference(self, other: SweepResult) -> str | None:
        if normal(self.points) != normal(other.points) or \
                len(self.ensembles) != len(other.ensembles):
            return "grid points differ"
        for i, (x, y) in enumerate(zip(self.ensembles, other.ensembles, strict=True)):
            d = ensemble_diff(x, y, f"point {self.points[i]}")
            if d:
                return d
        return None

    @property
    def n_runs(self) -> int:
        """Runs per point."""
        return self.ensembles[0].n_runs if self.ensembles else 0


    def summary(self, metrics: Iterable[str] | None = None, level: float = 0.95
                ) -> pd.DataFrame:
        """One row per point: the parameter values and each metric's mean and interval.

        A sweep of a :class:`~womsim.analysis.calibrate.Calibration` also has
        ``<metric>_outcome_low``/``_high``: the ``level`` uncertainty interval of the outcome
        (chance and the posterior, see :func:`womsim.results.outcome_interval`) beside the
        interval of the mean.
        """
        metrics = list(metrics or ("customers_end", "revenue", "profit", "value", "annual_churn",
                                   "defections", "problems"))
        rows = []
        for point, ens in zip(self.points, self.ensembles, strict=True):
            row = dict(point)
            for m in metrics:
                mean, _, lo, hi = interval(ens.runs[m].to_numpy(), level)
                row[m] = mean
                row[f"{m}_ci_low"] = lo
                row[f"{m}_ci_high"] = hi
                if draws_assumptions(ens.meta):  # a calibration's posterior, one draw per run
                    row[f"{m}_outcome_low"], row[f"{m}_outcome_high"] = outcome_interval(
                        ens.runs[m].to_numpy(), level)
            rows.append(row)
        return pd.DataFrame(rows)

    def by_segment(self) -> pd.DataFrame:
        """Each point's headline numbers split by segment (a sweep of a segmented scenario):
        rows ``(point, segment)`` - each segment, the market-level row (costs booked for the
        whole market) and ``total`` - the point's parameter values, then the columns of
        :func:`womsim.analysis.bysegment.ensemble_by_segment` (means over runs; each point's
        segments and market-level row add up to its ``total`` row exactly).

        Examples
        --------
        >>> import womsim as wom
        >>> sc = wom.Scenario(market={"people": 2000}, simulation={"horizon_years": 0.5},
        ...                   segments=[{"name": "consumer", "share": 0.8},
        ...                             {"name": "business", "share": 0.2}])
        >>> sw = wom.sweep(sc, {"service.problem_rate": [0.05, 0.1]}, runs=2, seed=1,
        ...                executor="serial")
        >>> sw.by_segment().shape[0]  # 2 points x (2 segments, market level, total)
        8
        """
        parts = []
        for i, (point, ens) in enumerate(zip(self.points, self.ensembles, strict=True)):
            t = ensemble_by_segment(ens).raw()
            for j, (k, v) in enumerate(point.items()):
                t.insert(j, k, [v] * len(t))
            t.index = pd.MultiIndex.from_product([[i], t.index], names=["point", "segment"])
            parts.append(t)
        return pd.concat(parts)

    def best(self, metric: str = "profit") -> dict[str, Any]:
        """The point with the highest mean ``metric``."""
        s = self.summary([metric])
        return self.points[int(s[metric].to_numpy().argmax())]

    def plot(self, metric: str = "profit", x: str | None = None,
             ax: Axes | None = None) -> Axes:
        """The metric against a parameter (one line per value of a second one), with the
        interval as a band. Returns the axes."""
        return plot_sweep(self, metric=metric, x=x, ax=ax)

    def __repr__(self) -> str:
        return f"SweepResult({self.params}, {len(self.points)} points)"

    def _repr_html_(self) -> str:
        return sweep_html(self)


def _sweep_task(task: tuple[int, Any, int], networks) -> dict:
    seed, scenario, k = task
    return run_fast(scenario, networks[k], seed)


def _sweep_batch(task: tuple[int, tuple], networks) -> list:
    # the points of one seed in one pass (shared draws made once, womsim.engine.paired);
    # a point that fails here is handed back as its exception, to be run again on its own,
    # so that it cannot take the other points of its batch (and their checkpoints) with it
    seed, items = task
    streams = PairedStreams(seed)
    out: list = []
    for scenario, k in items:
        try:
            out.append(run_fast(scenario, networks[k], seed, streams=streams))
        except Exception as exc:  # run again, alone, with the usual retries
            out.append(exc)
    return out


def _check_network_grid(scenarios, points, network) -> None:
    """A grid over network settings must be able to act: refuse where it cannot."""
    for sc, p in zip(scenarios, points, strict=True):
        if network is None:
            check_network(None, sc.market.people)
        if sc.market.network == "well_mixed" and "market.mean_degree" in p:
            raise ScenarioError(
                f"sweep point {p}: market.mean_degree does nothing in a well-mixed market "
                "(market.network = 'well_mixed' sends every telling to a random person); "
                "sweep it on a network kind such as 'scale_free'")


def sweep(scenario: Scenario, grid: Mapping[str, Iterable], network: Network | None = None,
          runs: int = 20, seed: int | None = None, executor: str | Executor | Client | None = None,
          progress: bool | None = None, checkpoint: str | Path | None = None,
          retries: int = 2) -> SweepResult:
    """Run ``scenario`` at every point of a parameter grid, with common random numbers.

    Parameters
    ----------
    scenario : Scenario or Calibration
        A :class:`~womsim.analysis.calibrate.Calibration` carries its posterior into the
        intervals: run r of every point is today under posterior draw r (a grid value
        overrides the draw), and :meth:`SweepResult.summary` adds the outcome interval.
    grid : dict of dotted parameter -> values
        E.g. ``{"desk.agents": range(8, 16)}``; several parameters make a full grid. Each
        point is :func:`point_scenario`: on today, observables such as
        ``market.observed_annual_churn`` describe today (re-solved) and the other values
        are a what-if of that today (today's baseline churn kept).
    network, runs, seed, executor, progress
        As in :func:`womsim.simulate`. Without ``network``, one network is built per
        distinct market network setting (kind, mean degree, size) of the points, so a sweep
        over ``market.mean_degree`` runs each point on its own graph; with it, every point
        uses it and a grid over those settings is refused.
    checkpoint : path of a folder, optional
        Save each point as soon as its runs are done (atomically, one file per point, see
        :class:`womsim.analysis.checkpoint.SweepCheckpoint`). Calling the same sweep again with
        the same folder loads the finished points and runs only the missing ones; the results are
        identical to an uninterrupted sweep. With ``seed=None`` the folder's seed is
        reused. A folder that belongs to another sweep (scenario, grid, runs, seeds or
        network differ) is refused with :class:`womsim.app.store.RecipeMismatchError`.
    retries : int
        How often a run that raised, or whose worker process died, is tried again. The
        points of each run first run together in one pass (sharing their draws, see
        :mod:`womsim.engine.paired`; the same numbers); a point that fails there, or whose
        worker dies, is then run on its own, with these retries.

    Raises
    ------
    womsim.runner.executors.TaskFailedError
        A run still failed after its retries; the message names its grid point and run.
        With ``checkpoint`` the other points are finished and saved first.

    Examples
    --------
    >>> import womsim as wom
    >>> sc = wom.Scenario.preset("telecom").replace(**{"market.people": 3000,
    ...                                                 "simulation.horizon_years": 0.5})
    >>> sw = wom.sweep(sc, {"service.problem_rate": [0.05, 0.15]}, runs=3, seed=1,
    ...                executor="serial")
    >>> sw.summary()["service.problem_rate"].tolist()
    [0.05, 0.15]

    A checkpointed sweep resumes where it stopped:

    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> a = wom.sweep(sc, {"service.problem_rate": [0.05, 0.15]}, runs=2, seed=1,
    ...               executor="serial", checkpoint=folder)
    >>> b = wom.sweep(sc, {"service.problem_rate": [0.05, 0.15]}, runs=2, seed=1,
    ...               executor="serial", checkpoint=folder)   # loaded, nothing re-run
    >>> a.equals(b)
    True
    """
    cal = scenario if isinstance(scenario, Calibration) else None
    if cal is not None:
        scenario = cal.scenario
    check_scenario(scenario)
    grid = _grid_lists(grid)
    points = _grid(grid)
    scenarios = [point_scenario(scenario, p) for p in points]
    _check_network_grid(scenarios, points, network)
    ck = SweepCheckpoint(checkpoint) if checkpoint is not None else None
    if ck is not None and seed is None:
        seed = ck.recorded_seed()
    seed = check_runs_seed(runs, seed)
    seeds = run_seeds(seed, runs)
    post = posterior_draws(cal, runs) if cal is not None else None
    solved_params = list(cal.solved_draws.columns) if cal is not None and \
        len(cal.solved_draws.columns) else None
    nets, which = networks_for(scenarios, network, seed, [f"sweep point {p}" for p in points])
    fps = [fingerprint(nets[k]) for k in which]
    fp = fps[0] if len(nets) == 1 else PER_SCENARIO
    done: dict[int, Ensemble] = {}
    if ck is not None:
        ck.open({"scenario": scenario.to_dict(), "grid": grid, "points": points,
                 "runs": runs, "seed": seed, "seeds": seeds, "network_fingerprint": fp,
                 "posterior": post})
        for j, sc_j in enumerate(scenarios):
            ens = ck.load_point(j, sc_j, seeds, fps[j])
            if ens is not None:
                done[j] = ens
    todo = [j for j in range(len(points)) if j not in done]
    # with a posterior, run r of a point is that point of today under draw r (re-solved)
    cells = {(j, r): scenarios[j] if post is None else
             point_scenario(scenario.today(**post[r]), points[j])
             for j in todo for r in range(runs)}
    # first the points of each run in one pass each (paired batches); what fails there is
    # run again point by point (below), with the usual retries and error messages
    batches = [(r, [todo[i] for i in idx]) for r, idx in paired_batches(len(todo), runs)]
    batch_tasks = [(seeds[r], tuple((cells[j, r], which[j]) for j in js))
                   for r, js in batches]
    again: list[tuple[int, int]] = []
    buffers: dict[int, list] = {}

    def store(j: int, r: int, rec: dict) -> None:
        buf = buffers.setdefault(j, [None] * runs)
        buf[r] = rec
        if all(x is not None for x in buf):
            ens = Ensemble(scenarios[j], buf, seeds, seed, fps[j],
                           meta={"kind": "sweep", "point": points[j],
                                 "posterior_draws": runs if post is not None else 0,
                                 "solved_draw_params": solved_params})
            if ck is not None:
                ck.save_point(j, ens)
            done[j] = ens
            del buffers[j]

    def batch_done(k: int, recs: list) -> None:
        r, js = batches[k]
        for j, rec in zip(js, recs, strict=True):
            if isinstance(rec, BaseException):
                again.append((j, r))
            else:
                store(j, r, rec)

    def describe(k: int) -> str:
        j, r = again[k]
        return (f"sweep point {points[j]} (point {j + 1} of {len(points)}), run {r} "
                f"(seed {seeds[r]})")

    prepare_desks({id(c): c for c in cells.values()}.values())
    work = float(scenario.market.people) * scenario.simulation.steps * len(cells)
    desc = "sweeping" + (f" ({len(done)} of {len(points)} points from the checkpoint)"
                         if done else "")
    try:
        map_tasks(_sweep_batch, batch_tasks, {"networks": tuple(nets)}, executor=executor,
                  work=work, progress=progress, desc=desc, retries=0, on_result=batch_done,
                  describe=lambda k: f"run {batches[k][0]} of the sweep", keep_going=True)
    except TaskFailedError as err:  # a worker died under a batch: its points go alone
        for k, _, _ in err.failures:
            r, js = batches[k]
            again.extend((j, r) for j in js)
    try:
        if again:
            map_tasks(_sweep_task, [(seeds[r], cells[j, r], which[j]) for j, r in again],
                      {"networks": tuple(nets)}, executor=executor,
                      work=work * len(again) / max(1, len(cells)), progress=progress,
                      desc=desc, retries=retries,
                      on_result=lambda k, rec: store(*again[k], rec), describe=describe,
                      keep_going=ck is not None)
    except (TaskFailedError, WomsimError) as err:
        if ck is not None and done:
            note = (f"; {len(done)} of {len(points)} points are finished and saved in "
                    f"{ck.path}: call sweep again with checkpoint={str(ck.path)!r} to run "
                    "only the rest")
            if isinstance(err, TaskFailedError):
                raise TaskFailedError(str(err) + note, err.failures) from err.__cause__
            raise type(err)(str(err) + note) from err.__cause__
        raise
    point_ensembles = [done[j] for j in range(len(points))]
    # a point that is today (observables only, or every grid value today's own) and drifts
    # with no cause carries its drift into the curve: warned from the runs just made
    for j, ens in enumerate(point_ensembles):
        check_drift(ens, scenario=scenario if _is_today(scenario, points[j]) else None,
                    where=f"sweep point {points[j]}")
    return SweepResult(list(grid), points, point_ensembles, scenario=scenario, grid=grid, seed=seed,
                       network_fingerprint=fp)


_BREAK_EVEN_UNITS = {"gain_pv": "money", "active_years": "years", "annuity_factor": "years",
                     "max_cost_per_year": "money/yr", "ci_low": "money/yr",
                     "ci_high": "money/yr"}


class BreakEven(ResultBase):
    """The most a client can pay per year for an improvement before it stops paying."""

    kind = "BreakEven"

    def __init__(self, table: pd.Series, comparison: Comparison) -> None:
        self._table = table
        self.comparison = comparison

    def _to_archive(self, w: ArchiveWriter) -> dict[str, Any]:
        return {"table": w.numbers(dict(self._table), "break_even/table.csv"),
                "comparison": self.comparison._to_archive(w)}

    @classmethod
    def _from_archive(cls, meta: dict[str, Any], r: ArchiveReader) -> BreakEven:
        return cls(pd.Series(r.numbers(meta["table"])),
                   Comparison._from_archive(meta["comparison"], r))

    def table(self) -> pd.Series:
        """Gain, active years and the break-even cost per year, with intervals."""
        return self._table

    def summary(self) -> pd.DataFrame:
        """:meth:`table` as a table: each quantity's value and unit (money is a present
        value at the start, in the scenario's currency)."""
        df = pd.DataFrame({"value": self._table.astype(float),
                           "unit": [_BREAK_EVEN_UNITS.get(str(k), "") for k in
                                    self._table.index]})
        df.index.name = "quantity"
        return df

    def plot(self, ax: Axes | None = None) -> Axes:
        """Net gain in value against the yearly cost of the improvement; zero at the
        break-even cost. Returns the axes."""
        return plot_break_even(self, ax=ax)

    def _repr_html_(self) -> str:
        return break_even_html(self)

    @property
    def max_cost_per_year(self) -> float:
        """The break-even cost per year (mean)."""
        return float(self._table["max_cost_per_year"])

    def __repr__(self) -> str:
        t = self._table
        c = self.comparison.ensembles["today"].scenario.economics.currency
        return (f"BreakEven: worth up to {c} {t['max_cost_per_year']:,.0f} per year "
                f"(95% CI {c} {t['ci_low']:,.0f} to {t['ci_high']:,.0f}), from a gain in "
                f"value of {c} {t['gain_pv']:,.0f} (present value at the start, customers' "
                f"remaining lifetimes included) against {t['annuity_factor']:.2f} "
                "discounted years of paying")


def break_even(scenario: Scenario, improvement: Intervention | Mapping[str, float],
               network: Network | None = None, runs: int = 20, seed: int | None = None,
               executor: str | Executor | Client | None = None,
               progress: bool | None = None) -> BreakEven:
    """The most a client can spend per year on an improvement before it stops paying.

    The improvement (an :class:`Intervention`, whose own costs are ignored here, or a dict of
    changes applied from the start) is compared with today in paired runs. On the basis of
    :meth:`Comparison.roi`, the gain in value (a present value at the start), divided by the
    present value of paying 1 per year for the programme for as long as its effect is
    counted (within the horizon while active and, after it, alongside the customers held at
    its end), is the break-even yearly cost: paying it gives an ROI of 0.

    Examples
    --------
    >>> import womsim as wom
    >>> sc = wom.Scenario.preset("telecom").replace(**{"market.people": 3000,
    ...                                                 "simulation.horizon_years": 0.5})
    >>> be = wom.break_even(sc, {"complaints.resolved": 0.9}, runs=3, seed=1,
    ...                     executor="serial")
    >>> be.max_cost_per_year > 0
    True
    """
    if isinstance(improvement, Mapping):
        iv = Intervention("improvement", changes=dict(improvement), cost_per_year=1.0)
    elif isinstance(improvement, Intervention):
        iv = improvement.model_copy(update={"cost_per_year": 1.0, "one_off_cost": 0.0})
    else:
        raise ScenarioError("improvement must be an Intervention or a dict of changes, got "
                            f"{type(improvement).__name__}")
    better = scenario.what_if().with_interventions(iv)
    sim = scenario.simulation
    dt = sim.dt
    times = np.arange(sim.steps) * dt
    active = np.array([iv.active(t) for t in times])
    if not active.any():
        raise ScenarioError(f"improvement '{iv.name}' is never active within the "
                            f"{sim.horizon_years:g}-year horizon")
    # the improved runs pay 1 a year for the programme: what that costs them, by the
    # engine's own accounting, is the annuity (paying changes no one's behaviour)
    cmp = compare({"today": scenario, "improved": better}, network=network, runs=runs,
                  seed=seed, executor=executor, progress=progress)
    recs = cmp.ensembles["improved"].records
    annuity = (recs["intervention_cost"] * recs["discount"]
               + recs["equity_intervention_cost"]).groupby(recs["run"]).sum().to_numpy()
    gain = cmp.differences("improved")["value"].to_numpy() + annuity
    # a ratio of means, so that paying it gives an ROI of exactly 0 on these runs; its
    # interval from the linearised per-run residuals
    m = float(gain.mean() / annuity.mean())
    _, _, lo, hi = interval((gain - m * annuity) / annuity.mean())
    lo, hi = m + lo, m + hi
    table = pd.Series({"gain_pv": float(gain.mean()), "active_years": float(active.sum() * dt),
                       "annuity_factor": float(annuity.mean()), "max_cost_per_year": m,
                       "ci_low": lo, "ci_high": hi})
    return BreakEven(table, cmp)
