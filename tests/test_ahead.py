"""Compiling kernels ahead with a helper process (womsim.runner.ahead).

A first run after install compiles its kernels in two processes at once; the helper must
fill numba's cache (so that a fresh process compiles nothing), print nothing, end, and
leave no half-written file. Three small kernels (~0.3 s each to compile) stand in for the
demo's sixteen; the table itself is checked against the demo in test_compile_once.py.
"""

import json
import os
import subprocess
import sys

import pytest

from womsim.runner import ahead

SMALL = (("womsim.engine.kernels", "count_above",
          "(Array(int32, 1, 'C', False, aligned=True), int64)"),
         ("womsim.engine.bernoulli", "_by_gaps", "(uint64, int64, float64)"),
         ("womsim.engine.kernels", "hash_uniform_1d",
          "(uint64, Array(int64, 1, 'C', True, aligned=True))"))

SHARE = ("womsim.engine.bernoulli._by_gaps", "womsim.engine.kernels.count_above")

CODE = r"""
import json, sys
from womsim.runner import ahead
small = %r
before = ahead.uncached(small)
# a helper even on a busy machine, with two of the three; this process the third
n = ahead.compile_ahead(helper=True, kernels=small, share=%r)
rc = ahead._helper.wait(timeout=300) if ahead._helper is not None else None
print(json.dumps({"before": before, "compiled": n, "helper": rc,
                  "after": ahead.uncached(small)}))
"""


def _run(cache) -> dict:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache)}
    proc = subprocess.run([sys.executable, "-W", "ignore", "-c", CODE % (SMALL, SHARE)], env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stderr == "", proc.stderr  # the helper prints nothing
    return json.loads(proc.stdout)


def test_the_table_names_kernels_and_types_numba_reads():
    rows = ahead._entries()
    assert len(rows) == len(ahead.KERNELS)  # none renamed away
    for (d, sig), (_, name, _) in zip(rows, ahead.KERNELS, strict=True):
        assert d.py_func.__name__ == name and isinstance(sig, tuple) and sig


@pytest.mark.slow  # four fresh interpreters (~2 s of CPU each to import womsim)
def test_a_helper_fills_the_cache_and_a_fresh_process_compiles_nothing(tmp_path):
    first = _run(tmp_path)
    assert len(first["before"]) == len(SMALL)  # an empty cache: all three to compile
    assert first["helper"] == 0  # a helper ran and ended cleanly
    assert first["after"] == []
    assert first["compiled"] == len(SMALL) - len(SHARE)  # the helper's two not again
    assert not [p for p in tmp_path.rglob("*") if ".tmp." in p.name]  # no half-written file
    again = _run(tmp_path)
    # everything came from the cache: nothing compiled, no helper started
    assert again == {"before": [], "compiled": 0, "helper": None, "after": []}
