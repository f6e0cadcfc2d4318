"""Where the segments benchmark's runs spend their CPU time, by part of the step.

The runs of :mod:`benchmarks.segments` (single firm, two segments and a rival, and that
market with the customers split) and two halves of the market (segments alone, the
rival alone), on one graph, in interleaved rounds after a warm-up; each part of the step
is timed in CPU time (``time.process_time``) around its call, less what it spends in
another timed part (the rivals' step holds their service, switching and acquisition; their
tellings count under the tellings). The wrappers cost a few microseconds a call (some
thirty calls a step): about 1% of a 1M run. A diagnostic, not a target:

``python -m benchmarks.segments_sections [--people 1000000] [--rounds 2]``
"""

from __future__ import annotations

import argparse
import collections
import functools
import importlib
import time
from collections.abc import Callable
from typing import Any

from benchmarks.segments import RIVAL, SEGMENTS, scenarios

# (module, function, part): a function is replaced wherever these modules imported it
_PARTS = (
    ("womsim.engine.rng", "sparse_draw_among", "contacts and churn drawn"),
    ("womsim.engine.segments", "member_draw", "contacts and churn drawn"),
    ("womsim.engine.rivals", "shared_draw", "contacts and churn drawn"),
    ("womsim.engine.fused", "outcomes", "experience, complaints, defection"),
    ("womsim.engine.hearings", "listen_bad", "listeners act (ours)"),
    ("womsim.engine.hearings", "listen_good", "listeners act (ours)"),
    ("womsim.engine.fused", "acquisitions", "acquisition (ours)"),
    ("womsim.engine.rivals", "rival_step", "the rivals' step (but their tellings)"),
    ("womsim.engine.step", "_start", "start (State.initial)"),
)
_USERS = ("womsim.engine.step", "womsim.engine.rivals", "womsim.engine.segments",
          "womsim.engine.book", "womsim.engine.rng")
# (class, method, part)
_METHODS = (
    ("womsim.engine.wordofmouth", "_WordOfMouth", "tell", "tellings (every firm)"),
    ("womsim.engine.step", "_FriendShare", "update", "customer friend share"),
    ("womsim.engine.book", "MarketBook", "revenue", "segment and rival books"),
    ("womsim.engine.book", "MarketBook", "record", "segment and rival books (record)"),
)


def _timed(f: Callable, part: str, acc: collections.Counter, stack: list) -> Callable:
    # exclusive time: what a timed part spends in another timed part (the rivals' step
    # in its tellings, a draw in the draw it hands on to) counts for the inner one only
    @functools.wraps(f)
    def wrapper(*a: Any, **k: Any) -> Any:
        c = time.process_time()
        stack.append(0.0)
        try:
            return f(*a, **k)
        finally:
            spent = time.process_time() - c
            inner = stack.pop()
            acc[part] += spent - inner
            if stack:
                stack[-1] += spent
    return wrapper


def _instrument(acc: collections.Counter) -> None:
    stack: list[float] = []
    for mod, name, part in _PARTS:
        f = getattr(importlib.import_module(mod), name)
        w = _timed(f, part, acc, stack)
        for user in _USERS:
            m = importlib.import_module(user)
            if getattr(m, name, None) is f:
                setattr(m, name, w)
    for mod, cls, meth, part in _METHODS:
        c = getattr(importlib.import_module(mod), cls)
        setattr(c, meth, _timed(getattr(c, meth), part, acc, stack))


def sections(people: int, rounds: int) -> dict[str, dict[str, float]]:
    """CPU seconds per part (and ``TOTAL``) of each run, mean over ``rounds``."""
    from womsim.engine import step
    from womsim.runner.simulate import build_network

    acc: collections.Counter = collections.Counter()
    _instrument(acc)
    for sc in scenarios(20_000):  # load (or compile) every kernel first
        step.run(sc, build_network(sc, seed=1), seed=2)
    single, market, split = scenarios(people)
    runs = {"single firm": single, "segments alone": single.today(segments=SEGMENTS),
            "rival alone": single.today(rivals=[RIVAL]), "segments and a rival": market,
            "customers split": split}
    net = build_network(single, seed=1)
    out: dict[str, dict[str, float]] = {k: collections.Counter() for k in runs}
    for _ in range(rounds):
        for label, sc in runs.items():
            acc.clear()
            c = time.process_time()
            step.run(sc, net, seed=1)
            acc["TOTAL"] = time.process_time() - c
            for part, v in acc.items():
                out[label][part] += v / rounds
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--people", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args(argv)
    res = sections(args.people, args.rounds)
    labels = list(res)
    parts = sorted(set().union(*res.values()), key=lambda p: -res[labels[3]][p])
    print(f"{args.people:,} people, mean of {args.rounds} interleaved rounds, CPU seconds\n")
    print("| part | " + " | ".join(labels) + " |")
    print("|---|" + "---:|" * len(labels))
    for p in parts:
        print(f"| {p} | " + " | ".join(f"{res[k][p]:.3f}" for k in labels) + " |")
    print("| other (accounting, records, the step's own numpy) | " + " | ".join(
        f"{2 * res[k]['TOTAL'] - sum(res[k].values()):.3f}" for k in labels) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
