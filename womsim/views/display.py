"""HTML for notebooks: compact tables, money and percentages formatted for a client.

Every result's ``_repr_html_`` comes from here, so that a scenario, the research figures, an
ensemble, a comparison, lost revenue, the analytic market damage, a sweep and a tornado all
look alike in a notebook and in a report: money with thousands separators (and the currency
in the column header), shares as percentages, counts as whole people, intervals written
"low to high", and the status of every assumption shown as a coloured badge (unverified and
illustrative numbers stand out in red and amber; the helpers are
:mod:`womsim.views.formatting`'s).

A view formats what it is given and never runs a model: a scenario is shown from its static
parameter metadata (``scenario.assumptions(solve=False)``), so showing one with a service desk
neither simulates the desk nor solves a hidden rate.

Examples
--------
>>> fmt_value(0.125, "share")
'12.5%'
>>> fmt_money(1_234_567.8, "USD")
'USD 1,234,568'
>>> fmt_money(1_234_567.8, compact=True)
'1.23m'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from womsim.core import figures
from womsim.core.metrics import HEADLINES
from womsim.views.formatting import (
    CSS,
    FLAGGED,
    FormattedTable,
    _bad,
    _currency,
    _esc,
    _money_header,
    _short,
    _table,
    drawn_text,
    fmt_count,
    fmt_interval,
    fmt_money,
    fmt_pct,
    fmt_value,
    formatted,
    html_fragment,
    status_badge,
    unit_kind,
)

if TYPE_CHECKING:
    from womsim.model.scenario import Scenario

# the formatting helpers are re-exported: display was their home before views/formatting.py
__all__ = [
    "CSS",
    "FLAGGED",
    "FormattedTable",
    "calibration_html",
    "comparison_html",
    "ensemble_html",
    "figures_html",
    "fmt_count",
    "fmt_interval",
    "fmt_money",
    "fmt_pct",
    "fmt_value",
    "formatted",
    "html_fragment",
    "lost_revenue_html",
    "market_damage_html",
    "scenario_html",
    "sensitivity_html",
    "status_badge",
    "sweep_html",
    "unit_kind",
]

# --------------------------------------------------------------------------- scenario
_GROUP_TITLES = {"market": "Market", "service": "Service", "complaints": "Complaints",
                 "word_of_mouth": "Word of mouth", "reviews": "Online reviews",
                 "economics": "Economics",
                 "simulation": "Simulation", "desk": "Service desk",
                 "derived": "Derived (what the engine uses)", "interventions": "Interventions"}


def _status_counts(statuses: Iterable[str]) -> str:
    counts = pd.Series(list(statuses)).value_counts()
    order = ["verified", "secondary", "unverified", "illustrative", "client input",
             "derived", "model setting"]
    parts = [f"{int(counts[s])} {s}" for s in order if s in counts.index]
    parts += [f"{int(counts[s])} {s}" for s in counts.index if s not in order]
    return ", ".join(parts)


def scenario_html(scenario: Scenario) -> str:
    """A scenario's parameters grouped by part, with unit, status badge and source.

    Examples
    --------
    >>> import womsim as wom
    >>> h = scenario_html(wom.Scenario.preset("telecom"))
    >>> "Word of mouth" in h and "UNVERIFIED" in h and "15.0%" in h
    True
    """
    a = scenario.assumptions(solve=False)
    cur = _currency(scenario)
    rows, classes, titles = [], [], []
    group = None
    for name, r in a.iterrows():
        g = "interventions" if str(name).startswith("interventions[") else (
            str(name).split(".")[0] if "." in str(name) else "")
        if g and g != group:
            group = g
            rows.append([html_fragment("<b>{}</b>", _GROUP_TITLES.get(g, g)), "", "", "", ""])
            classes.append("grp")
            titles.append([""] * 5)
        short = str(name).split(".", 1)[1] if g and g != "interventions" else str(name)
        value = r["value"]
        shown = "auto" if value is None and str(name).startswith("complaints.stay_") else \
            fmt_value(value, r["unit"], cur if unit_kind(r["unit"]) == "money" else "")
        src = r["source"] or (f"figure: {r['figure']}" if r["figure"] else "")
        rows.append([_esc(short), shown, _esc(r["unit"]), status_badge(r["status"]),
                     _esc(_short(src))])
        classes.append("flag" if r["status"] in FLAGGED else "")
        titles.append([str(r["meaning"]), "", "", "", str(src)])
    caption = f"{scenario!r}"
    note = html_fragment("<p class='wom-note'>{} numbers: {}. Hover over a name for its "
                         "meaning, over a source for the full reference.</p>"
                         "<p class='wom-note'>This scenario is {}.</p>", len(a),
                         _status_counts(a["status"]), scenario.state_text(solve=False))
    return _table(rows, ["parameter", "value", "unit", "status", "source"], caption,
                  text_cols=(0, 2, 3, 4), row_classes=classes, titles=titles,
                  wrap_cols=(4,)) + str(note)


# --------------------------------------------------------------------------- figures
def figures_html(table: pd.DataFrame | None = None, status: str | None = None) -> str:
    """The research figures (``womsim.core.figures.table()``) as a readable table.

    Parameters
    ----------
    table : DataFrame, optional
        A figures table (default: every figure, or those with ``status``).
    status : {"verified", "secondary", "unverified"}, optional

    Examples
    --------
    >>> h = figures_html()
    >>> "negative_tells" in h and "UNVERIFIED" in h
    True
    """
    t = figures.table(status=status) if table is None else table
    rows, classes, titles = [], [], []
    for key, r in t.iterrows():
        unit = str(r["unit"])
        value = "-" if _bad(r["value"]) else fmt_value(float(r["value"]), unit)
        lo, hi = r["low"], r["high"]
        rng = "" if _bad(lo) and _bad(hi) else (
            f"{'?' if _bad(lo) else fmt_value(float(lo), unit)} – "
            f"{'?' if _bad(hi) else fmt_value(float(hi), unit)}")
        year = "" if _bad(r["year"]) else f" ({int(r['year'])})"
        rows.append([html_fragment("{}<br><code>{}</code>", r["name"], key), value, _esc(rng),
                     _esc(unit), status_badge(r["status"]),
                     _esc(_short(str(r["source"]) + year, 90)), _esc(_short(r["caveat"], 110))])
        classes.append("flag" if r["status"] in FLAGGED else "")
        titles.append(["", "", "", "", "", str(r["source"]) + year, str(r["caveat"])])
    return _table(rows, ["figure", "value", "range", "unit", "status", "source", "caveat"],
                  f"research figures ({len(t)})", text_cols=(0, 3, 4, 5, 6),
                  row_classes=classes, titles=titles, wrap_cols=(0, 5, 6))


# --------------------------------------------------------------------------- ensemble
_ENSEMBLE_HEAD = ("customers_start", "customers_end", "annual_churn", "revenue", "profit",
                  "profit_pv", "customer_equity", "value")
_ENSEMBLE_CAUSE = ("defect_experience", "defect_wom", "defect_baseline", "acq_marketing",
                   "acq_referral", "acq_winback", "newly_deterred")


def _summary_rows(s: pd.DataFrame, names: Iterable[str], cur: str, spread: bool = True
                  ) -> list[list[str]]:
    rows = []
    for k in names:
        if k not in s.index:
            continue
        r = s.loc[k]
        u = r["unit"]
        c = cur if unit_kind(u) == "money" else ""
        row = [_esc(k.replace("_", " ")), fmt_value(r["mean"], u, c),
               html_fragment("<span class='ci'>{}</span>",
                             fmt_interval(r["ci_low"], r["ci_high"], u))]
        if spread:
            row.append(html_fragment("<span class='ci'>{}</span>",
                                     fmt_interval(r["p05"], r["p95"], u)))
        row.append(_esc(r["meaning"]))
        rows.append(row)
    return rows


def ensemble_html(ens: Any) -> str:
    """Headline metrics with mean and 95% interval; customers lost and won by cause.

    Examples
    --------
    >>> import womsim as wom
    >>> sc = wom.Scenario().replace(**{"market.people": 2000, "simulation.horizon_years": 0.5})
    >>> h = ensemble_html(wom.simulate(sc, runs=3, seed=1, executor="serial"))
    >>> "95% CI of mean" in h and "USD" in h
    True
    """
    s = ens.summary()
    sc = ens.scenario
    cur = _currency(sc)
    header = ["metric", "mean", "95% CI of mean", "90% of runs", "meaning"]
    cap = (f"{sc.name}: {ens.n_runs} runs, {sc.market.people:,} people, "
           f"{sc.simulation.horizon_years:g} years" + (f", seed {ens.seed}" if ens.seed
                                                       is not None else ""))
    head = _table(_summary_rows(s, _ENSEMBLE_HEAD, cur), header, cap, text_cols=(0, 4),
                  wrap_cols=(4,))
    causes = _table(_summary_rows(s, _ENSEMBLE_CAUSE, cur), header,
                    "customers lost and won, by cause", text_cols=(0, 4), wrap_cols=(4,),
                    css=False)
    rest = [k for k in s.index if k not in _ENSEMBLE_HEAD + _ENSEMBLE_CAUSE]
    full = _table(_summary_rows(s, rest, cur), header, "", text_cols=(0, 4), wrap_cols=(4,),
                  css=False)
    note = ""
    if ens.n_runs < 10:
        note = html_fragment("<p class='wom-note'>Only {} runs: intervals are rough; use 20 "
                             "or more for a client.</p>", ens.n_runs)
    return "".join([head, causes, note,
                    f"<details><summary>all metrics</summary>{full}</details>"])


# --------------------------------------------------------------------------- comparison
_COMPARISON_KEEP = ("value", "profit_pv", "profit", "revenue", "customers_end", "annual_churn",
                    "defections", "acquisitions", "intervention_cost")


def comparison_html(cmp: Any) -> str:
    """Each scenario against the reference: key metrics, paired differences and intervals,
    and the return on intervention spend where there is any.

    Examples
    --------
    >>> import womsim as wom
    >>> sc = wom.Scenario.preset("telecom").replace(**{"market.people": 2000,
    ...                                                 "simulation.horizon_years": 0.5})
    >>> cmp = wom.compare({"today": sc, "same": sc}, runs=2, seed=1, executor="serial")
    >>> "difference" in comparison_html(cmp)
    True
    """
    s = cmp.summary()
    cur = _currency(cmp.ensembles[cmp.reference].scenario)
    out = []
    roi = None
    for i, name in enumerate(cmp.names[1:]):
        rows = []
        for metric in _COMPARISON_KEEP:
            if (name, metric) not in s.index:
                continue
            r = s.loc[(name, metric)]
            u = r["unit"]
            c = cur if unit_kind(u) == "money" else ""
            rows.append([_esc(metric.replace("_", " ")), fmt_value(r["reference"], u, c),
                         fmt_value(r["value"], u, c),
                         html_fragment("<b>{}</b>", fmt_value(r["difference"], u, c)),
                         html_fragment("<span class='ci'>{}</span>",
                                       fmt_interval(r["ci_low"], r["ci_high"], u))])
            if "outcome_low" in r.index:
                rows[-1].append(html_fragment(
                    "<span class='ci'>{}</span>",
                    fmt_interval(r["outcome_low"], r["outcome_high"], u)))
        cap = f"'{name}' compared with '{cmp.reference}' (paired runs)"
        head = ["metric", cmp.reference, name, "difference", "95% CI"]
        if "outcome_low" in s.columns:
            head[-1] = "95% CI (mean)"
            head.append("95% outcome (PSA)")
        out.append(_table(rows, head, cap, css=i == 0))
        ens = cmp.ensembles[name]
        if float(ens.runs["intervention_cost"].mean()) > 0:
            if roi is None:
                roi = cmp.roi()
            r = roi.loc[name]
            payback = "not within the horizon" if _bad(r["payback_years"]) else \
                f"{r['payback_years']:.2g} years"
            out.append(html_fragment(
                "<p class='wom-note'><b>{}</b>: net gain {} (95% CI {}) on {} spent; ROI {}; "
                "payback {}.</p>", name, fmt_money(r["net_gain"], cur),
                fmt_interval(r["ci_low"], r["ci_high"], "money"),
                fmt_money(r["extra_cost"], cur),
                "n/a" if _bad(r["roi"]) else f"{r.roi:.0%}", payback))
    n = cmp.ensembles[cmp.reference].n_runs
    psa = (" with parameter uncertainty (PSA; '95% CI (mean)' is the interval of the mean, "
           "'95% outcome' where the difference itself falls given chance and the assumption "
           "ranges)") if getattr(cmp, "psa", False) else ""
    out.append(f"<p class='wom-note'>{int(n)} paired runs{psa}: every scenario has the same luck "
               "in every run, so differences hold the effect of the change.</p>")
    return "".join(out)


# --------------------------------------------------------------------------- lost revenue
def lost_revenue_html(lr: Any) -> str:
    """The headline, the split by cause and the per-incident prices.

    Examples
    --------
    >>> import womsim as wom
    >>> sc = wom.Scenario.preset("telecom").replace(**{"market.people": 2000,
    ...                                                 "simulation.horizon_years": 0.5})
    >>> h = lost_revenue_html(wom.lost_revenue(sc, runs=2, seed=1, executor="serial"))
    >>> "per silent unhappy customer" in h
    True
    """
    t = lr.total()
    cur = _currency(lr.today.scenario)
    head = html_fragment(
        "<p class='wom-head'><b>Today's service costs {}</b> in value (95% CI {}) and {} in "
        "revenue, against '{}': present values today of the {:g} years simulated and the "
        "remaining lifetimes of the customers held at their end. Profit lost within the "
        "{:g} years (cash): {}.</p>",
        fmt_money(t["value_lost"], cur), fmt_interval(t["ci_low"], t["ci_high"], "money", cur),
        fmt_money(t["revenue_lost"], cur), lr.comparison.names[1], t["horizon_years"],
        t["horizon_years"], fmt_money(t["cash_lost_within_horizon"], cur))
    if "outcome_low" in t.index:
        head += html_fragment(
            "<p class='wom-note'>Allowing for chance and for what each run drew ({}), the "
            "value lost falls between {} and {} (95% of runs); the 95% CI is the interval of "
            "the mean.</p>", drawn_text(lr.today.meta),
            fmt_money(t["outcome_low"], cur), fmt_money(t["outcome_high"], cur))
    bc = lr.by_cause()
    rows, classes = [], []
    for cause, r in bc.iterrows():
        rows.append([_esc(cause), fmt_money(r["mean"]),
                     html_fragment("<span class='ci'>{}</span>",
                                   fmt_interval(r["ci_low"], r["ci_high"], "money")),
                     fmt_pct(r["share"]), fmt_money(r["revenue"])])
        classes.append("tot" if cause == "total" else "")
    causes = _table(rows, ["cause", _money_header("value", cur), "95% CI", "share",
                           _money_header("of which revenue", cur)], "by cause",
                    row_classes=classes, css=False)
    pi = lr.per_incident()
    inc = _table([[_esc(name), fmt_money(r["mean"]),
                   html_fragment("<span class='ci'>{}</span>",
                                 fmt_interval(r["ci_low"], r["ci_high"], "money")),
                   fmt_count(r["incidents_today"])] for name, r in pi.iterrows()],
                 ["incident", _money_header("value lost", cur), "95% CI", "incidents today"],
                 "per incident", css=False)
    return "".join([CSS, head, causes, inc])


# --------------------------------------------------------------------------- market damage
_DAMAGE_KEY = ("customers", "problems", "silent", "unresolved", "negative_tellings",
               "lost_directly", "lost_wom", "sales_forgone", "winbacks_forgone", "referrals",
               "customers_lost", "revenue_at_risk", "margin_at_risk")


def _basis_status(basis: str) -> str:
    """The status behind a market-damage basis (``figure: key`` -> the figure's status)."""
    if basis.startswith("figure: "):
        try:
            return figures.get(basis.removeprefix("figure: ").strip()).status
        except KeyError:
            return ""
    if "unverified" in basis:
        return "unverified"
    return basis


def market_damage_html(dmg: Any) -> str:
    """The analytic market damage: the headline, the key lines, and every line with its
    equation, working and basis (illustrative and unverified inputs flagged) on demand.

    Examples
    --------
    >>> import womsim as wom
    >>> h = market_damage_html(wom.market_damage(wom.Scenario.preset("telecom")))
    >>> "revenue at risk" in h and "USD" in h
    True
    """
    t = dmg.table()
    cur = dmg.currency
    head = ""
    if "revenue_at_risk" in t.index:
        lost = f", {fmt_count(t.loc['customers_lost', 'value'])} customers lost net" \
            if "customers_lost" in t.index else ""
        margin = f" ({fmt_money(t.loc['margin_at_risk', 'value'], cur)} in margin)" \
            if "margin_at_risk" in t.index else ""
        head = html_fragment("<p class='wom-head'><b>{} revenue at risk</b>{}{}.</p>",
                             fmt_money(t.loc["revenue_at_risk", "value"], cur), margin, lost)
    keys = [k for k in _DAMAGE_KEY if k in t.index] or list(t.index)
    rows, classes = [], []
    for k in keys:
        r = t.loc[k]
        rows.append([_esc(r["name"]), _esc(r["symbol"]),
                     fmt_value(r["value"], r["unit"], cur if unit_kind(r["unit"]) == "money"
                               else "")])
        classes.append("tot" if k in ("customers_lost", "revenue_at_risk") else "")
    key = _table(rows, ["line", "symbol", "value"], dmg.title, text_cols=(0, 1),
                 row_classes=classes)
    all_rows, all_classes = [], []
    for _, r in t.iterrows():
        basis = str(r["basis"])
        status = _basis_status(basis)
        flag = status in FLAGGED
        shown = status_badge("illustrative") if basis == "illustrative" else _esc(basis) + (
            " " + status_badge(status) if status in FLAGGED else "")
        all_rows.append([_esc(r["name"]), fmt_value(r["value"], r["unit"], cur if unit_kind(
            r["unit"]) == "money" else ""), _esc(r["equation"]), _esc(r["working"]), shown])
        all_classes.append("flag" if flag else "")
    full = _table(all_rows, ["line", "value", "equation", "working", "basis"], "",
                  text_cols=(0, 2, 3, 4), row_classes=all_classes, css=False)
    note = ("<p class='wom-note'>One period, one hop, mean field (TARP's arithmetic); each "
            "customer lost priced at the present value of their remaining lifetime, as "
            "<code>lost_revenue</code> prices one; for word of mouth over time and second-hand "
            "stories run <code>lost_revenue</code>.</p>")
    return "".join([head, key, note,
                    f"<details><summary>every line, with its equation</summary>{full}</details>"])


# --------------------------------------------------------------------------- what-if grids
def sweep_html(sweep: Any, metrics: Sequence[str] = ("profit", "value", "customers_end",
                                                "annual_churn")) -> str:
    """One row per grid point: the parameters, each metric's mean and 95% interval.

    Examples
    --------
    >>> import womsim as wom
    >>> sc = wom.Scenario.preset("telecom").replace(**{"market.people": 2000,
    ...                                                 "simulation.horizon_years": 0.5})
    >>> sw = wom.sweep(sc, {"service.problem_rate": [0.05, 0.15]}, runs=2, seed=1,
    ...                executor="serial")
    >>> "5.0%" in sweep_html(sw)
    True
    """
    s = sweep.summary(list(metrics))
    base = sweep.ensembles[0].scenario
    cur = _currency(base)
    a = base.assumptions(solve=False)
    units = {p: str(a.loc[p, "unit"]) if p in a.index else "" for p in sweep.params}
    rows = []
    for _, r in s.iterrows():
        row = [fmt_value(r[p], units[p]) for p in sweep.params]
        for m in metrics:
            u = HEADLINES[m][0]
            c = cur if unit_kind(u) == "money" else ""
            row.append(html_fragment("{}<br><span class='ci'>{}</span>", fmt_value(r[m], u, c),
                                     fmt_interval(r[f"{m}_ci_low"], r[f"{m}_ci_high"], u)))
        rows.append(row)
    header = [*sweep.params, *[m.replace("_", " ") for m in metrics]]
    n = sweep.ensembles[0].n_runs
    return _table(rows, header, f"sweep: {len(s)} points x {n} runs (mean, 95% CI)",
                  text_cols=())


def sensitivity_html(sens: Any, currency: str = "") -> str:
    """The tornado as a table: each parameter's range, the result at each end, the swing.

    Examples
    --------
    >>> import pandas as pd
    >>> from womsim.analysis.sweep import Sensitivity
    >>> t = pd.DataFrame({"low": [5.0], "high": [13.0], "value": [9.0], "at_low": [80.0],
    ...                   "at_high": [120.0], "swing": [40.0], "swing_sd": [1.0],
    ...                   "basis": ["figure"], "status": ["verified"]},
    ...                  index=pd.Index(["word_of_mouth.negative_mean"], name="parameter"))
    >>> "word_of_mouth.negative_mean" in sensitivity_html(Sensitivity(t, 100.0, "value_lost"))
    True
    """
    t = sens.table()
    rows, classes = [], []
    for p, r in t.iterrows():
        rows.append([_esc(p), f"{r['low']:g} – {r['high']:g}", _esc(f"{r['value']:g}"),
                     fmt_money(r["at_low"]), fmt_money(r["at_high"]),
                     html_fragment("<b>{}</b>", fmt_money(r["swing"])),
                     status_badge(r["status"])])
        classes.append("flag" if r["status"] in FLAGGED else "")
    metric = sens.metric.replace("_", " ")
    cap = f"what moves {metric} most (at today's values: {fmt_money(sens.base, currency)})"
    out = getattr(sens, "base_outcome", None)
    if out is not None:  # a calibration's posterior was carried into the runs
        cap = cap[:-1] + (f"; 95% outcome interval {fmt_money(out[0], currency)} to "
                          f"{fmt_money(out[1], currency)})")
    return _table(rows, ["parameter", "range", "today", _money_header(f"{metric} at low",
                                                                       currency),
                         _money_header(f"{metric} at high", currency),
                         _money_header("swing", currency), "status"], cap,
                  text_cols=(0, 2, 6), row_classes=classes)


# --------------------------------------------------------------------------- calibration
def calibration_html(cal: Any) -> str:
    """Notebook view: targets vs simulated, and what the data says per parameter."""
    rows = [[_esc(n), fmt_value(r["target"]), fmt_value(r["simulated"]),
             f"{fmt_value(r['ci_low'])} to {fmt_value(r['ci_high'])}", _esc(r["meaning"])]
            for n, r in cal.check.iterrows()]
    top = _table(rows, ["target", "value", "simulated", "95% interval", "meaning"],
                 caption=f"Calibration of '{cal.scenario.name}': targets vs the calibrated "
                         f"scenario ({cal.people:,} people simulated)", wrap_cols=(4,))
    d = cal.diagnostic()
    rows = [[_esc(p), fmt_value(r["prior_low"]), fmt_value(r["prior_high"]),
             fmt_value(r["posterior_mean"]),
             f"{fmt_value(r['ci_low'])} to {fmt_value(r['ci_high'])}",
             fmt_value(r["width_ratio"]), _esc(r["verdict"])] for p, r in d.iterrows()]
    ess, cands = cal.meta.get("ess"), cal.meta.get("candidates")
    caption = "Inferred parameters" + (
        f" (the approximate posterior's effective sample size: {ess:,.0f} of {cands:,} "
        "candidates)" if ess is not None and cands else "")
    if "weights_check" in cal.meta:
        caption += f"; fragile: {cal.meta['weights_check']}"
    mid = _table(rows, ["parameter", "prior low", "prior high", "posterior mean",
                        "90% interval", "width / prior", "what the data says"],
                 caption=_esc(caption), wrap_cols=(6,), css=False)
    rows = [[_esc(p), _esc(src)] for p, src in cal.solved.items()]
    low = _table(rows, ["parameter", "solved from"], caption="Solved exactly", css=False)
    return top + mid + low
