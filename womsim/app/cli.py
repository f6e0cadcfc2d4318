"""The ``womsim`` command: every analysis from scenario files (or presets), with reports.

Commands: ``run``, ``lost-revenue``, ``compare``, ``sweep``, ``sensitivity``, ``calibrate``
(each with ``--report``), ``demo``, ``presets``, ``figures``. A scenario is a TOML file
(:meth:`womsim.Scenario.to_toml`) or a preset's name (``womsim run telecom``).

Exit codes: 0 ok, 2 bad input (the message names the field, value or file line), 64 usage.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from womsim.analysis.calibrate import calibrate
from womsim.analysis.clientdata import read_client
from womsim.analysis.lostrev import LostRevenue, counterfactual, lost_revenue
from womsim.analysis.sweep import sensitivity, sweep
from womsim.analysis.whatif import Comparison, compare
from womsim.app import demo
from womsim.core import figures
from womsim.core.atomic import check_writable
from womsim.core.errors import ScenarioError, WomsimError, unknown_key
from womsim.core.provenance import womsim_version
from womsim.model.presets import PRESETS
from womsim.model.scenario import Scenario
from womsim.model.scenario_io import tomllib
from womsim.reporting.report import FORMATS, report, report_paths
from womsim.runner.executors import auto_executor
from womsim.runner.simulate import simulate

__all__ = ["EXIT_INPUT", "EXIT_OK", "EXIT_USAGE", "load_scenario", "main"]

EXIT_OK, EXIT_INPUT, EXIT_USAGE = 0, 2, 64


def _print_table(df: pd.DataFrame) -> None:
    with pd.option_context("display.width", 160, "display.max_columns", 20,
                           "display.max_colwidth", 60, "display.float_format",
                           lambda x: f"{x:,.4g}" if abs(x) < 1000 else f"{x:,.0f}"):
        print(df.to_string())


# --------------------------------------------------------------------------- inputs
def _parse_value(text: str) -> Any:
    """A value as TOML reads it (``0.05``, ``12``, ``true``, ``"none"``), else the text."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def _key_value(text: str, flag: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip() or not value.strip():
        raise WomsimError(f"{flag} {text!r}: write KEY=VALUE, e.g. "
                          f"{flag} service.problem_rate=0.05")
    return key.strip(), value.strip()


def load_scenario(source: str, settings: Sequence[str] = ()) -> Any:
    """A scenario from a TOML file or a preset's name, with ``KEY=VALUE`` settings applied
    as if the file said so (so a changed observable is calibrated to, as in the file).

    Examples
    --------
    >>> load_scenario("telecom", ["market.people=2000"]).market.people
    2000
    """
    path = Path(source)
    if path.exists() or source.lower().endswith(".toml") or source not in PRESETS:
        if not path.exists():
            raise FileNotFoundError(
                f"scenario file not found: {source} (or give a preset's name: "
                f"{', '.join(PRESETS)}; `womsim presets` lists them)")
        sc = Scenario.from_toml(path)
    else:
        sc = Scenario.preset(source)
    if not settings:
        return sc
    data = sc.to_dict()
    for item in settings:
        key, value = _key_value(item, "--set")
        if key not in sc.parameter_names():
            raise unknown_key("parameter (--set)", key, sc.parameter_names())
        node = data
        *parents, leaf = key.split(".")
        for p in parents:
            if not isinstance(node.get(p), dict):
                raise ScenarioError(f"--set {key}: this scenario has no '{p}' part")
            node = node[p]
        node[leaf] = _parse_value(value)
    return Scenario.from_dict(data)


def _grid(items: Sequence[str]) -> dict[str, list[Any]]:
    grid: dict[str, list[Any]] = {}
    for item in items:
        key, values = _key_value(item, "--grid")
        vals = [_parse_value(v.strip()) for v in values.split(",") if v.strip()]
        if len(vals) < 2:
            raise WomsimError(f"--grid {item!r}: give two values or more, separated by "
                              "commas (service.problem_rate=0.05,0.1,0.15)")
        grid[key] = vals
    return grid


def _check_report(args: argparse.Namespace) -> None:
    """Refuse an existing report file before spending minutes on the runs."""
    if getattr(args, "report", None):
        for p in report_paths(args.report, _formats(args)).values():
            check_writable(p, args.overwrite)


def _formats(args: argparse.Namespace) -> tuple[str, ...]:
    text = getattr(args, "formats", None)
    return FORMATS if not text else tuple(f.strip() for f in text.split(",") if f.strip())


def _write_report(result, args: argparse.Namespace, scenario=None, sensitivity=None) -> None:
    paths = report(result, args.report, question=args.question, overwrite=args.overwrite,
                   formats=_formats(args), scenario=scenario, sensitivity=sensitivity)
    print("report written to " + ", ".join(str(p) for p in paths.values()))


def _executor(scenario, runs: int) -> str:
    """Worker processes for big jobs: the command's entry points are guarded, so spawned
    workers can import them safely (a library default cannot assume that of a script)."""
    return auto_executor(scenario.market.people * scenario.simulation.steps * runs, runs)


# --------------------------------------------------------------------------- commands
def _demo(args: argparse.Namespace) -> int:
    _check_report(args)
    today = Scenario.preset("telecom").replace(**{"market.people": args.people})
    result = demo.flagship(runs=args.runs, seed=args.seed, people=args.people,
                      executor=_executor(today, 3 * args.runs))  # three scenarios
    if args.report:
        cmp = result.get("comparison") if isinstance(result, dict) else None
        if cmp is None:
            raise WomsimError("--report: this version of womsim.app.demo.flagship does not return "
                              "its comparison")
        _write_report(cmp, args)
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    sc = load_scenario(args.scenario, args.set)
    _check_report(args)
    ens = simulate(sc, runs=args.runs, seed=args.seed, progress=not args.quiet,
                       executor=_executor(sc, args.runs))
    print(repr(sc))
    table = ens.summary()[["mean", "ci_low", "ci_high", "unit", "meaning"]]
    # money figures in the scenario's currency; the meaning says their basis
    table["unit"] = table["unit"].replace("money", sc.economics.currency)
    _print_table(table)
    if args.csv:
        ens.to_csv(args.csv, overwrite=args.overwrite)
        print(f"per-step records written to {args.csv}")
    if args.report:
        _write_report(ens, args)
    return EXIT_OK


def _lost_revenue(args: argparse.Namespace) -> int:
    sc = load_scenario(args.scenario, args.set)
    target = dict(_key_value(t, "--target") for t in args.target) or None
    if target:
        target = {k: _parse_value(v) for k, v in target.items()}
    _check_report(args)
    if sc.interventions:
        # the flagship's question from the client's own file: today (without the file's
        # programmes) against its counterfactual and against each programme, in one paired
        # comparison, so one report holds the lost value, its prices and each programme's ROI
        base = sc.without_interventions()
        named = {"today": base, "target" if target else "no problems":
                 counterfactual(base, target)}
        for iv in sc.interventions:
            named[iv.name] = base.with_interventions(iv)
        cmp = compare(named, runs=args.runs, seed=args.seed, progress=not args.quiet,
                          executor=_executor(sc, len(named) * args.runs))
        cf = list(named)[1]
        lr = LostRevenue(Comparison({"today": cmp.ensembles["today"],
                                     cf: cmp.ensembles[cf]}))
        result: Any = cmp
    else:
        lr = lost_revenue(sc, runs=args.runs, seed=args.seed, target=target,
                              progress=not args.quiet, executor=_executor(sc, 2 * args.runs))
        result = lr
    print(repr(lr))
    _print_table(lr.total().to_frame("value").T)
    print()
    _print_table(lr.by_cause())
    print()
    _print_table(lr.per_incident())
    if result is not lr:
        print()  # each programme's return (the counterfactual spends nothing)
        _print_table(result.roi().drop(index=result.names[1]))
    sens = None
    if args.tornado:
        today = sc.without_interventions()
        sens = sensitivity(today, runs=args.runs, seed=args.seed, target=target,
                               progress=not args.quiet, executor=_executor(sc, 4 * args.runs))
        print()
        _print_table(sens.table())
    if args.report:
        _write_report(result, args, sensitivity=sens)
    return EXIT_OK


def _compare_scenarios(sources: Sequence[str], settings: Sequence[str]) -> dict[str, Any]:
    """Several files: each by its name (the first is the reference). One file with
    interventions: the file without them, then each intervention alone, then all of them."""
    scs = [load_scenario(s, settings) for s in sources]
    if len(scs) == 1:
        sc = scs[0]
        if not sc.interventions:
            raise WomsimError(
                f"compare {sources[0]}: give two scenario files or more, or one file with "
                "[[interventions]] to compare each with the scenario without them")
        base = sc.without_interventions()
        named = {f"{sc.name} without interventions": base}
        for iv in sc.interventions:
            named[iv.name] = base.with_interventions(iv)
        if len(sc.interventions) > 1:
            named[f"all {len(sc.interventions)} interventions"] = sc
        return named
    named = {}
    for src, sc in zip(sources, scs, strict=True):
        name = sc.name if sc.name not in named else Path(src).stem
        if name in named:
            raise WomsimError(f"compare: two scenarios are named '{name}'; give them "
                              "different names (name = ... in the file)")
        named[name] = sc
    return named


def _compare(args: argparse.Namespace) -> int:
    named = _compare_scenarios(args.scenarios, args.set)
    _check_report(args)
    first = next(iter(named.values()))
    cmp = compare(named, runs=args.runs, seed=args.seed, progress=not args.quiet,
                      executor=_executor(first, len(named) * args.runs))
    print(repr(cmp))
    s = cmp.summary()
    _print_table(s[s.index.get_level_values("metric").isin(
        ["value", "profit_pv", "profit", "customers_end"])][["difference", "ci_low", "ci_high",
                                                       "unit"]])
    if any(ens.scenario.interventions for ens in cmp.ensembles.values()):
        print()
        _print_table(cmp.roi())
    if args.report:
        _write_report(cmp, args)
    return EXIT_OK


def _sweep(args: argparse.Namespace) -> int:
    sc = load_scenario(args.scenario, args.set)
    grid = _grid(args.grid)
    _check_report(args)
    points = 1
    for v in grid.values():
        points *= len(v)
    sw = sweep(sc, grid, runs=args.runs, seed=args.seed, progress=not args.quiet,
                   executor=_executor(sc, points * args.runs))
    print(repr(sw))
    _print_table(sw.summary())
    if args.report:
        _write_report(sw, args)
    return EXIT_OK


def _sensitivity(args: argparse.Namespace) -> int:
    sc = load_scenario(args.scenario, args.set)
    params = [p.strip() for p in args.params.split(",") if p.strip()] if args.params else None
    _check_report(args)
    sens = sensitivity(sc, params=params, runs=args.runs, seed=args.seed,
                           progress=not args.quiet, executor=_executor(sc, 4 * args.runs))
    print(repr(sens))
    _print_table(sens.table())
    if args.report:
        _write_report(sens, args, scenario=sc)
    return EXIT_OK


def _calibration_targets(args: argparse.Namespace) -> dict[str, Any]:
    """The client's data (``--client``) as targets, then each ``--target`` over them;
    ``KEY=VALUE`` or ``KEY=VALUE,SE`` (value and standard error)."""
    targets: dict[str, Any] = {}
    if args.client:
        targets.update(read_client(*args.client).targets())
    for item in args.target:
        key, value = _key_value(item, "--target")
        parts = [_parse_value(v.strip()) for v in value.split(",")]
        targets[key] = parts[0] if len(parts) == 1 else tuple(parts)
    if not targets:
        raise WomsimError("calibrate: give --target KEY=VALUE (e.g. --target "
                          "annual_churn=0.15) or --client customers.csv contacts.csv")
    return targets


def _calibrate(args: argparse.Namespace) -> int:
    sc = load_scenario(args.scenario, args.set)
    targets = _calibration_targets(args)
    infer = [p.strip() for p in args.infer.split(",") if p.strip()] if args.infer else None
    _check_report(args)
    if args.save:  # refused before the simulations, as a report is
        check_writable(Path(args.save), args.overwrite)
    executor = auto_executor(args.people * sc.simulation.steps * args.sims, args.sims)
    cal = calibrate(sc, targets, infer=infer, people=args.people, sims=args.sims,
                        draws=args.draws, seed=args.seed, check_runs=args.check_runs,
                        executor=executor, progress=not args.quiet)
    print(repr(cal))
    _print_table(cal.check)
    print()
    _print_table(cal.diagnostic())
    if args.save:
        print(f"calibration saved to {cal.save(args.save, overwrite=args.overwrite)}")
    if args.report:
        _write_report(cal, args)
    return EXIT_OK


def _presets(args: argparse.Namespace) -> int:
    table = Scenario.presets()
    _print_table(table.drop(columns="rationale"))
    print()
    for name, why in table["rationale"].items():
        print(f"{name}: {why}")
    return EXIT_OK


def _figures(args: argparse.Namespace) -> int:
    cols = ["value", "low", "high", "unit", "status", "source"]
    _print_table(figures.table(status=args.status)[cols])
    return EXIT_OK


# --------------------------------------------------------------------------- parser
_SCENARIO_HELP = "scenario TOML file (see Scenario.to_toml) or a preset's name (telecom...)"


def _common(p: argparse.ArgumentParser, runs: int) -> None:
    p.add_argument("--runs", type=int, default=runs, help=f"runs (default {runs})")
    p.add_argument("--seed", type=int, default=1, help="ensemble seed (default 1)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="set a parameter as if the file said so (repeat for more), e.g. "
                        "--set market.people=20000")
    _report_args(p)
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def _report_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--report", metavar="PATH",
                   help="also write a client-ready report: PATH.html, PATH.xlsx, PATH.pptx")
    p.add_argument("--formats", metavar="LIST",
                   help="report formats, comma-separated (default: all of html,xlsx,pptx)")
    p.add_argument("--question", help="the client's question, shown first in the report")
    p.add_argument("--overwrite", action="store_true", help="replace existing output files")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="womsim",
        description="What customer service really costs or earns once word of mouth is "
                    "counted.",
        epilog="Exit codes: 0 ok, 2 bad input (scenario, file, parameter), 64 usage error.")
    p.add_argument("--version", action="version", version=f"womsim {womsim_version()}")
    sub = p.add_subparsers(dest="command", required=True)
    d = sub.add_parser("demo", help="the flagship what-if on the telecom preset")
    d.add_argument("--runs", type=int, default=12, help="runs per scenario (default 12)")
    d.add_argument("--seed", type=int, default=1, help="ensemble seed (default 1)")
    d.add_argument("--people", type=int, default=100_000, help="market size (default 100k)")
    _report_args(d)
    d.set_defaults(func=_demo)

    r = sub.add_parser("run", help="simulate a scenario and print its summary")
    r.add_argument("scenario", help=_SCENARIO_HELP)
    _common(r, 100)
    r.add_argument("--csv", help="also write per-step records to this CSV file")
    r.set_defaults(func=_run)

    lr = sub.add_parser("lost-revenue", help="what today's service costs, by cause and per "
                                             "incident (against no service problems); a "
                                             "file's [[interventions]] get their ROI beside it")
    lr.add_argument("scenario", help=_SCENARIO_HELP)
    lr.add_argument("--target", action="append", default=[], metavar="KEY=VALUE",
                    help="the counterfactual's changes instead of 'no problems' (repeat), "
                         "e.g. --target complaints.resolved=0.9")
    lr.add_argument("--tornado", action="store_true",
                    help="also run the sensitivity (which assumption moves the answer most) "
                         "and add it to the output and the report")
    _common(lr, 50)
    lr.set_defaults(func=_lost_revenue)

    c = sub.add_parser("compare", help="compare scenario files (the first is the reference), "
                                       "or one file's interventions with the file without "
                                       "them")
    c.add_argument("scenarios", nargs="+", help=_SCENARIO_HELP + "; one or more")
    _common(c, 50)
    c.set_defaults(func=_compare)

    s = sub.add_parser("sweep", help="run a scenario over a grid of parameter values")
    s.add_argument("scenario", help=_SCENARIO_HELP)
    s.add_argument("--grid", action="append", required=True, metavar="KEY=V1,V2,...",
                   help="a parameter and its values (repeat for a grid), e.g. "
                        "--grid service.problem_rate=0.05,0.1,0.15")
    _common(s, 30)
    s.set_defaults(func=_sweep)

    t = sub.add_parser("sensitivity", help="the tornado: which uncertain assumption moves "
                                           "the value lost most")
    t.add_argument("scenario", help=_SCENARIO_HELP)
    t.add_argument("--params", metavar="LIST",
                   help="parameters to vary, comma-separated (default: every uncertain one)")
    _common(t, 20)
    t.set_defaults(func=_sensitivity)

    cb = sub.add_parser("calibrate", help="calibrate a scenario to what the client observes "
                                          "(targets, or the client's own data)")
    cb.add_argument("scenario", help=_SCENARIO_HELP)
    cb.add_argument("--target", action="append", default=[], metavar="KEY=VALUE[,SE]",
                    help="an observable and its value, optionally its standard error "
                         "(repeat), e.g. --target annual_churn=0.15 --target "
                         "problem_share=0.04,0.005")
    cb.add_argument("--client", nargs=2, metavar=("CUSTOMERS", "CONTACTS"),
                    help="the client's customer table and contact log (CSV or Excel): "
                         "their observables become targets (--target overrides one)")
    cb.add_argument("--infer", metavar="LIST",
                    help="parameters to infer, comma-separated (default: "
                         "womsim.analysis.calibrate.INFERRED)")
    cb.add_argument("--people", type=int, default=3000,
                    help="market size of the inference simulations (default 3000)")
    cb.add_argument("--sims", type=int, default=200,
                    help="reference simulations from the prior (default 200)")
    cb.add_argument("--draws", type=int, default=400, help="posterior draws (default 400)")
    cb.add_argument("--check-runs", type=int, default=4,
                    help="runs of the calibrated scenario for the target-vs-simulated table "
                         "(default 4)")
    cb.add_argument("--seed", type=int, default=1, help="seed (default 1)")
    cb.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="set a parameter as if the file said so (repeat for more)")
    cb.add_argument("--save", metavar="PATH",
                    help="also save the calibration (ZIP; womsim.load reads it back)")
    _report_args(cb)
    cb.add_argument("--quiet", action="store_true", help="no progress bar")
    cb.set_defaults(func=_calibrate)

    pr = sub.add_parser("presets", help="list the preset scenarios")
    pr.set_defaults(func=_presets)
    f = sub.add_parser("figures", help="list the research figures with sources and status")
    f.add_argument("--status", choices=["verified", "secondary", "unverified"])
    f.set_defaults(func=_figures)
    return p


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings as one line a command-line user reads (no source path)."""
    print(f"womsim: warning: {message}", file=sys.stderr)


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
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors; scripts want 64
        return EXIT_OK if exc.code == 0 else EXIT_USAGE
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            warnings.showwarning = _show_warning
            return args.func(args)
    except (WomsimError, OSError) as err:
        # the library's hints name Python arguments; here the flag is what one types
        msg = str(err).replace("pass overwrite=True", "pass --overwrite")
        print(f"womsim: error: {msg}", file=sys.stderr)
        return EXIT_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
