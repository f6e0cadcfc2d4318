"""The womsim command: help everywhere, exit codes scripts can rely on, readable errors."""

import subprocess
import sys

import pytest

import womsim as wom
from womsim.app.cli import EXIT_INPUT, EXIT_OK, EXIT_USAGE, main


def _run(*args):
    return subprocess.run([sys.executable, "-m", "womsim", *args], capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"], ["demo", "--help"],
                                  ["lost-revenue", "--help"], ["compare", "--help"],
                                  ["sweep", "--help"], ["sensitivity", "--help"],
                                  ["calibrate", "--help"],
                                  ["presets", "--help"], ["figures", "--help"]])
def test_help_everywhere(args, capsys):
    assert main(args) == EXIT_OK
    assert "usage: womsim" in capsys.readouterr().out


def test_usage_errors_exit_64(capsys):
    assert main([]) == EXIT_USAGE
    assert main(["fly"]) == EXIT_USAGE
    assert main(["run"]) == EXIT_USAGE
    assert main(["figures", "--status", "maybe"]) == EXIT_USAGE


def test_presets_and_figures_print_tables(capsys):
    assert main(["presets"]) == EXIT_OK
    out = capsys.readouterr().out
    for name in ("telecom", "retail_bank", "ecommerce", "saas", "restaurant"):
        assert name in out
    assert main(["figures", "--status", "unverified"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "negative_tells_tail" in out and "negative_tells " not in out


def test_run_a_scenario_file_prints_the_summary(tmp_path, capsys):
    sc = wom.Scenario.preset("telecom").replace(
        **{"market.people": 2000, "simulation.horizon_years": 0.25})
    path = sc.to_toml(tmp_path / "s.toml")
    csv = tmp_path / "records.csv"
    # the one true `python -m womsim` process of the suite: entry point, exit code, streams
    r = _run("run", str(path), "--runs", "2", "--seed", "3", "--quiet", "--csv", str(csv))
    assert r.returncode == EXIT_OK, r.stderr
    assert "customers_end" in r.stdout and "ci_low" in r.stdout
    assert csv.exists()
    saved = csv.read_bytes()
    # the same command again refuses to overwrite what the user saved (in-process: a second
    # interpreter would only pay womsim's import again; __main__ exits with main()'s code)
    assert main(["run", str(path), "--runs", "2", "--seed", "3", "--quiet", "--csv",
                 str(csv)]) == EXIT_INPUT
    assert "exists" in capsys.readouterr().err
    assert csv.read_bytes() == saved


def test_bad_scenario_file_names_the_line(tmp_path, capsys):
    p = tmp_path / "bad.toml"
    p.write_text("[service]\nproblem_rate = 1.5\n")
    assert main(["run", str(p), "--runs", "1", "--quiet"]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert "line 2" in err and "service.problem_rate" in err
    assert main(["run", str(tmp_path / "missing.toml")]) == EXIT_INPUT
    assert "missing.toml" in capsys.readouterr().err


# --------------------------------------------------------------------------- every analysis
SMALL_SET = ["--set", "market.people=2000", "--set", "simulation.horizon_years=0.25"]


def test_version(capsys):
    assert main(["--version"]) == EXIT_OK
    assert capsys.readouterr().out.strip() == f"womsim {wom.__version__}"


def test_presets_by_name_and_a_hint_when_neither(capsys):
    from womsim.app.cli import load_scenario

    sc = load_scenario("telecom", ["market.people=2000", "economics.currency=EUR"])
    assert sc.market.people == 2000 and sc.economics.currency == "EUR"
    # a --set observable is calibrated to, as if the file said so
    churn = load_scenario("telecom", ["market.observed_annual_churn=0.4"])
    assert churn.baseline_churn() > wom.Scenario.preset("telecom").baseline_churn()
    assert main(["run", "telcom", "--runs", "3"]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert "telcom" in err and "preset" in err and "telecom" in err
    assert main(["run", "telecom", "--set", "market.peple=5"]) == EXIT_INPUT
    assert "market.people" in capsys.readouterr().err  # the close match
    assert main(["run", "telecom", "--set", "market.people"]) == EXIT_INPUT
    assert "KEY=VALUE" in capsys.readouterr().err
    assert main(["run", "telecom", "--set", "service.problem_rate=1.5"]) == EXIT_INPUT
    assert "service.problem_rate" in capsys.readouterr().err


def test_few_runs_warn(capsys):
    assert main(["run", "telecom", *SMALL_SET, "--runs", "1", "--quiet"]) == EXIT_OK
    err = capsys.readouterr().err
    assert "womsim: warning: runs = 1" in err and "interval" in err
    from womsim.runner.simulate import FewRunsWarning

    with pytest.warns(FewRunsWarning):
        wom.simulate(wom.Scenario().replace(**{"market.people": 500,
                                               "simulation.horizon_years": 0.1}),
                     runs=2, seed=1)


def _report_files(base):
    return {p.suffix for p in base.parent.glob(base.name + ".*")}


@pytest.mark.slow
def test_lost_revenue_with_tornado_and_report(tmp_path, capsys):
    base = tmp_path / "lost"
    code = main(["lost-revenue", "telecom", *SMALL_SET, "--runs", "3", "--quiet",
                 "--tornado", "--report", str(base)])
    out = capsys.readouterr().out
    assert code == EXIT_OK
    assert "per silent unhappy customer" in out and "value_lost" in out
    assert "word_of_mouth.negative_mean" in out  # the tornado's table
    assert _report_files(base) == {".html", ".xlsx", ".pptx"}
    h = (tmp_path / "lost.html").read_text()
    assert "What moves the value lost most" in h and h.count("data:image/png") == 3
    # again: refused before any run, naming the flag
    assert main(["lost-revenue", "telecom", *SMALL_SET, "--runs", "3", "--quiet",
                 "--report", str(base)]) == EXIT_INPUT
    assert "--overwrite" in capsys.readouterr().err
    # a counterfactual of the user's choosing
    assert main(["lost-revenue", "telecom", *SMALL_SET, "--runs", "3", "--quiet",
                 "--target", "complaints.resolved=0.9"]) == EXIT_OK
    assert "LostRevenue" in capsys.readouterr().out


def test_lost_revenue_of_a_file_with_programmes_gives_the_demo_in_one_report(tmp_path, capsys):
    # one scenario file and one command: the value lost, its prices per incident and each
    # programme's return, paired in one comparison and written as one report
    sc = wom.Scenario.preset("telecom").replace(**{"market.people": 2000,
                                                    "simulation.horizon_years": 0.5})
    iv = wom.Intervention("complaint programme", start="1 month", cost_per_year=5_000,
                          changes={"complaints.resolved": 0.8})
    path = tmp_path / "client.toml"
    sc.with_interventions(iv).to_toml(path)
    base = tmp_path / "client"
    assert main(["lost-revenue", str(path), "--runs", "3", "--quiet", "--report",
                 str(base)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "per silent unhappy customer" in out and "value_lost" in out
    roi_table = out[out.index("extra_cost"):]
    assert "complaint programme" in roi_table and "no problems" not in roi_table
    h = (tmp_path / "client.html").read_text()
    assert "per silent unhappy customer" in h and "complaint programme" in h
    assert "return on investment" in h
    # the value lost is today's (the file without its programme), not the programme's world
    alone = wom.lost_revenue(sc, runs=3, seed=1, executor="serial", progress=False)
    assert f"{alone.total()['value_lost']:,.0f}" in out


@pytest.mark.slow
def test_compare_files_and_interventions_from_toml(tmp_path, capsys):
    sc = wom.Scenario.preset("telecom").replace(**{"market.people": 2000,
                                                    "simulation.horizon_years": 0.25})
    a = wom.Intervention("training", start="1 month", cost_per_year=20_000,
                         changes={"service.problem_rate": 0.8},
                         how={"service.problem_rate": "scale"})
    b = wom.Intervention("complaints desk", start="2 months", cost_per_year=10_000,
                         changes={"complaints.resolved": 0.8})
    both = sc.with_interventions(a, b).replace(name="programmes")
    path = both.to_toml(tmp_path / "programmes.toml")
    assert wom.Scenario.from_toml(path) == both  # interventions round-trip through TOML
    code = main(["compare", str(path), "--runs", "3", "--quiet", "--formats", "html,pptx",
                 "--report", str(tmp_path / "cmp")])
    out = capsys.readouterr().out
    assert code == EXIT_OK
    for name in ("programmes without interventions", "training", "complaints desk",
                 "all 2 interventions"):
        assert name in out
    assert "roi" in out and "payback_years" in out
    assert _report_files(tmp_path / "cmp") == {".html", ".pptx"}
    # several files: the first is the reference
    other = sc.replace(**{"service.problem_rate": 0.05}).replace(name="better")
    p2 = other.to_toml(tmp_path / "better.toml")
    p1 = sc.to_toml(tmp_path / "today.toml")
    assert main(["compare", str(p1), str(p2), "--runs", "3", "--quiet"]) == EXIT_OK
    assert "better" in capsys.readouterr().out
    # one file without interventions cannot be compared with anything
    assert main(["compare", str(p1), "--runs", "3"]) == EXIT_INPUT
    assert "[[interventions]]" in capsys.readouterr().err


@pytest.mark.slow
def test_sweep_and_sensitivity_commands(tmp_path, capsys):
    code = main(["sweep", "telecom", *SMALL_SET, "--runs", "3", "--quiet",
                 "--grid", "service.problem_rate=0.05,0.15", "--formats", "xlsx",
                 "--report", str(tmp_path / "sw")])
    out = capsys.readouterr().out
    assert code == EXIT_OK and "0.05" in out and "0.15" in out
    assert _report_files(tmp_path / "sw") == {".xlsx"}
    assert main(["sweep", "telecom", "--grid", "service.problem_rate=0.1"]) == EXIT_INPUT
    assert "two values or more" in capsys.readouterr().err
    assert main(["sweep", "telecom"]) == EXIT_USAGE  # --grid is required
    code = main(["sensitivity", "telecom", *SMALL_SET, "--runs", "3", "--quiet",
                 "--params", "word_of_mouth.negative_mean", "--formats", "html",
                 "--report", str(tmp_path / "tor")])
    assert code == EXIT_OK
    h = (tmp_path / "tor.html").read_text()
    assert "Appendix A" in h and "market.people" in h  # the scenario's assumptions listed
    assert main(["sensitivity", "telecom", "--formats", "pdf", "--report",
                 str(tmp_path / "x")]) == EXIT_INPUT
    assert "formats" in capsys.readouterr().err


# --------------------------------------------------------------------------- calibrate
@pytest.mark.parametrize("target, named", [("anual_churn=0.15", "anual_churn"),
                                           ("annual_churn=1.5", "annual_churn"),
                                           ("problem_share=lots", "problem_share"),
                                           ("service_level=0.8", "service_level")])
def test_calibrate_bad_target_exits_2_naming_it(target, named, capsys):
    code = main(["calibrate", "retail_bank", "--target", target, "--quiet"])
    assert code == EXIT_INPUT
    err = capsys.readouterr().err
    assert named in err and "womsim: error:" in err


def test_calibrate_needs_a_target(capsys):
    assert main(["calibrate", "retail_bank", "--quiet"]) == EXIT_INPUT
    assert "--target" in capsys.readouterr().err
    assert main(["calibrate", "retail_bank", "--target", "annual_churn"]) == EXIT_INPUT
    assert main(["calibrate", "retail_bank", "--client", "only_one.csv"]) == EXIT_USAGE


def test_calibrate_targets_from_client_data(tmp_path):
    """--client reads the client's tables into targets; --target overrides one of them."""
    from womsim.analysis.clientdata import read_client, synthetic_client
    from womsim.app.cli import _calibration_targets, _parser

    folder = synthetic_client(people=1000, seed=1).to_csv(tmp_path)
    cust, cont = str(folder / "customers.csv"), str(folder / "contacts.csv")
    args = _parser().parse_args(["calibrate", "x", "--client", cust, cont,
                                 "--target", "problem_share=0.05,0.01"])
    t = _calibration_targets(args)
    want = read_client(cust, cont).targets()
    assert set(t) == set(want) | {"problem_share"}
    assert t["annual_churn"] == want["annual_churn"]
    assert t["problem_share"] == (0.05, 0.01)


@pytest.mark.slow
def test_calibrate_prints_the_check_and_the_diagnostic(tmp_path, capsys):
    sc = wom.Scenario.preset("retail_bank").replace(**{"simulation.horizon_years": 1})
    path = sc.to_toml(tmp_path / "bank.toml")
    args = ["calibrate", str(path), "--target", "annual_churn=0.15",
            "--target", "problem_share=0.04", "--people", "200", "--sims", "12",
            "--draws", "50", "--check-runs", "2", "--infer",
            "complaints.intention_to_action", "--seed", "2", "--quiet",
            "--report", str(tmp_path / "cal"), "--formats", "html",
            "--save", str(tmp_path / "cal.zip")]
    assert main(args) == EXIT_OK, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "Calibration(" in out
    for word in ("annual_churn", "problem_share", "customer_growth", "simulated", "ci_low",
                 "complaints.intention_to_action", "width_ratio", "verdict"):
        assert word in out
    assert (tmp_path / "cal.html").exists()
    saved = wom.load(tmp_path / "cal.zip")
    assert saved.scenario.service.problem_rate == pytest.approx(0.04)
    # the same command again refuses to replace the saved files, before any simulation
    assert main(args) == EXIT_INPUT
    assert "exists" in capsys.readouterr().err
