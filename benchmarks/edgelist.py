"""Reading a large edge list: time and peak memory, clean and with a bad line near the end.

Writes a clean edge list of about ``--mb`` megabytes (integer ids, space separated, as
networks are usually exported), then reads it with ``Network.from_edgelist`` in a fresh
child process and reports the wall time and the child's peak resident memory (``VmHWM``),
next to the memory of the same child after importing womsim (the floor) and the size of
the file and of the network built. A second file, the same with one malformed line near
its end, shows that the error is found, with its line, in the same bounded memory.

Examples
--------
The figure in ``docs/performance.md``::

    python -m benchmarks.edgelist --mb 200 --out benchmarks/results/edgelist.json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(field)


def child(path: str) -> None:
    """Read ``path`` and print one JSON line: seconds, peak and floor memory, outcome."""
    import womsim as wom
    from womsim.core.errors import EdgeListError

    floor = _status_kb("VmRSS")
    t0 = time.perf_counter()
    try:
        net = wom.Network.from_edgelist(path)
        outcome = {"nodes": net.n, "edges": net.n_edges, "network_mb": net.nbytes / 1e6}
    except EdgeListError as err:
        outcome = {"error": str(err)[:160]}
    took = time.perf_counter() - t0
    print(json.dumps({"seconds": took, "peak_mb": _status_kb("VmHWM") / 1024,
                      "after_import_mb": floor / 1024, **outcome}))


def write_list(path: Path, mb: float, seed: int = 1) -> int:
    """A clean list of ~``mb`` MB: ids below 2M, about 15 bytes a line. Returns lines."""
    rng = np.random.default_rng(seed)
    lines = 0
    with open(path, "wb") as fh:
        while fh.tell() < mb * 1e6:
            u = rng.integers(0, 2_000_000, 1_000_000)
            v = (u + 1 + rng.integers(0, 1_999_999, 1_000_000)) % 2_000_000
            text = "\n".join(f"{a} {b}" for a, b in zip(u.tolist(), v.tolist(),
                                                       strict=True)) + "\n"
            fh.write(text.encode())
            lines += u.size
    return lines


def _run(path: Path) -> dict:
    out = subprocess.run([sys.executable, "-m", "benchmarks.edgelist", "--child", str(path)],
                         capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.edgelist", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=200, help="size of the file (default 200)")
    ap.add_argument("--out", help="also write the results as JSON here")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args.child)
        return 0
    with tempfile.TemporaryDirectory() as d:
        clean = Path(d) / "clean.txt"
        lines = write_list(clean, args.mb)
        size = clean.stat().st_size / 1e6
        result = {"file_mb": size, "lines": lines, "clean": _run(clean)}
        bad = Path(d) / "bad.txt"
        with open(clean, "rb") as src, open(bad, "wb") as dst:
            keep = int(os.path.getsize(clean) * 0.95)
            head = src.read(keep)
            head = head[: head.rfind(b"\n") + 1]
            src.seek(len(head))
            dst.write(head + b"12 13 14 15\n" + src.read())
        result["bad_line"] = head.count(b"\n") + 1
        result["bad"] = _run(bad)
    print(json.dumps(result, indent=1))
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
