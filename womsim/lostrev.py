"""Lost revenue: what today's service costs, split by cause and priced per incident.

What is compared is *value*: profit over the horizon plus the customer equity at its end
(the remaining lifetime value of the customers left, see ``economics.value_horizon``), so
that a customer won late in the horizon is not worth less than its cost of acquisition.

How the split works. Each run records, per event, the revenue the person brings over the
rest of their expected lifetime (what they pay per year x the expected years they stay at
today's churn hazard, discounted beyond the horizon). The difference between two paired
runs is then split into:

* customers lost through their own experience (value of experience defections);
* customers lost through word of mouth (value of word-of-mouth defections);
* prospects deterred (value of marketing acquisitions and win-backs not made);
* referrals forgone (value of referral acquisitions not made);
* baseline churn (more customers also means more ordinary churn: usually negative);
* future churn avoided: with a better service every customer left at the end stays longer; this
  is the extra lifetime value of the whole remaining base (0 when only the horizon counts);
* extra acquisition spend, service cost and intervention cost (money, not revenue);
* other: knock-on effects the event values miss (people who would have come back, timing
  within the horizon). It is what makes the parts add up exactly to the total, and it is
  shown, not hidden.

Revenue terms count in profit at the reference scenario's margin.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from womsim.results import interval

__all__ = ["LostRevenue", "by_cause", "lost_revenue", "plot_waterfall", "roi_table"]

CAUSES = (
    "own experience", "word of mouth", "prospects deterred", "referrals forgone",
    "baseline churn", "future churn avoided", "acquisition spend", "service cost",
    "intervention cost", "other",
)


def _totals(ens) -> pd.DataFrame:
    """Per-run sums of the value records."""
    cols = ["value_lost_experience", "value_lost_wom", "value_lost_baseline",
            "value_won_marketing", "value_won_referral", "value_won_winback", "revenue",
            "profit", "customer_equity", "equity_revenue", "acquisition_spend", "service_cost",
            "intervention_cost",
            "neg_tellings_strong", "neg_tellings_weak", "neg_tellings_silent", "silent",
            "unresolved", "defect_silent", "defect_unresolved", "defect_experience"]
    out = ens.records.groupby("run")[cols].sum()
    out["lifetime_after"] = ens.records.groupby("run")["lifetime_after"].first()
    return out


def _parts(ref: pd.DataFrame, alt: pd.DataFrame, margin: float, revenue: bool = False
           ) -> pd.DataFrame:
    """Per-run contributions (alt - ref) of each cause, in profit (or in revenue); rows =
    runs."""
    if revenue:
        margin = 1.0
    p = pd.DataFrame(index=ref.index)
    p["own experience"] = margin * (ref["value_lost_experience"] - alt["value_lost_experience"])
    p["word of mouth"] = margin * (ref["value_lost_wom"] - alt["value_lost_wom"])
    won = ["value_won_marketing", "value_won_winback"]
    p["prospects deterred"] = margin * (alt[won].sum(axis=1) - ref[won].sum(axis=1))
    p["referrals forgone"] = margin * (alt["value_won_referral"] - ref["value_won_referral"])
    p["baseline churn"] = margin * (ref["value_lost_baseline"] - alt["value_lost_baseline"])
    # the alternative's remaining customers live longer (or shorter) than today's: the part
    # of its end-of-horizon equity that today's lifetime would not give
    ratio = np.where(alt["lifetime_after"] > 0,
                     1 - ref["lifetime_after"] / alt["lifetime_after"].where(
                         alt["lifetime_after"] > 0, 1.0), 0.0)
    equity = alt["equity_revenue"] if revenue else alt["customer_equity"]
    p["future churn avoided"] = equity * ratio
    p["acquisition spend"] = ref["acquisition_spend"] - alt["acquisition_spend"]
    # retention cost of the customers left at the end over their remaining lifetime, priced
    # at today's lifetime (the alternative's longer life is in "future churn avoided")
    after_ref = margin * ref["equity_revenue"] - ref["customer_equity"]
    after_alt = (margin * alt["equity_revenue"] - alt["customer_equity"]) * (1 - ratio)
    p["service cost"] = (ref["service_cost"] - alt["service_cost"]) + (after_ref - after_alt)
    if revenue:
        p[["acquisition spend", "service cost"]] = 0.0
    p["intervention cost"] = ref["intervention_cost"] - alt["intervention_cost"]
    total = (alt["profit"] + alt["customer_equity"]) - (ref["profit"] + ref["customer_equity"])
    p["other"] = total - p.sum(axis=1)
    p["total"] = total
    return p


def by_cause(ref_ens, alt_ens, level: float = 0.95) -> pd.DataFrame:
    """The profit ``alt`` earns over ``ref``, split by cause, with paired intervals.

    Rows are the causes plus ``total`` (the sum of the causes, exactly); columns ``mean``,
    ``ci_low``, ``ci_high``, ``share`` (of the total) and ``revenue`` (the revenue part of
    each cause, before margin).
    """
    margin = ref_ens.scenario.economics.margin
    ref, alt = _totals(ref_ens), _totals(alt_ens)
    parts = _parts(ref, alt, margin)
    rev = _parts(ref, alt, margin, revenue=True)
    rows = {}
    total_mean = parts["total"].mean()
    for cause in [*CAUSES, "total"]:
        m, _, lo, hi = interval(parts[cause].to_numpy(), level)
        revenue_part = float(rev[cause].mean()) if cause in CAUSES[:6] else 0.0
        rows[cause] = {"mean": m, "ci_low": lo, "ci_high": hi,
                       "share": m / total_mean if total_mean else math.nan,
                       "revenue": revenue_part}
    rows["total"]["revenue"] = float((alt["revenue"] + alt["equity_revenue"]
                                      - ref["revenue"] - ref["equity_revenue"]).mean())
    # revenue column adds up too: what the event values miss goes to "other"
    rows["other"]["revenue"] = rows["total"]["revenue"] - sum(rows[c]["revenue"]
                                                              for c in CAUSES[:6])
    df = pd.DataFrame.from_dict(rows, orient="index")
    df.index.name = "cause"
    return df


def roi_table(comparison, level: float = 0.95) -> pd.DataFrame:
    """ROI and payback of each scenario against the reference (see Comparison.roi)."""
    ref = comparison.ensembles[comparison.reference]
    rows = {}
    for name in comparison.names[1:]:
        alt = comparison.ensembles[name]
        d = alt.runs - ref.runs
        cost = d["intervention_cost"].to_numpy()
        net = d["value"].to_numpy()
        gain = net + cost
        m_net, _, lo, hi = interval(net, level)
        extra = float(cost.mean())
        cum = (alt.records.groupby("time")["profit"].mean()
               - ref.records.groupby("time")["profit"].mean()).cumsum()
        positive = cum[cum > 0]
        payback = float(positive.index[0]) if len(positive) and cum.iloc[-1] > 0 else math.nan
        rows[name] = {"extra_cost": extra, "gain_before_cost": float(gain.mean()),
                      "net_gain": m_net, "ci_low": lo, "ci_high": hi,
                      "roi": m_net / extra if extra > 0 else math.nan,
                      "payback_years": payback}
    df = pd.DataFrame.from_dict(rows, orient="index")
    df.index.name = "scenario"
    return df


def plot_waterfall(table: pd.DataFrame, ax=None, title: str = ""):
    """Waterfall of a by-cause table (rows = causes, ``mean``, ``ci_low``, ``ci_high``).

    Returns the axes (drawn by :func:`womsim.plots.plot_waterfall`).
    """
    from womsim.plots import plot_waterfall as draw

    return draw(table, ax=ax, title=title)


class LostRevenue:
    """What today's service costs against a counterfactual, by cause and per incident.

    Attributes
    ----------
    comparison : Comparison
        Today (reference) and the counterfactual.
    """

    def __init__(self, comparison, level: float = 0.95) -> None:
        self.comparison = comparison
        self.level = level
        self.today = comparison.ensembles[comparison.reference]
        self.target = comparison.ensembles[comparison.names[1]]

    def by_cause(self) -> pd.DataFrame:
        """Profit today loses against the counterfactual, split by cause (adds up exactly)."""
        return by_cause(self.today, self.target, self.level)

    def total(self) -> pd.Series:
        """The headline: value (profit + customer equity) and revenue lost, with the interval;
        also the part that falls within the simulated horizon (cash only), so a client can
        see how much of the answer rests on customers' future lifetimes."""
        t = self.by_cause().loc["total"]
        cash = (self.target.runs["profit"] - self.today.runs["profit"]).to_numpy()
        m, _, lo, hi = interval(cash, self.level)
        return pd.Series({"value_lost": t["mean"], "ci_low": t["ci_low"],
                          "ci_high": t["ci_high"], "revenue_lost": t["revenue"],
                          "cash_lost_within_horizon": m, "within_ci_low": lo,
                          "within_ci_high": hi,
                          "horizon_years": self.today.scenario.simulation.horizon_years})

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
        per_silent = (per_defection * ref["defect_silent"] + per_telling * tell_silent) / silent
        per_unres = (per_defection * ref["defect_unresolved"] + per_telling * tell_unres) / unres
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
        return df

    def plot(self, ax=None):
        """Waterfall of :meth:`by_cause`. Returns the axes."""
        return plot_waterfall(self.by_cause(), ax=ax,
                              title="value lost to today's service, by cause")

    def __repr__(self) -> str:
        t = self.total()
        return (f"LostRevenue: today's service costs {t['value_lost']:,.0f} in value "
                f"({t['ci_low']:,.0f} to {t['ci_high']:,.0f}) and {t['revenue_lost']:,.0f} "
                f"in revenue over {t['horizon_years']:g} years")

    def _repr_html_(self) -> str:
        from womsim.display import lost_revenue_html

        return lost_revenue_html(self)


def counterfactual(scenario, target: dict | None = None):
    """Today's scenario with its problems removed (or set to ``target`` changes).

    With no target, problems become satisfied contacts (delight unchanged) and a service
    desk is replaced by its current fixed mix without problems. Interventions are kept.
    """
    # a counterfactual is an alternative to today: today's hidden rates are kept
    if target:
        return scenario.what_if(**target)
    if scenario.desk is not None:
        from womsim.calibration import experience_mix

        load = (scenario.market.people * scenario.market.customer_share
                * scenario.service.contact_rate)
        d, _, _ = (float(x) for x in experience_mix(scenario, load))
        base = scenario.pinned().model_copy(update={"desk": None})
        return base.replace(**{"service.problem_rate": 0.0, "service.delight_rate": d})
    return scenario.what_if(**{"service.problem_rate": 0.0})


def lost_revenue(scenario, network=None, runs: int = 20, seed: int | None = None,
                 target: dict | None = None, executor=None, psa: bool = False,
                 psa_params: list[str] | None = None,
                 progress: bool | None = None) -> LostRevenue:
    """What today's service costs: today against a counterfactual without problems.

    Parameters
    ----------
    scenario : Scenario
        Today.
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
    from womsim.whatif import compare

    cf = counterfactual(scenario, target)
    cmp = compare({"today": scenario, "counterfactual": cf}, network=network, runs=runs,
                  seed=seed, executor=executor, psa=psa, psa_params=psa_params,
                  progress=progress)
    return LostRevenue(cmp)
