"""Building the scale-free graph: womsim's ``Network.scale_free`` against
``networkx.barabasi_albert_graph`` (and converting its result to a womsim Network).

Both generators run in one fresh child per size, in interleaved rounds (womsim, networkx,
womsim, networkx ...) after a warm-up of each; peak memory is taken per call. Above
``--nx-max`` networkx is not run and its time is extrapolated linearly (BA is O(n m)),
marked so.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from benchmarks.common import PeakMemory, child, interleaved, log, median


def work(task: dict) -> dict:
    import networkx as nx

    from womsim import Network

    n, m, seed = task["n"], task["m"], task["graph_seed"]
    peaks: dict[str, list[float]] = {"womsim": [], "networkx": []}
    convert: list[float] = []

    def womsim(_: int) -> int:
        with PeakMemory() as mem:
            net = Network.scale_free(n, m=m, seed=seed)
        peaks["womsim"].append(mem.extra_mb or 0.0)
        return int(net.n_edges)

    def networkx(_: int) -> int:
        with PeakMemory() as mem:
            G = nx.barabasi_albert_graph(n, m, seed=seed)
        peaks["networkx"].append(mem.extra_mb or 0.0)
        t = time.perf_counter()
        net = Network.from_networkx(G)
        convert.append(time.perf_counter() - t)
        return int(net.n_edges)

    calls: dict[str, Any] = {"womsim": womsim}
    if task["networkx"]:
        calls["networkx"] = networkx
    small = max(1000, n // 100)  # warm-up: imports, womsim's JIT
    Network.scale_free(small, m=m, seed=seed)
    if task["networkx"]:
        nx.barabasi_albert_graph(small, m, seed=seed)
    res = interleaved(calls, task["repeat"], {"networkx": task["nx_repeat"]})
    return {lib: {"wall_s": r["wall_s"], "cpu_s": r["cpu_s"], "edges": r["results"][0],
                  "peak_extra_mb": max(peaks[lib]) if peaks[lib] else None,
                  "convert_s": convert if lib == "networkx" else []}
            for lib, r in res.items()}


def run(args: argparse.Namespace) -> list[dict]:
    rows = []
    for n in args.sizes:
        with_nx = n <= args.nx_max
        nx_rep = 1 if n >= 1_000_000 else min(args.repeat, 3)
        log(f"graph    n={n:>10,}  womsim x{args.repeat}"
            + (f", networkx x{nx_rep}, interleaved" if with_nx else "") + " ...")
        res = child({"kind": "graph", "n": n, "m": args.m, "graph_seed": args.graph_seed,
                     "repeat": args.repeat, "networkx": with_nx, "nx_repeat": nx_rep},
                    args.timeout)
        if "error" in res:
            rows.append({"lib": "womsim", "n": n, "error": res["error"]})
            continue
        for lib, r in res.items():
            r.update(lib=lib, n=n, measured=True, median_s=median(r["wall_s"]),
                     cpu_median_s=median(r["cpu_s"]),
                     convert_median_s=median(r["convert_s"]))
            rows.append(r)
        wom = res["womsim"]
        if "networkx" in res:
            res["networkx"]["ratio"] = res["networkx"]["median_s"] / wom["median_s"]
        log(f"         womsim median {wom['median_s']:.3f} s")
    # networkx at sizes left out: extrapolated linearly (BA is O(n m)) from the largest
    measured = [r for r in rows if r["lib"] == "networkx" and "error" not in r]
    if measured:
        big = max(measured, key=lambda r: r["n"])
        for n in args.sizes:
            if n > args.nx_max:
                f = n / big["n"]
                wom = next((r for r in rows if r["lib"] == "womsim" and r["n"] == n
                            and "error" not in r), None)
                est = big["median_s"] * f
                rows.append({"lib": "networkx", "n": n, "measured": False, "median_s": est,
                             "convert_median_s": big["convert_median_s"] * f,
                             "ratio": est / wom["median_s"] if wom else None,
                             "note": f"extrapolated x{f:g} from n={big['n']:,}"})
    return rows


def add_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--nx-max", type=int, default=100_000,
                    help="largest size for networkx's generator (1M takes ~20 s); larger "
                         "sizes are extrapolated and marked so")
