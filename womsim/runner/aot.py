"""The demo path's kernels compiled at install, so that a first run compiles nothing.

A first run after install would spend 20-30 s in numba's compiler before any number comes
out (docs/performance.md, "The first `womsim demo`"). The package's build (``setup.py``)
compiles the kernels the demo calls from Python - the whole run, the network build, the
step keys - ahead with numba's ahead-of-time compiler into one extension module,
``womsim._aot``, beside the sources (an editable install) or in site-packages. At run time
:func:`install` hands each of its functions to the kernel's own dispatcher for the one
argument type it was compiled for: a call with exactly those types runs the compiled
code, any other compiles as before (numba's dispatcher matches the types). Same source,
same types, same compiler: the same numbers (``tests/test_aot.py`` compares them).

The module is used only when it was built from the sources there now: the build records
a digest of ``womsim/core``, ``womsim/engine`` and ``womsim/network`` (where the kernels
and everything they read live), and a source edited since then (a developer's editable
install) falls back to the JIT kernels until the next ``pip install -e .``. A machine
without a C compiler installs without the module and compiles at first use, as before.
``WOMSIM_AOT=0`` turns it off (``1`` or unset: on).
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

from womsim.core.jitcache import digest
from womsim.runner.kerneltable import KERNELS, entries

__all__ = ["EXPORTS", "build", "digest", "install", "installed"]

#: The kernels of :data:`womsim.runner.ahead.KERNELS` that the demo calls from Python (the
#: others are the whole run's callees, compiled into it)
EXPORTS: tuple[str, ...] = (
    "womsim.network.bacsr.ba_targets", "womsim.network.bacsr.csr_from_targets",
    "womsim.engine.bernoulli._by_bits", "womsim.engine.bernoulli._by_gaps",
    "womsim.network.memberbits.update_ends_bits", "womsim.engine.ledger._group_sums",
    "womsim.engine.kernels._splitmix64_inplace", "womsim.engine.wholekernel.whole_run")

# (name, argument types, function) of each installed kernel: numba numbers a type when it
# is made and forgets it when no one holds it (a type made again gets a new number), so
# the types the dispatcher matches calls against are kept, and with them the functions
# (it holds only borrowed references to them)
_installed: list[tuple[str, tuple, Any]] = []
# the WOMSIM_AOT values under which this process found no module matching its sources
_declined: set[str] = set()


def _rows() -> list[tuple[str, Any, tuple]]:
    """(name, dispatcher, argument types) of each of :data:`EXPORTS`, from the table."""
    want = set(EXPORTS)
    return [(f"{d.py_func.__module__}.{d.py_func.__name__}", d, sig)
            for d, sig in entries(tuple(k for k in KERNELS if f"{k[0]}.{k[1]}" in want))]


def _symbol(name: str) -> str:
    return name.rsplit(".", 1)[1].lstrip("_")


def build(output_dir: str | os.PathLike, target_cpu: str = "") -> Path:
    """Compile :data:`EXPORTS` ahead into the extension module ``_aot`` in ``output_dir``.

    Run by the package's build (``setup.py``), in a process that imports only the kernels'
    modules; needs setuptools and a C compiler. ``target_cpu``: numba's name of the CPU
    to compile for; empty: a generic one of the architecture (the module may be copied to
    another machine, as a wheel is).
    """
    import numba
    import numba.pycc.compiler as pycc_compiler
    from numba.pycc import CC

    class _NoGil(pycc_compiler.Flags):  # type: ignore[misc,name-defined]
        # as the JIT's nogil=True (the whole run releases the GIL, for the threads
        # executor); pycc sets no option for it, so its flags class is stood in for
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.release_gil = True  # type: ignore[assignment]

    rows = _rows()
    missing = set(EXPORTS) - {n for n, _, _ in rows}
    if missing:
        raise RuntimeError(f"womsim.runner.aot: kernels not in the table: {sorted(missing)}")
    import tempfile

    cc = CC("_aot", source_module=__name__)
    cc.target_cpu = target_cpu
    for name, d, sig in rows:
        cc.export(_symbol(name), sig)(d.py_func)
    stamp = digest()

    def sources_digest() -> int:  # the digest frozen in as a constant
        return stamp

    cc.export("sources_digest", numba.int64())(sources_digest)
    saved = pycc_compiler.Flags
    pycc_compiler.Flags = _NoGil  # type: ignore[misc]
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    try:
        # built aside, then renamed over the old one: a process that has the old module
        # loaded keeps its file
        with tempfile.TemporaryDirectory(dir=out) as tmp:
            cc.output_dir = tmp
            cc.compile()
            os.replace(Path(tmp) / cc.output_file, out / cc.output_file)
    finally:
        pycc_compiler.Flags = saved  # type: ignore[misc]
    return out / cc.output_file


def _module() -> Any | None:
    """The built module if it matches the sources here, else None."""
    flag = os.environ.get("WOMSIM_AOT", "1")
    if flag not in ("0", "1"):
        raise ValueError(f"WOMSIM_AOT={flag!r}: allowed values are '0' (the kernels "
                         "compiled ahead off) and '1' (on; the default)")
    if flag == "0":
        return None
    try:
        mod = importlib.import_module("womsim._aot")
    except ImportError:  # not built (no C compiler at install, or a plain source tree)
        return None
    try:
        if mod.sources_digest() != digest():  # sources edited since the build
            return None
    except Exception:
        return None
    return mod


def install() -> bool:
    """Hand the kernels compiled at install to their dispatchers; whether they were.

    Each dispatcher then runs the compiled code when called with the argument types it was
    compiled for (any other types compile as before). Without a built module matching the
    sources, or with ``WOMSIM_AOT=0``, nothing changes.

    Examples
    --------
    >>> "womsim.engine.wholekernel.whole_run" in EXPORTS  # install() hands these over
    True
    """
    if _installed:
        return True
    flag = os.environ.get("WOMSIM_AOT", "1")
    if flag in _declined:  # every run path asks: the digest of the sources only once
        return False
    mod = _module()
    if mod is None:
        _declined.add(flag)
        return False
    rows = _rows()
    fns = [getattr(mod, _symbol(name), None) for name, _, _ in rows]
    if len(rows) != len(EXPORTS) or any(f is None for f in fns):
        return False
    for (name, d, sig), fn in zip(rows, fns, strict=True):
        # numba's own entry for a compiled overload: the argument type codes and the
        # callable (the dispatcher's C part matches a call's types against them)
        d._insert([a._code for a in sig], fn, False)
        _installed.append((name, sig, fn))
    return True


def installed() -> tuple[str, ...]:
    """The kernels running the code compiled at install in this process (by name).

    Examples
    --------
    >>> isinstance(installed(), tuple)
    True
    """
    return tuple(name for name, _, _ in _installed)
