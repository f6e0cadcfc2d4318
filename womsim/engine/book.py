"""The books of a market with segments or rivals: their extra per-step records.

:func:`womsim.engine.step.run` keeps the market's own records; a :class:`MarketBook` runs
the rivals' part of each step (:mod:`womsim.engine.rivals`) and keeps what a segmented or
competitive market adds: records per segment (``seg.<name>.<record>``, adding up to the
market's record exactly; money is valued at each segment's own churn), our market share
and records per rival (``rival.<name>.<record>``). Scenarios with neither never build one,
so their numbers are those of a market without them, bit for bit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from womsim.engine.rivals import RIVAL_RECORDS, rival_step
from womsim.engine.segments import SEGMENT_RECORDS, by_segment, segment_views
from womsim.model.valuation import event_worth, held_value

if TYPE_CHECKING:
    from womsim.model.scenario import Scenario

__all__ = ["MarketBook", "segment_prices"]


def segment_prices(scenario: Scenario, value_hazard: Callable) -> tuple[float, ...]:
    """Each segment's churn hazard that prices its events (its view's, today)."""
    base = scenario.at(-1.0)
    return tuple(value_hazard(v, v.baseline_churn()) for v in segment_views(base))


class MarketBook:
    """Per-step records of segments and rivals for one run (see the module doc)."""

    def __init__(self, scenario, state, steps: int, price, value_hazard: Callable,
                 step_params: Callable) -> None:
        self.scenario = scenario
        self.state = state
        self.step_params = step_params
        self.rec: dict[str, np.ndarray] = {}
        self.segs = tuple(s.name for s in scenario.segments)
        self.rivals = tuple(r.name for r in scenario.rivals)
        cust = state.status == 1
        if self.segs:
            k = len(self.segs)
            seg = state.segment
            state.seg_customers = np.bincount(seg[cust], minlength=k).astype(float)
            self.seg_revenue = np.bincount(seg[cust], weights=state.revenue[cust]
                                           .astype(np.float64), minlength=k)
            prices = price if isinstance(price, tuple) and len(price) == k \
                else segment_prices(scenario, value_hazard)
            self.rem = np.array([event_worth(scenario, h) for h in prices])  # (k, steps)
            for s in self.segs:
                for name in SEGMENT_RECORDS:
                    self.rec[f"seg.{s}.{name}"] = np.zeros(steps)
        if self.rivals:
            k = len(self.rivals)
            self.rival_customers = np.bincount(state.firm[state.status == 3],
                                               minlength=k).astype(float)
            for name in ("rival_customers", "market_share", "lost_to_rival",
                         "won_from_rival", "value_won_from_rival"):
                self.rec[name] = np.zeros(steps)
            for r in self.rivals:
                for name in RIVAL_RECORDS:
                    self.rec[f"rival.{r}.{name}"] = np.zeros(steps)

    # ------------------------------------------------------------------ rivals
    def rivals_step(self, p, t: int, streams, wom, e):
        """The rivals' part of step ``t`` (after ours); None without rivals."""
        if not self.rivals:
            return None
        leavers = np.concatenate([e.exp_left, e.base_left, e.wom_left])
        rv = rival_step(self.state, p.rivals, p, t, streams, wom, leavers)
        self.state.joined = np.concatenate([self.state.joined, rv.won])
        c = rv.counts
        self.rival_customers += c["won_from_us"] + c["acquisitions"] - c["defections"]
        return rv

    # ---------------------------------------------------------------- segments
    def revenue(self, total: float, p, e, rv, dt: float) -> float:
        """The step's revenue: the market's, or the exact sum of the segments' parts."""
        if not self.segs:
            return total
        st, seg, k = self.state, self.state.segment, len(self.segs)
        won = rv.won if rv is not None else np.empty(0, dtype=np.int64)
        gained = np.concatenate([e.won_ref, e.marketing, e.winback, won])
        lost = np.concatenate([e.exp_left, e.base_left, e.wom_left])
        st.seg_customers += by_segment(gained, seg, k) - by_segment(lost, seg, k)
        self.seg_revenue += by_segment(gained, seg, k, st.revenue) \
            - by_segment(lost, seg, k, st.revenue)
        self._revenue = self.seg_revenue * p.segments.revenue_scale * dt
        return float(np.sum(self._revenue))

    def record(self, t: int, r: dict, p, e, rv, worth: float, last: bool, base) -> None:
        """Book step ``t``: the extra records, and the market's value records as the sum
        of the segments' (each priced at its own churn)."""
        if self.segs:
            self._segments(t, r, p, e, rv, last, base)
        if self.rivals:
            c = rv.counts
            ours = float(r["customers"])
            firms = ours + float(self.rival_customers.sum())
            r_ = self.rec
            r_["rival_customers"][t] = self.rival_customers.sum()
            r_["market_share"][t] = ours / firms if firms > 0 else 0.0
            r_["lost_to_rival"][t] = rv.to_rival.size
            r_["won_from_rival"][t] = rv.won.size
            r_["value_won_from_rival"][t] = float(
                self.state.revenue[rv.won].sum(dtype=np.float64)) * worth
            rp = p.rivals
            dt = self.scenario.simulation.dt
            for j, name in enumerate(self.rivals):
                n_j = self.rival_customers[j]
                vals = {"customers": n_j, "market_share": n_j / firms if firms > 0 else 0.0,
                        "revenue": n_j * rp.revenue[j] * dt}
                for key in ("acquisitions", "defections", "problems", "won_from_us",
                            "lost_to_us", "neg_tellings", "pos_tellings"):
                    vals[key] = c[key][j]
                for key, v in vals.items():
                    r_[f"rival.{name}.{key}"][t] = v

    def _segments(self, t, r, p, e, rv, last, base) -> None:
        st, seg, k = self.state, self.state.segment, len(self.segs)
        won = rv.won if rv is not None else np.empty(0, dtype=np.int64)
        worth = p.segments.revenue_scale * self.rem[:, t]

        def count(ids):
            return by_segment(ids, seg, k)

        def value(ids):
            return by_segment(ids, seg, k, st.revenue) * worth

        parts = {
            "customers": st.seg_customers.copy(), "contacts": count(e.contacted),
            "problems": count(e.problem), "complaints": count(e.complainers),
            "unresolved": count(e.unresolved), "defect_experience": count(e.exp_left),
            "defect_wom": count(e.wom_left), "defect_baseline": count(e.base_left),
            "acq_marketing": count(e.marketing), "acq_referral": count(e.won_ref),
            "acq_winback": count(e.winback), "revenue": self._revenue,
            "value_lost_experience": value(e.exp_left), "value_lost_wom": value(e.wom_left),
            "value_lost_baseline": value(e.base_left),
            "value_won_marketing": value(e.marketing), "value_won_referral": value(e.won_ref),
            "value_won_winback": value(e.winback),
        }
        parts["defections"] = parts["defect_experience"] + parts["defect_wom"] \
            + parts["defect_baseline"]
        parts["acquisitions"] = parts["acq_marketing"] + parts["acq_referral"] \
            + parts["acq_winback"] + count(won)
        parts["customer_equity"] = np.zeros(k)
        if last:
            eq = self.held(self.scenario, base, st)
            parts["customer_equity"] = eq.pop("_parts")
            r.update(eq)
        for name in ("value_lost_experience", "value_lost_wom", "value_lost_baseline",
                     "value_won_marketing", "value_won_referral", "value_won_winback"):
            r[name] = float(np.sum(parts[name]))
        for name, v in parts.items():
            for s, label in enumerate(self.segs):
                self.rec[f"seg.{label}.{name}"][t] = v[s]

    def held(self, scenario, base, state) -> dict:
        """The after-horizon records as the sum over segments, each valued through its
        view at its own churn (fixed and programme costs shared by customers held)."""
        seg, k = state.segment, len(self.segs)
        cust = state.status == 1
        views, bases = segment_views(scenario), segment_views(base)
        total_held = max(int(cust.sum()), 1)
        fields = ("value", "revenue", "margin", "service_cost", "fixed_cost",
                  "intervention_cost", "lifetime", "value_alt", "value_noalt")
        out = dict.fromkeys(fields, 0.0)
        decay = {"decay_alt": 0.0, "decay_noalt": 0.0}
        parts = np.zeros(k)
        for s in range(k):
            mine = cust & (seg == s)
            alt, noalt = mine & state.has_alt, mine & ~state.has_alt
            n_s = int(mine.sum())
            h = held_value(views[s], bases[s], bases[s].baseline_churn(), int(alt.sum()),
                           int(noalt.sum()), float(state.revenue[alt].sum(dtype=np.float64)),
                           float(state.revenue[noalt].sum(dtype=np.float64)),
                           self.step_params, cost_share=n_s / total_held)
            parts[s] = h.value
            for f in fields:
                # lifetime: the held customers' mean, weighted by who is held
                out[f] += getattr(h, f) * (n_s / total_held if f == "lifetime" else 1.0)
            for f in decay:
                decay[f] += getattr(h, f) * n_s / total_held
        out["value"] = float(np.sum(parts))
        return {"customer_equity": out["value"], "equity_revenue": out["revenue"],
                "equity_margin": out["margin"], "equity_service_cost": out["service_cost"],
                "equity_fixed_cost": out["fixed_cost"],
                "equity_intervention_cost": out["intervention_cost"],
                "lifetime_after": out["lifetime"], "equity_alt": out["value_alt"],
                "equity_noalt": out["value_noalt"], "equity_decay_alt": decay["decay_alt"],
                "equity_decay_noalt": decay["decay_noalt"], "_parts": parts}
