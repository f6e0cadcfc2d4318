"""Every notebook in notebooks/ runs top to bottom, fresh, in this environment's Python.

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


class ThisPythonKernelManager(KernelManager):
    """Starts ipykernel with the interpreter running the tests, never a kernelspec's argv."""

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        return [sys.executable, "-m", "ipykernel_launcher", "-f",
                os.path.realpath(self.connection_file), *(extra_arguments or [])]


def _same_python_cell() -> nbformat.NotebookNode:
    expected = os.path.realpath(sys.prefix)
    return nbformat.v4.new_code_cell(
        "import os as _os, sys as _sys\n"
        f"assert _os.path.realpath(_sys.prefix) == {expected!r}, (\n"
        f"    'kernel runs ' + _sys.executable + ', not the test environment {expected}')\n"
        "del _os, _sys")


def test_notebooks_found():
    assert PATHS, f"no notebooks in {NOTEBOOKS}"


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
def test_notebook_runs(path: Path):
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, _same_python_cell())
    # no MPLBACKEND here: the kernel uses the inline backend, as in Jupyter (no windows)
    client = nbclient.NotebookClient(
        nb, kernel_name="python3", kernel_manager_class=ThisPythonKernelManager,
        timeout=CELL_TIMEOUT, allow_errors=False,
        resources={"metadata": {"path": str(NOTEBOOKS)}})
    try:
        client.execute(cwd=str(NOTEBOOKS))
    except CellExecutionError as err:
        pytest.fail(f"{path.name}: a cell raised\n{err}", pytrace=False)
