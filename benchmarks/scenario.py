"""One full run of the model, and ensembles of runs.

``scenario`` / ``scenario10m``: one two-year weekly run of the telecom preset at 1M (10M)
people, serial, after a small warm-up run that loads the engine's kernels. ``ensemble``:
many runs in local worker processes on all cores, next to the same runs serially (the
serial baseline of the parallel figure), in interleaved rounds. ``profile``: cProfile of
one scenario.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from benchmarks.common import PeakMemory, child, log, median, scenario, warm_engine


def work(task: dict) -> dict:
    return {"scenario": _one, "ensemble": _ensemble, "profile": _profile}[task["what"]](task)


def _one(task: dict) -> dict:
    import womsim

    warm = warm_engine()
    _warm_graph()
    sc = scenario(task["people"])
    with PeakMemory() as mem:
        t, c = time.perf_counter(), time.process_time()
        res = womsim.simulate(sc, runs=1, seed=1, executor="serial", progress=False)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
    return {"people": task["people"], "steps": sc.simulation.steps, "wall_s": wall,
            "cpu_s": cpu, "warmup_s": warm, "peak_mb": mem.peak_mb,
            "peak_extra_mb": mem.extra_mb, "runs": res.n_runs}


def _warm_graph() -> None:
    # the scale-free build's two-thread kernels (a graph of 2**20 edges on): the warm-up's
    # 20k-person graph takes the one-thread path, which an install compiled ahead may hold
    # without them (womsim.runner.aot)
    import numpy as np

    from womsim.network.bacsr import scale_free_csr

    scale_free_csr(3000, 5, np.random.default_rng(0), threads=2)


def _ensemble(task: dict) -> dict:
    """``runs`` runs serially and in the kept worker pool, alternating round by round; the
    pool is started (and its workers warmed) before the first timed round."""
    import resource

    import womsim
    from womsim.runner.executors import close_pool

    warm_engine()
    sc = scenario(task["people"])
    # the pool's start and its workers' JIT load: once per session, reported apart
    t = time.perf_counter()
    womsim.simulate(scenario(20_000), runs=2 * len(os.sched_getaffinity(0)), seed=2,
                    executor="processes", progress=False)
    pool_start = time.perf_counter() - t
    rows: dict[str, list[float]] = {"serial": [], "processes": []}
    cpu: dict[str, list[float]] = {"serial": [], "processes": []}
    with PeakMemory() as mem:
        for r in range(task["rounds"]):
            for how in rows:
                t, c = time.perf_counter(), time.process_time()
                womsim.simulate(sc, runs=task["runs"], seed=r + 1, executor=how,
                                progress=False)
                rows[how].append(time.perf_counter() - t)
                cpu[how].append(time.process_time() - c)
    close_pool()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    med = {k: median(v) for k, v in rows.items()}
    return {"people": task["people"], "runs": task["runs"], "rounds": task["rounds"],
            "cores": len(os.sched_getaffinity(0)), "wall_s": med["processes"],
            "serial_wall_s": med["serial"], "speedup": med["serial"] / med["processes"],
            "rounds_wall_s": rows, "serial_cpu_s": median(cpu["serial"]),
            "pool_start_s": pool_start, "peak_mb": mem.peak_mb,
            "largest_worker_peak_mb": usage.ru_maxrss / 1024,
            "workers_cpu_s": usage.ru_utime + usage.ru_stime}


def _profile(task: dict) -> dict:
    import cProfile
    import io
    import pstats

    import womsim

    warm_engine()
    prof = cProfile.Profile()
    sc = scenario(task["people"])
    t, c = time.perf_counter(), time.process_time()
    prof.enable()
    womsim.simulate(sc, runs=1, seed=1, executor="serial", progress=False)
    prof.disable()
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(25)
    Path(task["out"]).parent.mkdir(parents=True, exist_ok=True)
    Path(task["out"]).write_text(f"# cProfile of one {task['people']:,}-person telecom "
                                 f"scenario, serial, {wall:.2f} s under the profiler\n\n"
                                 + out.getvalue())
    top = []
    for (file, line, func), (_, ncalls, tottime, cumtime, _) in sorted(
            stats.stats.items(), key=lambda kv: -kv[1][2])[:15]:
        top.append({"function": f"{Path(file).name}:{line}({func})", "calls": ncalls,
                    "tottime_s": round(tottime, 3), "cumtime_s": round(cumtime, 3)})
    return {"people": task["people"], "wall_s_profiled": wall, "cpu_s_profiled": cpu,
            "top_tottime": top, "file": task["out"]}


def run_scenario(args: argparse.Namespace) -> dict:
    log(f"scenario {args.scenario_people:,} people, 2 years weekly, serial ...")
    return child({"kind": "scenario", "what": "scenario", "people": args.scenario_people},
                 args.timeout)


def run_scenario10m(args: argparse.Namespace) -> dict:
    log(f"scenario {args.scenario10m_people:,} people ...")
    return child({"kind": "scenario", "what": "scenario", "people": args.scenario10m_people},
                 args.timeout)


def run_ensemble(args: argparse.Namespace) -> dict:
    log(f"ensemble {args.ensemble_runs} runs x {args.ensemble_people:,} people, serial and "
        f"processes, {args.ensemble_rounds} interleaved round(s) ...")
    return child({"kind": "scenario", "what": "ensemble", "people": args.ensemble_people,
                  "runs": args.ensemble_runs, "rounds": args.ensemble_rounds}, args.timeout)


def run_profile(args: argparse.Namespace) -> dict:
    log(f"profile  {args.scenario_people:,} people ...")
    prof = str(Path(args.out).with_name("profile_scenario.txt"))
    return child({"kind": "scenario", "what": "profile", "people": args.scenario_people,
                  "out": prof}, args.timeout)


def add_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--scenario-people", type=int, default=1_000_000)
    ap.add_argument("--scenario10m-people", type=int, default=10_000_000)
    ap.add_argument("--ensemble-people", type=int, default=100_000)
    ap.add_argument("--ensemble-runs", type=int, default=200)
    ap.add_argument("--ensemble-rounds", type=int, default=1,
                    help="rounds of (serial, processes) for the ensemble")
