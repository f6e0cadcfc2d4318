"""Results: one ensemble of runs, reduced to headline metrics with intervals.

Layer 5 (docs/architecture.md), between the engine that makes the records and the runner
that makes ensembles: may import ``womsim.engine`` and every layer below. An ensemble saves
itself through the registry of :mod:`womsim.core.archive`, so saving needs nothing from the
layers above.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from womsim.core.archive import (
    ArchiveReader,
    ArchiveWriter,
    frame_diff,
    identical,
    jsonable,
    provenance,
)
from womsim.core.atomic import atomic_write
from womsim.core.errors import ScenarioError, WomsimError, unknown_key
from womsim.core.metrics import HEADLINES
from womsim.core.protocol import ResultBase
from womsim.engine.segments import SEGMENT_RECORDS
from womsim.engine.step import RECORDS
from womsim.model.scenario import Scenario
from womsim.views.display import ensemble_html
from womsim.views.plots import plot_timeseries

# scipy only inside the functions that use it: `import womsim` would pay ~0.4 s CPU for it
# (a third of the import) although most sessions never call them (tests/test_import_cost.py)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["HEADLINES", "Ensemble", "Saved", "headline_metrics", "interval",
           "outcome_interval", "segment_totals", "sum_rows", "totals_as_sums"]

_SUMMED = ("revenue", "margin", "acquisition_spend", "service_cost", "intervention_cost",
           "profit", "defections", "defect_experience", "defect_wom", "defect_baseline",
           "acquisitions", "acq_marketing", "acq_referral", "acq_winback", "newly_deterred",
           "problems", "silent", "complaints", "unresolved")


def headline_metrics(rec: dict[str, np.ndarray], horizon_years: float) -> dict[str, float]:
    """Reduce one run's per-step records to its headline numbers."""
    out: dict[str, float] = {"customers_start": float(rec["initial"][1]),
                             "customers_end": float(rec["customers"][-1])}
    out["customers_change"] = out["customers_end"] - out["customers_start"]
    for k in _SUMMED:
        out[k] = float(rec[k].sum())
    out["customer_equity"] = float(rec["customer_equity"].sum())
    out["profit_pv"] = float(rec["discounted_profit"].sum())
    out["value"] = out["profit_pv"] + out["customer_equity"]
    out["neg_tellings"] = float(rec["neg_tellings_strong"].sum() + rec["neg_tellings_weak"].sum())
    out["pos_tellings"] = float(rec["pos_tellings_strong"].sum() + rec["pos_tellings_weak"].sum())
    mean_customers = float(np.mean(np.concatenate([[rec["initial"][1]], rec["customers"]])))
    # defections per customer-year is a hazard; the observed churn a client quotes is the
    # share gone after a year, 1 - exp(-hazard)
    out["annual_churn"] = (1.0 - math.exp(-out["defections"] / mean_customers / horizon_years)
                           if mean_customers > 0 else 0.0)
    return {k: out[k] for k in HEADLINES}


def interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float, float]:
    """Mean, standard deviation and the t-interval of the mean of ``values``.

    With a single value the interval is undefined and returned as NaN (displayed as "n/a").

    Examples
    --------
    >>> m, sd, lo, hi = interval(np.array([1.0, 2.0, 3.0]))
    >>> round(lo, 3), round(hi, 3)
    (-0.484, 4.484)
    """
    from scipy import stats

    values = np.asarray(values, dtype=float)
    n = values.size
    mean = float(values.mean())
    if n < 2:
        return mean, math.nan, math.nan, math.nan
    sd = float(values.std(ddof=1))
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * sd / math.sqrt(n)
    return mean, sd, mean - half, mean + half


def outcome_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Where a single outcome falls: the central ``level`` percentiles of per-run ``values``.

    With parameter uncertainty (``psa=True``) each run draws its own assumptions, so these
    percentiles cover chance *and* the assumption ranges; unlike :func:`interval` (the
    interval of the mean) they do not narrow as runs are added, they only get sharper.

    Examples
    --------
    >>> outcome_interval(np.arange(101.0), level=0.9)
    (5.0, 95.0)
    """
    values = np.asarray(values, dtype=float)
    if values.size < 2:
        return math.nan, math.nan
    tail = round((1 - level) / 2, 12)  # 0.05, not 0.04999..., for level 0.9
    lo, hi = np.quantile(values, [tail, 1 - tail])
    return float(lo), float(hi)


def draws_assumptions(meta: dict) -> bool:
    """True when each run drew its own assumptions: ``psa=True`` draws from the ranges, or a
    calibration's posterior (one draw per run, the same draw in every scenario of the run)."""
    return bool(meta.get("psa")) or bool(meta.get("posterior_draws"))


def with_outcome(row: dict, values: np.ndarray, level: float, psa: bool,
                 prefix: str = "outcome") -> dict:
    """Add ``outcome_low``/``outcome_high`` (:func:`outcome_interval`) to ``row`` when the
    runs drew their assumptions (``psa``); without psa the row is returned unchanged."""
    if psa:
        row[f"{prefix}_low"], row[f"{prefix}_high"] = outcome_interval(values, level)
    return row


def segment_totals(ens: Ensemble) -> pd.DataFrame:
    """Per run: each segment's (and the market's) total over the horizon of every split
    record (customers: at the end), columns ``(segment, metric)``; the segments add up to
    ``("total", metric)`` exactly."""
    names = [s.name for s in ens.scenario.segments]
    if not names:
        raise WomsimError(f"scenario '{ens.scenario.name}' has no segments")
    g = ens.records.groupby("run")
    cols = {}
    for seg in names:
        for metric in SEGMENT_RECORDS:
            col = f"seg.{seg}.{metric}"
            cols[(seg, metric)] = g[col].last() if metric == "customers" else g[col].sum()
    # the market's record is the segments' sum step by step; summed over the steps the two
    # orders differ in the last bits, so the total is the segments' sum (exact, run by run)
    for metric in SEGMENT_RECORDS:
        cols[("total", metric)] = sum_rows([cols[(seg, metric)] for seg in names])
    return pd.DataFrame(cols)


def sum_rows(parts: list[pd.Series]) -> pd.Series:
    """The element-wise sum of ``parts``, added in order (first + second + ...), as a
    reader adds up a table's rows.

    Examples
    --------
    >>> a, b = pd.Series([0.1, 1.0]), pd.Series([0.2, 2.0])
    >>> sum_rows([a, b]).tolist() == (a + b).tolist()
    True
    """
    out = parts[0]
    for p in parts[1:]:
        out = out + p
    return out


def totals_as_sums(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Set the ``total`` rows of a ``(..., segment, metric)`` table to the sum of its
    segments' rows in ``columns`` (means of per-run figures add up only to the last bit
    otherwise). Changes ``df`` in place and returns it."""
    seg = df.index.get_level_values("segment")
    for key in df.index[seg == "total"]:
        rows = [k for k in df.index if k[:-2] == key[:-2] and k[-1] == key[-1]
                and k[-2] != "total"]
        for c in columns:
            df.loc[key, c] = float(df.loc[rows, c].sum())
    return df


class Saved(ResultBase):
    """Saving, loading (through the archive registry, see :class:`ResultBase`) and exact
    comparison, shared by the results made of ensembles (Ensemble, Comparison,
    SweepResult)."""

    def equals(self, other: object) -> bool:
        """Same scenarios, seeds, network and numbers, bit for bit (``meta`` aside)."""
        return identical(self, other)


def scenario_from(data: Any, r: ArchiveReader, what: str = "scenario") -> Scenario:
    """A scenario saved in a results file (as :meth:`Scenario.to_dict`), validated."""
    if not isinstance(data, dict):
        raise r.error(f"meta.json: the {what} is not a table of parameters")
    try:
        return Scenario.from_dict(data)
    except (ScenarioError, TypeError) as err:
        raise r.error(f"the saved {what} is not valid: {err}") from None


def ensemble_entry(ens: Ensemble, w: ArchiveWriter, prefix: str = "") -> dict[str, Any]:
    """Write an ensemble's tables (``<prefix>records.csv``, ``<prefix>runs.csv``); returns
    its recipe and table specs for meta.json."""
    return {"scenario": ens.scenario.to_dict(), "seed": jsonable(ens.seed),
            "seeds": jsonable(ens.seeds), "network_fingerprint": ens.network_fingerprint,
            "meta": jsonable(ens.meta, "meta"),
            "records": w.table(ens.records, prefix + "records.csv"),
            "runs": w.table(ens.runs, prefix + "runs.csv")}


def ensemble_from(entry: Any, r: ArchiveReader) -> Ensemble:
    """The ensemble an :func:`ensemble_entry` describes, read back exactly."""
    if not isinstance(entry, dict):
        raise r.error("meta.json: an ensemble entry is not a table")
    try:
        scenario = scenario_from(entry["scenario"], r)
        seeds = entry["seeds"]
        seed = entry["seed"]
        fp = entry["network_fingerprint"]
        meta = entry.get("meta") or {}
        records = r.table(entry["records"])
        runs = r.table(entry["runs"])
    except KeyError as err:
        raise r.error(f"meta.json lacks {err} for an ensemble") from None
    if not (isinstance(seeds, list) and all(isinstance(s, int) for s in seeds)
            and (seed is None or isinstance(seed, int)) and isinstance(meta, dict)
            and (fp is None or isinstance(fp, str))):
        raise r.error("meta.json: bad seeds, fingerprint or meta")
    if len(seeds) != len(runs):
        raise r.error(f"{len(seeds)} seeds for {len(runs)} runs")
    return Ensemble.from_frames(scenario, records, runs, seeds, seed, fp, meta)


def ensemble_diff(a: Ensemble, b: Ensemble, what: str = "ensemble") -> str | None:
    """The first difference between two ensembles (``meta`` aside), or None."""
    if a.scenario != b.scenario:
        return f"{what}: scenarios differ"
    if a.seed != b.seed or list(a.seeds) != list(b.seeds):
        return f"{what}: seeds differ"
    if a.network_fingerprint != b.network_fingerprint:
        return (f"{what}: network fingerprints differ ({a.network_fingerprint} vs "
                f"{b.network_fingerprint})")
    return (frame_diff(a.records, b.records, f"{what} records")
            or frame_diff(a.runs, b.runs, f"{what} runs"))


class Ensemble(Saved):
    """Runs of one scenario on one network: per-step records and headline metrics.

    :meth:`save` writes all of it to one portable file, :func:`womsim.load` reads it back
    exactly and :func:`womsim.rerun` runs the recipe again.

    Attributes
    ----------
    scenario : Scenario
    records : pandas.DataFrame
        One row per (run, step) with every per-step record.
    runs : pandas.DataFrame
        One row per run with the headline metrics.
    seeds : list of int
        The seed of each run (re-run any single run with :func:`womsim.engine.step.run`).
    seed : int
        The ensemble seed the run seeds derive from.
    network_fingerprint : str
        :meth:`Network.fingerprint` of the graph the runs ran on (``"well_mixed"`` without).
    meta : dict
        Provenance: ``womsim_version``, ``python_version``, ``numpy_version``,
        ``pandas_version`` and ``created`` (UTC), plus what made the ensemble (``kind``).
        Which executor ran the runs is not recorded: the numbers do not depend on it.

    Examples
    --------
    >>> import womsim as wom
    >>> sc = wom.Scenario().replace(**{"market.people": 2000, "simulation.horizon_years": 0.5})
    >>> ens = wom.simulate(sc, runs=3, seed=1, executor="serial")
    >>> bool(ens.summary().loc["customers_end", "mean"] > 0)
    True
    """

    def __init__(self, scenario, records: list[dict[str, np.ndarray]], seeds: list[int],
                 seed: int | None, network_fingerprint: str | None,
                 meta: dict[str, Any] | None = None) -> None:
        self.scenario = scenario
        self.seed = seed
        self.seeds = list(seeds)
        self.network_fingerprint = network_fingerprint
        self.meta = {**provenance(), **dict(meta or {})}
        horizon = scenario.simulation.horizon_years
        frames = []
        for i, rec in enumerate(records):
            # segments and rivals add records of their own (seg.<name>.*, rival.<name>.*)
            extra = [k for k in rec if k not in RECORDS and k not in ("time", "initial")]
            df = pd.DataFrame({k: rec[k] for k in (*RECORDS, *extra)})
            df.insert(0, "time", rec["time"])
            df.insert(0, "step", np.arange(1, len(df) + 1))
            df.insert(0, "run", i)
            frames.append(df)
        self.records = pd.concat(frames, ignore_index=True)
        self.runs = pd.DataFrame([headline_metrics(r, horizon) for r in records])
        self.runs.index.name = "run"

    @classmethod
    def from_frames(cls, scenario: Scenario, records: pd.DataFrame, runs: pd.DataFrame,
                    seeds: list[int], seed: int | None, network_fingerprint: str | None,
                    meta: dict[str, Any] | None = None) -> Ensemble:
        """An ensemble from its tables as they are (used by :func:`womsim.app.store.load`).

        ``meta`` is kept as given (no fresh provenance is added).
        """
        ens = cls.__new__(cls)
        ens.scenario = scenario
        ens.seed = seed
        ens.seeds = list(seeds)
        ens.network_fingerprint = network_fingerprint
        ens.meta = dict(meta or {})
        ens.records = records
        ens.runs = runs
        return ens

    kind = "Ensemble"

    def _to_archive(self, w: ArchiveWriter) -> dict[str, Any]:
        return {"ensemble": ensemble_entry(self, w)}

    @classmethod
    def _from_archive(cls, meta: dict[str, Any], r: ArchiveReader) -> Ensemble:
        return ensemble_from(meta["ensemble"], r)

    def _difference(self, other: Ensemble) -> str | None:
        return ensemble_diff(self, other)

    def tables(self) -> dict[str, pd.DataFrame]:
        """What :meth:`to_excel` writes: the summary and the headline metrics per run."""
        out = {"summary": self.summary(), "runs": self.runs}
        if self.scenario.segments:
            out["by segment"] = self.by_segment()
        return out

    def recipe(self) -> dict[str, Any]:
        """What re-runs this ensemble: scenario (as a dict), runs, seeds and network.

        Examples
        --------
        >>> import womsim as wom
        >>> sc = wom.Scenario().replace(**{"market.people": 1000,
        ...                                "simulation.horizon_years": 0.25})
        >>> r = wom.simulate(sc, runs=2, seed=3, executor="serial").recipe()
        >>> r["seed"], r["runs"], r["kind"]
        (3, 2, 'simulate')
        """
        kind = self.meta.get("kind", "compare" if "psa" in self.meta else "simulate")
        return {"kind": kind, "scenario": self.scenario.to_dict(), "runs": self.n_runs,
                "seed": self.seed, "seeds": list(self.seeds),
                "network_fingerprint": self.network_fingerprint}


    @property
    def n_runs(self) -> int:
        """Number of runs."""
        return len(self.runs)

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        """Mean and interval of every headline metric over the runs.

        Columns: ``mean``, ``sd`` (spread between runs), ``ci_low``/``ci_high`` (the
        ``level`` confidence interval of the mean), ``p05``/``p95`` (where 90% of single runs
        fall), ``unit`` and ``meaning``. Runs made with ``psa=True`` also get
        ``outcome_low``/``outcome_high``: the ``level`` uncertainty interval of the outcome
        (see :func:`outcome_interval`).
        """
        rows = {}
        psa = draws_assumptions(self.meta)
        for name in self.runs.columns:
            v = self.runs[name].to_numpy()
            mean, sd, lo, hi = interval(v, level)
            rows[name] = with_outcome({"mean": mean, "sd": sd, "ci_low": lo, "ci_high": hi,
                                       "p05": float(np.quantile(v, 0.05)),
                                       "p95": float(np.quantile(v, 0.95))}, v, level, psa)
            rows[name].update(unit=HEADLINES[name][0], meaning=HEADLINES[name][1])
        df = pd.DataFrame.from_dict(rows, orient="index")
        df.index.name = "metric"
        return df

    def timeseries(self, metrics: list[str] | tuple[str, ...] | None = None,
                   band: float = 0.90) -> pd.DataFrame:
        """Per step: the mean and the central ``band`` of runs for each metric.

        Returns a DataFrame indexed by time (years) with columns ``(metric, stat)`` where stat
        is ``mean``, ``low`` or ``high``.
        """
        metrics = list(metrics or ("customers", "revenue", "profit", "defections",
                                   "acquisitions"))
        unknown = [m for m in metrics if m not in self.records.columns]
        if unknown:
            raise unknown_key("record", unknown[0], RECORDS)
        g = self.records.groupby("time")[metrics]
        lo, hi = (1 - band) / 2, 1 - (1 - band) / 2
        parts = {"mean": g.mean(), "low": g.quantile(lo), "high": g.quantile(hi)}
        df = pd.concat(parts, axis=1).swaplevel(0, 1, axis=1)
        return df.reindex(columns=pd.MultiIndex.from_product([metrics, ["mean", "low", "high"]]))

    def by_segment(self, level: float = 0.95) -> pd.DataFrame:
        """Headline numbers split by segment, with the market's total beside them.

        One row per (segment, metric): the per-run total over the horizon (customers: at
        the end; customer equity: after it), its mean and the ``level`` interval of the
        mean. The segments' values add up to the ``total`` row exactly, run by run (added
        in order) and in the ``mean`` column (the total's mean is the segments' sum; the
        market's own record agrees with it to float rounding).

        Examples
        --------
        >>> import womsim as wom
        >>> sc = wom.Scenario(market={"people": 2000}, simulation={"horizon_years": 0.5},
        ...                   segments=[{"name": "consumer", "share": 0.8},
        ...                             {"name": "business", "share": 0.2,
        ...                              "revenue_per_year": 2400.0}])
        >>> t = wom.simulate(sc, runs=3, seed=1, executor="serial").by_segment()
        >>> sorted(set(t.index.get_level_values("segment")))
        ['business', 'consumer', 'total']
        """
        per_run = segment_totals(self)
        rows = {}
        for key in per_run.columns:
            mean, sd, lo, hi = interval(per_run[key].to_numpy(), level)
            rows[key] = {"mean": mean, "sd": sd, "ci_low": lo, "ci_high": hi}
        df = pd.DataFrame.from_dict(rows, orient="index")
        df.index = pd.MultiIndex.from_tuples(df.index, names=["segment", "metric"])
        return totals_as_sums(df, ["mean"])

    def market_share(self, band: float = 0.90) -> pd.DataFrame:
        """Market share over time: ours and each rival's share of all firms' customers
        (mean and the central ``band`` of runs per step).

        Examples
        --------
        >>> import womsim as wom
        >>> sc = wom.Scenario(market={"people": 2000}, simulation={"horizon_years": 0.5},
        ...                   rivals=[{"name": "challenger", "customer_share": 0.3}])
        >>> ms = wom.simulate(sc, runs=3, seed=1, executor="serial").market_share()
        >>> list(ms.columns.get_level_values(0).unique())
        ['us', 'challenger']
        """
        rivals = [r.name for r in self.scenario.rivals]
        if not rivals:
            raise WomsimError(f"scenario '{self.scenario.name}' has no rivals: a market "
                              "share needs one")
        cols = {"us": "market_share"} | {r: f"rival.{r}.market_share" for r in rivals}
        g = self.records.groupby("time")
        lo, hi = (1 - band) / 2, 1 - (1 - band) / 2
        parts = {}
        for firm, col in cols.items():
            parts[(firm, "mean")] = g[col].mean()
            parts[(firm, "low")] = g[col].quantile(lo)
            parts[(firm, "high")] = g[col].quantile(hi)
        return pd.DataFrame(parts)

    def plot(self, metric: str = "customers", ax: Axes | None = None,
             label: str | None = None, band: float = 0.90) -> Axes:
        """Plot a metric over time: the mean line and the band of runs. Returns the axes."""
        return plot_timeseries({label or self.scenario.name: self}, metric=metric, ax=ax,
                               band=band)

    def customer_clustering(self, level: float = 0.95) -> pd.DataFrame:
        """How much customers' friends are customers, after the first step and at the end.

        Rows ``first step`` and ``end``; columns: the market share of customers, the share
        of customers among customers' friends (``friend_share``; in a well-mixed market,
        among everybody else) with its interval over runs, ``lift`` (friend share / market
        share) and ``homophily`` ((friend share - market share) / (1 - market share): 0
        when who is a customer does not depend on the graph; compare
        ``market.customer_clustering``, the homophily asked for at the start).

        Examples
        --------
        >>> import womsim as wom
        >>> sc = wom.Scenario().replace(**{"market.people": 2000,
        ...     "market.network": "small_world", "market.customer_clustering": 0.4,
        ...     "simulation.horizon_years": 0.25})
        >>> cc = wom.simulate(sc, runs=3, seed=1, executor="serial").customer_clustering()
        >>> bool(cc.loc["first step", "homophily"] > 0.3)
        True
        """
        people = self.scenario.market.people
        rows = {}
        for name, step in (("first step", 1), ("end", int(self.records["step"].max()))):
            at = self.records[self.records["step"] == step]
            share = at["customers"].to_numpy(dtype=float) / people
            friends = at["customer_friend_share"].to_numpy(dtype=float)
            m, _, lo, hi = interval(friends, level)
            s = float(share.mean())
            rows[name] = {"market_share": s, "friend_share": m, "ci_low": lo, "ci_high": hi,
                          "lift": m / s if s > 0 else math.nan,
                          "homophily": (m - s) / (1 - s) if s < 1 else math.nan}
        df = pd.DataFrame.from_dict(rows, orient="index")
        df.index.name = "when"
        return df

    def to_csv(self, path: str | Path, overwrite: bool = False) -> Path:
        """Write the per-step records (one row per run and step) as CSV, atomically (the
        summary and the per-run metrics go to :meth:`to_excel`)."""
        return atomic_write(path, self.records.to_csv(index=False), overwrite=overwrite)

    def __repr__(self) -> str:
        s = self.summary()
        def fmt(k):
            return f"{s.loc[k, 'mean']:,.0f}"
        cur = self.scenario.economics.currency
        return (f"Ensemble('{self.scenario.name}', {self.n_runs} runs, "
                f"{self.scenario.market.people:,} people): customers "
                f"{fmt('customers_start')} -> {fmt('customers_end')}; within the horizon "
                f"revenue {cur} {fmt('revenue')} and profit {cur} {fmt('profit')} (cash); "
                f"value {cur} {fmt('value')} (present value, remaining lifetimes included)")

    def _repr_html_(self) -> str:
        return ensemble_html(self)
