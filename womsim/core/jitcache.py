"""Where numba keeps the compiled kernels, so that only the first run ever compiles them.

Numba caches next to the source (``womsim/__pycache__``). An install the user cannot write
to (a system or shared site-packages, a read-only container image) would otherwise leave
numba to find a place itself, and where none is writable it refuses to cache and every new
process compiles again (seconds each). So, unless ``NUMBA_CACHE_DIR`` is set, a package
directory that cannot be written sends the cache to the user's cache directory
(``$XDG_CACHE_HOME/womsim/numba``, default ``~/.cache/womsim/numba``), or, if that cannot
be written either, to the temporary directory.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["cache_dir", "configure"]

# the package root (womsim/), whose layers hold the kernels numba caches beside
_PACKAGE = Path(__file__).resolve().parents[1]


def _writable(path: Path) -> bool:
    """Whether a file can be created in ``path`` (made if missing); tried, not assumed."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError:
        return False
    return True


def cache_dir(package: Path = _PACKAGE) -> Path | None:
    """The directory to cache compiled kernels in; None: numba's own place beside the code.

    Examples
    --------
    >>> d = cache_dir()
    >>> d is None or d.is_dir()
    True
    """
    if os.environ.get("NUMBA_CACHE_DIR"):
        return Path(os.environ["NUMBA_CACHE_DIR"])
    if _writable(package / "__pycache__"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    user = os.getuid() if hasattr(os, "getuid") else 0
    for d in (Path(base) / "womsim" / "numba",
              Path(tempfile.gettempdir()) / f"womsim-numba-{user}"):
        if _writable(d):
            return d
    return None


def configure() -> Path | None:
    """Point numba's cache at :func:`cache_dir` (before the first kernel compiles)."""
    d = cache_dir()
    if d is not None:
        from numba.core import config

        config.CACHE_DIR = str(d)  # type: ignore[attr-defined]
    return d
