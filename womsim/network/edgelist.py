"""Edge lists: text files and DataFrames of ``source target`` pairs, read and written exactly.

Reading streams the file in blocks of :data:`BLOCK_BYTES` (decompressed on the fly: gzip,
bz2 and xz are recognised by their first bytes, whatever the file is called), so a
malformed line deep in a file of hundreds of megabytes is reported with its line number
without the file ever being held in memory whole. Each block goes through pandas' C
parser; only a block the parser stumbles on (or whose ids need a closer look) is re-read
line by line, to name the offending line.

**What an id is.** Fields are text. A field written as a whole number in the usual way
(``0``, ``17``, ``-3``: no sign ``+``, no leading zeros, no decimal point, at most 18
digits) is a number. Any other field that reads as a number (``1.5``, ``1e3``, ``+5``,
``-0``, ``nan``, ``inf``) is refused with its line: it is almost always a weight in the
wrong column or a spreadsheet export gone wrong, and taking it as a name would add a
person. Everything else, including digits with leading zeros (``007``), is a name, kept
exactly as written (surrounding spaces removed). A file with any name takes every id as
a name, so ``"007"`` and ``"7"`` are two people. Integer ids that are exactly ``0..n-1``
are kept as node ids; other numbers and names are numbered in order of first appearance
and kept as the network's labels.

A DataFrame's values are taken as typed: integers (or floats with whole values) are
numbers, text is names, other objects (tuples) are labels as they are; true/false,
non-whole and infinite floats are refused with their row.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import lzma
import numbers
import os
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from womsim.core.errors import EdgeListError, NetworkError
from womsim.network.generators import EdgeListNotFoundError, EdgeSource

__all__ = ["BLOCK_BYTES", "check_labels_write", "edges_from_file", "edges_from_frame"]

#: Bytes of (decompressed) text parsed at a time.
BLOCK_BYTES = 16 * 1024**2

# a block the C parser stumbles on is retried in pieces of this size before any line
# by line scan
_PIECE_BYTES = 256 * 1024

#: A line longer than this is not an edge-list line (and is not read into memory whole).
MAX_LINE_BYTES = 1024**2

# Header lines are recognised by a known (source, target) pair of column names, or by
# a non-numeric first line above numeric data; a lone word like "a" is a person's name.
_HEADER_PAIRS = {("source", "target"), ("src", "dst"), ("from", "to"), ("u", "v"),
                 ("i", "j"), ("node1", "node2"), ("node_1", "node_2"), ("id1", "id2"),
                 ("head", "tail"), ("tail", "head"), ("person1", "person2"),
                 ("start", "end"), ("sender", "receiver"), ("ego", "alter"),
                 ("source_id", "target_id"), ("from_id", "to_id")}

_INT = r"0|-?[1-9][0-9]{0,17}"
_NUMBER = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?(?:nan|inf|infinity)"
_INT_RE = re.compile(_INT)
_NUMBER_RE = re.compile(_NUMBER, re.IGNORECASE)
_CODE_RE = re.compile(r"0[0-9]+")  # digits with leading zeros: a name (a code, "007")
_INT_LIMIT = 10**18

_MAGIC = ((b"\x1f\x8b", gzip.open, "gzip"), (b"BZh", bz2.open, "bzip2"),
          (b"\xfd7zXZ\x00", lzma.open, "xz"))


@dataclass
class _Layout:
    delimiter: str             # ",", ";", "\t" or " " (any run of whitespace)
    ncols: int                 # 2, or 3 with a weight column
    header_index: int | None   # 0-based physical line of a header to skip


def _odd_ints(data: bytes) -> bool:
    """Whether ``data`` may hold a field the C parser reads as a whole number although
    it is not written as one: a plus sign, minus zero or leading zeros ("007" would
    read as 7). False positives (a "+" in a comment) only send the block to the line
    scan. numpy over the bytes: a regex takes seconds on a block."""
    if b"+" in data or (b"-" in data and b"-0" in data):  # one byte: a fast search
        return True
    a = np.frombuffer(data, dtype=np.uint8)
    if a.size < 2:
        return False
    # a "0" with a digit after it and none before it (uint8: non-digits wrap above 9)
    lead = (a[:-1] == 48) & ((a[1:] - 48) <= 9)
    lead[1:] &= (a[:-2] - 48) > 9
    return bool(lead.any())


def _id_problem(field: str) -> str | None:
    """Why a text field cannot be a node id, or None."""
    if _INT_RE.fullmatch(field) or _CODE_RE.fullmatch(field):
        return None
    if _NUMBER_RE.fullmatch(field):
        return (f"node id {field!r} reads as a number but not as a whole number (ids are "
                "whole numbers like 0, 17, -3, or names that are not numbers)")
    return None


# --------------------------------------------------------------------------- files
def _opener(path: Path) -> tuple[Any, str | None]:
    """How to open ``path``: by its first bytes (a .gz without its suffix still reads)."""
    with open(path, "rb") as fh:
        head = fh.read(6)
    for magic, opener, kind in _MAGIC:
        if head.startswith(magic):
            return opener, kind
    if head.startswith(b"PK\x03\x04"):
        raise EdgeListError(f"'{path}' is a ZIP archive, not an edge list: unzip it first")
    return open, None


def _open_text(path: Path) -> IO[str]:
    opener, _ = _opener(path)
    return opener(path, "rt", encoding="utf-8-sig", errors="replace")  # type: ignore[no-any-return]


def _split(line: str, delimiter: str) -> list[str]:
    if delimiter == " ":
        line = line.replace("\t", " ").strip()
    row = next(csv.reader([line], delimiter=delimiter, skipinitialspace=True), [])
    return [f.strip() for f in row]


def _data_lines(path: Path, comment: str | None) -> Iterator[tuple[int, str, str]]:
    """(0-based physical line index, text before any comment, raw line) of data lines."""
    with _open_text(path) as fh:
        i = 0
        while raw := fh.readline(MAX_LINE_BYTES):  # bounded: a line may be endless
            if len(raw) == MAX_LINE_BYTES and not raw.endswith("\n"):
                raise EdgeListError(f"{path}, line {i + 1}: longer than {MAX_LINE_BYTES:,} "
                                    "characters; not an edge-list line")
            text = raw.split(comment, 1)[0] if comment else raw
            if text.strip():
                yield i, text.rstrip("\r\n"), raw.rstrip("\r\n")
            i += 1


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def _sniff(path: Path, sep: str | None, comment: str | None) -> _Layout:
    """Separator, column count and header line, from the first two data lines."""
    first: list[tuple[int, str, str]] = []
    try:
        for item in _data_lines(path, comment):
            first.append(item)
            if len(first) == 2:
                break
    except (OSError, EOFError, lzma.LZMAError, ValueError) as err:
        raise EdgeListError(f"'{path}' cannot be read: {err}") from None
    if not first:
        raise EdgeListError(f"'{path}' has no edges (only blank or comment lines)")
    if sep is None:
        delimiter = next((d for d in (",", ";", "\t") if d in first[0][1]), " ")
    elif sep in (" ", r"\s+", "whitespace"):
        delimiter = " "
    elif sep in (",", ";", "\t"):
        delimiter = sep
    else:
        raise EdgeListError(f"sep must be ',', ';', '\\t', ' ' (any whitespace) or None "
                            f"(detect), got {sep!r}")
    rows = [_split(text, delimiter) for _, text, _ in first]
    header = None
    if len(rows[0]) >= 2 and not any(_is_number(f) for f in rows[0][:2]):
        numeric_below = len(rows) > 1 and len(rows[1]) >= 2 and all(
            _is_number(f) for f in rows[1][:2])
        names = (rows[0][0].lower(), rows[0][1].lower())
        if names in _HEADER_PAIRS or numeric_below:
            header = first[0][0]
            if len(rows) < 2:
                raise EdgeListError(f"'{path}' has a header line but no edges")
    k = 0 if header is None else 1
    layout = _Layout(delimiter, len(rows[k]), header)
    if layout.ncols not in (2, 3) or (layout.ncols == 3 and not _is_number(rows[k][2])):
        _raise_bad_line(path, layout, first[k][0], rows[k], first[k][2])
    return layout


def _raise_bad_line(path: Path, layout: _Layout, index: int, fields: list[str],
                    raw: str, problem: str | None = None) -> None:
    shown = raw if len(raw) <= 200 else raw[:200] + "..."
    expected = ("2 fields (source, target)" if layout.ncols != 3 else
                "3 fields (source, target, numeric weight) like the first data line")
    if problem is None and (len(fields) != layout.ncols or layout.ncols not in (2, 3)):
        problem = f"expected {expected}, found {len(fields)}"
    elif problem is None and any(f == "" for f in fields):
        problem = "empty field"
    elif problem is None:
        problem = f"weight {fields[2]!r} is not a number"
    raise EdgeListError(f"{path}, line {index + 1}: {problem}: {shown!r}")


def _blocks(path: Path, block_bytes: int) -> Iterator[tuple[int, bytes]]:
    """(physical line number of the block's first line, 0-based; whole lines of bytes)."""
    opener, kind = _opener(path)
    line = 0
    try:
        with opener(path, "rb") as fh:
            first = True
            while True:
                data = fh.read(block_bytes)
                if not data:
                    return
                if not data.endswith(b"\n"):
                    rest = fh.readline(MAX_LINE_BYTES)
                    data += rest
                    if rest and not rest.endswith(b"\n") and len(rest) == MAX_LINE_BYTES:
                        at = line + data.count(b"\n") + 1
                        raise EdgeListError(f"{path}, line {at}: longer than "
                                            f"{MAX_LINE_BYTES:,} bytes; not an edge-list line")
                if first and data.startswith(b"\xef\xbb\xbf"):
                    data = data[3:]
                first = False
                yield line, data
                line += data.count(b"\n")
    except (OSError, EOFError, lzma.LZMAError, zlib.error) as err:
        what = f"its {kind} data" if kind else "it"
        where = f" after its first {line:,} lines" if line else ""
        raise EdgeListError(f"'{path}' is damaged or truncated: {what} cannot be read"
                            f"{where} ({err})") from None


def _undecodable(path: Path, start: int, data: bytes) -> None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = start + data[:err.start].count(b"\n") + 1
        raise EdgeListError(f"{path}, line {line}: not UTF-8 text ({err.reason})") from None


def _scan_block(path: Path, layout: _Layout, comment: str | None, start: int,
                data: bytes) -> tuple[list[str], list[str]]:
    """Slow path for one block: every line checked; raises at the first bad one."""
    _undecodable(path, start, data)
    us: list[str] = []
    vs: list[str] = []
    for k, raw in enumerate(data.decode("utf-8").split("\n")):
        index = start + k
        raw = raw.rstrip("\r")
        text = raw.split(comment, 1)[0] if comment else raw
        if not text.strip() or index == layout.header_index:
            continue
        fields = _split(text, layout.delimiter)
        if len(fields) != layout.ncols or any(f == "" for f in fields) or (
                layout.ncols == 3 and not _is_number(fields[2])):
            _raise_bad_line(path, layout, index, fields, raw)
        for f in fields[:2]:
            why = _id_problem(f)
            if why:
                _raise_bad_line(path, layout, index, fields, raw, why)
        us.append(fields[0])
        vs.append(fields[1])
    return us, vs


def _parse_block(path: Path, layout: _Layout, comment: str | None, start: int,
                 data: bytes) -> np.ndarray | None:
    """The block's ids interleaved (u0, v0, u1, ...): int64 if all are whole numbers,
    else an object array of text; None for a block without edges."""
    skip = None
    if layout.header_index is not None and start <= layout.header_index:
        skip = [layout.header_index - start]
    try:
        frame = pd.read_csv(
            io.BytesIO(data), sep=r"\s+" if layout.delimiter == " " else layout.delimiter,
            header=None, comment=comment, skip_blank_lines=True, engine="c", skiprows=skip,
            skipinitialspace=True, keep_default_na=False, na_values=[""], encoding="utf-8")
    except pd.errors.EmptyDataError:  # only blank lines, comments or the header
        return None
    except UnicodeDecodeError as err:
        _undecodable(path, start, data)
        raise EdgeListError(f"'{path}' is not UTF-8 text: {err}") from None
    except (pd.errors.ParserError, ValueError):
        frame = None
    if frame is not None:
        out = _fast(frame, layout, data)
        if out is not None:
            return out
    if len(data) > 2 * _PIECE_BYTES:  # narrow it down before going line by line
        return _in_pieces(path, layout, comment, start, data)
    us, vs = _scan_block(path, layout, comment, start, data)
    if not us:
        return None
    ints = all(_INT_RE.fullmatch(f) for f in us) and all(_INT_RE.fullmatch(f) for f in vs)
    if ints:
        both = np.empty(2 * len(us), dtype=np.int64)
        both[0::2], both[1::2] = np.array(us, dtype=np.int64), np.array(vs, dtype=np.int64)
        return both
    return _interleave_text(us, vs)


def _in_pieces(path: Path, layout: _Layout, comment: str | None, start: int,
               data: bytes) -> np.ndarray | None:
    """A block parsed in line-aligned pieces, so that only a piece with a problem is
    scanned line by line (Python is ~50 times slower than the C parser)."""
    parts = []
    at = 0
    while at < len(data):
        end = data.find(b"\n", min(at + _PIECE_BYTES, len(data) - 1))
        end = len(data) if end < 0 else end + 1
        piece = _parse_block(path, layout, comment, start, data[at:end])
        if piece is not None and piece.size:
            parts.append(piece)
        start += data.count(b"\n", at, end)
        at = end
    if not parts:
        return None
    if all(p.dtype.kind == "i" for p in parts):
        return np.concatenate(parts, dtype=np.int64 if any(
            p.dtype == np.int64 for p in parts) else np.int32)
    return np.concatenate([p.astype(str).astype(object) if p.dtype.kind == "i" else p
                           for p in parts])


def _interleave_text(us: list[str], vs: list[str]) -> np.ndarray:
    both = np.empty(2 * len(us), dtype=object)
    both[0::2], both[1::2] = us, vs
    return both


def _fast(frame: pd.DataFrame, layout: _Layout, data: bytes) -> np.ndarray | None:
    """The ids of a block the C parser read, or None where a line-by-line look is needed."""
    if frame.shape[1] != layout.ncols or frame.isna().to_numpy().any():
        return None
    if layout.ncols == 3 and not (pd.api.types.is_numeric_dtype(frame.iloc[:, 2].dtype)
                                  and not pd.api.types.is_bool_dtype(frame.iloc[:, 2].dtype)):
        return None
    a, b = frame.iloc[:, 0], frame.iloc[:, 1]
    kinds = {a.dtype.kind, b.dtype.kind}
    if kinds == {"i"}:
        if _odd_ints(data):
            return None
        av, bv = a.to_numpy(np.int64), b.to_numpy(np.int64)
        lo, hi = min(av.min(), bv.min()), max(av.max(), bv.max())
        if lo <= -_INT_LIMIT or hi >= _INT_LIMIT:
            return None
        # int32 where the ids fit: half the memory for the edges of a big file
        small = -(2**31) <= lo and hi < 2**31
        both = np.empty(2 * av.size, dtype=np.int32 if small else np.int64)
        both[0::2], both[1::2] = av, bv
        return both
    if not kinds <= {"i", "O"}:
        return None  # floats, true/false, huge integers: read the text itself
    cols = []
    for c in (a, b):
        if c.dtype.kind == "i":
            if _odd_ints(data):
                return None
            s = c.astype(str)
        else:
            s = c.astype(str)
            if layout.delimiter != " ":  # "a , b # note" leaves spaces before the comment
                s = s.str.strip()
            numeric = s.str.fullmatch(_NUMBER, case=False).to_numpy(dtype=bool)
            if numeric.any():
                ok = (s.str.fullmatch(_INT) | s.str.fullmatch(_CODE_RE.pattern)).to_numpy(
                    dtype=bool)
                if (numeric & ~ok).any():
                    return None  # the line scan names the line
        cols.append(s.to_numpy(dtype=object))
    both = np.empty(2 * len(cols[0]), dtype=object)
    both[0::2], both[1::2] = cols
    return both


class _Ids:
    """Node ids of a file, block by block: numbers while every id is one, else names."""

    def __init__(self) -> None:
        self.ints: list[np.ndarray] = []
        self.codes: list[np.ndarray] = []
        self.known: pd.Index | None = None  # names seen so far, in order of appearance

    def add(self, both: np.ndarray) -> None:
        if both.dtype.kind == "i" and self.known is None:
            self.ints.append(both)
            return
        if self.known is None:  # the first name: every id so far becomes text
            self.known = pd.Index([], dtype=object)
            for block in self.ints:
                self._add_text(block.astype(str).astype(object))
            self.ints = []
        self._add_text(both.astype(str).astype(object) if both.dtype.kind == "i" else both)

    def _add_text(self, both: np.ndarray) -> None:
        assert self.known is not None
        codes, uniques = pd.factorize(both)
        pos = self.known.get_indexer(uniques)
        new = pos < 0
        pos[new] = len(self.known) + np.arange(int(new.sum()))
        if new.any():
            self.known = self.known.append(pd.Index(uniques[new], dtype=object))
        self.codes.append(pos[codes].astype(np.int32))  # < 2**31 names: memory holds fewer

    def result(self) -> tuple[np.ndarray, np.ndarray, Any, int]:
        if self.known is not None:
            codes = np.concatenate(self.codes)
            labels = np.empty(len(self.known), dtype=object)
            labels[:] = list(self.known)
            return codes[0::2], codes[1::2], labels, int(labels.size)
        wide = any(b.dtype == np.int64 for b in self.ints)
        both = np.concatenate(self.ints, dtype=np.int64 if wide else np.int32) \
            if len(self.ints) != 1 else self.ints[0]
        self.ints = []
        return _encode_ints(both)


def _encode_ints(both: np.ndarray) -> tuple[np.ndarray, np.ndarray, Any, int]:
    """Ids for interleaved whole numbers: kept if exactly 0..n-1, else numbered."""
    if both.size and both.min() >= 0:
        top = int(both.max())
        # 0..top all present <=> ids are already dense (then no labels needed)
        if top < both.size and np.all(np.bincount(both, minlength=top + 1) > 0):
            ids = both.astype(_id_dtype(top + 1), copy=False)
            return ids[0::2].copy(), ids[1::2].copy(), None, top + 1
    codes, uniques = pd.factorize(both)
    labels = np.asarray(uniques, dtype=np.int64)
    codes = codes.astype(_id_dtype(labels.size))
    return codes[0::2], codes[1::2], labels, int(labels.size)


def _id_dtype(n: int) -> type[np.signedinteger]:
    return np.int32 if n < 2**31 else np.int64


def edges_from_file(path: str | os.PathLike[str], sep: str | None = None,
                    comment: str | None = "#", block_bytes: int | None = None) -> EdgeSource:
    """Edges of an edge-list text file (format: see ``Network.from_edgelist``).

    ``block_bytes`` is how much text is parsed at a time (default :data:`BLOCK_BYTES`);
    memory stays near a few times that plus the edges themselves.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "e.txt"
    >>> _ = f.write_text("# friends\\nann bob\\n\\nbob 007\\n007 7\\n")
    >>> edges_from_file(f).labels.tolist()
    ['ann', 'bob', '007', '7']
    """
    path = Path(os.fspath(path))
    if not path.exists():
        raise EdgeListNotFoundError(f"edge-list file not found: '{path}'")
    if path.is_dir():
        raise EdgeListError(f"'{path}' is a directory, not an edge-list file")
    if comment is not None and (not isinstance(comment, str) or len(comment) != 1):
        raise EdgeListError(f"comment must be a single character or None, got {comment!r}")
    if block_bytes is None:
        block_bytes = BLOCK_BYTES
    if isinstance(block_bytes, bool) or not isinstance(block_bytes, int) or block_bytes < 1:
        raise EdgeListError(f"block_bytes must be a whole number >= 1, got {block_bytes!r}")
    layout = _sniff(path, sep, comment)
    ids = _Ids()
    for start, data in _blocks(path, block_bytes):
        both = _parse_block(path, layout, comment, start, data)
        if both is not None and both.size:
            ids.add(both)
    if not ids.ints and not ids.codes:
        raise EdgeListError(f"'{path}' has no edges (only blank or comment lines)")
    u, v, labels, n = ids.result()
    info = {"generator": "from_edgelist", "params": {"source": str(path),
                                                     "edges_given": int(u.size)}}
    return EdgeSource(u, v, n, path.name.split(".")[0] or path.name, info, labels)


# ---------------------------------------------------------------------- DataFrames
def _frame_ids(col: pd.Series, df: pd.DataFrame) -> np.ndarray:
    """One column's ids as typed: int64 if all are whole numbers, else objects."""
    def refuse(mask: np.ndarray, what: str) -> None:
        i = int(np.argmax(mask))
        raise EdgeListError(f"edge-list DataFrame row {i} (index {df.index[i]!r}): column "
                            f"{col.name!r} holds {col.iloc[i]!r}: {what}")

    kind = col.dtype.kind
    if kind == "b":
        refuse(np.ones(len(col), bool), "true/false is not a node id")
    if kind in "iu":
        x = col.to_numpy()
        if kind == "u" and x.size and x.max() >= 2**63:
            refuse(x >= 2**63, "too large for a node id")
        return x.astype(np.int64)
    if kind == "f":
        x = col.to_numpy(np.float64)
        bad = ~np.isfinite(x) | (x != np.floor(x)) | (np.abs(x) >= 2**63)
        if bad.any():
            refuse(bad, "not a whole number (node ids are whole numbers or names)")
        return x.astype(np.int64)
    values = col.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(values, skipna=False) == "string":
        return values  # names only: nothing to look at one by one
    out = np.empty(values.size, dtype=object)
    for i, x in enumerate(values):  # mixed Python objects: each taken as typed
        if isinstance(x, (bool, np.bool_)):
            refuse(np.arange(values.size) == i, "true/false is not a node id")
        elif isinstance(x, numbers.Integral):
            out[i] = int(x)
        elif isinstance(x, numbers.Real):
            x = float(x)
            if not np.isfinite(x) or x != int(x):
                refuse(np.arange(values.size) == i, "not a whole number (node ids are "
                       "whole numbers or names)")
            out[i] = int(x)
        else:
            out[i] = x
    return out


def edges_from_frame(df: pd.DataFrame) -> EdgeSource:
    """Edges of a DataFrame: columns ``source``/``target`` (any case) or the first two.

    Examples
    --------
    >>> src = edges_from_frame(pd.DataFrame({"a": [5, 7], "b": [7, 9]}))
    >>> src.labels.tolist(), src.u.tolist()
    ([5, 7, 9], [0, 1])
    """
    cols = {str(c).lower(): c for c in df.columns}
    if "source" in cols and "target" in cols:
        a, b = df[cols["source"]], df[cols["target"]]
    elif df.shape[1] >= 2:
        a, b = df.iloc[:, 0], df.iloc[:, 1]
    else:
        raise EdgeListError("an edge-list DataFrame needs columns 'source' and 'target' "
                            f"(or two columns), got {list(df.columns)}")
    if len(df) == 0:
        raise EdgeListError("the edge-list DataFrame has no rows (no edges)")
    for col in (a, b):
        missing = col.isna().to_numpy()
        if missing.any():
            i = int(np.argmax(missing))
            raise EdgeListError(f"edge-list DataFrame row {i} (index {df.index[i]!r}): "
                                f"missing value in column {col.name!r}")
    av, bv = _frame_ids(a, df), _frame_ids(b, df)
    if av.dtype.kind == "i" and bv.dtype.kind == "i":
        both = np.empty(2 * av.size, dtype=np.int64)
        both[0::2], both[1::2] = av, bv
        u, v, labels, n = _encode_ints(both)
    else:
        both = np.empty(2 * av.size, dtype=object)
        both[0::2], both[1::2] = av, bv
        codes, uniques = pd.factorize(both)
        labels = np.empty(len(uniques), dtype=object)
        labels[:] = list(uniques)
        codes = codes.astype(np.int64)
        u, v, n = codes[0::2], codes[1::2], int(labels.size)
    info = {"generator": "from_edgelist",
            "params": {"source": "DataFrame", "edges_given": int(u.size)}}
    return EdgeSource(u, v, n, None, info, labels)


# ------------------------------------------------------------------------- writing
def check_labels_write(labels: np.ndarray) -> None:
    """Refuse labels that an edge-list file could not give back exactly.

    Raises
    ------
    NetworkError
        Naming the first label that would read back differently (or not at all).

    Examples
    --------
    >>> check_labels_write(np.array(["007", "7", "ann"], dtype=object))
    >>> try:
    ...     check_labels_write(np.array(["a", "1.5"], dtype=object))
    ... except NetworkError as err:
    ...     print(str(err)[:40])
    label '1.5' cannot be written to an edge
    """
    if labels.dtype.kind in "iu":
        return
    fix = ("; pass labels=False to write the node ids 0..n-1 instead, or give the "
           "network labels that are text")

    def refuse(x: Any, why: str) -> None:
        raise NetworkError(f"label {x!r} cannot be written to an edge list and read back "
                           f"as it is: {why}{fix}")

    all_ints = True
    for x in labels:
        if not isinstance(x, str):
            refuse(x, f"it is not text but {type(x).__name__}, and reads back as text")
        if x == "" or x != x.strip():
            refuse(x, "it is empty or starts or ends with a space")
        if re.search(r"[#\r\n]", x):
            refuse(x, "it contains '#' or a line break")
        if _id_problem(x):
            refuse(x, "it reads as a number that is not a whole number")
        all_ints = all_ints and bool(_INT_RE.fullmatch(x))
    if all_ints:
        refuse(labels[0], "every label is a whole number written as text, and would "
               "read back as a number")
