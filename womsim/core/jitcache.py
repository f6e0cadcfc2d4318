"""Where numba keeps the compiled kernels, so that only the first run ever compiles them.

Numba caches next to the source (``womsim/__pycache__``). An install the user cannot write
to (a system or shared site-packages, a read-only container image) would otherwise leave
numba to find a place itself, and where none is writable it refuses to cache and every new
process compiles again (seconds each). So, unless ``NUMBA_CACHE_DIR`` is set, a package
directory that cannot be written sends the cache to the user's cache directory
(``$XDG_CACHE_HOME/womsim/numba``, default ``~/.cache/womsim/numba``), or, if that cannot
be written either, to the temporary directory.

Numba checks a cached kernel against its own source file only. A kernel that calls (and
so compiles in) a function of another file kept running the old function after that file
was edited: a developer's timings and comparisons then measured code that was no longer
there (seen 2026-12-04). :func:`configure` therefore stamps the cache with a digest of the
kernels' sources (``womsim/core``, ``engine``, ``network``) and, when the stamp differs,
drops the cached kernels beside the code before any is loaded (an edited source tree; an
install replaces every file, which numba's own check sees).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

__all__ = ["cache_dir", "configure", "digest", "drop_stale"]

# the package root (womsim/), whose layers hold the kernels numba caches beside
_PACKAGE = Path(__file__).resolve().parents[1]
# the folders of the package where the kernels and everything they compile in live
_SOURCES = ("core", "engine", "network")
_STAMP = "womsim-kernels.digest"
_checked: list[Path] = []


def digest(package: Path = _PACKAGE) -> int:
    """A 63-bit digest of the kernels' sources (the ``.py`` files of ``core``, ``engine``
    and ``network`` under ``package``).

    Examples
    --------
    >>> 0 <= digest() < 2 ** 63
    True
    """
    h = hashlib.sha256()
    for sub in _SOURCES:
        for f in sorted((package / sub).rglob("*.py")):
            h.update(f.relative_to(package).as_posix().encode())
            h.update(b"\0")
            h.update(f.read_bytes())
            h.update(b"\0")
    return int.from_bytes(h.digest()[:8], "little") >> 1


def drop_stale(where: Path, package: Path = _PACKAGE) -> int:
    """Delete the kernels cached under ``where`` if they were compiled from other sources
    than ``package``'s now (the stamp ``__pycache__/womsim-kernels.digest`` in ``where``
    says which, beside the cache and ignored by git as it is); returns how many files
    went. Without a stamp (a cache from before it) they go too.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> (d / "k-1.py311.nbi").write_bytes(b"old")
    3
    >>> drop_stale(d), drop_stale(d)  # dropped once, then stamped
    (1, 0)
    """
    stamp = where / "__pycache__" / _STAMP
    now = str(digest(package))
    try:
        if stamp.read_text() == now:
            return 0
    except OSError:
        pass
    gone = 0
    for pattern in ("*.nbi", "*.nbc"):
        for f in where.rglob(pattern):
            try:
                f.unlink()
                gone += 1
            except OSError:  # another process dropped it first
                pass
    try:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(now)
    except OSError:  # a cache we cannot stamp: checked again by the next process
        pass
    return gone


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
    # beside the code only: a cache elsewhere (NUMBA_CACHE_DIR, the user's) may hold other
    # programs' kernels, and a read-only install's sources are not edited
    if d is None and not _checked:  # once a process, before its first kernel loads
        _checked.append(_PACKAGE)
        drop_stale(_PACKAGE)
    return d
