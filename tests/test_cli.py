"""The womsim command: help everywhere, exit codes scripts can rely on, readable errors."""

import subprocess
import sys

import pytest

import womsim as wom
from womsim.cli import EXIT_INPUT, EXIT_OK, EXIT_USAGE, main


def _run(*args):
    return subprocess.run([sys.executable, "-m", "womsim", *args], capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"], ["demo", "--help"],
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


def test_run_a_scenario_file_prints_the_summary(tmp_path):
    sc = wom.Scenario.preset("telecom").replace(
        **{"market.people": 2000, "simulation.horizon_years": 0.25})
    path = sc.to_toml(tmp_path / "s.toml")
    csv = tmp_path / "records.csv"
    r = _run("run", str(path), "--runs", "2", "--seed", "3", "--quiet", "--csv", str(csv))
    assert r.returncode == EXIT_OK, r.stderr
    assert "customers_end" in r.stdout and "ci_low" in r.stdout
    assert csv.exists()
    # the same command again refuses to overwrite what the user saved
    again = _run("run", str(path), "--runs", "2", "--seed", "3", "--quiet", "--csv", str(csv))
    assert again.returncode == EXIT_INPUT
    assert "exists" in again.stderr


def test_bad_scenario_file_names_the_line(tmp_path, capsys):
    p = tmp_path / "bad.toml"
    p.write_text("[service]\nproblem_rate = 1.5\n")
    assert main(["run", str(p), "--runs", "1", "--quiet"]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert "line 2" in err and "service.problem_rate" in err
    assert main(["run", str(tmp_path / "missing.toml")]) == EXIT_INPUT
    assert "missing.toml" in capsys.readouterr().err
