"""Benchmark womsim against its peers, side by side, in one run.

Sections (``--only``; each in fresh child processes, so memory and JIT state never leak
from one measurement to the next; every comparison in interleaved rounds, A B A B):

``compile``      cold start: kernels compiled with an empty numba cache, then loaded from it
``cascade``      the one-chance cascade: womsim (compiled and numpy), cynetdiff, EoN (with
                 and without ``gc.freeze``), NDlib; every size, graph as generated and
                 relabelled (``benchmarks/cascade.py``)
``graph``        building the scale-free graph, womsim against networkx
``scenario``     one two-year weekly telecom run at 1M people, serial
``scenario10m``  the same at 10M people (about a minute and 3 GB)
``ensemble``     200 runs x 100k people, serial and in worker processes
``demo``         the first ``womsim demo`` after install and the second
``demo_split``   where a first and a second demo spend their time (imports, compiling, runs)
``workers``      serial against a new and a kept worker pool
``tornado``      a full tornado (every uncertain parameter), 100k people, runs=20
``readme``       the README's "In a notebook" block, line by line
``segments``     two segments and a rival against the single firm, 1M people, interleaved

A section is a module of this package with ``run(args)`` (parent side) and ``work(task)``
(child side); see ``benchmarks/common.py``. Adding one: a module, one line in ``SECTIONS``.

Examples
--------
Everything, regenerating docs/performance.md (about 20 minutes on a quiet 2-core machine)::

    python benchmarks/run.py --doc docs/performance.md --plot docs/img/cascade_scaling.png

A quick look at every section (about 3 minutes; small sizes, few rounds)::

    python benchmarks/run.py --quick

Only the cascade at small sizes, womsim and cynetdiff::

    python benchmarks/run.py --sizes 10000 100000 --only cascade --libs womsim,cynetdiff
"""

from __future__ import annotations

import argparse
import datetime as _dt
import importlib
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

if __package__ in (None, ""):  # run as ``python benchmarks/run.py``: the package's root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import (
    cascade,
    demo,
    graph,
    readme,
    report,
    scenario,
    segments,
    tornado,
    workers,
)
from benchmarks.common import MARK, load, log, machine
from benchmarks.targets import targets

# section name -> parent-side runner, in the order a full run measures them
SECTIONS: dict[str, Any] = {
    "compile": demo.run_compile,
    "cascade": cascade.run,
    "graph": graph.run,
    "scenario": scenario.run_scenario,
    "scenario10m": scenario.run_scenario10m,
    "ensemble": scenario.run_ensemble,
    "demo": demo.run_demo,
    "demo_split": demo.run_split,
    "workers": workers.run,
    "tornado": tornado.run,
    "readme": readme.run,
    "segments": segments.run,
}
_ARGUMENTS = (cascade, graph, scenario, workers, demo, tornado, segments)
# --quick: every section at sizes that take about three minutes in all
QUICK = {"sizes": [10_000, 100_000], "repeat": 3, "fast_repeat": 7, "slow_repeat": 1,
         "scenario_people": 200_000, "ensemble_people": 20_000, "ensemble_runs": 20,
         "demo_rounds": 1, "workers_people": 20_000, "workers_runs": [8],
         "workers_rounds": 1, "tornado_people": 20_000, "tornado_runs": 4,
         "segments_people": 200_000, "segments_rounds": 2,
         "out": "benchmarks/results/quick.json"}
QUICK_SKIPS = ("scenario10m",)


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python benchmarks/run.py", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default=",".join(SECTIONS),
                    help=f"comma-separated sections: {', '.join(SECTIONS)} (default: all)")
    ap.add_argument("--quick", action="store_true",
                    help="small sizes and few rounds in every section but scenario10m "
                         "(explicit options still win); writes benchmarks/results/quick.json")
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000],
                    help="numbers of people for the cascade and graph benchmarks")
    ap.add_argument("--repeat", type=int, default=5, help="timed repetitions (median shown)")
    ap.add_argument("--m", type=int, default=5, help="BA edges per new node")
    ap.add_argument("--graph-seed", type=int, default=1)
    for mod in _ARGUMENTS:
        mod.add_arguments(ap)
    ap.add_argument("--doc", default=None, metavar="MD",
                    help="also rewrite the generated block of this page (docs/performance.md)")
    ap.add_argument("--profile", action="store_true",
                    help="also cProfile one scenario run (written next to --out)")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per measurement")
    ap.add_argument("--out", default="benchmarks/results/latest.json",
                    help="JSON results; a markdown table is written beside it (.md)")
    ap.add_argument("--plot", default=None, help="save the cascade scaling plot here (PNG)")
    ap.add_argument("--render", metavar="JSON",
                    help="only re-render the markdown (and --plot, --doc) from a results file")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    return ap


def _apply_quick(ap: argparse.ArgumentParser, args: argparse.Namespace,
                 argv: list[str]) -> None:
    """--quick's settings, except where the command line set the option itself."""
    given = {a.split("=")[0] for a in argv if a.startswith("--")}
    for key, value in QUICK.items():
        if "--" + key.replace("_", "-") not in given:
            setattr(args, key, value)
    if "--only" not in given:
        args.only = ",".join(s for s in SECTIONS if s not in QUICK_SKIPS)


def _json_default(x: Any) -> Any:
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    raise TypeError(type(x).__name__)


def _write(out: dict, args: argparse.Namespace, path: Path) -> str:
    text = report.markdown(out)
    path.with_suffix(".md").write_text(text)
    if args.plot and out.get("cascade"):
        report.plot(out["cascade"], Path(args.plot))
    if args.doc:
        report.write_doc(Path(args.doc), out)
    return text


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    ap = parser()
    args = ap.parse_args(argv)

    if args.worker:  # child side: ``task["kind"]`` names the section module
        task = json.loads(args.worker)
        mod = importlib.import_module(f"benchmarks.{task['kind']}")
        print(MARK + json.dumps(mod.work(task), default=_json_default), flush=True)
        return 0

    if args.render:
        saved = json.loads(Path(args.render).read_text())
        saved["targets"] = targets(saved)
        print(_write(saved, args, Path(args.render)))
        return 0

    if args.quick:
        _apply_quick(ap, args, argv)
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    bad = sorted(set(only) - set(SECTIONS))
    if bad:
        ap.error(f"--only: unknown section(s) {', '.join(bad)}; known: {', '.join(SECTIONS)}")
    problem = cascade.check(args)
    if problem:
        ap.error(problem)

    out: dict[str, Any] = {
        "command": "python benchmarks/run.py " + " ".join(argv),
        "started": _dt.datetime.now().isoformat(timespec="seconds"),
        "machine": machine(), "load_at_start": load(),
        "settings": {"sizes": args.sizes, "repeat": args.repeat,
                     "fast_repeat": args.fast_repeat, "slow_repeat": args.slow_repeat,
                     "p": args.p, "m": args.m, "seed_share": args.seed_share,
                     "graph_seed": args.graph_seed, "orders": args.orders},
        "not_installed": cascade.not_installed(args) if "cascade" in only else [],
    }
    t0 = time.perf_counter()
    for name, runner in SECTIONS.items():
        if name in only:
            out[name] = runner(args)
    if args.profile:
        out["profile"] = scenario.run_profile(args)
    out["total_s"] = time.perf_counter() - t0
    out["load_at_end"] = load()
    out["targets"] = targets(out)

    path = Path(args.out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=1, default=_json_default) + "\n")
    print(_write(out, args, path))
    log(f"wrote {path} and {path.with_suffix('.md')}"
        + (f" and {args.plot}" if args.plot else "") + (f" and {args.doc}" if args.doc else "")
        + f" in {out['total_s']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
