"""Paired comparisons: every scenario on the same network with the same random numbers.

What a consultant sells is a difference between scenarios. Run ``i`` of every scenario uses
the same seed, so each person has the same luck in each mechanism; the paired difference
then holds the effect of the change and little else. Intervals are paired t-intervals
over runs.

Calibration: the first scenario is *today*. Its baseline churn is solved from the observed
churn; every other scenario that describes today with the same observables, or is a
what-if made from it (:meth:`Scenario.what_if`), runs with today's solved baseline, so that a
better service shows up as lower churn. A scenario with other observables is another today
and is solved from its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from womsim.analysis.attribution import by_cause, roi_table
from womsim.analysis.calibrate import posterior_draws, split_calibration
from womsim.core.archive import ArchiveReader, ArchiveWriter
from womsim.core.errors import ScenarioError, WomsimError, unknown_key
from womsim.engine.book import segment_prices
from womsim.engine.psa import draw_parameters
from womsim.engine.rng import PairedStreams, run_seeds
from womsim.engine.step import value_hazard
from womsim.engine.wholerun import run_fast
from womsim.model.meanfield import observables
from womsim.model.scenario import Scenario
from womsim.results import (
    HEADLINES,
    Ensemble,
    Saved,
    ensemble_diff,
    ensemble_entry,
    ensemble_from,
    interval,
    segment_totals,
    totals_as_sums,
    with_outcome,
)
from womsim.runner.drift import check_drift
from womsim.runner.executors import map_tasks
from womsim.runner.simulate import (
    check_network,
    check_runs_seed,
    check_scenario,
    fingerprint,
    networks_for,
    prepare_desks,
)
from womsim.views.display import comparison_html, formatted
from womsim.views.plots import plot_timeseries, plot_waterfall

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from distributed import Client
    from matplotlib.axes import Axes

    from womsim.model.scenario import Scenario
    from womsim.network.graph import Network

__all__ = ["PAIRED_BATCH", "Comparison", "compare", "paired_batches", "paired_scenarios"]


def _follows_today(alt, today) -> bool:
    """Whether ``alt`` is run with today's hidden rates (see :func:`compare`)."""
    if alt.state == "what-if":
        return alt is not today and alt.solved == today.what_if().solved
    return all(alt.get(o) == today.get(o) for o in observables())


def paired_scenarios(scenarios: Sequence, psa: bool, seed: int, runs: int,
                     psa_params: list[str] | None = None,
                     posterior: list[dict[str, float]] | None = None) -> list[list]:
    """Per run, the scenarios to simulate: PSA draws applied and today's hidden rates shared.

    The first scenario is today. Every other one that describes today with the same
    observables, or is a what-if made from it, is run as a what-if of it (today's solved
    hidden rates); the rest keep their own. ``posterior`` (one dict per run, from a
    :class:`~womsim.analysis.calibrate.Calibration`) plays the role of the assumption draws: run r
    uses draw r, for every scenario of the run.
    """
    today = scenarios[0]
    follows = [False] + [_follows_today(s, today) for s in scenarios[1:]]
    if not psa and posterior is None:
        pinned = today.what_if() if any(follows) else today
        fixed = [s._pin_to(pinned) if f else s for s, f in zip(scenarios, follows, strict=True)]
        return [fixed] * runs
    out = []
    for r in range(runs):
        draws = draw_parameters(today, seed, r, psa_params) if psa else {}
        if posterior is not None:
            draws.update(posterior[r])
        # the reference is re-solved under each draw: the observed churn is the fact
        t_r = today.today(**draws)
        pinned = t_r.what_if() if any(follows) else t_r
        row = [t_r]
        for s, f in zip(scenarios[1:], follows[1:], strict=True):
            # a what-if takes today's draw through its pinned hidden rates, not through an
            # observable (a calibration's drawn churn): it keeps its own description
            mine = {k: v for k, v in draws.items() if s.get(k) == today.get(k)
                    and (s.state == "today" or k not in observables())}
            # a description of today is re-solved under the draw too; a what-if keeps its own
            s_r = s.today(**mine) if s.state == "today" else s.what_if(**mine)
            row.append(s_r._pin_to(pinned) if f else s_r)
        out.append(row)
    return out


#: Most scenarios of one seed run in one pass (sharing their draws, see
#: :mod:`womsim.engine.paired`): the saving per scenario levels off well before it
#: (benchmarks/paired.py), and smaller batches leave more tasks to share out among workers.
PAIRED_BATCH = 16


def paired_batches(points: int, runs: int, size: int = PAIRED_BATCH
                   ) -> list[tuple[int, list[int]]]:
    """The tasks of a grid: ``(run, points)``, the points of one run in batches of ``size``.

    Examples
    --------
    >>> paired_batches(points=3, runs=2, size=2)
    [(0, [0, 1]), (0, [2]), (1, [0, 1]), (1, [2])]
    """
    return [(r, list(range(a, min(a + size, points)))) for r in range(runs)
            for a in range(0, points, size)]


def _run_batch(task: tuple[int, tuple], networks) -> list[dict]:
    # the scenarios of one seed in one pass: the draws they share are made once
    seed, items = task
    streams = PairedStreams(seed)
    # a plain scenario's steps in one compiled call (engine.wholerun): the same records
    return [run_fast(scenario, networks[k], seed, valuation_hazard=price, streams=streams)
            for scenario, price, k in items]


def valuation_hazard(scenario: Scenario) -> float | tuple[float, ...]:
    """The churn hazard at which events are priced: the reference's, shared by its pairs
    (one per segment in a segmented market, each at the segment's own churn)."""
    if scenario.segments:
        return segment_prices(scenario, value_hazard)
    base = scenario.at(-1.0)
    return value_hazard(base, base.baseline_churn())


def run_grid(per_run: list[list], seeds: list[int],
             network: Network | Sequence[Network | None] | None,
             executor: str | Executor | Client | None = None, progress: bool | None = None,
             desc: str = "runs", priced_by_first: bool = False,
             which: list[int] | None = None, per_pass: int | None = None) -> list[list[dict]]:
    """Simulate ``per_run[r][j]`` with ``seeds[r]`` for every point j and run r.

    Returns records indexed ``[j][r]``. Every point of run r shares run r's seed: common
    random numbers across the whole grid, and the points of a run run in one pass that
    makes the draws they share once (:func:`paired_batches`; the same numbers as separate
    runs). With ``priced_by_first`` every point's events are
    priced at the first point's churn hazard (for splitting differences by cause).
    ``network`` is one network (or None) for every point, or a list of networks with
    ``which[j]`` the index of point j's (see :func:`womsim.runner.simulate.networks_for`).
    ``per_pass``: most points per pass (default :data:`PAIRED_BATCH`).
    """
    points = len(per_run[0])
    networks = list(network) if isinstance(network, (list, tuple)) else [network]
    which = list(which) if which is not None else [0] * points
    for j in range(points):
        check_network(networks[which[j]], per_run[0][j].market.people)
    runs = len(seeds)
    prices = [valuation_hazard(row[0]) if priced_by_first else None for row in per_run]
    batches = paired_batches(points, runs, per_pass or PAIRED_BATCH)
    tasks = [(seeds[r], tuple((per_run[r][j], prices[r], which[j]) for j in js))
             for r, js in batches]
    sc0 = per_run[0][0]
    work = float(sc0.market.people) * sc0.simulation.steps * points * runs
    prepare_desks({id(s): s for row in per_run for s in row}.values())
    done = map_tasks(_run_batch, tasks, {"networks": tuple(networks)}, executor=executor,
                     work=work, progress=progress, desc=desc)
    recs: list[list] = [[None] * runs for _ in range(points)]
    for (r, js), batch in zip(batches, done, strict=True):
        for j, rec in zip(js, batch, strict=True):
            recs[j][r] = rec
    return recs


def check_same_market(named: Mapping[str, Any]) -> None:
    """Paired runs need one market size and one step schedule."""
    scs = list(named.values())
    first = next(iter(named))
    for name, s in named.items():
        if s.market.people != scs[0].market.people or s.simulation != scs[0].simulation:
            raise ScenarioError(
                f"scenario '{name}' differs from '{first}' in market.people or the "
                "simulation settings; paired comparisons need the same market and steps")
        if s.economics.currency != scs[0].economics.currency:
            raise ScenarioError(
                f"scenario '{name}' counts money in economics.currency = "
                f"{s.economics.currency!r}, but '{first}' in {scs[0].economics.currency!r}: "
                "differences between them would mix currencies; convert one scenario's "
                "money figures and set the same currency")


class Comparison(Saved):
    """Scenarios run in pairs; differences from the first with paired intervals.

    Attributes
    ----------
    ensembles : dict of name -> Ensemble
    reference : str
        The first scenario's name; differences are ``scenario - reference``.
    """

    kind = "Comparison"

    def __init__(self, ensembles: dict[str, Ensemble], psa: bool = False) -> None:
        self.ensembles = ensembles
        self.names = list(ensembles)
        self.reference = self.names[0]
        self.psa = psa

    def _to_archive(self, w: ArchiveWriter) -> dict[str, Any]:
        entries = [ensemble_entry(self.ensembles[n], w, f"ensembles/{i}/")
                   for i, n in enumerate(self.names)]
        return {"names": list(self.names), "psa": bool(self.psa), "ensembles": entries}

    @classmethod
    def _from_archive(cls, meta: dict[str, Any], r: ArchiveReader) -> Comparison:
        names, entries = meta["names"], meta["ensembles"]
        if not (isinstance(names, list) and isinstance(entries, list)
                and len(names) == len(entries) >= 1):
            raise r.error("meta.json: bad comparison entries")
        ens = {str(n): ensemble_from(e, r) for n, e in zip(names, entries, strict=True)}
        return cls(ens, psa=bool(meta.get("psa", False)))

    def _difference(self, other: Comparison) -> str | None:
        if self.names != other.names or self.psa != other.psa:
            return "scenario names or psa differ"
        for n in self.names:
            d = ensemble_diff(self.ensembles[n], other.ensembles[n], f"scenario '{n}'")
            if d:
                return d
        return None

    def tables(self) -> dict[str, pd.DataFrame]:
        """What :meth:`to_excel` writes: the summary and the value by cause."""
        out = {"summary": self.summary(), "value by cause": self.lost_revenue()}
        if self.ensembles[self.reference].scenario.segments:
            out["by segment"] = self.by_segment()
        return out

    def differences(self, name: str) -> pd.DataFrame:
        """Per-run paired differences ``name - reference`` of every headline metric."""
        if name not in self.ensembles:
            raise unknown_key("scenario", name, self.names)
        return self.ensembles[name].runs - self.ensembles[self.reference].runs

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        """Each scenario's difference from the reference, per headline metric.

        Columns: ``reference`` and ``scenario`` means, ``difference`` (mean of paired
        differences), ``ci_low``/``ci_high`` (paired ``level`` interval of the mean
        difference), ``sd_paired`` and ``sd_unpaired`` (what the interval would rest on
        without common random numbers). With ``psa=True`` also ``outcome_low``/
        ``outcome_high``: where the difference itself falls, given chance and the assumption
        ranges (percentiles of the paired per-run differences; they do not narrow with more
        runs, see :func:`womsim.results.outcome_interval`).
        """
        rows = []
        ref = self.ensembles[self.reference].runs
        for name in self.names[1:]:
            alt = self.ensembles[name].runs
            d = self.differences(name)
            for metric in HEADLINES:
                m, sd, lo, hi = interval(d[metric].to_numpy(), level)
                unpaired = float(np.sqrt(alt[metric].var(ddof=1) + ref[metric].var(ddof=1))) \
                    if len(d) > 1 else np.nan
                row = with_outcome({"scenario": name, "metric": metric,
                                    "reference": ref[metric].mean(),
                                    "value": alt[metric].mean(), "difference": m,
                                    "ci_low": lo, "ci_high": hi}, d[metric].to_numpy(),
                                   level, self.psa)
                rows.append({**row, "sd_paired": sd, "sd_unpaired": unpaired,
                             "unit": HEADLINES[metric][0]})
        return pd.DataFrame(rows).set_index(["scenario", "metric"])

    def by_segment(self, level: float = 0.95) -> pd.DataFrame:
        """Each scenario's paired difference from the reference, segment by segment.

        Rows ``(scenario, segment, metric)`` for every split record (value lost by cause,
        revenue, customers at the end...): ``reference``, ``value``, ``difference`` and its
        paired ``level`` interval; the segments' differences add up to the ``total`` row.

        Examples
        --------
        >>> import womsim as wom
        >>> sc = wom.Scenario(market={"people": 2000}, simulation={"horizon_years": 0.5},
        ...                   segments=[{"name": "consumer", "share": 0.8},
        ...                             {"name": "business", "share": 0.2}])
        >>> cmp = wom.compare({"today": sc, "fewer problems": sc.replace(
        ...     **{"service.problem_rate": 0.05})}, runs=3, seed=1, executor="serial")
        >>> t = cmp.by_segment()
        >>> bool(t.loc[("fewer problems", "total", "value_lost_experience"), "difference"] < 0)
        True
        """
        ref = segment_totals(self.ensembles[self.reference])
        rows = []
        for name in self.names[1:]:
            alt = segment_totals(self.ensembles[name])
            if list(alt.columns) != list(ref.columns):
                raise WomsimError(f"'{name}' and '{self.reference}' have different segments: "
                                  "a split by segment pairs the same segments")
            d = alt - ref
            for seg, metric in d.columns:
                m, _, lo, hi = interval(d[(seg, metric)].to_numpy(), level)
                rows.append({"scenario": name, "segment": seg, "metric": metric,
                             "reference": ref[(seg, metric)].mean(),
                             "value": alt[(seg, metric)].mean(), "difference": m,
                             "ci_low": lo, "ci_high": hi})
        return totals_as_sums(pd.DataFrame(rows).set_index(["scenario", "segment", "metric"]),
                              ["reference", "value", "difference"])

    def lost_revenue(self, level: float = 0.95) -> pd.DataFrame:
        """What each scenario earns more than the reference, split by cause.

        The parts add up to the total change in profit (see
        :func:`womsim.analysis.lostrev.by_cause`).
        """
        frames = [by_cause(self.ensembles[self.reference], self.ensembles[n], level)
                  .assign(scenario=n) for n in self.names[1:]]
        return pd.concat(frames).reset_index().set_index(["scenario", "cause"])

    def roi(self, level: float = 0.95) -> pd.DataFrame:
        """Return on each scenario's extra spend, and its payback time, on one basis.

        Every figure is a present value at the start (docs/model.md, "Valuation"), and costs
        are counted over the same period as the benefits: a programme whose effect lasts
        beyond the horizon (through the customers held at its end) has its running cost
        counted there too, for as long as those customers are valued.

        Columns: ``extra_cost`` (what the change spends more on programmes and on the service
        payroll, e.g. a desk's extra agents), ``gain_before_cost`` (the change in value before
        that spend), ``net_gain`` (the change in value, with ``ci_low``/``ci_high``), ``roi`` =
        net gain / extra cost (NaN when the change costs nothing extra), ``payback_years`` (when
        the cumulative present value of the gain turns positive for good, within the horizon
        or after it; NaN if never), and beside them the profit gained within the horizon as
        cash, not discounted (``cash_within_horizon``) and discounted
        (``cash_within_horizon_pv``).

        Examples
        --------
        >>> import womsim as wom
        >>> sc = wom.Scenario.preset("telecom").replace(**{"market.people": 2000,
        ...                                                 "simulation.horizon_years": 0.5})
        >>> idle = wom.Intervention("idle programme", cost_per_year=10_000)
        >>> cmp = wom.compare({"today": sc, "idle": sc.with_interventions(idle)}, runs=2,
        ...                   seed=1, executor="serial")
        >>> float(cmp.roi().loc["idle", "roi"])
        -1.0
        """
        return formatted(roi_table(self, level),
                         {c: "money" for c in ("extra_cost", "gain_before_cost", "net_gain",
                                               "ci_low", "ci_high", "cash_within_horizon",
                                               "cash_within_horizon_pv")}
                         | {"roi": "x", "payback_years": "years"},
                         self.ensembles[self.reference].scenario.economics.currency)

    def plot(self, name: str | None = None, ax: Axes | None = None) -> Axes:
        """Waterfall of the lost-revenue decomposition for one scenario. Returns the axes."""
        name = name or self.names[-1]
        table = self.lost_revenue().loc[name]
        return plot_waterfall(table, ax=ax,
                              title=f"'{name}' vs '{self.reference}': value by cause",
                              currency=self.ensembles[self.reference].scenario.economics
                              .currency)

    def plot_timeseries(self, metric: str = "customers", ax: Axes | None = None) -> Axes:
        """Each scenario's metric over time with bands. Returns the axes."""
        return plot_timeseries(self.ensembles, metric=metric, ax=ax)


    def __repr__(self) -> str:
        return f"Comparison({self.names}, runs={self.ensembles[self.reference].n_runs})"

    def _repr_html_(self) -> str:
        return comparison_html(self)


def compare(scenarios: Mapping[str, Any] | Sequence, network: Network | None = None, runs: int = 20,
            seed: int | None = None, executor: str | Executor | Client | None = None,
            psa: bool = False, psa_params: list[str] | None = None,
            progress: bool | None = None, _stacklevel: int = 3) -> Comparison:
    """Run scenarios in pairs with common random numbers and compare them with the first.

    Parameters
    ----------
    scenarios : dict of name -> Scenario (or a list, named by ``scenario.name``)
        The first is the reference ("today").
    network : Network, optional
        Shared by every scenario (which must then agree on ``market.network`` and
        ``market.mean_degree``). When omitted, one is built per distinct market network
        setting (kind, mean degree, size): scenarios with equal settings share it, the
        others each run on their own.
    runs, seed, executor, progress
        As in :func:`womsim.simulate`.
    psa : bool
        Probabilistic sensitivity analysis: each run also draws the uncertain parameters
        from their ranges (:func:`womsim.model.uncertainty.ranges`), the same draw for every
        scenario in that run. Summaries then add ``outcome_low``/``outcome_high``, the
        uncertainty interval of the outcome (chance and assumptions), beside
        ``ci_low``/``ci_high``, the Monte Carlo interval of the mean (which narrows as runs
        are added and says only how well the runs pin the mean down).

    Notes
    -----
    The first scenario is today. Each other scenario that describes today
    (``state == "today"``) with the same observables as the first, or is a what-if made
    from it, runs as a what-if of it: with today's solved hidden rates (baseline churn), so
    that its better or worse service shows up as less or more churn. A scenario with other
    observables is another description of today and is solved from its own; a what-if of
    another scenario keeps what it kept. Scenarios in different currencies are refused.

    A reference that describes today with no intervention and whose customer base drifts
    with no cause warns (:class:`~womsim.runner.drift.DriftWarning`, the rule of
    :func:`womsim.simulate`, on the reference's own runs): every difference carries it.

    Examples
    --------
    >>> import womsim as wom
    >>> sc = wom.Scenario.preset("telecom").replace(**{"market.people": 3000,
    ...                                                 "simulation.horizon_years": 0.5})
    >>> cmp = wom.compare({"today": sc, "same": sc}, runs=3, seed=1, executor="serial")
    >>> float(cmp.summary().loc[("same", "profit"), "difference"])
    0.0
    """
    scenarios, cal = split_calibration(scenarios)
    if isinstance(scenarios, Scenario):
        raise WomsimError("compare needs at least two scenarios (the first is the reference), "
                          f"got the single scenario '{scenarios.name}'; pass e.g. "
                          "{'today': sc, 'improved': sc2}")
    if isinstance(scenarios, Mapping):
        named = dict(scenarios)
    else:
        named = {}
        for i, s in enumerate(scenarios):
            check_scenario(s, f"scenarios[{i}]")
            if s.name in named:
                raise ScenarioError(f"two scenarios are named '{s.name}'; pass a dict to "
                                    "name them")
            named[s.name] = s
    if len(named) < 2:
        raise WomsimError("compare needs at least two scenarios (the first is the reference), "
                          f"got {len(named)}")
    for name, s in named.items():
        check_scenario(s, f"scenario '{name}'")
    check_same_market(named)
    scs = list(named.values())
    seed = check_runs_seed(runs, seed)
    nets, which = networks_for(scs, network, seed, [f"scenario '{n}'" for n in named])
    seeds = run_seeds(seed, runs)
    post = posterior_draws(cal, runs) if cal is not None else None
    per_run = paired_scenarios(scs, psa, seed, runs, psa_params, posterior=post)
    recs = run_grid(per_run, seeds, nets, executor, progress, desc="comparing",
                    priced_by_first=True, which=which)
    meta = {"kind": "compare", "psa": psa,
            "psa_params": list(psa_params) if psa_params else None,
            "posterior_draws": runs if cal is not None else 0,
            "posterior_params": list(cal.posterior.columns) if cal is not None else None,
            # the solved rates each draw carries (targets given with an error)
            "solved_draw_params": list(cal.solved_draws.columns) if cal is not None
            and len(cal.solved_draws.columns) else None}
    ensembles = {name: Ensemble(scs[j], recs[j], seeds, seed, fingerprint(nets[which[j]]),
                                meta=meta)
                 for j, name in enumerate(named)}
    # a reference that drifts with no cause carries its drift into every difference; its
    # runs are the ones just made
    check_drift(ensembles[next(iter(named))], stacklevel=_stacklevel)
    return Comparison(ensembles, psa=psa or cal is not None)
