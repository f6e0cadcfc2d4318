"""Coverage of calibrate's 90% posterior intervals on synthetic clients (issue 14, point 5).

Each synthetic client is the ``retail_bank`` preset at 1,000 people over one year with its
inferred parameters drawn from their prior (Latin hypercubes of 200 clients each: clients
0 to 199 from the first, 200 to 399 from the second, ...; ``--first`` and ``--clients``
choose them). A client's market has been running for a while before its data begin
(``--client-start steady``, the default: deterred prospects at their steady state, as in
any real market; ``cold`` starts with nobody deterred, as the measurements before
2026-12-02 did). It is traced into a customer table and contact log
(``womsim.synthetic_client``), written to CSV, read back, and calibrated; a parameter is
covered when its true value lies inside its central 90% posterior interval. A calibrated
posterior covers 90% of the time; the binomial standard error of a coverage c over n
clients is sqrt(c (1 - c) / n).

Examples
--------
100 clients (about 7 CPU-seconds each; the raw and recalibrated coverage and widths)::

    python -m benchmarks.calibration_coverage --clients 100 --out coverage.json
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

import womsim as wom
from womsim.analysis.inference import prior_bounds, sample_prior
from womsim.runner.drift import DriftWarning

INFER = ["complaints.intention_to_action", "complaints.large_loss_share",
         "word_of_mouth.referral_prob"]


def base_scenario() -> wom.Scenario:
    """The synthetic clients' market, and the starting point of each calibration."""
    return wom.Scenario.preset("retail_bank").replace(**{"market.people": 1000,
                                                         "simulation.horizon_years": 1.0})


def truths(first: int, count: int) -> np.ndarray:
    """The true parameters of clients ``first`` to ``first + count - 1``: hypercube
    ``i // 200`` of 200 clients (the first one's seed 2024, as before more were needed)."""
    cubes = {c: sample_prior(prior_bounds(INFER), 200, np.random.default_rng(2024 + c))
             for c in range(first // 200, (first + count - 1) // 200 + 1)}
    return np.array([cubes[i // 200][i % 200] for i in range(first, first + count)])


def one_client(i: int, truth: np.ndarray, folder: Path, sims: int = 40,
               start: str = "steady") -> dict:
    """Simulate client ``i`` at ``truth``, round-trip its data through CSV, calibrate."""
    cpu = time.process_time()
    base = base_scenario()
    sc = base.replace(**dict(zip(INFER, truth.tolist(), strict=True)),
                      **{"simulation.start": start})
    cd = wom.synthetic_client(sc, seed=500 + i)
    f = cd.to_csv(folder / str(i))
    back = wom.read_client(f / "customers.csv", f / "contacts.csv",
                           start=str(cd.start.date()), end=str(cd.end.date()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DriftWarning)  # tiny noisy clients
        cal = wom.calibrate(base, back.targets(), infer=INFER, people=1000, sims=sims,
                            draws=400, seed=i, executor="serial", progress=False,
                            check_runs=2)
    out = {"client": i, "cpu_seconds": time.process_time() - cpu,
           # the candidates carrying the approximate posterior, before and after the check
           "ess_raw": cal.meta.get("ess_raw"), "ess": cal.meta.get("ess"),
           "weights_check": cal.meta.get("weights_check", "")}
    ratio = cal.diagnostic()["width_ratio"]
    raw = cal.meta.get("raw_interval_90", {})
    for p, v in zip(INFER, truth, strict=True):
        lo, hi = cal.interval(p, 0.90)
        post = cal.posterior[p]
        a, b = cal.prior.loc[p, "low"], cal.prior.loc[p, "high"]
        out[p] = {"truth": float(v), "low": lo, "high": hi, "covered": bool(lo <= v <= hi),
                  "z": float((v - post.mean()) / post.std()),
                  "width_ratio": float(ratio[p]),
                  "interval_ratio": float((hi - lo) / (0.9 * (b - a)))}
        if p in raw:  # the approximate posterior's interval, before recalibration
            rlo, rhi = raw[p]
            out[p].update({"raw_low": rlo, "raw_high": rhi,
                           "raw_covered": bool(rlo <= v <= rhi),
                           "raw_interval_ratio": float((rhi - rlo) / (0.9 * (b - a)))})
    return out


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--first", type=int, default=0, help="first client (to split a run)")
    ap.add_argument("--sims", type=int, default=40)
    ap.add_argument("--client-start", choices=["steady", "cold"], default="steady")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--log", type=Path, default=None,
                    help="append each client's result to this file (JSON lines) as it ends")
    args = ap.parse_args(argv)
    truth = truths(args.first, args.clients)
    cpu = time.process_time()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for k, i in enumerate(range(args.first, args.first + args.clients)):
            rows.append(one_client(i, truth[k], Path(tmp), args.sims, args.client_start))
            if args.log:
                with args.log.open("a") as f:
                    f.write(json.dumps(rows[-1]) + "\n")
    n = len(rows)
    summary = {"clients": n, "first": args.first, "sims": args.sims,
               "client_start": args.client_start,
               "cpu_seconds_per_client": (time.process_time() - cpu) / max(n, 1)}
    for p in INFER:
        c = float(np.mean([r[p]["covered"] for r in rows]))
        z = np.array([r[p]["z"] for r in rows])
        w = float(np.mean([r[p]["width_ratio"] for r in rows]))
        iw = float(np.mean([r[p]["interval_ratio"] for r in rows]))
        summary[p] = {"coverage": c, "binomial_se": math.sqrt(0.9 * 0.1 / n),
                      "z_mean": float(z.mean()), "z_sd": float(z.std(ddof=1)),
                      "width_ratio": w, "interval_ratio": iw}
        line = (f"{p:34s} coverage {c:.0%} +- {math.sqrt(0.09 / n):.0%} (SE at 90%), "
                f"z mean {z.mean():+.2f}, z sd {z.std(ddof=1):.2f}, sd posterior/prior "
                f"{w:.2f}, 90% interval / prior's {iw:.2f}")
        if all("raw_covered" in r[p] for r in rows):
            rc = float(np.mean([r[p]["raw_covered"] for r in rows]))
            ri = float(np.mean([r[p]["raw_interval_ratio"] for r in rows]))
            summary[p].update({"raw_coverage": rc, "raw_interval_ratio": ri})
            line += f"; before recalibration {rc:.0%}, interval / prior's {ri:.2f}"
        print(line, flush=True)
    if args.out:
        args.out.write_text(json.dumps({"summary": summary, "clients": rows}, indent=1))
    return summary


if __name__ == "__main__":
    main()
