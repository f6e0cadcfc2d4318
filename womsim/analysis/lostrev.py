"""Lost revenue: what today's service costs, split by cause and priced per incident.

What is compared is *value*, the one valuation of :mod:`womsim.model.valuation`: a present value
at the start of the horizon of the profit within it plus the value after it of the
customers then held, so that the answer does not depend on the horizon setting and a
customer won late in the horizon is not worth less than its cost of acquisition.

The split by cause, the ROI and the payback are :mod:`womsim.analysis.attribution`'s.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from womsim.analysis.attribution import (
    CAUSES,
    _parts,
    _totals,
    by_cause,
    investment,
    payback,
    roi_table,
)
from womsim.analysis.bysegment import pair_by_segment
from womsim.analysis.calibrate import Calibration
from womsim.analysis.whatif import Comparison, compare
from womsim.core.archive import ArchiveReader, ArchiveWriter
from womsim.core.protocol import ResultBase
from womsim.model.meanfield import experience_mix
from womsim.results import interval, outcome_interval
from womsim.views.display import formatted, lost_revenue_html
from womsim.views.plots import plot_waterfall as _draw_waterfall

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from distributed import Client
    from matplotlib.axes import Axes

    from womsim.model.scenario import Scenario
    from womsim.network.graph import Network

__all__ = ["CAUSES", "LostRevenue", "by_cause", "investment", "lost_revenue", "payback",
           "plot_waterfall", "roi_table"]


def plot_waterfall(table: pd.DataFrame, ax: Axes | None = None, title: str = "",
                   **kwargs: Any) -> Axes:
    """Waterfall of a by-cause table (rows = causes, ``mean``, ``ci_low``, ``ci_high``).

    Returns the axes (drawn by :func:`womsim.views.plots.plot_waterfall`, which takes
    ``currency`` and ``positive``).
    """
    return _draw_waterfall(table, ax=ax, title=title, **kwargs)


class LostRevenue(ResultBase):
    """What today's service costs against a counterfactual, by cause and per incident.

    Attributes
    ----------
    comparison : Comparison
        Today (reference) and the counterfactual.
    """

    kind = "LostRevenue"

    def __init__(self, comparison: Comparison, level: float = 0.95) -> None:
        self.comparison = comparison
        self.level = level
        self.today = comparison.ensembles[comparison.reference]
        self.target = comparison.ensembles[comparison.names[1]]

    def _to_archive(self, w: ArchiveWriter) -> dict[str, Any]:
        return {"level": float(self.level), "comparison": self.comparison._to_archive(w)}

    @classmethod
    def _from_archive(cls, meta: dict[str, Any], r: ArchiveReader) -> LostRevenue:
        level = meta["level"]
        if isinstance(level, bool) or not isinstance(level, (int, float)) \
                or not 0 < level < 1:
            raise r.error(f"meta.json: bad interval level {level!r}")
        return cls(Comparison._from_archive(meta["comparison"], r), level=float(level))

    def _difference(self, other: LostRevenue) -> str | None:
        """The first difference from another LostRevenue (for the archive's check)."""
        if self.level != other.level:
            return "the interval level differs"
        return self.comparison._difference(other.comparison)

    def summary(self) -> pd.DataFrame:
        """The value today's service loses, by cause (:meth:`by_cause`, adds up to the
        total; a present value at the start, in the scenario's currency)."""
        return self.by_cause()

    def tables(self) -> dict[str, pd.DataFrame]:
        """What :meth:`to_excel` writes: by cause, the headline and the prices per incident."""
        out = {"summary": self.summary(), "total": self.total().to_frame("value"),
               "per incident": self.per_incident()}
        if self.today.scenario.segments:
            out["by segment"] = self.by_segment()
        return out

    def by_cause(self) -> pd.DataFrame:
        """Profit today loses against the counterfactual, split by cause (adds up exactly).

        Shown rounded, in the scenario's currency; the values stay numbers (``.raw()``)."""
        return formatted(by_cause(self.today, self.target, self.level),
                         {"mean": "money", "ci_low": "money", "ci_high": "money",
                          "share": "share", "revenue": "money"},
                         self.today.scenario.economics.currency)

    @property
    def currency(self) -> str:
        """The currency of every money figure."""
        return self.today.scenario.economics.currency

    def total(self) -> pd.Series:
        """The headline, with its interval: value lost (a present value at the start: the
        horizon plus the remaining lifetimes of the customers held at its end, see
        docs/model.md) and the revenue lost on the same basis; beside it the profit lost
        within the simulated horizon as cash (``cash_lost_within_horizon``, not discounted,
        with its interval) and discounted (``cash_lost_within_horizon_pv``), so a client
        can see how much of the answer rests on customers' future lifetimes.

        ``ci_low``/``ci_high`` is the interval of the mean over runs; with ``psa=True``,
        ``outcome_low``/``outcome_high`` (and ``within_outcome_*``) is the uncertainty
        interval of the outcome: where the value lost falls given chance and the assumption
        ranges. Quote the outcome interval to a client; it does not narrow with more runs.
        """
        t = self.by_cause().loc["total"]
        cash = (self.target.runs["profit"] - self.today.runs["profit"]).to_numpy()
        m, _, lo, hi = interval(cash, self.level)
        pv = (self.target.runs["profit_pv"] - self.today.runs["profit_pv"]).to_numpy()
        out = {"value_lost": t["mean"], "ci_low": t["ci_low"], "ci_high": t["ci_high"]}
        if self.comparison.psa:
            # where the value lost itself falls given the assumption ranges (beside the
            # interval of its mean, which only says how well the runs pin the mean down)
            out.update(outcome_low=t["outcome_low"], outcome_high=t["outcome_high"])
        out.update({"revenue_lost": t["revenue"], "cash_lost_within_horizon": m,
                    "within_ci_low": lo, "within_ci_high": hi})
        if self.comparison.psa:
            out["within_outcome_low"], out["within_outcome_high"] = outcome_interval(
                cash, self.level)
        out["cash_lost_within_horizon_pv"] = float(pv.mean())
        out["horizon_years"] = self.today.scenario.simulation.horizon_years
        return pd.Series(out)

    def by_segment(self) -> pd.DataFrame:
        """The value lost split by segment (a segmented scenario): one row per segment, a row
        for what is not split by segment and the ``total``; the rows add up to the total.

        Columns: the value lost (present value at the start, lifetimes included) with its
        paired interval, its parts by cause (own experience, word of mouth, prospects
        deterred, referrals forgone, baseline churn: each booked in the segment of the
        customer or prospect concerned), the revenue lost within the horizon (cash),
        customers lost, customers fewer at the end and extra problems. Future churn
        avoided, acquisition spend, service cost, programme cost and "other" are booked for
        the market, not per customer, so they are not apportioned: they sit on the row
        ``market level (not split by segment)`` (see :mod:`womsim.analysis.bysegment`).

        Examples
        --------
        >>> import womsim as wom
        >>> sc = wom.Scenario(market={"people": 2000}, simulation={"horizon_years": 0.5},
        ...                   segments=[{"name": "consumer", "share": 0.8},
        ...                             {"name": "business", "share": 0.2}])
        >>> t = wom.lost_revenue(sc, runs=2, seed=1, executor="serial").by_segment()
        >>> t.index[-1]
        'total'
        """
        return pair_by_segment(self.today, self.target, lost=True, level=self.level)

    def per_incident(self) -> pd.DataFrame:
        """Profit lost per silent unhappy customer, per unresolved complaint and per negative
        telling (with paired intervals over runs).

        A negative telling is priced by the word-of-mouth damage (customers lost through
        word of mouth and prospects deterred) divided by the extra negative tellings. A
        silent customer costs their own chance of leaving plus their tellings; likewise an
        unresolved complaint.
        """
        margin = self.today.scenario.economics.margin
        ref, alt = _totals(self.today), _totals(self.target)
        parts = _parts(ref, alt, margin)
        tell_ref = ref["neg_tellings_strong"] + ref["neg_tellings_weak"]
        tell_alt = alt["neg_tellings_strong"] + alt["neg_tellings_weak"]
        extra_tellings = (tell_ref - tell_alt).replace(0, np.nan)
        per_telling = (parts["word of mouth"] + parts["prospects deterred"]) / extra_tellings
        own = parts["own experience"]
        d_exp = (ref["defect_experience"] - alt["defect_experience"]).replace(0, np.nan)
        per_defection = own / d_exp
        tell_silent = ref["neg_tellings_silent"]
        tell_unres = tell_ref - tell_silent
        silent = ref["silent"].replace(0, np.nan)
        unres = ref["unresolved"].replace(0, np.nan)
        # no tellings (word of mouth off) cost nothing, rather than an undefined price
        told_silent = (per_telling * tell_silent).where(tell_silent > 0, 0.0)
        told_unres = (per_telling * tell_unres).where(tell_unres > 0, 0.0)
        per_silent = (per_defection * ref["defect_silent"] + told_silent) / silent
        per_unres = (per_defection * ref["defect_unresolved"] + told_unres) / unres
        rows = {}
        for name, v, count in (("per silent unhappy customer", per_silent, ref["silent"]),
                               ("per unresolved complaint", per_unres, ref["unresolved"]),
                               ("per negative telling", per_telling, tell_ref)):
            vals = v.to_numpy(dtype=float)
            vals = vals[np.isfinite(vals)]
            if vals.size == 0:
                rows[name] = {"mean": math.nan, "ci_low": math.nan, "ci_high": math.nan,
                              "incidents_today": float(count.mean())}
                continue
            m, _, lo, hi = interval(vals, self.level)
            rows[name] = {"mean": m, "ci_low": lo, "ci_high": hi,
                          "incidents_today": float(count.mean())}
        df = pd.DataFrame.from_dict(rows, orient="index")
        df.index.name = "incident"
        return formatted(df, {"mean": "money", "ci_low": "money", "ci_high": "money",
                              "incidents_today": "count"},
                         self.today.scenario.economics.currency)

    def plot(self, ax: Axes | None = None) -> Axes:
        """Waterfall of :meth:`by_cause`. Returns the axes."""
        return plot_waterfall(self.by_cause(), ax=ax,
                              title="Value lost to today's service, by cause",
                              currency=self.today.scenario.economics.currency,
                              positive="loss")

    def __repr__(self) -> str:
        t = self.total()
        c = self.currency
        return (f"LostRevenue: today's service costs {c} {t['value_lost']:,.0f} in value "
                f"({c} {t['ci_low']:,.0f} to {t['ci_high']:,.0f}) and {c} "
                f"{t['revenue_lost']:,.0f} in revenue (present values at the start, customers' "
                f"remaining lifetimes included); within the {t['horizon_years']:g}-year "
                f"horizon {c} {t['cash_lost_within_horizon']:,.0f} in profit (cash)")

    def _repr_html_(self) -> str:
        return lost_revenue_html(self)


def counterfactual(scenario: Scenario, target: dict | None = None) -> Scenario:
    """Today's scenario with its problems removed (or set to ``target`` changes).

    With no target, problems become satisfied contacts (delight unchanged; in every
    segment, also those with a problem rate of their own) and a service
    desk is replaced by its current fixed mix without problems; its payroll stays (as a fixed
    service cost), so the desk's wages are not booked as value lost. Interventions are kept.
    """
    # a counterfactual is an alternative to today: today's hidden rates are kept
    if target:
        return scenario.what_if(**target)
    if scenario.desk is not None:
        load = (scenario.market.people * scenario.market.customer_share
                * scenario.service.contact_rate)
        d, _, _ = (float(x) for x in experience_mix(scenario, load))
        base = scenario.pinned().model_copy(update={"desk": None})
        payroll = (scenario.economics.fixed_service_cost_per_year
                   + scenario.desk.cost_per_year())
        return base.replace(**{"service.problem_rate": 0.0, "service.delight_rate": d,
                               "economics.fixed_service_cost_per_year": payroll})
    # no problems anywhere: in the segments that set their own problem rate too
    none = {"service.problem_rate": 0.0} | {f"segments.{s.name}.problem_rate": 0.0
                                            for s in scenario.segments
                                            if s.problem_rate is not None}
    if scenario.segments and all(s.problem_rate is not None for s in scenario.segments):
        del none["service.problem_rate"]  # read by no segment
    return scenario.what_if(**none)


def lost_revenue(scenario: Scenario, network: Network | None = None, runs: int = 20,
                 seed: int | None = None, target: dict | None = None,
                 executor: str | Executor | Client | None = None, psa: bool = False,
                 psa_params: list[str] | None = None, progress: bool | None = None) -> LostRevenue:
    """What today's service costs: today against a counterfactual without problems.

    Parameters
    ----------
    scenario : Scenario or Calibration
        Today; a :class:`~womsim.analysis.calibrate.Calibration` carries its posterior draws into
        the intervals (run r is today under draw r, and so is its counterfactual).
    target : dict, optional
        Changes that define the counterfactual (e.g. ``{"service.problem_rate": 0.05}`` or
        ``{"complaints.resolved": 0.9}``); default: no problems at all.
    network, runs, seed, executor, psa, psa_params, progress
        As in :func:`womsim.compare`.

    Examples
    --------
    >>> import womsim as wom
    >>> sc = wom.Scenario.preset("telecom").replace(**{"market.people": 3000,
    ...                                                 "simulation.horizon_years": 0.5})
    >>> lr = wom.lost_revenue(sc, runs=3, seed=1, executor="serial")
    >>> bool(lr.total()["value_lost"] > 0)
    True
    """
    today = scenario
    if isinstance(scenario, Calibration):  # its posterior is carried into the intervals
        scenario = scenario.scenario
    cf = counterfactual(scenario, target)
    cmp = compare({"today": today, "counterfactual": cf}, network=network, runs=runs,
                  seed=seed, executor=executor, psa=psa, psa_params=psa_params,
                  progress=progress, _stacklevel=4)
    return LostRevenue(cmp)
