"""Cold starts: ``womsim demo`` as a user runs it, and the kernels' compile times.

``demo``: the first demo after installing (an empty kernel cache) and the next one, in
rounds (first, second, first, second ...), each in a fresh process; wall and CPU time.
Before them the install's own compile, timed alone: ``womsim._aot`` (the demo path's
kernels compiled ahead, as ``setup.py`` builds it) is built beside the sources, as
``pip install`` does; and one first demo without it (``WOMSIM_AOT=0``: a machine without
a C compiler at install, every kernel compiled by the JIT).
``demo_split``: one first and one second demo, each in one process, split into imports, scipy,
kernels compiled ahead, kernels compiled or loaded during the demo, and the runs with the
printing (CPU and wall); the helper's CPU apart.
``compile``: in fresh processes with an empty numba cache, then with the cache filled: the
cascade kernel's first call, and a first small scenario run (every kernel of the engine's
step); the difference is the compile, paid once per machine.

Bytecode as after ``pip install``: pip compiles every installed module to ``.pyc`` when it
installs, so a first run after install reads bytecode and only numba's cache is empty. A
checkout or venv made with ``PYTHONDONTWRITEBYTECODE`` has none, and each fresh process
would compile ~1,300 modules from source again (~6 s of CPU under load, as much as the
rest of the import). So the children write and read bytecode in one temporary
``PYTHONPYCACHEPREFIX``, filled first by an untimed small demo with its own throwaway
kernel cache; ``import_cpu_s`` is ``import womsim`` in a fresh process, CPU seconds.
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
    if task["what"] == "import":
        code = ("import time; c, w = time.process_time(), time.perf_counter(); import womsim; "
                "print(time.process_time() - c, time.perf_counter() - w)")
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=task.get("timeout", 600))
        if proc.returncode != 0:
            return {"error": proc.stderr.strip().splitlines()[-1:]}
        cpu, wall = map(float, proc.stdout.split())
        return {"cpu_s": cpu, "wall_s": wall}
    if task["what"] == "split":
        return _split()
    if task["what"] in ("demo", "bytecode"):
        # bytecode: a small demo that only writes the .pyc files the timed ones read
        extra = ["--people", "2000", "--runs", "2"] if task["what"] == "bytecode" else []
        import resource

        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "womsim", "demo", *extra],
                              capture_output=True,
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


def _split() -> dict:
    """One ``womsim demo`` in this process, its CPU and wall seconds split: the imports,
    scipy (left out of ``import womsim``, imported by the demo's first solves), the kernels
    compiled ahead (this process's share, waiting for the helper's included), each
    kernel compiled or loaded from the cache during the demo, and the rest (the runs and
    the printing). ``helper_cpu_s``: the helper's CPU, once it has ended."""
    import resource

    def now() -> tuple[float, float]:
        return time.process_time(), time.perf_counter()

    c, w = now()
    from numba.core.dispatcher import Dispatcher

    import womsim.app.cli  # noqa: F401  (what ``womsim demo`` imports)
    from womsim.app import demo
    from womsim.runner import ahead

    out = {"import": [time.process_time() - c, time.perf_counter() - w]}
    # ``import womsim`` leaves scipy out; the demo's first solves import it (telling, churn,
    # intervals): timed here apart, or it would hide in the runs' figure
    c, w = now()
    import scipy.optimize
    import scipy.stats  # noqa: F401

    out["scipy"] = [time.process_time() - c, time.perf_counter() - w]
    kernels: list[list] = []
    compile_ = Dispatcher.compile
    depth = [0]

    def timed(self, sig):  # top-level compiles and cache loads, nested ones inside theirs
        c, w = now()
        misses, hits = sum(self.stats.cache_misses.values()), sum(self.stats.cache_hits.values())
        depth[0] += 1
        try:
            return compile_(self, sig)
        finally:
            depth[0] -= 1
            how = ("compiled" if sum(self.stats.cache_misses.values()) > misses else
                   "loaded" if sum(self.stats.cache_hits.values()) > hits else None)
            if how and depth[0] == 0:
                kernels.append([self.py_func.__qualname__, how, time.process_time() - c,
                                time.perf_counter() - w])

    Dispatcher.compile = timed  # type: ignore[method-assign]
    c, w = now()
    ahead.compile_ahead()
    out["compile_ahead"] = [time.process_time() - c, time.perf_counter() - w]
    ahead_kernels, kernels[:] = list(kernels), []
    c, w = now()
    demo.flagship(out=lambda *a: None)
    total = [time.process_time() - c, time.perf_counter() - w]
    for how in ("compiled", "loaded"):
        out[f"demo_{how}"] = [sum(k[i] for k in kernels if k[1] == how) for i in (2, 3)]
    out["runs_and_printing"] = [total[i] - out["demo_compiled"][i] - out["demo_loaded"][i]
                                for i in (0, 1)]
    ahead._reap()
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"cpu_wall_s": out, "helper_cpu_s": u.ru_utime + u.ru_stime,
            "ahead_kernels": ahead_kernels, "demo_kernels": kernels}


def run_split(args: argparse.Namespace) -> dict:
    """Where a first and a second demo spend their time (:func:`_split`), in fresh processes."""
    with tempfile.TemporaryDirectory() as pyc, tempfile.TemporaryDirectory() as cache:
        env = {**_bytecode(pyc, args.timeout), "NUMBA_CACHE_DIR": cache}
        log("demo_split first demo (empty kernel cache), then a second, split by phase ...")
        first = child({"kind": "demo", "what": "split"}, args.timeout, env)
        second = child({"kind": "demo", "what": "split"}, args.timeout, env)
    return {"first": first, "second": second}


def _bytecode(pyc: str, timeout: float) -> dict:
    """The environment of children that read bytecode from ``pyc``, filled (once) first."""
    env = {"PYTHONPYCACHEPREFIX": pyc, "PYTHONDONTWRITEBYTECODE": ""}  # "" = not set
    with tempfile.TemporaryDirectory() as cache:
        log("bytecode compiling the modules to .pyc once, as pip does at install ...")
        r = child({"kind": "demo", "what": "bytecode"}, timeout, {**env, "NUMBA_CACHE_DIR": cache})
    if "error" in r:
        raise RuntimeError(f"bytecode warm-up failed: {r['error']}")
    return env


def run_compile(args: argparse.Namespace) -> dict:
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as pyc:
        env = {**_bytecode(pyc, args.timeout), "NUMBA_CACHE_DIR": cache}
        log("compile  cold JIT compile / cache load (cascade kernel, engine) ...")
        cold = child({"kind": "demo", "what": "compile"}, args.timeout, env)
        warm = child({"kind": "demo", "what": "compile"}, args.timeout, env)
    return {"cold_compile_s": cold.get("first_call_s"),
            "cached_load_s": warm.get("first_call_s"),
            "engine_cold_s": cold.get("engine_first_run_s"),
            "engine_cached_s": warm.get("engine_first_run_s"),
            "import_s": warm.get("import_s"),
            "error": cold.get("error") or warm.get("error")}


_BUILD = """
import sys, time, types
pkg = types.ModuleType("womsim")
pkg.__path__ = [sys.argv[2]]
sys.modules["womsim"] = pkg
from womsim.runner.aot import build
build(sys.argv[1])
"""


def _aot_build(timeout: float) -> dict:
    """Build ``womsim._aot`` beside the sources, as ``pip install`` does (setup.py): the
    install's compile, timed in a fresh process (wall and CPU seconds)."""
    import resource

    from womsim.runner import aot

    pkg = os.path.dirname(os.path.dirname(os.path.abspath(aot.__file__)))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    with tempfile.TemporaryDirectory() as cache:
        proc = subprocess.run([sys.executable, "-W", "ignore", "-c", _BUILD, pkg, pkg],
                              capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, "NUMBA_CACHE_DIR": cache})
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1:]}
    return {"wall_s": wall, "cpu_s": (after.ru_utime - before.ru_utime)
            + (after.ru_stime - before.ru_stime)}


def run_demo(args: argparse.Namespace) -> dict:
    first, second, imports, jit = [], [], [], []
    log("demo     the kernels compiled as at install (womsim._aot, setup.py) ...")
    built = _aot_build(args.timeout)
    if "error" in built:  # e.g. no setuptools in this venv: the demo runs as it can
        log(f"demo     the module could not be built here: {built['error']}")
    with tempfile.TemporaryDirectory() as pyc:
        base = _bytecode(pyc, args.timeout)
        with tempfile.TemporaryDirectory() as cache:
            # what a machine that could not build the module gets: everything compiled
            log("demo     a first run without the module (WOMSIM_AOT=0) ...")
            jit.append(child({"kind": "demo", "what": "demo"}, args.timeout,
                             {**base, "NUMBA_CACHE_DIR": cache, "WOMSIM_AOT": "0"}))
        for r in range(args.demo_rounds):
            with tempfile.TemporaryDirectory() as cache:
                env = {**base, "NUMBA_CACHE_DIR": cache}
                log(f"demo     round {r + 1}: first run (empty kernel cache), then again ...")
                first.append(child({"kind": "demo", "what": "demo"}, args.timeout, env))
                second.append(child({"kind": "demo", "what": "demo"}, args.timeout, env))
                imports.append(child({"kind": "demo", "what": "import"}, args.timeout, env))
    bad = [x for x in first + second + imports + jit if "error" in x]
    if bad:
        return {"error": bad[0]["error"]}
    return {"install_compile_wall_s": built.get("wall_s"),
            "install_compile_cpu_s": built.get("cpu_s"),
            "install_compile_error": built.get("error"),
            "first_jit_wall_s": [x["wall_s"] for x in jit],
            "first_jit_cpu_s": [x["cpu_s"] for x in jit],
            "first_wall_s": [x["wall_s"] for x in first],
            "first_cpu_s": [x["cpu_s"] for x in first],
            "second_wall_s": [x["wall_s"] for x in second],
            "second_cpu_s": [x["cpu_s"] for x in second],
            "first_median_s": median([x["wall_s"] for x in first]),
            "second_median_s": median([x["wall_s"] for x in second]),
            "import_cpu_s": [x["cpu_s"] for x in imports],
            "import_wall_s": [x["wall_s"] for x in imports]}


def add_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--demo-rounds", type=int, default=2,
                    help="rounds of (first demo with an empty kernel cache, second demo)")
