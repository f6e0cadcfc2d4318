"""What ``import womsim`` loads: not the heavy packages that only some calls need.

scipy.stats with scipy.optimize was ~0.45 s of CPU, a third of ``import womsim`` (and of every
``womsim`` command and notebook start); matplotlib is another fifth of a second. They are
imported inside the functions that use them, and these checks keep a module-level import
from bringing them back unnoticed. Each check runs in a fresh interpreter, since this test
process has long imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: Loaded by ``import womsim`` only if some module imports them at its top.
HEAVY = ("scipy.stats", "scipy.optimize", "scipy.linalg", "scipy.sparse", "scipy.special",
         "matplotlib", "ipywidgets", "openpyxl", "networkx", "distributed")


def heavy_modules(code: str) -> list[str]:
    """Which of :data:`HEAVY` (or their submodules) are loaded after running ``code`` in a
    fresh interpreter."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    loaded = json.loads(proc.stdout.splitlines()[-1])
    return sorted({h for h in HEAVY for m in loaded if m == h or m.startswith(h + ".")})


@pytest.mark.parametrize("code", ["import womsim", "import womsim.app.cli"])
def test_import_loads_no_heavy_package(code: str) -> None:
    assert heavy_modules(code) == []


def test_the_check_sees_a_heavy_import() -> None:
    # a module-level `from scipy import stats` anywhere in the package would look like this
    assert heavy_modules("import womsim\nfrom scipy import stats") == [
        "scipy.linalg", "scipy.optimize", "scipy.sparse", "scipy.special", "scipy.stats"]


def test_the_lazy_imports_still_work() -> None:
    # each function that now imports scipy itself, called once in a fresh process
    code = """
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
print("ok")
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0 and proc.stdout.strip().endswith("ok"), proc.stderr


@pytest.mark.parametrize("enabled", [True, False])
def test_import_leaves_the_collector_as_it_was(enabled: bool) -> None:
    # paused during the import (womsim/__init__.py), nothing frozen (the caller's objects stay
    # collectable):
    # a user who had the collector on (or off) has it on (or off) afterwards
    code = f"""
import gc
{"" if enabled else "gc.disable()"}
import womsim
assert gc.isenabled() is {enabled}, gc.isenabled()
assert gc.get_freeze_count() == 0, gc.get_freeze_count()
x = []
x.append(x)  # a cycle made after the import is still collected
del x
assert gc.collect() >= 1
print("ok")
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr
