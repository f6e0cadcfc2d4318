"""Benchmark womsim against its peers, side by side, in one run.

What is measured (each in a fresh child process, so memory and JIT state never leak from
one measurement to the next):

``cascade``
    The one-chance independent cascade on the same Barabási–Albert graph (womsim's
    ``Network.scale_free``, m = 5) at every size, from the same 1% initial tellers, p = 0.1:
    womsim (compiled kernel and its numpy fallback) and, when installed, cynetdiff, EoN
    (``basic_discrete_SIR``) and NDlib (``IndependentCascadesModel``). Every library gets
    the graph in its own native form (CSR arrays, a networkx graph); building that form is
    reported as set-up, not timed with the cascade.
``graph``
    Building the graph: womsim's ``Network.scale_free`` against
    ``networkx.barabasi_albert_graph`` (and converting its result to a womsim Network).
``scenario``
    One full two-year weekly run of the telecom preset at 1M people, serial.
``ensemble``
    200 runs x 100k people in local worker processes on all cores.
``scenario10m``
    The same scenario at 10M people (about a minute and 3 GB).
``compile``
    The cascade kernel's JIT cost: a cold compile and a load from numba's cache.

Examples
--------
Everything, as in ``docs/performance.md``::

    python -m benchmarks.run --sizes 10000 100000 1000000 --repeat 5 \\
        --out benchmarks/results/latest.json --plot docs/img/cascade_scaling.png

Only the cascade at small sizes, womsim and cynetdiff::

    python -m benchmarks.run --sizes 10000 100000 --only cascade --libs womsim,cynetdiff
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import importlib.metadata as md
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.tornado import work_readme, work_tornado

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ("cascade", "graph", "scenario", "ensemble", "compile", "scenario10m", "demo",
            "workers", "tornado", "readme")
DEFAULT_SECTIONS = SECTIONS
LIBS = ("womsim", "womsim-numpy", "cynetdiff", "eon", "ndlib")
# libraries that take seconds per run at 1M: repeated fewer times there
SLOW_LIBS = ("eon", "ndlib")
# sub-second libraries: repeated more, so that a burst of load from other processes on a
# shared machine moves the median less
FAST_LIBS = ("womsim", "womsim-numpy", "cynetdiff")
MARK = "@@RESULT@@"

# issue 16 (stricter than DESIGN.md section 5); each with the command that measures it
TARGETS = {
    "cascade_1m_s": 0.012,
    "cascade_vs_cynetdiff": 2.0,
    "cascade_vs_eon": 100.0,
    "cascade_vs_ndlib": 100.0,
    "graph_1m_s": 0.3,
    "scenario_1m_s": 0.7,
    "scenario_1m_mb": 600.0,
    "scenario_10m_s": 8.0,
    "scenario_10m_mb": 8192.0,
    "ensemble_s": 60.0,
    "demo_first_s": 8.0,
    "tornado_s": 20.0,
    "readme_s": 90.0,
}
REPRODUCE = {
    "cascade": "python -m benchmarks.run --only cascade --sizes 1000000",
    "graph": "python -m benchmarks.run --only graph --sizes 1000000",
    "scenario": "python -m benchmarks.run --only scenario",
    "scenario10m": "python -m benchmarks.run --only scenario10m",
    "ensemble": "python -m benchmarks.run --only ensemble",
    "demo": "python -m benchmarks.run --only demo",
    "workers": "python -m benchmarks.run --only workers",
    "tornado": "python -m benchmarks.run --only tornado",
    "readme": "python -m benchmarks.run --only readme",
}


# ============================================================================ memory
def _status_kb(field: str) -> int | None:
    """A ``VmXXX`` line of /proc/self/status in kB (None off Linux)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark (VmHWM) so that it measures what follows only.

    Peak RSS sees every allocation (numpy, numba, C++ containers, Python objects) where
    tracemalloc sees only the Python allocator's, and costs nothing while running.
    """
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


class PeakMemory:
    """Peak resident memory over a block: ``extra_mb`` above the start, ``peak_mb`` in all."""

    def __enter__(self) -> PeakMemory:
        self.ok = _reset_peak()
        self.base = _status_kb("VmRSS")
        return self

    def __exit__(self, *exc: object) -> None:
        hwm = _status_kb("VmHWM")
        if not self.ok or hwm is None or self.base is None:
            self.peak_mb = self.extra_mb = None
        else:
            self.peak_mb = hwm / 1024
            self.extra_mb = max(0, hwm - self.base) / 1024


# ============================================================================ workers
def _graph(n: int, m: int, seed: int):
    from womsim import Network

    return Network.scale_free(n, m=m, seed=seed)


def _seeds(n: int, share: float, seed: int) -> np.ndarray:
    """The initial tellers every library starts from: ``share`` of the people."""
    k = max(1, round(share * n))
    return np.sort(np.random.default_rng([seed, n]).choice(n, size=k, replace=False))


def _cascade_runner(lib: str, net: Any, seeds: np.ndarray, p: float) -> tuple[Any, dict]:
    """Set ``lib`` up on ``net``; return ``run(rep) -> informed count`` and set-up facts."""
    info: dict[str, Any] = {}
    t0 = time.perf_counter()
    if lib in ("womsim", "womsim-numpy"):
        from womsim.engine.spread import cascade

        method = "numba" if lib == "womsim" else "numpy"

        def run(rep: int) -> int:
            return cascade(net, seeds, p, np.random.default_rng(1000 + rep), method=method).count

        info["setup_s"] = 0.0
        t1 = time.perf_counter()
        run(-1)  # loads the JIT from numba's cache (or compiles): kept out of the timings
        info["first_call_s"] = time.perf_counter() - t1
        info["version"] = _version("womsim")
        return run, info
    if lib == "cynetdiff":
        from cynetdiff.models import IndependentCascadeModel

        # cynetdiff takes CSR directly: row starts (length n) and neighbours, as uint32
        model = IndependentCascadeModel(net.indptr[:-1].astype(np.uint32),
                                        net.indices.astype(np.uint32), activation_prob=p)
        model.set_seeds(seeds.tolist())

        def run(rep: int) -> int:
            model.set_rng(1000 + rep)
            model.reset_model()
            model.advance_until_completion()
            return int(model.get_num_activated_nodes())

        info["setup_s"] = time.perf_counter() - t0
        info["version"] = _version("cynetdiff")
        return run, info
    if lib == "eon":
        import EoN

        G = net.to_networkx()
        seed_list = seeds.tolist()

        def run(rep: int) -> int:
            _, _, inf, rec = EoN.basic_discrete_SIR(G, p, initial_infecteds=seed_list,
                                                    rng=np.random.default_rng(1000 + rep))
            return int(rec[-1] + inf[-1])

        info["setup_s"] = time.perf_counter() - t0
        info["version"] = _version("EoN")
        return run, info
    if lib == "ndlib":
        import ndlib.models.epidemics as ep
        import ndlib.models.ModelConfig as mc

        G = net.to_networkx()
        model = ep.IndependentCascadesModel(G, seed=0)
        config = mc.Configuration()
        # NDlib's own default is 1/degree, not a constant: every edge is set to p, the
        # documented way
        for edge in G.edges():
            config.add_edge_configuration("threshold", edge, p)
        seed_list = seeds.tolist()
        config.add_model_initial_configuration("Infected", seed_list)
        model.set_initial_status(config)

        def run(rep: int) -> int:
            np.random.seed(1000 + rep)  # NDlib draws from numpy's global state  # noqa: NPY002
            model.reset(infected_nodes=seed_list)
            while True:
                it = model.iteration(node_status=False)
                if it["node_count"][1] == 0 and it["iteration"] > 0:
                    return int(it["node_count"][2] + it["node_count"][1])

        info["setup_s"] = time.perf_counter() - t0
        info["version"] = _version("ndlib")
        return run, info
    raise SystemExit(f"unknown library {lib!r}; known: {', '.join(LIBS)}")


_MODULES = {"womsim": ["womsim.spread"], "womsim-numpy": ["womsim.spread"],
            "cynetdiff": ["cynetdiff.models"], "eon": ["EoN"],
            "ndlib": ["ndlib.models.epidemics", "ndlib.models.ModelConfig"]}


def work_cascade(task: dict) -> dict:
    import importlib

    for mod in _MODULES[task["lib"]]:  # imports are not the data's memory
        importlib.import_module(mod)
    net = _graph(task["n"], task["m"], task["graph_seed"])
    seeds = _seeds(net.n, task["seed_share"], task["graph_seed"])
    wall, cpu, counts = [], [], []
    # peak memory on top of the shared CSR graph: the library's own form of the graph
    # (set-up) and its working memory during the cascades
    with PeakMemory() as mem:
        run, info = _cascade_runner(task["lib"], net, seeds, task["p"])
        for rep in range(task["repeat"]):
            t, c = time.perf_counter(), time.process_time()
            counts.append(run(rep))
            cpu.append(time.process_time() - c)
            wall.append(time.perf_counter() - t)
    return {**info, "n": net.n, "edges": net.n_edges, "seeds": int(seeds.size), "wall_s": wall,
            "cpu_s": cpu, "counts": counts, "peak_extra_mb": mem.extra_mb}


def work_graph(task: dict) -> dict:
    import networkx as nx

    from womsim import Network

    n, m, seed = task["n"], task["m"], task["graph_seed"]
    wall, convert = [], []
    with PeakMemory() as mem:
        for _ in range(task["repeat"]):
            if task["lib"] == "womsim":
                t = time.perf_counter()
                net = Network.scale_free(n, m=m, seed=seed)
                wall.append(time.perf_counter() - t)
            else:
                t = time.perf_counter()
                G = nx.barabasi_albert_graph(n, m, seed=seed)
                wall.append(time.perf_counter() - t)
                t = time.perf_counter()
                net = Network.from_networkx(G)
                convert.append(time.perf_counter() - t)
                del G
            edges = net.n_edges
            del net
    return {"n": n, "edges": edges, "wall_s": wall, "convert_s": convert,
            "peak_extra_mb": mem.extra_mb}


def _scenario(people: int):
    import womsim

    return womsim.Scenario.preset("telecom").replace(**{"market.people": people})


def work_scenario(task: dict) -> dict:
    import womsim

    t = time.perf_counter()
    # a small run first: loads or compiles the engine's kernels, kept out of the timing
    womsim.simulate(_scenario(20_000), runs=1, seed=2, executor="serial", progress=False)
    warm = time.perf_counter() - t
    sc = _scenario(task["people"])
    with PeakMemory() as mem:
        t, c = time.perf_counter(), time.process_time()
        res = womsim.simulate(sc, runs=1, seed=1, executor="serial", progress=False)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
    return {"people": task["people"], "steps": sc.simulation.steps, "wall_s": wall,
            "cpu_s": cpu,
            "warmup_s": warm, "peak_mb": mem.peak_mb, "peak_extra_mb": mem.extra_mb,
            "runs": res.n_runs}


def work_ensemble(task: dict) -> dict:
    import resource

    import womsim

    sc = _scenario(task["people"])
    with PeakMemory() as mem:
        t = time.perf_counter()
        # a script: the default executor stays serial here, so ask for the local pool
        res = womsim.simulate(sc, runs=task["runs"], seed=1, progress=False,
                              executor="processes")
        wall = time.perf_counter() - t
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    child = usage.ru_maxrss / 1024
    return {"people": task["people"], "runs": res.n_runs, "wall_s": wall,
            "cores": len(os.sched_getaffinity(0)), "peak_mb": mem.peak_mb,
            "largest_worker_peak_mb": child,
            "workers_cpu_s": usage.ru_utime + usage.ru_stime}


def work_workers(task: dict) -> dict:
    """Serial against worker processes, a new pool and this session's kept one, in rounds
    (serial, cold pool, kept pool, serial, ...) so that load bursts hit all three."""
    import womsim
    from womsim.runner.executors import close_pool

    sc = _scenario(task["people"])
    net = womsim.Network.scale_free(task["people"], m=5, seed=1)
    womsim.simulate(_scenario(20_000), runs=1, seed=2, executor="serial", progress=False)
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
    med = {k: _median(v) for k, v in rows.items()}
    return {"people": task["people"], "runs": task["runs"], "rounds": task["rounds"],
            "cores": len(os.sched_getaffinity(0)), "wall_s": rows, "median_s": med,
            "speedup_kept": med["serial"] / med["processes_kept_pool"],
            "speedup_new": med["serial"] / med["processes_new_pool"]}


def work_demo(task: dict) -> dict:
    """``womsim demo`` as a user runs it, in a fresh process; wall and CPU time."""
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
            + (after.ru_stime - before.ru_stime),
            "peak_mb": after.ru_maxrss / 1024}


def work_compile(task: dict) -> dict:
    from womsim import Network
    from womsim.engine.spread import cascade

    net = Network.scale_free(1000, m=5, seed=1)
    t = time.perf_counter()
    cascade(net, [0, 1, 2], 0.1, 1, method="numba")
    return {"first_call_s": time.perf_counter() - t,
            "cache_dir": os.environ.get("NUMBA_CACHE_DIR", "(default)")}


def work_profile(task: dict) -> dict:
    import cProfile
    import io
    import pstats

    import womsim

    womsim.simulate(_scenario(20_000), runs=1, seed=2, executor="serial", progress=False)
    prof = cProfile.Profile()
    sc = _scenario(task["people"])
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
            "top_tottime": top,
            "file": task["out"]}


WORKERS = {"cascade": work_cascade, "graph": work_graph, "scenario": work_scenario,
           "ensemble": work_ensemble, "compile": work_compile, "profile": work_profile,
           "workers": work_workers, "demo": work_demo, "tornado": work_tornado,
           "readme": work_readme}


# ============================================================================ parent
def _version(dist: str) -> str | None:
    try:
        return md.version(dist)
    except md.PackageNotFoundError:
        return None


def _installed(lib: str) -> bool:
    mod = {"womsim": "womsim", "womsim-numpy": "womsim", "cynetdiff": "cynetdiff",
           "eon": "EoN", "ndlib": "ndlib"}[lib]
    import importlib.util

    return importlib.util.find_spec(mod) is not None


def _child(task: dict, timeout: float, env: dict | None = None) -> dict:
    """Run one task in a fresh interpreter; its result, or ``{"error": ...}``."""
    cmd = [sys.executable, "-m", "benchmarks.run", "--worker", json.dumps(task)]
    try:
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, **(env or {})})
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    for line in proc.stdout.splitlines()[::-1]:
        if line.startswith(MARK):
            return json.loads(line[len(MARK):])
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
    return {"error": f"exit {proc.returncode}: " + " | ".join(tail)}


def machine() -> dict:
    cpu = "unknown"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = _meminfo_gb()
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return {"cpu": cpu, "cores": len(os.sched_getaffinity(0)), "ram_gb": ram,
            "os": platform.platform(), "python": platform.python_version(),
            "commit": commit or None,
            "versions": {d: _version(d) for d in ("womsim", "numpy", "numba", "scipy",
                                                  "networkx", "cynetdiff", "EoN", "ndlib")}}


def _meminfo_gb() -> float | None:
    with contextlib.suppress(OSError, ValueError), open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    return None


def _load() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _median(x: list[float]) -> float:
    return float(np.median(x)) if x else math.nan


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run_cascade(args: argparse.Namespace, libs: list[str]) -> list[dict]:
    rows = []
    for n in args.sizes:
        for lib in libs:
            rep = args.repeat
            if lib in SLOW_LIBS and n >= 1_000_000:
                rep = min(rep, args.slow_repeat)
            if lib in FAST_LIBS:
                rep = max(rep, args.fast_repeat)
            task = {"kind": "cascade", "lib": lib, "n": n, "m": args.m, "p": args.p,
                    "seed_share": args.seed_share, "graph_seed": args.graph_seed,
                    "repeat": rep}
            _log(f"cascade  {lib:<13} n={n:>10,}  x{rep} ...")
            res = _child(task, args.timeout)
            res.update(lib=lib, n=n)
            if "error" not in res:
                res["median_s"] = _median(res["wall_s"])
                res["best_s"] = min(res["wall_s"])
                res["cpu_median_s"] = _median(res["cpu_s"])
                shares = np.asarray(res["counts"], dtype=float) / n
                res["reach"] = float(shares.mean())
                res["reach_sd"] = float(shares.std(ddof=1)) if shares.size > 1 else math.nan
                _log(f"         median {res['median_s']:.4f} s, reach {res['reach']:.4f}")
            else:
                _log(f"         {res['error']}")
            rows.append(res)
    # ratios and reach agreement against womsim's compiled kernel, size by size. Every
    # library simulates the same process, so the run-to-run spread is one number per size:
    # pooled over all libraries it is far better estimated than from 3-5 runs of one.
    for n in args.sizes:
        ok = [r for r in rows if r["n"] == n and "error" not in r
              and not math.isnan(r["reach_sd"])]
        dof = sum(len(r["counts"]) - 1 for r in ok)
        sd = math.sqrt(sum((len(r["counts"]) - 1) * r["reach_sd"] ** 2 for r in ok) / dof
                       ) if dof else math.nan
        for r in ok:
            r["reach_se"] = sd / math.sqrt(len(r["counts"]))
        ref = next((r for r in ok if r["lib"] == "womsim"), None)
        for r in ok:
            if ref is None:
                break
            r["ratio"] = r["median_s"] / ref["median_s"]
            se = math.hypot(r["reach_se"], ref["reach_se"])
            diff = r["reach"] - ref["reach"]
            r["reach_z"] = diff / se if se > 0 else (0.0 if diff == 0 else math.inf)
    return rows


def run_graph(args: argparse.Namespace) -> list[dict]:
    rows = []
    for n in args.sizes:
        for lib in ("womsim", "networkx"):
            if lib == "networkx" and n > args.nx_max:
                continue
            rep = args.repeat if lib == "womsim" else (1 if n >= 1_000_000 else
                                                      min(args.repeat, 3))
            _log(f"graph    {lib:<13} n={n:>10,}  x{rep} ...")
            res = _child({"kind": "graph", "lib": lib, "n": n, "m": args.m,
                          "graph_seed": args.graph_seed, "repeat": rep}, args.timeout)
            res.update(lib=lib, n=n, measured=True)
            if "error" not in res:
                res["median_s"] = _median(res["wall_s"])
                res["convert_median_s"] = _median(res.get("convert_s", []))
                _log(f"         median {res['median_s']:.3f} s")
            rows.append(res)
    # networkx at sizes left out: extrapolated linearly (BA is O(n m)) from the largest
    measured = [r for r in rows if r["lib"] == "networkx" and "error" not in r]
    if measured:
        big = max(measured, key=lambda r: r["n"])
        for n in args.sizes:
            if n > args.nx_max:
                f = n / big["n"]
                rows.append({"lib": "networkx", "n": n, "measured": False,
                             "median_s": big["median_s"] * f,
                             "convert_median_s": big["convert_median_s"] * f,
                             "note": f"extrapolated x{f:g} from n={big['n']:,}"})
    return rows


def run_compile(args: argparse.Namespace) -> dict:
    with tempfile.TemporaryDirectory() as cache:
        env = {"NUMBA_CACHE_DIR": cache}
        _log("compile  cold JIT compile / cache load ...")
        cold = _child({"kind": "compile"}, args.timeout, env)
        warm = _child({"kind": "compile"}, args.timeout, env)
    return {"cold_compile_s": cold.get("first_call_s"),
            "cached_load_s": warm.get("first_call_s"),
            "error": cold.get("error") or warm.get("error")}


def run_demo(args: argparse.Namespace) -> dict:
    """The first ``womsim demo`` (an empty kernel cache, as after installing) and the
    next ones, in rounds: first, second, first, second ..."""
    first, second = [], []
    for r in range(args.demo_rounds):
        with tempfile.TemporaryDirectory() as cache:
            env = {"NUMBA_CACHE_DIR": cache}
            _log(f"demo     round {r + 1}: first run (empty kernel cache), then again ...")
            first.append(_child({"kind": "demo"}, args.timeout, env))
            second.append(_child({"kind": "demo"}, args.timeout, env))
    ok = [x for x in first + second if "error" not in x]
    if len(ok) < len(first) + len(second):
        return {"error": next(x["error"] for x in first + second if "error" in x)}
    return {"first_wall_s": [x["wall_s"] for x in first],
            "first_cpu_s": [x["cpu_s"] for x in first],
            "second_wall_s": [x["wall_s"] for x in second],
            "second_cpu_s": [x["cpu_s"] for x in second],
            "first_median_s": _median([x["wall_s"] for x in first]),
            "second_median_s": _median([x["wall_s"] for x in second])}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000],
                    help="numbers of people for the cascade and graph benchmarks")
    ap.add_argument("--repeat", type=int, default=5, help="timed repetitions (median shown)")
    ap.add_argument("--slow-repeat", type=int, default=3,
                    help="repetitions for EoN and NDlib at >= 1M people (seconds per run)")
    ap.add_argument("--fast-repeat", type=int, default=21,
                    help="at least this many repetitions for womsim and cynetdiff "
                         "(sub-second runs)")
    ap.add_argument("--only", default=",".join(DEFAULT_SECTIONS),
                    help=f"comma-separated sections: {', '.join(SECTIONS)} "
                         f"(default: {','.join(DEFAULT_SECTIONS)})")
    ap.add_argument("--libs", default=",".join(LIBS),
                    help="cascade libraries (those not installed are skipped)")
    ap.add_argument("--p", type=float, default=0.1, help="transmission probability")
    ap.add_argument("--seed-share", type=float, default=0.01, help="share of initial tellers")
    ap.add_argument("--m", type=int, default=5, help="BA edges per new node")
    ap.add_argument("--graph-seed", type=int, default=1)
    ap.add_argument("--nx-max", type=int, default=100_000,
                    help="largest size for networkx's generator (1M takes ~20 s); larger "
                         "sizes are extrapolated and marked so")
    ap.add_argument("--scenario-people", type=int, default=1_000_000)
    ap.add_argument("--scenario10m-people", type=int, default=10_000_000)
    ap.add_argument("--ensemble-people", type=int, default=100_000)
    ap.add_argument("--ensemble-runs", type=int, default=200)
    ap.add_argument("--demo-rounds", type=int, default=2,
                    help="rounds of (first demo with an empty kernel cache, second demo)")
    ap.add_argument("--workers-people", type=int, default=100_000)
    ap.add_argument("--workers-runs", type=int, nargs="+", default=[12, 40],
                    help="runs per call for the serial / processes comparison")
    ap.add_argument("--workers-rounds", type=int, default=2)
    ap.add_argument("--tornado-people", type=int, default=100_000)
    ap.add_argument("--tornado-runs", type=int, default=20)
    ap.add_argument("--doc", default=None, metavar="MD",
                    help="also rewrite the generated block of this page (docs/performance.md)")
    ap.add_argument("--profile", action="store_true",
                    help="also cProfile one scenario run (written next to --out)")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per measurement")
    ap.add_argument("--out", default="benchmarks/results/latest.json",
                    help="JSON results; a markdown table is written beside it (.md)")
    ap.add_argument("--plot", default=None, help="save the cascade scaling plot here (PNG)")
    ap.add_argument("--render", metavar="JSON",
                    help="only re-render the markdown (and --plot) from a results file")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.render:
        saved = json.loads(Path(args.render).read_text())
        saved["targets"] = targets(saved)
        text = markdown(saved)
        Path(args.render).with_suffix(".md").write_text(text)
        if args.plot and saved.get("cascade"):
            plot(saved["cascade"], Path(args.plot))
        if args.doc:
            write_doc(Path(args.doc), saved)
        print(text)
        return 0

    if args.worker:
        task = json.loads(args.worker)
        print(MARK + json.dumps(WORKERS[task["kind"]](task)), flush=True)
        return 0

    only = [s.strip() for s in args.only.split(",") if s.strip()]
    bad = sorted(set(only) - set(SECTIONS))
    if bad:
        ap.error(f"--only: unknown section(s) {', '.join(bad)}; known: {', '.join(SECTIONS)}")
    libs = [s.strip().lower() for s in args.libs.split(",") if s.strip()]
    bad = sorted(set(libs) - set(LIBS))
    if bad:
        ap.error(f"--libs: unknown {', '.join(bad)}; known: {', '.join(LIBS)}")
    missing = [lib for lib in libs if not _installed(lib)]
    libs = [lib for lib in libs if lib not in missing]

    out: dict[str, Any] = {
        "command": "python -m benchmarks.run " + " ".join(argv if argv is not None
                                                          else sys.argv[1:]),
        "started": _dt.datetime.now().isoformat(timespec="seconds"),
        "machine": machine(), "load_at_start": _load(),
        "settings": {"sizes": args.sizes, "repeat": args.repeat,
                     "slow_repeat": args.slow_repeat, "p": args.p, "m": args.m,
                     "seed_share": args.seed_share, "graph_seed": args.graph_seed},
        "not_installed": missing,
    }
    t0 = time.perf_counter()
    if "compile" in only:
        out["compile"] = run_compile(args)
    if "cascade" in only:
        out["cascade"] = run_cascade(args, libs)
    if "graph" in only:
        out["graph"] = run_graph(args)
    if "scenario" in only:
        _log(f"scenario {args.scenario_people:,} people, 2 years weekly, serial ...")
        out["scenario"] = _child({"kind": "scenario", "people": args.scenario_people},
                                 args.timeout)
    if "scenario10m" in only:
        _log(f"scenario {args.scenario10m_people:,} people ...")
        out["scenario10m"] = _child({"kind": "scenario", "people": args.scenario10m_people},
                                    args.timeout)
    if "ensemble" in only:
        _log(f"ensemble {args.ensemble_runs} runs x {args.ensemble_people:,} people ...")
        out["ensemble"] = _child({"kind": "ensemble", "people": args.ensemble_people,
                                  "runs": args.ensemble_runs}, args.timeout)
    if "demo" in only:
        out["demo"] = run_demo(args)
    if "workers" in only:
        out["workers"] = []
        for runs in args.workers_runs:
            _log(f"workers  {runs} runs x {args.workers_people:,}: serial / new pool / kept "
                 f"pool, {args.workers_rounds} rounds ...")
            out["workers"].append(_child({"kind": "workers", "people": args.workers_people,
                                          "runs": runs, "rounds": args.workers_rounds},
                                         args.timeout))
    if "tornado" in only:
        _log(f"tornado  every uncertain parameter, {args.tornado_people:,} people, runs="
             f"{args.tornado_runs}: processes, then serial ...")
        out["tornado"] = _child({"kind": "tornado", "people": args.tornado_people,
                                 "runs": args.tornado_runs}, args.timeout)
    if "readme" in only:
        _log("readme   the README's 'In a notebook' block ...")
        out["readme"] = _child({"kind": "readme"}, args.timeout)
    if args.profile:
        _log(f"profile  {args.scenario_people:,} people ...")
        prof = str(Path(args.out).with_name("profile_scenario.txt"))
        out["profile"] = _child({"kind": "profile", "people": args.scenario_people,
                                 "out": prof}, args.timeout)
    out["total_s"] = time.perf_counter() - t0
    out["load_at_end"] = _load()
    out["targets"] = targets(out)

    text = markdown(out)
    path = Path(args.out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=1, default=_json_default) + "\n")
    path.with_suffix(".md").write_text(text)
    if args.plot and out.get("cascade"):
        plot(out["cascade"], Path(args.plot))
    if args.doc:
        write_doc(Path(args.doc), out)
    print(text)
    _log(f"wrote {path} and {path.with_suffix('.md')}"
         + (f" and {args.plot}" if args.plot else ""))
    return 0


def _json_default(x: Any) -> Any:
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    raise TypeError(type(x).__name__)


# ============================================================================ report
def targets(out: dict) -> list[dict]:
    """The targets (issue 16) next to what this run measured, with the command for each."""
    rows: list[dict] = []

    def add(what: str, target: str, value: float | None, unit: str, ok: bool | None,
            section: str, cpu: float | None = None) -> None:
        rows.append({"what": what, "target": target, "measured": value, "unit": unit,
                     "met": ok, "cpu_s": cpu, "command": REPRODUCE[section]})

    casc = [r for r in out.get("cascade", []) if r["n"] >= 1_000_000 and "error" not in r]
    wom = next((r for r in casc if r["lib"] == "womsim"), None)
    t = wom["median_s"] if wom else None
    add("cascade, 1M people", f"<= {TARGETS['cascade_1m_s'] * 1000:g} ms", t, "s",
        None if t is None else t <= TARGETS["cascade_1m_s"], "cascade",
        wom["cpu_median_s"] if wom else None)
    for lib, key in (("cynetdiff", "cascade_vs_cynetdiff"), ("eon", "cascade_vs_eon"),
                     ("ndlib", "cascade_vs_ndlib")):
        r = next((r for r in casc if r["lib"] == lib), None)
        ratio = r.get("ratio") if r else None
        add(f"cascade vs {lib}, 1M", f">= {TARGETS[key]:g}x faster", ratio, "x",
            None if ratio is None else ratio >= TARGETS[key], "cascade")
    g = next((r for r in out.get("graph", []) if r["lib"] == "womsim"
              and r["n"] >= 1_000_000 and "error" not in r), None)
    gt = g["median_s"] if g else None
    add("scale-free graph, 1M, m=5", f"<= {TARGETS['graph_1m_s']:g} s", gt, "s",
        None if gt is None else gt <= TARGETS["graph_1m_s"], "graph")
    for key, people, label in (("scenario", "1m", "1M"), ("scenario10m", "10m", "10M")):
        sc = out.get(key)
        ok = sc is not None and "error" not in sc
        s = sc["wall_s"] if ok else None
        mb = sc["peak_mb"] if ok else None
        add(f"full scenario, {label}, 2 years weekly", f"<= {TARGETS[f'scenario_{people}_s']:g} s",
            s, "s", None if s is None else s <= TARGETS[f"scenario_{people}_s"], key,
            sc.get("cpu_s") if ok else None)
        add(f"full scenario, {label}, peak memory",
            f"<= {TARGETS[f'scenario_{people}_mb']:g} MB", mb, "MB",
            None if mb is None else mb <= TARGETS[f"scenario_{people}_mb"], key)
    en = out.get("ensemble")
    es = en["wall_s"] if en and "error" not in en else None
    add("ensemble, 200 runs x 100k, 2 cores", f"<= {TARGETS['ensemble_s']:g} s", es, "s",
        None if es is None else es <= TARGETS["ensemble_s"], "ensemble")
    de = out.get("demo")
    d = de["first_median_s"] if de and "error" not in de else None
    add("first `womsim demo` after install (empty kernel cache)",
        f"<= {TARGETS['demo_first_s']:g} s", d, "s",
        None if d is None else d <= TARGETS["demo_first_s"], "demo",
        _median(de["first_cpu_s"]) if d is not None else None)
    d2 = de["second_median_s"] if de and "error" not in de else None
    add("second `womsim demo` (kernels cached)", "(no target)", d2, "s", None, "demo",
        _median(de["second_cpu_s"]) if d2 is not None else None)
    to = out.get("tornado")
    tp = to.get("processes") if to and "error" not in to else None
    tw = tp["wall_s"] if tp else None
    size = f"{to['people']:,} people, runs={to['runs']}" if tp else "100,000 people, runs=20"
    add(f"full tornado, {size}, processes", f"<= {TARGETS['tornado_s']:g} s", tw,
        "s", None if tw is None else tw <= TARGETS["tornado_s"], "tornado",
        tp["cpu_s"] if tp else None)
    ts = to.get("serial") if to and "error" not in to else None
    add("full tornado, serial baseline", "(no target)", ts["wall_s"] if ts else None, "s",
        None, "tornado", ts["cpu_s"] if ts else None)
    rm = out.get("readme")
    rw = rm["wall_s"] if rm and "error" not in rm else None
    add("README \"In a notebook\" block", f"<= {TARGETS['readme_s']:g} s", rw, "s",
        None if rw is None else rw <= TARGETS["readme_s"], "readme",
        rm["cpu_s"] if rw is not None else None)
    return rows


_DOC_START = "<!-- generated by benchmarks/run.py: start -->"
_DOC_END = "<!-- generated by benchmarks/run.py: end -->"


def targets_markdown(out: dict) -> str:
    """The targets table, each with its command, and the workers comparison."""
    lines = [f"Run {out['started']} (`{out['command']}`), load average at start "
             f"{out.get('load_at_start')}, at end {out.get('load_at_end')} (1 / 5 / 15 min, "
             f"{out['machine']['cores']} cores).", "",
             "| target | wanted | measured | CPU | met | reproduce |",
             "|---|---|---:|---:|---|---|"]
    for t in out["targets"]:
        v = t["measured"]
        shown = ("–" if v is None else _time(v) if t["unit"] == "s" else
                 f"{v:.0f} MB" if t["unit"] == "MB" else f"{v:.3g}x")
        met = {True: "yes", False: "**no**", None: "–"}[t["met"]]
        lines.append(f"| {t['what']} | {t['target']} | {shown} | {_time(t['cpu_s'])} | {met} "
                     f"| `{t['command']}` |")
    lines.append("")
    if out.get("workers"):
        lines += ["Workers (median wall time per call; rounds interleave serial, a new pool and "
                  "the kept pool):", "",
                  "| people x runs | serial | processes, new pool | processes, kept pool | "
                  "speed-up kept | speed-up new |", "|---|---:|---:|---:|---:|---:|"]
        for w in out["workers"]:
            if "error" in w:
                lines.append(f"| {w['error']} ||||||")
                continue
            m = w["median_s"]
            lines.append(f"| {w['people']:,} x {w['runs']} | {_time(m['serial'])} | "
                         f"{_time(m['processes_new_pool'])} | "
                         f"{_time(m['processes_kept_pool'])} | {w['speedup_kept']:.2f} | "
                         f"{w['speedup_new']:.2f} |")
        lines.append("")
    return "\n".join(lines)


def write_doc(path: Path, out: dict) -> None:
    """Replace the generated block of ``path`` (between the markers) with this run's."""
    text = path.read_text() if path.exists() else ""
    block = f"{_DOC_START}\n{targets_markdown(out)}\n{_DOC_END}"
    if _DOC_START in text and _DOC_END in text:
        head, rest = text.split(_DOC_START, 1)
        text = head + block + rest.split(_DOC_END, 1)[1]
    else:
        text = text + ("\n" if text else "") + "## Targets\n\n" + block + "\n"
    path.write_text(text)


def _f(x: Any, fmt: str = ".3g") -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return format(x, fmt)


def _time(x: float | None) -> str:
    if x is None or math.isnan(x):
        return "–"
    if x < 1:
        return f"{x * 1000:.1f} ms"
    return f"{x:.2f} s"


def markdown(out: dict) -> str:
    m = out["machine"]
    lines = [f"Run {out['started']} · `{out['command']}`", "",
             f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM, Python "
             f"{m['python']}, numpy {m['versions']['numpy']}, numba {m['versions']['numba']}"
             f" · load average at start {out['load_at_start']}, at end {out['load_at_end']}",
             ""]
    if out.get("not_installed"):
        lines += [f"Not installed, skipped: {', '.join(out['not_installed'])}", ""]
    if "compile" in out:
        c = out["compile"]
        lines += [f"Cascade kernel JIT: cold compile {_time(c['cold_compile_s'])}, load from "
                  f"numba's cache {_time(c['cached_load_s'])} (both outside the timings).",
                  ""]
    if out.get("cascade"):
        s = out["settings"]
        lines += [f"### One-chance cascade (BA m={s['m']}, p={s['p']}, "
                  f"{s['seed_share']:.0%} initial tellers, same graph and seeds for all)", "",
                  "| library | people | median | best | cpu median | runs | extra memory MB | "
                  "reach (mean ± 2 SE, pooled SD) | z vs womsim | set-up | × womsim time |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in out["cascade"]:
            if "error" in r:
                lines.append(f"| {r['lib']} | {r['n']:,} | {r['error']} ||||||||")
                continue
            reach = f"{r['reach']:.4f} ± {_f(2 * r.get('reach_se', math.nan), '.4f')}"
            lines.append(
                f"| {r['lib']} | {r['n']:,} | {_time(r['median_s'])} | {_time(r['best_s'])} | "
                f"{_time(r['cpu_median_s'])} | {len(r['wall_s'])} | "
                f"{_f(r['peak_extra_mb'], '.0f')} | {reach} | {_f(r.get('reach_z'), '+.1f')} | "
                f"{_time(r.get('setup_s'))} | {_f(r.get('ratio'), '.3g')} |")
        lines.append("")
    if out.get("graph"):
        lines += ["### Scale-free graph generation (m=5)", "",
                  "| generator | people | median | → womsim Network | peak extra MB | note |",
                  "|---|---:|---:|---:|---:|---|"]
        for r in out["graph"]:
            if "error" in r:
                lines.append(f"| {r['lib']} | {r['n']:,} | {r['error']} ||||")
                continue
            lines.append(f"| {r['lib']} | {r['n']:,} | {_time(r['median_s'])} | "
                         f"{_time(r.get('convert_median_s'))} | "
                         f"{_f(r.get('peak_extra_mb'), '.0f')} | {r.get('note', 'measured')} |")
        lines.append("")
    for key, title in (("scenario", "Full scenario (telecom preset, 2 years weekly, serial)"),
                       ("scenario10m", "Full scenario, 10M people")):
        sc = out.get(key)
        if sc:
            lines += [f"### {title}", ""]
            if "error" in sc:
                lines += [f"Failed: {sc['error']}", ""]
            else:
                lines += [f"{sc['people']:,} people, {sc['steps']} steps: "
                          f"**{sc['wall_s']:.2f} s** (CPU time {sc['cpu_s']:.2f} s), peak "
                          f"resident memory "
                          f"**{sc['peak_mb']:.0f} MB** ({sc['peak_extra_mb']:.0f} MB above the "
                          f"process before the run; includes building the network). Engine "
                          f"warm-up run (JIT) {sc['warmup_s']:.1f} s, not counted.", ""]
    en = out.get("ensemble")
    if en:
        lines += ["### Ensemble (local worker processes)", ""]
        if "error" in en:
            lines += [f"Failed: {en['error']}", ""]
        else:
            lines += [f"{en['runs']} runs x {en['people']:,} people on {en['cores']} cores: "
                      f"**{en['wall_s']:.1f} s** ({en['wall_s'] / en['runs']:.2f} s per run; "
                      f"workers' CPU time {en['workers_cpu_s']:.0f} s); "
                      f"peak memory: parent {en['peak_mb']:.0f} MB, largest worker "
                      f"{en['largest_worker_peak_mb']:.0f} MB.", ""]
    pr = out.get("profile")
    if pr and "error" not in pr:
        lines += [f"### Where a {pr['people']:,}-person scenario spends its time (cProfile, "
                  f"{pr['wall_s_profiled']:.1f} s wall, {pr['cpu_s_profiled']:.1f} s CPU under "
                  "the profiler)", "",
                  "| function | calls | own time | cumulative |", "|---|---:|---:|---:|"]
        for t in pr["top_tottime"][:12]:
            lines.append(f"| `{t['function']}` | {t['calls']} | {t['tottime_s']:.2f} s | "
                         f"{t['cumtime_s']:.2f} s |")
        lines.append("")
    lines += ["### DESIGN targets (section 5)", "",
              "Verdicts are on wall time; CPU time is shown beside it because the machine may "
              "be shared (see the load average above).", "",
              "| what | target | measured | met |", "|---|---|---:|---|"]
    for t in out["targets"]:
        v = t["measured"]
        if v is None:
            shown = "not measured"
        elif t["unit"] == "s":
            shown = _time(v) + (f" (CPU {_time(t['cpu_s'])})" if t.get("cpu_s") else "")
        elif t["unit"] == "MB":
            shown = f"{v:.0f} MB"
        else:
            shown = f"{v:.3g}x"
        met = {True: "yes", False: "**no**", None: "–"}[t["met"]]
        lines.append(f"| {t['what']} | {t['target']} | {shown} | {met} |")
    return "\n".join(lines) + "\n"


def plot(rows: list[dict], path: Path) -> None:
    """Median cascade time against people, log-log, one line per library."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    libs = [lib for lib in LIBS if any(r["lib"] == lib and "error" not in r for r in rows)]
    for lib in libs:
        pts = sorted((r["n"], r["median_s"]) for r in rows
                     if r["lib"] == lib and "error" not in r)
        ns, ts = zip(*pts, strict=True)
        ax.loglog(ns, ts, "o-", label=lib, lw=2 if lib == "womsim" else 1.2)
    ref = sorted((r["n"], r["median_s"]) for r in rows
                 if r["lib"] == "womsim" and "error" not in r)
    cpu = sorted((r["n"], r["cpu_median_s"]) for r in rows
                 if r["lib"] == "womsim" and "error" not in r)
    if cpu:  # on a shared machine wall time includes waiting for a core
        ns, ts = zip(*cpu, strict=True)
        ax.loglog(ns, ts, "--", color="tab:blue", lw=1, label="womsim, CPU time")
    if ref:
        n0, t0 = ref[0]
        xs = np.array([ref[0][0], ref[-1][0]], dtype=float)
        ax.loglog(xs, t0 * xs / n0, ":", color="grey", label="linear in N")
    ax.axhline(0.05, color="tab:red", lw=0.8, ls="--", label="target at 1M (50 ms)")
    ax.set_xlabel("people (BA graph, m = 5)")
    ax.set_ylabel("median wall time per cascade (s)")
    ax.set_title("One-chance cascade, p = 0.1, 1% initial tellers")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    raise SystemExit(main())
