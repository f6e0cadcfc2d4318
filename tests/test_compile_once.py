"""The demo's path compiles each kernel for one argument type only (issue 16 point 2).

A first run after install pays the compiling of every kernel (several seconds); a second
specialization of one - a literal ``0`` passed on where an int64 is meant, a read-only
array beside a writable one, an int32 id beside an int64 one - costs another 0.1-1 s of
it each, silently. With an empty numba cache (a fresh process and cache directory) every
kernel the demo reaches, nested ones included, shows the signatures it was compiled for;
loaded from a cache the nested ones would not show, so the check compiles from scratch.
The same run checks ``womsim.runner.ahead.KERNELS``, the kernels a first demo compiles
ahead (two processes at once): each with the one type the demo calls it with, and none
missing (a kernel compiled during the demo after the table's were is one it lacks).
The kernels compiled at install (``womsim._aot``) are turned off here: this is the path a
machine without them takes; tests/test_aot.py checks the other.
"""

import json
import os
import subprocess
import sys

import pytest

#: A two-scenario comparison at 3,000 people, its records hashed (``h``), and the two
#: dispatchers whose signatures tell whether the JIT ran (tests/test_aot.py runs it too)
COMPARE = r"""
from womsim.analysis.whatif import compare
from womsim.analysis.lostrev import counterfactual
from womsim.model.scenario import Scenario
today = Scenario.preset("telecom").replace(**{"market.people": 3000})
cmp = compare({"today": today, "no problems": counterfactual(today)}, runs=2, seed=3,
              executor="serial")
h = hashlib.sha256()
for name, e in sorted(cmp.ensembles.items()):
    h.update(name.encode())
    h.update(e.records.to_csv(index=False, float_format="%.17g").encode())
from womsim.engine.wholekernel import whole_run
from womsim.network.bacsr import ba_targets
"""

CODE = r"""
import hashlib, json, sys
from numba.core import event
from numba.core.registry import CPUDispatcher
from womsim.app.demo import flagship
from womsim.runner.ahead import KERNELS, compile_ahead

compile_ahead(helper=False)  # the table's kernels, compiled here for its argument types
later, depth = [], [0]


class Later(event.Listener):  # a kernel the demo compiles beyond the table
    def on_start(self, ev):
        if depth[0] == 0:
            d = ev.data["dispatcher"]
            later.append(f"{d.py_func.__module__}.{d.py_func.__qualname__}")
        depth[0] += 1

    def on_end(self, ev):
        depth[0] -= 1


event.register("numba:compile", Later())
flagship(runs=2, people=2000, executor="serial", out=lambda *a: None, ahead=False)
seen = {}
for name, mod in list(sys.modules.items()):
    if name.startswith("womsim"):
        for v in vars(mod).values():
            if isinstance(v, CPUDispatcher) and v.signatures:
                key = f"{v.py_func.__module__}.{v.py_func.__qualname__}"
                seen[key] = [str(s) for s in v.signatures]
after_demo = list(later)
# the JIT's records of tests/test_aot.py's comparison, from the kernels compiled above (a
# second compile of the demo's path from scratch there would cost ~20 s of CPU more)
""" + COMPARE + r"""print(json.dumps({"seen": seen, "later": after_demo,
                  "table": [f"{m}.{n}" for m, n, _ in KERNELS], "digest": h.hexdigest(),
                  "jit": [str(s) for s in whole_run.signatures + ba_targets.signatures]}))
"""


def from_scratch(cache) -> dict:
    """Run :data:`CODE` in a fresh interpreter with an empty numba cache ``cache`` and the
    kernels compiled at install off (the JIT's path)."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache), "WOMSIM_AOT": "0"}
    proc = subprocess.run([sys.executable, "-W", "ignore", "-c", CODE], env=env,
                          capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_the_demo_compiles_each_kernel_once(jit_from_scratch):
    got = jit_from_scratch
    sigs = got["seen"]
    # the check saw the step's, the graph's and a nested kernel (else it proves nothing)
    for k in ("womsim.engine.kernels.tell_wave", "womsim.engine.kernels._smallest",
              "womsim.network.bacsr.ba_targets"):
        assert k in sigs, sorted(sigs)
    twice = {k: v for k, v in sigs.items() if len(v) > 1}
    # a kernel whose type in womsim.runner.ahead.KERNELS is stale shows here too
    assert not twice, f"kernels compiled for more than one argument type: {twice}"
    # womsim.runner.ahead.KERNELS lists every kernel the demo calls from Python
    assert got["later"] == [], ("kernels missing from womsim.runner.ahead.KERNELS "
                                f"(compiled ahead for the first demo): {got['later']}")
    assert set(got["table"]) <= set(sigs), set(got["table"]) - set(sigs)
