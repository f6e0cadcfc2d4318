"""The kernels compiled at install (womsim.runner.aot): used, and the JIT's numbers.

A first demo after install runs the whole run, the network build and the step keys from
``womsim._aot`` (built by ``setup.py``). The module must give the same records as the JIT
kernels, bit for bit, and be what actually runs (a dispatcher that ignored it would
compile silently, 20-30 s). Without a built module matching the sources here (an engine
file edited since the install) the test builds one into a temporary directory.
"""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_compile_once import COMPARE

from womsim.runner import aot

CODE = r"""
import hashlib, json, sys
import womsim
if sys.argv[1]:  # a module built by the test: found first in womsim's package path
    womsim.__path__.insert(0, sys.argv[1])
from womsim.runner import aot
from womsim.runner.ahead import compile_ahead
compile_ahead(helper=False)  # the demo's first step: installs the module if it can
""" + COMPARE + r"""print(json.dumps({"installed": aot.installed(), "digest": h.hexdigest(),
                  "jit": [str(s) for s in whole_run.signatures + ba_targets.signatures]}))
"""

_BUILD = r"""
import sys, types
pkg = types.ModuleType("womsim")
pkg.__path__ = [sys.argv[2]]
sys.modules["womsim"] = pkg
from womsim.runner.aot import build
build(sys.argv[1])
"""


def _run(where: str, flag: str, cache: Path) -> dict:
    env = {**os.environ, "WOMSIM_AOT": flag, "NUMBA_CACHE_DIR": str(cache)}
    proc = subprocess.run([sys.executable, "-W", "ignore", "-c", CODE, where], env=env,
                          capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> str:
    """'' when the installed module matches the sources, else a directory holding one."""
    if aot._module() is not None:
        return ""
    out = tmp_path_factory.mktemp("aot")
    pytest.importorskip("setuptools")  # numba's ahead-of-time compiler needs it
    proc = subprocess.run([sys.executable, "-W", "ignore", "-c", _BUILD, str(out),
                           str(Path(aot.__file__).resolve().parents[1])],
                          capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return str(out)


@pytest.mark.slow  # the JIT's side: the demo's path compiled from scratch (~20 s of CPU)
def test_the_compiled_module_runs_and_gives_the_jit_numbers(built, tmp_path,
                                                             jit_from_scratch):
    ahead_ = _run(built, "1", tmp_path / "a")
    # every exported kernel handed to its dispatcher, and none compiled by the JIT
    assert set(ahead_["installed"]) == set(aot.EXPORTS)
    assert ahead_["jit"] == []
    # the same comparison by the JIT's kernels (WOMSIM_AOT=0, an empty cache), in the run
    # tests/test_compile_once.py checks the compiling of
    jit = jit_from_scratch
    assert jit["jit"]  # the JIT did run there
    assert ahead_["digest"] == jit["digest"]


def test_a_module_built_from_other_sources_is_not_used(monkeypatch):
    monkeypatch.setattr(aot, "digest", lambda package=None: -1)  # never a built one's
    assert aot._module() is None


def test_womsim_aot_takes_0_or_1(monkeypatch):
    monkeypatch.setenv("WOMSIM_AOT", "0")
    assert aot._module() is None
    monkeypatch.setenv("WOMSIM_AOT", "yes")
    with pytest.raises(ValueError, match=r"WOMSIM_AOT='yes'.*'0'.*'1'"):
        aot._module()


def test_the_digest_follows_the_kernels_sources(tmp_path):
    for sub in ("core", "engine", "network"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "a.py").write_text("x = 1\n")
    before = aot.digest(tmp_path)
    (tmp_path / "engine" / "a.py").write_text("x = 2\n")
    assert aot.digest(tmp_path) != before
    assert hashlib.sha256  # the digest is sha256's, cut to 63 bits
    assert 0 <= before < 2 ** 63


FIRST_RUNS = r"""
import json, sys
import womsim as wom
if sys.argv[1]:
    wom.__path__.insert(0, sys.argv[1])
from womsim.runner import aot
from womsim.engine.wholekernel import whole_run
from womsim.network.bacsr import ba_targets
sc = wom.Scenario.preset("telecom").replace(**{"market.people": 3000,
                                                "simulation.horizon_years": 0.5})
wom.simulate(sc, runs=2, seed=1, executor="serial", progress=False)
wom.simulate(sc.replace(**{"market.network": "well_mixed"}), runs=2, seed=1,
             executor="serial", progress=False)
print(json.dumps({"installed": aot.installed(),
                  "jit": [str(s) for s in whole_run.signatures + ba_targets.signatures]}))
"""


def test_a_notebooks_first_simulate_runs_the_kernels_compiled_at_install(built, tmp_path):
    """Only ``womsim demo`` handed the compiled module to the kernels: a notebook's first
    ``simulate`` (no demo before it) compiled the whole run and the graph builder again,
    20-40 s; a well-mixed market, whose empty graph arrays were writable (a type of their
    own), compiled the whole run even after the demo."""
    env = {**os.environ, "WOMSIM_AOT": "1", "NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run([sys.executable, "-W", "ignore", "-c", FIRST_RUNS, built], env=env,
                          capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert set(got["installed"]) == set(aot.EXPORTS)
    assert got["jit"] == []  # neither run compiled the whole run or the graph builder
