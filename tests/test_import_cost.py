"""What ``import womsim`` loads: not the heavy packages that only some calls need.

scipy.stats with scipy.optimize was ~0.45 s of CPU, a third of ``import womsim`` (and of every
``womsim`` command and notebook start); matplotlib is another fifth of a second. They are
imported inside the functions that use them, and these checks keep a module-level import
from bringing them back unnoticed. Each check needs an interpreter that has not imported
everything yet, as this test process has: two fresh ones (each ``import womsim`` in one costs
seconds of CPU) run the checks as stages in the order that keeps each one's meaning -
the modules loaded are read before anything else loads more, and the lazy imports are
called before anything has loaded scipy for them.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: Loaded by ``import womsim`` only if some module imports them at its top.
HEAVY = ("scipy.stats", "scipy.optimize", "scipy.linalg", "scipy.sparse", "scipy.special",
         "matplotlib", "ipywidgets", "openpyxl", "networkx", "distributed")

# each stage of a probe: its name and its code; a stage that raises is recorded with its
# error and the ones after it still run (each test reads its own stage)
_PRELUDE = f"""
import gc, json, sys, traceback
HEAVY = {HEAVY!r}
out = {{}}
def heavy():
    return sorted({{h for h in HEAVY for m in sys.modules if m == h or m.startswith(h + ".")}})
def stage(name, code):
    try:
        exec(code, globals())
        out[name] = {{"ok": True, "value": globals().get("value")}}
    except BaseException:
        out[name] = {{"ok": False, "error": traceback.format_exc()}}
"""

_GC = """
assert gc.isenabled() is {enabled}, gc.isenabled()
assert gc.get_freeze_count() == 0, gc.get_freeze_count()
x = []
x.append(x)  # a cycle made after the import is still collected
del x
assert gc.collect() >= 1
value = None
"""

_LAZY = """
import numpy as np
import pytest
import womsim as wom
from womsim.model.share import equilibrium_share, share_path
from womsim.results import interval
from womsim.service.queueing import erlang_a
sc = wom.Scenario.preset("telecom")
assert 0 < wom.Telling.negative().sf(20) < 1
assert interval(np.array([1.0, 2.0, 3.0]))[2:] == pytest.approx((-0.484, 4.484), abs=1e-3)
quiet = {"prospect_deter_prob": 0.0, "referral_prob": 0.0, "customer_defect_prob": 0.0}
market = wom.Scenario(rivals=[{"name": "r"}], word_of_mouth=quiet)
assert 0 < equilibrium_share(market) < 1 and len(share_path(market, [0.5, 1.0])) == 2
assert 0 < erlang_a(8 / 6, 1 / 6, 8, 1 / 3).p_abandon < 1
value = None
"""

#: collector on: the import, what it loaded, what the command line loads on top, then the
#: functions that import scipy themselves (after the reads: they load it)
PROBE_ON = [("import womsim", "import womsim\nvalue = heavy()"),
            ("collector on", _GC.format(enabled=True)),
            ("import womsim.app.cli", "import womsim.app.cli\nvalue = heavy()"),
            ("lazy imports", _LAZY)]
#: collector off before the import; then a heavy import, as a module-level
#: `from scipy import stats` anywhere in the package would look
PROBE_OFF = [("import womsim", "gc.disable()\nimport womsim\nvalue = heavy()"),
             ("collector off", _GC.format(enabled=False)),
             ("a heavy import", "from scipy import stats\nvalue = heavy()")]


def run_probe(stages: list[tuple[str, str]]) -> dict[str, dict]:
    """Each stage's outcome (``ok``, ``value`` or ``error``), run in order in one fresh
    interpreter."""
    code = _PRELUDE + "".join(f"stage({n!r}, {c!r})\n" for n, c in stages)
    code += "print(json.dumps(out))\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


@pytest.fixture(scope="module")
def on() -> dict[str, dict]:
    return run_probe(PROBE_ON)


@pytest.fixture(scope="module")
def off() -> dict[str, dict]:
    return run_probe(PROBE_OFF)


def value(stages: dict[str, dict], name: str):  # type: ignore[no-untyped-def]
    got = stages[name]
    assert got["ok"], got["error"]
    return got["value"]


@pytest.mark.parametrize("code", ["import womsim", "import womsim.app.cli"])
def test_import_loads_no_heavy_package(on: dict, code: str) -> None:
    assert value(on, code) == []


def test_the_check_sees_a_heavy_import(off: dict) -> None:
    assert value(off, "import womsim") == []
    assert value(off, "a heavy import") == [
        "scipy.linalg", "scipy.optimize", "scipy.sparse", "scipy.special", "scipy.stats"]


def test_the_lazy_imports_still_work(on: dict) -> None:
    # each function that now imports scipy itself, called once, before anything else in the
    # interpreter has loaded scipy
    value(on, "lazy imports")


@pytest.mark.parametrize("enabled", [True, False])
def test_import_leaves_the_collector_as_it_was(on: dict, off: dict, enabled: bool) -> None:
    # paused during the import (womsim/__init__.py), nothing frozen (the caller's objects stay
    # collectable): a user who had the collector on (or off) has it on (or off) afterwards
    value(on if enabled else off, "collector on" if enabled else "collector off")


def test_a_failing_stage_is_reported_not_hidden() -> None:
    # the probe itself: a stage that raises is recorded as failed, the next still runs
    got = run_probe([("bad", "raise RuntimeError('boom')"), ("good", "value = 1")])
    assert not got["bad"]["ok"] and "boom" in got["bad"]["error"]
    assert got["good"] == {"ok": True, "value": 1}
