"""The README's "In a notebook" block, as written, each line timed (target <= 90 s).

Run in one fresh child as a notebook runs it: the automatic executor decides as it does in
a notebook (a script would stay serial), figures drawn off-screen. Wall and CPU time
(this process and its reaped worker processes). ``python benchmarks/run.py --only readme``.
"""

from __future__ import annotations

import argparse
import os
import re
import time
from pathlib import Path

from benchmarks.common import ROOT, child, log
from benchmarks.tornado import _cpu


def readme_block(path: Path = ROOT / "README.md") -> str:
    """The README's "In a notebook" code block."""
    text = path.read_text()
    m = re.search(r"## In a notebook\s+```python\n(.*?)```", text, re.S)
    if m is None:
        raise RuntimeError("README.md has no '## In a notebook' python block")
    return m.group(1)


def statements(code: str) -> list[str]:
    """``code`` cut into top-level statements (a notebook line each; continuations joined)."""
    stmts: list[str] = []
    for line in code.splitlines():
        if stmts and (line.startswith((" ", "\t")) or stmts[-1].rstrip().endswith((",", "("))):
            stmts[-1] += "\n" + line
        elif line.strip():
            stmts.append(line)
    return stmts


def work(task: dict) -> dict:
    """The README block line by line (continuation lines joined), as a notebook runs it."""
    import matplotlib

    import womsim.runner.executors as executors

    matplotlib.use("Agg")
    # a notebook: the automatic executor decides as it does there (a script stays serial)
    executors._interactive = lambda: True
    stmts = statements(readme_block())
    env: dict = {}
    load0 = task.get("load")
    rows = []
    t0, c0 = time.perf_counter(), _cpu()
    for s in stmts:
        t, c = time.perf_counter(), _cpu()
        exec(compile(s, "README", "exec"), env)  # the README's own code, as written
        rows.append({"line": s.splitlines()[0][:60], "wall_s": time.perf_counter() - t,
                     "cpu_s": _cpu() - c})
        log(f"readme   {rows[-1]['wall_s']:7.1f} s wall {rows[-1]['cpu_s']:7.1f} s CPU  "
            f"{rows[-1]['line']}")
    wall = time.perf_counter() - t0
    executors.close_pool()  # a kept pool's workers count once they are reaped
    return {"wall_s": wall, "cpu_s": _cpu() - c0, "lines": rows,
            "line_cpu_note": "per line: this process and reaped workers only",
            "pool_used": executors._Pool.token > 0, "load_at_start": load0,
            "load_at_end": os.getloadavg()}


def run(args: argparse.Namespace) -> dict:
    log("readme   the README's 'In a notebook' block ...")
    return child({"kind": "readme", "load": os.getloadavg()}, args.timeout)


def add_arguments(ap: argparse.ArgumentParser) -> None:
    pass
