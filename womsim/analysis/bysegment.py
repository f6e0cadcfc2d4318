"""Results of a segmented market split by segment, adding up to the market's total.

The engine books every customer event of a segmented market in that segment
(``seg.<name>.<record>``, :mod:`womsim.engine.segments`) and the segments' records add up
to the market's record exactly. What follows from them splits exactly too: customers held,
lost and won, contacts and problems, revenue and margin, the value of each event (customers
lost through their own experience, through word of mouth and to baseline churn, prospects
won by marketing, referral or win-back) and the value of the customers held at the horizon
(their remaining lifetimes, each segment at its own churn, with the costs that follow them;
the engine shares the fixed and programme costs after the horizon by customers held).

A segment's value is therefore its margin within the horizon (a present value at the
start) plus the value of its customers held at the horizon. What is *not* split are the
costs within the horizon (acquisition spend, service cost and payroll, programme costs):
the engine books them for the market, not per customer. A table here puts them on a row of
their own, ``market level (not split by segment)``, rather than apportioning them
silently, so the segments' rows plus that row add up to the ``total`` row (to float
rounding: the total is taken from the market's own records).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from womsim.analysis.attribution import _parts, _totals
from womsim.core.errors import WomsimError
from womsim.results import interval, segment_totals
from womsim.views.display import formatted

if TYPE_CHECKING:
    from womsim.results import Ensemble

__all__ = ["MARKET_LEVEL", "SPLIT_CAUSES", "TOTAL", "add_up", "ensemble_by_segment",
           "pair_by_segment"]

#: The causes of a paired difference in value that split exactly by segment.
SPLIT_CAUSES = ("own experience", "word of mouth", "prospects deterred", "referrals forgone",
                "baseline churn")
#: The row holding what is not split by segment, and the market's total row.
MARKET_LEVEL = "market level (not split by segment)"
TOTAL = "total"


def _column_sum(col: pd.Series) -> float:
    """A column's rows summed as a reader sums them (``table.drop("total").sum()``)."""
    return float(col.fillna(0.0).sum())


def add_up(df: pd.DataFrame, anchored: tuple[str, ...] = (), skip: tuple[str, ...] = ()
           ) -> pd.DataFrame:
    """Make the rows above :data:`TOTAL` add up to it exactly, column by column.

    A column in ``anchored`` keeps its total (the market's own figure) and its
    :data:`MARKET_LEVEL` row, the residual, is set so that the rows add up to it to the
    last bit; where float arithmetic cannot reach that total from the segments' rows (a
    residual that cancels them almost exactly), the total becomes the rows' sum instead.
    Every other column's total is the sum of the rows above. Columns in ``skip`` (the
    intervals: they do not add up) are left alone. Changes ``df`` in place and returns it.

    Examples
    --------
    >>> df = pd.DataFrame({"v": [0.1, 0.2, 0.0, 0.3]},
    ...                   index=["a", "b", MARKET_LEVEL, TOTAL])
    >>> t = add_up(df, anchored=("v",))
    >>> t["v"].drop(TOTAL).sum() == t.loc[TOTAL, "v"] == 0.3
    True
    """
    above = df.index != TOTAL
    for c in df.columns:
        if c in skip:
            continue
        if c in anchored:
            total = float(df.loc[TOTAL, c])
            rest = df.loc[above & (df.index != MARKET_LEVEL), c]
            r = total - _column_sum(rest)
            for _ in range(8):  # a few ulps at most when the residual is not tiny
                df.loc[MARKET_LEVEL, c] = r
                got = _column_sum(df.loc[above, c])
                if got == total:
                    break
                r = float(np.nextafter(r, np.inf if got < total else -np.inf))
            else:
                df.loc[MARKET_LEVEL, c] = total - _column_sum(rest)
        df.loc[TOTAL, c] = _column_sum(df.loc[above, c])
    return df


def _names(ens: Ensemble) -> list[str]:
    names = [s.name for s in ens.scenario.segments]
    if not names:
        raise WomsimError(f"scenario '{ens.scenario.name}' has no segments: there is nothing "
                          "to split by segment")
    return names


def _segment_parts(seg: str, ref: pd.DataFrame, alt: pd.DataFrame,
                   margin: float) -> dict[str, np.ndarray]:
    """Per run, a segment's part of each split cause (alt's gain over ref, as
    :func:`womsim.analysis.attribution._parts` defines them for the market)."""
    def d(metric: str) -> np.ndarray:  # alt less ref
        return (alt[(seg, metric)] - ref[(seg, metric)]).to_numpy(dtype=float)

    return {"own experience": -margin * d("value_lost_experience"),
            "word of mouth": -margin * d("value_lost_wom"),
            "prospects deterred": margin * (d("value_won_marketing") + d("value_won_winback")),
            "referrals forgone": margin * d("value_won_referral"),
            "baseline churn": -margin * d("value_lost_baseline")}


def segment_values(ens: Ensemble) -> pd.DataFrame:
    """Per run (rows) and segment (columns): the segment's value, a present value at the
    start: its margin within the horizon (its revenue at the step's margin rate, discounted)
    plus the value of its customers held at the horizon. The market's value less their sum
    is the costs within the horizon (see the module notes)."""
    names = _names(ens)
    rec = ens.records
    rev = rec["revenue"].to_numpy(dtype=float)
    # the step's margin rate (the market's margin / revenue: the engine's one rate per step)
    rate = np.divide(rec["margin"].to_numpy(dtype=float), rev, out=np.zeros_like(rev),
                     where=rev != 0)
    w = rate * rec["discount"].to_numpy(dtype=float)
    out = {}
    for s in names:
        within = rec[f"seg.{s}.revenue"].to_numpy(dtype=float) * w
        after = rec[f"seg.{s}.customer_equity"].to_numpy(dtype=float)
        out[s] = pd.Series(within + after, index=rec.index).groupby(rec["run"]).sum()
    return pd.DataFrame(out)


def _costs_within(totals: pd.DataFrame) -> np.ndarray:
    """Per run, the costs within the horizon as a present value (acquisition spend, service
    cost and payroll, programme costs): the part of the value the engine books for the
    market only."""
    return (totals["acquisition_spend_pv"] + totals["service_cost_pv"]
            + totals["intervention_cost_pv"]).to_numpy(dtype=float)


def pair_by_segment(ref_ens: Ensemble, alt_ens: Ensemble, lost: bool = True,
                    level: float = 0.95) -> pd.DataFrame:
    """A paired difference split by segment: what ``alt`` earns over ``ref``, per segment.

    With ``lost=True`` the labels read as what ``ref`` loses against ``alt`` (today
    against the counterfactual, the scenario with an incident against it without); with
    ``lost=False`` as what ``alt`` gains over the reference ``ref``. The numbers are the
    same either way.

    Rows: one per segment, :data:`MARKET_LEVEL` (the costs within the horizon, which are
    not split, see the module notes) and :data:`TOTAL` (from the market's records); the
    rows above the total add up to it, column by column. Columns: the value (a present
    value at the start: the horizon plus the remaining lifetimes, in the scenario's
    currency) with its paired ``level`` interval; its parts: the five causes booked per
    customer event (own experience, word of mouth, prospects deterred, referrals forgone,
    baseline churn), the rest of the segment's value (the longer or shorter lives of the
    customers held at the horizon and knock-on effects: "future churn avoided and other")
    and the costs within the horizon (market level only); then the revenue within the
    horizon (cash), customers lost (defections), customers fewer at the end and problems.

    Examples
    --------
    >>> import womsim as wom
    >>> sc = wom.Scenario(market={"people": 2000}, simulation={"horizon_years": 0.5},
    ...                   segments=[{"name": "consumer", "share": 0.8},
    ...                             {"name": "business", "share": 0.2}])
    >>> lr = wom.lost_revenue(sc, runs=2, seed=1, executor="serial")
    >>> t = pair_by_segment(lr.today, lr.target)
    >>> list(t.index)
    ['consumer', 'business', 'market level (not split by segment)', 'total']
    """
    names = _names(ref_ens)
    if [s.name for s in alt_ens.scenario.segments] != names:
        raise WomsimError(f"'{alt_ens.scenario.name}' and '{ref_ens.scenario.name}' have "
                          "different segments: a split by segment pairs the same segments")
    cur = ref_ens.scenario.economics.currency
    margin = ref_ens.scenario.economics.margin
    sref, salt = segment_totals(ref_ens), segment_totals(alt_ens)
    tref, talt = _totals(ref_ens), _totals(alt_ens)
    parts = _parts(tref, talt, margin)
    vref, valt = segment_values(ref_ens), segment_values(alt_ens)
    what = "value lost" if lost else "net gain"
    value = f"{what} ({cur}, present value at the start, lifetimes included)"
    cols = {c: f"{what}: {c} ({cur}, present value)" for c in SPLIT_CAUSES}
    rest = f"{what}: future churn avoided and other ({cur}, present value)"
    costs = f"{what}: costs within the horizon, not split ({cur}, present value)"
    counts = {"revenue": f"revenue {'lost' if lost else 'gained'} within the horizon "
                         f"({cur}, cash)",
              "defections": ("customers lost (extra defections, people)" if lost
                             else "defections avoided (people)"),
              "customers": ("customers fewer at the end (people)" if lost
                            else "customers more at the end (people)"),
              "problems": ("extra problems (contacts)" if lost
                           else "problems avoided (contacts)")}
    # signs: the value and revenue are alt over ref; the people and contacts read as ref's
    # excess (defections, problems) or alt's (customers held)
    sign = {"revenue": 1.0, "defections": -1.0, "customers": 1.0, "problems": -1.0}

    def people(seg: str) -> dict[str, np.ndarray]:
        return {label: sign[m] * (salt[(seg, m)] - sref[(seg, m)]).to_numpy(dtype=float)
                for m, label in counts.items()}

    n = len(tref)
    per_run: dict[str, dict[str, np.ndarray]] = {}
    for seg in names:
        sp = _segment_parts(seg, sref, salt, margin)
        v = (valt[seg] - vref[seg]).to_numpy(dtype=float)
        per_run[seg] = {value: v, **{cols[c]: sp[c] for c in SPLIT_CAUSES},
                        rest: v - sum(sp.values()), costs: np.full(n, np.nan),
                        **people(seg)}
    total_v = parts["total"].to_numpy(dtype=float)
    total_costs = _costs_within(tref) - _costs_within(talt)
    split = {cols[c]: parts[c].to_numpy(dtype=float) for c in SPLIT_CAUSES}
    per_run[TOTAL] = {value: total_v, **split,
                      rest: total_v - total_costs - sum(split.values()),
                      costs: total_costs, **people(TOTAL)}
    # the market's value less the segments': the costs within the horizon, which the engine
    # books for the market only (to float rounding; everything else splits exactly)
    market = {k: np.zeros(n) for k in per_run[TOTAL]}
    market[value] = total_v - sum(per_run[s][value] for s in names)
    market[costs] = market[value]
    per_run = {**{s: per_run[s] for s in names}, MARKET_LEVEL: market, TOTAL: per_run[TOTAL]}

    lo_col, hi_col = f"{what}: {level:.0%} CI low", f"{what}: {level:.0%} CI high"
    rows = {}
    for seg, row in per_run.items():
        m, _, lo, hi = interval(row[value], level)
        out = {value: m, lo_col: lo, hi_col: hi}
        for c in (*cols.values(), rest, costs, *counts.values()):
            out[c] = float(np.mean(row[c]))
        rows[seg] = out
    df = pd.DataFrame.from_dict(rows, orient="index")
    df.index.name = "segment"
    # the costs within the horizon are the market-level row's value: the same residual
    add_up(df, anchored=(value,), skip=(lo_col, hi_col, costs))
    df.loc[MARKET_LEVEL, costs] = df.loc[TOTAL, costs] = df.loc[MARKET_LEVEL, value]
    kinds = {c: "money" for c in (value, lo_col, hi_col, *cols.values(), rest, costs,
                                  counts["revenue"])}
    kinds.update({counts[k]: "count" for k in ("defections", "customers", "problems")})
    return formatted(df, kinds)


def ensemble_by_segment(ens: Ensemble) -> pd.DataFrame:
    """One scenario's headline numbers per segment (means over runs): one row per segment,
    :data:`MARKET_LEVEL` and the market's ``total`` (its value from its own records, its
    people and revenue the segments' sum); the rows above the total add up to it.

    Customers held, lost and won, revenue and problems split exactly (the market-level row
    holds 0). The value (a present value at the start: margin within the horizon plus the
    customers held at the horizon over their remaining lifetimes) splits too, except the
    costs within the horizon (acquisition spend, service cost and payroll, programmes),
    which the engine books for the market: they are the market-level row's value.

    Examples
    --------
    >>> import womsim as wom
    >>> sc = wom.Scenario(market={"people": 2000}, simulation={"horizon_years": 0.5},
    ...                   segments=[{"name": "consumer", "share": 0.8},
    ...                             {"name": "business", "share": 0.2}])
    >>> t = ensemble_by_segment(wom.simulate(sc, runs=2, seed=1, executor="serial"))
    >>> list(t.index)
    ['consumer', 'business', 'market level (not split by segment)', 'total']
    """
    names = _names(ens)
    cur = ens.scenario.economics.currency
    per = segment_totals(ens)
    vals = segment_values(ens)
    totals = _totals(ens)
    value = f"value ({cur}, present value at the start, lifetimes included)"
    after = f"of which customers held at the horizon ({cur}, present value)"
    costs = f"costs within the horizon, not split ({cur}, present value)"
    counts = {"customers at the end (people)": "customers",
              "customers lost (defections, people)": "defections",
              "of which through word of mouth (people)": "defect_wom",
              "customers won (people)": "acquisitions",
              f"revenue within the horizon ({cur}, cash)": "revenue",
              "problems (contacts)": "problems"}
    rows: dict[str, dict[str, float]] = {}
    for s in [*names, TOTAL]:
        row = {label: float(per[(s, m)].mean()) for label, m in counts.items()}
        if s == TOTAL:
            # each run's total is the exact sum of its segments', but a sum of means can
            # differ from the mean of sums in the last bit: the total row is the segments'
            # sum, so that the rows add up to it exactly
            row = {label: float(sum(rows[g][label] for g in names)) for label in counts}
            row[value] = float(totals["value"].mean())
            row[costs] = -float(_costs_within(totals).mean())
        else:
            row[value] = float(vals[s].mean())
            row[costs] = np.nan
        row[after] = float(per[(s, "customer_equity")].mean()) if s != TOTAL \
            else float(sum(rows[g][after] for g in names))
        rows[s] = row
    market = dict.fromkeys(rows[TOTAL], 0.0)
    market[value] = market[costs] = rows[TOTAL][value] - sum(rows[s][value] for s in names)
    rows = {**{s: rows[s] for s in names}, MARKET_LEVEL: market, TOTAL: rows[TOTAL]}
    order = [value, after, costs, *counts]
    df = pd.DataFrame.from_dict(rows, orient="index")[order]
    df.index.name = "segment"
    add_up(df, anchored=(value,), skip=(costs,))
    df.loc[MARKET_LEVEL, costs] = df.loc[MARKET_LEVEL, value]
    df.loc[TOTAL, costs] = df.loc[MARKET_LEVEL, value]
    kinds = {c: ("money" if f"({cur}," in c else "count") for c in order}
    return formatted(df, kinds)
