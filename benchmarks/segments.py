"""A market with two segments and a rival against the single-firm market (issue 18 point 5).

The telecom preset at 1M people, weekly over two years, alone and with two segments (own
revenue, contacts, problems, complaints, churn and telling) and one rival (its own service,
price and effort; switching both ways; word of mouth about it), on the same graph, in
interleaved rounds (single, market, market on one thread, split market, ...) in one fresh
child after a warm-up of each: wall and CPU time of each run, its peak resident memory
above the process before it, and the ratios market / single (target <= 1.5x).

The market's run takes two threads where a second core is free (the child is such a
place: :func:`womsim.engine.cores.market_threads`): each step's draws, and our side beside
the rivals' side, run at once (:mod:`womsim.engine.marketsides`); the single firm's run is
one thread. So the issue's figure is the wall time a consultant waits (``ratio_wall``);
the CPU ratio of the two-thread run (``ratio_cpu``) also counts what numba's OpenMP worker
spends waiting for the next part (it spins); the same market forced onto one thread
(``WOMSIM_MARKET_THREADS=1``) gives ``ratio_cpu_one``, the work alone.

The market simulates more customers than the single firm: the rival's (150k at the start,
about 260k at the end) come on top of our 300k. A second pair says how much of the ratio
is that and how much the mechanics: the same market with the single firm's customers
split between us and the rival (shares 0.16 and 0.14 of the market, adding up to the
single firm's 0.30) and both firms' marketing lowered so that neither grows towards the
original's steady state (ours 0.12 -> 0.05 a year, the rival's 0.10 -> 0.01): about the
same customers of all firms, step by step, as the single firm (the output says how many:
``customer_steps``, customers of every firm summed over the steps). Its ratios are
``ratio_wall_equal`` and ``ratio_cpu_equal``.

Every run goes through :func:`womsim.engine.wholerun.run_fast`, the path ``simulate``,
``sweep`` and the comparisons take: the single firm by the compiled whole run
(:mod:`womsim.engine.wholerun`), the markets by the compiled market run
(:mod:`womsim.engine.wholemarket`). ``--step`` times both with the step instead
(:func:`womsim.engine.step.run`, what this benchmark timed before 2026-12-02).

``python benchmarks/run.py --only segments`` (part of a full run), or alone
``python -m benchmarks.segments [--people 1000000] [--rounds 3] [--step]``.
"""

from __future__ import annotations

import argparse
import json
import sys

from benchmarks.common import PeakMemory, child, log, median, timed

SEGMENTS = [
    {"name": "consumer", "share": 0.85},
    {"name": "business", "share": 0.15, "revenue_per_year": 2400.0, "revenue_sigma": 0.9,
     "contact_rate": 5.0, "problem_rate": 0.10, "complain_rate": 0.7, "resolved": 0.7,
     "observed_annual_churn": 0.20, "negative_mean": 12.0},
]
RIVAL = {"name": "challenger", "customer_share": 0.15, "contact_rate": 2.0,
         "problem_rate": 0.08, "delight_rate": 0.3, "complain_rate": 0.4, "resolved": 0.7,
         "baseline_churn": 0.12, "revenue_per_year": 550.0, "marketing_rate": 0.10,
         "takes_leavers": 0.5, "loses_to_us": 0.4}
LABELS = ("single firm", "two segments and a rival")
#: the market forced onto one thread (WOMSIM_MARKET_THREADS=1)
ONE_LABEL = "two segments and a rival, one thread"
#: the market of the same customers: our and the rival's shares adding up to the single
#: firm's, marketing lowered so that the split holds over the two years
EQUAL_LABEL = "two segments and a rival, customers split"
EQUAL = {"ours": {"market.customer_share": 0.16, "market.marketing_rate": 0.05},
         "rival": {"customer_share": 0.14, "marketing_rate": 0.01}}
ALL_LABELS = (*LABELS, ONE_LABEL, EQUAL_LABEL)
#: each run's WOMSIM_MARKET_THREADS ("auto": the library's own choice)
THREADS = {ONE_LABEL: "1"}


def scenarios(people: int) -> tuple:
    """The single-firm telecom market, the same with two segments and a rival, and that
    market with the single firm's customers split between us and the rival
    (:data:`EQUAL`)."""
    import womsim as wom

    single = wom.Scenario.preset("telecom").replace(**{"market.people": people})
    split = single.replace(**EQUAL["ours"]).today(segments=SEGMENTS,
                                                  rivals=[{**RIVAL, **EQUAL["rival"]}])
    return single, single.today(segments=SEGMENTS, rivals=[RIVAL]), split


def _runs(people: int) -> dict:
    # each label's scenario: the market twice (as the library picks its threads, and on
    # one thread: THREADS)
    single, market, split = scenarios(people)
    return dict(zip(ALL_LABELS, (single, market, market, split), strict=True))


def work(task: dict) -> dict:
    """Interleaved rounds of the three runs on one graph (built once, outside the
    timings): each round's single-firm run is the denominator of both ratios."""
    import os

    from womsim.engine.cores import ENV, last_run
    from womsim.engine.step import run as step_run
    from womsim.engine.wholerun import run_fast
    from womsim.runner.simulate import build_network

    run = step_run if task.get("path") == "step" else run_fast

    for label, sc in _runs(20_000).items():
        # load (or compile) every kernel the runs use, on one thread and on two
        os.environ[ENV] = THREADS.get(label, "auto")
        run(sc, build_network(sc, seed=1), seed=2)
    pair = _runs(task["people"])
    net = build_network(pair[LABELS[0]], seed=1)
    rows: dict[str, dict[str, list]] = {k: {"wall_s": [], "cpu_s": [], "peak_extra_mb": []}
                                        for k in ALL_LABELS}
    facts: dict[str, dict] = {}
    threads: dict[str, int] = {}
    for _ in range(task["rounds"]):
        for label, sc in pair.items():
            os.environ[ENV] = THREADS.get(label, "auto")
            with PeakMemory() as mem:
                wall, cpu, rec = timed(lambda sc=sc: run(sc, net, seed=1))
            rows[label]["wall_s"].append(wall)
            rows[label]["cpu_s"].append(cpu)
            rows[label]["peak_extra_mb"].append(mem.extra_mb)
            got = last_run() if label != LABELS[0] and task.get("path") != "step" else None
            threads[label] = got["threads"] if got else 1  # the single firm: one thread
            # what the run did (the same every round: same seed), so that a reader sees
            # how much more the market had to simulate
            rivals = rec["rival_customers"] if "rival_customers" in rec else 0.0 * rec["customers"]
            facts[label] = {"customers_end": float(rec["customers"][-1]),
                            "contacts": float(rec["contacts"].sum()),
                            "rival_customers_end": float(rivals[-1]),
                            # customers of every firm summed over the steps: the work
                            "customer_steps": float((rec["customers"] + rivals).sum())}
        del rec
    os.environ.pop(ENV, None)
    out: dict = {"people": task["people"], "rounds": task["rounds"],
                 "path": task.get("path", "fast"),
                 "steps": pair[LABELS[0]].simulation.steps, "peak_mb_process": mem.peak_mb}
    for label in ALL_LABELS:
        r = rows[label]
        peaks = [x for x in r["peak_extra_mb"] if x is not None]
        out[label] = {**r, "wall_median_s": median(r["wall_s"]),
                      "cpu_median_s": median(r["cpu_s"]), "cpu_min_s": min(r["cpu_s"]),
                      "peak_extra_mb_max": max(peaks) if peaks else None,
                      "threads": threads[label], **facts[label]}
    a, b, one = out[LABELS[0]], out[LABELS[1]], out[ONE_LABEL]
    out["ratio_cpu"] = b["cpu_median_s"] / a["cpu_median_s"]
    out["ratio_wall"] = b["wall_median_s"] / a["wall_median_s"]
    out["ratio_cpu_min"] = b["cpu_min_s"] / a["cpu_min_s"]
    out["ratio_cpu_one"] = one["cpu_median_s"] / a["cpu_median_s"]
    out["ratio_wall_one"] = one["wall_median_s"] / a["wall_median_s"]
    c = out[EQUAL_LABEL]
    out["ratio_cpu_equal"] = c["cpu_median_s"] / a["cpu_median_s"]
    out["ratio_wall_equal"] = c["wall_median_s"] / a["wall_median_s"]
    out["ratio_customer_steps"] = b["customer_steps"] / a["customer_steps"]
    out["ratio_customer_steps_equal"] = c["customer_steps"] / a["customer_steps"]
    # CPU per customer-step of the market on one thread over the single firm's: what the
    # mechanics of segments and a rival cost for each customer simulated, whatever the
    # market's size (two threads' CPU also counts the worker's waiting)
    out["ratio_cpu_per_customer_step"] = out["ratio_cpu_one"] / out["ratio_customer_steps"]
    return out


def run(args: argparse.Namespace) -> dict:
    log(f"segments single firm / two segments and a rival / the same, customers split, "
        f"{args.segments_people:,} people, {args.segments_rounds} interleaved rounds ...")
    return child({"kind": "segments", "people": args.segments_people,
                  "rounds": args.segments_rounds}, args.timeout)


def add_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--segments-people", type=int, default=1_000_000)
    ap.add_argument("--segments-rounds", type=int, default=3,
                    help="interleaved rounds of single firm / two segments and a rival / "
                    "the same, customers split")


def markdown(res: dict) -> list[str]:
    """The section's lines in the report."""
    lines = ["### Two segments and a rival against the single firm (issue 18 point 5)", ""]
    if "error" in res:
        return [*lines, f"Failed: {res['error']}", ""]
    how = ("the step (`engine.step.run`)" if res.get("path") == "step" else
           "`run_fast` (the compiled whole run; the markets' compiled market run)")
    lines += [f"{res['people']:,} people, {res['steps']} steps, {res['rounds']} interleaved "
              f"rounds on one graph (medians), each run by {how}:", "",
              "| run | threads | wall | CPU | peak memory above the process | customers at "
              "the end (ours / rival's) | customer-steps (all firms) | contacts (ours) |",
              "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for label in ALL_LABELS:
        r = res[label]
        peak = "–" if r["peak_extra_mb_max"] is None else f"{r['peak_extra_mb_max']:.0f} MB"
        lines.append(f"| {label} | {r['threads']} | {r['wall_median_s']:.2f} s | "
                     f"{r['cpu_median_s']:.2f} s | {peak} | {r['customers_end']:,.0f} / "
                     f"{r['rival_customers_end']:,.0f} | {r['customer_steps']:,.0f} | "
                     f"{r['contacts']:,.0f} |")
    two = res[LABELS[1]]["threads"]
    lines += ["", f"Ratio market / single firm: **{res['ratio_wall']:.2f}x wall** (target <= "
              f"1.5x; the market on {two} thread{'s' if two > 1 else ''}, the single firm "
              f"on one), {res['ratio_cpu']:.2f}x CPU, simulating "
              f"{res['ratio_customer_steps']:.2f}x the customer-steps. The market on one "
              f"thread: {res['ratio_wall_one']:.2f}x wall, {res['ratio_cpu_one']:.2f}x CPU.",
              "", f"Same customers (ours and the rival's shares adding up to the single "
              f"firm's, {res['ratio_customer_steps_equal']:.2f}x its customer-steps): "
              f"**{res['ratio_wall_equal']:.2f}x wall**, {res['ratio_cpu_equal']:.2f}x CPU: "
              "the mechanics of segments and a rival, without the rival's extra customers.",
              "", "CPU per customer-step, the market on one thread over the single firm: "
              f"**{res['ratio_cpu_per_customer_step']:.2f}x**.",
              ""]
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--people", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--step", action="store_true",
                    help="time the step (engine.step.run) instead of run_fast")
    args = ap.parse_args(argv)
    res = work({"people": args.people, "rounds": args.rounds,
                "path": "step" if args.step else "fast"})
    print("\n".join(markdown(res)))
    json.dump(res, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
