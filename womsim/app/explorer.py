"""An interactive explorer for notebooks: sliders on the main levers, instant market damage,
and a quick simulation on request.

``explore(scenario)`` shows one slider per lever (problem rate, complaint rate, share
resolved, share resolved quickly, people an unhappy customer tells, prospects put off by a bad
story, intention that becomes action, revenue per customer). Every move recomputes the
analytic market damage (:func:`womsim.market_damage`, well under a millisecond) and redraws a
small table and chart: today against the scenario with the levers as set. The button
"simulate" runs a small paired simulation (:func:`womsim.lost_revenue` on a scaled-down
market) for the levers as set.

The widgets need ``ipywidgets`` (the ``explorer`` extra: ``pip install "womsim[explorer]"``),
imported only when :func:`explore` is called. Everything the widgets show is computed by
plain functions that work without it: :func:`levers`, :func:`apply_levers`,
:func:`explorer_numbers` and :func:`quick_simulation`.

Examples
--------
>>> import womsim as wom
>>> sc = wom.Scenario.preset("telecom")
>>> t = explorer_numbers(sc, {"complaints.resolved": 0.9})
>>> bool(t.loc["revenue_at_risk", "with levers"] < t.loc["revenue_at_risk", "today"])
True
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import pandas as pd

from womsim.analysis.damage import market_damage
from womsim.analysis.lostrev import lost_revenue
from womsim.core.errors import UnknownKeyError, WomsimError, unknown_key
from womsim.model.telling import Telling
from womsim.views.display import _table, fmt_money, fmt_value, unit_kind
from womsim.views.plots import plot_damage

if TYPE_CHECKING:
    from womsim.analysis.lostrev import LostRevenue
    from womsim.model.scenario import Scenario

__all__ = ["LEVERS", "Explorer", "Lever", "apply_levers", "explore", "explorer_numbers",
           "levers", "quick_simulation"]


@dataclass(frozen=True)
class Lever:
    """One slider: the parameter it moves, its label, range and step.

    ``high=None`` means "three times today's value" (for money).
    """

    key: str
    label: str
    low: float
    high: float | None
    step: float
    unit: str


#: The levers, in the order the explorer shows them.
LEVERS: tuple[Lever, ...] = (
    Lever("service.problem_rate", "contacts ending with a problem", 0.0, 0.6, 0.005, "share"),
    Lever("complaints.complain_rate", "problems complained about", 0.0, 1.0, 0.01, "share"),
    Lever("complaints.resolved", "complaints resolved", 0.0, 1.0, 0.01, "share"),
    Lever("complaints.quick_share", "resolved complaints resolved quickly", 0.0, 1.0, 0.01,
          "share"),
    Lever("word_of_mouth.negative_mean", "people an unhappy customer tells", 0.5, 30.0, 0.5,
          "people"),
    Lever("word_of_mouth.prospect_deter_prob", "prospects put off by a bad story", 0.0, 1.0,
          0.01, "share"),
    Lever("complaints.intention_to_action", "stated intention to leave that is acted on",
          0.0, 1.0, 0.01, "share"),
    Lever("economics.revenue_per_year", "revenue per customer per year", 0.0, None, 10.0,
          "money"),
)

#: The market-damage lines the explorer shows.
LINES: tuple[str, ...] = ("problems", "silent", "unresolved", "negative_tellings",
                          "lost_directly", "lost_wom", "sales_forgone", "winbacks_forgone",
                          "referrals", "customers_lost", "revenue_at_risk", "margin_at_risk")


@lru_cache(maxsize=64)
def _min_negative_mean(k: int, share: float, upper: float) -> float:
    """The smallest mean telling count at which ``share`` can still tell more than ``k``
    (the tail figure caps how low the mean can go: 13% telling more than 20 needs a mean
    of about 8.5 or more)."""
    def ok(mean: float) -> bool:
        try:
            Telling.from_figures(mean=mean, tail=(k, share))
        except WomsimError:
            return False
        return True

    lo, hi = LEVERS[4].low, upper
    if ok(lo) or not ok(hi):
        return lo if ok(lo) else hi
    for _ in range(14):
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if ok(mid) else (mid, hi)
    return hi


def levers(scenario: Scenario) -> pd.DataFrame:
    """The levers for ``scenario``: today's value, slider range and step, and whether the lever
    applies (a service desk sets the problem share itself, so that slider is off).

    The lowest mean of "people an unhappy customer tells" is the lowest the scenario's tail
    figure allows (13% telling more than 20 needs a mean of about 8.5; set
    ``word_of_mouth.negative_tail_share`` to None for lower means).

    Examples
    --------
    >>> import womsim as wom
    >>> t = levers(wom.Scenario.preset("telecom"))
    >>> row = t.loc["service.problem_rate"]
    >>> float(row["value"]), bool(row["applies"])
    (0.15, True)
    """
    rows = {}
    for lv in LEVERS:
        value = float(scenario.get(lv.key))
        high = lv.high if lv.high is not None else max(3.0 * value, 100.0)
        if lv.key == "service.problem_rate":
            high = min(high, 1.0 - scenario.service.delight_rate)
        low = lv.low
        w = scenario.word_of_mouth
        if lv.key == "word_of_mouth.negative_mean" and w.negative_tail_share is not None:
            low = math.ceil(_min_negative_mean(w.negative_tail_k, w.negative_tail_share,
                                               max(value, 30.0)) / lv.step) * lv.step
        applies = not (lv.key == "service.problem_rate" and scenario.desk is not None)
        rows[lv.key] = {"label": lv.label, "value": value, "low": min(low, value),
                        "high": max(high, value), "step": lv.step, "unit": lv.unit,
                        "applies": applies}
    df = pd.DataFrame.from_dict(rows, orient="index")
    df.index.name = "lever"
    return df


def apply_levers(scenario: Scenario, values: Mapping[str, float] | None = None) -> Scenario:
    """Today's scenario with the levers set (validated; today's baseline churn kept).

    Raises
    ------
    UnknownKeyError
        A name that is not a lever.
    womsim.core.errors.ScenarioError
        A value out of range (e.g. problem rate + delight rate above 1).

    Examples
    --------
    >>> import womsim as wom
    >>> apply_levers(wom.Scenario.preset("telecom"), {"complaints.resolved": 0.9}
    ...              ).complaints.resolved
    0.9
    """
    values = dict(values or {})
    keys = [lv.key for lv in LEVERS]
    for k in values:
        if k not in keys:
            raise unknown_key("lever", k, keys)
    if "service.problem_rate" in values and scenario.desk is not None and \
            values["service.problem_rate"] != scenario.service.problem_rate:
        raise WomsimError("service.problem_rate: this scenario has a service desk, which "
                          "sets the problem share from the load; change desk.agents instead")
    changed = {k: float(v) for k, v in values.items() if float(v) != float(scenario.get(k))}
    if not changed:
        return scenario
    return scenario.replace(**changed)


def explorer_numbers(scenario: Scenario, values: Mapping[str, float] | None = None,
                     period: float | str = "1 year") -> pd.DataFrame:
    """The numbers the explorer shows: market damage today and with the levers as set.

    Parameters
    ----------
    scenario : Scenario
        Today.
    values : dict of lever -> value, optional
        The sliders (see :data:`LEVERS`); missing levers stay at today's value.
    period : float or str
        As in :func:`womsim.market_damage`.

    Returns
    -------
    pandas.DataFrame
        Indexed by market-damage line (:data:`LINES`), columns ``name``, ``unit``,
        ``today``, ``with levers`` and ``change``.

    Examples
    --------
    >>> import womsim as wom
    >>> t = explorer_numbers(wom.Scenario.preset("telecom"), {"service.problem_rate": 0.0})
    >>> float(t.loc["problems", "with levers"])
    0.0
    """
    today = market_damage(scenario, period)
    moved = market_damage(apply_levers(scenario, values), period)
    t = today.table()
    rows = {}
    for key in LINES:
        a, b = float(today[key]), float(moved[key])
        rows[key] = {"name": t.loc[key, "name"], "unit": t.loc[key, "unit"], "today": a,
                     "with levers": b, "change": b - a}
    df = pd.DataFrame.from_dict(rows, orient="index")
    df.index.name = "line"
    df.attrs["title"] = moved.title
    df.attrs["currency"] = moved.currency
    return df


def numbers_html(table: pd.DataFrame) -> str:
    """The explorer's table as HTML (money and percentages formatted).

    Examples
    --------
    >>> import womsim as wom
    >>> "revenue at risk" in numbers_html(explorer_numbers(wom.Scenario.preset("telecom")))
    True
    """
    cur = table.attrs.get("currency", "")
    rows, classes = [], []
    for key, r in table.iterrows():
        c = cur if unit_kind(r["unit"]) == "money" else ""
        ch = r["change"]
        sign = "+" if ch > 0 else ""
        rows.append([str(r["name"]), fmt_value(r["today"], r["unit"], c),
                     fmt_value(r["with levers"], r["unit"], c),
                     sign + fmt_value(ch, r["unit"], c) if ch != 0 else "–"])
        classes.append("tot" if key in ("customers_lost", "revenue_at_risk") else "")
    return _table(rows, ["", "today", "with levers", "change"],
                  table.attrs.get("title", "market damage"), row_classes=classes)


def quick_simulation(scenario: Scenario, values: Mapping[str, float] | None = None, runs: int = 8,
                     people: int = 5_000, horizon_years: float | None = 1.0, seed: int = 1,
                     executor: Any = None) -> LostRevenue:
    """A small paired simulation of the scenario with the levers as set: what its service
    costs against no problems (:func:`womsim.lost_revenue`), on a scaled-down market.

    Parameters
    ----------
    scenario : Scenario
        Today.
    values : dict of lever -> value, optional
    runs : int
        Paired runs.
    people : int
        Market size simulated (at most the scenario's): money scales roughly with it.
    horizon_years : float, optional
        Simulated years (None: the scenario's).
    seed, executor
        As in :func:`womsim.simulate`.

    Returns
    -------
    LostRevenue

    Examples
    --------
    >>> import womsim as wom
    >>> lr = quick_simulation(wom.Scenario.preset("telecom"), {"complaints.resolved": 0.9},
    ...                       runs=2, people=2000, horizon_years=0.25, executor="serial")
    >>> lr.today.scenario.complaints.resolved, lr.today.scenario.market.people
    (0.9, 2000)
    """
    sc = apply_levers(scenario, values)
    small: dict[str, Any] = {"market.people": int(min(people, sc.market.people))}
    if horizon_years is not None:
        small["simulation.horizon_years"] = float(horizon_years)
    sc = sc.replace(**small)
    return lost_revenue(sc, runs=runs, seed=seed, executor=executor, progress=False)


def _widgets():
    try:
        import ipywidgets
    except ImportError as err:
        raise ImportError(
            "womsim.explore needs ipywidgets, an optional extra: pip install "
            "'womsim[explorer]' (or pip install 'ipywidgets>=8'). Without it, "
            "womsim.app.explorer.explorer_numbers(scenario, values) computes the same numbers."
        ) from err
    return ipywidgets


_READOUT = {"share": ".1%", "people": ".1f", "money": ",.0f"}


class Explorer:
    """The explorer's widgets and state (built by :func:`explore`).

    Attributes
    ----------
    scenario : Scenario
        Today (baseline churn pinned at today's calibration).
    sliders : dict of lever -> ipywidgets.FloatSlider
    table : ipywidgets.HTML
        The market-damage table, today against the levers.
    chart : ipywidgets.Image
        The market damage with the levers, as a PNG.
    result : ipywidgets.HTML
        The last quick simulation.
    widget : ipywidgets.VBox
        Everything, as shown in the notebook.
    """

    def __init__(self, scenario, period: float | str = "1 year", runs: int = 8,
                 people: int = 5_000, horizon_years: float | None = 1.0, seed: int = 1,
                 executor: Any = None, chart: bool = True) -> None:
        w = _widgets()
        self.scenario = scenario.pinned()
        self.period = period
        self.sim = {"runs": runs, "people": people, "horizon_years": horizon_years,
                    "seed": seed, "executor": executor}
        table = levers(self.scenario)
        self.sliders: dict[str, Any] = {}
        for key, r in table.iterrows():
            s = w.FloatSlider(value=r["value"], min=r["low"], max=r["high"], step=r["step"],
                              description=r["label"], readout_format=_READOUT[r["unit"]],
                              continuous_update=False, disabled=not r["applies"],
                              style={"description_width": "260px"},
                              layout=w.Layout(width="560px"))
            s.observe(self._changed, names="value")
            self.sliders[str(key)] = s
        self.table = w.HTML()
        self.chart = w.Image(format="png", layout=w.Layout(width="520px")) if chart else None
        self.message = w.HTML()
        reset = w.Button(description="reset to today", icon="undo")
        reset.on_click(lambda _b: self.reset())
        self.button = w.Button(description="simulate", button_style="primary", icon="play")
        self.button.on_click(lambda _b: self.simulate())
        small = min(people, self.scenario.market.people)
        hz = horizon_years if horizon_years is not None else \
            self.scenario.simulation.horizon_years
        self.sim_note = w.HTML(f"<span style='color:#555'>{runs} paired runs on "
                               f"{small:,} people over {hz:g} years (a few seconds)</span>")
        self.result = w.HTML()
        left = w.VBox([w.HTML(f"<b>{self.scenario.name}</b>: move a lever"),
                       *self.sliders.values(), w.HBox([reset, self.button, self.sim_note])])
        right = [self.table] + ([self.chart] if self.chart is not None else [])
        self.widget = w.VBox([w.HBox([left, w.VBox(right)]), self.message, self.result])
        self.update()

    # ------------------------------------------------------------------ state
    def values(self) -> dict[str, float]:
        """The sliders' values, by lever."""
        return {k: float(s.value) for k, s in self.sliders.items() if not s.disabled}

    def numbers(self) -> pd.DataFrame:
        """:func:`explorer_numbers` for the sliders as set."""
        return explorer_numbers(self.scenario, self.values(), self.period)

    def update(self) -> None:
        """Recompute the market damage and redraw the table and chart."""
        try:
            t = self.numbers()
        except (WomsimError, UnknownKeyError, ValueError) as err:
            self.message.value = f"<span style='color:#9b1c1c'>{err}</span>"
            return
        self.message.value = ""
        self.table.value = numbers_html(t)
        if self.chart is not None:
            self.chart.value = self._png()

    def _png(self) -> bytes:
        from matplotlib.figure import Figure


        fig = Figure(figsize=(6.0, 2.9), layout="constrained")
        plot_damage(market_damage(apply_levers(self.scenario, self.values()), self.period),
                    ax=fig.add_subplot())
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=80)
        return buf.getvalue()

    def _changed(self, _change: Any) -> None:
        self.update()

    def reset(self) -> None:
        """Put every slider back to today's value."""
        today = levers(self.scenario)["value"]
        for k, s in self.sliders.items():
            s.unobserve(self._changed, names="value")
            s.value = float(today[k])
            s.observe(self._changed, names="value")
        self.update()

    def simulate(self) -> LostRevenue | None:
        """Run :func:`quick_simulation` for the sliders as set and show it; returns it."""
        self.button.disabled = True
        self.result.value = "<i>simulating…</i>"
        try:
            lr = quick_simulation(self.scenario, self.values(), **self.sim)
        except WomsimError as err:
            self.result.value = f"<span style='color:#9b1c1c'>{err}</span>"
            return None
        finally:
            self.button.disabled = False
        full = self.scenario.market.people
        small = lr.today.scenario.market.people
        note = ""
        if small < full:
            factor = full / small
            scaled = fmt_money(lr.total()["value_lost"] * factor,
                               lr.today.scenario.economics.currency, compact=True)
            note = (f"<p style='color:#555'>Simulated on {small:,} of {full:,} people: for the "
                    f"whole market, roughly {factor:,.0f} times as much (about {scaled}"
                    " in value). Run womsim.lost_revenue on the full market for the numbers "
                    "to show a client.</p>")
        self.result.value = lr._repr_html_() + note
        return lr

    def _repr_mimebundle_(self, **kwargs: Any):
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"Explorer('{self.scenario.name}', {len(self.sliders)} levers)"


def explore(scenario: Scenario, period: float | str = "1 year", runs: int = 8, people: int = 5_000,
            horizon_years: float | None = 1.0, seed: int = 1, executor: Any = None
            ) -> Explorer:
    """Sliders on the main levers, instant market damage, a quick simulation on request.

    Parameters
    ----------
    scenario : Scenario
        Today; the sliders start at its values.
    period : float or str
        The market-damage period (as in :func:`womsim.market_damage`).
    runs, people, horizon_years, seed, executor
        The quick simulation behind the "simulate" button (see :func:`quick_simulation`).

    Returns
    -------
    Explorer
        Shows itself as the last expression of a notebook cell.

    Raises
    ------
    ImportError
        ipywidgets is not installed (``pip install "womsim[explorer]"``).

    Examples
    --------
    >>> import womsim as wom
    >>> ex = explore(wom.Scenario.preset("telecom"))      # doctest: +SKIP
    >>> ex.sliders["complaints.resolved"].value = 0.9     # doctest: +SKIP
    """
    if not math.isfinite(float(runs)) or runs < 1:
        raise WomsimError(f"runs = {runs!r}: must be a whole number >= 1")
    return Explorer(scenario, period=period, runs=runs, people=people,
                    horizon_years=horizon_years, seed=seed, executor=executor)
