"""A report's appendices: A, every assumption with its source and status (for each scenario
the result holds, values that differ side by side); B, the research figures, those the
result rests on first.

Examples
--------
>>> import womsim as wom
>>> sc = wom.Scenario.preset("telecom")
>>> a = _assumptions_table(_scenarios_of(None, sc), None)
>>> a.sheet, "status" in a.df.columns
('assumptions', True)
>>> _figures_table([]).sheet
'figures'
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import pandas as pd

from womsim.core import figures
from womsim.reporting.blocks import _na_table, _Table
from womsim.views.display import FLAGGED

__all__: list[str] = []


def _scenarios_of(result: Any, scenario: Any) -> list[tuple[str, Any]]:
    if scenario is not None:
        return [(scenario.name, scenario)]
    if hasattr(result, "comparison"):
        result = result.comparison
    if hasattr(result, "ensembles") and isinstance(result.ensembles, dict):
        return [(n, e.scenario) for n, e in result.ensembles.items()]
    if hasattr(result, "ensembles"):  # sweep
        base = getattr(result, "scenario", None) or result.ensembles[0].scenario
        return [(base.name, base)]
    if getattr(result, "scenario", None) is not None:
        return [(result.scenario.name, result.scenario)]
    return []


def _assumptions_table(scenarios: list[tuple[str, Any]], fallback: pd.DataFrame | None
                       ) -> _Table:
    note = ("Every number the result rests on. Status: verified / secondary (a research "
            "figure, see appendix B), UNVERIFIED (no source found: quote it 'as stated', "
            "never as fact), ILLUSTRATIVE (a modelling choice no figure supports), client "
            "input, model setting, derived.")
    if not scenarios:
        if fallback is None:
            return _na_table("assumptions", "Assumptions", "No scenario: pass scenario= to "
                                                           "list its assumptions.")
        df = fallback
        note += " Only the parameters varied are listed: pass scenario= for all of them."
    else:
        first = scenarios[0][1]
        df = first.assumptions()
        for name, sc in scenarios[1:]:
            other = sc.assumptions()
            new = other.loc[other.index.difference(df.index, sort=False)]
            df = pd.concat([df, new.reindex(columns=df.columns)])
            col = f"value in '{name}'"
            vals = other["value"].reindex(df.index)
            base = df["value"]
            differs = [not _same(a, b) for a, b in zip(base, vals, strict=True)]
            df[col] = [v if d else None for v, d in zip(vals, differs, strict=True)]
            if not any(differs):
                df = df.drop(columns=col)
        df = df.reset_index()
    df = _solved_values(df)
    df.insert(df.columns.get_loc("status") + 1, "flag",
              ["CHECK: " + s if s in FLAGGED else "" for s in df["status"]])
    keep = [c for c in df.columns if c not in ("basis",)]
    df = df[keep]
    units = {c: "text" for c in df.columns}
    for c in df.columns:
        if c == "value" or c.startswith("value in"):
            units[c] = "row"
    return _Table("assumptions", "Appendix A. Every assumption, with its source and status",
                  df, units, note=note, status_col="status")


def _solved_values(df: pd.DataFrame) -> pd.DataFrame:
    """A parameter left unset (None) that the model solves or derives shows the value it
    takes (from its ``derived.`` row), so that no assumption shows blank."""
    df = df.copy()
    key = "parameter" if "parameter" in df.columns else None
    names = df[key] if key else pd.Series(df.index, index=df.index)
    derived = {str(n).removeprefix("derived."): v for n, v in zip(names, df["value"],
                                                                  strict=True)
               if str(n).startswith("derived.")}
    for i, n in zip(df.index, names, strict=True):
        leaf = str(n).rsplit(".", 1)[-1]
        if df.at[i, "value"] is None and not str(n).startswith("derived.") and leaf in derived:
            df.at[i, "value"] = derived[leaf]
            df.at[i, "meaning"] = f"not set, so solved or derived: {df.at[i, 'meaning']}"
    return df


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b) or (a is None and b is None) or (
            isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))
    except (TypeError, ValueError):
        return False


def _figures_table(used: Iterable[str]) -> _Table:
    used = {u for u in used if u}
    t = figures.table().reset_index()
    t.insert(1, "used here", ["yes" if k in used else "" for k in t["key"]])
    t = t.sort_values("used here", ascending=False, kind="stable")
    cols = ["key", "used here", "name", "value", "low", "high", "unit", "status", "source",
            "year", "population", "quoted", "research", "caveat"]
    t = t[cols].copy()
    t["year"] = [None if pd.isna(y) else int(y) for y in t["year"]]  # 1980, not 1,980
    units = {c: "text" for c in cols}
    units.update(value="row", low="row", high="row")
    return _Table("figures", "Appendix B. Research figures", t, units,
                  note="The research behind the defaults, with how sure we are of each "
                       "(womsim.figures). 'used here': a parameter of this result rests on it.",
                  status_col="status")
