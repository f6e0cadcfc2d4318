"""What every benchmark section shares: child processes, peak memory, interleaved rounds,
the graph every library is handed, and the facts about the machine.

A section is a module of this package with ``run(args) -> result`` (the parent side: it
starts children with :func:`child` and returns what goes into the JSON) and
``work(task) -> dict`` (the child side, run in a fresh interpreter). ``benchmarks/run.py``
lists the sections; adding one is a new module and one line there.
"""

from __future__ import annotations

import contextlib
import importlib.metadata as md
import json
import math
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
MARK = "@@RESULT@@"


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


# ============================================================================ timing
def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """``(wall_s, cpu_s, result)`` of one call; CPU is this process's only."""
    t, c = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - t, time.process_time() - c, out


def interleaved(calls: dict[str, Callable[[int], Any]], rounds: int,
                repeat: dict[str, int] | None = None) -> dict[str, dict[str, list]]:
    """Time every call in rounds, A B C A B C ..., so that a burst of load from other users
    of the machine falls on all of them alike instead of on one block.

    ``repeat[name]`` caps how many rounds a slow call takes part in (it sits out the
    later rounds). Returns, per name, ``wall_s``, ``cpu_s`` and the calls' results.
    """
    out: dict[str, dict[str, list]] = {k: {"wall_s": [], "cpu_s": [], "results": []}
                                       for k in calls}
    for r in range(rounds):
        for name, fn in calls.items():
            if repeat and r >= repeat.get(name, rounds):
                continue
            w, c, res = timed(lambda fn=fn, r=r: fn(r))
            out[name]["wall_s"].append(w)
            out[name]["cpu_s"].append(c)
            out[name]["results"].append(res)
    return out


def median(x: list[float]) -> float:
    return float(np.median(x)) if x else math.nan


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ============================================================================ graphs
ORDERS = ("generated", "relabelled")


def graph(n: int, m: int, seed: int, order: str = "generated") -> Any:
    """The Barabási–Albert graph every library gets, as generated or with node ids randomly
    relabelled.

    A generated BA graph numbers people in order of arrival, so hubs have small ids and a
    row's neighbours sit close in memory; some kernels gain from that locality. Relabelled,
    the same graph has its ids permuted at random (a fixed permutation per size), as a
    graph read from a file would.
    """
    from womsim import Network

    net = Network.scale_free(n, m=m, seed=seed)
    if order == "generated":
        return net
    if order != "relabelled":
        raise SystemExit(f"unknown graph order {order!r}; known: {', '.join(ORDERS)}")
    perm = np.random.default_rng([seed, n, 7]).permutation(n)
    u, v = net.edges()
    return Network.from_edges(perm[u], perm[v], n=n)


def seeds(n: int, share: float, seed: int) -> np.ndarray:
    """The initial tellers every library starts from: ``share`` of the people."""
    k = max(1, round(share * n))
    return np.sort(np.random.default_rng([seed, n]).choice(n, size=k, replace=False))


def scenario(people: int) -> Any:
    import womsim

    return womsim.Scenario.preset("telecom").replace(**{"market.people": people})


def warm_engine() -> float:
    """A small serial run that loads (or compiles) the engine's kernels; its seconds."""
    import womsim

    t = time.perf_counter()
    womsim.simulate(scenario(20_000), runs=1, seed=2, executor="serial", progress=False)
    return time.perf_counter() - t


# ============================================================================ children
def child(task: dict, timeout: float, env: dict | None = None) -> dict:
    """Run ``task`` in a fresh interpreter (``task["kind"]`` names the section module, whose
    ``work`` gets the task); its result, or ``{"error": ...}``."""
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


def children_cpu() -> float:
    """User + system CPU seconds of the waited-for children so far."""
    import resource

    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime


# ============================================================================ machine
def version(dist: str) -> str | None:
    try:
        return md.version(dist)
    except md.PackageNotFoundError:
        return None


def machine() -> dict:
    cpu = "unknown"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = None
    with contextlib.suppress(OSError, ValueError), open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                ram = round(int(line.split()[1]) / 1024**2, 1)
                break
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return {"cpu": cpu, "cores": len(os.sched_getaffinity(0)), "ram_gb": ram,
            "os": platform.platform(), "python": platform.python_version(),
            "commit": commit or None,
            "versions": {d: version(d) for d in ("womsim", "numpy", "numba", "scipy",
                                                 "networkx", "cynetdiff", "EoN", "ndlib")}}


def load() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None
