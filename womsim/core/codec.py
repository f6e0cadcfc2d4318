"""The results file: one ZIP of CSV tables and JSON, and the registry of result kinds.

A saved result is one ZIP file holding ``meta.json`` (the format and its version, who wrote
the file: :func:`womsim.core.provenance.provenance`, the result's kind and whatever that kind
records) and plain CSV tables (floats with 17 significant digits, so every number reads back
to the same bits). Nothing is pickled and nothing read is executed.

This module knows the format, not the results. Each result kind registers itself with
:func:`register` next to its class (an Ensemble in :mod:`womsim.results`, a Comparison in
:mod:`womsim.analysis.whatif`, ...), giving how to write its entries, how to read them back
and how to compare two of them. :func:`save`, :func:`load` and :func:`identical` look the
kind up, so the layer that saves files never imports the layers whose results it saves.

Examples
--------
>>> import pandas as pd
>>> spec, data = write_table(pd.DataFrame({"x": [0.1, 2.0]}), "t.csv")
>>> spec["columns"], data.decode().splitlines()
(['x'], ['x', '0.10000000000000001', '2'])
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from womsim.core.archive import ResultsFileError, open_archive, read_member
from womsim.core.atomic import atomic_write
from womsim.core.errors import WomsimError
from womsim.core.provenance import provenance

__all__ = ["FORMAT", "FORMAT_VERSION", "Kind", "RecipeMismatchError", "ResultsFileError",
           "difference", "frame_diff", "identical", "jsonable", "kinds", "load", "normal",
           "read_table", "register", "save", "write_table"]

FORMAT = "womsim-results"
FORMAT_VERSION = 1

META = "meta.json"
_META_LIMIT = 256 * 1024**2  # a recipe of many sweep points is a few MB
_ALLOWED_DTYPES = frozenset({"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                             "uint64", "float32", "float64", "bool"})


class RecipeMismatchError(WomsimError):
    """Saved results and what they are re-run or resumed with do not match."""


# ------------------------------------------------------------------------ json
def jsonable(obj: Any, where: str = "value") -> Any:
    """Plain JSON types from numpy scalars, tuples and ranges; anything else is refused.

    Examples
    --------
    >>> jsonable({"a": np.int64(3), "b": (1.5, range(2))})
    {'a': 3, 'b': [1.5, [0, 1]]}
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
    >>> normal((1, np.float64(2.5)))
    [1, 2.5]
    """
    return json.loads(json.dumps(jsonable(obj)))


# ---------------------------------------------------------------------- tables
def write_table(df: pd.DataFrame, file: str) -> tuple[dict[str, Any], bytes]:
    """The spec (columns, dtypes, index) and CSV bytes of a numeric table."""
    cols = [str(c) for c in df.columns]
    if len(set(cols)) != len(cols) or cols != list(df.columns):
        raise WomsimError(f"{file}: column names must be unique text")
    dtypes = [str(t) for t in df.dtypes]
    for c, t in zip(cols, dtypes, strict=True):
        if t not in _ALLOWED_DTYPES:
            raise WomsimError(f"{file}: column '{c}' has dtype {t}; only numbers and "
                              "true/false are saved")
    idx = df.index
    if isinstance(idx, pd.RangeIndex):
        index: dict[str, Any] = {"kind": "range", "start": int(idx.start),
                                 "stop": int(idx.stop), "step": int(idx.step),
                                 "name": idx.name}
        out = df
    else:
        if str(idx.dtype) not in _ALLOWED_DTYPES or idx.nlevels != 1:
            raise WomsimError(f"{file}: only a plain numeric index is saved")
        index = {"kind": "column", "dtype": str(idx.dtype), "name": idx.name}
        out = df.copy()
        out.insert(0, "__index__", idx.to_numpy())
    if index["name"] is not None and not isinstance(index["name"], str):
        raise WomsimError(f"{file}: the index name must be text")
    text = out.to_csv(index=False, float_format="%.17g", na_rep="nan", lineterminator="\n")
    return {"file": file, "columns": cols, "dtypes": dtypes, "index": index,
            "rows": len(df)}, text.encode("utf-8")


def _expected_tables(zf: zipfile.ZipFile) -> set[str]:
    """Member names a table may have: those the registered kinds declare
    (``records.csv``, ``ensembles/3/runs.csv``, ``calibration/posterior.csv``, ...)."""
    patterns = [p for k in _KINDS.values() for p in k.tables]
    return {n for n in zf.namelist() if any(re.fullmatch(p, n) for p in patterns)}


def read_table(zf: zipfile.ZipFile, spec: Any, path: Path) -> pd.DataFrame:
    """The table ``spec`` (from :func:`write_table`) describes, read from ``zf``, checked."""
    try:
        file, cols, dtypes, index = spec["file"], spec["columns"], spec["dtypes"], spec["index"]
        rows = int(spec["rows"])
        kind = index["kind"]
    except (KeyError, TypeError, ValueError):
        raise ResultsFileError(f"{path}: meta.json describes a table incompletely") from None
    if not (isinstance(cols, list) and isinstance(dtypes, list) and len(cols) == len(dtypes)
            and all(isinstance(c, str) for c in cols)):
        raise ResultsFileError(f"{path}: meta.json: bad column list for {file!r}")
    bad = [t for t in dtypes if t not in _ALLOWED_DTYPES]
    if bad:
        raise ResultsFileError(f"{path}: {file}: unsupported dtype {bad[0]!r}")
    names = cols
    types = dict(zip(cols, dtypes, strict=True))
    if kind == "column":
        if index.get("dtype") not in _ALLOWED_DTYPES:
            raise ResultsFileError(f"{path}: {file}: unsupported index dtype")
        names = ["__index__", *cols]
        types["__index__"] = index["dtype"]
    elif kind != "range":
        raise ResultsFileError(f"{path}: {file}: unknown index kind {kind!r}")
    if not isinstance(file, str) or file not in _expected_tables(zf):
        raise ResultsFileError(f"{path}: meta.json names table {file!r}, which is not one "
                               "of the file's tables")
    try:
        data = read_member(zf, file, path)
    except KeyError:
        raise ResultsFileError(f"{path}: {file} is missing from the file") from None
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


# -------------------------------------------------------------------- registry
Writer = Callable[[Any], "tuple[dict[str, Any], dict[str, bytes]]"]
Reader = Callable[[dict, zipfile.ZipFile, Path], Any]
Differ = Callable[[Any, Any], "str | None"]


@dataclass(frozen=True)
class Kind:
    """One kind of saved result: its name in ``meta.json`` (``type``), its class, and how to
    write, read and compare it.

    ``write(result)`` returns the entries to add to ``meta.json`` and the files (member name
    -> bytes) to add to the archive; ``read(meta, zf, path)`` rebuilds the result from an
    opened archive (raising :class:`ResultsFileError`; a missing key or a value of the wrong
    JSON type is turned into one); ``diff(a, b)`` names the first difference between two
    results of the kind, or returns None. ``tables`` are the patterns (regular expressions)
    of the table members the kind writes.
    """

    name: str
    cls: type
    write: Writer
    read: Reader
    diff: Differ | None = None
    tables: tuple[str, ...] = ()


_KINDS: dict[str, Kind] = {}


def register(name: str, cls: type, write: Writer, read: Reader, diff: Differ | None = None,
             tables: tuple[str, ...] = ()) -> Kind:
    """Make results of class ``cls`` savable under ``name`` (see :class:`Kind`).

    Called once by the module that defines the result, next to its class. Registering a
    name again replaces it (a module reloaded in a notebook).

    Examples
    --------
    >>> import womsim
    >>> {"Ensemble", "Comparison", "SweepResult", "Calibration"} <= set(kinds())
    True
    """
    kind = Kind(name, cls, write, read, diff, tuple(tables))
    _KINDS[name] = kind
    return kind


def kinds() -> dict[str, Kind]:
    """The registered kinds, by name."""
    return dict(_KINDS)


def _kind_of(result: Any, doing: str) -> Kind:
    for klass in type(result).__mro__:
        for kind in _KINDS.values():
            if kind.cls is klass:
                return kind
    names = ", ".join(sorted(_KINDS))
    raise WomsimError(f"cannot {doing} a {type(result).__name__}: womsim {doing}s {names}")


# --------------------------------------------------------------------- save/load
def save(result: Any, path: str | Path, overwrite: bool = False) -> Path:
    """Save a result of a registered kind as one ZIP file (see the module notes).

    Atomic (a temporary file renamed into place); an existing file is replaced only with
    ``overwrite=True``, otherwise ``FileExistsError``.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    kind = _kind_of(result, "save")
    entries, files = kind.write(result)
    meta: dict[str, Any] = {"format": FORMAT, "format_version": FORMAT_VERSION,
                            "saved": provenance(), "type": kind.name, **entries}
    body = json.dumps(meta, indent=1, allow_nan=False).encode("utf-8")

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(META, body)
            for name, data in files.items():
                zf.writestr(name, data)

    return atomic_write(path, write, overwrite=overwrite)


def _open_meta(path: Path) -> tuple[zipfile.ZipFile, dict[str, Any]]:
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
        version = meta.get("format_version")
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise ResultsFileError(f"{path}: {META} has no valid format_version "
                                   f"({version!r}); the file is damaged")
        if version > FORMAT_VERSION:
            raise ResultsFileError(
                f"{path} was written in format version {version!r}; this womsim reads up to "
                f"version {FORMAT_VERSION}: upgrade womsim")
    except BaseException:
        zf.close()
        raise
    return zf, meta


def load(path: str | Path) -> Any:
    """Read a result saved by :func:`save`: the same object, exactly.

    Only JSON and CSV are parsed; nothing is unpickled or executed, so a file from
    elsewhere is safe to open.

    Raises
    ------
    FileNotFoundError
        No such file.
    ResultsFileError
        Not a womsim results file, damaged, of an unknown kind, or written by a newer
        format.
    """
    path = Path(path)
    zf, meta = _open_meta(path)
    with zf:
        name = meta.get("type")
        kind = _KINDS.get(name) if isinstance(name, str) else None
        if kind is None:
            raise ResultsFileError(f"{path}: unknown result type {name!r}")
        try:
            return kind.read(meta, zf, path)
        except KeyError as err:
            raise ResultsFileError(f"{path}: meta.json lacks {err}") from None
        except (TypeError, AttributeError) as err:  # a value of the wrong JSON type
            raise ResultsFileError(f"{path}: meta.json is not laid out as a womsim "
                                   f"results file ({err})") from None


# ------------------------------------------------------------------- identical
def difference(a: Any, b: Any) -> str | None:
    """The first difference between two results (numbers bit for bit, scenarios, seeds,
    network), or None when they are identical; ``meta`` (versions, time) is not compared."""
    if type(a) is not type(b):
        return f"a {type(a).__name__} and a {type(b).__name__}"
    kind = _kind_of(a, "compare")
    if kind.diff is None:
        raise WomsimError(f"cannot compare a {type(a).__name__}")
    return kind.diff(a, b)


def identical(a: Any, b: Any) -> bool:
    """Whether two results hold the same numbers bit for bit, scenarios, seeds and network.

    ``meta`` (versions, creation time) is not compared; NaN equals NaN.
    """
    return difference(a, b) is None

