"""Compiled kernels are cached even where the package directory cannot be written."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import womsim

PROBE = (
    "import numpy as np, womsim.engine.kernels as k\n"
    "k.hash_uniform_1d(np.uint64(1), np.arange(3))\n"
    "print(sum(k.hash_uniform_1d.stats.cache_hits.values()))\n"
)


def _read_only_runner(pkg: Path) -> list[str] | None:
    """A command prefix under which ``pkg`` cannot be written, or None if we cannot."""
    if os.geteuid() != 0:  # permissions bind an ordinary user
        for p in [pkg, *pkg.rglob("*")]:
            mode = p.stat().st_mode
            p.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        return []
    # root ignores permissions: a read-only bind mount in a private mount namespace
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    script = (f"mount --bind {pkg} {pkg} && mount -o remount,ro,bind {pkg} && "
              'exec "$@"')
    probe = subprocess.run([unshare, "-m", "sh", "-c", script, "sh",
                            "true"], capture_output=True)
    if probe.returncode != 0:
        return None
    return [unshare, "-m", "sh", "-c", script, "sh"]


@pytest.mark.slow
def test_kernels_cache_in_the_user_cache_when_the_package_is_read_only(tmp_path):
    src = Path(womsim.__file__).parent
    root = tmp_path / "site"
    pkg = root / "womsim"
    shutil.copytree(src, pkg, ignore=shutil.ignore_patterns("__pycache__"))
    prefix = _read_only_runner(pkg)
    if prefix is None:
        pytest.skip("cannot make a directory read-only here")
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env.update(PYTHONPATH=str(root), XDG_CACHE_HOME=str(tmp_path / "cache"),
               PYTHONDONTWRITEBYTECODE="1")

    def run() -> int:
        out = subprocess.run([*prefix, sys.executable, "-c", PROBE], env=env, cwd=tmp_path,
                             capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr
        return int(out.stdout.split()[-1])

    assert run() == 0  # compiled, and written to the user's cache
    cached = list((tmp_path / "cache" / "womsim" / "numba").rglob("*.nbi"))
    assert cached, "nothing was cached"
    assert not (pkg / "__pycache__").exists()
    assert run() >= 1  # a new process loads it instead of compiling


def test_a_writable_package_keeps_numba_default(tmp_path):
    from womsim.core.jitcache import cache_dir

    assert cache_dir(tmp_path) is None or os.environ.get("NUMBA_CACHE_DIR")


def test_kernels_cached_from_other_sources_are_dropped(tmp_path):
    """numba checks a cached kernel against its own file only: one that compiles in a
    function of an edited file kept the old function (2026-12-04). The cache beside the
    code is stamped with the sources' digest and dropped when it differs."""
    from womsim.core.jitcache import drop_stale

    pkg = tmp_path / "womsim"
    for sub in ("core", "engine", "network"):
        (pkg / sub / "__pycache__").mkdir(parents=True)
        (pkg / sub / "a.py").write_text("x = 1\n")
    kernel = pkg / "engine" / "__pycache__" / "a.f-3.py311.nbi"
    kernel.write_bytes(b"index")
    (kernel.parent / "a.f-3.py311.1.nbc").write_bytes(b"code")
    assert drop_stale(pkg, pkg) == 2  # no stamp: a cache of unknown sources
    kernel.write_bytes(b"index")
    assert drop_stale(pkg, pkg) == 0  # stamped with these sources: kept
    assert kernel.exists()
    (pkg / "network" / "a.py").write_text("x = 2\n")  # a callee's file edited
    assert drop_stale(pkg, pkg) == 1
    assert not kernel.exists()
    assert (pkg / "engine" / "a.py").exists()  # the sources themselves untouched
