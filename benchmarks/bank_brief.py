"""The bank brief of issue 14, before and after calibration (the figures in docs/calibration.md).

A retail bank with 200,000 customers, 15% annual churn and 4% of contacts ending with a
problem. *Before*: what a new user does by hand (the ``retail_bank`` preset at 1M people and a
20% customer share, the observed churn and the problem rate set; the baseline churn is solved,
nothing else) and the value lost with the assumption ranges in its interval (``psa=True``).
*After*: ``womsim.calibrate`` on the same three facts (growth 0 = today at rest) and the value
lost with the posterior in its interval.

Not a speed benchmark: it prints and writes the figures (112 CPU-seconds measured on 2026-12-01)::

    python -m benchmarks.bank_brief --out benchmarks/results/bank_brief.json
"""

from __future__ import annotations

import argparse
import json
import math
import time
import warnings

import numpy as np

import womsim as wom
from womsim.results import interval

TARGETS = {"annual_churn": 0.15, "problem_share": 0.04, "customer_growth": 0.0}


def _kpis(ens) -> dict[str, float]:
    """Churn today and growth per year of an ensemble, each with its 95% interval."""
    runs = ens.runs
    h = ens.scenario.simulation.horizon_years
    growth = (runs["customers_end"] / runs["customers_start"]).to_numpy(float) ** (1 / h) - 1
    out = {}
    for name, v in (("annual_churn", runs["annual_churn"].to_numpy(float)),
                    ("customer_growth", growth),
                    ("customers_end", runs["customers_end"].to_numpy(float))):
        m, _, lo, hi = interval(v)
        out[name] = [float(m), float(lo), float(hi)]
    return out


def _lost(lr) -> dict[str, float]:
    t = lr.total()
    keys = ("value_lost", "ci_low", "ci_high", "outcome_low", "outcome_high")
    return {k: float(t[k]) for k in keys if k in t and math.isfinite(float(t[k]))}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--people", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default=None)
    a = ap.parse_args(argv)
    base = wom.Scenario.preset("retail_bank").replace(
        **{"market.people": a.people, "market.customer_share": 200_000 / a.people})
    t0 = time.process_time()
    before = base.today(**{"market.observed_annual_churn": TARGETS["annual_churn"],
                           "service.problem_rate": TARGETS["problem_share"]})
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        lr0 = wom.lost_revenue(before, runs=a.runs, seed=a.seed, psa=True, executor="serial",
                               progress=False)
    res = {"before": {**_kpis(lr0.today), "value_lost": _lost(lr0),
                      "warnings": sorted({type(x.message).__name__ for x in w})}}
    cal = wom.calibrate(base, TARGETS, seed=a.seed, executor="serial", progress=False)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        lr1 = wom.lost_revenue(cal, runs=a.runs, seed=a.seed, executor="serial",
                               progress=False)
    d = cal.diagnostic()
    res["after"] = {**_kpis(lr1.today), "value_lost": _lost(lr1),
                    "warnings": sorted({type(x.message).__name__ for x in w}),
                    "marketing_rate": float(cal.scenario.market.marketing_rate),
                    "diagnostic": {p: [float(d.loc[p, "ci_low"]), float(d.loc[p, "ci_high"]),
                                       float(d.loc[p, "width_ratio"])] for p in d.index}}
    res["cpu_seconds"] = time.process_time() - t0
    res["runs"], res["people"], res["seed"] = a.runs, a.people, a.seed
    text = json.dumps(res, indent=1, default=lambda x: float(np.asarray(x)))
    print(text)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text + "\n")
    return res


if __name__ == "__main__":
    main()
