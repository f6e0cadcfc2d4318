"""Files are written whole or not at all, and nothing a user saved is overwritten unasked."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["atomic_write", "check_writable"]


def check_writable(path: str | Path, overwrite: bool) -> Path:
    """Refuse to replace an existing file unless ``overwrite`` is true; return the Path."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
    if path.exists() and path.is_dir():
        raise IsADirectoryError(f"{path} is a directory, not a file")
    if not path.parent.exists():
        raise FileNotFoundError(f"cannot write {path}: folder {path.parent} does not exist")
    return path


def atomic_write(path: str | Path, write: Callable[[Path], None] | bytes | str,
                 overwrite: bool = False) -> Path:
    """Write ``path`` through a temporary file in the same folder, then rename it into place.

    ``write`` is the content (str or bytes) or a function that writes a file at the path it
    is given. A crash mid-write leaves the old file (or none), never half a file.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "a.txt")
    >>> _ = atomic_write(p, "hello")
    >>> open(p).read()
    'hello'
    """
    path = check_writable(path, overwrite)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    # mkstemp makes files private (0600); a saved report should get the usual permissions
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    tmp_path = Path(tmp)
    try:
        if isinstance(write, str):
            tmp_path.write_text(write, encoding="utf-8")
        elif isinstance(write, bytes):
            tmp_path.write_bytes(write)
        else:
            write(tmp_path)
        if path.exists() and not overwrite:  # somebody wrote it meanwhile: keep theirs
            raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()
    return path
