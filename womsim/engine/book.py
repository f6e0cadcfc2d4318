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
from typing import TYPE_CHECKING, Any

import numpy as np

from womsim.engine.rivals import RIVAL_RECORDS, RivalEvents, rival_step
from womsim.engine.segments import SEGMENT_RECORDS, segment_views
from womsim.engine.tally import tally, tally_groups
from womsim.model.valuation import event_worth, held_value

if TYPE_CHECKING:
    from womsim.engine.rng import Streams
    from womsim.engine.step import Events, State, StepParams, _WordOfMouth
    from womsim.model.scenario import Scenario

__all__ = ["MarketBook", "segment_prices"]

_EMPTY = np.empty(0, dtype=np.int64)


def segment_prices(scenario: Scenario, value_hazard: Callable) -> tuple[float, ...]:
    """Each segment's churn hazard that prices its events (its view's, today)."""
    base = scenario.at(-1.0)
    return tuple(value_hazard(v, v.baseline_churn()) for v in segment_views(base))


# the records of a step counted per segment, in the order revenue() tallies them
_COUNTED = ("contacts", "problems", "complaints", "unresolved", "defect_experience",
            "defect_wom", "defect_baseline", "acq_marketing", "acq_referral", "acq_winback")
# the events valued per segment (the customers' yearly revenue), same order; "won" last
_VALUED = ("value_lost_experience", "value_lost_wom", "value_lost_baseline",
           "value_won_marketing", "value_won_referral", "value_won_winback")


class MarketBook:
    """Per-step records of segments and rivals for one run (see the module doc)."""

    def __init__(self, scenario: Scenario, state: State, steps: int,
                 price: float | tuple[float, ...] | None, value_hazard: Callable,
                 step_params: Callable) -> None:
        self.scenario = scenario
        self.state = state
        self.step_params = step_params
        self.rec: dict[str, np.ndarray] = {}
        self.segs = tuple(s.name for s in scenario.segments)
        self.rivals = tuple(r.name for r in scenario.rivals)
        if self.segs:
            k = len(self.segs)
            # customers and their revenue per segment: one compiled pass over the customers
            # (the same sums, in the same order, as a bincount of their labels)
            state.seg_customers, self.seg_revenue = np.zeros(k), np.zeros(k)
            tally(np.flatnonzero(state.status == 1), self._segment(), state.revenue,
                  state.seg_customers, self.seg_revenue)
            prices = price if isinstance(price, tuple) and len(price) == k \
                else segment_prices(scenario, value_hazard)
            self.rem = np.array([event_worth(scenario, h) for h in prices])  # (k, steps)
            # one block (record, segment, step) written a step at a time; the records are
            # views of it, so a step's 21 x k numbers are one assignment, not 21 x k
            self.seg_block = np.zeros((len(SEGMENT_RECORDS), k, steps))
            for s, label in enumerate(self.segs):
                for i, name in enumerate(SEGMENT_RECORDS):
                    self.rec[f"seg.{label}.{name}"] = self.seg_block[i, s]
            self._counts = np.zeros((len(_COUNTED) + 1, k))
            self._values = np.zeros((len(_VALUED) + 1, k))
            self._revenue = np.zeros(k)
        if self.rivals:
            k = len(self.rivals)
            assert state.firm is not None  # a scenario with rivals has their customers' firms
            self.rival_customers = np.bincount(state.firm[state.status == 3],
                                               minlength=k).astype(float)
            for name in ("rival_customers", "market_share", "lost_to_rival",
                         "won_from_rival", "value_won_from_rival"):
                self.rec[name] = np.zeros(steps)
            for r in self.rivals:
                for name in RIVAL_RECORDS:
                    self.rec[f"rival.{r}.{name}"] = np.zeros(steps)

    def _segment(self) -> np.ndarray:
        seg = self.state.segment
        assert seg is not None  # a segmented scenario's people all have a segment
        return seg

    # ------------------------------------------------------------------ rivals
    def rivals_step(self, p: StepParams, t: int, streams: Streams, wom: _WordOfMouth,
                    e: Events) -> RivalEvents | None:
        """The rivals' part of step ``t`` (after ours); None without rivals."""
        if not self.rivals:
            return None
        assert p.rivals is not None  # the step's numbers of a scenario with rivals
        leavers = np.concatenate([e.exp_left, e.base_left, e.wom_left])
        rv = rival_step(self.state, p.rivals, p, t, streams, wom, leavers)
        self.state.joined = np.concatenate([self.state.joined, rv.won])
        c = rv.counts
        self.rival_customers += c["won_from_us"] + c["acquisitions"] - c["defections"]
        return rv

    # ---------------------------------------------------------------- segments
    def revenue(self, total: float, p: StepParams, e: Events, rv: RivalEvents | None,
                dt: float) -> float:
        """The step's revenue: the market's, or the exact sum of the segments' parts.

        In a segmented market this also tallies the step's events per segment (counts
        and values), which :meth:`record` books."""
        if not self.segs:
            return total
        assert p.segments is not None  # the step's numbers of a segmented scenario
        st, seg = self.state, self._segment()
        assert st.seg_customers is not None  # kept from __init__ on
        won = rv.won if rv is not None else _EMPTY
        c, v = self._counts, self._values
        c[:] = 0.0
        v[:] = 0.0
        # one compiled pass over the groups; the last seven are also valued (by revenue)
        tally_groups((e.contacted, e.problem, e.complainers, e.unresolved, e.exp_left,
                      e.wom_left, e.base_left, e.marketing, e.won_ref, e.winback, won),
                     seg, st.revenue, c, v, 4)
        st.seg_customers += c[7] + c[8] + c[9] + c[10] - (c[4] + c[6] + c[5])
        self.seg_revenue += v[3] + v[4] + v[5] + v[6] - (v[0] + v[2] + v[1])
        self._revenue = self.seg_revenue * p.segments.revenue_scale * dt
        return float(np.sum(self._revenue))

    def record(self, t: int, r: dict[str, Any], p: StepParams, e: Events,
               rv: RivalEvents | None, worth: float, last: bool, base: Scenario) -> None:
        """Book step ``t`` (after :meth:`revenue`): the extra records, and the market's
        value records as the sum of the segments' (each priced at its own churn)."""
        if self.segs:
            self._segments(t, r, p, last, base)
        if self.rivals:
            assert rv is not None and p.rivals is not None  # rivals_step ran this step
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
                for key, x in vals.items():
                    r_[f"rival.{name}.{key}"][t] = x

    def _segments(self, t: int, r: dict[str, Any], p: StepParams, last: bool,
                  base: Scenario) -> None:
        assert p.segments is not None and self.state.seg_customers is not None
        k = len(self.segs)
        c = self._counts
        worth = p.segments.revenue_scale * self.rem[:, t]
        values = self._values[:6] * worth
        parts = dict(zip(_COUNTED, c[:10], strict=True))
        parts.update(zip(_VALUED, values, strict=True))
        parts["customers"] = self.state.seg_customers.copy()
        parts["revenue"] = self._revenue
        parts["defections"] = c[4] + c[5] + c[6]
        parts["acquisitions"] = c[7] + c[8] + c[9] + c[10]
        parts["customer_equity"] = np.zeros(k)
        if last:
            eq = self.held(self.scenario, base, self.state)
            parts["customer_equity"] = eq.pop("_parts")
            r.update(eq)
        for name, x in zip(_VALUED, values, strict=True):
            r[name] = float(np.sum(x))
        self.seg_block[:, :, t] = [parts[name] for name in SEGMENT_RECORDS]

    def held(self, scenario: Scenario, base: Scenario, state: State) -> dict[str, Any]:
        """The after-horizon records as the sum over segments, each valued through its
        view at its own churn (fixed and programme costs shared by customers held)."""
        seg, k = self._segment(), len(self.segs)
        # the customers' ids once, then each segment's among them: passes over those held,
        # not over the market (the same elements in the same order: the same sums)
        cust = np.flatnonzero(state.status == 1)
        lab, has = seg[cust], state.has_alt[cust]
        views, bases = segment_views(scenario), segment_views(base)
        total_held = max(cust.size, 1)
        fields = ("value", "revenue", "margin", "service_cost", "fixed_cost",
                  "intervention_cost", "lifetime", "value_alt", "value_noalt")
        out = dict.fromkeys(fields, 0.0)
        decay = {"decay_alt": 0.0, "decay_noalt": 0.0}
        parts = np.zeros(k)
        for s in range(k):
            mine = lab == s
            alt, noalt = cust[mine & has], cust[mine & ~has]
            n_s = alt.size + noalt.size
            h = held_value(views[s], bases[s], bases[s].baseline_churn(), alt.size,
                           noalt.size, float(state.revenue[alt].sum(dtype=np.float64)),
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
