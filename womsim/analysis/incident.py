"""What did the incident cost, and for how long? A paired comparison with the incident removed.

:func:`incident_cost` runs the scenario with and without one incident of its calendar, with
common random numbers: every run of the pair shares its luck, and nothing differs before
the incident starts. The value lost is on the one valuation basis (docs/model.md,
"Valuation": a present value at the start, the horizon plus the remaining lifetimes of the
customers held at its end), so it is comparable with ``lost_revenue`` and ``compare``.

Over time, the damage done in a step is what the incident's events of that step are worth:
customers lost (their remaining lifetime's margin, priced as ``lost_revenue`` prices an
event), sales forgone (marketing, win-back and referral acquisitions not made) and the
step's extra costs (contacts handled, acquisition spend), all as present values at the
start. Its cumulative sum runs up to nearly the value lost; the rest (knock-on effects on
the customers held at the horizon, and the costs that follow them after it) is booked at the
horizon and shown as such. The sum can rise above the value lost and fall back: a customer
lost is booked at once at the remaining lifetime's value, while the run without the incident
books the same customer's later ordinary leaving when it happens; quote the value lost, not
the peak (docs/how_to_incident.md). "For how long" is the time from the incident's start until the
monthly damage falls for good below a stated share of its peak month, with a bootstrap
interval over runs.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from womsim.analysis.bysegment import pair_by_segment
from womsim.analysis.lostrev import _totals
from womsim.analysis.whatif import Comparison, compare
from womsim.core.archive import ArchiveReader, ArchiveWriter
from womsim.core.errors import ScenarioError, WomsimError
from womsim.core.protocol import ResultBase
from womsim.model.calendar import Incident
from womsim.model.scenario import Scenario
from womsim.results import interval
from womsim.views.incident import incident_html, plot_incident

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from distributed import Client
    from matplotlib.axes import Axes

    from womsim.network.graph import Network

__all__ = ["IncidentCost", "incident_cost"]

WITHOUT, WITH = "without the incident", "with the incident"
_MONTH = 1 / 12
_BOOTSTRAP = 400

_LOSSES = ("value_lost_experience", "value_lost_wom", "value_lost_baseline")
_GAINS = ("value_won_marketing", "value_won_referral", "value_won_winback")
_COSTS = ("acquisition_spend", "service_cost", "intervention_cost")


def _pair(scenario, incident):
    """(without, with, the incident) from a scenario and an incident name, object or None."""
    if not isinstance(scenario, Scenario):
        raise WomsimError(f"incident_cost needs a Scenario, got {type(scenario).__name__}")
    cal = scenario.calendar
    if isinstance(incident, Incident) and incident not in cal.incidents:
        # an incident the scenario does not hold yet: the scenario is the one without it
        names = [i.name for i in cal.incidents]
        if incident.name in names:
            raise ScenarioError(f"the scenario already has an incident named "
                                f"'{incident.name}' that differs from the one given")
        with_ = scenario.replace(**{"calendar.incidents": (*cal.incidents, incident)})
        return scenario, with_, incident
    if incident is None:
        if len(cal.incidents) != 1:
            raise ScenarioError(
                f"the scenario has {len(cal.incidents)} incidents in its calendar"
                + (f" ({', '.join(repr(i.name) for i in cal.incidents)}): name the one to "
                   "price" if cal.incidents else "; add one (calendar.incidents) or pass an "
                   "Incident"))
        incident = cal.incidents[0]
    name = incident.name if isinstance(incident, Incident) else incident
    if not isinstance(name, str):
        raise WomsimError(f"incident: expected an incident's name or an Incident, got "
                          f"{type(incident).__name__}")
    inc = cal.incident(name)
    without = scenario.replace(**{"calendar.incidents": cal.without(name).incidents})
    return without, scenario, inc


def incident_cost(scenario: Scenario, incident: str | Incident | None = None,
                  network: Network | None = None, runs: int = 20, seed: int | None = None,
                  executor: str | Executor | Client | None = None, share: float = 0.10,
                  level: float = 0.95, progress: bool | None = None) -> IncidentCost:
    """What one incident cost, and for how long: the scenario against itself without it.

    Parameters
    ----------
    scenario : Scenario
        Holds the incident in ``calendar.incidents`` (or not: see ``incident``).
    incident : str or Incident, optional
        The name of the incident to price (default: the calendar's only one), or an
        :class:`Incident` the scenario does not hold, which is then added to it.
    share : float
        "For how long" ends when the monthly damage falls for good below this share of its
        peak month (default 10%).
    network, runs, seed, executor, progress
        As in :func:`womsim.compare`.
    level : float
        Level of the intervals.

    Returns
    -------
    IncidentCost

    Examples
    --------
    >>> import womsim as wom
    >>> sc = wom.Scenario.preset("telecom").replace(**{"market.people": 3000,
    ...                                                 "simulation.horizon_years": 1.0})
    >>> outage = wom.Incident("outage", raises="problems", multiplier=3, start="8 weeks",
    ...                       duration="2 weeks")
    >>> cost = wom.incident_cost(sc, outage, runs=3, seed=1, executor="serial")
    >>> bool(cost.summary().loc["value_lost", "mean"] > 0)
    True
    """
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 < share < 1:
        raise WomsimError(f"share = {share!r}: must be a number between 0 and 1 (the share "
                          "of the peak month's damage that ends the damage)")
    without, with_, inc = _pair(scenario, incident)
    _check_months_left(with_, inc)  # before the runs: too late an incident cannot be timed
    cmp = compare({WITHOUT: without, WITH: with_}, network=network, runs=runs, seed=seed,
                  executor=executor, progress=progress)
    return IncidentCost(cmp, inc.name, share=share, level=level)


def _check_months_left(scenario: Scenario, incident: Incident) -> None:
    """Refuse an incident with less than a full month of the horizon after the start of the
    step it begins in (how long its damage lasts is counted in months)."""
    sim = scenario.simulation
    start = incident.start_years(scenario.calendar.start_date)
    first = min(max(math.floor(start / sim.dt + 1e-9), 0), sim.steps - 1)
    if math.floor((sim.steps - first) * sim.dt / _MONTH + 1e-9) < 1:
        raise WomsimError(
            f"incident '{incident.name}' starts {start:.3g} years into the "
            f"{sim.horizon_years:g}-year horizon: less than a month is left after its start, "
            "too little to say how long its damage lasted; lengthen "
            "simulation.horizon_years")


class IncidentCost(ResultBase):
    """The cost of one incident: value lost, customers lost, prospects deterred, and the
    damage over time (see :func:`incident_cost`).

    Attributes
    ----------
    comparison : Comparison
        The scenario without the incident (reference) and with it.
    incident : Incident
    share, level : float
    """

    kind = "IncidentCost"

    def __init__(self, comparison, incident: str, share: float = 0.10,
                 level: float = 0.95) -> None:
        self.comparison = comparison
        self.without = comparison.ensembles[WITHOUT]
        self.with_ = comparison.ensembles[WITH]
        self.scenario = self.with_.scenario
        self.incident = self.scenario.calendar.incident(incident)
        self.share = float(share)
        self.level = float(level)
        self.start = self.incident.start_years(self.scenario.calendar.start_date)

    def _to_archive(self, w: ArchiveWriter) -> dict[str, Any]:
        return {"incident": self.incident.name, "share": self.share, "level": self.level,
                "comparison": self.comparison._to_archive(w)}

    @classmethod
    def _from_archive(cls, meta: dict[str, Any], r: ArchiveReader) -> IncidentCost:
        share, level, name = meta["share"], meta["level"], meta["incident"]
        for what, v in (("share", share), ("level", level)):
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v < 1:
                raise r.error(f"meta.json: bad {what} {v!r}")
        if not isinstance(name, str):
            raise r.error(f"meta.json: bad incident name {name!r}")
        return cls(Comparison._from_archive(meta["comparison"], r), name, share=float(share),
                   level=float(level))

    def tables(self) -> dict[str, pd.DataFrame]:
        """What :meth:`to_excel` writes: the summary and the damage over time."""
        out = {"summary": self.summary(), "damage over time": self.damage()}
        if self.scenario.segments:
            out["by segment"] = self.by_segment()
        return out

    def equals(self, other: Any) -> bool:
        """Same incident, settings and paired runs, bit for bit (``meta`` aside)."""
        return isinstance(other, IncidentCost) and self._difference(other) is None

    def _difference(self, other: IncidentCost) -> str | None:
        """The first difference from another IncidentCost (for the archive's check)."""
        for what in ("incident", "share", "level"):
            if getattr(self, what) != getattr(other, what):
                return f"the {what} differs"
        return self.comparison._difference(other.comparison)

    @property
    def currency(self) -> str:
        """The currency of every money figure."""
        return self.scenario.economics.currency

    # ------------------------------------------------------------------ per step
    def _flows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per run (rows) and step (columns): damage done, customers fewer, times."""
        margin = self.without.scenario.economics.margin
        steps = self.scenario.simulation.steps

        def grid(ens, cols):
            r = ens.records
            return r[list(cols)].to_numpy(dtype=float).reshape(-1, steps, len(cols))

        w, wo = grid(self.with_, (*_LOSSES, *_GAINS, *_COSTS, "customers", "discount")), \
            grid(self.without, (*_LOSSES, *_GAINS, *_COSTS, "customers", "discount"))
        d = w - wo
        nl, ng = len(_LOSSES), len(_GAINS)
        events = margin * (d[..., :nl].sum(-1) - d[..., nl:nl + ng].sum(-1))
        costs = d[..., nl + ng:nl + ng + len(_COSTS)].sum(-1) * wo[..., -1]
        fewer = -d[..., -2]
        times = self.with_.records["time"].to_numpy()[:steps]
        return events + costs, fewer, times

    def damage(self) -> pd.DataFrame:
        """The damage over time, per step: done in the step and cumulative, with intervals.

        Columns: ``time`` (years at the step's end), ``date`` (with a start date),
        ``since_start`` (years since the incident began), ``damage`` (value of the damage done
        in the step: a present value at the start, see the module notes) with
        ``damage_low``/``damage_high`` (``level`` interval of the mean over runs),
        ``cumulative`` with its interval, and ``customers_fewer`` (customers held without
        the incident less with it) with its interval. Steps before the incident are 0.

        Examples
        --------
        >>> import womsim as wom
        >>> sc = wom.Scenario.preset("telecom").replace(**{"market.people": 2000,
        ...                                                 "simulation.horizon_years": 0.5})
        >>> fault = wom.Incident("fault", raises="problems", multiplier=2, start="4 weeks",
        ...                      duration="2 weeks")
        >>> d = wom.incident_cost(sc, fault, runs=2, seed=1, executor="serial").damage()
        >>> float(d.loc[d["since_start"] <= 0, "cumulative"].abs().max())
        0.0
        """
        flow, fewer, times = self._flows()
        cum = np.cumsum(flow, axis=1)
        df = pd.DataFrame({"time": times})
        df.index = pd.RangeIndex(1, len(times) + 1, name="step")
        cal = self.scenario.calendar
        if cal.start_date is not None:
            df["date"] = pd.to_datetime(cal.start_date) + pd.to_timedelta(
                np.round(times * 365.0), unit="D")
        df["since_start"] = times - self.start
        for name, values in (("damage", flow), ("cumulative", cum),
                             ("customers_fewer", fewer)):
            stats = [interval(values[:, j], self.level) for j in range(values.shape[1])]
            df[name] = [s[0] for s in stats]
            df[f"{name}_low"] = [s[2] for s in stats]
            df[f"{name}_high"] = [s[3] for s in stats]
        return df

    # ------------------------------------------------------------------ how long
    def _months(self, flow: np.ndarray, times: np.ndarray) -> np.ndarray:
        """Per run, the damage per month from the incident's start (full months only)."""
        dt = self.scenario.simulation.dt
        begin = times - dt
        # months counted from the start of the step the incident begins in
        first = max(int(np.searchsorted(begin, self.start + 1e-12, "right")) - 1, 0)
        rel = begin[first:] - begin[first]
        month = np.floor(rel / _MONTH + 1e-9).astype(int)
        full = math.floor((begin[-1] + dt - begin[first]) / _MONTH + 1e-9)
        if full < 1:
            _check_months_left(self.scenario, self.incident)
        keep = month < full
        out = np.zeros((flow.shape[0], full))
        width = np.bincount(month[keep], minlength=full) * dt
        for r in range(flow.shape[0]):  # runs, not people
            out[r] = np.bincount(month[keep], weights=flow[r, first:][keep], minlength=full)
        return out * (_MONTH / width)

    def _duration(self, monthly: np.ndarray) -> tuple[float, bool]:
        mean = monthly.mean(axis=0)
        peak = float(mean.max())
        if peak <= 0:
            return 0.0, False
        above = np.nonzero(mean >= self.share * peak)[0]
        last = int(above[-1])
        return (last + 1) * _MONTH, last == mean.size - 1

    def duration(self) -> pd.Series:
        """How long the incident did damage: years from its start until the monthly damage
        (mean over runs) falls for good below ``share`` of its peak month.

        ``low``/``high`` is a ``level`` bootstrap interval over runs (resampled with a
        generator seeded from the comparison's seed: the same numbers every time);
        ``censored`` is True when the damage had not fallen by the end of the horizon (the
        duration is then a lower bound). With few runs or a small market, the month-to-month
        noise of the paired difference can cross the threshold long after the incident:
        use 20 runs or more (the interval then says how firm the answer is).
        """
        flow, _, times = self._flows()
        monthly = self._months(flow, times)
        years, censored = self._duration(monthly)
        rng = np.random.default_rng([int(self.with_.seed or 0), 0x1C1D])
        n = monthly.shape[0]
        boot = np.array([self._duration(monthly[rng.integers(0, n, n)])[0]
                         for _ in range(_BOOTSTRAP)])
        tail = (1 - self.level) / 2
        lo, hi = (np.quantile(boot, [tail, 1 - tail]) if n > 1 else (math.nan, math.nan))
        mean = monthly.mean(axis=0)
        return pd.Series({"years": years, "months": years * 12, "low_months": float(lo) * 12,
                          "high_months": float(hi) * 12, "censored": censored,
                          "share_of_peak": self.share,
                          "peak_month": float(np.argmax(mean) + 1),
                          "peak_damage": float(mean.max())})

    # ------------------------------------------------------------------ summary
    def summary(self) -> pd.DataFrame:
        """The headline figures with their ``level`` intervals (paired over runs).

        Rows: ``value_lost`` (the headline: a present value at the start, the horizon plus
        the remaining lifetimes of the customers held at its end, as ``lost_revenue``),
        ``revenue_lost`` (revenue on the same basis), ``cash_lost_within_horizon`` (profit
        within the horizon, cash, not discounted), ``customers_lost`` (extra defections),
        ``customers_fewer_at_end``, ``prospects_deterred`` (extra times a prospect was
        deterred), ``extra_contacts``, ``extra_problems`` and ``damage_months`` (how long it
        did damage, see :meth:`duration`; its interval is a bootstrap one).
        """
        t_w, t_wo = _totals(self.with_), _totals(self.without)
        runs_w, runs_wo = self.with_.runs, self.without.runs

        def rec_sum(ens, col):
            return ens.records.groupby("run")[col].sum().to_numpy(dtype=float)

        rows = {
            "value_lost": ((t_wo["value"] - t_w["value"]).to_numpy(), "money",
                           "present value at the start (horizon + remaining lifetimes)"),
            "revenue_lost": (((t_wo["revenue_pv"] + t_wo["equity_revenue"])
                              - (t_w["revenue_pv"] + t_w["equity_revenue"])).to_numpy(),
                             "money", "revenue on the same basis"),
            "cash_lost_within_horizon": ((runs_wo["profit"] - runs_w["profit"]).to_numpy(),
                                         "money", "profit within the horizon (cash, not "
                                                  "discounted)"),
            "customers_lost": ((runs_w["defections"] - runs_wo["defections"]).to_numpy(),
                               "people", "extra defections, all causes"),
            "customers_fewer_at_end": ((runs_wo["customers_end"]
                                        - runs_w["customers_end"]).to_numpy(), "people",
                                       "customers held at the end of the horizon"),
            "prospects_deterred": ((runs_w["newly_deterred"]
                                    - runs_wo["newly_deterred"]).to_numpy(), "people",
                                   "extra times a prospect was deterred by word of mouth"),
            "extra_contacts": (rec_sum(self.with_, "contacts")
                               - rec_sum(self.without, "contacts"), "contacts",
                               "service contacts"),
            "extra_problems": ((runs_w["problems"] - runs_wo["problems"]).to_numpy(),
                               "contacts", "contacts that ended with a problem"),
        }
        out = {}
        for name, (values, unit, meaning) in rows.items():
            m, _, lo, hi = interval(values, self.level)
            out[name] = {"mean": m, "ci_low": lo, "ci_high": hi, "unit": unit,
                         "meaning": meaning}
        d = self.duration()
        out["damage_months"] = {
            "mean": d["months"], "ci_low": d["low_months"], "ci_high": d["high_months"],
            "unit": "months",
            "meaning": (f"from the start until the monthly damage stays below "
                        f"{self.share:.0%} of its peak (bootstrap interval)"
                        + ("; censored by the horizon: at least this" if d["censored"]
                           else ""))}
        df = pd.DataFrame.from_dict(out, orient="index")
        df.index.name = "figure"
        return df

    def by_segment(self) -> pd.DataFrame:
        """What the incident cost, split by segment (a segmented scenario): one row per
        segment, a row for what is not split by segment and the ``total``; the rows add up
        to the total (the ``value_lost`` of :meth:`summary`).

        The columns are those of :meth:`LostRevenue.by_segment
        <womsim.analysis.lostrev.LostRevenue.by_segment>`: value lost with its interval and
        its parts by cause, revenue lost within the horizon, customers lost, customers fewer
        at the end and extra problems, each booked in the segment of the customer concerned.
        Future churn avoided, costs and "other" are the market's (row ``market level (not
        split by segment)``). Prospects deterred are counted for the market only (in
        :meth:`summary`); their value forgone is split, as sales forgone per segment.

        Examples
        --------
        >>> import womsim as wom
        >>> sc = wom.Scenario(market={"people": 2000}, simulation={"horizon_years": 0.5},
        ...                   segments=[{"name": "consumer", "share": 0.8},
        ...                             {"name": "business", "share": 0.2}])
        >>> fault = wom.Incident("fault", raises="problems", multiplier=3, start="4 weeks",
        ...                      duration="2 weeks")
        >>> t = wom.incident_cost(sc, fault, runs=2, seed=1, executor="serial").by_segment()
        >>> list(t.index)
        ['consumer', 'business', 'market level (not split by segment)', 'total']
        """
        return pair_by_segment(self.with_, self.without, lost=True, level=self.level)

    # ------------------------------------------------------------------ views
    def plot(self, ax: Axes | None = None) -> Axes:
        """The cumulative damage over time with its band; the incident shaded, the end of
        its damage marked, and the value lost (with its interval) at the horizon. Returns
        the axes."""
        return plot_incident(self, ax=ax)

    def __repr__(self) -> str:
        s = self.summary()
        c = self.currency
        v = s.loc["value_lost"]
        d = s.loc["damage_months"]
        return (f"IncidentCost('{self.incident.name}'): {c} {v['mean']:,.0f} in value lost "
                f"({c} {v['ci_low']:,.0f} to {v['ci_high']:,.0f}; present value at the start, "
                f"remaining lifetimes included), {s.loc['customers_lost', 'mean']:,.0f} "
                f"customers lost, {s.loc['prospects_deterred', 'mean']:,.0f} prospects "
                f"deterred; damage for {d['mean']:.3g} month{'' if d['mean'] == 1 else 's'} "
                f"({d['ci_low']:.3g} to {d['ci_high']:.3g})")

    def _repr_html_(self) -> str:
        return incident_html(self)
