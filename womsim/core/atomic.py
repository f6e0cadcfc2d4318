"""Files are written whole or not at all, and nothing a user saved is overwritten unasked.

:func:`atomic_write` writes one file; :func:`atomic_write_all` writes a set of files that
belong together (a report's HTML page and workbook) so that either every one of them is
in place afterwards or none is changed. Both write to temporary files in the target's
folder and rename them into place. An error of the file system (a read-only folder, a full
disk) is raised as the usual ``OSError`` subclass with a message naming the file that could
not be written; the temporary files are removed.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from womsim.core.errors import WomsimError

__all__ = ["Content", "atomic_write", "atomic_write_all", "check_writable"]

#: What to write: text (UTF-8), bytes, or a function that writes a file at the path given.
Content = Callable[[Path], None] | bytes | str


def _exists_error(path: Path) -> FileExistsError:
    return FileExistsError(f"{path} exists; pass overwrite=True to replace it")


def _os_error(err: OSError, path: Path, doing: str = "cannot write") -> OSError:
    """``err`` again (same subclass, same errno) with a message naming ``path``."""
    if err.errno is None:
        return OSError(f"{doing} {path}: {err}")
    code = err.errno
    reason = err.strerror or os.strerror(code)
    hint = {errno.ENOSPC: " (the disk is full)", errno.EDQUOT: " (disk quota exceeded)",
            errno.EACCES: " (no permission to write in that folder)",
            errno.EPERM: " (no permission to write in that folder)",
            errno.EROFS: " (the folder is on a read-only file system)"}.get(code, "")
    return OSError(code, f"{doing} {path}: {reason}{hint}")


def check_writable(path: str | Path, overwrite: bool) -> Path:
    """Refuse to replace an existing file unless ``overwrite`` is true; return the Path.

    Examples
    --------
    >>> import tempfile, os
    >>> check_writable(os.path.join(tempfile.mkdtemp(), "new.txt"), False).name
    'new.txt'
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a directory, not a file")
    if path.exists() and not overwrite:
        raise _exists_error(path)
    if not path.parent.exists():
        raise FileNotFoundError(f"cannot write {path}: folder {path.parent} does not exist")
    if not path.parent.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, f"cannot write {path}: {path.parent} is a "
                                 "file, not a folder")
    return path


def _temp_for(path: Path) -> Path:
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as err:
        raise _os_error(err, path) from err
    os.close(fd)
    # mkstemp makes files private (0600); a saved report should get the usual permissions
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    return Path(tmp)


def _fill(tmp: Path, content: Content, path: Path) -> None:
    try:
        if isinstance(content, str):
            tmp.write_text(content, encoding="utf-8")
        elif isinstance(content, bytes):
            tmp.write_bytes(content)
        else:
            content(tmp)
    except OSError as err:
        raise _os_error(err, path) from err


def _unlink(p: Path | None) -> None:
    if p is not None:
        try:
            p.unlink()
        except FileNotFoundError:
            pass


def atomic_write(path: str | Path, write: Content, overwrite: bool = False) -> Path:
    """Write ``path`` through a temporary file in the same folder, then rename it into place.

    ``write`` is the content (str or bytes) or a function that writes a file at the path it
    is given. A crash mid-write leaves the old file (or none), never half a file.

    Raises
    ------
    FileExistsError
        ``path`` exists and ``overwrite`` is false.
    OSError
        The file system refused (read-only folder, full disk): the message names ``path``.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "a.txt")
    >>> _ = atomic_write(p, "hello")
    >>> open(p).read()
    'hello'
    """
    return atomic_write_all([(path, write)], overwrite=overwrite)[0]


def atomic_write_all(items: Sequence[tuple[str | Path, Content]],
                     overwrite: bool = False) -> list[Path]:
    """Write several files that belong together: all of them, or none.

    Every target is checked first (an existing one without ``overwrite`` is refused before
    anything is written), every content is written to a temporary file beside its target,
    and only then are they renamed into place. If a rename fails, the files already
    replaced get their old contents back, so an existing pair is never left half new.

    Parameters
    ----------
    items : sequence of (path, content)
        ``content`` as in :func:`atomic_write`: text, bytes, or a function writing the file
        at the path it is given.
    overwrite : bool
        Replace existing files; otherwise any existing target raises ``FileExistsError``
        and nothing is written.

    Returns
    -------
    list of pathlib.Path
        The paths written, in the order given.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> [p.name for p in atomic_write_all([(d / "a.txt", "A"), (d / "b.bin", b"B")])]
    ['a.txt', 'b.bin']
    >>> try:
    ...     atomic_write_all([(d / "c.txt", "C"), (d / "a.txt", "new")])
    ... except FileExistsError:
    ...     pass
    >>> (d / "c.txt").exists(), (d / "a.txt").read_text()
    (False, 'A')
    """
    paths = [check_writable(p, overwrite) for p, _ in items]
    if len({p.resolve() for p in paths}) != len(paths):
        raise WomsimError(f"the same file is named twice: {[str(p) for p in paths]}")
    temps: list[Path] = []
    backups: list[Path | None] = []
    done: list[int] = []
    try:
        for path, (_, content) in zip(paths, items, strict=True):
            temps.append(_temp_for(path))
            _fill(temps[-1], content, path)
        for path in paths:  # somebody wrote one meanwhile: keep theirs, write none
            if path.exists() and not overwrite:
                raise _exists_error(path)
        for path in paths:
            backups.append(_backup(path) if path.exists() else None)
        for i, (path, tmp) in enumerate(zip(paths, temps, strict=True)):
            try:
                os.replace(tmp, path)
            except OSError as err:
                raise _os_error(err, path) from err
            done.append(i)
    except BaseException:
        for i in done:  # put back what was there (or remove what was not)
            old = backups[i]
            if old is not None:
                os.replace(old, paths[i])
                backups[i] = None
            else:
                _unlink(paths[i])
        raise
    finally:
        for p in temps:
            _unlink(p)
        for b in backups:
            _unlink(b)
    return paths


def _backup(path: Path) -> Path:
    """A second name for the current file (a hard link, or a copy), to restore on failure."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent)
    os.close(fd)
    backup = Path(name)
    try:
        backup.unlink()
        try:
            os.link(path, backup)
        except OSError:  # no hard links here (some network or FAT drives): copy
            shutil.copy2(path, backup)
    except OSError as err:
        _unlink(backup)
        raise _os_error(err, path, "cannot keep a copy of the old") from err
    return backup
