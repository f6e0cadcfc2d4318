"""Attribution: a paired difference in value split by cause, and the return on a change.

The maths below both :mod:`womsim.analysis.whatif` (a comparison's ``lost_revenue()`` and
``roi()``) and :mod:`womsim.analysis.lostrev` (what today's service costs); it works on
ensembles and comparisons it is given and imports neither.

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
* other: what the event values miss. Each event is priced at the reference's churn hazard,
  but the customers a change keeps (or costs) then churn at the alternative's rate: with a
  better service more of them are still customers at the end of the horizon than the
  prices count, and they pay for longer within it (:func:`other_split` measures both
  parts). It is what makes the parts add up exactly to the total, and it is shown, not
  hidden.

Revenue terms count in profit at the reference scenario's margin.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from womsim.engine.schedule import value_hazard
from womsim.model.valuation import MAX_LIFETIME_YEARS, event_worth
from womsim.results import draws_assumptions, interval, with_outcome

if TYPE_CHECKING:
    from womsim.analysis.whatif import Comparison
    from womsim.results import Ensemble

__all__ = ["CAUSES", "by_cause", "investment", "other_split", "payback", "roi_table"]

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


def by_cause(ref_ens: Ensemble, alt_ens: Ensemble, level: float = 0.95) -> pd.DataFrame:
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


def _events_within(ens, share_within: np.ndarray) -> pd.Series:
    """Per run, the part within the horizon of the events' net value (won minus lost, in
    revenue; ``share_within``: per step, the share of an event's price paid before the
    horizon ends)."""
    rec = ens.records
    won = rec[["value_won_marketing", "value_won_referral", "value_won_winback"]].sum(axis=1)
    lost = rec[["value_lost_experience", "value_lost_wom", "value_lost_baseline"]].sum(axis=1)
    net = won - lost
    within = net * share_within[rec["step"].to_numpy() - 1]
    return within.groupby(rec["run"]).sum()


def other_split(ref_ens: Ensemble, alt_ens: Ensemble, level: float = 0.95
                ) -> pd.DataFrame | None:
    """What the ``other`` cause of :func:`by_cause` holds, split at the horizon.

    The events of both runs are priced at the reference's churn hazard (the price of a
    customer lost or won is the revenue they bring from then on at that hazard). The
    customers a change keeps then churn at the alternative's rate: with a better service
    they stay longer than that price assumes. ``other`` is the value of that gap:

    * ``within the horizon``: the margin they bring within the simulated years beyond what
      the events' prices count for those years;
    * ``after the horizon``: the customers held at the end beyond what the events' prices
      expect to be left by then (``customers_at_end`` less ``customers_at_end_priced``),
      valued at the reference's remaining lifetimes (their longer lives after the horizon
      are "future churn avoided").

    The two rows add up to ``other`` exactly, run by run. Columns ``mean``, ``ci_low``,
    ``ci_high`` (interval of the mean) and, for the horizon row, ``customers_at_end`` (the
    alternative's customers at the end less the reference's, mean of the runs) and
    ``customers_at_end_priced`` (the same difference as the events' prices expect it: each
    customer won or lost survives to the end at the reference's churn hazard). ``None`` for
    a segmented market (its events are priced per segment; see ``by_segment``).

    Examples
    --------
    >>> import womsim as wom
    >>> sc = wom.Scenario.preset("telecom").replace(**{"market.people": 2000})
    >>> cmp = wom.compare({"today": sc, "better": sc.what_if(**{"service.problem_rate": 0.0})},
    ...                   runs=2, seed=1, executor="serial", progress=False)
    >>> ref, alt = cmp.ensembles["today"], cmp.ensembles["better"]
    >>> split = other_split(ref, alt)
    >>> bool(np.isclose(split["mean"].sum(), by_cause(ref, alt).loc["other", "mean"]))
    True
    """
    sc = ref_ens.scenario
    if sc.segments:
        return None
    base = sc.at(-1.0)
    hazard = value_hazard(base, base.baseline_churn())  # the price compare() gives both
    full = event_worth(sc, hazard)
    inside = event_worth(sc.replace(**{"economics.value_horizon": "horizon"}), hazard)
    share_within = np.divide(inside, full, out=np.ones_like(full), where=full > 0)
    ref, alt = _totals(ref_ens), _totals(alt_ens)
    margin = sc.economics.margin
    parts = _parts(ref, alt, margin)
    in_ref = _events_within(ref_ens, share_within)
    in_alt = _events_within(alt_ens, share_within)
    within = margin * ((alt["revenue_pv"] - ref["revenue_pv"]) - (in_alt - in_ref))
    after = parts["other"] - within  # the rest of other: the held customers' value gap
    steps, dt = sc.simulation.steps, sc.simulation.dt

    def priced_at_end(ens) -> pd.Series:
        rec = ens.records
        survive = np.exp(-hazard * dt * (steps - rec["step"].to_numpy()))
        return ((rec["acquisitions"] - rec["defections"]) * survive).groupby(rec["run"]).sum()

    def at_end(ens) -> pd.Series:
        return ens.records.groupby("run")["customers"].last()

    rows = {}
    for name, values in (("within the horizon", within), ("after the horizon", after)):
        m, _, lo, hi = interval(values.to_numpy(), level)
        rows[name] = {"mean": m, "ci_low": lo, "ci_high": hi}
    rows["after the horizon"].update(
        customers_at_end=float((at_end(alt_ens) - at_end(ref_ens)).mean()),
        customers_at_end_priced=float((priced_at_end(alt_ens) - priced_at_end(ref_ens)).mean()))
    df = pd.DataFrame.from_dict(rows, orient="index")
    df.index.name = "part of other"
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


def payback(ref_ens: Ensemble, alt_ens: Ensemble) -> float:
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


def roi_table(comparison: Comparison, level: float = 0.95) -> pd.DataFrame:
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
