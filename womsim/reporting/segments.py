"""The "By segment" part of a report: a section, a sheet and a slide for a result of a
segmented market (nothing for a market of one segment).

The table is the result's own split by segment (:mod:`womsim.analysis.bysegment`): one row
per segment, a row for what the engine books for the market only (the costs within the
horizon), and the total; the rows above the total add up to it, column by column.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from womsim.analysis.bysegment import ensemble_by_segment, pair_by_segment
from womsim.analysis.incident import IncidentCost
from womsim.analysis.lostrev import LostRevenue
from womsim.analysis.sweep import SweepResult
from womsim.analysis.whatif import Comparison
from womsim.reporting.content import _Content, _Table
from womsim.results import Ensemble

__all__ = ["SHEET", "add_segments", "segment_table"]

#: The sheet (and section key) of the split.
SHEET = "by segment"

_NOTE = ("One row per segment: each segment's customers, revenue and events, and its value "
         "(margin within the horizon plus its customers held at the horizon over their "
         "remaining lifetimes, at the segment's own churn). The costs within the horizon "
         "(acquisition spend, service cost and payroll, programmes) are booked for the "
         "market, not per customer: they are not apportioned but shown on the row 'market "
         "level (not split by segment)'. The rows above 'total' add up to it, column by "
         "column (intervals aside: an interval of a sum is not the sum of intervals).")


def _segmented(result: Any) -> Any:
    """The first ensemble of a result, when its scenario has segments (else None)."""
    held = getattr(result, "comparison", result)
    ens: Ensemble | None
    if isinstance(held, Comparison):
        ens = held.ensembles[held.reference]
    elif isinstance(held, SweepResult):
        ens = held.ensembles[0] if held.ensembles else None
    elif isinstance(held, Ensemble):
        ens = held
    else:
        return None
    return ens if ens is not None and ens.scenario.segments else None


def _bare(df: pd.DataFrame, kinds: dict[str, str], currency: str
          ) -> tuple[pd.DataFrame, dict[str, str]]:
    """The table without the currency in its labels: every report format adds it to the
    header of a money column itself (the basis stays in the label)."""
    def bare(c: str) -> str:
        return str(c).replace(f"({currency}, ", "(").replace(f" ({currency})", "")
    names = {c: bare(c) for c in df.columns}
    return df.rename(columns=names), {names.get(c, c): k for c, k in kinds.items()}


def _units(df: pd.DataFrame, kinds: dict[str, str]) -> dict[str, str]:
    units = {c: kinds.get(c, "number") for c in df.columns}
    for c in ("segment", "scenario"):
        if c in df.columns:
            units[c] = "text"
    return units


def segment_table(result: Any) -> _Table | None:
    """The report's "By segment" table of a result, or None (a market of one segment, or a
    result with no split by segment).

    Examples
    --------
    >>> import womsim as wom
    >>> sc = wom.Scenario(market={"people": 1000}, simulation={"horizon_years": 0.25})
    >>> segment_table(wom.simulate(sc, runs=2, seed=1, executor="serial")) is None
    True
    """
    ens = _segmented(result)
    if ens is None:
        return None
    cur = ens.scenario.economics.currency
    if isinstance(result, (LostRevenue, IncidentCost)):
        t = result.by_segment()
        what = ("What today's service costs" if isinstance(result, LostRevenue)
                else f"What '{result.incident.name}' cost")
        title = f"{what}, by segment"
    elif isinstance(result, Comparison):
        ref = result.ensembles[result.reference]
        frames = []
        for name in result.names[1:]:
            p = pair_by_segment(ref, result.ensembles[name], lost=False)
            kinds = dict(p._kinds)
            frames.append(p.raw().reset_index().assign(scenario=name))
        df = pd.concat(frames, ignore_index=True)
        df, kinds = _bare(df[["scenario", *[c for c in df.columns if c != "scenario"]]],
                          kinds, cur)
        return _Table(SHEET, f"Each scenario against '{result.reference}', by segment "
                             "(paired runs)", df, _units(df, kinds), note=_NOTE)
    elif isinstance(result, SweepResult):
        df, kinds = _bare(result.by_segment().reset_index(),
                          dict(ensemble_by_segment(result.ensembles[0])._kinds), cur)
        units = _units(df, kinds)
        units.update({p: "number" for p in result.params})
        units["point"] = "count"
        return _Table(SHEET, "Each point of the grid, by segment", df, units, note=_NOTE)
    else:
        t = ensemble_by_segment(result)
        title = f"{result.scenario.name}, by segment"
    df, kinds = _bare(t.raw().reset_index(), dict(t._kinds), cur)
    return _Table(SHEET, title, df, _units(df, kinds), note=_NOTE)


def add_segments(c: _Content, result: Any) -> None:
    """Add the "By segment" table to a report's content (a segmented market only)."""
    t = segment_table(result)
    if t is not None:
        c.extra.append(t)
