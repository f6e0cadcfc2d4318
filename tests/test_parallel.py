"""Executors: the same seed gives the same numbers serially, in processes and on Dask."""

import os

import numpy as np
import pytest

import womsim as wom
from womsim.core.errors import WomsimError


@pytest.fixture(scope="module")
def sc():
    return wom.Scenario.preset("telecom").replace(
        **{"market.people": 3000, "simulation.horizon_years": 0.5})


@pytest.fixture(scope="module")
def net(sc):
    return wom.Network.scale_free(3000, m=5, seed=8)


def _same(a, b):
    assert a.seeds == b.seeds
    assert a.records.equals(b.records)
    assert a.runs.equals(b.runs)


def test_processes_match_serial_bit_for_bit(sc, net):
    serial = wom.simulate(sc, network=net, runs=4, seed=11, executor="serial")
    procs = wom.simulate(sc, network=net, runs=4, seed=11, executor="processes")
    _same(serial, procs)


def test_concurrent_futures_executor(sc, net):
    from concurrent.futures import ThreadPoolExecutor

    serial = wom.simulate(sc, network=net, runs=3, seed=5, executor="serial")
    with ThreadPoolExecutor(2) as ex:
        threaded = wom.simulate(sc, network=net, runs=3, seed=5, executor=ex)
    _same(serial, threaded)


@pytest.mark.slow
def test_dask_local_cluster_matches_serial(sc, net, dask_client):
    serial = wom.compare({"today": sc, "better": sc.replace(**{"complaints.resolved": 0.9})},
                         network=net, runs=3, seed=2, executor="serial")
    remote = wom.compare({"today": sc, "better": sc.replace(**{"complaints.resolved": 0.9})},
                         network=net, runs=3, seed=2, executor=dask_client)
    for name in ("today", "better"):
        _same(serial.ensembles[name], remote.ensembles[name])


def test_unseeded_runs_record_their_seed(sc, net):
    a = wom.simulate(sc, network=net, runs=2, executor="serial")
    b = wom.simulate(sc, network=net, runs=2, seed=a.seed, executor="serial")
    _same(a, b)


def test_bad_executor_and_runs(sc, net):
    with pytest.raises(WomsimError, match="executor='thread'"):
        wom.simulate(sc, network=net, runs=2, seed=1, executor="thread")
    with pytest.raises(WomsimError, match="runs = 0"):
        wom.simulate(sc, network=net, runs=0, seed=1)
    with pytest.raises(WomsimError, match="seed = -1"):
        wom.simulate(sc, network=net, runs=1, seed=-1)


def test_different_run_indices_differ(sc, net):
    ens = wom.simulate(sc, network=net, runs=3, seed=1, executor="serial")
    assert len(set(ens.seeds)) == 3
    assert not np.array_equal(ens.runs.iloc[0].to_numpy(), ens.runs.iloc[1].to_numpy())


# ------------------------------------------------- processes from scripts: never a hang
_UNGUARDED = """\
import womsim as wom
sc = wom.Scenario().replace(**{"market.people": 300, "simulation.horizon_years": 0.1})
ens = wom.simulate(sc, runs=2, seed=1, executor="processes")
print("ran", ens.n_runs)
"""

_GUARD_CASES = """\
from womsim.runner.executors import check_main_guard


def work():
    check_main_guard()


if __name__ == "__main__":
    work()
    print("guarded ok")
try:
    work()
except ValueError as err:
    print("refused:", err)
"""


def _python(tmp_path, code: str, stdin: bool = False):
    import subprocess
    import sys

    script = tmp_path / "job.py"
    script.write_text(code)
    # a hang would show as TimeoutExpired; the refusal needs only womsim's import time
    cmd = [sys.executable, "-"] if stdin else [sys.executable, str(script)]
    return subprocess.run(cmd, input=code if stdin else None, capture_output=True,
                          text=True, timeout=300, cwd=tmp_path)


@pytest.mark.slow
def test_processes_from_unguarded_script_refused_not_hung(tmp_path):
    out = _python(tmp_path, _UNGUARDED)
    assert out.returncode != 0 and "ran" not in out.stdout
    assert "WomsimError: executor='processes' called from the top level of" in out.stderr
    assert "job.py (line 3)" in out.stderr and 'if __name__ == "__main__":' in out.stderr
    assert "bootstrapping phase" not in out.stderr  # no worker was started


@pytest.mark.slow
def test_processes_from_stdin_refused_not_hung(tmp_path):
    out = _python(tmp_path, _UNGUARDED, stdin=True)
    assert out.returncode != 0 and "ran" not in out.stdout
    assert "cannot be used from a program read from standard input" in out.stderr
    assert "FileNotFoundError" not in out.stderr  # no worker was started


def test_guard_check_tells_guarded_from_top_level(tmp_path, monkeypatch, capsys):
    # run as the main program of this interpreter, not a new one (~2.5 s of CPU to import
    # womsim again): check_main_guard reads only sys.modules["__main__"], its file and the
    # frames running its top-level code, all of which this sets up as a script run has them
    # (the two tests above start true interpreters)
    import sys
    import types

    script = tmp_path / "job.py"
    script.write_text(_GUARD_CASES)
    main = types.ModuleType("__main__")
    main.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", main)
    exec(compile(_GUARD_CASES, str(script), "exec"), vars(main))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "guarded ok"
    assert lines[1].startswith("refused: executor='processes' called from the top level")
    assert "(line 12)" in lines[1]


def _pid_and(x: int, add: int) -> tuple[int, int]:
    return os.getpid(), x + add


@pytest.mark.slow
def test_processes_pool_is_kept_between_calls_with_each_calls_inputs():
    from womsim.runner.executors import close_pool, map_tasks

    first = map_tasks(_pid_and, [1, 2, 3, 4], {"add": 10}, executor="processes")
    second = map_tasks(_pid_and, [1, 2, 3, 4], {"add": 20}, executor="processes")
    assert [r for _, r in first] == [11, 12, 13, 14]
    assert [r for _, r in second] == [21, 22, 23, 24]  # the new inputs, not the old
    assert {p for p, _ in second} <= {p for p, _ in first}  # the same workers
    close_pool()
    third = map_tasks(_pid_and, [1, 2], {"add": 0}, executor="processes")
    assert not {p for p, _ in third} & {p for p, _ in first}  # stopped, then started anew
    # left open: the next processes tests of this pytest worker (test_store.py, grouped
    # with this module in conftest.py) reuse it instead of starting two more interpreters;
    # Python closes it at exit


def test_automatic_executor_picks_processes_only_where_they_win(monkeypatch):
    from womsim.runner import executors as parallel
    monkeypatch.setattr(parallel, "_cpu_count", lambda: 2)
    monkeypatch.setattr(parallel._Pool, "pool", None)
    monkeypatch.setattr(parallel, "_idle_cores", lambda window=0.1: 2.0)
    big = 200 * 100_000 * 104  # 200 runs x 100k people x 2 years weekly: ~50 s serial
    assert parallel.auto_executor(big, tasks=200) == "processes"
    assert parallel.auto_executor(big, tasks=1) == "serial"        # nothing to share out
    assert parallel.auto_executor(big / 20, tasks=40) == "serial"  # start costs more
    monkeypatch.setattr(parallel, "_idle_cores", lambda window=0.1: 0.6)
    assert parallel.auto_executor(big, tasks=200) == "serial"      # others use the cores
    monkeypatch.setattr(parallel, "_idle_cores", lambda window=0.1: 2.0)
    monkeypatch.setattr(parallel._Pool, "pool", object())           # this session's pool
    assert parallel.auto_executor(big / 20, tasks=40) == "processes"


def test_idle_cores_is_within_the_machine():
    from womsim.runner import executors as parallel
    assert 0.0 <= parallel._idle_cores(0.05) <= parallel._cpu_count() + 1e-9
