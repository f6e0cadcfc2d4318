"""The ``womsim`` command: run scenario files, list presets and figures, run the demo."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import pandas as pd

__all__ = ["main"]

EXIT_OK, EXIT_INPUT, EXIT_USAGE = 0, 2, 64


def _print_table(df: pd.DataFrame) -> None:
    with pd.option_context("display.width", 160, "display.max_columns", 20,
                           "display.max_colwidth", 60, "display.float_format",
                           lambda x: f"{x:,.4g}" if abs(x) < 1000 else f"{x:,.0f}"):
        print(df.to_string())


def _check_report(args: argparse.Namespace) -> None:
    """Refuse an existing report file before spending minutes on the runs."""
    if getattr(args, "report", None):
        from womsim.atomic import check_writable
        from womsim.report import report_paths

        for p in report_paths(args.report).values():
            check_writable(p, args.overwrite)


def _write_report(result, args: argparse.Namespace) -> None:
    from womsim.report import report

    paths = report(result, args.report, question=args.question, overwrite=args.overwrite)
    print("report written to " + " and ".join(str(p) for p in paths.values()))


def _executor(scenario, runs: int) -> str:
    """Worker processes for big jobs: the command's entry points are guarded, so spawned
    workers can import them safely (a library default cannot assume that of a script)."""
    from womsim.parallel import auto_executor

    return auto_executor(scenario.market.people * scenario.simulation.steps * runs, runs)


def _demo(args: argparse.Namespace) -> int:
    from womsim.demo import flagship

    _check_report(args)
    import womsim as wom

    today = wom.Scenario.preset("telecom").replace(**{"market.people": args.people})
    result = flagship(runs=args.runs, seed=args.seed, people=args.people,
                      executor=_executor(today, 3 * args.runs))  # three scenarios
    if args.report:
        cmp = result.get("comparison") if isinstance(result, dict) else None
        if cmp is None:
            from womsim.errors import WomsimError

            raise WomsimError("--report: this version of womsim.demo.flagship does not return "
                              "its comparison")
        _write_report(cmp, args)
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    import womsim as wom

    sc = wom.Scenario.from_toml(args.scenario)
    _check_report(args)
    ens = wom.simulate(sc, runs=args.runs, seed=args.seed, progress=not args.quiet)
    print(repr(sc))
    _print_table(ens.summary()[["mean", "ci_low", "ci_high", "unit"]])
    if args.csv:
        ens.to_csv(args.csv, overwrite=args.overwrite)
        print(f"per-step records written to {args.csv}")
    if args.report:
        _write_report(ens, args)
    return EXIT_OK


def _presets(args: argparse.Namespace) -> int:
    import womsim as wom

    table = wom.Scenario.presets()
    _print_table(table.drop(columns="rationale"))
    print()
    for name, why in table["rationale"].items():
        print(f"{name}: {why}")
    return EXIT_OK


def _figures(args: argparse.Namespace) -> int:
    import womsim as wom

    cols = ["value", "low", "high", "unit", "status", "source"]
    _print_table(wom.figures.table(status=args.status)[cols])
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="womsim",
        description="What customer service really costs or earns once word of mouth is "
                    "counted.",
        epilog="Exit codes: 0 ok, 2 bad input (scenario, file, parameter), 64 usage error.")
    sub = p.add_subparsers(dest="command", required=True)
    d = sub.add_parser("demo", help="the flagship what-if on the telecom preset")
    d.add_argument("--runs", type=int, default=12, help="runs per scenario (default 12)")
    d.add_argument("--seed", type=int, default=1, help="ensemble seed (default 1)")
    d.add_argument("--people", type=int, default=100_000, help="market size (default 100k)")
    d.add_argument("--report", metavar="PATH",
                   help="also write a client-ready report: PATH.html and PATH.xlsx")
    d.add_argument("--question", help="the client's question, shown first in the report")
    d.add_argument("--overwrite", action="store_true", help="replace existing report files")
    d.set_defaults(func=_demo)
    r = sub.add_parser("run", help="run a scenario file and print its summary")
    r.add_argument("scenario", help="scenario TOML file (see Scenario.to_toml)")
    r.add_argument("--runs", type=int, default=100, help="runs (default 100)")
    r.add_argument("--seed", type=int, default=1, help="ensemble seed (default 1)")
    r.add_argument("--csv", help="also write per-step records to this CSV file")
    r.add_argument("--report", metavar="PATH",
                   help="also write a client-ready report: PATH.html and PATH.xlsx")
    r.add_argument("--question", help="the client's question, shown first in the report")
    r.add_argument("--overwrite", action="store_true", help="replace existing output files")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.set_defaults(func=_run)
    pr = sub.add_parser("presets", help="list the preset scenarios")
    pr.set_defaults(func=_presets)
    f = sub.add_parser("figures", help="list the research figures with sources and status")
    f.add_argument("--status", choices=["verified", "secondary", "unverified"])
    f.set_defaults(func=_figures)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``womsim`` command; returns the exit code.

    Examples
    --------
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()) as out:
    ...     code = main(["presets"])
    >>> code, "telecom" in out.getvalue()
    (0, True)
    """
    from womsim.errors import WomsimError

    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors; scripts want 64
        return EXIT_OK if exc.code == 0 else EXIT_USAGE
    try:
        return args.func(args)
    except (WomsimError, OSError) as err:
        # the library's hints name Python arguments; here the flag is what one types
        msg = str(err).replace("pass overwrite=True", "pass --overwrite")
        print(f"womsim: error: {msg}", file=sys.stderr)
        return EXIT_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
