"""How far a cold start (nobody deterred) moves a preset against a steady-state start.

Not a speed benchmark: the evidence for ``simulation.start``'s default (docs/calibration.md,
"Today at rest"). For each preset, the same seeds cold and steady: customers over the
horizon relative to the start, acquisitions per week in the first quarter and in the second
year, and the value lost (``womsim.lost_revenue``) with the half-width of its 95% interval::

    python -m benchmarks.cold_start --people 50000 --runs 8
"""

from __future__ import annotations

import argparse
import time
import warnings

import pandas as pd

import womsim as wom


def main(argv: list[str] | None = None) -> pd.DataFrame:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=50_000)
    ap.add_argument("--runs", type=int, default=8)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--presets", nargs="+", default=["retail_bank", "telecom"])
    a = ap.parse_args(argv)
    warnings.simplefilter("ignore")  # the presets' own marketing grows them: DriftWarning
    t0 = time.process_time()
    frames = {}
    for preset in a.presets:
        rows = {}
        for start in ("cold", "steady"):
            sc = wom.Scenario.preset(preset).today(**{"market.people": a.people,
                                                      "simulation.start": start})
            ens = wom.simulate(sc, runs=a.runs, seed=a.seed, executor="serial",
                               progress=False)
            ts = ens.timeseries()
            c = ts[("customers", "mean")].to_numpy()
            acq = ts[("acquisitions", "mean")].to_numpy()
            c0 = ens.runs["customers_start"].mean()
            r = {f"customers week {i + 1} / start": c[i] / c0
                 for i in (4, 13, 26, 52, len(c) - 1)}
            r["acquisitions/week, weeks 1-13"] = acq[:13].mean()
            r["acquisitions/week, year 2"] = acq[52:].mean()
            lr = wom.lost_revenue(sc, runs=a.runs, seed=a.seed, executor="serial",
                                  progress=False).total()
            r["value lost"] = lr["value_lost"]
            r["value lost, 95% half-width"] = (lr["ci_high"] - lr["ci_low"]) / 2
            rows[start] = r
        frames[preset] = pd.DataFrame(rows)
    out = pd.concat(frames)
    print(out.to_string(float_format=lambda x: f"{x:,.4f}"))
    print(f"CPU {time.process_time() - t0:.0f} s")
    return out


if __name__ == "__main__":
    main()
