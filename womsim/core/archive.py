"""Results files: the ZIP + CSV + JSON codec, the registry of result kinds, and safe reading.

Saving and loading. A result is saved as one ZIP file holding ``meta.json`` (the format and
its version, who wrote the file, the result's ``kind`` and its own entries) and numeric
tables as CSV, floats written with 17 significant digits so that every number reads back to
the same bits. Each result class says how it is written and read (``_to_archive`` /
``_from_archive``) and registers under its ``kind`` (:func:`register`; the result mixin
:class:`womsim.core.protocol.ResultBase` does it); :func:`save` and :func:`load` know no
result class by name, so this module sits below every result.

Reading safely. Saved results are ZIP files. One that comes from elsewhere may be
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

import io
import json
import re
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar, Protocol

import numpy as np
import pandas as pd

from womsim.core.atomic import atomic_write
from womsim.core.errors import WomsimError
from womsim.core.provenance import provenance, versions

__all__ = ["ALLOWED_DTYPES", "FORMAT", "FORMAT_VERSION", "MAX_MEMBER_BYTES", "MAX_RATIO",
           "ArchiveReader", "ArchiveWriter", "RecipeMismatchError", "ResultsFileError",
           "difference", "frame_diff", "identical", "jsonable", "kind_of", "kinds", "load",
           "normal", "open_archive", "open_results", "provenance", "read_member",
           "read_table", "register", "save", "table_bytes", "versions"]

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


class RecipeMismatchError(WomsimError):
    """Saved results and what they are re-run or resumed with do not match (also exported as
    :class:`womsim.app.store.RecipeMismatchError`)."""


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


# ---------------------------------------------------------------------- the codec
# What a results file holds (one ZIP): meta.json (format, version, provenance, the result's
# kind and its own entries) and numeric tables as CSV, floats written with 17 significant
# digits so that every number reads back to the same bits. Each result class says how it is
# written and read (``_to_archive`` / ``_from_archive``) and registers under its ``kind``;
# :func:`save` and :func:`load` know no result class by name.

FORMAT = "womsim-results"
FORMAT_VERSION = 1
_versions = versions  # its old name (version stamps are womsim.core.provenance's)
META = "meta.json"
_META_LIMIT = 256 * 1024**2  # a recipe of many sweep points is a few MB
ALLOWED_DTYPES = frozenset({"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                            "uint64", "float32", "float64", "bool"})
# a table's member name: lower-case words and folders, ending .csv (checked before reading)
_TABLE_NAME = re.compile(r"([a-z0-9_]{1,40}/){0,3}[a-z0-9_]{1,40}\.csv")


def jsonable(obj: Any, where: str = "value") -> Any:
    """Plain JSON types from numpy scalars, tuples and ranges; anything else is refused.

    Examples
    --------
    >>> import numpy as np
    >>> jsonable({"a": np.int64(3), "b": (1.5, np.bool_(True))})
    {'a': 3, 'b': [1.5, True]}
    """
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, (int, np.integer)) and not isinstance(obj, np.bool_):
        return int(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, (float, np.floating)):
        return float(obj)
    if isinstance(obj, Mapping):
        return {str(k): jsonable(v, f"{where}[{k!r}]") for k, v in obj.items()}
    if isinstance(obj, (list, tuple, range, np.ndarray)):
        return [jsonable(v, where) for v in obj]
    if hasattr(obj, "model_dump"):  # a scenario part given whole, e.g. a ServiceDesk
        return jsonable(obj.model_dump(mode="json"), where)
    raise WomsimError(f"cannot save {where} = {obj!r:.80}: only numbers, text, true/false, "
                      "lists and dicts are saved")


def normal(obj: Any) -> Any:
    """``obj`` as it reads back from JSON (for comparing recipes).

    Examples
    --------
    >>> normal({"grid": (1, 2)})
    {'grid': [1, 2]}
    """
    return json.loads(json.dumps(jsonable(obj)))


def table_bytes(df: pd.DataFrame, file: str) -> tuple[dict[str, Any], bytes]:
    """The spec (columns, dtypes, index) and CSV bytes of a numeric table.

    Examples
    --------
    >>> import pandas as pd
    >>> spec, data = table_bytes(pd.DataFrame({"x": [0.1, 2.0]}), "t.csv")
    >>> spec["dtypes"], data.decode().split()
    (['float64'], ['x', '0.10000000000000001', '2'])
    """
    cols = [str(c) for c in df.columns]
    if len(set(cols)) != len(cols) or cols != list(df.columns):
        raise WomsimError(f"{file}: column names must be unique text")
    dtypes = [str(t) for t in df.dtypes]
    for c, t in zip(cols, dtypes, strict=True):
        if t not in ALLOWED_DTYPES:
            raise WomsimError(f"{file}: column '{c}' has dtype {t}; only numbers and "
                              "true/false are saved")
    idx = df.index
    if isinstance(idx, pd.RangeIndex):
        index: dict[str, Any] = {"kind": "range", "start": int(idx.start),
                                 "stop": int(idx.stop), "step": int(idx.step),
                                 "name": idx.name}
        out = df
    else:
        if str(idx.dtype) not in ALLOWED_DTYPES or idx.nlevels != 1:
            raise WomsimError(f"{file}: only a plain numeric index is saved")
        index = {"kind": "column", "dtype": str(idx.dtype), "name": idx.name}
        out = df.copy()
        out.insert(0, "__index__", idx.to_numpy())
    if index["name"] is not None and not isinstance(index["name"], str):
        raise WomsimError(f"{file}: the index name must be text")
    text = out.to_csv(index=False, float_format="%.17g", na_rep="nan", lineterminator="\n")
    return {"file": file, "columns": cols, "dtypes": dtypes, "index": index,
            "rows": len(df)}, text.encode("utf-8")


def read_table(zf: zipfile.ZipFile, spec: Any, path: Path) -> pd.DataFrame:
    """The table ``spec`` (from :func:`table_bytes`) describes, read from ``zf`` and checked
    against it (names, dtypes, row count)."""
    try:
        file, cols, dtypes, index = spec["file"], spec["columns"], spec["dtypes"], spec["index"]
        rows = int(spec["rows"])
        kind = index["kind"]
    except (KeyError, TypeError, ValueError):
        raise ResultsFileError(f"{path}: meta.json describes a table incompletely") from None
    if not (isinstance(cols, list) and isinstance(dtypes, list) and len(cols) == len(dtypes)
            and all(isinstance(c, str) for c in cols)):
        raise ResultsFileError(f"{path}: meta.json: bad column list for {file!r}")
    bad = [t for t in dtypes if t not in ALLOWED_DTYPES]
    if bad:
        raise ResultsFileError(f"{path}: {file}: unsupported dtype {bad[0]!r}")
    names = cols
    types = dict(zip(cols, dtypes, strict=True))
    if kind == "column":
        if index.get("dtype") not in ALLOWED_DTYPES:
            raise ResultsFileError(f"{path}: {file}: unsupported index dtype")
        names = ["__index__", *cols]
        types["__index__"] = index["dtype"]
    elif kind != "range":
        raise ResultsFileError(f"{path}: {file}: unknown index kind {kind!r}")
    if not isinstance(file, str) or not _TABLE_NAME.fullmatch(file) \
            or file not in zf.namelist():
        raise ResultsFileError(f"{path}: meta.json names table {file!r}, which is not one "
                               "of the file's tables")
    data = read_member(zf, file, path)
    try:
        df = pd.read_csv(io.BytesIO(data), dtype=types, keep_default_na=False,
                         na_values=["nan"], encoding="utf-8")
    except (ValueError, TypeError, pd.errors.ParserError, UnicodeDecodeError) as err:
        raise ResultsFileError(f"{path}: {file} cannot be read: {err}") from None
    if list(df.columns) != names or len(df) != rows:
        raise ResultsFileError(f"{path}: {file} does not match meta.json (columns or "
                               f"row count: {len(df)} rows, expected {rows})")
    if kind == "range":
        try:
            df.index = pd.RangeIndex(int(index["start"]), int(index["stop"]),
                                     int(index["step"]), name=index.get("name"))
        except (KeyError, TypeError, ValueError) as err:
            raise ResultsFileError(f"{path}: {file}: bad index: {err}") from None
    else:
        df = df.set_index("__index__")
        df.index.name = index.get("name")
    return df


class ArchiveWriter:
    """The members of one results file while a result writes itself (``_to_archive``)."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def table(self, df: pd.DataFrame, file: str) -> dict[str, Any]:
        """Add a numeric table as ``file``; returns its spec for meta.json."""
        spec, data = table_bytes(df, file)
        if file in self.files:
            raise WomsimError(f"{file} is written twice")
        self.files[file] = data
        return spec

    def frame(self, df: pd.DataFrame, file: str) -> dict[str, Any]:
        """Add any table: numbers as CSV ``file``, text columns and a text index in the
        entry returned (for meta.json). Read back with :meth:`ArchiveReader.frame`."""
        text = {str(c): df[c].astype(str).tolist() for c in df.columns
                if not (pd.api.types.is_numeric_dtype(df[c])
                        or pd.api.types.is_bool_dtype(df[c]))}
        index = [str(i) for i in df.index] if not isinstance(df.index, pd.RangeIndex) else None
        numbers = pd.DataFrame(df.drop(columns=list(text))).reset_index(drop=True)
        return {"spec": self.table(numbers, file), "text": text, "index": index,
                "index_name": df.index.name, "order": [str(c) for c in df.columns]}

    def numbers(self, values: Mapping[str, float], file: str) -> dict[str, Any]:
        """Add named numbers (NaN and infinities too, which JSON cannot hold) as a one-row
        table; read back with :meth:`ArchiveReader.numbers`."""
        row = pd.DataFrame({k: [float(v)] for k, v in values.items()})
        return self.table(row, file)


class ArchiveReader:
    """An opened results file while a result reads itself back (``_from_archive``)."""

    def __init__(self, zf: zipfile.ZipFile, path: Path) -> None:
        self.zf = zf
        self.path = path

    def error(self, message: str) -> ResultsFileError:
        """An error naming the file."""
        return ResultsFileError(f"{self.path}: {message}")

    def table(self, spec: Any) -> pd.DataFrame:
        """A table written by :meth:`ArchiveWriter.table`."""
        return read_table(self.zf, spec, self.path)

    def frame(self, entry: Any) -> pd.DataFrame:
        """A table written by :meth:`ArchiveWriter.frame`."""
        try:
            df = self.table(entry["spec"])
            for c, vals in entry["text"].items():
                if not isinstance(vals, list) or len(vals) != len(df):
                    raise self.error(f"text column {c!r} does not match its table")
                df[c] = [str(v) for v in vals]
            df = df[list(entry["order"])]
            if entry["index"] is not None:
                df.index = pd.Index([str(i) for i in entry["index"]],
                                    name=entry["index_name"])
        except (KeyError, TypeError, ValueError) as err:
            raise self.error(f"meta.json describes a table badly ({err!r})") from None
        return df

    def numbers(self, spec: Any) -> dict[str, float]:
        """Named numbers written by :meth:`ArchiveWriter.numbers`."""
        df = self.table(spec)
        if len(df) != 1:
            raise self.error(f"{spec.get('file')!r} should hold one row")
        return {str(k): float(v) for k, v in df.iloc[0].items()}


class Archived(Protocol):
    """What the registry needs of a result class: a kind and a way in and out."""

    kind: ClassVar[str]

    def _to_archive(self, w: ArchiveWriter) -> dict[str, Any]: ...

    @classmethod
    def _from_archive(cls, meta: dict[str, Any], r: ArchiveReader) -> Any: ...


_KINDS: dict[str, type[Archived]] = {}


def register(cls: type[Archived]) -> type[Archived]:
    """Make ``cls`` (with a ``kind`` attribute) savable by :func:`save` and loadable by
    :func:`load`. Result classes register themselves (see
    :class:`womsim.core.protocol.ResultBase`); returns ``cls``.

    Raises
    ------
    WomsimError
        Another class has already registered the same kind.
    """
    kind = cls.__dict__.get("kind")
    if not isinstance(kind, str) or not kind:
        raise WomsimError(f"{cls.__name__} has no kind to register")
    known = _KINDS.get(kind)
    if known is not None and known.__qualname__ != cls.__qualname__:
        raise WomsimError(f"result kind {kind!r} is taken by {known.__qualname__}")
    _KINDS[kind] = cls
    return cls


def kinds() -> dict[str, type]:
    """Every registered result kind and its class.

    Examples
    --------
    >>> import womsim
    >>> {"Ensemble", "Comparison", "MarketDamage"} <= set(kinds())
    True
    """
    return dict(_KINDS)


def kind_of(result: Any) -> str:
    """Which result this is: the registered kind of its class.

    Raises
    ------
    WomsimError
        Not a registered result.

    Examples
    --------
    >>> import womsim as wom
    >>> kind_of(wom.tarp_worked_example())
    'MarketDamage'
    """
    kind = getattr(type(result), "kind", None)
    if not isinstance(kind, str) or _KINDS.get(kind) is not type(result):
        raise WomsimError(f"a {type(result).__name__} is not a womsim result; results are "
                          + ", ".join(sorted(_KINDS)))
    return kind


def save(result: Any, path: str | Path, overwrite: bool = False) -> Path:
    """Save a registered result as one ZIP file (meta.json and CSV tables), atomically.

    An existing file is replaced only with ``overwrite=True``. Read it back with
    :func:`load`.
    """
    kind = kind_of(result)
    w = ArchiveWriter()
    body_meta = result._to_archive(w)
    meta = {"format": FORMAT, "format_version": FORMAT_VERSION, "saved": provenance(),
            "type": kind, **body_meta}
    body = json.dumps(meta, indent=1, allow_nan=False).encode("utf-8")

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(META, body)
            for name, data in w.files.items():
                zf.writestr(name, data)

    return atomic_write(path, write, overwrite=overwrite)


def open_results(path: Path) -> tuple[zipfile.ZipFile, dict[str, Any]]:
    """Open a results file and read its checked meta.json (format and version)."""
    if not path.exists():
        raise FileNotFoundError(f"saved results not found: {path}")
    if path.is_dir():
        raise ResultsFileError(f"{path} is a folder, not a saved-results file")
    zf = open_archive(path)
    try:
        try:
            raw = read_member(zf, META, path, limit=_META_LIMIT)
        except KeyError:
            raise ResultsFileError(f"{path} is not a womsim results file (no {META})"
                                   ) from None
        try:
            meta = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError, RecursionError) as err:
            raise ResultsFileError(f"{path}: {META} cannot be read: {err}") from None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise ResultsFileError(
                f"{path} is not a womsim results file (format "
                f"{meta.get('format') if isinstance(meta, dict) else None!r})")
        version_ = meta.get("format_version")
        if isinstance(version_, bool) or not isinstance(version_, int) or version_ < 1:
            raise ResultsFileError(f"{path}: {META} has no valid format_version "
                                   f"({version_!r}); the file is damaged")
        if version_ > FORMAT_VERSION:
            raise ResultsFileError(
                f"{path} was written in format version {version_!r}; this womsim reads up to "
                f"version {FORMAT_VERSION}: upgrade womsim")
    except BaseException:
        zf.close()
        raise
    return zf, meta


def load(path: str | Path) -> Any:
    """Read a result saved by :func:`save`: the same object, exactly.

    Only JSON and CSV are parsed; nothing is unpickled or executed.

    Raises
    ------
    FileNotFoundError
        No such file.
    ResultsFileError
        Not a womsim results file, damaged, of an unknown kind or written by a newer format.
    """
    path = Path(path)
    zf, meta = open_results(path)
    with zf:
        kind = meta.get("type")
        cls = _KINDS.get(kind) if isinstance(kind, str) else None
        if cls is None:
            raise ResultsFileError(f"{path}: unknown result type {kind!r}")
        try:
            return cls._from_archive(meta, ArchiveReader(zf, path))
        except KeyError as err:
            raise ResultsFileError(f"{path}: meta.json lacks {err}") from None
        except (TypeError, AttributeError, ValueError, IndexError) as err:
            raise ResultsFileError(f"{path}: meta.json is not laid out as a womsim "
                                   f"results file ({err})") from None


# ------------------------------------------------------------------- identical
def frame_diff(a: pd.DataFrame, b: pd.DataFrame, what: str) -> str | None:
    """The first difference between two tables, bit for bit (NaN equals NaN), or None."""
    if list(a.columns) != list(b.columns):
        return f"{what}: columns differ"
    if a.shape != b.shape or not a.index.equals(b.index) or a.index.name != b.index.name:
        return f"{what}: shape or index differs"
    for c in a.columns:
        u, v = a[c].to_numpy(), b[c].to_numpy()
        if u.dtype != v.dtype:
            return f"{what}: column '{c}' has dtype {u.dtype} vs {v.dtype}"
        if u.dtype.kind == "f":
            nu, nv = np.isnan(u), np.isnan(v)
            if not np.array_equal(nu, nv) or u[~nu].tobytes() != v[~nv].tobytes():
                k = int(np.argmax((u != v) & ~(nu & nv)))
                return f"{what}: column '{c}' differs (row {k}: {u[k]!r} vs {v[k]!r})"
        elif not np.array_equal(u, v):
            return f"{what}: column '{c}' differs"
    return None


def difference(a: Any, b: Any) -> str | None:
    """The first difference between two results (numbers bit for bit, scenarios, seeds,
    network; ``meta`` aside), or None when they are identical.

    A result kind that can be compared says how with a ``_difference(other)`` method (an
    Ensemble, a Comparison, a SweepResult), so this knows no result class by name.

    Raises
    ------
    WomsimError
        The kind cannot be compared.
    """
    if type(a) is not type(b):
        return f"a {type(a).__name__} and a {type(b).__name__}"
    how = getattr(a, "_difference", None)
    if how is None:
        raise WomsimError(f"cannot compare a {type(a).__name__}")
    return how(b)


def identical(a: Any, b: Any) -> bool:
    """Whether two results hold the same numbers bit for bit, scenarios, seeds and network.

    ``meta`` (versions, creation time) is not compared; NaN equals NaN.

    Examples
    --------
    >>> import womsim as wom
    >>> sc = wom.Scenario().replace(**{"market.people": 1000,
    ...                                "simulation.horizon_years": 0.25})
    >>> a = wom.simulate(sc, runs=2, seed=4, executor="serial")
    >>> identical(a, wom.simulate(sc, runs=2, seed=4, executor="serial"))
    True
    """
    return difference(a, b) is None
