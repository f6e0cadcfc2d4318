"""Version stamps: which womsim (and Python, numpy, pandas) made a result, and when.

Every result records its provenance when it is made (:class:`womsim.Ensemble` ``meta``) and
every saved file records it again when it is written (``meta.json`` ``saved``). This lives in
the lowest layer so that a result's constructor needs nothing from the code that saves it.

Examples
--------
>>> sorted(provenance())
['created', 'numpy_version', 'pandas_version', 'python_version', 'womsim_version']
>>> womsim_version() == versions()["womsim_version"]
True
"""

from __future__ import annotations

import platform
from datetime import datetime, timezone
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version

import numpy as np
import pandas as pd

__all__ = ["provenance", "versions", "womsim_version"]


@lru_cache(maxsize=1)
def versions() -> dict[str, str]:
    """The womsim, Python, numpy and pandas versions (read once per process).

    Examples
    --------
    >>> sorted(versions())
    ['numpy_version', 'pandas_version', 'python_version', 'womsim_version']
    """
    try:
        womsim = version("womsim")
    except PackageNotFoundError:  # pragma: no cover - source tree without installation
        womsim = "0.0.0+unknown"
    return {"womsim_version": womsim, "python_version": platform.python_version(),
            "numpy_version": np.__version__, "pandas_version": pd.__version__}


def womsim_version() -> str:
    """The installed womsim's version (``womsim.__version__``).

    Examples
    --------
    >>> womsim_version().count(".") >= 2
    True
    """
    return versions()["womsim_version"]


def provenance() -> dict[str, str]:
    """What made a result: womsim, Python, numpy and pandas versions and the time (UTC).

    Examples
    --------
    >>> provenance()["created"].endswith("+00:00")
    True
    """
    return {**versions(), "created": datetime.now(timezone.utc).isoformat(timespec="seconds")}
