"""A market with two segments and a rival against the single-firm market, at 1M people.

The issue-18 target: the telecom preset at 1M people, weekly over two years, with two
segments (own revenue, contacts, problems, complaints, churn and telling) and one rival
(its own service, price and effort; switching both ways; word of mouth about it) costs at
most 1.5x the single-firm run. Both run on the same graph, alternately, ``--repeat`` times;
the minimum and median of each and their ratio are printed (and written with ``--out``).

Run with ``python -m benchmarks.market [--people 1000000] [--repeat 3]``. Kept out of the
tests: wall-clock time depends on the machine's load.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import womsim as wom
from womsim.engine.step import run
from womsim.runner.simulate import build_network

SEGMENTS = [
    {"name": "consumer", "share": 0.85},
    {"name": "business", "share": 0.15, "revenue_per_year": 2400.0, "revenue_sigma": 0.9,
     "contact_rate": 5.0, "problem_rate": 0.10, "complain_rate": 0.7, "resolved": 0.7,
     "observed_annual_churn": 0.20, "negative_mean": 12.0},
]
RIVAL = {"name": "challenger", "customer_share": 0.15, "contact_rate": 2.0,
         "problem_rate": 0.08, "delight_rate": 0.3, "complain_rate": 0.4, "resolved": 0.7,
         "baseline_churn": 0.12, "revenue_per_year": 550.0, "marketing_rate": 0.10,
         "takes_leavers": 0.5, "loses_to_us": 0.4}


def scenarios(people: int) -> tuple:
    single = wom.Scenario.preset("telecom").replace(**{"market.people": people})
    market = single.today(segments=SEGMENTS, rivals=[RIVAL])
    return single, market


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--people", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    single, market = scenarios(args.people)
    net = build_network(single, seed=1)
    small = scenarios(20_000)
    for sc in small:  # load or compile the kernels, kept out of the timing
        run(sc, build_network(sc, seed=1), seed=2)
    times: dict[str, list[float]] = {"single firm": [], "two segments and a rival": []}
    cpu: dict[str, list[float]] = {k: [] for k in times}
    for _ in range(args.repeat):
        for label, sc in zip(times, (single, market), strict=True):
            t, c = time.perf_counter(), time.process_time()
            run(sc, net, seed=1)
            times[label].append(time.perf_counter() - t)
            cpu[label].append(time.process_time() - c)
    # CPU time beside wall time: on a shared machine the wall clock also measures the others
    out = {k: {"min_s": min(v), "median_s": statistics.median(v), "cpu_min_s": min(cpu[k])}
           for k, v in times.items()}
    a, b = out["single firm"], out["two segments and a rival"]
    out["ratio_min"] = b["min_s"] / a["min_s"]
    out["ratio_median"] = b["median_s"] / a["median_s"]
    out["ratio_cpu"] = b["cpu_min_s"] / a["cpu_min_s"]
    out["people"], out["steps"], out["repeat"] = args.people, single.simulation.steps, \
        args.repeat
    for k in times:
        print(f"{k}: min {out[k]['min_s']:.2f} s, median {out[k]['median_s']:.2f} s")
    print(f"ratio: {out['ratio_min']:.2f}x (min), {out['ratio_median']:.2f}x (median), "
          f"{out['ratio_cpu']:.2f}x (CPU); target <= 1.5x")
    if args.out is not None:
        args.out.write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
