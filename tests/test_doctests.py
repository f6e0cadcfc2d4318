"""Every docstring example in the package runs and shows what it says."""

import doctest
import importlib
import pkgutil

import matplotlib
import pytest

import womsim

matplotlib.use("Agg")

MODULES = sorted(m.name for m in pkgutil.walk_packages(womsim.__path__, "womsim.")
                 if m.name != "womsim.__main__")


def test_modules_found():
    assert "womsim.engine.step" in MODULES and "womsim.service.desk" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                             verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
