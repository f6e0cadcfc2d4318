"""The user-facing waits of issue 16: a full tornado and the README's notebook block.

``tornado``
    ``womsim.sensitivity`` over every uncertain parameter of the telecom preset at 100k
    people, ``runs=20`` (target <= 20 s on 2 cores), in worker processes on every core,
    and serially for the CPU time (the serial baseline of the parallel figure); also how
    many of its scenarios were simulated and how many taken from runs it already had.
``readme``
    The README's "In a notebook" block, as written (target <= 90 s), each line timed.

Both run in a fresh process from ``benchmarks/run.py`` (``--only tornado,readme``), or
alone::

    python -m benchmarks.tornado --people 100000 --runs 20
    python -m benchmarks.tornado --readme
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _cpu() -> float:
    """CPU time of this process and its finished children (worker processes)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    ch = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + ch.ru_utime + ch.ru_stime


def work_tornado(task: dict) -> dict:
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


def readme_block(path: Path = ROOT / "README.md") -> str:
    """The README's "In a notebook" code block."""
    text = path.read_text()
    m = re.search(r"## In a notebook\s+```python\n(.*?)```", text, re.S)
    if m is None:
        raise RuntimeError("README.md has no '## In a notebook' python block")
    return m.group(1)


def work_readme(task: dict) -> dict:
    """The README block line by line (continuation lines joined), as a notebook runs it."""
    import matplotlib

    import womsim.runner.executors as executors

    matplotlib.use("Agg")
    # a notebook: the automatic executor decides as it does there (a script stays serial)
    executors._interactive = lambda: True
    code = readme_block()
    stmts: list[str] = []
    for line in code.splitlines():
        if stmts and (line.startswith((" ", "\t")) or stmts[-1].rstrip().endswith((",", "("))):
            stmts[-1] += "\n" + line
        elif line.strip():
            stmts.append(line)
    env: dict = {}
    rows = []
    t0, c0 = time.perf_counter(), _cpu()
    for s in stmts:
        t, c = time.perf_counter(), _cpu()
        exec(compile(s, "README", "exec"), env)  # the README's own code, as written
        rows.append({"line": s.splitlines()[0][:60], "wall_s": time.perf_counter() - t,
                     "cpu_s": _cpu() - c})
    executors.close_pool()
    return {"wall_s": time.perf_counter() - t0, "cpu_s": _cpu() - c0, "lines": rows,
            "load_at_start": task.get("load"), "load_at_end": os.getloadavg()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.tornado", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--people", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--executors", default="processes,serial")
    ap.add_argument("--readme", action="store_true", help="time the README block instead")
    args = ap.parse_args(argv)
    if args.readme:
        res = work_readme({"load": os.getloadavg()})
    else:
        res = work_tornado({"people": args.people, "runs": args.runs,
                            "executors": args.executors.split(",")})
    print(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
