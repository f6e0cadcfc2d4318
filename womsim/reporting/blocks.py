"""The blocks a report's content is made of: tables, charts and the content itself, headline
rows and the sentences every kind of report shares (facts, interval notes, what changed).

:mod:`womsim.reporting.content` builds a report's content from a result out of these;
:mod:`womsim.reporting.render` and :mod:`womsim.reporting.slides` turn it into HTML, Excel
and slides. No HTML and no Excel here.

Examples
--------
>>> t = _headline_table([_row("value lost", 1000.0, 900.0, 1100.0, "money", "present value")])
>>> list(t.df.columns)
['headline', 'value', '95% CI low', '95% CI high', 'unit', 'meaning']
>>> _few_runs(5)[0][:12]
'Only 5 runs:'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from womsim.views.display import fmt_money, fmt_value
from womsim.views.formatting import drawn_text

__all__: list[str] = []

_CI = ("95% CI low", "95% CI high")


@dataclass
class _Table:
    """A table of a report: numbers stay numbers; ``units`` says how to show each column.

    ``units`` maps a column to ``money``, ``share``, ``count``, ``number``, ``text`` or
    ``row`` (the unit is in the row's ``unit`` column). A table with ``note`` and no rows
    says why it is empty.
    """

    sheet: str
    title: str
    df: pd.DataFrame
    units: dict[str, str]
    note: str = ""
    status_col: str | None = None

    @property
    def empty(self) -> bool:
        return self.df.empty


@dataclass
class _Chart:
    title: str
    draw: Callable[[Any], object]   # draws on a matplotlib Figure (returns ignored)
    size: tuple[float, float] = (8.0, 4.2)
    png: bytes = b""


@dataclass
class _Content:
    title: str
    question: str
    answer: list[str]
    cards: list[dict[str, Any]]
    tables: dict[str, _Table]
    charts: list[_Chart]
    facts: list[tuple[str, str]]
    notes: list[str]
    currency: str
    extra: list[_Table] = field(default_factory=list)
    #: section headings (and slide titles) in place of "3. By cause", ... for a result
    #: whose tables are not those (a calibration)
    headings: dict[str, str] = field(default_factory=dict)


def _na_table(sheet: str, title: str, why: str) -> _Table:
    return _Table(sheet, title, pd.DataFrame(), {}, note=why)


def _row(label: str, mean: float, lo: float, hi: float, unit: str, meaning: str
         ) -> dict[str, Any]:
    return {"headline": label, "value": mean, _CI[0]: lo, _CI[1]: hi, "unit": unit,
            "meaning": meaning}


def _headline_table(rows: list[dict[str, Any]]) -> _Table:
    df = pd.DataFrame(rows, columns=["headline", "value", *_CI, "unit", "meaning"])
    return _Table("headline", "Headline numbers", df,
                  {"headline": "text", "value": "row", _CI[0]: "row", _CI[1]: "row",
                   "unit": "text", "meaning": "text"})


def _cards(rows: list[dict[str, Any]], n: int = 4) -> list[dict[str, Any]]:
    return [dict(r) for r in rows[:n]]


def _fmt_param(value: Any, unit: str) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return fmt_value(value, unit)
    return str(value)


def _changes(a, b) -> list[str]:
    """What differs between two scenarios, as ``name: a -> b`` lines (baseline churn aside)."""
    out = []
    units = a.assumptions()["unit"]
    for name in a.parameter_names():
        if name in ("name", "description", "market.baseline_churn") or (
                name.startswith("desk.") and (a.desk is None or b.desk is None)):
            continue
        try:
            va, vb = a.get(name), b.get(name)
        except KeyError:
            out.append(f"{name}: {a.get(name)!r} -> (not set)")
            continue
        if va != vb:
            u = str(units.get(name, ""))
            out.append(f"{name}: {_fmt_param(va, u)} -> {_fmt_param(vb, u)}")
    if (a.desk is None) != (b.desk is None):
        out.append(f"service desk: {'yes' if a.desk is not None else 'no'} -> "
                   f"{'yes' if b.desk is not None else 'no'}")
    names_a = [iv.name for iv in a.interventions]
    for iv in b.interventions:
        if iv.name not in names_a:
            start = f"{iv.start * 12:.3g} months" if iv.start < 1 else f"{iv.start:.3g} years"
            out.append(f"intervention '{iv.name}' from {start} "
                       f"({iv.cost_per_year:,.0f} a year, {iv.one_off_cost:,.0f} once)")
    return out


def _facts(ens, extra: Iterable[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    sc = ens.scenario
    m, sim = sc.market, sc.simulation
    meta = ens.meta if hasattr(ens, "meta") else {}
    psa = bool(meta.get("psa")) or bool(meta.get("posterior_draws"))
    out = [("scenario", sc.name),
           ("market", f"{m.people:,} people, {m.customer_share:.0%} customers at the start"),
           ("horizon", f"{sim.horizon_years:g} years in steps of {sim.step_days:g} days"),
           ("runs", f"{ens.n_runs}" + (f", each drawing {drawn_text(meta)}" if psa else "")),
           ("seed", f"{ens.seed}"),
           ("network", f"{m.network} (fingerprint {ens.network_fingerprint})")]
    return [*out, *extra]


def outcome_meaning(meta: dict | None = None) -> str:
    """The meaning of an outcome interval's row: where the runs fall, and what they drew."""
    return ("uncertainty interval of the outcome: the central 95% of runs, each drawing "
            + drawn_text(meta))


def _outcome_sentence(low: float, high: float, currency: str, meta: dict | None = None
                      ) -> str:
    """The plain-words outcome interval of a PSA result (docs/how_to_what_if.md)."""
    return (f"Allowing for chance and for what each run drew ({drawn_text(meta)}), it falls "
            f"between {fmt_money(low, currency)} and {fmt_money(high, currency)} (95% of "
            "runs; the 95% CI is the interval of the mean).")


def _interval_note(n_runs: int, psa: bool = False, meta: dict | None = None) -> str:
    if psa:
        return (f"Each of the {n_runs} runs also drew {drawn_text(meta)}. '95% CI' columns "
                "are intervals of the mean: how well the runs "
                "pin down the average; they narrow with more runs. 'outcome' intervals are "
                "where the answer itself falls (95%), allowing for chance and those "
                "draws; they do not narrow with more runs.")
    return (f"Intervals are 95% confidence intervals of the mean over {n_runs} runs: they "
            "measure simulation noise only, not doubt about the assumptions (appendix A; a "
            "tornado or psa=True shows what the assumptions do).")


def _few_runs(n_runs: int) -> list[str]:
    if n_runs < 10:
        return [f"Only {n_runs} runs: the intervals are rough. Use 20 or more runs for "
                "numbers shown to a client."]
    return []
