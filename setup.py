"""The package's build: everything is in pyproject.toml but the kernels compiled at install.

``womsim._aot`` holds the demo path's numba kernels compiled ahead of time
(``womsim.runner.aot``), so that the first ``womsim demo`` after ``pip install`` does not
spend 20-30 s compiling them. It is optional: a machine without a C compiler, or a build
where numba's ahead-of-time compiler fails, installs without it (a warning says so) and
compiles the kernels at their first use, as before. ``WOMSIM_AOT=0`` at install skips it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent

# in a process of its own that imports only the kernels' modules (numpy, numba), not
# womsim's package module, whose dependencies (pandas, scipy) the build does not have
_CODE = """
import sys, types
pkg = types.ModuleType("womsim")
pkg.__path__ = [sys.argv[2]]
sys.modules["womsim"] = pkg
from womsim.runner.aot import build
build(sys.argv[1])
"""


class BuildKernels(build_ext):
    """``build_ext`` that makes ``womsim._aot`` with numba's compiler, if it can."""

    def build_extension(self, ext: Extension) -> None:
        if ext.name != "womsim._aot":
            super().build_extension(ext)
            return
        target = Path(self.get_ext_fullpath(ext.name))
        if os.environ.get("WOMSIM_AOT") == "0":
            self.announce("womsim: WOMSIM_AOT=0, the kernels are not compiled at install", 2)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        env = {**os.environ, "PYTHONWARNINGS": "ignore", "NUMBA_CACHE_DIR":
               str(Path(self.build_temp).resolve() / "numba-cache")}
        try:
            subprocess.run([sys.executable, "-c", _CODE, str(target.parent),
                            str(ROOT / "womsim")], check=True, env=env, timeout=3600,
                           stdin=subprocess.DEVNULL, capture_output=True, text=True)
        except (OSError, subprocess.SubprocessError) as e:
            tail = getattr(e, "stderr", "") or ""
            self.warn("womsim: the kernels were not compiled at install (they compile at "
                      f"their first use instead): {e}\n{tail[-2000:]}")
            return
        self.announce(f"womsim: kernels compiled at install in "
                      f"{time.perf_counter() - t0:.1f} s", 2)

    def copy_extensions_to_source(self) -> None:
        # an editable install copies the built module beside the sources: none if skipped
        if all(Path(self.build_lib, self.get_ext_filename(e.name)).exists()
               for e in self.extensions):
            super().copy_extensions_to_source()


setup(ext_modules=[Extension("womsim._aot", sources=[], optional=True)],
      cmdclass={"build_ext": BuildKernels})
