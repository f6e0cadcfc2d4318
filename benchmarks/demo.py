"""Cold starts: ``womsim demo`` as a user runs it, and the kernels' compile times.

``demo``: the first demo after installing (an empty kernel cache) and the next one, in
rounds (first, second, first, second ...), each in a fresh process; wall and CPU time.
``compile``: in fresh processes with an empty numba cache, then with the cache filled: the
cascade kernel's first call, and a first small scenario run (every kernel of the engine's
step); the difference is the compile, paid once per machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

from benchmarks.common import child, log, median


def work(task: dict) -> dict:
    if task["what"] == "demo":
        import resource

        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "womsim", "demo"], capture_output=True,
                              text=True, timeout=task.get("timeout", 3600))
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode != 0:
            return {"error": proc.stderr.strip().splitlines()[-1:]}
        return {"wall_s": wall, "cpu_s": (after.ru_utime - before.ru_utime)
                + (after.ru_stime - before.ru_stime), "peak_mb": after.ru_maxrss / 1024}
    t = time.perf_counter()
    import womsim
    from womsim import Network
    from womsim.engine.spread import cascade

    import_s = time.perf_counter() - t
    net = Network.scale_free(1000, m=5, seed=1)
    t = time.perf_counter()
    cascade(net, [0, 1, 2], 0.1, 1, method="numba")
    kernel = time.perf_counter() - t
    t = time.perf_counter()
    womsim.simulate(womsim.Scenario.preset("telecom").replace(**{"market.people": 2000}),
                    runs=1, seed=1, executor="serial", progress=False)
    engine = time.perf_counter() - t
    return {"import_s": import_s, "first_call_s": kernel, "engine_first_run_s": engine,
            "cache_dir": os.environ.get("NUMBA_CACHE_DIR", "(default)")}


def run_compile(args: argparse.Namespace) -> dict:
    with tempfile.TemporaryDirectory() as cache:
        env = {"NUMBA_CACHE_DIR": cache}
        log("compile  cold JIT compile / cache load (cascade kernel, engine) ...")
        cold = child({"kind": "demo", "what": "compile"}, args.timeout, env)
        warm = child({"kind": "demo", "what": "compile"}, args.timeout, env)
    return {"cold_compile_s": cold.get("first_call_s"),
            "cached_load_s": warm.get("first_call_s"),
            "engine_cold_s": cold.get("engine_first_run_s"),
            "engine_cached_s": warm.get("engine_first_run_s"),
            "import_s": warm.get("import_s"),
            "error": cold.get("error") or warm.get("error")}


def run_demo(args: argparse.Namespace) -> dict:
    first, second = [], []
    for r in range(args.demo_rounds):
        with tempfile.TemporaryDirectory() as cache:
            env = {"NUMBA_CACHE_DIR": cache}
            log(f"demo     round {r + 1}: first run (empty kernel cache), then again ...")
            first.append(child({"kind": "demo", "what": "demo"}, args.timeout, env))
            second.append(child({"kind": "demo", "what": "demo"}, args.timeout, env))
    bad = [x for x in first + second if "error" in x]
    if bad:
        return {"error": bad[0]["error"]}
    return {"first_wall_s": [x["wall_s"] for x in first],
            "first_cpu_s": [x["cpu_s"] for x in first],
            "second_wall_s": [x["wall_s"] for x in second],
            "second_cpu_s": [x["cpu_s"] for x in second],
            "first_median_s": median([x["wall_s"] for x in first]),
            "second_median_s": median([x["wall_s"] for x in second])}


def add_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--demo-rounds", type=int, default=2,
                    help="rounds of (first demo with an empty kernel cache, second demo)")
