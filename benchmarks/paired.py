"""Paired scenarios in one pass against the same scenarios run one by one.

The scenarios of a tornado (a base and each uncertain parameter at both ends of its range,
each with its counterfactual) run with one seed on one graph, first one by one
(:func:`womsim.engine.step.run` each) and then in one pass
(:func:`womsim.engine.paired.run_paired`), in interleaved rounds (A B A B ...) after a
warm-up of both, so that load from other users of the machine falls on both alike. The
load average is recorded beside every figure; the records of both are compared bit for
bit.

Examples
--------
::

    python -m benchmarks.paired --people 100000 --k 2 4 8 16 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np


def _scenarios(people: int, k: int) -> list:
    """``k`` scenarios of a tornado: (today, counterfactual) pairs, swing after swing."""
    import womsim as wom
    from womsim.analysis.lostrev import counterfactual
    from womsim.analysis.whatif import paired_scenarios
    from womsim.model.uncertainty import ranges

    sc = wom.Scenario.preset("telecom").replace(**{"market.people": people})
    todays = [sc]
    r = ranges(sc)
    for name in r.index:
        for end in ("low", "high"):
            todays.append(sc.today(**{name: float(r.loc[name, end])}))
    out = []
    for today in todays:
        out.extend(paired_scenarios([today, counterfactual(today, None)], False, 0, 1)[0])
        if len(out) >= k:
            return out[:k]
    return out


def _load() -> float:
    return os.getloadavg()[0]


def measure(people: int, ks: list[int], rounds: int, seed: int = 3) -> list[dict]:
    from womsim.engine.paired import run_paired
    from womsim.engine.step import run
    from womsim.runner.simulate import build_network

    scs_all = _scenarios(people, max(ks))
    net = build_network(scs_all[0], 1)
    # warm-up: kernels loaded, caches of both paths filled once
    small = scs_all[:2]
    run_paired(small, net, seed)
    for s in small:
        run(s, net, seed)
    rows = []
    for k in ks:
        scs = scs_all[:k]
        sep_w, sep_c, one_w, one_c, loads = [], [], [], [], []
        identical = True
        for _ in range(rounds):
            loads.append(_load())
            t, c = time.perf_counter(), time.process_time()
            a = [run(s, net, seed) for s in scs]
            sep_c.append(time.process_time() - c)
            sep_w.append(time.perf_counter() - t)
            t, c = time.perf_counter(), time.process_time()
            b = run_paired(scs, net, seed)
            one_c.append(time.process_time() - c)
            one_w.append(time.perf_counter() - t)
            loads.append(_load())
            identical &= all(x.keys() == y.keys() and all(np.array_equal(x[n], y[n]) for n in x)
                             for x, y in zip(a, b, strict=True))
        row = {"people": people, "k": k, "rounds": rounds,
               "separate_cpu_s": min(sep_c), "paired_cpu_s": min(one_c),
               "separate_wall_s": min(sep_w), "paired_wall_s": min(one_w),
               "ratio_cpu": min(sep_c) / min(one_c), "ratio_wall": min(sep_w) / min(one_w),
               "identical": bool(identical), "load_1min": [min(loads), max(loads)]}
        print(f"K={k:>3}  separate {row['separate_cpu_s']:.3f} s CPU  one pass "
              f"{row['paired_cpu_s']:.3f} s CPU  x{row['ratio_cpu']:.2f}  identical "
              f"{identical}  load {min(loads):.1f}-{max(loads):.1f}", flush=True)
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.paired", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--people", type=int, default=100_000)
    ap.add_argument("--k", type=int, nargs="+", default=[2, 4, 8, 16])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out", default=None, help="write the rows here (JSON)")
    args = ap.parse_args(argv)
    rows = measure(args.people, args.k, args.rounds)
    if args.out:
        Path(args.out).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
