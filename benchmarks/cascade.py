"""The one-chance independent cascade, womsim against its peers.

Every library runs in its own fresh child process (its memory, garbage and JIT state never
colour another's numbers) that builds the same graph, sets the library up on it, makes one
untimed warm-up cascade, then waits. The parent drives the children in interleaved rounds:
womsim, cynetdiff, EoN, ... then womsim, cynetdiff, EoN, ... again, so that a burst of load
from other users of the machine falls on every library alike. Each size runs twice: on the
graph as generated (ids in order of arrival, which gives some kernels memory locality) and
with its node ids randomly relabelled. ``eon-gcfreeze`` is EoN after ``gc.freeze()``: the
networkx graph's millions of objects moved out of the garbage collector's sight.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from typing import Any

import numpy as np

from benchmarks.common import MARK, ORDERS, ROOT, PeakMemory, graph, log, median, seeds, version

LIBS = ("womsim", "womsim-2t", "womsim-numpy", "cynetdiff", "eon", "eon-gcfreeze", "ndlib")
# libraries that take seconds per run at 1M: they sit out the later rounds there
SLOW_LIBS = ("eon", "eon-gcfreeze", "ndlib")
_MODULES = {"womsim": "womsim", "womsim-2t": "womsim", "womsim-numpy": "womsim",
            "cynetdiff": "cynetdiff", "eon": "EoN", "eon-gcfreeze": "EoN", "ndlib": "ndlib"}


def installed(lib: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(_MODULES[lib]) is not None


def _runner(lib: str, net: Any, seed_ids: np.ndarray, p: float) -> tuple[Any, dict]:
    """Set ``lib`` up on ``net``; return ``run(rep) -> informed count`` and set-up facts."""
    info: dict[str, Any] = {}
    t0 = time.perf_counter()
    if lib in ("womsim", "womsim-2t", "womsim-numpy"):
        from womsim.engine.spread import cascade

        # womsim-2t: the compiled kernel on two threads (the same people as womsim, bit
        # for bit); every peer here runs on one
        method = "numpy" if lib == "womsim-numpy" else "numba"
        threads = 2 if lib == "womsim-2t" else 1

        def run(rep: int) -> int:
            return cascade(net, seed_ids, p, np.random.default_rng(1000 + rep),
                           method=method, threads=threads).count

        info["version"] = version("womsim")
    elif lib == "cynetdiff":
        from cynetdiff.models import IndependentCascadeModel

        # cynetdiff takes CSR directly: row starts (length n) and neighbours, as uint32
        model = IndependentCascadeModel(net.indptr[:-1].astype(np.uint32),
                                        net.indices.astype(np.uint32), activation_prob=p)
        model.set_seeds(seed_ids.tolist())

        def run(rep: int) -> int:
            model.set_rng(1000 + rep)
            model.reset_model()
            model.advance_until_completion()
            return int(model.get_num_activated_nodes())

        info["version"] = version("cynetdiff")
    elif lib in ("eon", "eon-gcfreeze"):
        import gc

        import EoN

        G = net.to_networkx()
        seed_list = seed_ids.tolist()
        if lib == "eon-gcfreeze":
            gc.collect()
            gc.freeze()  # the graph's objects are never collected: keep them out of GC passes

        def run(rep: int) -> int:
            _, _, inf, rec = EoN.basic_discrete_SIR(G, p, initial_infecteds=seed_list,
                                                    rng=np.random.default_rng(1000 + rep))
            return int(rec[-1] + inf[-1])

        info["version"] = version("EoN")
    elif lib == "ndlib":
        import ndlib.models.epidemics as ep
        import ndlib.models.ModelConfig as mc

        G = net.to_networkx()
        model = ep.IndependentCascadesModel(G, seed=0)
        config = mc.Configuration()
        # NDlib's own default is 1/degree, not a constant: every edge is set to p, the
        # documented way
        for edge in G.edges():
            config.add_edge_configuration("threshold", edge, p)
        seed_list = seed_ids.tolist()
        config.add_model_initial_configuration("Infected", seed_list)
        model.set_initial_status(config)

        def run(rep: int) -> int:
            np.random.seed(1000 + rep)  # NDlib draws from numpy's global state  # noqa: NPY002
            model.reset(infected_nodes=seed_list)
            while True:
                it = model.iteration(node_status=False)
                if it["node_count"][1] == 0 and it["iteration"] > 0:
                    return int(it["node_count"][2] + it["node_count"][1])

        info["version"] = version("ndlib")
    else:
        raise SystemExit(f"unknown library {lib!r}; known: {', '.join(LIBS)}")
    info["setup_s"] = time.perf_counter() - t0
    return run, info


def _reply(obj: dict) -> None:
    print(MARK + json.dumps(obj), flush=True)


def work(task: dict) -> dict:
    """Child side: set up, warm up, then time one cascade per ``run REP`` line on stdin."""
    import importlib

    t = time.perf_counter()
    importlib.import_module(_MODULES[task["lib"]])  # imports are not the data's memory
    import_s = time.perf_counter() - t
    net = graph(task["n"], task["m"], task["graph_seed"], task["order"])
    seed_ids = seeds(net.n, task["seed_share"], task["graph_seed"])
    # peak memory above the shared CSR graph: the library's own form of the graph (set-up)
    # and its working memory during the warm-up cascade
    with PeakMemory() as mem:
        run, info = _runner(task["lib"], net, seed_ids, task["p"])
        t = time.perf_counter()
        run(-1)  # warm-up: womsim loads its JIT from numba's cache here (or compiles)
        info["first_call_s"] = time.perf_counter() - t
    _reply({**info, "import_s": import_s, "n": net.n, "edges": net.n_edges,
            "seeds": int(seed_ids.size), "peak_extra_mb": mem.extra_mb})
    for line in sys.stdin:
        if not line.startswith("run"):
            break
        rep = int(line.split()[1])
        t, c = time.perf_counter(), time.process_time()
        count = run(rep)
        _reply({"wall_s": time.perf_counter() - t, "cpu_s": time.process_time() - c,
                "count": count})
    return {"done": True}


class _Child:
    """One library's child process, kept for the rounds."""

    def __init__(self, task: dict) -> None:
        # stderr to a file: a chatty library can never fill a pipe and stall the rounds
        self.err = tempfile.TemporaryFile("w+")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.run", "--worker", json.dumps(task)], cwd=ROOT,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.err, text=True)

    def read(self) -> dict:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith(MARK):
                return json.loads(line[len(MARK):])
        self.err.seek(0)
        err = self.err.read().strip().splitlines()[-3:]
        return {"error": f"exit {self.proc.wait()}: " + " | ".join(err)}

    def ask(self, rep: int) -> dict:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"run {rep}\n")
        self.proc.stdin.flush()
        return self.read()

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.write("quit\n")
            self.proc.stdin.close()
            self.proc.wait(timeout=600)
        self.err.close()


def _measure(n: int, order: str, libs: list[str], args: argparse.Namespace) -> list[dict]:
    """Every library at one size and graph order, in interleaved rounds."""
    rounds = max(args.repeat, args.fast_repeat)
    reps = {lib: (min(args.repeat, args.slow_repeat) if n >= 1_000_000 else args.repeat)
            if lib in SLOW_LIBS else rounds for lib in libs}
    rows: dict[str, dict] = {}
    kids: dict[str, _Child] = {}
    for lib in libs:  # set up one at a time, so set-up times are not inflated by each other
        log(f"cascade  {lib:<13} n={n:>10,} {order}: set-up and warm-up ...")
        kid = _Child({"kind": "cascade", "lib": lib, "n": n, "m": args.m, "p": args.p,
                      "seed_share": args.seed_share, "graph_seed": args.graph_seed,
                      "order": order})
        head = kid.read()
        rows[lib] = {**head, "lib": lib, "n": n, "order": order, "wall_s": [], "cpu_s": [],
                     "counts": []}
        if "error" in head:
            log(f"         {head['error']}")
            kid.close()
            continue
        kids[lib] = kid
    log(f"cascade  n={n:,} {order}: {rounds} interleaved rounds ({', '.join(kids)}) ...")
    for rep in range(rounds):
        for lib, kid in kids.items():
            if rep >= reps[lib] or "error" in rows[lib]:
                continue
            # the previous call's idle threads settle first: womsim-2t's OpenMP worker
            # spins (4-8 ms of CPU, libgomp's default) after each parallel region, and
            # would otherwise share the cores with the next library's timed call
            time.sleep(args.settle)
            res = kid.ask(rep)
            if "error" in res:
                rows[lib]["error"] = res["error"]
                continue
            rows[lib]["wall_s"].append(res["wall_s"])
            rows[lib]["cpu_s"].append(res["cpu_s"])
            rows[lib]["counts"].append(res["count"])
    for kid in kids.values():
        kid.close()
    for r in rows.values():
        if "error" in r or not r["wall_s"]:
            continue
        r["median_s"] = median(r["wall_s"])
        r["best_s"] = min(r["wall_s"])
        r["cpu_median_s"] = median(r["cpu_s"])
        shares = np.asarray(r["counts"], dtype=float) / n
        r["reach"] = float(shares.mean())
        r["reach_sd"] = float(shares.std(ddof=1)) if shares.size > 1 else math.nan
        log(f"         {r['lib']:<13} median {r['median_s']:.4f} s, reach {r['reach']:.4f}")
    return list(rows.values())


def _compare(rows: list[dict]) -> None:
    """Ratios and reach agreement against womsim's compiled kernel, at each size and order.

    Every library simulates the same process, so the run-to-run spread is one number per
    size: pooled over all libraries it is far better estimated than from 3-5 runs of one.
    """
    for key in sorted({(r["n"], r["order"]) for r in rows}):
        ok = [r for r in rows if (r["n"], r["order"]) == key and "error" not in r
              and not math.isnan(r.get("reach_sd", math.nan))]
        dof = sum(len(r["counts"]) - 1 for r in ok)
        sd = math.sqrt(sum((len(r["counts"]) - 1) * r["reach_sd"] ** 2 for r in ok) / dof
                       ) if dof else math.nan
        for r in ok:
            r["reach_se"] = sd / math.sqrt(len(r["counts"]))
        ref = next((r for r in ok if r["lib"] == "womsim"), None)
        if ref is None:
            continue
        for r in ok:
            r["ratio"] = r["median_s"] / ref["median_s"]
            r["ratio_cpu"] = r["cpu_median_s"] / ref["cpu_median_s"]
            se = math.hypot(r["reach_se"], ref["reach_se"])
            diff = r["reach"] - ref["reach"]
            r["reach_z"] = diff / se if se > 0 else (0.0 if diff == 0 else math.inf)


def run(args: argparse.Namespace) -> list[dict]:
    libs = [lib for lib in args.libs if installed(lib)]
    rows: list[dict] = []
    for n in args.sizes:
        for order in args.orders:
            rows += _measure(n, order, libs, args)
    _compare(rows)
    return rows


def add_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--libs", default=",".join(LIBS),
                    type=lambda s: [x.strip().lower() for x in s.split(",") if x.strip()],
                    help="cascade libraries (those not installed are skipped)")
    ap.add_argument("--orders", default=",".join(ORDERS),
                    type=lambda s: [x.strip() for x in s.split(",") if x.strip()],
                    help="graph node orders: generated (ids by arrival), relabelled "
                         "(ids randomly permuted)")
    ap.add_argument("--slow-repeat", type=int, default=3,
                    help="rounds for EoN and NDlib at >= 1M people (seconds per run)")
    ap.add_argument("--fast-repeat", type=int, default=21,
                    help="rounds for womsim and cynetdiff (sub-second runs)")
    ap.add_argument("--settle", type=float, default=0.02,
                    help="seconds of pause before each timed cascade (a previous "
                         "library's spinning threads go idle)")
    ap.add_argument("--p", type=float, default=0.1, help="transmission probability")
    ap.add_argument("--seed-share", type=float, default=0.01, help="share of initial tellers")


def check(args: argparse.Namespace) -> str | None:
    bad = sorted(set(args.libs) - set(LIBS))
    if bad:
        return f"--libs: unknown {', '.join(bad)}; known: {', '.join(LIBS)}"
    bad = sorted(set(args.orders) - set(ORDERS))
    if bad:
        return f"--orders: unknown {', '.join(bad)}; known: {', '.join(ORDERS)}"
    return None


def not_installed(args: argparse.Namespace) -> list[str]:
    return [lib for lib in args.libs if not installed(lib)]
