"""Reading ZIP archives a user gives us, safely: bounded memory and time, errors naming the file.

Saved results (:mod:`womsim.store`) are ZIP files. One that comes from elsewhere may be
truncated, damaged, or made to hurt: member names like ``../../etc/passwd``, a member
listed twice, a few kilobytes that inflate to gigabytes (a "zip bomb"), encrypted members
or compression methods that cannot be read. Nothing is ever extracted to disk; members
are read into memory by name, and only after their declared size has been checked. The
``zipfile`` module stops inflating a member at its declared size (and then fails its
checksum), so a member that lies about its size cannot inflate further either.

Every problem raises :class:`ResultsFileError` (a :class:`~womsim.core.errors.WomsimError`)
whose message names the file and the member.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path, PurePosixPath

from womsim.core.errors import WomsimError

__all__ = ["MAX_MEMBER_BYTES", "MAX_RATIO", "ResultsFileError", "open_archive",
           "read_member"]

#: The largest member read, uncompressed. Saved tables are CSV: a two-year weekly run of
#: 50 columns is ~50 kB per run, so 2 GiB is ~40,000 runs in one ensemble.
MAX_MEMBER_BYTES = 2 * 1024**3

#: The largest compression ratio accepted for members over :data:`RATIO_FREE_BYTES`.
#: womsim's CSV and JSON compress 2-5 times; deflate's limit is ~1030, which is what a
#: zip bomb uses.
MAX_RATIO = 100

#: Members up to this size are read whatever their ratio (a table of zeros compresses
#: far, and is harmless when small).
RATIO_FREE_BYTES = 16 * 1024**2


class ResultsFileError(WomsimError):
    """A saved-results file cannot be read: missing, damaged, unsafe, or not a womsim
    results file (also exported as :class:`womsim.app.store.ResultsFileError`)."""


def _unsafe(name: str) -> str | None:
    """Why a member name is refused, or None."""
    if "\x00" in name:
        return "holds a NUL character"
    if "\\" in name:
        return "holds a backslash (a Windows path)"
    p = PurePosixPath(name)
    if p.is_absolute() or (len(name) > 1 and name[1] == ":"):
        return "is an absolute path"
    if ".." in p.parts:
        return "points outside the archive ('..')"
    return None


def open_archive(path: Path, what: str = "womsim results file") -> zipfile.ZipFile:
    """Open ``path`` as a ZIP archive and check its member list (names, sizes, repeats).

    Raises
    ------
    ResultsFileError
        Not a complete ZIP archive (truncated, damaged or another kind of file), or a
        member with an unsafe name, listed twice, encrypted, or too large (see
        :data:`MAX_MEMBER_BYTES` and :data:`MAX_RATIO`).

    Examples
    --------
    >>> import tempfile, zipfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.zip"
    >>> with zipfile.ZipFile(p, "w") as zf:
    ...     zf.writestr("../evil.txt", "x")
    >>> try:
    ...     open_archive(p)
    ... except ResultsFileError as err:
    ...     print(str(err).split(": ", 1)[1])
    member '../evil.txt' points outside the archive ('..'); the file is not safe to read
    """
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError,
            NotImplementedError) as err:
        raise ResultsFileError(f"{path} is not a complete ZIP archive, so not a readable {what} "
                               f"(it may be truncated or damaged: {err})") from None
    try:
        seen: set[str] = set()
        for info in zf.infolist():
            why = _unsafe(info.filename)
            if why:
                raise ResultsFileError(f"{path}: member {info.filename!r} {why}; the file is "
                                       "not safe to read")
            if info.filename in seen:
                raise ResultsFileError(f"{path}: member {info.filename!r} is listed twice; the "
                                       "file is damaged or was tampered with")
            seen.add(info.filename)
    except BaseException:
        zf.close()
        raise
    return zf


def read_member(zf: zipfile.ZipFile, name: str, path: Path,
                limit: int = MAX_MEMBER_BYTES) -> bytes:
    """The bytes of member ``name``, after checking its declared size and ratio.

    Raises
    ------
    KeyError
        No such member (the caller says what it was for).
    ResultsFileError
        The member is encrypted, uses a compression method that cannot be read, declares
        more than ``limit`` bytes or inflates more than :data:`MAX_RATIO` times, or its
        data are damaged (bad checksum, broken compressed stream, cut short).
    """
    info = zf.getinfo(name)
    if info.flag_bits & 0x1:
        raise ResultsFileError(f"{path}: member {name!r} is encrypted; womsim never writes "
                               "encrypted files")
    if info.file_size > limit:
        raise ResultsFileError(f"{path}: member {name!r} would expand to {info.file_size:,} "
                               f"bytes, more than the {limit:,} accepted; refused unread")
    if info.file_size > RATIO_FREE_BYTES and \
            info.file_size > MAX_RATIO * max(info.compress_size, 1):
        ratio = info.file_size / max(info.compress_size, 1)
        raise ResultsFileError(
            f"{path}: member {name!r} would expand {ratio:,.0f} times "
            f"({info.compress_size:,} to {info.file_size:,} bytes): a zip bomb, not a womsim "
            "file; refused unread")
    try:
        return zf.read(info)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as err:
        raise ResultsFileError(f"{path}: member {name!r} is damaged ({err})") from None
    except (NotImplementedError, RuntimeError) as err:
        raise ResultsFileError(f"{path}: member {name!r} cannot be read ({err})") from None
