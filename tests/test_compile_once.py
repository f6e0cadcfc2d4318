"""The demo's path compiles each kernel for one argument type only (issue 16 point 2).

A first run after install pays the compiling of every kernel (several seconds); a second
specialization of one - a literal ``0`` passed on where an int64 is meant, a read-only
array beside a writable one, an int32 id beside an int64 one - costs another 0.1-1 s of
it each, silently. With an empty numba cache (a fresh process and cache directory) every
kernel the demo reaches, nested ones included, shows the signatures it was compiled for;
loaded from a cache the nested ones would not show, so the check compiles from scratch.
"""

import json
import os
import subprocess
import sys

import pytest

CODE = r"""
import json, sys
from numba.core.registry import CPUDispatcher
from womsim.app.demo import flagship
flagship(runs=2, people=2000, executor="serial", out=lambda *a: None)
seen = {}
for name, mod in list(sys.modules.items()):
    if name.startswith("womsim"):
        for v in vars(mod).values():
            if isinstance(v, CPUDispatcher) and v.signatures:
                key = f"{v.py_func.__module__}.{v.py_func.__qualname__}"
                seen[key] = [str(s) for s in v.signatures]
print(json.dumps(seen))
"""


@pytest.mark.slow
def test_the_demo_compiles_each_kernel_once(tmp_path):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-W", "ignore", "-c", CODE], env=env,
                          capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stderr[-2000:]
    sigs = json.loads(proc.stdout.strip().splitlines()[-1])
    # the check saw the step's, the graph's and a nested kernel (else it proves nothing)
    for k in ("womsim.engine.kernels.tell_wave", "womsim.engine.kernels._smallest",
              "womsim.network.graphkernels.ba_edges"):
        assert k in sigs, sorted(sigs)
    twice = {k: v for k, v in sigs.items() if len(v) > 1}
    assert not twice, f"kernels compiled for more than one argument type: {twice}"
