"""Time of the default service desk's load curve (17 SimPy simulations), cold cache.

Run with ``python -m benchmarks.desk [--repeat 3]``; prints seconds per curve (min and median).
Kept out of the tests: wall-clock time depends on the machine's load.
"""
from __future__ import annotations

import argparse
import statistics
import time

from womsim.service import ServiceDesk, clear_cache


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    times = []
    for _ in range(args.repeat):
        clear_cache()
        t0 = time.perf_counter()
        ServiceDesk().load_curve(progress=False)
        times.append(time.perf_counter() - t0)
    print(f"default load curve: min {min(times):.2f} s, median {statistics.median(times):.2f} s "
          f"over {args.repeat} cold runs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
