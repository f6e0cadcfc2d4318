"""A full tornado: ``womsim.sensitivity`` over every uncertain parameter (issue 16).

The telecom preset at 100k people, ``runs=20`` (target <= 20 s on 2 cores), in worker
processes on every core and serially (the serial baseline of the parallel figure; its CPU
time is the work done), one right after the other in one fresh child after a warm-up; also
how many of the tornado's scenarios were simulated per seed and how many taken from runs it
already had (womsim.engine.reuse); and in threads of the child (``executor="threads"``: the
compiled whole run releases the GIL; no pool to start, nothing to send).
``python benchmarks/run.py --only tornado``.

The processes figure is the kept pool's, as a session's second and later calls see it: the
warm-up (a small tornado in processes) starts the pool, and its wall and CPU time are
reported apart (``pool_start``: paid once per session, as the ensemble's). The child and
its workers read bytecode as after ``pip install`` (``benchmarks.demo``'s temporary
``PYTHONPYCACHEPREFIX``): without it every spawned worker compiles ~1,300 modules from
source (about 10 s of CPU each under load), which no installed womsim does.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time

from benchmarks.common import child, log


def _cpu() -> float:
    """CPU time of this process and its reaped children (worker processes)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    ch = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + ch.ru_utime + ch.ru_stime


def _workers_cpu() -> float:
    """CPU time of this process's live child processes (the pool's workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid():  # field 4, ppid (after the name's ")")
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


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
    start: dict = {}
    if "processes" in task.get("executors", ["processes", "serial"]):
        # the pool a session keeps: started here, timed apart from the tornado
        t, c, cw = time.perf_counter(), _cpu(), _workers_cpu()
        wom.sensitivity(small, params=["word_of_mouth.negative_mean"], runs=4, seed=1,
                        executor="processes", progress=False)
        start = {"wall_s": time.perf_counter() - t, "cpu_s": _cpu() - c,
                 "workers_cpu_s": _workers_cpu() - cw}
    seen: list[int] = []
    real = tornado.run_grid

    def counted(rows, *a, **k):
        seen.append(len(rows[0]))
        return real(rows, *a, **k)

    tornado.run_grid = counted
    out: dict = {"people": people, "runs": runs, "cores": len(os.sched_getaffinity(0)),
                 "load_at_start": os.getloadavg(), "pool_start": start}
    try:
        for how in task.get("executors", ["processes", "threads", "serial"]):
            seen.clear()
            t, c, cw = time.perf_counter(), _cpu(), _workers_cpu()
            tor = wom.sensitivity(sc, runs=runs, seed=1, executor=how, progress=False)
            out[how] = {"wall_s": time.perf_counter() - t, "cpu_s": _cpu() - c,
                        "simulated_per_seed": sum(seen),
                        "scenarios_per_seed": 2 * (1 + 2 * len(tor.table())),
                        "top3": tor.table().index[:3].tolist()}
            if how == "processes":
                # the workers' CPU of this call, read while they live (/proc); counted in
                # _cpu only when they are reaped, which would add the pool start's
                out[how]["cpu_s"] += _workers_cpu() - cw
                close_pool()
    finally:
        tornado.run_grid = real
    out["load_at_end"] = os.getloadavg()
    return out


def run(args: argparse.Namespace) -> dict:
    log(f"tornado  every uncertain parameter, {args.tornado_people:,} people, runs="
        f"{args.tornado_runs}: processes, then serial ...")
    from benchmarks.demo import _bytecode

    with tempfile.TemporaryDirectory() as pyc:
        return child({"kind": "tornado", "people": args.tornado_people,
                      "runs": args.tornado_runs}, args.timeout, _bytecode(pyc, args.timeout))


def add_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--tornado-people", type=int, default=100_000)
    ap.add_argument("--tornado-runs", type=int, default=20)
