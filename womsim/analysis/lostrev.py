"""Lost revenue: what today's service costs, split by cause and priced per incident.

What is compared is *value*, the one valuation of :mod:`womsim.model.valuation`: a present value
at the start of the horizon of the profit within it plus the value after it of the
customers then held, so that the answer does not depend on the horizon setting and a
customer won late in the horizon is not worth less than its cost of acquisition.

How the split works. Each run records, per event, the present value of the revenue the
person brings from then on (at today's churn hazard, shared by the runs compared). The
difference between two paired runs is then split into:

* customers lost through their own experience (value of experience defections);
* customers lost through word of mouth (value of word-of-mouth defections);
* prospects deterred (value of marketing acquisitions and win-backs not made);
* referrals forgone (value of referral acquisitions not made);
* baseline churn (more customers also means more ordinary churn: usually negative);
* future churn avoided: with a better service every customer left at the end stays longer; this
  is the extra lifetime value of the whole remaining base (0 when only the horizon counts);
* extra acquisition spend, service cost (payroll included) and intervention cost (money, not
  revenue; within the horizon and, for costs that follow the held customers, after it);
* other: knock-on effects the event values miss (people who would have come back, timing
  within the horizon). It is what makes the parts add up exactly to the total, and it is
  shown, not hidden.

Revenue terms count in profit at the reference scenario's margin.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from womsim.analysis.whatif import Comparison
from womsim.core.archive import ArchiveReader, ArchiveWriter
from womsim.core.protocol import ResultBase
from womsim.results import draws_assumptions, interval, outcome_interval, with_outcome

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from womsim.model.scenario import Scenario

__all__ = ["LostRevenue", "by_cause", "investment", "lost_revenue", "payback", "plot_waterfall",
           "roi_table"]

CAUSES = (
    "own experience", "word of mouth", "prospects deterred", "referrals forgone",
    "baseline churn", "future churn avoided", "acquisition spend", "service cost",
    "intervention cost", "other",
)


_FLOWS = ("revenue", "margin", "profit", "acquisition_spend", "service_cost", "fixed_cost",
          "intervention_cost")
_AFTER = ("customer_equity", "equity_revenue", "equity_margin", "equity_service_cost",
          "equity_fixed_cost",
          "equity_intervention_cost", "lifetime_after")


def _totals(ens) -> pd.DataFrame:
    """Per-run sums of the value records; ``*_pv``: cash flows discounted to the start."""
    cols = ["value_lost_experience", "value_lost_wom", "value_lost_baseline",
            "value_won_marketing", "value_won_referral", "value_won_winback", *_FLOWS,
            *_AFTER, "neg_tellings_strong", "neg_tellings_weak", "neg_tellings_silent",
            "silent", "unresolved", "defect_silent", "defect_unresolved",
            "defect_experience"]
    rec = ens.records
    out = rec.groupby("run")[cols].sum()
    pv = rec[list(_FLOWS)].mul(rec["discount"], axis=0).groupby(rec["run"]).sum()
    for name in _FLOWS:
        out[f"{name}_pv"] = pv[name]
    out["value"] = out["profit_pv"] + out["customer_equity"]
    # value before the spend on programmes and payroll (the investment), from its own parts
    # so that two runs that differ only in that spend have exactly the same
    own_cost = rec["service_cost"] - rec["fixed_cost"]
    before = ((rec["margin"] - rec["acquisition_spend"] - own_cost) * rec["discount"]
              ).groupby(rec["run"]).sum()
    out["value_before_investment"] = before + out["equity_margin"] - out["equity_service_cost"]
    return out


def _parts(ref: pd.DataFrame, alt: pd.DataFrame, margin: float, revenue: bool = False
           ) -> pd.DataFrame:
    """Per-run contributions (alt - ref) of each cause, in value (or in revenue); rows =
    runs. Every part is a present value at the start (womsim.model.valuation)."""
    if revenue:
        margin = 1.0
    p = pd.DataFrame(index=ref.index)
    p["own experience"] = margin * (ref["value_lost_experience"] - alt["value_lost_experience"])
    p["word of mouth"] = margin * (ref["value_lost_wom"] - alt["value_lost_wom"])
    won = ["value_won_marketing", "value_won_winback"]
    p["prospects deterred"] = margin * (alt[won].sum(axis=1) - ref[won].sum(axis=1))
    p["referrals forgone"] = margin * (alt["value_won_referral"] - ref["value_won_referral"])
    p["baseline churn"] = margin * (ref["value_lost_baseline"] - alt["value_lost_baseline"])
    # the alternative's held customers live longer (or shorter) than today's: the part of
    # their value after the horizon (margin less their own costs) today's lifetime would
    # not give
    ratio = np.where(alt["lifetime_after"] > 0,
                     1 - ref["lifetime_after"] / alt["lifetime_after"].where(
                         alt["lifetime_after"] > 0, 1.0), 0.0)
    own = (alt["equity_revenue"] if revenue else
           margin * alt["equity_revenue"] - alt["equity_service_cost"])
    p["future churn avoided"] = own * ratio
    p["acquisition spend"] = ref["acquisition_spend_pv"] - alt["acquisition_spend_pv"]
    # service cost within the horizon and after it (the held customers' own costs priced
    # at today's lifetime; the alternative's longer life is in "future churn avoided"),
    # and the payroll that follows them
    p["service cost"] = ((ref["service_cost_pv"] - alt["service_cost_pv"])
                         + (ref["equity_service_cost"]
                            - alt["equity_service_cost"] * (1 - ratio))
                         + (ref["equity_fixed_cost"] - alt["equity_fixed_cost"]))
    if revenue:
        p[["acquisition spend", "service cost"]] = 0.0
    p["intervention cost"] = (ref["intervention_cost_pv"] + ref["equity_intervention_cost"]
                              - alt["intervention_cost_pv"] - alt["equity_intervention_cost"])
    if revenue:
        p["intervention cost"] = 0.0
        total = (alt["revenue_pv"] + alt["equity_revenue"]) - (ref["revenue_pv"]
                                                                + ref["equity_revenue"])
    else:
        total = alt["value"] - ref["value"]
    p["other"] = total - p.sum(axis=1)
    p["total"] = total
    return p


def by_cause(ref_ens, alt_ens, level: float = 0.95) -> pd.DataFrame:
    """The profit ``alt`` earns over ``ref``, split by cause, with paired intervals.

    Rows are the causes plus ``total`` (the sum of the causes, exactly); columns ``mean``,
    ``ci_low``, ``ci_high`` (interval of the mean), ``share`` (of the total) and ``revenue``
    (the revenue part of each cause, before margin); with ``psa=True`` also
    ``outcome_low``/``outcome_high`` (uncertainty interval of the outcome, see
    :func:`womsim.results.outcome_interval`).
    """
    margin = ref_ens.scenario.economics.margin
    ref, alt = _totals(ref_ens), _totals(alt_ens)
    parts = _parts(ref, alt, margin)
    rev = _parts(ref, alt, margin, revenue=True)
    rows = {}
    total_mean = parts["total"].mean()
    psa = draws_assumptions(ref_ens.meta)
    for cause in [*CAUSES, "total"]:
        m, _, lo, hi = interval(parts[cause].to_numpy(), level)
        revenue_part = float(rev[cause].mean()) if cause in CAUSES[:6] else 0.0
        rows[cause] = with_outcome({"mean": m, "ci_low": lo, "ci_high": hi},
                                   parts[cause].to_numpy(), level, psa)
        rows[cause].update(share=m / total_mean if total_mean else math.nan,
                           revenue=revenue_part)
    rows["total"]["revenue"] = float(rev["total"].mean())
    # revenue column adds up too: what the event values miss goes to "other"
    rows["other"]["revenue"] = rows["total"]["revenue"] - sum(rows[c]["revenue"]
                                                              for c in CAUSES[:6])
    df = pd.DataFrame.from_dict(rows, orient="index")
    df.index.name = "cause"
    return df


def investment(totals: pd.DataFrame) -> pd.Series:
    """Per run, what a scenario spends on its programmes and its service payroll (a desk's
    wages and any fixed service cost), within the horizon and after it, as a present value at
    the start: a comparison's cost of the change is the difference of this."""
    return (totals["intervention_cost_pv"] + totals["equity_intervention_cost"]
            + totals["fixed_cost_pv"] + totals["equity_fixed_cost"])


def _cumulative_value(ens) -> tuple[np.ndarray, np.ndarray]:
    """Mean cumulative present value of a scenario's profit, step by step within the horizon
    and, after it, of what its held customers bring (womsim.model.valuation: each group runs off
    at its survival x discount per step). Returns (times in years, cumulative values)."""
    from womsim.model.valuation import MAX_LIFETIME_YEARS

    rec = ens.records
    sim = ens.scenario.simulation
    within = rec.groupby("time")["discounted_profit"].mean()
    last = rec[rec["step"] == sim.steps]
    k = np.arange(1, round(MAX_LIFETIME_YEARS / sim.dt) + 1)
    after = np.zeros(k.size)
    for group in ("alt", "noalt"):
        v = last[f"equity_{group}"].to_numpy()[:, None]
        q = last[f"equity_decay_{group}"].to_numpy()[:, None]
        full = 1 - q ** k[-1]
        shape = np.where(full > 0, (1 - q ** k) / np.where(full > 0, full, 1.0), 1.0)
        after += (v * shape).mean(axis=0)
    times = np.concatenate([within.index.to_numpy(), sim.steps * sim.dt + k * sim.dt])
    cum = within.cumsum().to_numpy()
    return times, np.concatenate([cum, cum[-1] + after])


def payback(ref_ens, alt_ens) -> float:
    """Years until the cumulative present value of ``alt``'s gain over ``ref`` turns positive
    for good (within the horizon or after it, on the valuation's basis); NaN if it never
    does within the years valued."""
    times, a = _cumulative_value(alt_ens)
    _, r = _cumulative_value(ref_ens)
    gain = a - r
    if gain[-1] <= 0:
        return math.nan
    below = np.nonzero(gain <= 0)[0]
    return float(times[below[-1] + 1]) if below.size else float(times[0])


def roi_table(comparison, level: float = 0.95) -> pd.DataFrame:
    """ROI and payback of each scenario against the reference (see Comparison.roi)."""
    ref = comparison.ensembles[comparison.reference]
    t_ref = _totals(ref)
    rows = {}
    for name in comparison.names[1:]:
        alt = comparison.ensembles[name]
        t_alt = _totals(alt)
        cost = (investment(t_alt) - investment(t_ref)).to_numpy()
        gain = (t_alt["value_before_investment"] - t_ref["value_before_investment"]).to_numpy()
        net = gain - cost
        m_net, _, lo, hi = interval(net, level)
        extra = float(cost.mean())
        cash = (t_alt["profit"] - t_ref["profit"]).to_numpy()
        cash_pv = (t_alt["profit_pv"] - t_ref["profit_pv"]).to_numpy()
        rows[name] = with_outcome({"extra_cost": extra, "gain_before_cost": float(gain.mean()),
                                   "net_gain": m_net, "ci_low": lo, "ci_high": hi},
                                  net, level, bool(comparison.psa))
        rows[name].update({
            "roi": float(gain.mean()) / extra - 1 if extra > 0 else math.nan,
            "payback_years": payback(ref, alt),
            "cash_within_horizon": float(cash.mean()),
            "cash_within_horizon_pv": float(cash_pv.mean())})
    df = pd.DataFrame.from_dict(rows, orient="index")
    df.index.name = "scenario"
    return df


def plot_waterfall(table: pd.DataFrame, ax: Axes | None = None, title: str = "",
                   **kwargs: Any) -> Axes:
    """Waterfall of a by-cause table (rows = causes, ``mean``, ``ci_low``, ``ci_high``).

    Returns the axes (drawn by :func:`womsim.views.plots.plot_waterfall`, which takes
    ``currency`` and ``positive``).
    """
    from womsim.views.plots import plot_waterfall as draw

    return draw(table, ax=ax, title=title, **kwargs)


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

    def summary(self) -> pd.DataFrame:
        """The value today's service loses, by cause (:meth:`by_cause`, adds up to the
        total; a present value at the start, in the scenario's currency)."""
        return self.by_cause()

    def tables(self) -> dict[str, pd.DataFrame]:
        """What :meth:`to_excel` writes: by cause, the headline and the prices per incident."""
        return {"summary": self.summary(), "total": self.total().to_frame("value"),
                "per incident": self.per_incident()}

    def by_cause(self) -> pd.DataFrame:
        """Profit today loses against the counterfactual, split by cause (adds up exactly).

        Shown rounded, in the scenario's currency; the values stay numbers (``.raw()``)."""
        from womsim.views.display import formatted

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
        from womsim.views.display import formatted

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
        from womsim.views.display import lost_revenue_html

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
        from womsim.model.meanfield import experience_mix

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


def lost_revenue(scenario, network=None, runs: int = 20, seed: int | None = None,
                 target: dict | None = None, executor=None, psa: bool = False,
                 psa_params: list[str] | None = None,
                 progress: bool | None = None) -> LostRevenue:
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
    from womsim.analysis.calibrate import Calibration
    from womsim.analysis.whatif import compare

    today = scenario
    if isinstance(scenario, Calibration):  # its posterior is carried into the intervals
        scenario = scenario.scenario
    cf = counterfactual(scenario, target)
    cmp = compare({"today": today, "counterfactual": cf}, network=network, runs=runs,
                  seed=seed, executor=executor, psa=psa, psa_params=psa_params,
                  progress=progress)
    return LostRevenue(cmp)
