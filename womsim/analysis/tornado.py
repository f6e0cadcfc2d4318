"""One-at-a-time sensitivity (the tornado): every uncertain parameter swung to both ends.

All the tornado's scenarios (today at each end of each range and each one's counterfactual,
and the base pair) run with the same seeds on one network, the scenarios of a seed in one
pass that makes their shared draws once (:mod:`womsim.engine.paired`). A run the tornado
already has in another form - the same run, or the same run priced at another
acquisition cost - is taken from it instead of simulated again
(:mod:`womsim.engine.reuse`): the same numbers, bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from womsim.analysis.calibrate import Calibration, posterior_draws
from womsim.analysis.lostrev import counterfactual
from womsim.analysis.whatif import paired_scenarios, run_grid
from womsim.core.archive import ArchiveReader, ArchiveWriter
from womsim.core.errors import unknown_key
from womsim.core.protocol import ResultBase
from womsim.engine.reuse import (
    BAD_STORY_ONLY,
    PRICE_ONLY,
    differs_only_in,
    no_bad_stories,
    reprice_acquisition,
)
from womsim.engine.rng import run_seeds
from womsim.model.uncertainty import ranges
from womsim.results import outcome_interval, scenario_from
from womsim.runner.simulate import build_network, check_runs_seed
from womsim.views.display import sensitivity_html
from womsim.views.plots import plot_tornado

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from distributed import Client
    from matplotlib.axes import Axes

    from womsim.model.scenario import Scenario
    from womsim.network.graph import Network

__all__ = ["Sensitivity", "sensitivity"]

#: From this many runs on, all of a seed's scenarios run in one pass (one task per seed):
#: enough tasks to keep the workers of a small machine busy; fewer runs split each seed's
#: scenarios into batches (:data:`womsim.analysis.whatif.PAIRED_BATCH`) to share them out.
ONE_PASS_RUNS = 4


def _prepare(scenario, network, runs, seed):
    seed = check_runs_seed(runs, seed)
    if network is None:
        network = build_network(scenario, seed)
    return seed, network, run_seeds(seed, runs)


class Sensitivity(ResultBase):
    """One-at-a-time swings of the uncertain parameters: the tornado."""

    kind = "Sensitivity"

    def __init__(self, table: pd.DataFrame, base: float, metric: str,
                 scenario: Any = None,
                 base_outcome: tuple[float, float] | None = None) -> None:
        self._table = table
        self.base = base
        self.metric = metric
        #: 95% uncertainty interval of the outcome at today's values (a Calibration's
        #: posterior, one draw per run), or None without a posterior
        self.base_outcome = base_outcome
        #: the scenario analysed (its currency labels the chart; its assumptions a report)
        self.scenario = scenario

    def _to_archive(self, w: ArchiveWriter) -> dict[str, Any]:
        return {"table": w.frame(self._table, "sensitivity/table.csv"),
                "numbers": w.numbers({"base": self.base, **(
                    {"base_outcome_low": self.base_outcome[0],
                     "base_outcome_high": self.base_outcome[1]}
                    if self.base_outcome is not None else {})}, "sensitivity/numbers.csv"),
                "metric": self.metric,
                "scenario": self.scenario.to_dict() if self.scenario is not None else None}

    @classmethod
    def _from_archive(cls, meta: dict[str, Any], r: ArchiveReader) -> Sensitivity:
        nums = r.numbers(meta["numbers"])
        sc = meta.get("scenario")
        out = (nums["base_outcome_low"], nums["base_outcome_high"]) \
            if "base_outcome_low" in nums else None
        return cls(r.frame(meta["table"]), nums["base"], str(meta["metric"]),
                   scenario=scenario_from(sc, r) if sc is not None else None,
                   base_outcome=out)

    def table(self) -> pd.DataFrame:
        """Per parameter: low and high values, the metric at each, and the swing (ranked)."""
        return self._table

    def summary(self) -> pd.DataFrame:
        """The tornado's table (:meth:`table`): per parameter, its range, the value lost at
        each end and the swing, widest first."""
        return self._table

    def plot(self, ax: Axes | None = None) -> Axes:
        """Tornado chart, widest swing on top. Returns the axes."""
        cur = self.scenario.economics.currency if self.scenario is not None else ""
        return plot_tornado(self, ax=ax, currency=cur)

    def __repr__(self) -> str:
        top = ", ".join(self._table.index[:3])
        return f"Sensitivity({self.metric}, base {self.base:,.0f}; largest swings: {top})"

    def _repr_html_(self) -> str:
        cur = self.scenario.economics.currency if self.scenario is not None else ""
        return sensitivity_html(self, currency=cur)


def sensitivity(scenario: Scenario, params: Iterable[str] | None = None,
                network: Network | None = None, runs: int = 20, seed: int | None = None,
                target: dict | None = None, executor: str | Executor | Client | None = None,
                progress: bool | None = None) -> Sensitivity:
    """How much each uncertain parameter moves the profit today's service loses.

    Each parameter in turn is set to the low and the high end of its range
    (:func:`womsim.model.uncertainty.ranges`: the figure's range, or an illustrative one) with the
    others at their values; today is re-calibrated to the observed churn and compared with
    its counterfactual (see :func:`womsim.lost_revenue`), all with common random numbers,
    a seed's scenarios in one pass. Runs the tornado already has in another form are not
    simulated again (:mod:`womsim.engine.reuse`: an acquisition-cost swing is the base's
    runs re-priced; the counterfactual of a swing that acts only on bad stories is the
    base's, when its runs had none): the same numbers, bit for bit.

    ``scenario`` may be a :class:`~womsim.analysis.calibrate.Calibration`: a parameter it
    inferred swings over its 90% posterior interval (what the client's data leaves of
    its range; ``basis`` says so), run r of every variant is today under posterior draw r
    for the other inferred parameters, and the table adds ``at_low_outcome_low``/``_high``
    and ``at_high_outcome_low``/``_high`` (95% uncertainty intervals of the outcome) and
    :attr:`Sensitivity.base_outcome` the one at today's values.

    Examples
    --------
    >>> import womsim as wom
    >>> sc = wom.Scenario.preset("telecom").replace(**{"market.people": 3000,
    ...                                                 "simulation.horizon_years": 0.5})
    >>> tor = wom.sensitivity(sc, params=["word_of_mouth.negative_mean"], runs=3, seed=1,
    ...                       executor="serial")
    >>> tor.table().index.tolist()
    ['word_of_mouth.negative_mean']
    """
    cal = scenario if isinstance(scenario, Calibration) else None
    if cal is not None:
        scenario = cal.scenario
    r = ranges(scenario)
    if isinstance(params, str):
        params = [params]
    names = list(params) if params is not None else list(r.index)
    for name in names:
        if name not in r.index:
            raise unknown_key("uncertain parameter", name, r.index)
    span = {}
    for name in names:
        if cal is not None and name in cal.posterior.columns:
            # the data has narrowed it: swing over what is left
            span[name] = (*cal.interval(name, 0.90), "posterior 90% interval")
        else:
            span[name] = (float(r.loc[name, "low"]), float(r.loc[name, "high"]),
                          r.loc[name, "basis"])
    variants: list[tuple[str, str | None, Any]] = [("base", None, scenario)]
    for name in names:
        for end, value in zip(("low", "high"), span[name][:2], strict=True):
            # today re-solved at the other value: the observed churn is the fact
            variants.append((name, end, scenario.today(**{name: value})))
    seed, network, seeds = _prepare(scenario, network, runs, seed)
    post = posterior_draws(cal, runs) if cal is not None else None
    per_run: list[list] = [[] for _ in range(runs)]
    for name, _, today in variants:
        pair = [today, counterfactual(today, target)]
        if post is None:
            rows_r = paired_scenarios(pair, False, 0, runs)
        else:  # the swung parameter keeps its value; the others follow draw r
            draws = [{k: v for k, v in d.items() if k != name} for d in post]
            rows_r = paired_scenarios(pair, False, seed, runs, posterior=draws)
        for k in range(runs):
            per_run[k].extend(rows_r[k])
    recs = _swing_records([v[0] for v in variants], per_run, seeds, network, executor,
                          progress, reuse=post is None)
    lost = []
    for k in range(len(variants)):
        today = np.array([_value(x) for x in recs[2 * k]])
        cf = np.array([_value(x) for x in recs[2 * k + 1]])
        lost.append(cf - today)
    base = float(lost[0].mean())
    rows = {}
    for i, name in enumerate(names):
        lo, hi = lost[1 + 2 * i], lost[2 + 2 * i]
        rows[name] = {"low": span[name][0], "high": span[name][1],
                      "value": scenario.get(name), "at_low": float(lo.mean()),
                      "at_high": float(hi.mean()),
                      "swing": float(abs(hi.mean() - lo.mean())),
                      "swing_sd": float(np.std(hi - lo, ddof=1)) if runs > 1 else math.nan,
                      "basis": span[name][2], "status": r.loc[name, "status"]}
        if post is not None:
            for end, v in (("at_low", lo), ("at_high", hi)):
                rows[name][f"{end}_outcome_low"], rows[name][f"{end}_outcome_high"] = \
                    outcome_interval(v)
    table = pd.DataFrame.from_dict(rows, orient="index").sort_values("swing", ascending=False)
    table.index.name = "parameter"
    return Sensitivity(table, base, "value_lost", scenario=scenario,
                       base_outcome=outcome_interval(lost[0]) if post is not None else None)


def _value(rec: dict) -> float:
    """A run's value (womsim.model.valuation): discounted profit + customer equity."""
    return float(rec["discounted_profit"].sum() + rec["customer_equity"].sum())


def _swing_records(names: Sequence[str], per_run: list[list], seeds: list[int],
                   network: Network | None, executor: Any, progress: bool | None,
                   reuse: bool) -> list[list[dict]]:
    """Records ``[slot][run]`` of the tornado's scenarios ``per_run[run][slot]``.

    Slot ``2k`` is today of variant k (``names[k]`` swung; variant 0 is the base) and
    ``2k + 1`` its counterfactual. With ``reuse`` (the same scenarios in every run), a slot
    that differs from the base's only in a :data:`~womsim.engine.reuse.PRICE_ONLY`
    parameter is the base's runs re-priced, and a counterfactual that differs from the
    base's only in a :data:`~womsim.engine.reuse.BAD_STORY_ONLY` parameter is the base's
    counterfactual, when none of its runs had a bad story or anyone put off (else it runs).
    """
    slots = len(per_run[0])
    plan = ["run"] * slots
    if reuse:
        for j in range(2, slots):
            name, sc, base = names[j // 2], per_run[0][j], per_run[0][j % 2]
            if name in PRICE_ONLY and differs_only_in(sc, base, name):
                plan[j] = "price"
            elif j % 2 == 1 and name in BAD_STORY_ONLY and differs_only_in(sc, base, name):
                plan[j] = "same"
    recs: list[list[dict]] = [[] for _ in range(slots)]

    def simulate(todo: list[int]) -> None:
        if not todo:
            return
        rows = [[row[j] for j in todo] for row in per_run]
        batch = len(todo) if len(seeds) >= ONE_PASS_RUNS else None
        for j, rec in zip(todo, run_grid(rows, seeds, network, executor, progress,
                                         desc="sensitivity", per_pass=batch), strict=True):
            recs[j] = rec

    simulate([j for j in range(slots) if plan[j] == "run"])
    if not all(no_bad_stories(rec) for rec in recs[1]):
        # a bad story was told (a counterfactual with some problems left): it may act
        simulate([j for j in range(slots) if plan[j] == "same"])
    for j in range(slots):
        if plan[j] == "same" and not recs[j]:
            recs[j] = recs[1]
        elif plan[j] == "price":
            recs[j] = [reprice_acquisition(rec, per_run[0][j]) for rec in recs[j % 2]]
    return recs
