"""A full tornado: ``womsim.sensitivity`` over every uncertain parameter (issue 16).

The telecom preset at 100k people, ``runs=20`` (target <= 20 s on 2 cores), in worker
processes on every core and serially (the serial baseline of the parallel figure; its CPU
time is the work done), one right after the other in one fresh child after a warm-up; also
how many of the tornado's scenarios were simulated per seed and how many taken from runs it
already had (womsim.engine.reuse). ``python benchmarks/run.py --only tornado``.
"""

from __future__ import annotations

import argparse
import os
import resource
import time

from benchmarks.common import child, log


def _cpu() -> float:
    """CPU time of this process and its reaped children (worker processes)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    ch = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + ch.ru_utime + ch.ru_stime


def work(task: dict) -> dict:
    """One full tornado per executor, after a small warm-up (kernels loaded)."""
    import womsim as wom
    import womsim.analysis.tornado as tornado
    from womsim.runner.executors import close_pool

    people, runs = task["people"], task["runs"]
    sc = wom.Scenario.preset("telecom").replace(**{"market.people": people})
    small = sc.replace(**{"market.people": 2000, "simulation.horizon_years": 0.2})
    wom.sensitivity(small, params=["word_of_mouth.negative_mean"], runs=2, seed=1,
                    executor="serial", progress=False)
    seen: list[int] = []
    real = tornado.run_grid

    def counted(rows, *a, **k):
        seen.append(len(rows[0]))
        return real(rows, *a, **k)

    tornado.run_grid = counted
    out: dict = {"people": people, "runs": runs, "cores": len(os.sched_getaffinity(0)),
                 "load_at_start": os.getloadavg()}
    try:
        for how in task.get("executors", ["processes", "serial"]):
            seen.clear()
            t, c = time.perf_counter(), _cpu()
            tor = wom.sensitivity(sc, runs=runs, seed=1, executor=how, progress=False)
            out[how] = {"wall_s": time.perf_counter() - t, "cpu_s": _cpu() - c,
                        "simulated_per_seed": sum(seen),
                        "scenarios_per_seed": 2 * (1 + 2 * len(tor.table())),
                        "top3": tor.table().index[:3].tolist()}
            if how == "processes":
                close_pool()  # its workers' CPU time is counted when they are reaped
                out[how]["cpu_s"] = _cpu() - c
    finally:
        tornado.run_grid = real
    out["load_at_end"] = os.getloadavg()
    return out


def run(args: argparse.Namespace) -> dict:
    log(f"tornado  every uncertain parameter, {args.tornado_people:,} people, runs="
        f"{args.tornado_runs}: processes, then serial ...")
    return child({"kind": "tornado", "people": args.tornado_people,
                  "runs": args.tornado_runs}, args.timeout)


def add_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--tornado-people", type=int, default=100_000)
    ap.add_argument("--tornado-runs", type=int, default=20)
