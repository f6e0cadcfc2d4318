"""Every notebook in notebooks/ runs top to bottom, in a cleared namespace, in this environment's
Python.

The notebooks are stored without outputs; this test executes an in-memory copy (the files on
disk are never written) with the notebooks folder as the working directory, and fails with the
failing cell's source and error.

The kernel is this interpreter (``sys.executable``), whatever a "python3" kernelspec elsewhere
on the machine (``~/.local/share/jupyter``, a conda base...) points at: the kernel manager below
builds the command itself, and the first (injected) cell checks that the kernel really runs in
this environment, so a notebook can never pass against another installation of womsim.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

from jupyter_client.manager import KernelManager  # noqa: E402
from nbclient.exceptions import CellExecutionError  # noqa: E402

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))
CELL_TIMEOUT = 300  # seconds per cell

# The test checks that every cell runs against today's API, not the figures (the notebooks
# assert only identities: same seeds, same numbers). So it runs each notebook on a smaller
# market and fewer runs than the reader's copy: every code path still runs (runs >= 2 keeps
# the intervals; the staffing grid keeps the levels the notebook reads, AGENTS - CUT to
# AGENTS + 2 with CUT = 3: at 30,000 people AGENTS = 6, so 3 to 8 agents (at 20,000 the
# 4-agent desk alone makes more churn than the observed 25%); the calibration keeps its
# 60 reference simulations: 41 is the least for its 6 inferred parameters). Each
# replacement must match, so a renamed setting fails here instead of silently running full
# size. WOMSIM_NOTEBOOKS_FULL=1 runs them as stored. (Issue 16 point 5; docs/reliability.md
# lists what was shrunk.)
SHRINK: dict[str, list[tuple[str, str]]] = {
    "01_quickstart.ipynb": [("PEOPLE = 20_000", "PEOPLE = 4_000"), ("RUNS = 10", "RUNS = 3")],
    "02_what_if.ipynb": [("PEOPLE = 20_000", "PEOPLE = 4_000"), ("RUNS = 8", "RUNS = 3"),
                         ("tor_runs = 3", "tor_runs = 2")],
    "03_call_centre_staffing.ipynb": [("PEOPLE = 50_000", "PEOPLE = 30_000"),
                                      ("RUNS = 6 ", "RUNS = 2 "),
                                      ("GRID = list(range(AGENTS - 5, AGENTS + 4))",
                                       "GRID = list(range(AGENTS - 3, AGENTS + 3))")],
    "04_scale.ipynb": [("N = 1_000_000", "N = 100_000"),
                       ("PEOPLE_SWEEP = 100_000", "PEOPLE_SWEEP = 10_000"),
                       ("RUNS = 4", "RUNS = 2"),
                       # one Dask worker process, not two: the sweep's Dask-vs-serial
                       # identity holds as well, one interpreter fewer (test_parallel.py
                       # checks two workers)
                       ("LocalCluster(n_workers=2,", "LocalCluster(n_workers=1,")],
    "05_calibrate_to_your_client.ipynb": [("people=2000, sims=60", "people=1000, sims=60"),
                                          ("runs=12", "runs=4"),
                                          ("posterior_draws(cal, 12)", "posterior_draws(cal, 4)")],
    # the bank's market stays at 10,000: smaller graphs cannot meet its segment mixing
    "06_outage_and_rival.ipynb": [('preset("telecom").replace(**{"market.people": 10_000})',
                                   'preset("telecom").replace(**{"market.people": 3_000})'),
                                  ("runs=20", "runs=4"), ("runs=5", "runs=2")],
}


def _shrunk(nb: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """``nb`` with SHRINK's replacements made in its code cells (each must match)."""
    if os.environ.get("WOMSIM_NOTEBOOKS_FULL") == "1":
        return nb
    for old, new in SHRINK.get(name, []):
        hits = [c for c in nb.cells if c.cell_type == "code" and old in c.source]
        assert hits, f"{name}: no code cell holds {old!r} any more: update SHRINK"
        for c in hits:
            c.source = c.source.replace(old, new)
    return nb


class ThisPythonKernelManager(KernelManager):
    """Starts ipykernel with the interpreter running the tests, never a kernelspec's argv."""

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        return [sys.executable, "-m", "ipykernel_launcher", "-f",
                os.path.realpath(self.connection_file), *(extra_arguments or [])]


def _fresh_cell() -> nbformat.NotebookNode:
    """The first cell: an empty namespace in the notebooks folder, and the right Python.

    One kernel runs all the notebooks of a pytest worker (each start costs an interpreter
    that imports ipykernel, womsim, pandas and matplotlib: seconds of CPU, six times), so
    this cell makes it as a fresh one is for a notebook: nothing a notebook before defined
    (``%reset -f``: a name a notebook uses without defining fails as in a new kernel), no
    figure left open, pandas' display options and the working directory as at start.
    """
    expected = os.path.realpath(sys.prefix)
    return nbformat.v4.new_code_cell(
        # the main module's own attributes as the new kernel had them (%reset drops some
        # that worker processes read, __spec__: a Dask nanny then fails to start)
        "import sys as _sys\n"
        "if not hasattr(_sys, '_womsim_test_main'):\n"
        "    _sys._womsim_test_main = {k: v for k, v in vars(_sys.modules['__main__']).items()\n"
        "                              if k.startswith('__') and k.endswith('__')}\n"
        "%reset -f\n"
        "import os as _os, sys as _sys, warnings as _warnings\n"
        "vars(_sys.modules['__main__']).update(_sys._womsim_test_main)\n"
        f"assert _os.path.realpath(_sys.prefix) == {expected!r}, (\n"
        f"    'kernel runs ' + _sys.executable + ', not the test environment {expected}')\n"
        f"_os.chdir({str(NOTEBOOKS)!r})\n"
        "if 'matplotlib.pyplot' in _sys.modules:\n"
        "    _sys.modules['matplotlib.pyplot'].close('all')\n"
        "if 'pandas' in _sys.modules:\n"
        "    with _warnings.catch_warnings():\n"
        "        _warnings.simplefilter('ignore')\n"
        "        _sys.modules['pandas'].reset_option('all')\n"
        "del _os, _sys, _warnings")


@pytest.fixture(scope="session")
def kernel():
    """This pytest worker's kernel, started once and shared by its notebook tests."""
    km = ThisPythonKernelManager(kernel_name="python3")
    # no IPython history file: two workers' kernels would share one SQLite database
    km.start_kernel(cwd=str(NOTEBOOKS), extra_arguments=["--HistoryManager.hist_file=:memory:"])
    yield km
    km.shutdown_kernel(now=True)


def test_notebooks_found():
    assert PATHS, f"no notebooks in {NOTEBOOKS}"
    assert set(SHRINK) == {p.name for p in PATHS}, "every notebook needs a SHRINK entry"


def test_notebooks_saved_without_outputs():
    """The repository holds clean notebooks: the test (and the reader) runs them fresh."""
    dirty = []
    for path in PATHS:
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count")):
                dirty.append(f"{path.name} cell {i}")
    assert not dirty, "notebooks saved with outputs (clear them): " + ", ".join(dirty)


@pytest.mark.slow
@pytest.mark.parametrize("path", PATHS, ids=[p.name for p in PATHS])
def test_notebook_runs(path: Path, kernel: KernelManager):
    nb = _shrunk(nbformat.read(path, as_version=4), path.name)
    nb.cells.insert(0, _fresh_cell())
    if not kernel.is_alive():  # a notebook before killed it
        kernel.restart_kernel(now=True)
    # no MPLBACKEND here: the kernel uses the inline backend, as in Jupyter (no windows)
    client = nbclient.NotebookClient(
        nb, km=kernel, timeout=CELL_TIMEOUT, allow_errors=False,
        resources={"metadata": {"path": str(NOTEBOOKS)}})
    try:
        client.execute()
    except CellExecutionError as err:
        pytest.fail(f"{path.name}: a cell raised\n{err}", pytrace=False)
    finally:
        if client.kc is not None:
            client.kc.stop_channels()


def test_a_shared_kernel_starts_each_notebook_fresh(kernel: KernelManager, tmp_path: Path):
    """What one notebook leaves in the shared kernel, the next cannot use: it fails as it
    would in a new kernel (names, working directory, pandas options)."""
    def run(*sources: str) -> None:
        nb = nbformat.v4.new_notebook(cells=[_fresh_cell(),
                                             *map(nbformat.v4.new_code_cell, sources)])
        client = nbclient.NotebookClient(nb, km=kernel, timeout=CELL_TIMEOUT,
                                         allow_errors=False)
        try:
            client.execute()
        finally:
            if client.kc is not None:
                client.kc.stop_channels()

    run("leak = 1", f"import os; os.chdir({str(tmp_path)!r})",
        "import pandas as pd; pd.set_option('display.width', 7)")
    with pytest.raises(CellExecutionError, match="NameError"):
        run("leak")
    run(f"import os; assert os.getcwd() == {str(NOTEBOOKS)!r}, os.getcwd()",
        "import __main__; assert __main__.__spec__ is None and __main__.__name__ == '__main__'",
        "import pandas as pd; assert pd.get_option('display.width') == 80")
