"""The coverage table of calibrate's 90% intervals from the per-client JSON lines that
``python -m benchmarks.calibration_coverage --log FILE`` writes (issue 14, point 5).

Per parameter: covered / n, coverage, its binomial standard error sqrt(c (1 - c) / n), the
one-sided 95% lower bound of the coverage (exact Clopper-Pearson: the 5% quantile of
Beta(k, n - k + 1); a count's lower bound that never falls short of its level more than 5%
of the time, whatever the true coverage), z = (truth - posterior mean) / posterior sd
(mean and sd), the 90% interval's width as a share of the prior's 90% (``interval_ratio``),
the posterior sd over the prior's (``width_ratio``), the coverage before recalibration,
and collapsed intervals (under 5% of the prior's width). ``--earlier K1,K2,K3 --earlier-n N``
adds clients measured before (counts of covered, in the order of the parameters) and
prints the combined coverage with the same statistics. A client listed twice (a re-run)
counts once, its last line.

Examples
--------
The 100 clients 338 to 437 with the 138 before them::

    python -m benchmarks.coverage_table /work/cov/clients_*.jsonl \\
        --earlier 126,125,129 --earlier-n 138
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np

PARAMS = ("complaints.intention_to_action", "complaints.large_loss_share",
          "word_of_mouth.referral_prob")
LEVEL = 0.90
COLLAPSED = 0.05  # a 90% interval under 5% of the prior's width: a posterior on a point


def read_clients(paths: list[Path]) -> list[dict]:
    """The clients of the JSON-lines files, each once (the last line of a client wins),
    in client order."""
    rows: dict[int, dict] = {}
    for p in paths:
        for line in Path(p).read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                rows[int(r["client"])] = r
    return [rows[k] for k in sorted(rows)]


def lower_bound(k: int, n: int, confidence: float = 0.95) -> float:
    """One-sided exact (Clopper-Pearson) lower confidence bound of a share ``k / n``.

    Examples
    --------
    >>> round(lower_bound(126, 138), 3)
    0.863
    >>> lower_bound(0, 10)
    0.0
    """
    from scipy.stats import beta

    return 0.0 if k == 0 else float(beta.ppf(1 - confidence, k, n - k + 1))


def counts(k: int, n: int) -> dict[str, float]:
    """covered, n, coverage, its SE, its distance from 90% in SEs at 90%, the lower bound."""
    c = k / n
    return {"covered": k, "n": n, "coverage": c, "se": math.sqrt(c * (1 - c) / n),
            "z_from_90": (c - LEVEL) / math.sqrt(LEVEL * (1 - LEVEL) / n),
            "lower_95": lower_bound(k, n)}


def table(rows: list[dict], params: tuple[str, ...] = PARAMS) -> dict[str, dict[str, float]]:
    """Per parameter, the statistics of the module's docstring over ``rows``."""
    out = {}
    for p in params:
        have = [r[p] for r in rows if p in r]
        n = len(have)
        if not n:
            continue
        z = np.array([h["z"] for h in have], float)
        z = z[np.isfinite(z)]
        s = counts(sum(bool(h["covered"]) for h in have), n)
        s.update({"z_mean": float(z.mean()) if z.size else math.nan,
                  "z_sd": float(z.std(ddof=1)) if z.size > 1 else math.nan,
                  "interval_ratio": float(np.mean([h["interval_ratio"] for h in have])),
                  "width_ratio": float(np.mean([h["width_ratio"] for h in have])),
                  "collapsed": sum(h["interval_ratio"] < COLLAPSED for h in have)})
        if all("raw_covered" in h for h in have):
            s["raw_coverage"] = float(np.mean([h["raw_covered"] for h in have]))
        out[p] = s
    return out


def combined(now: dict[str, dict[str, float]], earlier: list[int], earlier_n: int
             ) -> dict[str, dict[str, float]]:
    """The counts of ``now`` added to ``earlier`` (covered per parameter, in order) of
    ``earlier_n`` clients."""
    if len(earlier) != len(now):
        raise SystemExit(f"--earlier gives {len(earlier)} counts for {len(now)} parameters")
    out = {}
    for (p, s), k in zip(now.items(), earlier, strict=True):
        if not 0 <= k <= earlier_n:
            raise SystemExit(f"--earlier count {k} outside 0 to {earlier_n}")
        out[p] = counts(int(s["covered"]) + k, int(s["n"]) + earlier_n)
    return out


def _line(p: str, s: dict[str, float]) -> str:
    text = (f"{p:32s} {s['covered']:4d} / {s['n']:<4d} {s['coverage']:6.1%}  SE "
            f"{s['se']:.1%}  {s['z_from_90']:+.1f} SE from 90%  one-sided 95% lower bound "
            f"(Clopper-Pearson) {s['lower_95']:.1%}")
    if "z_mean" in s:
        text += (f"\n{'':32s} z mean {s['z_mean']:+.2f} sd {s['z_sd']:.2f}; 90% interval / "
                 f"prior's {s['interval_ratio']:.2f}; posterior sd / prior's "
                 f"{s['width_ratio']:.2f}; collapsed {s['collapsed']}")
        if "raw_coverage" in s:
            text += f"; before recalibration {s['raw_coverage']:.1%}"
    return text


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+", type=Path, help="JSON-lines files, one client a line")
    ap.add_argument("--earlier", default=None,
                    help="covered counts of earlier clients, one per parameter: 126,125,129")
    ap.add_argument("--earlier-n", type=int, default=None, help="how many earlier clients")
    args = ap.parse_args(argv)
    rows = read_clients(args.files)
    if not rows:
        raise SystemExit("no clients in " + ", ".join(map(str, args.files)))
    now = table(rows)
    ids = [int(r["client"]) for r in rows]
    print(f"{len(rows)} clients ({min(ids)} to {max(ids)}), 90% intervals:")
    for p, s in now.items():
        print(_line(p, s))
    ess = [float(r["ess_raw"]) for r in rows if r.get("ess_raw") is not None]
    if ess:  # runs from 2026-12-02 05:00 on record it
        fired = [int(r["client"]) for r in rows if r.get("weights_check")]
        print(f"effective candidates before the check: median {np.median(ess):,.0f}, "
              f"least {min(ess):,.1f} ({len(ess)} clients); the check fired on "
              f"{len(fired)}" + (f": {fired}" if fired else ""))
    result = {"clients": ids, "now": now}
    if args.earlier is not None:
        if args.earlier_n is None:
            raise SystemExit("--earlier needs --earlier-n (how many clients they counted)")
        earlier = [int(x) for x in args.earlier.split(",")]
        both = combined(now, earlier, args.earlier_n)
        print(f"with the {args.earlier_n} earlier clients ({len(rows) + args.earlier_n} in "
              "all):")
        for p, s in both.items():
            print(_line(p, s))
        result["combined"] = both
    return result


if __name__ == "__main__":
    main()
