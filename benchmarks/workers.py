"""Serial against worker processes: a new pool and this session's kept one.

In rounds (serial, new pool, kept pool, serial, ...) in one fresh child, so that load
bursts hit all three; serial is the baseline of both parallel figures.
"""

from __future__ import annotations

import argparse
import os
import time

from benchmarks.common import child, log, median, scenario, warm_engine


def work(task: dict) -> dict:
    import womsim
    from womsim.runner.executors import close_pool

    sc = scenario(task["people"])
    net = womsim.Network.scale_free(task["people"], m=5, seed=1)
    warm_engine()
    rows: dict[str, list[float]] = {"serial": [], "processes_new_pool": [],
                                    "processes_kept_pool": []}
    for r in range(task["rounds"]):
        for how in rows:
            if how == "processes_new_pool":
                close_pool()
            ex = "serial" if how == "serial" else "processes"
            t = time.perf_counter()
            womsim.simulate(sc, network=net, runs=task["runs"], seed=r + 1, executor=ex,
                            progress=False)
            rows[how].append(time.perf_counter() - t)
    close_pool()
    med = {k: median(v) for k, v in rows.items()}
    return {"people": task["people"], "runs": task["runs"], "rounds": task["rounds"],
            "cores": len(os.sched_getaffinity(0)), "wall_s": rows, "median_s": med,
            "speedup_kept": med["serial"] / med["processes_kept_pool"],
            "speedup_new": med["serial"] / med["processes_new_pool"]}


def run(args: argparse.Namespace) -> list[dict]:
    out = []
    for runs in args.workers_runs:
        log(f"workers  {runs} runs x {args.workers_people:,}: serial / new pool / kept "
            f"pool, {args.workers_rounds} rounds ...")
        out.append(child({"kind": "workers", "people": args.workers_people, "runs": runs,
                          "rounds": args.workers_rounds}, args.timeout))
    return out


def add_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--workers-people", type=int, default=100_000)
    ap.add_argument("--workers-runs", type=int, nargs="+", default=[12, 40],
                    help="runs per call for the serial / processes comparison")
    ap.add_argument("--workers-rounds", type=int, default=2)
